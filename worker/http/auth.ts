/**
 * Admin and read access (DESIGN §5). Tokens are compared in constant time over their SHA-256
 * digests (equal lengths, so the comparison leaks neither content nor length).
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "./errors.ts";

const encoder = new TextEncoder();

export async function tokensEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer +(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}

/** The password of an HTTP Basic header (any user name), so a browser can open the dashboard. */
function basicPassword(header: string | undefined): string | null {
  const match = /^Basic +([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) return null;
  try {
    const decoded = atob(match[1]);
    const colon = decoded.indexOf(":");
    return colon >= 0 ? decoded.slice(colon + 1) : null;
  } catch {
    return null;
  }
}

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) {
    throw new ApiError(
      401,
      "admin_disabled",
      "the admin API is disabled because ADMIN_TOKEN is not set: `wrangler secret put ADMIN_TOKEN` (or ADMIN_TOKEN in .dev.vars locally)",
    );
  }
  const given = bearer(c.req.header("authorization"));
  if (given === null || !(await tokensEqual(given, expected))) {
    throw new ApiError(401, "unauthorized", "send the admin token as `Authorization: Bearer <ADMIN_TOKEN>`");
  }
  await next();
};

/** Gates reads when READ_TOKEN is set; `public` routes (badges) pass unless PUBLIC_BADGES=false. */
export function requireRead(kind: "api" | "badge" = "api"): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const expected = c.env.READ_TOKEN;
    const badgesPublic = c.env.PUBLIC_BADGES !== "false";
    if (!expected || (kind === "badge" && badgesPublic)) return next();
    const header = c.req.header("authorization");
    const given = bearer(header) ?? basicPassword(header);
    if (given === null || !(await tokensEqual(given, expected))) {
      throw new ApiError(
        401,
        "unauthorized",
        "this seatwatch needs the read token: `Authorization: Bearer <READ_TOKEN>`, or any user name with it as the Basic-auth password",
        undefined,
        { "www-authenticate": 'Basic realm="seatwatch", charset="UTF-8"' },
      );
    }
    await next();
  };
}
