/**
 * `npm start`: the whole thing on this machine, no Cloudflare account needed.
 * Runs the Worker under `wrangler dev` with state persisted in .wrangler/state, creates a dev
 * admin token in .dev.vars if there is none, and prints where everything is.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { startDevWorker, triggerCron } from "./dev-worker.ts";

const DEV_VARS = ".dev.vars";
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
  console.log(`created ${DEV_VARS} with a new dev ADMIN_TOKEN`);
  return token;
}

async function main(): Promise<void> {
  const token = adminToken();
  console.log(`starting the Worker on http://127.0.0.1:${PORT} (wrangler dev, state in .wrangler/state) …`);
  const worker = await startDevWorker({ port: PORT, persistTo: ".wrangler/state" }).catch((error: Error) => {
    console.error(`could not start the Worker: ${error.message}`);
    console.error(`if port ${PORT} is taken, run PORT=8788 npm start`);
    process.exit(1);
  });
  const u = worker.url;
  console.log(`
seatwatch is running locally.

  status (JSON)   ${u}/v1/status
  status (table)  curl -s '${u}/v1/status?format=text'
  health check    curl -s -i ${u}/v1/check
  hosts           ${u}/v1/hosts

Enroll a host (admin token from ${DEV_VARS}):
  curl -s -X PUT ${u}/v1/hosts/$(hostname | tr A-Z a-z) \\
    -H 'Authorization: Bearer ${token}' -H 'content-type: application/json' \\
    -d '{"publicKey":"whpk_…","minSeats":1}'

Ctrl-C stops everything.`);
  const cron = async () => {
    try {
      await triggerCron(u);
    } catch (error) {
      console.error(`cron: ${(error as Error).message}`);
    }
  };
  await cron();
  const cronTimer = setInterval(cron, CRON_PERIOD_MS);
  const onExit = (code: number | null) => {
    console.error(`wrangler dev exited (${code}); stopping`);
    process.exit(1);
  };
  const shutdown = async () => {
    worker.process.off("exit", onExit);
    clearInterval(cronTimer);
    console.log("\nstopping …");
    await worker.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  worker.process.once("exit", onExit);
}

await main();
