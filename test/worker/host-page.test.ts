/**
 * GET /hosts/:id, the uptime badges and the dashboard's shared fleet cache, through the real fetch
 * handler in workerd with real KV, the real ledger and the real Cache API. Histories are made the
 * way production makes them — signed beats and cron runs — at explicitly driven times.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { renderBadge } from "../../worker/faces/badge-svg.ts";
import { FLEET_CACHE_SECONDS } from "../../worker/faces/fleet-cache.ts";
import { staticAssets } from "../../worker/faces/static-assets.ts";
import { uptimeColor, uptimeStrip, uptimeText } from "../../worker/faces/uptime-face.ts";
import worker from "../../worker/index.ts";
import { beat, cron } from "./alerting.ts";
import { BASE, call, type Enrolled, enroll, expectError } from "./helpers.ts";
import { countingKv } from "./seed.ts";

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
/** Noon, so "today" in the strip is half a day long. */
const NOW = Date.parse("2027-11-30T12:00:00Z");

afterEach(() => {
  vi.useRealTimers();
});

/** Beats at `NOW - ago` for each step: `up` sends 3 seats, `blind` sends 0 (minSeats 1). */
async function history(host: Enrolled, steps: [ago: number, state: "up" | "blind"][]): Promise<void> {
  for (const [ago, state] of steps) {
    vi.setSystemTime(NOW - ago);
    await beat(host, { seats: state === "up" ? 3 : 0 });
  }
}

