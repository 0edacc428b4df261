import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_POLICY } from "../../protocol/policy.ts";
import { Dashboard } from "../../worker/faces/dashboard.tsx";
import { hostView } from "../../worker/fleet/view.ts";
import worker from "../../worker/index.ts";
import { cron } from "./alerting.ts";
import { BASE, call, enroll, expectError, sendBeat } from "./helpers.ts";

afterEach(() => {
  vi.useRealTimers();
});

const T0 = Date.parse("2026-11-25T10:00:00Z");

function rowOf(html: string, id: string): string {
  const match = new RegExp(`<tr class="host[^"]*" id="host-${id}"[\\s\\S]*?</tr>`).exec(html);
  if (!match) throw new Error(`no row for ${id}`);
  return match[0];
}

describe("GET / with no hosts", () => {
  it("says how to enroll the first one", async () => {
    const html = await (await call("/")).text();
    expect(html).toContain("No hosts enrolled yet");
    expect(html).toContain("no hosts");
  });
});

describe("GET /", () => {
  // Every test here reads the fleet the first one builds, at the same moment.
  beforeEach(() => {
    vi.setSystemTime(T0 + 5 * 60_000);
  });

  it("renders a row per host with its state as text, seats / minSeats, last seen and reason", async () => {
    vi.setSystemTime(T0);
    const up = await enroll("dash-up", { minSeats: 2, labels: ["gpu"] });
    const blind = await enroll("dash-blind");
    await enroll("dash-new");
    await enroll("dash-paused", { paused: true });
    for (let i = 0; i < 4; i++) {
      vi.setSystemTime(T0 + i * 60_000);
      await sendBeat(up, { seats: 3 + i });
    }
    await sendBeat(blind, { seats: 0, idle: 2, commands: { bash: 2 } });
    vi.setSystemTime(T0 + 5 * 60_000);

    const res = await call("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    const html = await res.text();
    expect(html.startsWith("<!doctype html>")).toBe(true);

    const upRow = rowOf(html, "dash-up");
    expect(upRow).toContain('data-state="up"');
    expect(upRow).toContain(">up</span>");
    expect(upRow).toContain('<span class="seats">6</span><span class="muted"> / 2</span>');
    expect(upRow).toContain('<span class="tag">gpu</span>');
    expect(upRow).toContain('title="2026-11-25 10:03:00 UTC"');
    expect(upRow).toContain(">2m ago</time>");

    const blindRow = rowOf(html, "dash-blind");
    expect(blindRow).toContain(">blind</span>");
    expect(blindRow).toContain("zero_seats");
    expect(blindRow).toContain("2 idle");

    expect(rowOf(html, "dash-new")).toContain(">never</span>");
    expect(rowOf(html, "dash-paused")).toContain(">paused</span>");
  });

  it("lists problems first and quiet hosts last", async () => {
    const html = await (await call("/")).text();
    const order = [...html.matchAll(/id="host-([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(["dash-blind", "dash-up", "dash-new", "dash-paused"]);
  });

  it("gives paused and new hosts their own look, unlike down ones", async () => {
    const html = await (await call("/")).text();
    expect(rowOf(html, "dash-blind")).toContain('class="host sev-down"');
    expect(rowOf(html, "dash-new")).toContain('class="host sev-pending"');
    expect(rowOf(html, "dash-paused")).toContain('class="host sev-muted"');
  });

  it("draws a sparkline from the stored seat history, one point per beat", async () => {
    const html = await (await call("/")).text();
    const points = /<polyline[^>]*points="([^"]+)"/.exec(rowOf(html, "dash-up"))?.[1] ?? "";
    expect(points.split(" ")).toHaveLength(4);
    // Seats rose 3 → 6: each point is higher (smaller y) than the one before.
    const ys = points.split(" ").map((p) => Number(p.split(",")[1]));
    expect(ys).toEqual([...ys].sort((a, b) => b - a));
    expect(rowOf(html, "dash-up")).toContain('aria-label="seats over the last 3m: from 3 to 6, now 6"');
    expect(rowOf(html, "dash-blind")).toContain('aria-label="seats at the one beat so far: 0"');
    expect(rowOf(html, "dash-new")).toContain("no history");
  });

  it("summarises the fleet and the monitor's health", async () => {
    const html = await (await call("/")).text();
    expect(html).toContain("<title>seatwatch · 1/2 down</title>");
    expect(html).toContain('<li class="state state-up sev-ok">1 up</li>');
    expect(html).toContain('<li class="state state-blind sev-down">1 blind</li>');
    expect(html).toContain("the dead-man&#39;s switch has not run yet");
    expect(html).toContain("0 undelivered alerts");
  });

  it("marks the monitor stale before its first cron run, and shows the last run once it has run", async () => {
    const before = await (await call("/")).text();
    expect(before).toContain('<section id="monitor" data-live="true" class="monitor bad"');
    expect(before).toContain(">stale</span>");
    await cron(T0 + 5 * 60_000 - 20_000);
    const after = await (await call("/")).text();
    expect(after).toContain('<section id="monitor" data-live="true" class="monitor"');
    expect(after).not.toContain(">stale</span>");
    expect(after).toMatch(/last cron run <time [^>]*>20s ago<\/time>, 4 hosts evaluated/);
  });

  it("offers Markdown and HTML badge snippets with absolute URLs", async () => {
    const html = await (await call("/")).text();
    expect(html).toContain(
      'value="[![seatwatch dash-up](https://seatwatch.test/badge/dash-up.svg)](https://seatwatch.test/)"',
    );
    expect(html).toContain(
      'value="&lt;a href=&quot;https://seatwatch.test/&quot;&gt;&lt;img alt=&quot;seatwatch fleet&quot; src=&quot;https://seatwatch.test/badge/fleet.svg&quot;&gt;&lt;/a&gt;"',
    );
  });

  it("loads only its own script and stylesheet: no inline script, no style attribute, no external asset", async () => {
    const html = await (await call("/")).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((s) => [s[1]?.trim(), s[2]])).toEqual([['src="/dashboard.js" defer=""', ""]]);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    const loads = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(loads.length).toBeGreaterThan(3);
    for (const url of loads) expect(url).toMatch(/^\//);
  });

  it("refreshes itself: the script's interval, and a meta refresh for browsers without JavaScript", async () => {
    const html = await (await call("/")).text();
    expect(html).toContain('<body data-refresh="30">');
    expect(html).toContain('<noscript><meta http-equiv="refresh" content="30"/></noscript>');
    expect(await (await call("/?refresh=120")).text()).toContain('data-refresh="120"');
    expect(await (await call("/?refresh=1")).text()).toContain('data-refresh="5"');
    expect(await (await call("/?refresh=soon")).text()).toContain('data-refresh="30"');
  });

  it("sends a CSP without unsafe-inline scripts and the usual secure headers", async () => {
    const res = await call("/");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("escaping", () => {
  it("renders hostile text from storage as text, never as markup", async () => {
    const policy = { ...DEFAULT_POLICY, labels: ['"><img src=x onerror=alert(1)>'] };
    const meta = { epoch: "e", createdAt: new Date(T0).toISOString(), policy };
    const beat = {
      epoch: "e",
      lastSeen: T0,
      ts: T0,
      seats: 0,
      idle: 0,
      observed: "error" as const,
      reason: "<script>alert(1)</script>",
      state: "error" as const,
      since: T0,
      offset: 0,
    };
    const host = hostView("evil", meta, beat, T0);
    const data = {
      hosts: [host],
      histories: new Map(),
      monitor: { lastCronAt: null, hostsEvaluated: 0, stale: false, undelivered: 0 },
      now: T0,
      origin: "https://seatwatch.test",
      refreshSeconds: 30,
      badgesPublic: true,
    };
    const html = String(await Dashboard({ data })?.toString());
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(html).not.toContain("<img src=x");
  });
});

describe("access", () => {
  const vars = { ...env, READ_TOKEN: "read-secret" };
  const get = (path: string, headers: Record<string, string> = {}) =>
    worker.fetch(new Request(BASE + path, { headers }), vars, createExecutionContext());

  it("asks for the read token through HTTP Basic auth, so a browser prompts", async () => {
    const res = await get("/");
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="seatwatch", charset="UTF-8"');
    await expectError(res, 401, "unauthorized");
  });

  it("opens with the token as the Basic password, any user name", async () => {
    const res = await get("/", { authorization: `Basic ${btoa("me:read-secret")}` });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<h1>seatwatch</h1>");
    expect((await get("/", { authorization: `Basic ${btoa("me:wrong")}` })).status).toBe(401);
  });

  it("warns under the snippets when PUBLIC_BADGES=false makes them private", async () => {
    const res = await worker.fetch(
      new Request(`${BASE}/`, { headers: { authorization: "Bearer read-secret" } }),
      { ...vars, PUBLIC_BADGES: "false" },
      createExecutionContext(),
    );
    expect(await res.text()).toContain("PUBLIC_BADGES=false");
  });
});
