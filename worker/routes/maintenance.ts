import { Hono } from "hono/tiny";
import { iso, isoOrNull } from "../../protocol/time.ts";
import type { AppEnv } from "../env.ts";
import { type NamedWindow, validateWindow, WINDOW_NAME_PATTERN, windowNow } from "../fleet/maintenance.ts";
import { forgetWindows } from "../fleet/maintenance-store.ts";
import { requireAdmin } from "../http/auth.ts";
import { adminBody } from "../http/body.ts";
import { now } from "../http/clock.ts";
import { ApiError, invalidFields } from "../http/errors.ts";
import { ledgerStub } from "../ledger/ledger.ts";

/** Maintenance windows (DESIGN §6): the ledger keeps them; every answer says where each stands now. */
export const maintenance = new Hono<AppEnv>();

function checkName(name: string): void {
  if (!WINDOW_NAME_PATTERN.test(name)) {
    throw new ApiError(
      400,
      "invalid_window",
      `window name ${JSON.stringify(name.slice(0, 80))} is invalid: use 1-63 characters of a-z, 0-9, '_' or '-', starting with a letter or digit`,
    );
  }
}

function unknownWindow(name: string): ApiError {
  return new ApiError(
    404,
    "unknown_window",
    `no maintenance window ${JSON.stringify(name)}; create it with PUT /v1/maintenance/${name}`,
  );
}

/** A window as listed: its fields, whether it is on now, and when it ends or next starts. */
function windowView(w: NamedWindow, at: number) {
  const state = windowNow(w, at);
  return { ...w, inside: state.inside, endsAt: isoOrNull(state.endsAt), nextStart: isoOrNull(state.nextStart) };
}

maintenance.get("/", requireAdmin, async (c) => {
  const at = now();
  const windows = await ledgerStub(c.env).listMaintenance();
  return c.json({ generatedAt: iso(at), maintenance: windows.map((w) => windowView(w, at)) });
});

maintenance.get("/:name", requireAdmin, async (c) => {
  const name = c.req.param("name");
  checkName(name);
  const found = (await ledgerStub(c.env).listMaintenance()).find((w) => w.name === name);
  if (!found) throw unknownWindow(name);
  return c.json(windowView(found, now()));
});

maintenance.put("/:name", requireAdmin, async (c) => {
  const name = c.req.param("name");
  checkName(name);
  const window = validateWindow(await adminBody(c.req.raw));
  if (!window.ok) throw invalidFields("invalid_window", window.errors);
  const at = now();
  const { created } = await ledgerStub(c.env).putMaintenance(name, window.value, at);
  forgetWindows();
  return c.json(windowView({ name, ...window.value }, at), created ? 201 : 200);
});

maintenance.delete("/:name", requireAdmin, async (c) => {
  const name = c.req.param("name");
  checkName(name);
  if (!(await ledgerStub(c.env).deleteMaintenance(name))) throw unknownWindow(name);
  forgetWindows();
  return c.body(null, 204);
});
