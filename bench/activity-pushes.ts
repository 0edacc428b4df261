/**
 * Pushes (= KV writes: the beat path writes `beat:<id>` once per accepted beat) per host-day with
 * seats at work (issue 13's bench), driven through the beacon's real Pacer and protocol's verdict:
 * a sample every 15 s for a day, the default policy from the 202 answer, and
 *   - steady: 4 seats working all day (today's 720: one keep-alive every 120 s);
 *   - flipping: 2 of the 4 seats flip between working and waiting every minute (each wait shorter than
 *     maxWaitSeconds, so nothing the Worker judges changes);
 *   - one long wait: as steady, plus one seat waiting 30 minutes at 13:00, past the 15-minute limit.
 */
import { DEFAULT_CONFIRM, DEFAULT_KEEPALIVE_SECONDS, DEFAULT_SAMPLE_SECONDS } from "../beacon/limits.ts";
import { Pacer, type Reading } from "../beacon/pacer.ts";
import { DEFAULT_POLICY } from "../protocol/policy.ts";

const DAY_MS = 86_400_000;
const SAMPLE_MS = DEFAULT_SAMPLE_SECONDS * 1000;
const POLICY = {
  minSeats: DEFAULT_POLICY.minSeats,
  maxWaitSeconds: DEFAULT_POLICY.maxWaitSeconds,
  minWorking: DEFAULT_POLICY.minWorking,
  maxQuietSeconds: DEFAULT_POLICY.maxQuietSeconds,
};

/** Four seats; those waiting since `waitingSince`. */
function reading(waiting: number, waitingSince: number | null): Reading {
  return {
    observed: "ok",
    seats: 4,
    activity: { working: 4 - waiting, waiting, quiet: 0, waitingSince, quietSince: null },
  };
}

const PROFILES: Record<string, (t: number) => Reading> = {
  steady: () => reading(0, null),
  flipping: (t) => {
    const minute = Math.floor(t / 60_000);
    return minute % 2 === 1 ? reading(2, minute * 60_000) : reading(0, null);
  },
  "one long wait": (t) => {
    const start = 13 * 3_600_000;
    return t >= start && t < start + 1_800_000 ? reading(1, start) : reading(0, null);
  },
};

function pushesPerDay(profile: (t: number) => Reading): { pushes: number; causes: Record<string, number> } {
  const pacer = new Pacer({ confirm: DEFAULT_CONFIRM, keepaliveMs: DEFAULT_KEEPALIVE_SECONDS * 1000 }, 0);
  const causes: Record<string, number> = {};
  let pushes = 0;
  for (let t = 0; t < DAY_MS; t += SAMPLE_MS) {
    const sample = profile(t);
    const decision = pacer.sampled(t, sample);
    if (!decision.push) continue;
    pushes += 1;
    causes[decision.cause] = (causes[decision.cause] ?? 0) + 1;
    pacer.pushed(t, sample, { accepted: true, minSeats: POLICY.minSeats, policy: POLICY });
  }
  return { pushes, causes };
}

const steady = pushesPerDay(PROFILES.steady as (t: number) => Reading).pushes;
process.stdout.write("profile          pushes (KV writes) a host-day   vs steady   by cause\n");
for (const [name, profile] of Object.entries(PROFILES)) {
  const { pushes, causes } = pushesPerDay(profile);
  const by = Object.entries(causes)
    .map(([cause, n]) => `${cause} ${n}`)
    .join(", ");
  process.stdout.write(
    `${name.padEnd(16)} ${String(pushes).padStart(28)}   ${(pushes / steady).toFixed(3).padStart(8)}x   ${by}\n`,
  );
}
