/** Reading the fleet file named by -f (or stdin for `-`), shared by apply and its tests. */
import { readFileSync } from "node:fs";
import { UsageError } from "../args.ts";
import { type FleetFile, readFleet } from "../fleet/file.ts";
import type { FileError } from "../fleet/spec.ts";
import type { Io } from "../output.ts";

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export async function loadFleetFile(
  path: string | undefined,
  io: Io,
): Promise<{ ok: true; file: FleetFile } | { ok: false; errors: FileError[] }> {
  if (path === undefined) throw new UsageError("apply needs -f FILE: the fleet file (YAML or JSON; - reads stdin)");
  let text: string;
  if (path === "-") text = await readAll(io.stdin);
  else {
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new UsageError(`-f ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
  }
  return readFleet(path === "-" ? "(stdin)" : path, text);
}
