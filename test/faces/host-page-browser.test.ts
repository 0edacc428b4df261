/**
 * Host pages and uptime badges in real headless Chromium against the real Worker under
 * `wrangler dev`, READ_TOKEN set. A month of history cannot be made in real time, so the ledger's
 * SQLite file gets 30 days of transitions and KV the host's config and last beat before the Worker
 * serves (the ledger rows in worker/ledger/schema.ts's shape, the KV records built with
 * worker/fleet/records.ts's own builders). Screenshots land in test-results/.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { makeBadge } from "badge-maker";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SeatEntry } from "../../protocol/activity.ts";
import { DEFAULT_POLICY, type Policy } from "../../protocol/policy.ts";
import { type BeatRecord, beatMeta, type HostConfig, hostMeta } from "../../worker/fleet/records.ts";
import { makeBeat } from "../support/beats.ts";
import { type Browser, launchChromium, openWatched, type Watched } from "../support/chromium.ts";
import { type KvEntry, type LiveWorker, startLiveWorker } from "../support/live-worker.ts";

const RESULTS = resolve(import.meta.dirname, "../../test-results");
const READ_TOKEN = "host-page-token";
const HOSTILE = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;
const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const NOW = Date.now();
const TODAY = Math.floor(NOW / D) * D;

type Step = [since: number, state: string, reason: string | null, alert: 0 | 1];

/**
 * Host `hist`: up from before the 30-day window, then one bad day per colour band. Days are UTC
 * days before today: −20 an hour blind (95.83 %, yellow), −15 ten minutes in error (99.30 %,
 * green), −10 two hours silent (91.66 %, red), −5 paused all day (nothing monitored, grey), −2 five
 * minutes low (99.65 %, green); every other day up (brightgreen).
 */
const HIST: Step[] = [
  [NOW - 31 * D, "up", null, 0],
  [TODAY - 20 * D + H, "blind", "zero_seats", 1],
  [TODAY - 20 * D + 2 * H, "up", null, 1],
  [TODAY - 15 * D + 6 * H, "error", HOSTILE, 1],
  [TODAY - 15 * D + 6 * H + 10 * M, "up", null, 1],
  [TODAY - 10 * D + 12 * H, "silent", "no_beat", 1],
  [TODAY - 10 * D + 14 * H, "up", null, 1],
  [TODAY - 5 * D, "paused", null, 0],
  [TODAY - 4 * D, "up", null, 0],
  [TODAY - 2 * D + 3 * H, "low", "below_min_seats", 1],
  [TODAY - 2 * D + 3 * H + 5 * M, "up", null, 1],
];

/** One host per uptime band over 30 days: up, then down for `down` ms ending an hour ago. */
const BANDS = {
  "u-bright": { down: 30 * M, message: "99.93%", color: "brightgreen" },
  "u-green": { down: 4 * H, message: "99.44%", color: "green" },
  "u-yellow": { down: D, message: "96.66%", color: "yellow" },
  "u-red": { down: 15 * D, message: "50.00%", color: "red" },
} as const;

const sqlText = (v: string | null) => (v === null ? "NULL" : `'${v.replaceAll("'", "''")}'`);

function transitionsSql(host: string, steps: Step[]): string {
  return steps
    .map(([since, state, reason, alert], i) => {
      const previous = i === 0 ? "new" : (steps[i - 1]?.[1] as string);
      const seats = state === "blind" ? 0 : state === "low" ? 1 : 3;
      return `INSERT INTO transitions (id, host, epoch, state, previous, reason, seats, min_seats, last_seen, since, at, labels, alert, queued)
        VALUES (${sqlText(`${host}.${state}.${since}`)}, '${host}', 'epoch-${host}', '${state}', '${previous}', ${sqlText(reason)}, ${seats}, 2, ${since}, ${since}, ${since}, '[]', ${alert}, 1);`;
    })
    .join("\n");
}

function ledgerSql(): string {
  const last = HIST[HIST.length - 1] as Step;
  const bands = Object.entries(BANDS).map(([id, { down }]) =>
    transitionsSql(id, [
      [NOW - 31 * D, "up", null, 0],
      [NOW - H - down, "blind", "zero_seats", 1],
      [NOW - H, "up", null, 1],
    ]),
  );
  // The announced state the ledger keeps per host: where the page's `since` comes from.
  const hostRow = `INSERT INTO hosts (id, epoch, state, reason, since, last_seen, at, seats, min_seats, labels, alert_after, repeat_every, announced, transition_id, reminders)
    VALUES ('hist', 'epoch-hist', 'up', NULL, ${last[0]}, ${NOW}, ${NOW}, 3, 2, '[]', 0, 21600, 'up', 'hist.up.${last[0]}', 0);`;
  return [transitionsSql("hist", HIST), ...bands, hostRow].join("\n");
}

