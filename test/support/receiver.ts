/**
 * A real webhook receiver for worker tests, run in Node by vitest's globalSetup: workerd's
 * outbound fetch reaches it on 127.0.0.1. Each test uses its own path key and says in the URL how
 * the receiver behaves, so tests in parallel files never share state:
 *   POST /r/<key>?fail=N   (any method) answers 500 to the first N deliveries, then 200
 *   POST /r/<key>?hang=1   never answers (the sender's timeout must cut it off)
 *   POST /r/<key>?delay=N  answers 200 after N ms (a slow receiver the sender waits for)
 *   POST /r/<key>?big=N    answers 500 with an N-byte body, written only as fast as the sender
 *                          reads it; the log says how many body bytes left before the socket closed
 *   GET  /log/<key>        every delivery received for <key>: headers, body and the answer given
 *   GET  /cpu              CPU time (ms) used so far by the workerd processes this vitest started,
 *                          so a bench inside workerd can measure the CPU of what it runs
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { cpuMs, workerdDescendants } from "../../scripts/proc.ts";

export interface Delivery {
  method: string;
  /** Path and query as requested: formats that send to a URL of their own (Matrix, Opsgenie's close). */
  path: string;
  headers: Record<string, string>;
  body: string;
  answered: number | null;
  /** `big=N` only: body bytes handed to the socket before the sender closed it, and whether all N were. */
  bodyBytesSent?: number;
  bodyComplete?: boolean;
  /** Deliveries to the same key open (received, neither answered nor given up) when this one arrived, itself included. */
  concurrent: number;
}

declare module "vitest" {
  export interface ProvidedContext {
    receiverUrl: string;
  }
}

const log = new Map<string, Delivery[]>();
const open = new Map<string, number>();

/** CPU time (ms) of the workerd processes this vitest started, for benches run inside workerd. */
function workerdCpuMs(): number {
  return cpuMs(workerdDescendants(process.pid));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Streams `size` bytes of error page, pausing whenever the socket's buffer is full, until the peer goes. */
async function answerBig(res: ServerResponse, delivery: Delivery, size: number): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, "x");
  delivery.answered = 500;
  delivery.bodyBytesSent = 0;
  delivery.bodyComplete = false;
  res.writeHead(500, { "content-type": "text/html", "content-length": String(size) });
  let closed = false;
  res.on("close", () => {
    closed = true;
  });
  while (!closed && delivery.bodyBytesSent < size) {
    const part = chunk.subarray(0, Math.min(chunk.length, size - delivery.bodyBytesSent));
    delivery.bodyBytesSent += part.length;
    if (!res.write(part)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  }
  if (!closed) {
    delivery.bodyComplete = true;
    res.end();
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://receiver");
  const [, kind, key = ""] = url.pathname.split("/");
  if (req.method === "GET" && kind === "log") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(log.get(key) ?? []));
    return;
  }
  if (req.method === "GET" && kind === "cpu") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ms: workerdCpuMs() }));
    return;
  }
  if (kind !== "r") {
    res.writeHead(404).end();
    return;
  }
  const body = await readBody(req);
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
  const entries = log.get(key) ?? [];
  log.set(key, entries);
  open.set(key, (open.get(key) ?? 0) + 1);
  res.on("close", () => open.set(key, (open.get(key) ?? 1) - 1));
  const delivery: Delivery = {
    method: req.method ?? "",
    path: url.pathname + url.search,
    headers,
    body,
    answered: null,
    concurrent: open.get(key) ?? 1,
  };
  entries.push(delivery);
  if (url.searchParams.get("hang") === "1") return;
  const delay = url.searchParams.get("delay");
  if (delay !== null) await new Promise((resolve) => setTimeout(resolve, Number(delay)));
  const big = url.searchParams.get("big");
  if (big !== null) return answerBig(res, delivery, Number(big));
  const failures = Number(url.searchParams.get("fail") ?? 0);
  delivery.answered = entries.length <= failures ? 500 : 200;
  res
    .writeHead(delivery.answered, { "content-type": "text/plain" })
    .end(delivery.answered === 200 ? "ok" : "receiver down");
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("receiverUrl", `http://127.0.0.1:${port}`);
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
