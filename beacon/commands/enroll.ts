/** `enroll --token T` (DESIGN §5): registers the host's public key; prints the policy it got. */
import { hostId, WORKER_HELP, WORKER_OPTIONS } from "../config.ts";
import { enroll as enrollHost } from "../enroll.ts";
import { EXIT, UsageError } from "../exit.ts";
import { WorkerClient } from "../push.ts";
import { command, workerSettings } from "./command.ts";

export const enroll = command({
  name: "enroll",
  help: `usage: seatwatch-beacon enroll --token TOKEN [options]

Registers this host's public key with the Worker, using a one-time enrollment token the admin
issued for this host (POST /v1/hosts/<host>/enrollment). The request is signed with the key being
registered. The admin token is never needed here, and never accepted.

  --token TOKEN         the enrollment token (swe_…)
  --host ID             host id (env SEATWATCH_HOST; default: the hostname, lower-cased)
${WORKER_HELP}
  --json                print the Worker's answer as JSON
  -h, --help            this help

Exit codes:
  0  enrolled; the host's policy is printed
  1  refused: invalid_token (unknown, expired, other host), token_used, key_registered, … (explained)
  2  usage or configuration error, or a key file that is refused
  3  the Worker could not be reached, did not answer in time, or failed (5xx): try again
`,
  options: { ...WORKER_OPTIONS, token: { type: "string" }, host: { type: "string" } },
  async run({ settings, json, env }) {
    const values = settings();
    if (!values.token) {
      throw new UsageError(
        "enroll needs --token TOKEN: a one-time enrollment token the admin issues for this host (POST /v1/hosts/<host>/enrollment)",
      );
    }
    const host = hostId(values.host, env);
    const { url, key } = await workerSettings(values, env);
    const client = new WorkerClient(url, key.privateKey, { env });
    const result = await enrollHost(client, { host, publicKey: key.publicKey, token: values.token });
    await client.close();
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else if (result.kind === "enrolled") {
      process.stdout.write(
        `enrolled host ${result.host} with ${key.publicKey}\npolicy: ${JSON.stringify(result.policy)}\nnext: seatwatch-beacon once (a first beat), then install the unit (seatwatch-beacon unit --help)\n`,
      );
    } else if (result.kind === "refused") {
      process.stderr.write(
        `seatwatch-beacon: enroll refused: ${result.status} ${result.code}: ${result.message}\n  ${result.explanation}\n`,
      );
    } else {
      process.stderr.write(`seatwatch-beacon: enroll not delivered: ${result.message}\n`);
    }
    if (result.kind === "enrolled") return EXIT.ok;
    return result.kind === "refused" && result.status < 500 ? EXIT.failed : EXIT.problems;
  },
});
