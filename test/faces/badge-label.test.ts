/**
 * Issue 12 item 8: a badge's `?label=` is text a stranger can choose, and the SVG must stay
 * well-formed XML whatever it is. Checked by a real XML parser (Chromium's DOMParser, which
 * refuses a document with a character XML 1.0 forbids) for every C0/C1 control and every
 * bidi embedding, override and isolate.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BADGE_STYLES, printableText, renderBadge } from "../../worker/faces/badge-svg.ts";
import { type Browser, launchChromium } from "../support/chromium.ts";

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));
}

const HOSTILE = [
  ...range(0x00, 0x1f),
  "\u007f",
  ...range(0x80, 0x9f),
  ...range(0x202a, 0x202e),
  ...range(0x2066, 0x2069),
  "\ufffe",
  "\uffff",
  "\ud800",
];

/** Parses each document with DOMParser; returns the ones that are not well-formed XML. */
async function notWellFormed(documents: string[]): Promise<string[]> {
  const page = await browser.newPage();
  try {
    return await page.evaluate((docs) => {
      const parser = new DOMParser();
      return docs.filter(
        (doc) => parser.parseFromString(doc, "image/svg+xml").getElementsByTagName("parsererror").length > 0,
      );
    }, documents);
  } finally {
    await page.close();
  }
}

const hex = (c: string) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

describe("a badge ?label= (printableText)", () => {
  it("is a parser that can fail: a raw U+0001 in a label makes the SVG not well-formed", async () => {
    const raw = renderBadge({ label: "a\u0001b", message: "12 up", color: "brightgreen" }, "flat");
    expect(await notWellFormed([raw])).toEqual([raw]);
  });

  it("keeps the SVG well-formed XML for every control and bidi character, in every style", async () => {
    const docs = HOSTILE.flatMap((c) =>
      BADGE_STYLES.map((style) =>
        renderBadge({ label: printableText(`a${c}b`), message: "1 up", color: "red" }, style),
      ),
    );
    expect(await notWellFormed(docs)).toEqual([]);
  });

  it("drops control and bidi characters, keeping the printable text around them", () => {
    for (const c of HOSTILE) {
      const label = printableText(`build${c}box`);
      expect(
        [...label].map(hex).filter((h) => HOSTILE.map(hex).includes(h)),
        hex(c),
      ).toEqual([]);
      expect(label.replace(" ", ""), hex(c)).toBe("buildbox");
    }
  });
});
