/**
 * The dashboard in real headless Chromium against the real Worker under `wrangler dev`, with
 * READ_TOKEN set so every page goes through HTTP Basic auth as a browser user's would.
 * Screenshots land in test-results/ for a human to look at.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../protocol/policy.ts";
import { type BeatRecord, beatMeta, type HostConfig, hostMeta } from "../../worker/fleet/records.ts";
import { makeActivityBeat, makeBeat, makeSeat } from "../support/beats.ts";
import { type Browser, launchChromium, openWatched, type Watched } from "../support/chromium.ts";
import { type Host, type LiveWorker, startLiveWorker } from "../support/live-worker.ts";

const RESULTS = resolve(import.meta.dirname, "../../test-results");
const READ_TOKEN = "browser-read-token";
const HOSTILE = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;
/**
 * A host whose stored reason is markup. The beat path only accepts snake_case reasons, so this
 * is written to KV directly, in the Worker's own record shapes and metadata builders
 * (worker/fleet/records.ts): the dashboard must stay safe whatever storage holds.
 */
function hostileSeed(now: number) {
  const createdAt = new Date(now - 3_600_000).toISOString();
  const config: HostConfig = { id: "evil", policy: DEFAULT_POLICY, epoch: "seeded", createdAt, updatedAt: createdAt };
  const record: BeatRecord = {
    epoch: config.epoch,
    beat: makeBeat({ host: "evil", ts: now, seats: 0, idle: 0, commands: {}, observed: "error", reason: HOSTILE }),
    lastSeen: now,
    clockOffsetMs: 0,
    state: "error",
    reason: HOSTILE,
    since: now,
    history: [
      [now - 60_000, 2],
      [now, 0],
    ],
  };
  return [
    { key: "cfg:evil", value: JSON.stringify(config), metadata: hostMeta(config) },
    { key: "beat:evil", value: JSON.stringify(record), metadata: beatMeta(record) },
  ];
}

