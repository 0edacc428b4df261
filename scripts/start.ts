/**
 * `npm start`: the whole thing on this machine, no Cloudflare account needed.
 * Runs the Worker under `wrangler dev` (state persisted in .wrangler/state), fires its cron every
 * minute (wrangler dev never does), creates a dev admin token and a host key if absent, enrolls
 * this machine, and runs the beacon against this machine's tmux. Ctrl-C stops all of it; a second
 * `npm start` reuses the same token, key and state.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Beat } from "../protocol/beat.ts";
import { describeHostIdProblem, hostIdProblem } from "../protocol/host.ts";
import { privateKeyFromPem, publicKeyOf } from "../protocol/keys.ts";
import { shortDuration } from "../protocol/time.ts";
import { startDevWorker, triggerCron } from "./dev-worker.ts";

const ROOT = resolve(import.meta.dirname, "..");
const DEV_VARS = join(ROOT, ".dev.vars");
const KEY = join(ROOT, ".seatwatch", "key.pem");
const BEACON = join(ROOT, "beacon", "cli.ts");
const PORT = Number(process.env.PORT ?? 8787);
/** wrangler.toml's cron runs every minute; wrangler dev never fires it, so npm start does. */
const CRON_PERIOD_MS = 60_000;

function adminToken(): string {
  const existing = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : "";
  const match = /^ADMIN_TOKEN=(.+)$/m.exec(existing);
  if (match?.[1]) return match[1].trim();
  const token = `dev_${randomBytes(24).toString("base64url")}`;
  writeFileSync(DEV_VARS, `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}ADMIN_TOKEN=${token}\n`, {
    mode: 0o600,
  });
  console.log(`created .dev.vars with a new dev ADMIN_TOKEN`);
  return token;
}

/** Runs a beacon command and returns its stdout; throws with its stderr. */
function beaconCli(args: string[]): string {
  try {
    return execFileSync(process.execPath, ["--import", "tsx", BEACON, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    }).toString();
  } catch (error) {
    const e = error as { status: number; stdout?: Buffer; stderr?: Buffer };
    throw Object.assign(new Error((e.stderr?.toString() || e.stdout?.toString() || "").trim()), { status: e.status });
  }
}

function thisHost(): string {
  const id = process.env.SEATWATCH_HOST ?? hostname().toLowerCase();
  const problem = hostIdProblem(id);
  if (problem) {
    console.error(`this machine's host id: ${describeHostIdProblem(id, problem)}`);
    console.error("set SEATWATCH_HOST=<id> and run npm start again");
    process.exit(2);
  }
  return id;
}

function ensureKey(): void {
  if (existsSync(KEY)) return;
  beaconCli(["keygen", "--key", KEY]);
  console.log(`created this machine's beacon key ${KEY}`);
}

/** Enrolls with a one-time token the first time (the real flow); afterwards re-registers our key. */
async function enrollThisMachine(url: string, token: string, id: string): Promise<void> {
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const existing = await fetch(`${url}/v1/hosts/${id}`);
  await existing.arrayBuffer();
  if (existing.status === 404) {
    const issued = await fetch(`${url}/v1/hosts/${id}/enrollment`, { method: "POST", headers: auth, body: "{}" });
    const { token: enrollment } = (await issued.json()) as { token: string };
    beaconCli(["enroll", "--token", enrollment, "--url", url, "--key", KEY, "--host", id]);
    console.log(`enrolled this machine as ${id}`);
    return;
  }
  // Already enrolled (a second npm start): register our key again, in case .seatwatch/ was reset.
  const publicKey = await publicKeyOf(await privateKeyFromPem(readFileSync(KEY, "utf8")));
  const res = await fetch(`${url}/v1/hosts/${id}`, {
    method: "PATCH",
    headers: auth,
    body: JSON.stringify({ publicKey }),
  });
  if (!res.ok) throw new Error(`re-registering ${id}'s key: ${res.status} ${await res.text()}`);
}

