/**
 * The beacon's HTTP (DESIGN §3): Node's own http/https client, keep-alive, routed by HTTPS_PROXY /
 * HTTP_PROXY / NO_PROXY as curl and undici route them, through a CONNECT tunnel to the proxy.
 * Node's client parses HTTP natively; undici's WebAssembly parser was most of the one-file build,
 * and compiling it took the daemon from ~56 MiB to a ~90 MiB peak at its first push, all for one
 * small POST every 15 s to 2 min. The modules load with the first request, so `--help`, `doctor`
 * and dry runs never load them.
 */
import type { Agent, IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { ConnectionOptions } from "node:tls";

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The answer's body; the caller reads (and caps) it, and destroying it frees the connection. */
  body: IncomingMessage;
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/** NO_PROXY entries as undici reads them: host or host:port, comma or space separated, `*.`/`.` meaning subdomains, `*` alone meaning none. */
export function shouldProxy(target: URL, noProxy: string): boolean {
  if (noProxy.trim() === "") return true;
  if (noProxy === "*") return false;
  // `host` keeps the brackets of an IPv6 literal, as NO_PROXY writes them.
  const hostname = target.host.replace(/:\d*$/, "").toLowerCase();
  const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0;
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const name = (parsed?.[1] ?? entry).replace(/^\*?\./, "").toLowerCase();
    if (parsed && Number.parseInt(parsed[2] as string, 10) !== port) continue;
    if (hostname === name || hostname.endsWith(`.${name}`)) return false;
  }
  return true;
}

/** One client per Worker URL: it keeps idle connections (direct or tunnelled) for `idleMs`. */
export class HttpClient {
  private readonly agents = new Map<string, Promise<Agent>>();

  constructor(
    private readonly proxy: ProxySettings,
    private readonly idleMs: number,
    /** Bounds each CONNECT to the proxy (the whole request is bounded by the caller's signal). */
    private readonly connectTimeoutMs: number,
  ) {}

  /** POSTs `body`; rejects with the signal's reason once it aborts, whatever stage the exchange is in. */
  async post(url: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<HttpAnswer> {
    const target = new URL(url);
    const [{ request }, agent] = await Promise.all([
      target.protocol === "https:" ? import("node:https") : import("node:http"),
      this.agentFor(target),
    ]);
    return new Promise((resolve, reject) => {
      const fail = () => reject(signal.reason);
      if (signal.aborted) return fail();
      const req = request(target, {
        method: "POST",
        agent,
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        signal,
      });
      req.once("response", (res) => {
        signal.removeEventListener("abort", fail);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      req.once("error", (error) => (signal.aborted ? fail() : reject(error)));
      signal.addEventListener("abort", fail, { once: true });
      req.end(body);
    });
  }

  close(): void {
    for (const agent of this.agents.values()) void agent.then((a) => a.destroy());
    this.agents.clear();
  }

  private agentFor(target: URL): Promise<Agent> {
    const proxyUrl = this.proxyFor(target);
    const key = `${target.protocol} ${proxyUrl ?? ""}`;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      agent = createAgent(target.protocol === "https:", proxyUrl, this.idleMs, this.connectTimeoutMs);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** undici's EnvHttpProxyAgent's choice: HTTPS_PROXY for https targets, else HTTP_PROXY; NO_PROXY first. */
  private proxyFor(target: URL): string | null {
    const httpProxy = this.proxy.httpProxy || undefined;
    const proxy = target.protocol === "https:" ? this.proxy.httpsProxy || httpProxy : httpProxy;
    if (proxy === undefined || !shouldProxy(target, this.proxy.noProxy ?? "")) return null;
    return proxy;
  }
}

async function createAgent(secure: boolean, proxyUrl: string | null, idleMs: number, connectTimeoutMs: number) {
  // `timeout` closes a connection idle this long; keep-alive sockets are unref'd, so they hold no process open.
  const options = { keepAlive: true, timeout: idleMs };
  const { Agent } = secure ? await import("node:https") : await import("node:http");
  if (proxyUrl === null) return new Agent(options);
  const proxy = new URL(proxyUrl);
  const tls = secure ? await import("node:tls") : null;
  const agent = new Agent(options);
  // A connection through the proxy is a tunnel to the target, TLS inside it for https (as undici's ProxyAgent does, for http too).
  agent.createConnection = (connection, callback) => {
    const host = String(connection.host ?? connection.hostname ?? "");
    const authority = `${host.includes(":") ? `[${host}]` : host}:${connection.port}`;
    openTunnel(proxy, authority, connectTimeoutMs).then(
      (socket) => callback?.(null, tls ? tls.connect({ ...connection, socket } as ConnectionOptions) : socket),
      (error: Error) => callback?.(error, undefined as never),
    );
    return undefined;
  };
  return agent;
}

async function openTunnel(proxy: URL, authority: string, timeoutMs: number): Promise<Socket> {
  const { request } = proxy.protocol === "https:" ? await import("node:https") : await import("node:http");
  const headers: Record<string, string> = { host: authority };
  if (proxy.username) {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers["proxy-authorization"] = `Basic ${Buffer.from(credentials).toString("base64")}`;
  }
  return new Promise((resolve, reject) => {
    const req = request({
      host: proxy.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: proxy.port || DEFAULT_PORTS[proxy.protocol],
      method: "CONNECT",
      path: authority,
      headers,
      agent: false,
      timeout: timeoutMs,
    });
    req.once("connect", (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`the proxy ${proxy.origin} answered CONNECT ${authority} with ${res.statusCode}`));
        return;
      }
      // The CONNECT's timeout was for the handshake; the agent times the tunnel's idle time from here.
      socket.setTimeout(0);
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once("timeout", () =>
      req.destroy(
        Object.assign(new Error(`the proxy ${proxy.origin} did not tunnel within ${timeoutMs / 1000} s`), {
          code: "PROXY_CONNECT_TIMEOUT",
        }),
      ),
    );
    req.once("error", reject);
    req.end();
  });
}
