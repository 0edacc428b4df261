/** Exit codes: part of the contract (scripts rely on them), listed in every command's --help. */
export const EXIT = {
  ok: 0,
  /** The Worker answered with an error: 4xx, or a test alert the receiver refused. */
  refused: 1,
  /** Unknown command or option, a missing setting, an invalid fleet file: nothing was sent. */
  usage: 2,
  /** No answer from the Worker (connection, DNS, TLS, timeout), or it failed (5xx). */
  unreachable: 3,
  /** status: the Worker answered, and the fleet is not healthy (/v1/check is 503). */
  unhealthy: 4,
  internal: 70,
} as const;

export const EXIT_HELP = `Exit codes:
  0  done
  1  the Worker refused the request: its error code and message are printed (a 401 names the token and where it came from)
  2  usage error: unknown command or option, a missing setting (SEATWATCH_URL, the admin token), an invalid fleet file; nothing was sent
  3  the Worker could not be reached, did not answer within 15 s, or failed (5xx): check SEATWATCH_URL, try again`;
