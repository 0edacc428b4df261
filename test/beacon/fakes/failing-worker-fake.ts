/**
 * A stand-in for the Worker that fails on demand (answers 500 or 429, a 202 without minSeats or
 * without policy as older Workers answer, or with a broken policy, an
 * error code the Worker never sends, hangs, or holds a request until released), on 127.0.0.1. It records every request and checks each signature with the
 * host's public key, so tests can assert that retries are fresh beats, freshly and validly signed.
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { decodePublicKey, importPublicKey } from "../../../protocol/keys.ts";
import { isHeaderProblem, parseSignatureHeaders, verifyV1a } from "../../../protocol/signing.ts";

export type FakeMode =
  | "accept"
  | "acceptPolicy"
  | "badPolicy"
  | "fail500"
  | "rate429"
  | "noMinSeats"
  | "oddCode400"
  | "hang"
  | "hold";

export interface FakeRequest {
  id: string;
  signature: string;
  body: string;
  beat: { seq: number; ts: number; seats: number; observed: string; reason?: string };
  /** The v1a signature verifies with the public key the fake was given. */
  verified: boolean;
  receivedAt: number;
}

export interface FailingWorkerFake {
  url: string;
  requests: FakeRequest[];
  mode: FakeMode;
  /** Answers every held request with 202 (mode "hold"). */
  release(): void;
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** `tls`: serve https with this key and certificate (the beacon must trust it, e.g. NODE_EXTRA_CA_CERTS). */
export async function startFailingWorkerFake(
  publicKey: string,
  mode: FakeMode = "accept",
  tls?: { key: string; cert: string },
): Promise<FailingWorkerFake> {
  const raw = decodePublicKey(publicKey);
  if (!raw) throw new Error("not a whpk_ key");
  const key = await importPublicKey(raw);
  const sockets = new Set<Socket>();
  const held: ServerResponse[] = [];
  const waiters: (() => void)[] = [];

  const accept = (res: ServerResponse) => {
    res.writeHead(202, { "content-type": "application/json" });
    res.end(JSON.stringify({ accepted: true, state: "up", reason: null, minSeats: 1 }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const parsed = parseSignatureHeaders((name) => req.headers[name] as string | undefined);
    const verified = !isHeaderProblem(parsed) && (await verifyV1a(key, parsed, body));
    fake.requests.push({
      id: String(req.headers["webhook-id"]),
      signature: String(req.headers["webhook-signature"]),
      body,
      beat: JSON.parse(body),
      verified,
      receivedAt: Date.now(),
    });
    for (const wake of waiters.splice(0)) wake();
    switch (fake.mode) {
      case "accept":
        return accept(res);
      case "fail500":
        res.writeHead(500, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: { code: "internal_error", message: "the fake fails on purpose" } }));
      case "rate429":
        res.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
        return res.end(JSON.stringify({ error: { code: "rate_limited", message: "one a second" } }));
      case "acceptPolicy":
      case "badPolicy": {
        const policy = {
          minSeats: 1,
          maxWaitSeconds: fake.mode === "badPolicy" ? -5 : 900,
          minWorking: 0,
          maxQuietSeconds: 0,
        };
        res.writeHead(202, { "content-type": "application/json" });
        return res.end(JSON.stringify({ accepted: true, state: "up", reason: null, minSeats: 1, policy }));
      }
      case "noMinSeats":
        res.writeHead(202, { "content-type": "application/json" });
        return res.end(JSON.stringify({ accepted: true, state: "up", reason: null }));
      case "oddCode400":
        res.writeHead(400, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: { code: "teapot", message: "not a code seatwatch sends" } }));
      case "hang":
        return;
      case "hold":
        held.push(res);
        return;
    }
  };

  const listener: RequestListener = (req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(400);
      res.end(String(error));
    });
  };
  const server = tls ? createTlsServer(tls, listener) : createServer(listener);
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  const fake: FailingWorkerFake = {
    url: `${tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    mode,
    release() {
      for (const res of held.splice(0)) accept(res);
    },
    waitFor(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the fake got ${fake.requests.length} requests, waited for ${count}`)),
          timeoutMs,
        );
        const check = () => {
          if (fake.requests.length >= count) {
            clearTimeout(timer);
            resolve();
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
