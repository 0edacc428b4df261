/** How a plan reads at the terminal: one line per change, one indented line per field. */
import type { Change, Plan } from "./plan.ts";

const SIGN = { create: "+", update: "~", delete: "-" } as const;

function shown(value: unknown): string {
  // Placeholders ("$CHAT_URL", "(all)") name where a value comes from; they are not the value.
  if (typeof value === "string" && /^[$(]/.test(value)) return value;
  return JSON.stringify(value);
}

function renderChange(change: Change): string[] {
  const head = `${SIGN[change.action]} ${change.kind} ${change.name}${change.action === "update" ? "" : ` (${change.action})`}`;
  const notes = change.notes.length > 0 ? `  [${change.notes.join("; ")}]` : "";
  const lines = [`${head}${notes}`];
  for (const f of change.fields) {
    lines.push(
      change.action === "create"
        ? `    ${f.field}: ${shown(f.to)}`
        : `    ${f.field}: ${shown(f.from)} → ${shown(f.to)}`,
    );
  }
  return lines;
}

export function countActions(plan: Plan): Record<"create" | "update" | "delete", number> {
  const count = { create: 0, update: 0, delete: 0 };
  for (const c of plan.changes) count[c.action]++;
  return count;
}

export function renderPlan(plan: Plan, file: string, url: string): string {
  const lines = [`${file} → ${url}`];
  if (plan.changes.length === 0) lines.push("No changes: the Worker already matches the file.");
  for (const change of plan.changes) lines.push(...renderChange(change));
  if (plan.kept.length > 0) {
    lines.push(
      `  not in the file, kept (--prune deletes them): ${plan.kept.map((k) => `${k.kind} ${k.name}`).join(", ")}`,
    );
  }
  if (plan.changes.length > 0) {
    const n = countActions(plan);
    lines.push(`Plan: ${n.create} to create, ${n.update} to update, ${n.delete} to delete.`);
  }
  return `${lines.join("\n")}\n`;
}
