/**
 * Argument parsing shared by every `seatwatch` command: the common flags (--json, --help, --url,
 * --token-file) and one error type for usage mistakes, so each command's file holds only its own.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

/** A mistake in how the CLI was called or configured: exit 2, and the message says the fix. */
export class UsageError extends Error {}

export const COMMON_OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  url: { type: "string" },
  "token-file": { type: "string" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

export const COMMON_HELP = `  --json                machine output on stdout (errors too: {"error": {code, message}, "hint"})
  --url URL             the Worker (env SEATWATCH_URL)
  --token-file FILE     a file holding the admin token (else env SEATWATCH_ADMIN_TOKEN)
  -h, --help            this help`;

type Options = NonNullable<ParseArgsConfig["options"]>;

type Values<T extends Options> = {
  [K in keyof (typeof COMMON_OPTIONS & T)]?: (typeof COMMON_OPTIONS & T)[K] extends { type: "boolean" }
    ? boolean
    : string;
};

/** Parses `args` against the common options plus `extra`; unknown options and stray values are usage errors. */
export function parseCommand<const T extends Options>(
  command: string,
  args: string[],
  extra: T,
  positionals: { min: number; max: number; names: string } = { min: 0, max: 0, names: "" },
): { values: Values<T>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { ...COMMON_OPTIONS, ...extra }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}; run seatwatch ${command} --help`);
  }
  const values = parsed.values as Values<T>;
  const given = parsed.positionals;
  if (!values.help && (given.length < positionals.min || given.length > positionals.max)) {
    const wanted = positionals.names ? ` ${positionals.names}` : " no arguments";
    throw new UsageError(
      `${command} takes${wanted} (got ${given.length === 0 ? "none" : given.map((g) => JSON.stringify(g)).join(" ")}); run seatwatch ${command} --help`,
    );
  }
  return { values, positionals: given };
}

/**
 * `COMMAND SUBCOMMAND [NAME]` (hosts, webhooks, maintenance): the flags, the subcommand and the
 * name it acts on; `list` takes none. Unchecked with --help, which the caller answers first.
 */
export function parseSubcommand<const T extends Options>(
  command: string,
  args: string[],
  extra: T,
  noun: string,
): { values: Values<T>; sub: string | undefined; name: string | undefined } {
  const { values, positionals } = parseCommand(command, args, extra, {
    min: 0,
    max: 2,
    names: `SUBCOMMAND [${noun}]`,
  });
  const [sub, name] = positionals;
  if (!values.help && sub === "list" && name !== undefined) {
    throw new UsageError(`list takes no ${noun} (got ${JSON.stringify(name)})`);
  }
  return { values, sub, name };
}

/** A comma-separated list flag (`--labels a,b`); empty entries are dropped. */
export function listFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** A whole-number flag, or a usage error naming the flag. */
export function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} takes a whole number (got ${JSON.stringify(value)})`);
  return Number(value);
}

/** A positive number of seconds (fractions allowed), or a usage error naming the flag. */
export function secondsFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} takes a positive number of seconds (got ${JSON.stringify(value)})`);
  return n;
}
