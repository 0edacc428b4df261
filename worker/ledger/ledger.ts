/**
 * The ledger (DESIGN §6): one SQLite-backed Durable Object, the only place that decides
 * "announced yet?". KV is eventually consistent and has no compare-and-set, so the beat path and
 * the cron hand their verdicts here. What to announce, hold back or remind of is decided by the
 * pure core (announce.ts); this class stores, claims and sends what it decides. Each observation is
 * applied synchronously (no await between reading and writing a host's row), so two overlapping
 * cron runs, or a cron and a beat, can never announce one transition twice. A transition is
 * recorded before anything is sent; deliveries wait in the outbox (outbox.ts) until a 2xx.
 */
import { DurableObject } from "cloudflare:workers";
import type { State } from "../../protocol/verdict.ts";
import { renderRequest, type SendResult, send } from "../alerts/delivery.ts";
import { flappingEvent, reminderEvent, testEvent, transitionEvent } from "../alerts/event.ts";
import type { WebhookInput } from "../alerts/webhooks.ts";
import type { Bindings } from "../env.ts";
import type { MaintenanceWindow, NamedWindow } from "../fleet/maintenance.ts";
import { writeWindows } from "../fleet/maintenance-store.ts";
import type { TokenBurn } from "../fleet/token-book.ts";
import { applyObservation, type Decision, releaseHold, remind, reminderRoute, withLabels } from "./announce.ts";
import { MaintenanceWindows } from "./maintenance.ts";
import { type CronRun, type Monitor, type MonitorRecord, monitorView } from "./monitor.ts";
import type { Observation } from "./observation.ts";
import { Outbox } from "./outbox.ts";
import { HostRecords, type LedgerHostState } from "./records.ts";
import { WebhookRegistry, type WebhookView } from "./registry.ts";
import { type Announced, hears, messagesFor } from "./routing.ts";
import { migrate } from "./schema.ts";
import { EnrollmentTokens } from "./tokens.ts";
import { Tombstones } from "./tombstones.ts";
import { type HostTransition, Transitions } from "./transitions.ts";

/** KV's one write a second per key, with room. */
const MIRROR_RETRY_MS = 2_000;

