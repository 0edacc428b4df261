/**
 * The tmux observer (DESIGN §3): auto mode asks every server found in /proc with the binary that
 * started it; pinned mode asks one socket with one binary. Both answer with an Observation, and
 * "no server at all" is always an error, never a bare zero.
 */
import { existsSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { firstError, type Observation, type ObserveError, type Observer, type ServerObservation } from "../observe.ts";
import { capturePanes } from "./capture.ts";
import { type FoundServer, findServerOn, findTmuxServers, reachableSocket, socketState } from "./discover.ts";
import { queryPanes } from "./query.ts";
import { tmuxVersion } from "./version.ts";

export interface AutoMode {
  kind: "auto";
  /** Only this user's servers are queried; null means every user's (the beacon runs as root with no --user). */
  uid: number | null;
  /** Describes the scope in messages, e.g. `user alice (uid 1000)`. */
  scopeLabel: string;
  /** Narrows discovery to some servers (embedding, tests); the rest are not reported at all. */
  only?: (server: FoundServer) => boolean;
}

export interface PinnedMode {
  kind: "pinned";
  tmux: string;
  /** Absolute socket path (from --socket, or -L NAME resolved as tmux resolves it). */
  socket: string;
  env?: NodeJS.ProcessEnv;
}

export type TmuxMode = AutoMode | PinnedMode;

/** tmux's socket path for `-L name` (tmux.c: $TMUX_TMPDIR if it exists, else /tmp; resolved; then tmux-UID). */
export function socketPathFor(name: string, uid: number, env: NodeJS.ProcessEnv): string {
  const dir = [env.TMUX_TMPDIR, "/tmp"].find((candidate) => candidate && existsSync(candidate)) ?? "/tmp";
  return resolve(realpathSync(dir), `tmux-${uid}`, name);
}

export function createTmuxObserver(mode: TmuxMode): Observer {
  // A server keeps its binary for life, so its version is asked once (keyed by pid and binary).
  const versions = new Map<string, string>();
  const versionOf = async (tmux: string, key: string): Promise<string> => {
    const known = versions.get(key);
    if (known !== undefined) return known;
    const version = (await tmuxVersion(tmux)) ?? "";
    if (version) versions.set(key, version);
    return version;
  };
  return {
    observe: () => (mode.kind === "auto" ? observeAuto(mode, versionOf) : observePinned(mode, versionOf)),
    // The same client and socket the query used: the server's own binary in auto mode, the pinned one otherwise.
    paneText: (server, panes) =>
      capturePanes(
        mode.kind === "auto"
          ? { tmux: `/proc/${server.pid}/exe`, socket: reachableSocket(server, server.socket) }
          : { tmux: mode.tmux, socket: mode.socket, env: mode.env },
        panes,
      ),
  };
}

type VersionOf = (tmux: string, key: string) => Promise<string>;

async function observeAuto(mode: AutoMode, versionOf: VersionOf): Promise<Observation> {
  const found = findTmuxServers().filter((server) => mode.only?.(server) ?? true);
  const servers = await Promise.all(
    found.map(async (server): Promise<ServerObservation> => {
      const base = {
        pid: server.pid,
        uid: server.uid,
        exe: server.exe ?? "",
        version: "",
        socket: server.socket ?? "",
        panes: [],
        skipped: false,
      };
      if (mode.uid !== null && server.uid !== mode.uid) return { ...base, skipped: true };
      const label = `the tmux server pid ${server.pid} (${server.exe ?? "binary hidden"})`;
      if (server.socket === null) {
        return {
          ...base,
          error: {
            reason: "socket_hidden",
            message: `${label} is running but none of its sockets is visible in /proc/${server.pid}/fd and /proc/${server.pid}/net/unix; run the beacon as the server's user or root, without PrivateTmp/PrivateNetwork/ProtectProc (see doctor)`,
          },
        };
      }
      // Run the server's own binary through /proc: it works even when the file was replaced or deleted since.
      const tmux = `/proc/${server.pid}/exe`;
      const answer = await queryPanes({
        tmux,
        socket: reachableSocket(server, server.socket),
        server,
        label: `${label} on ${server.socket}`,
      });
      const version = (answer.ok && answer.version) || (await versionOf(tmux, `${server.pid}:${server.exe}`));
      return answer.ok ? { ...base, version, panes: answer.panes } : { ...base, version, error: answer.error };
    }),
  );
  const inScope = servers.filter((server) => !server.skipped);
  const skipped = servers.length - inScope.length;
  const noServer =
    inScope.length === 0
      ? {
          reason: "no_server" as const,
          message: `no tmux server is running for ${mode.scopeLabel}${skipped ? ` (${skipped} other users' servers skipped)` : ""}; start your sessions, or run the beacon as their user (or --user NAME)`,
        }
      : undefined;
  return withError(servers, noServer);
}

async function observePinned(mode: PinnedMode, versionOf: VersionOf): Promise<Observation> {
  const located = findServerOn(mode.socket);
  const answer = await queryPanes({
    tmux: mode.tmux,
    socket: mode.socket,
    server: located,
    label: located ? `the tmux server pid ${located.pid} on ${mode.socket}` : mode.socket,
    env: mode.env,
  });
  if (!located) return { servers: [], error: answer.ok ? unconfirmed(mode) : answer.error };
  const version = (answer.ok && answer.version) || (await versionOf(mode.tmux, mode.tmux));
  const server: ServerObservation = {
    pid: located.pid,
    uid: located.uid,
    exe: mode.tmux,
    version,
    socket: mode.socket,
    panes: answer.ok ? answer.panes : [],
    skipped: false,
  };
  if (!answer.ok) server.error = answer.error;
  return withError([server]);
}

/** An answer with no server behind it: whatever printed it, it did not come from a server on that socket. */
function unconfirmed(mode: PinnedMode): ObserveError {
  const asked = `${mode.tmux} -S ${mode.socket}`;
  switch (socketState(mode.socket)) {
    case "missing":
      return {
        reason: "no_server",
        message: `${asked} answered, but there is no socket at ${mode.socket}, so no server did; this is not the tmux that started your sessions: pin that one with --tmux and --socket, or use auto mode`,
      };
    case "stale":
      return {
        reason: "stale_socket",
        message: `${asked} answered, but nothing listens on ${mode.socket} (a server died and left it), so no server did; remove the socket or restart tmux there, and pin the tmux that started your sessions`,
      };
    case "listening":
      return {
        reason: "socket_hidden",
        message: `${asked}: a server answers but no process listening on that socket is visible in /proc, so its answer cannot be checked; run the beacon where it can see the server's process (see doctor)`,
      };
  }
}

function withError(servers: ServerObservation[], fallback?: Observation["error"]): Observation {
  const error = firstError(servers, fallback);
  return error ? { servers, error } : { servers };
}
