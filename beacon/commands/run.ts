/** `run` (DESIGN §3): the daemon, until SIGTERM or SIGINT; its log goes to stderr, or JSON events to stdout. */
import {
  hostId,
  OBSERVE_HELP,
  OBSERVE_OPTIONS,
  observeConfig,
  RUN_OPTIONS,
  runIntervals,
  WORKER_HELP,
  WORKER_OPTIONS,
} from "../config.ts";
import { type DaemonEvent, runDaemon } from "../daemon.ts";
import { EXIT } from "../exit.ts";
import { healthPath } from "../health.ts";
import { WorkerClient } from "../push.ts";
import { newIdentity, sampleActivity } from "../sample.ts";
import { createTmuxObserver } from "../tmux/observer.ts";
import { command, workerSettings } from "./command.ts";

export const run = command({
  name: "run",
  help: `usage: seatwatch-beacon run [options]

The daemon. Samples every --sample seconds; pushes a state change (observed or reason changing,
seats reaching or leaving zero, seats crossing the Worker's minSeats) once --confirm consecutive
samples show it, and so a sample that changes the verdict the beacon predicts from its seats'
activity and the policy of the last 202 (a wait the Worker has not heard of passing maxWaitSeconds,
one it holds ending); pushes other seat-count changes at most once a minute; every other activity
change waits for the keep-alive, pushed every --keepalive seconds. Each push and each retry is a fresh sample, freshly signed. Failed pushes are
retried with exponential backoff and jitter (1 s … 60 s, Retry-After honoured); it never exits
because of the Worker. HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured.
After every sample it writes a health file atomically: $RUNTIME_DIRECTORY/health.json, else
$XDG_RUNTIME_DIR/seatwatch/health.json, else /run/seatwatch/health.json.
SIGTERM or SIGINT: the push in flight finishes, then it exits 0.

${OBSERVE_HELP}
${WORKER_HELP}
  --sample SECONDS      sample interval (default 15)
  --confirm N           samples a state change must hold before it is pushed (default 2)
  --keepalive SECONDS   push at least this often (default 120)
  --json                one JSON event per line on stdout (samples and pushes) instead of the log on stderr

Exit codes:
  0  stopped by SIGTERM or SIGINT
  2  usage or configuration error, or a key file that is refused (the message says the fix)
  70 internal error (systemd restarts it)
`,
  options: { ...OBSERVE_OPTIONS, ...WORKER_OPTIONS, ...RUN_OPTIONS },
  async run({ settings, json, env }) {
    const values = settings();
    const config = observeConfig(values, env);
    const identity = newIdentity(hostId(values.host, env));
    const intervals = runIntervals(values);
    const { url, key } = await workerSettings(values, env);
    const health = healthPath(env);
    const client = new WorkerClient(url, key.privateKey, { env });
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    const log = (line: string) => process.stderr.write(`seatwatch-beacon: ${line}\n`);
    if (!json) {
      log(
        `run: host ${identity.host} → ${url}, sample ${intervals.sampleMs / 1000} s, confirm ${intervals.confirm}, keep-alive ${intervals.keepaliveMs / 1000} s, key ${key.path} (${key.publicKey}), health file ${health}`,
      );
    }
    await runDaemon({
      observer: createTmuxObserver(config.mode),
      rule: config.rule,
      activity: sampleActivity(config.activity, env),
      identity,
      client,
      publicKey: key.publicKey,
      sampleMs: intervals.sampleMs,
      pacing: { confirm: intervals.confirm, keepaliveMs: intervals.keepaliveMs },
      healthPath: health,
      signal: controller.signal,
      onEvent: json ? (event) => process.stdout.write(`${JSON.stringify(event)}\n`) : logEvent(log),
    });
    await client.close();
    if (!json) log("stopped");
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    return EXIT.ok;
  },
});

/** The journal gets what an operator acts on: state pushes, failures, recoveries; routine keep-alives stay quiet. */
function logEvent(log: (line: string) => void): (event: DaemonEvent) => void {
  return (event) => {
    if (event.event === "health_error") {
      log(`cannot write the health file ${event.path}: ${event.message}`);
      return;
    }
    if (event.event !== "push") return;
    const { result } = event;
    const what = `push seq ${event.seq} (${event.cause}${event.attempt > 1 ? `, attempt ${event.attempt}` : ""})`;
    if (result.kind === "accepted") {
      if (event.cause !== "keepalive" || event.attempt > 1) {
        log(`${what}: accepted, state ${result.state}${result.reason ? ` (${result.reason})` : ""}`);
      }
      return;
    }
    const retry = event.retryAt === null ? "" : `; retrying in ${((event.retryAt - event.at) / 1000).toFixed(1)} s`;
    if (result.kind === "refused") {
      log(`${what}: refused ${result.status} ${result.code}: ${result.message} — ${result.explanation}${retry}`);
    } else {
      log(`${what}: ${result.message}${retry}`);
    }
  };
}