export class Ledger extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;
  private readonly hosts: HostRecords;
  private readonly transitions: Transitions;
  private readonly outbox: Outbox;
  private readonly webhooks: WebhookRegistry;
  private readonly maintenance: MaintenanceWindows;
  private readonly tokens: EnrollmentTokens;
  private readonly tombstones: Tombstones;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    migrate(ctx.storage);
    this.sql = ctx.storage.sql;
    this.hosts = new HostRecords(this.sql);
    this.transitions = new Transitions(this.sql);
    this.outbox = new Outbox(this.sql);
    this.webhooks = new WebhookRegistry(this.sql, this.outbox);
    this.maintenance = new MaintenanceWindows(this.sql);
    this.tokens = new EnrollmentTokens(this.sql);
    this.tombstones = new Tombstones(this.sql);
  }

  // ---- enrollment tokens ------------------------------------------------------------------------

  issueToken(host: string, hash: string, expiresAt: number, now: number): void {
    this.tokens.issue(host, hash, expiresAt, now);
  }

  /** One synchronous step, so of N concurrent uses of one token exactly one is `burned`. */
  burnToken(host: string, hash: string, now: number): TokenBurn {
    return this.tokens.burn(host, hash, now);
  }

  // ---- verdicts in ----------------------------------------------------------------------------

  /**
   * Applies verdicts. From the beat path (`run` null) announcements are queued at once; from a
   * cron run they wait for `recordRun`, which can fold a storm into one summary per webhook.
   */
  async observe(observations: Observation[], run: number | null): Promise<{ changed: number; announced: number }> {
    const now = Date.now();
    let changed = 0;
    const announced: string[] = [];
    for (const obs of observations) {
      if (this.tombstones.buries(obs.host, obs.epoch)) continue;
      const decision = applyObservation(this.hosts.get(obs.host), obs);
      if (decision === null) continue;
      changed++;
      const id = this.commit(decision, run);
      if (id !== null) announced.push(id);
    }
    if (run === null) this.flush(announced, now);
    await this.scheduleAlarm();
    return { changed, announced: announced.length };
  }

  /**
   * A deleted host: drop its row so no reminder or `alertAfter` hold fires for it, its history
   * with what it had yet to announce or deliver, and its enrollment token, and keep a tombstone of
   * the deleted epoch for a while, so a beat still in flight (or accepted from a stale edge cache)
   * cannot bring it back. A re-created host has a new epoch and starts afresh.
   */
  async forget(id: string, epoch: string): Promise<void> {
    this.hosts.delete(id);
    this.outbox.dropPending(id, this.transitions.drop(id));
    this.tokens.drop(id);
    this.tombstones.put(id, epoch, Date.now());
    await this.scheduleAlarm();
  }

  /** Stores a decision, the transition before the host's row; returns the id of what it announces. */
  private commit({ host, transition, announce }: Decision, run: number | null): string | null {
    if (transition) this.transitions.record(transition, host.epoch, host.labels, run);
    if (announce) this.transitions.announce(announce.id, announce.at, announce.states, announce.as);
    this.hosts.put(host);
    if (transition) this.transitions.cap(host.host);
    return announce?.id ?? null;
  }

  // ---- the cron's heartbeat -------------------------------------------------------------------

  /**
   * Records a finished cron run and queues what it announced (one summary per webhook in a storm).
   * `labels` are the current labels of the hosts the run found alerting, read from their config:
   * reminders and recoveries then reach the labels a host has now, not those of its last change.
   */
  async recordRun(run: CronRun, labels: Record<string, string[]> = {}): Promise<{ alertsQueued: number }> {
    for (const known of this.hosts.only(Object.keys(labels))) {
      const updated = withLabels(known, labels[known.host] ?? known.labels);
      if (updated) this.hosts.put(updated);
    }
    const alertsQueued = this.flush(this.transitions.unqueuedUpTo(run.at), run.at);
    // Once a minute is often enough to keep storage bounded; a prune with nothing to drop writes no row.
    this.transitions.prune(run.at);
    this.tombstones.prune(Date.now());
    const { at, ...counts } = run;
    const record: MonitorRecord = { ...counts, lastCronAt: at, alertsQueued };
    this.setMeta("monitor", JSON.stringify(record));
    await this.scheduleAlarm();
    return { alertsQueued };
  }

  handoffCursor(): string | null {
    return this.monitorRecord()?.cursor ?? null;
  }

  private monitorRecord(): MonitorRecord | null {
    const raw = this.meta("monitor");
    return raw === null ? null : (JSON.parse(raw) as MonitorRecord);
  }

  monitor(now: number): Monitor {
    return monitorView(this.monitorRecord(), this.outbox.undeliveredCount(), now);
  }

  /**
   * What the read API needs from the ledger in one request: the monitor and each host's state and
   * since (only `only`'s, for one host's pages).
   */
  status(now: number, only?: string): { monitor: Monitor; hosts: Record<string, LedgerHostState> } {
    return { monitor: this.monitor(now), hosts: this.hosts.states(only) };
  }

  history(
    host: string,
    epoch: string,
    from: number,
    limit: number,
  ): { transitions: HostTransition[]; changes: { state: State; since: number }[] } {
    return this.transitions.history(host, epoch, from, limit);
  }

  // ---- the alarm: holds, reminders, deliveries -------------------------------------------------

  /** Queues the announced transitions `ids` for every matching webhook; returns messages queued. */
  private flush(ids: readonly string[], now: number): number {
    if (ids.length === 0) return 0;
    const origin = this.meta("origin") ?? "";
    const announced: Announced[] = this.transitions
      .claim(ids)
      // A deleted host announces nothing, whatever was left recorded when it was deleted.
      .filter(({ transition, epoch }) => !this.tombstones.buries(transition.host, epoch))
      .map(({ transition, labels, states, as }) => ({
        event: as === "flapping" ? flappingEvent(transition, origin) : transitionEvent(transition, origin),
        // Routed by the labels the host has now (a held alert may be released long after it was recorded).
        route: { labels: this.hosts.get(transition.host)?.labels ?? labels, states },
      }));
    let queued = 0;
    for (const hook of this.webhooks.all()) {
      for (const event of messagesFor(hook, announced, now, origin)) {
        if (this.outbox.enqueue(hook.name, event, now)) queued++;
      }
    }
    return queued;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    if (this.meta("maintenance_mirror") !== null) await this.mirrorMaintenance();
    // One flush: holds falling due and a crashed run's transitions are one storm, summarised once.
    this.flush([...this.releaseHolds(now), ...this.transitions.orphans(now)], now);
    this.queueReminders(now);
    await this.outbox.deliver((name) => this.webhooks.get(name));
    await this.scheduleAlarm();
  }

  private releaseHolds(now: number): string[] {
    const ids: string[] = [];
    for (const held of this.hosts.heldUntil(now)) {
      const id = this.commit(releaseHold(held, now), null);
      if (id !== null) ids.push(id);
    }
    return ids;
  }

  private queueReminders(now: number): void {
    const origin = this.meta("origin") ?? "";
    const hooks = this.webhooks.all();
    for (const due of this.hosts.remindersDue(now)) {
      const { host, reminder } = remind(due, now);
      const t = reminder === null || host.transitionId === null ? null : this.transitions.get(host.transitionId);
      if (reminder !== null && t) {
        const event = reminderEvent(t, reminder, now, origin);
        const route = reminderRoute(host);
        for (const hook of hooks) if (hears(hook, route)) this.outbox.enqueue(hook.name, event, now);
      }
      this.hosts.put(host);
    }
  }

  /** The alarm fires at the earliest of: a due delivery, an `alertAfter` hold, a reminder, an orphaned run. */
  private async scheduleAlarm(): Promise<void> {
    const mirror = this.meta("maintenance_mirror");
    const due = [
      this.outbox.nextDue(),
      this.hosts.nextDue(),
      this.transitions.orphansDueAt(),
      mirror === null ? null : Number(mirror),
    ].filter((t) => t !== null);
    const next = due.length === 0 ? null : Math.min(...due);
    const current = await this.ctx.storage.getAlarm();
    if (next === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current === null || current > next) {
      await this.ctx.storage.setAlarm(next);
    }
  }

  // ---- webhooks -------------------------------------------------------------------------------

  listWebhooks(): WebhookView[] {
    return this.webhooks.list();
  }

  /** Alert links point back at `origin`, the address the admin used. */
  putWebhook(
    name: string,
    input: WebhookInput,
    origin: string,
    now: number,
  ): { webhook: WebhookView; created: boolean; secret?: string } {
    const result = this.webhooks.put(name, input, now);
    this.setMeta("origin", origin);
    return result;
  }

  async deleteWebhook(name: string): Promise<boolean> {
    const existed = this.webhooks.delete(name);
    await this.scheduleAlarm();
    return existed;
  }

  /** Sends a `test` event straight away, outside the outbox: a failed test is not an undelivered alert. */
  async testWebhook(name: string, origin: string, now: number): Promise<SendResult | null> {
    const hook = this.webhooks.get(name);
    if (!hook) return null;
    return send(await renderRequest(hook, testEvent(name, now, origin), now));
  }

  // ---- maintenance windows ------------------------------------------------------------------

  listMaintenance(): NamedWindow[] {
    return this.maintenance.all();
  }

  async putMaintenance(name: string, window: MaintenanceWindow, now: number): Promise<{ created: boolean }> {
    const created = this.maintenance.put(name, window, now);
    await this.mirrorMaintenance();
    return { created };
  }

  async deleteMaintenance(name: string): Promise<boolean> {
    const existed = this.maintenance.delete(name);
    if (existed) await this.mirrorMaintenance();
    return existed;
  }

  /**
   * Writes the whole set to KV. KV takes one write a second per key, so a burst of changes (an
   * `apply` of several windows) may be refused: the alarm then writes the set as it is by then.
   */
  private async mirrorMaintenance(): Promise<void> {
    try {
      await writeWindows(this.env.SEATWATCH_KV, this.maintenance.all());
      this.sql.exec("DELETE FROM meta WHERE key = 'maintenance_mirror'");
    } catch (err) {
      console.error(JSON.stringify({ ledger: "maintenance mirror failed, retrying", error: String(err) }));
      this.setMeta("maintenance_mirror", String(Date.now() + MIRROR_RETRY_MS));
    }
    await this.scheduleAlarm();
  }

  // ---- small key-value state ------------------------------------------------------------------

  private meta(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}

/** There is one ledger for the whole fleet: all announcements serialise through it. */
export function ledgerStub(env: Pick<Bindings, "LEDGER">): DurableObjectStub<Ledger> {
  return env.LEDGER.getByName("ledger");
}
