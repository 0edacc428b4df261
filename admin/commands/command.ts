/** What every `seatwatch` command is to the dispatcher in cli.ts: a summary line and a runner. */
import type { Io } from "../output.ts";

export interface Command {
  summary: string;
  run(args: string[], io: Io): Promise<number>;
}
