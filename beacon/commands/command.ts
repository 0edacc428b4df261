/**
 * What every command shares (DESIGN §3): flags parsed strictly, `--help` and `--json` on every
 * command, settings from flags, then env, then `--config FILE`, and exit codes scripts can rely on.
 * A command file holds only its own help text, handler and renderer.
 */
import { keyPath, parseCommandArgs, withConfigFile, workerUrl } from "../config.ts";
import { EXIT } from "../exit.ts";
import { type BeaconKey, defaultKeyPath, loadKeyFile } from "../keyfile.ts";

type Options = Record<string, { type: "string" | "boolean"; short?: string }>;

/** Every command takes these; each help text lists them in its own words. */
const COMMON_OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags<O extends Options> = ReturnType<typeof parseCommandArgs<O & typeof COMMON_OPTIONS>>;

export interface Invocation<O extends Options> {
  /** The flags exactly as given (unit passes these on to run). */
  flags: Flags<O>;
  /** Flags, then env vars, then `--config FILE`; read on demand, so a command may answer without the file. */
  settings(): Flags<O>;
  json: boolean;
  env: NodeJS.ProcessEnv;
  /** The words before the first flag, for a command that declares `operands` (`hooks claude`). */
  operands: string[];
}

export interface Command<O extends Options = Options> {
  name: string;
  /** The whole `--help` text, exit codes included. */
  help: string;
  options: O;
  /** How many leading words (not flags) the command takes, e.g. 1 for `hooks claude`; none when absent. */
  operands?: number;
  run(invocation: Invocation<O>): Promise<number>;
}

/** Names the option types once, so each command file can declare `options` without repeating its type. */
export function command<const O extends Options>(definition: Command<O>): Command<O> {
  return definition;
}

export async function runCommand<O extends Options>(
  definition: Command<O>,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const options = { ...definition.options, ...COMMON_OPTIONS };
  const operands: string[] = [];
  for (const arg of args.slice(0, definition.operands ?? 0)) {
    if (arg.startsWith("-")) break;
    operands.push(arg);
  }
  const flags = parseCommandArgs(definition.name, args.slice(operands.length), options);
  const common: Record<string, string | boolean | undefined> = flags;
  if (common.help === true) {
    process.stdout.write(definition.help);
    return EXIT.ok;
  }
  return definition.run({
    flags,
    settings: () => withConfigFile(flags, options, env),
    json: common.json === true,
    env,
    operands,
  });
}

/** The Worker URL and the checked key: what once, run, enroll and unit need. */
export async function workerSettings(
  values: { url?: string; key?: string },
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; key: BeaconKey }> {
  const url = workerUrl(values.url, env);
  const key = await loadKeyFile(keyPath(values.key, env, defaultKeyPath(env)));
  return { url, key };
}