let worker: LiveWorker;
let browser: Browser;
let context: BrowserContext;
let webUp: Host;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  worker = await startLiveWorker({ vars: { READ_TOKEN }, seed: hostileSeed(Date.now()) });
  webUp = await worker.enroll("web-up", { minSeats: 2, labels: ["prod"] });
  const low = await worker.enroll("web-low", { minSeats: 5 });
  const blind = await worker.enroll("web-blind");
  const error = await worker.enroll("web-error");
  await worker.enroll("web-new");
  await worker.enroll("web-paused", { paused: true });
  // Beats at least a second apart per host (KV's write rate), so web-up gets a history.
  for (const seats of [2, 4, 3]) {
    expect((await worker.beat(webUp, { seats })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1_100));
  }
  await worker.beat(low, { seats: 3 });
  await worker.beat(blind, { seats: 0, idle: 2, commands: { bash: 2 } });
  await worker.beat(error, { seats: 0, idle: 0, commands: {}, observed: "error", reason: "no_server" });
  const waiting = await worker.enroll("web-waiting");
  const now = Date.now();
  const { seats, activity, seatList } = makeActivityBeat([
    makeSeat({
      pane: "%1",
      session: HOSTILE.slice(0, 64),
      window: 3,
      state: "waiting",
      since: now - 1_200_000,
      via: "hook",
    }),
    makeSeat({
      pane: "%2",
      session: "agents-with-a-long-session-name-on-a-phone",
      window: 12,
      state: "waiting",
      since: now - 960_000,
      via: "hook",
    }),
    makeSeat({ pane: "%3", state: "working", since: now - 1_000 }),
  ]);
  expect((await worker.beat(waiting, { ts: now, seats, activity, seatList })).status).toBe(202);

  browser = await launchChromium();
  context = await browser.newContext({ httpCredentials: { username: "ops", password: READ_TOKEN } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

function open(ctx: BrowserContext, path: string): Promise<Watched> {
  return openWatched(ctx, worker.url + path);
}

describe("dashboard in Chromium", () => {
  it("shows a row per host with its state in words", async () => {
    const { page, problems } = await open(context, "/");
    const states = await page.$$eval("tr.host", (rows) =>
      rows.map((r) => [r.id.replace("host-", ""), r.querySelector(".state")?.textContent]),
    );
    expect(Object.fromEntries(states)).toEqual({
      evil: "error",
      "web-blind": "blind",
      "web-error": "error",
      "web-low": "low",
      "web-up": "up",
      "web-waiting": "waiting",
      "web-new": "new",
      "web-paused": "paused",
    });
    expect(await page.textContent("#host-web-up .seats")).toBe("3");
    expect(await page.textContent("#host-web-low td.num")).toContain("3 / 5");
    // The viewer's local time on hover, with UTC beside it.
    expect(await page.getAttribute("#host-web-up time", "title")).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$/,
    );
    // evil, web-blind and web-error are down out of six watched (new and paused are not watched).
    expect(await page.title()).toBe("seatwatch · 3/6 down");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("draws the seat history as a sparkline", async () => {
    const { page } = await open(context, "/");
    const points = await page.getAttribute("#host-web-up svg.spark polyline", "points");
    expect(points?.split(" ")).toHaveLength(3);
    const box = await page.locator("#host-web-up svg.spark").boundingBox();
    expect(box?.width).toBe(120);
    await page.close();
  });

  it("shows a hostile reason as text and runs none of it", async () => {
    const { page, problems } = await open(context, "/");
    expect(await page.textContent("#host-evil .reason")).toBe(HOSTILE);
    expect(await page.$$("#host-evil .reason *")).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows seats at work and which seats wait, with hostile session names as text", async () => {
    const { page, problems } = await open(context, "/");
    expect(await page.textContent("#host-web-waiting .work")).toBe("1 working · 2 waiting · 0 quiet");
    const waits = await page.$$eval("#host-web-waiting .waits li", (items) => items.map((li) => li.textContent));
    expect(waits).toEqual([`${HOSTILE.slice(0, 32)}:3 waiting 20m`, "agents-with-a-long-session-name-:12 waiting 16m"]);
    expect(await page.$$("#host-web-waiting .waits code *")).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("makes paused and new look different from down", async () => {
    const { page } = await open(context, "/");
    const look = (id: string) =>
      page.$eval(`#host-${id} .state`, (el) => {
        const s = getComputedStyle(el);
        return { background: s.backgroundColor, border: s.borderTopStyle };
      });
    const down = await look("web-blind");
    const paused = await look("web-paused");
    const fresh = await look("web-new");
    expect(down.background).not.toBe("rgba(0, 0, 0, 0)");
    expect(paused).toEqual({ background: "rgba(0, 0, 0, 0)", border: "dotted" });
    expect(fresh).toEqual({ background: "rgba(0, 0, 0, 0)", border: "dashed" });
    await page.close();
  });

  it("refreshes in place: a new beat shows up without a page load", async () => {
    const { page, problems, navigations } = await open(context, "/?refresh=5");
    await page.evaluate(() => {
      (window as unknown as { __marker: number }).__marker = 42;
    });
    expect((await worker.beat(webUp, { seats: 7 })).status).toBe(202);
    // Tabs share one fleet listing for FLEET_CACHE_SECONDS (15 s): the beat shows within that plus a refresh.
    await page.waitForFunction(() => document.querySelector("#host-web-up .seats")?.textContent === "7", undefined, {
      timeout: 40_000,
    });
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
    expect(navigations()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("reloads itself by meta refresh when JavaScript is off", async () => {
    const noJs = await browser.newContext({
      javaScriptEnabled: false,
      httpCredentials: { username: "ops", password: READ_TOKEN },
    });
    const { page, navigations } = await open(noJs, "/?refresh=5");
    // The refresh is due after 5 s; on a loaded machine the reload itself can take a while longer (20 s once ran out).
    for (let waited = 0; navigations() < 2 && waited < 45_000; waited += 250) await page.waitForTimeout(250);
    expect(navigations()).toBeGreaterThanOrEqual(2);
    await noJs.close();
  }, 60_000);

  it("asks for the read token: without it the browser gets a Basic challenge", async () => {
    const anonymous = await browser.newContext();
    const res = await anonymous.request.get(`${worker.url}/`);
    expect(res.status()).toBe(401);
    expect(res.headers()["www-authenticate"]).toBe('Basic realm="seatwatch", charset="UTF-8"');
    // A headed browser would prompt; headless Chromium, with no one to ask, fails the navigation
    // as an auth failure rather than showing the page.
    const page = await anonymous.newPage();
    await expect(page.goto(`${worker.url}/`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await anonymous.close();
  });

  it("shows badge snippets whose images load (badges stay public under READ_TOKEN)", async () => {
    const { page } = await open(context, "/");
    await page.click("details.badges summary");
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>(".snippet img")).every((i) => i.complete),
    );
    const widths = await page.$$eval(".snippet img", (imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    expect(widths).toHaveLength(9);
    for (const width of widths) expect(width).toBeGreaterThan(40);
    expect(await page.inputValue("#md-web-up")).toBe(
      `[![seatwatch web-up](${worker.url}/badge/web-up.svg)](${worker.url}/)`,
    );
    await page.setViewportSize({ width: 1100, height: 1400 });
    await page.screenshot({ path: join(RESULTS, "dashboard-desktop.png"), fullPage: true });
    await page.close();
  });

  it("fits a phone screen without sideways scrolling", async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      httpCredentials: { username: "ops", password: READ_TOKEN },
    });
    const { page } = await open(phone, "/");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.isVisible("thead")).toBe(false);
    expect(await page.isVisible("#host-web-up .state")).toBe(true);
    await page.screenshot({ path: join(RESULTS, "dashboard-phone.png"), fullPage: true });
    await phone.close();
  });
});

describe("badges in Chromium's XML parser", () => {
  it("parse as well-formed SVG for every state, style and a hostile label", async () => {
    const { page } = await open(context, "/");
    const paths: string[] = [];
    for (const id of [
      "fleet",
      "web-up",
      "web-low",
      "web-blind",
      "web-error",
      "web-new",
      "web-paused",
      "evil",
      "nobody",
    ]) {
      for (const style of ["flat", "flat-square", "for-the-badge"]) paths.push(`/badge/${id}.svg?style=${style}`);
    }
    paths.push(`/badge/web-up.svg?label=${encodeURIComponent(`<x y="1">&amp;'"]]>`)}`);
    for (const path of paths) {
      const svg = await (await worker.fetch(path)).text();
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, "image/svg+xml");
        const error = doc.querySelector("parsererror");
        return error ? `parse error: ${error.textContent}` : doc.documentElement.getAttribute("aria-label");
      }, svg);
      expect(parsed, path).not.toMatch(/^parse error/);
      expect(parsed, path).toBeTruthy();
    }
    const hostile = await (await worker.fetch(paths[paths.length - 1] ?? "")).text();
    const label = await page.evaluate(
      (text) => new DOMParser().parseFromString(text, "image/svg+xml").querySelector("title")?.textContent,
      hostile,
    );
    expect(label).toMatch(/^<x y="1">&amp;'"\]\]>: \d+ up$/);
    await page.close();
  });
});
