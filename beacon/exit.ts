/**
 * How a beacon command ends (DESIGN §3): exit codes scripts can rely on, each command's --help
 * listing the ones it uses, and the error that means "you asked wrongly" (exit 2). Its own file,
 * with no imports, so the dispatcher can answer --help and usage errors without loading a command.
 */
export const EXIT = {
  ok: 0,
  /** once --dry-run: could not observe; doctor: would be blind; once/enroll: refused; keygen: a key exists. */
  failed: 1,
  usage: 2,
  /** doctor: sees seats but a check failed; once/enroll: the Worker could not be reached or failed (5xx). */
  problems: 3,
  internal: 70,
} as const;

/** A flag, setting or operand the command cannot take; the message names it and the fix. */
export class UsageError extends Error {}
