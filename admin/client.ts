/**
 * The Worker's admin and read API as the CLI sees it (DESIGN §5): where it is, which token goes
 * with which call, and what each failure means for the person at the terminal. Every error names
 * the setting to fix: the URL's variable, the token and where it was read from.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "./args.ts";

/** Long enough for a Worker on the other side of the world, short enough that a script never hangs. */
const REQUEST_TIMEOUT_MS = 15_000;

export interface Token {
  value: string;
  /** Where it came from, as the person would name it: an env var, a file, .dev.vars. */
  source: string;
}

export interface Settings {
  url: string;
  /** Where the URL came from (`SEATWATCH_URL` or `--url`), for error messages. */
  urlSource: string;
  admin: Token | null;
  read: Token | null;
}

/** The Worker answered with an error (`{error: {code, message}}`), or with something that is not seatwatch. */
export class ApiRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | null,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** No answer: connection refused, DNS, timeout, TLS — or the Worker failed (5xx). */
export class Unreachable extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

function readTokenFile(path: string): Token {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--token-file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  const value = text.trim();
  if (value === "" || /\s/.test(value)) {
    throw new UsageError(`--token-file ${path} must hold just the admin token, on one line`);
  }
  return { value, source: `--token-file ${path}` };
}

function isLoopback(url: URL): boolean {
  return url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
}

/** `npm start` writes the dev admin token to .dev.vars; against a local Worker the CLI finds it there. */
function devVarsToken(cwd: string): Token | null {
  const path = resolve(cwd, ".dev.vars");
  if (!existsSync(path)) return null;
  const match = /^ADMIN_TOKEN=(.+)$/m.exec(readFileSync(path, "utf8"));
  const value = match?.[1]?.trim().replace(/^"(.*)"$/, "$1");
  return value ? { value, source: `ADMIN_TOKEN in ${path}` } : null;
}

export function resolveSettings(
  flags: { url?: string; "token-file"?: string },
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): Settings {
  const raw = flags.url ?? env.SEATWATCH_URL;
  const urlSource = flags.url !== undefined ? "--url" : "SEATWATCH_URL";
  if (!raw) {
    throw new UsageError(
      "no Worker URL: set SEATWATCH_URL (or pass --url), e.g. SEATWATCH_URL=https://seatwatch.example.workers.dev; `npm start` serves http://127.0.0.1:8787",
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `${urlSource} ${JSON.stringify(raw)} is not a URL; use e.g. https://seatwatch.example.workers.dev`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`${urlSource} must start with https:// (or http:// for a local Worker); got ${raw}`);
  }
  let admin: Token | null = null;
  if (flags["token-file"] !== undefined) admin = readTokenFile(flags["token-file"]);
  else if (env.SEATWATCH_ADMIN_TOKEN) admin = { value: env.SEATWATCH_ADMIN_TOKEN, source: "SEATWATCH_ADMIN_TOKEN" };
  else if (isLoopback(url)) admin = devVarsToken(cwd);
  const read = env.SEATWATCH_READ_TOKEN ? { value: env.SEATWATCH_READ_TOKEN, source: "SEATWATCH_READ_TOKEN" } : null;
  return { url: url.href.replace(/\/+$/, ""), urlSource, admin, read };
}

export type Auth = "admin" | "read";

export interface Answer<T> {
  status: number;
  body: T;
}

/** The CLI's one way to the Worker. Counts its requests, so `apply` can prove a no-op wrote nothing. */
export class Api {
  reads = 0;
  writes = 0;

  constructor(
    readonly settings: Settings,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Fails before any request when the admin token is needed and nowhere to be found. */
  requireAdmin(command: string): void {
    if (this.settings.admin === null) {
      throw new UsageError(
        `${command} needs the admin token: set SEATWATCH_ADMIN_TOKEN, or pass --token-file FILE (a file holding just the token); it is the Worker's ADMIN_TOKEN secret`,
      );
    }
  }

  async request<T>(
    method: string,
    path: string,
    options: { auth: Auth; body?: unknown; accept?: "json" | "text"; okStatuses?: number[] },
  ): Promise<Answer<T>> {
    const token = options.auth === "admin" ? this.settings.admin : this.settings.read;
    if (options.auth === "admin") this.requireAdmin(`${method} ${path}`);
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token.value}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (method === "GET") this.reads++;
    else this.writes++;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.settings.url}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw this.unreachable(error);
    }
    const text = await res.text();
    if (options.accept === "text") {
      if (res.ok || options.okStatuses?.includes(res.status)) return { status: res.status, body: text as T };
      throw this.refusal(method, path, res, text, options.auth);
    }
    if (res.ok && res.status === 204) return { status: res.status, body: null as T };
    if (res.ok) {
      try {
        return { status: res.status, body: JSON.parse(text) as T };
      } catch {
        throw this.notSeatwatch(res, text);
      }
    }
    throw this.refusal(method, path, res, text, options.auth);
  }

  private unreachable(error: unknown): Unreachable {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    return new Unreachable(
      `cannot reach the Worker at ${this.settings.url} (${this.settings.urlSource}): ${why}`,
      `check ${this.settings.urlSource} and that the Worker is running (npm start, or wrangler deploy)`,
    );
  }

  private notSeatwatch(res: Response, text: string): Unreachable {
    return new Unreachable(
      `${this.settings.url} answered ${res.status} ${res.headers.get("content-type") ?? "(no content type)"}, not seatwatch's JSON: ${text.slice(0, 120).trim()}`,
      `is ${this.settings.urlSource} the Worker's address?`,
      res.status,
    );
  }

  private refusal(method: string, path: string, res: Response, text: string, auth: Auth): Error {
    let error: { code?: string; message?: string; details?: unknown } | undefined;
    try {
      error = (JSON.parse(text) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    if (!error?.code) {
      if (res.status >= 500 || res.status === 404) return this.notSeatwatch(res, text);
      return new ApiRefused(res.status, "http_error", text.slice(0, 200).trim() || res.statusText, null);
    }
    const message = `${method} ${path}: ${res.status} ${error.code}: ${error.message ?? ""}`;
    // A test alert the receiver refused is the Worker's definite answer, not a Worker failure.
    if (res.status >= 500 && error.code !== "delivery_failed") {
      return new Unreachable(
        message,
        "the Worker failed; try again, and see `wrangler tail` if it persists",
        res.status,
      );
    }
    return new ApiRefused(res.status, error.code, message, this.hint(res.status, error.code, auth), error.details);
  }

  private hint(status: number, code: string, auth: Auth): string | null {
    if (status !== 401 || code === "admin_disabled") return null;
    if (auth === "admin") {
      const token = this.settings.admin;
      return `the admin token from ${token?.source} was refused: it must equal the Worker's ADMIN_TOKEN (wrangler secret put ADMIN_TOKEN; ADMIN_TOKEN in .dev.vars locally)`;
    }
    const token = this.settings.read;
    return token
      ? `the read token from ${token.source} was refused: it must equal the Worker's READ_TOKEN`
      : "this Worker gates reads with READ_TOKEN: set SEATWATCH_READ_TOKEN to it";
  }
}
