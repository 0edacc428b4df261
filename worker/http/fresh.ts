/**
 * Signed requests (beats, enrollments) are only good near the moment they were signed, so a
 * captured one cannot be sent again much later (Standard Webhooks' replay window, protocol/limits.ts).
 */
import { TIMESTAMP_TOLERANCE_SECONDS } from "../../protocol/limits.ts";
import { ApiError } from "./errors.ts";

/** `label` names the time that is off; `what` is the request to sign again ("beat"). */
export function checkFresh(label: string, ms: number, now: number, what: string): void {
  const skew = Math.round((ms - now) / 1000);
  if (Math.abs(ms - now) > TIMESTAMP_TOLERANCE_SECONDS * 1000) {
    throw new ApiError(
      401,
      "stale_timestamp",
      `${label} is ${Math.abs(skew)} s ${skew > 0 ? "ahead of" : "behind"} the Worker's clock (limit ±${TIMESTAMP_TOLERANCE_SECONDS} s): sync the host's clock (chrony/systemd-timesyncd) and sign a fresh ${what}`,
    );
  }
}
