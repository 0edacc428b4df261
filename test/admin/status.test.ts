/** status --watch without a Worker: what a terminal sees (a redraw in place) and what a pipe gets (lines). */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Api } from "../../admin/client.ts";
import { changedLines, type Snapshot, watch } from "../../admin/commands/status.ts";
import type { Io } from "../../admin/output.ts";

function snapshot(hosts: [string, string, number][], ok = true): Snapshot {
  return {
    status: {
      generatedAt: "2026-12-01T08:00:00.000Z",
      monitor: { lastCronAt: null, stale: false, undelivered: 0 },
      counts: { up: hosts.length },
      hosts: hosts.map(([id, state, seats]) => ({
        id,
        state,
        seats,
        minSeats: 1,
        reason: null,
        lastSeen: null,
        since: null,
        labels: [],
        warnings: [],
      })),
    },
    check: { ok, text: ok ? "ok: 1 up" : "a: silent" },
  };
}

/** A Worker that answers /v1/status and /v1/check from a script of snapshots, one per poll. */
function scriptedApi(polls: Snapshot[]): Api {
  let n = 0;
  const fake = (async (input: string | URL | Request) => {
    const url = String(input);
    const current = polls[Math.min(Math.floor(n / 2), polls.length - 1)] as Snapshot;
    n++;
    if (url.endsWith("/v1/check")) return new Response(current.check.text, { status: current.check.ok ? 200 : 503 });
    return Response.json(current.status);
  }) as typeof fetch;
  return new Api({ url: "http://sw.test", urlSource: "SEATWATCH_URL", admin: null, read: null }, fake);
}

function captureIo(tty: boolean): { io: Io; output: () => string } {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  let text = "";
  stdout.on("data", (c) => {
    text += c;
  });
  return { io: { stdout, stderr: new PassThrough(), env: {}, stdin: new PassThrough() }, output: () => text };
}

describe("status --watch", () => {
  it("on a terminal redraws the table in place each poll", async () => {
    const { io, output } = captureIo(true);
    const code = await watch(
      scriptedApi([snapshot([["a", "up", 2]]), snapshot([["a", "silent", 2]], false)]),
      io,
      false,
      1,
      2,
    );
    const frames = output().split("\x1b[H").slice(1);
    expect(frames).toHaveLength(2);
    expect(frames[0]?.startsWith("seatwatch http://sw.test ")).toBe(true);
    expect(frames[0]).toContain("\x1b[K\nHOST ");
    expect(frames[1]).toMatch(/\na +silent +2\/1 /);
    expect(frames.every((f) => f.endsWith("\x1b[J"))).toBe(true);
    expect(code).toBe(4);
  });

  it("piped prints every host once, then only the hosts that changed", () => {
    const first = snapshot([
      ["a", "up", 2],
      ["b", "up", 1],
    ]);
    const second = snapshot([
      ["a", "up", 2],
      ["b", "low", 0],
    ]);
    expect(changedLines(null, first)).toEqual([
      "2026-12-01T08:00:00.000Z a up 2/1",
      "2026-12-01T08:00:00.000Z b up 1/1",
    ]);
    expect(changedLines(first, second)).toEqual(["2026-12-01T08:00:00.000Z b low 0/1"]);
    expect(changedLines(second, snapshot([["a", "up", 2]]))).toEqual(["2026-12-01T08:00:00.000Z b removed"]);
  });
});