async function json(path: string) {
  vi.setSystemTime(NOW);
  const res = await call(path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// One history per colour band of DESIGN §5, each over the whole 30-day window, each host beating
// a minute ago so the page's verdict is fresh.
beforeAll(async () => {
  vi.setSystemTime(NOW - 31 * D);
  const hosts = await Promise.all(["hp-bright", "hp-green", "hp-yellow", "hp-red"].map((id) => enroll(id)));
  const [bright, green, yellow, red] = hosts as [Enrolled, Enrolled, Enrolled, Enrolled];
  // 21.6 minutes down in 30 days: 99.95 %.
  await history(bright, [
    [30 * D, "up"],
    [10 * D, "blind"],
    [10 * D - 21.6 * M, "up"],
    [M, "up"],
  ]);
  // 3.6 hours down at the end: 99.50 % over 30 days, 97.85 % over 7, 85 % over the last day.
  await history(green, [
    [30 * D, "up"],
    [3.6 * H, "blind"],
    [M, "blind"],
  ]);
  // 21.6 hours down from the 10th at noon: 97.00 %.
  await history(yellow, [
    [30 * D, "up"],
    [20 * D, "blind"],
    [20 * D - 21.6 * H, "up"],
    [M, "up"],
  ]);
  // Down half the time; silent for most of the last 3 hours (found by the cron), then back.
  await history(red, [
    [30 * D, "up"],
    [15 * D, "blind"],
    [3 * H, "up"],
  ]);
  vi.setSystemTime(NOW - 2 * H);
  await cron(NOW - 2 * H);
  await history(red, [[M, "up"]]);
  await enroll("hp-new");
  vi.setSystemTime(NOW);
});

describe("how uptime reads", () => {
  it("rounds down to hundredths, so the figure never overstates uptime and its colour agrees", () => {
    expect([1, 0.99999, 0.9995, 0.999, 0.99899, 0.99, 0.95, 0.9499, 0].map(uptimeText)).toEqual([
      "100%",
      "99.99%",
      "99.95%",
      "99.90%",
      "99.89%",
      "99.00%",
      "95.00%",
      "94.99%",
      "0.00%",
    ]);
    expect([1, 0.999, 0.99899, 0.99, 0.98999, 0.95, 0.9499, 0].map(uptimeColor)).toEqual([
      "brightgreen",
      "brightgreen",
      "green",
      "green",
      "yellow",
      "yellow",
      "red",
      "red",
    ]);
  });

  it("has no figure and no colour when nothing was monitored", () => {
    expect([uptimeText(null), uptimeColor(null)]).toEqual(["—", "grey"]);
  });

  it("splits the strip into UTC days ending with today so far", () => {
    const strip = uptimeStrip([{ state: "up", since: NOW - 40 * D }], NOW);
    expect(strip).toHaveLength(30);
    expect(new Date(strip[29]?.day ?? 0).toISOString()).toBe("2027-11-30T00:00:00.000Z");
    expect(strip[29]?.uptime.upSeconds).toBe(12 * 3600);
    expect(strip[0]?.uptime.upSeconds).toBe(24 * 3600);
  });
});

describe("uptime badges", () => {
  it("say uptime over 30 days by default, in DESIGN §5's colour bands", async () => {
    const faces: Record<string, unknown> = {};
    for (const id of ["hp-bright", "hp-green", "hp-yellow", "hp-red"]) {
      const { status, body } = await json(`/badge/${id}/uptime.json`);
      expect(status).toBe(200);
      faces[id] = body;
    }
    expect(faces).toEqual({
      "hp-bright": { schemaVersion: 1, label: "uptime", message: "99.95%", color: "brightgreen" },
      "hp-green": { schemaVersion: 1, label: "uptime", message: "99.50%", color: "green" },
      "hp-yellow": { schemaVersion: 1, label: "uptime", message: "97.00%", color: "yellow" },
      // Up 15 d, 5 min before the cron found it silent and the last minute: (15 d + 6 min) / 30 d.
      "hp-red": { schemaVersion: 1, label: "uptime", message: "50.01%", color: "red" },
    });
  });

  it("answer for the period asked: 24h, 7d or 30d", async () => {
    expect((await json("/badge/hp-green/uptime.json?period=24h")).body).toMatchObject({ message: "85.00%" });
    expect((await json("/badge/hp-green/uptime.json?period=7d")).body).toMatchObject({ message: "97.85%" });
    expect((await json("/badge/hp-green/uptime.json?period=30d")).body).toMatchObject({ message: "99.50%" });
  });

  it("show a grey dash for a host that was never monitored, never 100%", async () => {
    expect((await json("/badge/hp-new/uptime.json")).body).toEqual({
      schemaVersion: 1,
      label: "uptime",
      message: "—",
      color: "grey",
    });
  });

  it("draw the SVG with the same badge code as every badge, honouring style and label", async () => {
    vi.setSystemTime(NOW);
    const res = await call("/badge/hp-yellow/uptime.svg?style=for-the-badge&label=availability");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(await res.text()).toBe(
      renderBadge({ label: "availability", message: "97.00%", color: "yellow" }, "for-the-badge"),
    );
  });

  it("revalidate by ETag: an unchanged badge is a 304", async () => {
    vi.setSystemTime(NOW);
    const first = await call("/badge/hp-bright/uptime.svg");
    const tag = first.headers.get("etag");
    expect(tag).toMatch(/^"[0-9a-f]+"$/);
    expect(first.headers.get("cache-control")).toBe("no-cache");
    const again = await call("/badge/hp-bright/uptime.svg", { headers: { "if-none-match": tag ?? "" } });
    expect(again.status).toBe(304);
  });

  it("are a grey unknown badge with 404 for an unknown host or an invalid id", async () => {
    const unknown = await json("/badge/nobody/uptime.json");
    expect(unknown).toEqual({
      status: 404,
      body: { schemaVersion: 1, label: "uptime", message: "unknown", color: "grey" },
    });
    expect((await call("/badge/NOT..VALID/uptime.svg")).status).toBe(404);
  });

  it("refuse an unknown period or file with an error that says what is allowed", async () => {
    const bad = await expectError(await call("/badge/hp-green/uptime.json?period=1y"), 400, "invalid_request");
    expect(bad.message).toContain("24h, 7d, 30d");
    await expectError(await call("/badge/hp-green/downtime.svg"), 404, "not_found");
  });

  it("stay public with READ_TOKEN set, and follow PUBLIC_BADGES=false", async () => {
    vi.setSystemTime(NOW);
    const get = (vars: Record<string, string>) =>
      worker.fetch(new Request(`${BASE}/badge/hp-green/uptime.json`), { ...env, ...vars }, createExecutionContext());
    expect((await get({ READ_TOKEN: "secret" })).status).toBe(200);
    await expectError(await get({ READ_TOKEN: "secret", PUBLIC_BADGES: "false" }), 401, "unauthorized");
  });
});

async function page(id: string): Promise<string> {
  vi.setSystemTime(NOW);
  const res = await call(`/hosts/${id}`);
  expect(res.status).toBe(200);
  return res.text();
}

describe("GET /hosts/:id", () => {
  it("shows the state, since and seats of the host", async () => {
    const html = await page("hp-red");
    expect(html).toContain("<title>seatwatch · hp-red: up</title>");
    expect(html).toMatch(/<section id="state"[^>]*class="host-summary sev-ok"/);
    // The ledger's since: the recovery from silent a minute ago.
    const summary = /<section id="state"[\s\S]*?<\/section>/.exec(html)?.[0] ?? "";
    expect(summary).toContain(`<dt>Since</dt><dd><time datetime="${new Date(NOW - M).toISOString()}"`);
    expect(summary).toContain('<span class="seats">3</span>');
  });

  it("shows uptime over 24 h, 7 d and 30 d as the events API computes it", async () => {
    const html = await page("hp-green");
    const figures = [...html.matchAll(/data-window="(\w+)"><span class="uptime-value">([^<]+)</g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(figures).toEqual([
      ["24h", "85.00%"],
      ["7d", "97.85%"],
      ["30d", "99.50%"],
    ]);
    expect(html).toContain('class="uptime-figure uptime-red" data-window="24h"');
  });

  it("draws 30 UTC days of uptime, each coloured by its band and titled with its figure", async () => {
    const html = await page("hp-yellow");
    const days = [...html.matchAll(/<li class="day uptime-(\w+)" data-day="([\d-]+)" title="([^"]+)"/g)];
    expect(days).toHaveLength(30);
    expect(days[0]?.[2]).toBe("2027-11-01");
    expect(days[29]?.[2]).toBe("2027-11-30");
    // Down from 2027-11-10 12:00 for 21.6 h: half of the 10th and 9.6 h of the 11th.
    const byDay = Object.fromEntries(days.map((m) => [m[2], m[1]]));
    expect(byDay["2027-11-10"]).toBe("red");
    expect(byDay["2027-11-11"]).toBe("red");
    expect(Object.values(byDay).filter((c) => c === "brightgreen")).toHaveLength(28);
    expect(days.find((m) => m[2] === "2027-11-10")?.[3]).toBe("2027-11-10 (UTC): 50.00% · 12h up, 12h down");
  });

  it("lists the transitions newest first, with reason, seats and whether they were announced", async () => {
    const html = await page("hp-red");
    const states = [...html.matchAll(/<li class="transition[^"]*" data-state="(\w+)"/g)].map((m) => m[1]);
    expect(states).toEqual(["up", "silent", "up", "blind", "up"]);
    const timeline = html.slice(html.indexOf('<ol class="timeline">'));
    expect(timeline).toContain("no_beat");
    expect(timeline).toContain("zero_seats");
    expect(timeline).toContain("0 / 1 seats");
    expect(timeline).toContain('<span class="not-announced">not announced</span>');
    expect(timeline).toContain('<span class="announced">announced</span>');
  });

  it("draws the seat history as an SVG chart that needs no script", async () => {
    const html = await page("hp-bright");
    const chart = /<svg class="seat-chart"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
    expect(chart).toContain('role="img"');
    expect(chart.match(/<circle /g)).toHaveLength(4);
    expect(chart).toMatch(/aria-label="seats from [^"]+: between 0 and 3, now 3, minimum 1"/);
  });

  it("says when the beacon sends no seat list, and shows servers, policy and badge snippets", async () => {
    const html = await page("hp-bright");
    expect(html).toContain("sends no seat list");
    expect(html).toContain("/tmp/tmux-1000/default");
    expect(html).toContain('<dt class="mono">graceSeconds</dt><dd>300</dd>');
    expect(html).toContain(
      'value="[![hp-bright uptime](https://seatwatch.test/badge/hp-bright/uptime.svg)](https://seatwatch.test/hosts/hp-bright)"',
    );
    expect(html).toContain('<a href="/">← seatwatch fleet</a>');
  });

  it("refreshes itself every 60 s, or every ?refresh=N, with a meta refresh when scripts are off", async () => {
    expect(await page("hp-green")).toContain('<body data-refresh="60" class="host-page">');
    expect(await page("hp-green?refresh=120")).toContain('data-refresh="120"');
    expect(await page("hp-green?refresh=1")).toContain('<noscript><meta http-equiv="refresh" content="5"/></noscript>');
  });

  it("links every host on the dashboard to its page", async () => {
    vi.setSystemTime(NOW);
    const html = await (await call("/")).text();
    for (const id of ["hp-bright", "hp-green", "hp-yellow", "hp-red", "hp-new"]) {
      expect(html).toContain(`<a class="host-id" href="/hosts/${id}">${id}</a>`);
    }
  });

  it("answers an unknown host with a 404 page that links back to the fleet", async () => {
    vi.setSystemTime(NOW);
    const res = await call("/hosts/nobody-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    const html = await res.text();
    expect(html).toContain('No host <span class="host-id">nobody-here</span> is enrolled here.');
    expect(html).toContain('<a href="/">See every host on the fleet dashboard</a>');
    const invalid = await call("/hosts/Not..Valid");
    expect(invalid.status).toBe(404);
    expect(await invalid.text()).toContain("is invalid: use 1-63 characters");
  });

  it("sends the dashboard's CSP and loads only its own assets", async () => {
    vi.setSystemTime(NOW);
    const res = await call("/hosts/hp-green");
    const dashboard = await call("/");
    expect(res.headers.get("content-security-policy")).toBe(dashboard.headers.get("content-security-policy"));
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect([...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]?.trim())).toEqual(['src="/dashboard.js" defer=""']);
    for (const m of html.matchAll(/\s(?:src|href)="([^"]*)"/g)) expect(m[1]).toMatch(/^\//);
    // The stylesheets and script are files of the asset layer (test/faces/static-assets.test.ts).
    expect(staticAssets()["host.css"]).toContain(".uptime-yellow { --uptime: #d8b800; }");
  });
});

describe("GET /hosts/:id with READ_TOKEN", () => {
  const vars = { ...env, READ_TOKEN: "page-secret" };
  const get = (path: string, headers: Record<string, string> = {}) =>
    worker.fetch(new Request(BASE + path, { headers }), vars, createExecutionContext());

  it("asks for the token before saying whether a host exists", async () => {
    vi.setSystemTime(NOW);
    for (const path of ["/hosts/hp-green", "/hosts/nobody-here"]) {
      const res = await get(path);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="seatwatch", charset="UTF-8"');
      await expectError(res, 401, "unauthorized");
    }
  });

  it("opens with the token as the Basic password", async () => {
    vi.setSystemTime(NOW);
    const ok = await get("/hosts/hp-green", { authorization: `Basic ${btoa("ops:page-secret")}` });
    expect(ok.status).toBe(200);
    expect((await get("/hosts/nobody-here", { authorization: "Bearer page-secret" })).status).toBe(404);
    expect((await get("/hosts/hp-green", { authorization: `Basic ${btoa("ops:wrong")}` })).status).toBe(401);
  });
});

describe("the dashboard's shared fleet cache", () => {
  /** Dashboard loads through the real handler with KV counted; each test its own origin, so its own entry. */
  async function loads(origin: string, times: number[], vars: Record<string, string> = {}) {
    const counted = countingKv(env.SEATWATCH_KV);
    const bindings = { ...env, ...vars, SEATWATCH_KV: counted.kv };
    const statuses: number[] = [];
    for (const at of times) {
      vi.setSystemTime(at);
      const ctx = createExecutionContext();
      const res = await worker.fetch(
        new Request(`${origin}/`, { headers: { authorization: "Bearer page-secret" } }),
        bindings,
        ctx,
      );
      await res.text();
      await waitOnExecutionContext(ctx);
      statuses.push(res.status);
    }
    return { statuses, counts: counted.counts };
  }

  it("serves ten loads within the window with one KV list per prefix", async () => {
    const times = Array.from({ length: 10 }, (_, i) => NOW + i * 1000);
    const { statuses, counts } = await loads("https://cache-a.test", times);
    expect(statuses).toEqual(times.map(() => 200));
    expect(counts.list).toEqual({ "cfg:": 1, "beat:": 1 });
    // The seat histories and the maintenance windows ride along: one bulk read each, not one per load.
    expect(counts.get).toBe(2);
  });

  it("lists again once the window has passed, judging each load at its own time", async () => {
    const window = FLEET_CACHE_SECONDS * 1000;
    const { counts } = await loads("https://cache-b.test", [NOW, NOW + window - 1, NOW + window, NOW + window + 1]);
    expect(counts.list).toEqual({ "cfg:": 2, "beat:": 2 });
  });

  it("keeps one entry per READ_TOKEN, and reads nothing for a viewer without the token", async () => {
    const a = await loads("https://cache-c.test", [NOW, NOW + 1], { READ_TOKEN: "page-secret" });
    expect(a.counts.list).toEqual({ "cfg:": 1, "beat:": 1 });
    const other = await loads("https://cache-c.test", [NOW + 2], { READ_TOKEN: "other-secret" });
    expect(other.statuses).toEqual([401]);
    expect(other.counts.list).toEqual({});
    const publicView = await loads("https://cache-c.test", [NOW + 3]);
    expect(publicView.counts.list).toEqual({ "cfg:": 1, "beat:": 1 });
  });

  it("judges each load at its own time: a cached listing still turns a host silent on time", async () => {
    vi.setSystemTime(NOW);
    await beat(await enroll("hp-cache-silent", { graceSeconds: 30 }));
    const origin = "https://cache-d.test";
    const rowState = async (at: number) => {
      vi.setSystemTime(at);
      const html = await (await worker.fetch(new Request(`${origin}/`), env, createExecutionContext())).text();
      return /id="host-hp-cache-silent" data-state="(\w+)"/.exec(html)?.[1];
    };
    const counted = await loads(origin, [NOW + 20_000]);
    expect(counted.counts.list).toEqual({ "cfg:": 1, "beat:": 1 });
    expect(await rowState(NOW + 29_000)).toBe("up");
    // 31 s after the beat, 11 s into the cached listing's window.
    expect(await rowState(NOW + 31_000)).toBe("silent");
  });
});
