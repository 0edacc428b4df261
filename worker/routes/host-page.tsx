/** @jsxRuntime automatic @jsxImportSource hono/jsx */

import { html } from "hono/html";
import { Hono } from "hono/tiny";
import { describeHostIdProblem, hostIdProblem } from "../../protocol/host.ts";
import type { AppEnv } from "../env.ts";
import { HostNotFound, HostPage } from "../faces/host-page.tsx";
import { loadHostPage } from "../faces/host-page-data.ts";
import { requireRead } from "../http/auth.ts";
import { now } from "../http/clock.ts";
import { pageHeaders } from "../http/page-headers.ts";
import { refreshSeconds } from "../http/refresh.ts";

export const hostPage = new Hono<AppEnv>();

/** A host page refreshes less often than the dashboard unless `?refresh=N`: one host changes rarely. */
const REFRESH_SECONDS = 60;

hostPage.get("/:id", requireRead(), pageHeaders, async (c) => {
  const id = c.req.param("id");
  c.header("cache-control", "no-store");
  const problem = hostIdProblem(id);
  const data = problem === null ? await loadHostPage(c.env, id, now()) : null;
  if (!data) {
    const why = problem === null ? null : describeHostIdProblem(id, problem);
    return c.html(html`<!doctype html>${<HostNotFound id={id} problem={why} />}`, 404);
  }
  const page = (
    <HostPage
      data={data}
      origin={new URL(c.req.url).origin}
      badgesPublic={!c.env.READ_TOKEN || c.env.PUBLIC_BADGES !== "false"}
      refreshSeconds={refreshSeconds(c.req.query("refresh"), REFRESH_SECONDS)}
    />
  );
  return c.html(html`<!doctype html>${page}`);
});
