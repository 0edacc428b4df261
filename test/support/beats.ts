/** Builders for valid beats, shared by worker, beacon and end-to-end tests. */
import type { Beat } from "../../protocol/beat.ts";

export function makeBeat(overrides: Partial<Beat> = {}): Beat {
  return {
    v: 1,
    host: "box-1",
    instance: "inst-a",
    seq: 1,
    ts: Date.now(),
    seats: 3,
    idle: 1,
    commands: { claude: 3, bash: 1 },
    observed: "ok",
    servers: [
      { pid: 4242, exe: "/usr/bin/tmux", version: "3.3a", socket: "/tmp/tmux-1000/default", panes: 5, dead: 1 },
    ],
    beacon: { version: "0.1.0", node: "v20.20.2", uid: 1000 },
    ...overrides,
  };
}
