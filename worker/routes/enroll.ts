import { Hono } from "hono/tiny";
import { type EnrollAnswer, policyAnswer } from "../../protocol/answers.ts";
import type { AppEnv } from "../env.ts";
import { enroll } from "../fleet/enrollment.ts";
import { now } from "../http/clock.ts";
import { limitByClient } from "../http/rate-limit.ts";
import { ledgerStub } from "../ledger/ledger.ts";

export const enrollment = new Hono<AppEnv>();

enrollment.post("/", limitByClient, async (c) => {
  const host = await enroll(c.req.raw, c.env.SEATWATCH_KV, ledgerStub(c.env), now());
  const answer: EnrollAnswer = { enrolled: true, host: host.id, policy: policyAnswer(host.policy) };
  return c.json(answer);
});
