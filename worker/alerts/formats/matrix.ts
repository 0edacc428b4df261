/**
 * Matrix client-server API (https://spec.matrix.org/v1.11/client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid):
 * an `m.room.message` of msgtype `m.notice` (bots' messages, which clients do not answer), sent
 * with PUT to `<url>/<txnId>` where `url` is the room's
 * `…/_matrix/client/v3/rooms/<room id>/send/m.room.message` and the transaction id is the event's
 * id, so a retried delivery is the same event to the homeserver, never a duplicate message.
 * A whole event may be at most 65,536 bytes; the body is kept far below that (16,000 characters).
 */
import type { AlertEvent } from "../event.ts";
import { factLines, fitLines, headline } from "./text.ts";

export const MATRIX_MAX_BODY = 16_000;

export function matrixRequest(
  event: AlertEvent,
  url: string,
  accessToken: string,
): { method: "PUT"; url: string; headers: Record<string, string>; body: string } {
  return {
    method: "PUT",
    url: `${url.replace(/\/+$/, "")}/${encodeURIComponent(event.id)}`,
    headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({
      msgtype: "m.notice",
      body: fitLines([headline(event), ...factLines(event), event.links.host], MATRIX_MAX_BODY),
    }),
  };
}
