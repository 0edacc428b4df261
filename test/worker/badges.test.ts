import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../worker/index.ts";
import { BASE, call, enroll, expectError, sendBeat } from "./helpers.ts";

afterEach(() => {
  vi.useRealTimers();
});

const T0 = Date.parse("2026-11-25T10:00:00Z");

interface Endpoint {
  schemaVersion: number;
  label: string;
  message: string;
  color: string;
}

async function endpoint(path: string): Promise<Endpoint> {
  const res = await call(path);
  return (await res.json()) as Endpoint;
}

function svgWidth(svg: string): number {
  return Number(/^<svg [^>]*width="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
}

describe("host badge messages and colours", () => {
  it("an up host reads `<seats> up` in brightgreen", async () => {
    vi.setSystemTime(T0);
    const host = await enroll("badge-up", { minSeats: 2 });
    await sendBeat(host, { seats: 12 });
    const res = await call("/badge/badge-up.svg");
    const svg = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(svg).toContain('aria-label="seats: 12 up"');
    expect(svg).toContain("<title>seats: 12 up</title>");
    expect(svg).toContain('fill="#4b0"');
    expect(await endpoint("/badge/badge-up.json")).toEqual({
      schemaVersion: 1,
      label: "seats",
      message: "12 up",
      color: "brightgreen",
    });
  });

  it("a low host reads `<seats>/<minSeats> low` in orange", async () => {
    vi.setSystemTime(T0);
    const host = await enroll("badge-low", { minSeats: 5 });
    await sendBeat(host, { seats: 3 });
    expect(await endpoint("/badge/badge-low.json")).toMatchObject({ message: "3/5 low", color: "orange" });
    expect(await (await call("/badge/badge-low.svg")).text()).toContain('fill="#ea7233"');
  });

  it("a blind host reads `0 blind` in red", async () => {
    vi.setSystemTime(T0);
    const host = await enroll("badge-blind");
    await sendBeat(host, { seats: 0, idle: 0, commands: {} });
    expect(await endpoint("/badge/badge-blind.json")).toMatchObject({ message: "0 blind", color: "red" });
    expect(await (await call("/badge/badge-blind.svg")).text()).toContain('fill="#dd4343"');
  });

  it("a host whose beacon cannot observe reads `error` in red", async () => {
    vi.setSystemTime(T0);
    const host = await enroll("badge-error");
    await sendBeat(host, { seats: 0, observed: "error", reason: "no_server" });
    expect(await endpoint("/badge/badge-error.json")).toMatchObject({ message: "error", color: "red" });
  });

  it("a silent host reads how long it has been silent, in red", async () => {
    vi.setSystemTime(T0);
    const host = await enroll("badge-silent", { graceSeconds: 60 });
    await sendBeat(host, { seats: 4 });
    vi.setSystemTime(T0 + 14 * 60_000 + 30_000);
    expect(await endpoint("/badge/badge-silent.json")).toMatchObject({ message: "silent 14m", color: "red" });
    vi.setSystemTime(T0 + 3 * 3_600_000);
    expect(await endpoint("/badge/badge-silent.json")).toMatchObject({ message: "silent 3h" });
  });

  it("a paused host reads `paused` in lightgrey, even with a fresh beat", async () => {
    vi.setSystemTime(T0);
    const host = await enroll("badge-paused", { paused: true });
    await sendBeat(host, { seats: 0 });
    expect(await endpoint("/badge/badge-paused.json")).toMatchObject({ message: "paused", color: "lightgrey" });
    expect(await (await call("/badge/badge-paused.svg")).text()).toContain('fill="#939393"');
  });

  it("an enrolled host that never beat reads `new` in blue", async () => {
    await enroll("badge-new");
    expect(await endpoint("/badge/badge-new.json")).toMatchObject({ message: "new", color: "blue" });
    expect(await (await call("/badge/badge-new.svg")).text()).toContain('fill="#007ec6"');
  });

  it("an unknown host gets a grey `unknown` badge with 404, SVG and JSON alike", async () => {
    const res = await call("/badge/nobody.svg");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    const svg = await res.text();
    expect(svg).toContain('aria-label="seats: unknown"');
    expect(svg).toContain('fill="#555"');
    const json = await call("/badge/nobody.json");
    expect(json.status).toBe(404);
    expect(await json.json()).toEqual({ schemaVersion: 1, label: "seats", message: "unknown", color: "grey" });
  });

  it("a name that is not a host id at all is unknown too, not a server error", async () => {
    const res = await call("/badge/NOT%20A%20HOST.svg");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("unknown");
  });

  it("a path without .svg or .json is a JSON 404", async () => {
    await expectError(await call("/badge/badge-up.png"), 404, "not_found");
  });
});

describe("fleet badge", () => {
  it("counts hosts by their worst state: down beats low beats up, new and paused do not count", async () => {
    // This file's earlier tests enrolled up, low, blind, error, silent, paused and new hosts.
    vi.setSystemTime(T0 + 3 * 3_600_000);
    const res = await call("/badge/fleet.svg");
    expect(res.status).toBe(200);
    const face = await endpoint("/badge/fleet.json");
    expect(face.label).toBe("fleet");
    expect(face.color).toBe("red");
    // After three hours every host with a beat is silent except the paused one.
    expect(face.message).toBe("5/5 down");
  });
});

describe("rendering options", () => {
  it("?label= replaces the label and an empty one drops it", async () => {
    const labelled = await (await call("/badge/badge-new.svg?label=build%20box")).text();
    expect(labelled).toContain('aria-label="build box: new"');
    const bare = await (await call("/badge/badge-new.svg?label=")).text();
    expect(bare).toContain('aria-label="new"');
    expect(svgWidth(bare)).toBeLessThan(svgWidth(labelled));
  });

  it("?label= drops control characters, so %01 still gives a well-formed SVG and a clean JSON label", async () => {
    const svg = await (await call("/badge/badge-new.svg?label=build%01%1b%e2%80%aebox")).text();
    expect(svg).toContain('aria-label="buildbox: new"');
    const controls = [...svg].filter((c) => (c.codePointAt(0) ?? 0) < 0x20 && !"\t\n\r".includes(c));
    expect(controls).toEqual([]);
    expect(svg).not.toContain("\u202e");
    const json = (await (await call("/badge/badge-new.json?label=build%01box")).json()) as { label: string };
    expect(json.label).toBe("buildbox");
  });

  it("text widths grow with the text", async () => {
    const widths = [];
    for (const label of ["i", "seats", "a much longer label", "WWWWWWWWWWWWWWWWWWW"]) {
      widths.push(svgWidth(await (await call(`/badge/badge-new.svg?label=${encodeURIComponent(label)}`)).text()));
    }
    expect(widths).toEqual([...widths].sort((a, b) => a - b));
    expect(new Set(widths).size).toBe(4);
    // Same number of characters, wider glyphs: measured, not counted.
    expect(widths[3]).toBeGreaterThan(widths[2] ?? 0);
  });

  it("a hostile label is escaped in the text, the title and the aria-label", async () => {
    const hostile = `<script>alert("x")</script>&'`;
    const svg = await (await call(`/badge/badge-new.svg?label=${encodeURIComponent(hostile)}`)).text();
    expect(svg).not.toContain("<script");
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&apos;: new");
    const json = await endpoint(`/badge/badge-new.json?label=${encodeURIComponent(hostile)}`);
    expect(json.label).toBe(hostile);
  });

  it("a very long label is cut to 64 characters", async () => {
    const json = await endpoint(`/badge/badge-new.json?label=${"x".repeat(500)}`);
    expect(json.label).toBe("x".repeat(64));
  });

  it("flat is the default: 20 px high with rounded corners and a gradient", async () => {
    const svg = await (await call("/badge/badge-new.svg")).text();
    expect(svg).toMatch(/^<svg [^>]*height="20"/);
    expect(svg).toContain('rx="3"');
    expect(svg).toContain("<linearGradient");
    expect(await (await call("/badge/badge-new.svg?style=flat")).text()).toBe(svg);
    expect(await (await call("/badge/badge-new.svg?style=nonsense")).text()).toBe(svg);
  });

  it("flat-square has square corners and no gradient", async () => {
    const svg = await (await call("/badge/badge-new.svg?style=flat-square")).text();
    expect(svg).toMatch(/^<svg [^>]*height="20"/);
    expect(svg).toContain('shape-rendering="crispEdges"');
    expect(svg).not.toContain("rx=");
    expect(svg).not.toContain("<linearGradient");
  });

  it("for-the-badge is 28 px high and in capitals", async () => {
    const svg = await (await call("/badge/badge-new.svg?style=for-the-badge")).text();
    expect(svg).toMatch(/^<svg [^>]*height="28"/);
    expect(svg).toContain('aria-label="SEATS: NEW"');
    expect(svg).toContain('font-weight="bold"');
  });
});

describe("caching", () => {
  it("answers no-cache with a strong ETag, and 304 when it still matches", async () => {
    vi.setSystemTime(T0);
    const host = await enroll("badge-etag", { minSeats: 1 });
    await sendBeat(host, { seats: 2 });
    const first = await call("/badge/badge-etag.svg");
    const tag = first.headers.get("etag");
    expect(first.headers.get("cache-control")).toBe("no-cache");
    expect(tag).toMatch(/^"[0-9a-f]+"$/);

    const again = await call("/badge/badge-etag.svg", { headers: { "if-none-match": tag ?? "" } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(tag);
    expect(again.headers.get("cache-control")).toBe("no-cache");

    vi.setSystemTime(T0 + 5_000);
    await sendBeat(host, { seats: 3 });
    const changed = await call("/badge/badge-etag.svg", { headers: { "if-none-match": tag ?? "" } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(tag);
    expect(await changed.text()).toContain("3 up");
  });

  it("gives each style and label its own ETag", async () => {
    const tags = new Set<string | null>();
    for (const query of ["", "?style=flat-square", "?style=for-the-badge", "?label=x"]) {
      tags.add((await call(`/badge/badge-etag.svg${query}`)).headers.get("etag"));
    }
    expect(tags.size).toBe(4);
  });
});

describe("access", () => {
  function fetchWith(vars: Record<string, string>, path: string, headers: Record<string, string> = {}) {
    return worker.fetch(new Request(BASE + path, { headers }), { ...env, ...vars }, createExecutionContext());
  }

  it("badges stay public when READ_TOKEN is set", async () => {
    const res = await fetchWith({ READ_TOKEN: "read-secret" }, "/badge/badge-new.svg");
    expect(res.status).toBe(200);
  });

  it("PUBLIC_BADGES=false puts badges behind the read token", async () => {
    const vars = { READ_TOKEN: "read-secret", PUBLIC_BADGES: "false" };
    await expectError(await fetchWith(vars, "/badge/badge-new.svg"), 401, "unauthorized");
    await expectError(await fetchWith(vars, "/badge/fleet.json"), 401, "unauthorized");
    const ok = await fetchWith(vars, "/badge/badge-new.svg", { authorization: "Bearer read-secret" });
    expect(ok.status).toBe(200);
  });
});
