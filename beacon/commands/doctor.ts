/** `doctor` (DESIGN §3): the checklist, rendered with ✓/✗ and each fix, or the report as JSON. */
import { hostId, OBSERVE_HELP, OBSERVE_OPTIONS, observeConfig, WORKER_OPTIONS } from "../config.ts";
import { type DoctorReport, runDoctor } from "../doctor.ts";
import { EXIT, UsageError } from "../exit.ts";
import { command } from "./command.ts";

export const doctor = command({
  name: "doctor",
  help: `usage: seatwatch-beacon doctor [--json] [options]

Checks every tmux binary (PATH and known places), every running tmux server and the binary
that started it, what the beacon's PATH and a systemd unit's default PATH would reach, idle
panes whose agent has exited, and every seat's activity (working, waiting, quiet) with its evidence
— CPU over 1 s, window output, marks — and whether Claude Code seats run without seatwatch's hooks.
Each problem is marked ✗ with its fix.

${OBSERVE_HELP}
  --config FILE         the JSON settings file \`run\` uses, so doctor checks what the daemon does

Exit codes:
  0  every check passed
  1  the beacon would be blind: it sees zero seats or cannot observe
  2  usage or configuration error
  3  the beacon sees seats, but at least one check failed (✗)
`,
  // The same settings as `run` (incl. --config), so doctor checks what the daemon will do.
  options: { ...OBSERVE_OPTIONS, config: WORKER_OPTIONS.config },
  async run({ settings, json, env }) {
    const values = settings();
    const config = observeConfig(values, env);
    let hostProblem: string | undefined;
    try {
      hostId(values.host, env);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      hostProblem = error.message;
    }
    const report = await runDoctor({
      mode: config.mode,
      rule: config.rule,
      activity: config.activity,
      hostProblem,
      env,
    });
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
    if (report.blind) return EXIT.failed;
    return report.checks.every((check) => check.ok) ? EXIT.ok : EXIT.problems;
  },
});

function renderDoctor(report: DoctorReport): string {
  const lines: string[] = [];
  lines.push(`tmux binaries (PATH and known places):`);
  for (const b of report.binaries) {
    lines.push(`  ${b.path}${b.realpath !== b.path ? ` → ${b.realpath}` : ""}  ${b.version ?? "(-V failed)"}`);
  }
  if (report.binaries.length === 0) lines.push("  none found");
  lines.push("tmux servers:");
  for (const s of report.servers) {
    const state = s.skipped
      ? "skipped (outside scope)"
      : s.error
        ? `✗ ${s.error.reason}`
        : `${s.panes} panes, ${s.dead} dead`;
    lines.push(
      `  pid ${s.pid}  user ${s.user ?? "?"}  ${s.socket || "(socket hidden)"}  ${s.exe || "(binary hidden)"}  ${s.version || "?"}  ${state}`,
    );
  }
  if (report.servers.length === 0) lines.push("  none running");
  for (const p of report.paths) lines.push(`PATH (${p.name}): ${p.path}\n  tmux → ${p.tmux ?? "none"}`);
  lines.push(
    `${report.mode} mode: observed ${report.observed}${report.reason ? ` (${report.reason})` : ""}, ${report.seats} seats, ${report.idle} idle, ${report.dead} dead`,
  );
  lines.push("checks:");
  for (const c of report.checks) {
    lines.push(`${c.ok ? "✓" : "✗"} ${c.title}`);
    if (c.detail) lines.push(`    ${c.detail}`);
    if (c.fix) lines.push(...c.fix.split("\n").map((line, i) => `    ${i === 0 ? "fix: " : "     "}${line}`));
  }
  return `${lines.join("\n")}\n`;
}
