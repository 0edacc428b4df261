/**
 * Telegram Bot API `sendMessage` (https://core.telegram.org/bots/api#sendmessage), POSTed to the
 * method URL `https://api.telegram.org/bot<token>/sendMessage` (the webhook's `url`, so the token
 * is redacted like any secret part of a URL). Plain text, no parse_mode: a host name or reason
 * can then never break Markdown or HTML entities. `text` is 1–4,096 characters after entity
 * parsing, so the whole message is cut below that. Telegram allows about one message a second per
 * chat; seatwatch's summaries (DESIGN §6) keep a storm to one message.
 */
import type { AlertEvent } from "../event.ts";
import { eventTone, factLines, fitLines, headline, type Tone } from "./text.ts";

export const TELEGRAM_MAX_TEXT = 4096;

const MARK: Record<Tone, string> = { down: "🔴", degraded: "🟠", ok: "🟢", info: "ℹ️" };

export function telegramBody(event: AlertEvent, chatId: string): Record<string, unknown> {
  const lines = [`${MARK[eventTone(event)]} ${headline(event)}`, ...factLines(event), event.links.host];
  return {
    chat_id: chatId,
    text: fitLines(lines, TELEGRAM_MAX_TEXT),
    link_preview_options: { is_disabled: true },
    // A recovery or a test need not wake anyone.
    disable_notification: eventTone(event) === "ok" || event.type === "test",
  };
}
