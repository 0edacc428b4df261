/** `seatwatch export`: the running fleet as a file that `apply` accepts unchanged (DESIGN §9). */
import { writeFileSync } from "node:fs";
import { COMMON_HELP, parseCommand } from "../args.ts";
import { Api, resolveSettings } from "../client.ts";
import { EXIT, EXIT_HELP } from "../exit.ts";
import { exportFleet, fleetYaml } from "../fleet/export.ts";
import { readRunning } from "../fleet/remote.ts";
import type { Command } from "./command.ts";

const HELP = `usage: seatwatch export [-o FILE] [--json]

Writes the running fleet as a fleet file (YAML; --json: JSON) that seatwatch apply accepts unchanged:
\`seatwatch export | seatwatch apply -f - --dry-run\` says "No changes". Policies list only what
differs from the defaults. What the Worker never shows is named, not written: a webhook URL with
hidden parts becomes urlEnv: SEATWATCH_WEBHOOK_<NAME>_URL, a receiver's secret credentials
routingKeyEnv, tokenEnv, userEnv: SEATWATCH_WEBHOOK_<NAME>_ROUTING_KEY, _TOKEN, _USER (a telegram
chatId is written as it is); signing secrets are left out (without secretEnv, apply keeps the
secret the Worker has).
Needs the admin token (webhook listings); maintenance windows only if the Worker has them.

  -o, --output FILE     write to FILE instead of stdout
${COMMON_HELP}

${EXIT_HELP}
`;

export const exportCommand: Command = {
  summary: "write the running fleet as a fleet file that apply accepts",
  async run(args, io) {
    const { values } = parseCommand("export", args, { output: { type: "string", short: "o" } });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    const api = new Api(resolveSettings(values, io.env));
    api.requireAdmin("export");
    const doc = exportFleet(await readRunning(api));
    const text = values.json ? `${JSON.stringify(doc, null, 2)}\n` : fleetYaml(doc);
    if (values.output !== undefined) {
      writeFileSync(values.output, text);
      io.stderr.write(`seatwatch: wrote the fleet to ${values.output}\n`);
    } else io.stdout.write(text);
    return EXIT.ok;
  },
};
