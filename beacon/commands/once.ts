/** `once` (DESIGN §3): one sample, one push, the Worker's verdict; `--dry-run` prints the beat instead. */
import { validateBeat } from "../../protocol/beat.ts";
import { hostId, OBSERVE_HELP, OBSERVE_OPTIONS, observeConfig, WORKER_HELP, WORKER_OPTIONS } from "../config.ts";
import { EXIT } from "../exit.ts";
import { ClockWatch, type PushResult, pushBeat, WorkerClient } from "../push.ts";
import { newIdentity, type Sample, sampleActivity, takeSample } from "../sample.ts";
import { createTmuxObserver } from "../tmux/observer.ts";
import { command, workerSettings } from "./command.ts";

export const once = command({
  name: "once",
  help: `usage: seatwatch-beacon once [--dry-run] [--json] [options]

Takes one sample of every tmux server in scope, signs it, pushes it to the Worker once (no retry)
and prints the Worker's verdict (--json: {accepted, status, state, reason, minSeats, error,
explanation, beat}). With --dry-run it pushes nothing and prints the beat it would send
(--json: the beat alone); --dry-run needs no URL and no key. Each seat's activity is judged
from its process tree's CPU measured over 1 s (once has no earlier sample), its window's output
and its marks, so a once takes about a second longer than the tmux query.

${OBSERVE_HELP}
${WORKER_HELP}
  --dry-run             print the beat instead of pushing it

Exit codes:
  0  the Worker accepted the beat (whatever state it derived from it)
     --dry-run: the beat says observed "ok" (every server in scope answered; seats may be 0)
  1  the Worker refused the beat (its error code and an explanation are printed)
     --dry-run: the beat says observed "error" (its reason says why); the beat is still printed
  2  usage or configuration error, or a key file that is refused (the message says the fix)
  3  the Worker could not be reached, did not answer in time, or failed (5xx): try again
`,
  options: { ...OBSERVE_OPTIONS, ...WORKER_OPTIONS, "dry-run": { type: "boolean" } },
  async run({ settings, json, env }) {
    const values = settings();
    const config = observeConfig(values, env);
    const identity = newIdentity(hostId(values.host, env));
    const worker = values["dry-run"] ? null : await workerSettings(values, env);
    const activity = sampleActivity(config.activity, env);
    const sample = await takeSample(createTmuxObserver(config.mode), config.rule, identity, 0, activity);
    const checked = validateBeat(sample.beat);
    if (!checked.ok) {
      // A beat the Worker would refuse is a beacon bug; say so rather than print it as if it were fine.
      throw new Error(`built an invalid beat: ${checked.errors.map((e) => e.message).join("; ")}`);
    }
    if (worker === null) {
      process.stdout.write(json ? `${JSON.stringify(sample.beat)}\n` : renderSample(sample));
      return sample.beat.observed === "ok" ? EXIT.ok : EXIT.failed;
    }
    const client = new WorkerClient(worker.url, worker.key.privateKey, { env });
    const result = await pushBeat(client, sample.beat, {
      host: identity.host,
      publicKey: worker.key.publicKey,
      clock: new ClockWatch(),
    });
    await client.close();
    if (json) {
      process.stdout.write(`${JSON.stringify({ ...verdictJson(result), beat: sample.beat })}\n`);
    } else {
      process.stdout.write(`${renderSample(sample)}${renderPush(identity.host, result)}\n`);
    }
    if (result.kind === "accepted") return EXIT.ok;
    return result.kind === "refused" && result.status < 500 ? EXIT.failed : EXIT.problems;
  },
});

function verdictJson(result: PushResult) {
  switch (result.kind) {
    case "accepted":
      return {
        accepted: true,
        status: result.status,
        state: result.state,
        reason: result.reason,
        minSeats: result.minSeats,
      };
    case "refused":
      return {
        accepted: false,
        status: result.status,
        error: { code: result.code, message: result.message },
        explanation: result.explanation,
      };
    case "unreachable":
      return { accepted: false, status: null, error: { code: "unreachable", message: result.message } };
  }
}

function renderPush(host: string, result: PushResult): string {
  switch (result.kind) {
    case "accepted":
      return `accepted: host ${host} is ${result.state}${result.reason ? ` (${result.reason})` : ""} (minSeats ${result.minSeats})`;
    case "refused":
      return `refused: ${result.status} ${result.code}: ${result.message}\n  ${result.explanation}`;
    case "unreachable":
      return `not delivered: ${result.message}`;
  }
}

function renderSample({ beat, observation, count }: Sample): string {
  const lines = [
    `host ${beat.host}: observed ${beat.observed}${beat.reason ? ` (${beat.reason})` : ""}, ${beat.seats} seats, ${beat.idle} idle, ${count.dead} dead`,
  ];
  for (const server of observation.servers) {
    const state = server.skipped
      ? "skipped"
      : server.error
        ? `✗ ${server.error.reason}`
        : `${server.panes.length} panes`;
    lines.push(
      `  server pid ${server.pid} ${server.socket || "(socket hidden)"} ${server.exe} ${server.version}: ${state}`,
    );
  }
  if (observation.error) lines.push(`✗ ${observation.error.message}`);
  for (const pane of count.deadPanes) {
    lines.push(`  dead pane ${pane.id} (session ${pane.session}) exited ${pane.deadStatus ?? "with unknown status"}`);
  }
  lines.push(`commands: ${JSON.stringify(beat.commands)}`, "beat:", JSON.stringify(beat, null, 2));
  return `${lines.join("\n")}\n`;
}
