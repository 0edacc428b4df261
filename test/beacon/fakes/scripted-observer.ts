/**
 * An Observer that answers from a script, one entry per sample (the last repeats), so a daemon test
 * can say exactly which sample shows what; the observing half has its own real-tmux tests.
 */
import type { Observation, ObserveReason, Observer } from "../../../beacon/observe.ts";

export type Scene = { seats: number } | { error: ObserveReason };

export function observation(scene: Scene): Observation {
  if ("error" in scene) {
    return { servers: [], error: { reason: scene.error, message: `scripted ${scene.error}` } };
  }
  const panes = Array.from({ length: scene.seats }, (_, i) => ({
    server: 4242,
    id: `%${i}`,
    session: "work",
    command: "claude",
    dead: false,
    deadStatus: null,
    window: i,
    windowActivity: null,
    // No such process: a scripted pane has no process tree, so its activity reads as quiet.
    panePid: 0,
  }));
  return {
    servers: [
      { pid: 4242, uid: 0, exe: "/usr/bin/tmux", version: "3.3a", socket: "/tmp/scripted", panes, skipped: false },
    ],
  };
}

export class ScriptedObserver implements Observer {
  samples = 0;
  constructor(private readonly script: Scene[]) {}

  async observe(): Promise<Observation> {
    const scene = this.script[Math.min(this.samples, this.script.length - 1)] as Scene;
    this.samples += 1;
    return observation(scene);
  }
}
