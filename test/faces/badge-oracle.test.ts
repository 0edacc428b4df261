/**
 * badge-maker (shields.io's own renderer) is the oracle: our badges must be the same bytes.
 * It cannot ship in the Worker (about 300 KiB gzip with nodejs_compat), so it runs here in Node.
 */
import { makeBadge } from "badge-maker";
import { describe, expect, it } from "vitest";
import { BADGE_COLORS, BADGE_STYLES, type BadgeColor, renderBadge, textWidth } from "../../worker/faces/badge-svg.ts";
import { FIRST_CODE_POINT, LAST_CODE_POINT, RUNS } from "../../worker/generated/badge-widths.ts";

const COLORS = Object.keys(BADGE_COLORS) as BadgeColor[];

function inTable(text: string): boolean {
  return Array.from(text).every((c) => (c.codePointAt(0) ?? 0) <= LAST_CODE_POINT);
}

function same(label: string, message: string, color: BadgeColor, style: (typeof BADGE_STYLES)[number]) {
  expect(renderBadge({ label, message, color }, style), `${style} ${JSON.stringify(label)} | ${message}`).toBe(
    makeBadge({ label, message, color, style }),
  );
}

describe("badges match badge-maker byte for byte", () => {
  it("for every message and colour seatwatch draws, in every style", () => {
    const messages = [
      "12 up",
      "3/5 low",
      "2 waiting",
      "3/8 working",
      "1/5 waiting",
      "1/5 stalled",
      "0 blind",
      "error",
      "silent 14m",
      "paused",
      "new",
      "unknown",
      "2/7 down",
    ];
    const uptimes = ["100%", "99.95%", "99.00%", "0.00%", "—"];
    for (const style of BADGE_STYLES) {
      for (const message of [...messages, ...uptimes]) {
        for (const color of COLORS) {
          for (const label of ["seats", "fleet", "uptime", ""]) same(label, message, color, style);
        }
      }
    }
  });

  it("for labels people type: spaces, accents, capitals, markup, padding", () => {
    const labels = ["build box", "Ünïcødé ßtraße", "WWW.EXAMPLE.COM", `<b>&"'`, "  padded  ", "tab\there", "日本語"];
    for (const style of BADGE_STYLES) for (const label of labels) same(label, "12 up", "brightgreen", style);
  });

  it("measures every character of the compact table exactly (100 repeats expose a 0.01 px error)", () => {
    for (let cp = FIRST_CODE_POINT; cp <= LAST_CODE_POINT; cp++) {
      const text = String.fromCodePoint(cp).repeat(100);
      same(text, text, "blue", "flat");
      // for-the-badge measures capitals; a few lower-case letters capitalise beyond the table.
      if (inTable(text.toUpperCase())) same(text, text, "blue", "for-the-badge");
    }
  });

  it("measures the long runs of one width beyond the table (CJK ideographs, Braille) exactly", () => {
    for (const [first, last] of RUNS.verdana11) {
      const text = (String.fromCodePoint(first) + String.fromCodePoint(last)).repeat(50);
      same(text, text, "red", "flat");
      same(text, text, "red", "for-the-badge");
    }
  });
});

describe("outside the compact table", () => {
  it("counts a character as wide as an m, as badge-maker does for characters it does not know", () => {
    expect(textWidth("\u3042", "verdana11")).toBe(textWidth("m", "verdana11"));
    expect(textWidth("\u{1F600}", "verdana10Bold")).toBe(textWidth("m", "verdana10Bold"));
  });

  it("counts control characters as zero wide", () => {
    expect(textWidth("a\u0007b\u007f", "verdana11")).toBe(textWidth("ab", "verdana11"));
  });
});