function config(id: string, policy: Partial<Policy> = {}): KvEntry {
  const createdAt = new Date(NOW - 32 * D).toISOString();
  const host: HostConfig = {
    id,
    policy: { ...DEFAULT_POLICY, minSeats: 2, ...policy },
    epoch: `epoch-${id}`,
    createdAt,
    updatedAt: createdAt,
  };
  return { key: `cfg:${id}`, value: JSON.stringify(host), metadata: hostMeta(host) };
}

/** `hist`'s last beat: three seats listed (one with a hostile session name), a slow clock, a cloned image. */
const SKEW_MS = 45_000;
const WAITING_SINCE = NOW - SKEW_MS - 12 * M;

function kvSeed(): KvEntry[] {
  const since = (HIST[HIST.length - 1] as Step)[0];
  const seatList: SeatEntry[] = [
    { pane: "%3", session: HOSTILE, window: 1, command: "claude", state: "waiting", since: WAITING_SINCE, via: "hook" },
    {
      pane: "%4",
      session: "review",
      window: 0,
      command: "claude",
      state: "quiet",
      since: NOW - SKEW_MS - H,
      via: "none",
    },
    {
      pane: "%7",
      session: "build",
      window: 2,
      command: "node",
      state: "working",
      since: NOW - SKEW_MS - M,
      via: "cpu",
    },
  ];
  const record: BeatRecord = {
    epoch: "epoch-hist",
    beat: makeBeat({ host: "hist", ts: NOW - SKEW_MS, seats: 3, instance: "inst-b", seatList }),
    lastSeen: NOW,
    clockOffsetMs: SKEW_MS,
    state: "up",
    reason: null,
    since,
    history: Array.from({ length: 12 }, (_, i): [number, number] => [NOW - (11 - i) * 5 * M, [2, 3, 4, 3][i % 4] ?? 3]),
    instances: ["inst-a", "inst-b", "inst-a", "inst-b"],
    duplicateAt: NOW - 10 * M,
  };
  return [
    // A long grace: a slow machine may take minutes to reach the last test, and the page must still say up.
    config("hist", { graceSeconds: 86_400, labels: ["gpu", HOSTILE] }),
    { key: "beat:hist", value: JSON.stringify(record), metadata: beatMeta(record) },
    ...Object.keys(BANDS).map((id) => config(id)),
    config("u-none"),
  ];
}

