/**
 * What an observer reports, independent of the tool observed (DESIGN §1): the servers it found,
 * the panes (work places) each one answered with, and why it could not see, if it could not.
 * tmux is the first observer (`tmux/observer.ts`); a Docker or database observer returns the same shape.
 */
import type { OBSERVE_REASONS } from "../protocol/beat.ts";

/**
 * The protocol's reasons: DESIGN §3's list plus `client_error` (the client failed in a way none of
 * those name: an unknown message on stderr, a crash).
 */
export type ObserveReason = (typeof OBSERVE_REASONS)[number];

export interface ObserveError {
  reason: ObserveReason;
  /** One line naming the binary, the socket and what to do next. */
  message: string;
}

export interface Pane {
  /** The server's pid as the beacon sees it. */
  server: number;
  id: string;
  session: string;
  /** Foreground command; "" when the server could not tell. */
  command: string;
  dead: boolean;
  /** Exit status of a dead pane's command, when the server knows it. */
  deadStatus: number | null;
  /** The window's index in its session (`session:window` is a tmux target); null when the server does not say. */
  window: number | null;
  /** When the window last showed output (unix ms; tmux keeps whole seconds); null on servers before tmux 2.1. */
  windowActivity: number | null;
  /** The pane's first process (`pane_pid`), the root of the process tree whose CPU and process groups activity reads. */
  panePid: number;
}

export interface ServerObservation {
  pid: number;
  uid: number | null;
  /** The binary that started the server ("" when hidden from us). */
  exe: string;
  version: string;
  /** The socket path as the server sees it. */
  socket: string;
  panes: Pane[];
  /** Outside the beacon's scope (another user's server): listed, never queried, never an error. */
  skipped: boolean;
  error?: ObserveError;
}

export interface Observation {
  servers: ServerObservation[];
  /** Set when the beacon did not see every server in scope; the beat is then `observed: "error"`. */
  error?: ObserveError;
}

export interface Observer {
  observe(): Promise<Observation>;
  /** The visible text of some of a server's panes (`--waiting-pattern`), read locally; absent panes had none to give. */
  paneText?(server: ServerObservation, panes: string[]): Promise<Map<string, string>>;
}

/** The first server error in scope, else `fallback`: one reason per beat, and the earliest is the most specific. */
export function firstError(servers: ServerObservation[], fallback?: ObserveError): ObserveError | undefined {
  return servers.find((server) => !server.skipped && server.error)?.error ?? fallback;
}
