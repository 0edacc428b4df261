/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Times on the HTML pages (DESIGN §5): the server writes every time in UTC, so a page reads right
 * without JavaScript; the page script then shows it in the viewer's own zone, keeping UTC in the
 * title. `<time datetime>` carries the instant both ways.
 */
import type { FC } from "hono/jsx";
import { ago, iso, utcText } from "../../protocol/time.ts";
import { DASHBOARD_JS } from "./dashboard-assets.ts";

/** A past moment as "2m ago"; the exact time on hover (local and UTC once the script has run). */
export const When: FC<{ ms: number | null; now: number }> = ({ ms, now }) =>
  ms === null ? (
    <span class="muted">never</span>
  ) : (
    <time datetime={iso(ms)} title={utcText(ms)}>
      {ago(ms, now)}
    </time>
  );

/** A moment written out: UTC from the server, rewritten to the viewer's zone by the script. */
export const At: FC<{ ms: number }> = ({ ms }) => (
  <time datetime={iso(ms)} title={utcText(ms)} data-local>
    {utcText(ms)}
  </time>
);

/** A page's "Updated …" line: the refresh script swaps it in and shows the note while refreshes fail. */
export const Updated: FC<{ now: number }> = ({ now }) => (
  <p id="updated" data-live class="muted">
    Updated <At ms={now} />
    <span class="offline-note"> · refresh failed, retrying</span>
  </p>
);

/**
 * Rewrites `<time data-local>` to the viewer's zone with its numeric offset
 * (`2026-11-25 15:33:00 +05:30`), and prefixes the local time to the UTC title of relative times.
 * Numeric offsets rather than zone names: the same in every browser and locale. A
 * MutationObserver catches the regions the dashboard script swaps in on refresh.
 */
export const LOCAL_TIME_JS = `"use strict";
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  function local(date) {
    const offset = -date.getTimezoneOffset();
    const abs = Math.abs(offset);
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()) + " " +
      (offset < 0 ? "-" : "+") + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }
  function localize() {
    for (const el of document.querySelectorAll("time[datetime]:not([data-localized])")) {
      const date = new Date(el.dateTime);
      if (Number.isNaN(date.getTime())) continue;
      el.dataset.localized = "";
      if (el.hasAttribute("data-local")) el.textContent = local(date);
      else el.title = local(date) + " (" + el.title + ")";
    }
  }
  localize();
  new MutationObserver(localize).observe(document.body, { childList: true, subtree: true });
})();
`;

/** The one script both pages load (`/dashboard.js`): refresh in place, copy buttons, local times. */
export const PAGE_JS = `${DASHBOARD_JS}\n${LOCAL_TIME_JS}`;
