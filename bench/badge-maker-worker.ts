/**
 * What bundling shields.io's badge-maker would cost (bench/badge.ts measures it): one route,
 * built with nodejs_compat, which badge-maker needs.
 */
import { makeBadge } from "badge-maker";

export default {
  fetch: () =>
    new Response(makeBadge({ label: "seats", message: "12 up", color: "brightgreen" }), {
      headers: { "content-type": "image/svg+xml" },
    }),
};
