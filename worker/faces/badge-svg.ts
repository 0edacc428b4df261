/**
 * shields.io-look SVG badges, drawn the way badge-maker 6 draws them (same geometry, same text
 * measurement, same markup) without bundling it: badge-maker needs nodejs_compat and adds about
 * 300 KiB gzip to a Worker. test/faces/badge-oracle.test.ts compares our output with badge-maker's
 * byte for byte, so a drift shows up as a failing test rather than a badge that looks off.
 * Pure string work, no Worker APIs, so Node tests and the bench import it directly.
 */
import { FIRST_CODE_POINT, LAST_CODE_POINT, RUNS, WIDTHS } from "../generated/badge-widths.ts";

export const BADGE_STYLES = ["flat", "flat-square", "for-the-badge"] as const;
export type BadgeStyle = (typeof BADGE_STYLES)[number];

/** shields.io's named colours as badge-maker 6 paints them. */
export const BADGE_COLORS = {
  brightgreen: "#4b0",
  green: "#67ac09",
  yellow: "#d8b800",
  orange: "#ea7233",
  red: "#dd4343",
  blue: "#007ec6",
  grey: "#555",
  lightgrey: "#939393",
} as const;
export type BadgeColor = keyof typeof BADGE_COLORS;

export interface BadgeContent {
  label: string;
  message: string;
  color: BadgeColor;
}

type Font = keyof typeof WIDTHS;

const LABEL_COLOR = "#555";
const WHITE = "#fff";
const FONT_FAMILY = "Verdana,Geneva,DejaVu Sans,sans-serif";

const decoded = new Map<Font, (number | undefined)[]>();

function widthTable(font: Font): (number | undefined)[] {
  let table = decoded.get(font);
  if (!table) {
    const digits = WIDTHS[font];
    table = [];
    for (let at = 0; at < digits.length; at += 3) {
      const cell = digits.slice(at, at + 3);
      // Hundredths divided by 100 give the same doubles as the source table's decimal literals,
      // so sums match badge-maker's to the last bit and its `| 0` truncation lands the same way.
      table.push(cell === "___" ? undefined : Number.parseInt(cell, 36) / 100);
    }
    decoded.set(font, table);
  }
  return table;
}

function runWidth(font: Font, cp: number): number | undefined {
  const run = RUNS[font].find(([first, last]) => cp >= first && cp <= last);
  return run ? run[2] / 100 : undefined;
}

/**
 * Text width in pixels as anafanafo (badge-maker's measure) computes it: control characters are 0
 * wide, characters without a width count as an "m". Characters our compact table leaves out
 * (beyond U+04FF and not in a long run, e.g. kana, Hangul, emoji) also count as an "m", where
 * badge-maker may know a narrower or wider width.
 */
export function textWidth(text: string, font: Font): number {
  const table = widthTable(font);
  const em = table["m".charCodeAt(0) - FIRST_CODE_POINT] ?? 0;
  let width = 0.0;
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp <= 31 || cp === 127) continue;
    width += (cp <= LAST_CODE_POINT ? table[cp - FIRST_CODE_POINT] : runWidth(font, cp)) ?? em;
  }
  return width;
}

function roundUpToOdd(value: number): number {
  return value % 2 === 0 ? value + 1 : value;
}

