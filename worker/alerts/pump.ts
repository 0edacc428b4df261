/**
 * The delivery loop of one alarm run (DESIGN §6): up to `concurrency` sends in flight, each
 * result recorded the moment it arrives, and new work claimed as soon as a slot is free or new
 * work is queued. With `claim` taking at most one item per receiver at a time (outbox.ts), one
 * hung receiver holds one slot for its timeout however long its backlog, never the others: a
 * healthy receiver hears an alert queued mid-run within that same run.
 */

/** Lets whoever queues work wake a loop that is waiting on sends already in flight. */
export class Doorbell {
  private waiting: (() => void) | null = null;

  ring(): void {
    this.waiting?.();
    this.waiting = null;
  }

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}

export interface PumpOptions<T> {
  /**
   * Claims the next due item (synchronously, so no other run can claim it too), or null; null too
   * when every due item is waiting for a send in flight to the same receiver.
   */
  claim: () => T | null;
  /** Sends one item and records its result; must not throw. */
  deliver: (item: T) => Promise<void>;
  concurrency: number;
  /** Items this run may claim in all (a Worker invocation's subrequests are limited). */
  budget: number;
  doorbell: Doorbell;
}

/** Runs until nothing is due and nothing is in flight, or the budget is spent; returns items claimed. */
export async function pump<T>(options: PumpOptions<T>): Promise<number> {
  const inFlight = new Set<Promise<void>>();
  let claimed = 0;
  for (;;) {
    while (inFlight.size < options.concurrency && claimed < options.budget) {
      const item = options.claim();
      if (item === null) break;
      claimed++;
      const sending: Promise<void> = options.deliver(item).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
    if (inFlight.size === 0) return claimed;
    await Promise.race([...inFlight, options.doorbell.wait()]);
  }
}