/** What the beacon would see right now, said plainly when it is nothing. */
function describeTmux(id: string): void {
  let beat: Pick<Beat, "observed" | "reason" | "seats" | "idle" | "activity" | "seatList">;
  try {
    beat = JSON.parse(beaconCli(["once", "--dry-run", "--json", "--host", id]));
  } catch (error) {
    const text = (error as Error).message;
    beat = text.startsWith("{") ? JSON.parse(text) : { observed: "error", reason: "unknown", seats: 0, idle: 0 };
  }
  if (beat.observed === "ok") {
    console.log(`the beacon sees ${beat.seats} seat(s) and ${beat.idle} idle shell pane(s) in this machine's tmux`);
    describeActivity(beat);
    return;
  }
  if (beat.reason === "no_server") {
    console.log(
      "no tmux server is running for this user, so the beacon reports error/no_server — which is the truth.\n" +
        "Start one with an agent in it, e.g.  tmux new -d -s agents 'your-agent-command'  and it turns up within a minute.",
    );
    return;
  }
  console.log(`the beacon cannot observe tmux here (${beat.reason}); run  npm run -s beacon -- doctor  for the fix`);
}

/** What the seats are doing (DESIGN §3a), who waits, and the one command that makes Claude Code's waits visible. */
function describeActivity({ activity, seatList }: Pick<Beat, "activity" | "seatList">): void {
  if (activity === undefined) return;
  console.log(`  ${activity.working} working, ${activity.waiting} waiting for a person, ${activity.quiet} quiet`);
  for (const seat of seatList ?? []) {
    if (seat.state !== "waiting") continue;
    const waited = shortDuration(Date.now() - seat.since);
    console.log(
      `  waiting: ${seat.session}:${seat.window} (${seat.command}) for ${waited}${seat.why ? `, ${seat.why}` : ""}`,
    );
  }
  if (!activity.marks && (seatList ?? []).some((seat) => /claude/i.test(seat.command))) {
    console.log(
      "  Claude Code runs here without seatwatch's hooks, so its permission prompts are invisible; install them:\n" +
        "    npm run -s beacon -- hooks claude --install",
    );
  }
}

function startBeacon(url: string, id: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", BEACON, "run", "--url", url, "--key", KEY, "--host", id], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "pipe"],
    env: { ...process.env, RUNTIME_DIRECTORY: join(ROOT, ".seatwatch") },
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) =>
    console.log(`[beacon] ${line}`),
  );
  return child;
}

async function main(): Promise<void> {
  const token = adminToken();
  const id = thisHost();
  console.log(`starting the Worker on http://127.0.0.1:${PORT} (wrangler dev, state in .wrangler/state) …`);
  const worker = await startDevWorker({ port: PORT, persistTo: join(ROOT, ".wrangler/state") }).catch(
    (error: Error) => {
      console.error(`could not start the Worker: ${error.message}`);
      console.error(`if port ${PORT} is taken, run PORT=8788 npm start`);
      process.exit(1);
    },
  );
  const u = worker.url;
  const cron = async () => {
    try {
      await triggerCron(u);
    } catch (error) {
      console.error(`cron: ${(error as Error).message}`);
    }
  };
  await cron();
  const cronTimer = setInterval(cron, CRON_PERIOD_MS);

  let beacon: ChildProcess | null = null;
  try {
    ensureKey();
    await enrollThisMachine(u, token, id);
    describeTmux(id);
    beacon = startBeacon(u, id);
  } catch (error) {
    console.error(`could not start this machine's beacon: ${(error as Error).message}`);
  }

  console.log(`
seatwatch is running locally (this machine is host ${id}).

  dashboard       ${u}/
  status          curl -s '${u}/v1/status?format=text'
  health check    curl -s -i ${u}/v1/check
  badge           ${u}/badge/${id}.svg
  metrics         ${u}/metrics
  admin token     in .dev.vars (Authorization: Bearer …)

Ctrl-C stops everything.`);

  const onExit = (code: number | null) => {
    console.error(`wrangler dev exited (${code}); stopping`);
    beacon?.kill("SIGTERM");
    process.exit(1);
  };
  const shutdown = async () => {
    worker.process.off("exit", onExit);
    clearInterval(cronTimer);
    console.log("\nstopping …");
    if (beacon && beacon.exitCode === null) {
      const gone = new Promise((r) => beacon?.once("exit", r));
      beacon.kill("SIGTERM");
      await gone;
    }
    await worker.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  worker.process.once("exit", onExit);
}

await main();