/** Odd widths centre text on the pixel grid (shields' rule). */
function preferredWidth(text: string): number {
  return roundUpToOdd(textWidth(text, "verdana11") | 0);
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** shields' perceived-brightness rule: light backgrounds get dark text. */
function textColors(hex: string): { text: string; shadow: string } {
  const h = hex.slice(1);
  const full = h.length === 3 ? [...h].map((c) => c + c).join("") : h;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
  const brightness = +((r * 299 + g * 587 + b * 114) / 255000).toFixed(2);
  return brightness <= 0.69 ? { text: WHITE, shadow: "#010101" } : { text: "#333", shadow: "#ccc" };
}

function fillUnlessWhite(color: string): string {
  return color === WHITE ? "" : ` fill="${color}"`;
}

function svg(width: number, height: number, accessible: string, body: string): string {
  const text = escapeXml(accessible);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${text}"><title>${text}</title>${body}</svg>`;
}

function accessibleText(label: string, message: string): string {
  return label ? `${label}: ${message}` : message;
}

function flat(label: string, message: string, color: string, shadow: boolean): string {
  const hasLabel = label.length > 0;
  const labelColor = hasLabel ? LABEL_COLOR : color;
  const labelWidth = hasLabel ? preferredWidth(label) : 0;
  const leftWidth = hasLabel ? labelWidth + 10 : 0;
  const messageWidth = preferredWidth(message);
  const messageMargin = leftWidth - (message.length ? 1 : 0) + (hasLabel ? 0 : 1);
  const rightWidth = messageWidth + 10;
  const width = leftWidth + rightWidth;

  const textElement = (margin: number, content: string, background: string, contentWidth: number): string => {
    if (!content) return "";
    const { text: fill, shadow: shadowFill } = textColors(background);
    const x = 10 * (margin + 0.5 * contentWidth + 5);
    const length = 10 * contentWidth;
    const escaped = escapeXml(content);
    if (!shadow) {
      return `<text x="${x}" y="140" textLength="${length}" transform="scale(.1)"${fillUnlessWhite(fill)}>${escaped}</text>`;
    }
    return (
      `<g transform="scale(.1)"><g aria-hidden="true" fill="${shadowFill}">` +
      `<text x="${x}" y="150" fill-opacity=".8" filter="url(#blur)" textLength="${length}">${escaped}</text>` +
      `<text x="${x}" y="150" fill-opacity=".3" textLength="${length}">${escaped}</text></g>` +
      `<text x="${x}" y="140" textLength="${length}"${fillUnlessWhite(fill)}>${escaped}</text></g>`
    );
  };

  const rects =
    `<rect width="${leftWidth}" height="20" fill="${labelColor}"/>` +
    `<rect x="${leftWidth}" width="${rightWidth}" height="20" fill="${color}"/>`;
  const background = shadow
    ? `<filter id="blur"><feGaussianBlur stdDeviation="16"/></filter>` +
      `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
      `<clipPath id="r"><rect width="${width}" height="20" rx="3"/></clipPath>` +
      `<g clip-path="url(#r)">${rects}<rect width="${width}" height="20" fill="url(#s)"/></g>`
    : `<g shape-rendering="crispEdges">${rects}</g>`;
  const foreground =
    `<g fill="${WHITE}" text-anchor="middle" font-family="${FONT_FAMILY}" text-rendering="geometricPrecision" font-size="110">` +
    textElement(1, label, labelColor, labelWidth) +
    textElement(messageMargin, message, color, messageWidth) +
    "</g>";
  return svg(width, 20, accessibleText(label, message), background + foreground);
}

/** Taller, capitals, letter-spaced, bold message; measured in 10px Verdana (shields' for-the-badge). */
function forTheBadge(rawLabel: string, rawMessage: string, color: string): string {
  const LETTER_SPACING = 1.25;
  const MARGIN = 12;
  const label = rawLabel.toUpperCase();
  const message = rawMessage.toUpperCase();
  const labelTextWidth = label.length ? (textWidth(label, "verdana10") | 0) + LETTER_SPACING * label.length : 0;
  const messageTextWidth = message.length
    ? (textWidth(message, "verdana10Bold") | 0) + LETTER_SPACING * message.length
    : 0;
  const hasLabel = label.length > 0;
  const labelRectWidth = hasLabel ? MARGIN + labelTextWidth + MARGIN : 0;
  const messageTextMinX = hasLabel ? labelRectWidth + MARGIN : MARGIN;
  const messageRectWidth = 2 * MARGIN + messageTextWidth;

  const text = (midX: number, content: string, background: string, contentWidth: number, bold: boolean) =>
    `<text transform="scale(.1)" x="${10 * midX}" y="175" textLength="${10 * contentWidth}"${bold ? ' font-weight="bold"' : ""}${fillUnlessWhite(textColors(background).text)}>${escapeXml(content)}</text>`;

  const background = hasLabel
    ? `<rect width="${labelRectWidth}" height="28" fill="${LABEL_COLOR}"/><rect x="${labelRectWidth}" width="${messageRectWidth}" height="28" fill="${color}"/>`
    : `<rect width="${messageRectWidth}" height="28" fill="${color}"/>`;
  const foreground =
    `<g fill="${WHITE}" text-anchor="middle" font-family="${FONT_FAMILY}" text-rendering="geometricPrecision" font-size="100">` +
    (hasLabel ? text(MARGIN + 0.5 * labelTextWidth, label, LABEL_COLOR, labelTextWidth, false) : "") +
    text(messageTextMinX + 0.5 * messageTextWidth, message, color, messageTextWidth, true) +
    "</g>";
  return svg(
    labelRectWidth + messageRectWidth,
    28,
    accessibleText(label, message),
    `<g shape-rendering="crispEdges">${background}</g>${foreground}`,
  );
}

export function renderBadge(content: BadgeContent, style: BadgeStyle = "flat"): string {
  const label = content.label.trim();
  const message = content.message.trim();
  const color = BADGE_COLORS[content.color];
  if (style === "for-the-badge") return forTheBadge(label, message, color);
  return flat(label, message, color, style === "flat");
}