let worker: LiveWorker;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  worker = await startLiveWorker({ vars: { READ_TOKEN }, seed: kvSeed(), ledgerSql: ledgerSql() });
  browser = await launchChromium();
  context = await browser.newContext({ httpCredentials: { username: "ops", password: READ_TOKEN } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

/** A page that records console errors and CSP violations, and a first answer other than 200. */
async function open(ctx: BrowserContext, path: string): Promise<Watched> {
  const watched = await openWatched(ctx, worker.url + path);
  if (watched.status !== 200) watched.problems.push(`status ${watched.status}`);
  return watched;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const rgb = (hex: string) => {
  const full = hex.length === 4 ? [...hex.slice(1)].map((c) => c + c).join("") : hex.slice(1);
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
};

describe("host page in Chromium", () => {
  it("shows uptime over 24 h, 7 d and 30 d from the ledger's transitions", async () => {
    const { page, problems } = await open(context, "/hosts/hist");
    const figures = await page.$$eval(".uptime-figure", (items) =>
      items.map((li) => [li.getAttribute("data-window"), li.querySelector(".uptime-value")?.textContent]),
    );
    // 30 d: 195 minutes not up of 29 monitored days (the paused day counts neither way).
    expect(figures).toEqual([
      ["24h", "100%"],
      ["7d", "99.94%"],
      ["30d", "99.53%"],
    ]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("colours the 30-day strip by each day's band, and titles every day", async () => {
    const { page } = await open(context, "/hosts/hist");
    const cells = await page.$$eval(".strip .day", (days) =>
      days.map((d) => [d.getAttribute("data-day"), getComputedStyle(d).backgroundColor, d.getAttribute("title")]),
    );
    expect(cells).toHaveLength(30);
    const colour = Object.fromEntries(cells.map(([day, bg]) => [day, bg]));
    expect(colour[dayOf(TODAY - 20 * D)]).toBe(rgb("#d8b800"));
    expect(colour[dayOf(TODAY - 15 * D)]).toBe(rgb("#67ac09"));
    expect(colour[dayOf(TODAY - 10 * D)]).toBe(rgb("#dd4343"));
    expect(colour[dayOf(TODAY - 2 * D)]).toBe(rgb("#67ac09"));
    // Nothing monitored: the neutral line colour of the light scheme, not a band.
    expect(colour[dayOf(TODAY - 5 * D)]).toBe(rgb("#e1e4e8"));
    const others = cells.filter(([day]) => ![20, 15, 10, 5, 2].some((n) => day === dayOf(TODAY - n * D)));
    expect(new Set(others.map(([, bg]) => bg))).toEqual(new Set([rgb("#4b0")]));
    const title = (n: number) => cells.find(([day]) => day === dayOf(TODAY - n * D))?.[2];
    expect(title(20)).toBe(`${dayOf(TODAY - 20 * D)} (UTC): 95.83% · 23h up, 1h down`);
    expect(title(5)).toBe(`${dayOf(TODAY - 5 * D)} (UTC): — · 1d paused`);
    await page.close();
  });

  it("lists the transitions newest first, saying which were announced", async () => {
    const { page } = await open(context, "/hosts/hist");
    const states = await page.$$eval("li.transition", (items) => items.map((li) => li.getAttribute("data-state")));
    // The first `up` began before the 30-day window: uptime counts it, the timeline does not list it.
    expect(states).toEqual(["up", "low", "up", "paused", "up", "silent", "up", "error", "up", "blind"]);
    const paused = await page.textContent("li.transition[data-state=paused]");
    expect(paused).toContain("not announced");
    expect(await page.textContent("li.transition[data-state=blind]")).toMatch(/zero_seats[\s\S]*0 \/ 2 seats/);
    await page.close();
  });

  it("shows each seat with its state and how long, and the warnings", async () => {
    const { page } = await open(context, "/hosts/hist");
    const seats = await page.$$eval("tr.seat", (rows) =>
      rows.map((r) => [
        r.querySelector(".seat-state")?.textContent,
        r.querySelector("td[data-label=For]")?.textContent,
      ]),
    );
    expect(seats.map(([state]) => state)).toEqual(["waiting", "quiet", "working"]);
    // The beacon's clock is 45 s behind: its times are moved onto the Worker's before "how long",
    // counted to the moment the page was rendered.
    const rendered = Date.parse((await page.getAttribute("#updated time", "datetime")) ?? "");
    const waited = Math.floor((rendered - (WAITING_SINCE + SKEW_MS)) / M);
    expect(seats[0]?.[1]).toMatch(new RegExp(`^${waited}m since `));
    expect(await page.$$eval(".warning", (w) => w.map((e) => e.getAttribute("data-warning")))).toEqual([
      "clock_skew",
      "duplicate_beacon",
    ]);
    await page.close();
  });

  it("renders hostile labels, reasons and session names as text and runs none of them", async () => {
    const { page, problems } = await open(context, "/hosts/hist");
    expect(await page.textContent("tr.seat-waiting th")).toBe(`${HOSTILE}:1`);
    expect(await page.textContent("li.transition[data-state=error] .reason")).toBe(HOSTILE);
    expect(await page.$$eval("h1 .tag", (tags) => tags.map((t) => t.textContent))).toEqual(["gpu", HOSTILE]);
    expect(await page.$$("tr.seat-waiting th *, li.transition .reason *, h1 .tag *")).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("draws the seat history chart and loads its badges without a CSP violation", async () => {
    const { page, problems } = await open(context, "/hosts/hist");
    expect(await page.$$("svg.seat-chart circle")).toHaveLength(12);
    expect((await page.locator("svg.seat-chart").boundingBox())?.width).toBeGreaterThan(300);
    await page.click("details.badges summary");
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>(".snippet img")).every((i) => i.complete),
    );
    const widths = await page.$$eval(".snippet img", (imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    expect(widths).toHaveLength(2);
    for (const width of widths) expect(width).toBeGreaterThan(40);
    await page.setViewportSize({ width: 1100, height: 1600 });
    await page.screenshot({ path: join(RESULTS, "host-page-desktop.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows times in the viewer's zone, UTC in the title: Asia/Kolkata is +05:30", async () => {
    const kolkata = await browser.newContext({
      timezoneId: "Asia/Kolkata",
      httpCredentials: { username: "ops", password: READ_TOKEN },
    });
    const { page } = await open(kolkata, "/hosts/hist");
    const since = (HIST[HIST.length - 1] as Step)[0];
    const local = `${new Date(since + 5.5 * H).toISOString().replace("T", " ").slice(0, 19)} +05:30`;
    const utc = `${new Date(since).toISOString().replace("T", " ").slice(0, 19)} UTC`;
    const time = page.locator("#state dd time").first();
    expect(await time.textContent()).toBe(local);
    expect(await time.getAttribute("title")).toBe(utc);
    // A relative time keeps its words and gains the local time in its title.
    expect(await page.getAttribute("#state time:not([data-local])", "title")).toMatch(/ \+05:30 \(.* UTC\)$/);
    await kolkata.close();
  });

  it("reads without JavaScript: every time in UTC, the chart and strip drawn by the server", async () => {
    const noScript = await browser.newContext({
      javaScriptEnabled: false,
      timezoneId: "Asia/Kolkata",
      httpCredentials: { username: "ops", password: READ_TOKEN },
    });
    const { page } = await open(noScript, "/hosts/hist");
    const times = await page.$$eval("time[data-local]", (els) => els.map((e) => e.textContent));
    expect(times.length).toBeGreaterThan(10);
    for (const t of times) expect(t).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(await page.isVisible("svg.seat-chart")).toBe(true);
    expect(await page.$$(".strip .day")).toHaveLength(30);
    expect(await page.textContent(".uptime-figure[data-window='30d'] .uptime-value")).toBe("99.53%");
    await noScript.close();
  });

  it("fits a phone screen without sideways scrolling", async () => {
    const phone = await browser.newContext({
      viewport: { width: 375, height: 812 },
      deviceScaleFactor: 2,
      isMobile: true,
      httpCredentials: { username: "ops", password: READ_TOKEN },
    });
    const { page } = await open(phone, "/hosts/hist");
    await page.click("details.badges summary");
    await page.click("details.chart-numbers summary");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(await page.isVisible(".strip")).toBe(true);
    await page.screenshot({ path: join(RESULTS, "host-page-phone.png"), fullPage: true });
    await phone.close();
  });

  it("refreshes in place, keeping a section the reader opened open", async () => {
    const { page, problems } = await open(context, "/hosts/hist?refresh=5");
    await page.click("details.chart-numbers summary");
    const first = await page.getAttribute("#updated time", "datetime");
    await page.waitForFunction(
      (before) => document.querySelector("#updated time")?.getAttribute("datetime") !== before,
      first,
      { timeout: 30_000 },
    );
    expect(await page.$eval("details.chart-numbers", (d) => (d as HTMLDetailsElement).open)).toBe(true);
    // The swapped-in times are local again, not the server's UTC.
    expect(await page.textContent("#updated time")).toMatch(/ [+-]\d\d:\d\d$/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("is linked from the dashboard, and links back to it", async () => {
    const { page, problems } = await open(context, "/");
    await page.click("#host-hist a.host-id");
    await page.waitForURL(`${worker.url}/hosts/hist`);
    expect(await page.textContent("h1 .host-id")).toBe("hist");
    await page.click("nav.crumbs a");
    await page.waitForURL(`${worker.url}/`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("answers an unknown host with a 404 page, not a blank one", async () => {
    const page = await context.newPage();
    const res = await page.goto(`${worker.url}/hosts/nobody`);
    expect(res?.status()).toBe(404);
    expect(await page.textContent("h1")).toBe("No such host");
    expect(await page.getAttribute("main a", "href")).toBe("/");
    await page.close();
  });
});

describe("uptime badges against badge-maker", () => {
  it("draw each colour band byte for byte as shields.io's renderer does, in every style", async () => {
    for (const [id, { message, color }] of Object.entries(BANDS)) {
      for (const style of ["flat", "flat-square", "for-the-badge"] as const) {
        const res = await worker.fetch(`/badge/${id}/uptime.svg?style=${style}`);
        expect(res.status, id).toBe(200);
        expect(await res.text(), `${id} ${style}`).toBe(makeBadge({ label: "uptime", message, color, style }));
      }
    }
  });

  it("draw a grey dash for a host never monitored, and a grey unknown badge with 404", async () => {
    const none = await worker.fetch("/badge/u-none/uptime.svg");
    expect(await none.text()).toBe(makeBadge({ label: "uptime", message: "—", color: "grey" }));
    const unknown = await worker.fetch("/badge/nobody/uptime.svg?period=24h");
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe(makeBadge({ label: "uptime", message: "unknown", color: "grey" }));
  });

  it("stay public under READ_TOKEN, like the other badges", async () => {
    const res = await worker.fetch("/badge/u-green/uptime.json?period=30d");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ schemaVersion: 1, label: "uptime", message: "99.44%", color: "green" });
  });
});
