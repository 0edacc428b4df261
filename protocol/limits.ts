/**
 * Wire limits shared by the beacon and the Worker (DESIGN §4, §5).
 * Each number encodes a decision; the reason sits next to it.
 */

/** A beat is small by design; anything larger is a bug or an attack (413 before the body is read). */
export const MAX_BEAT_BYTES = 16 * 1024;

/** Signed timestamps further than this from the Worker's clock are refused (Standard Webhooks' usual window). */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

/** The Standard Webhooks header may carry several signatures for key rotation; more than this is abuse. */
export const MAX_SIGNATURES = 4;

/** Counts are bounded so a broken beacon cannot store absurd numbers. */
export const MAX_COUNT = 100_000;

/** `commands` keeps the top entries only: enough to see what runs, small enough for KV metadata budgets. */
export const MAX_COMMANDS = 20;

/** A box with more tmux servers than this is not a fleet host we understand; the beat stays under 16 KiB. */
export const MAX_SERVERS = 64;

/** `binaries` lists tmux executables the beacon found (doctor output); bounded for size. */
export const MAX_BINARIES = 32;

/** Reason codes are snake_case and short (DESIGN §4). */
export const REASON_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** Beacon instance ids: random per start, URL-safe. */
export const INSTANCE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** webhook-id values: printable, bounded (Standard Webhooks ids are opaque strings such as msg_…). */
export const WEBHOOK_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** Longest free-text field we keep (paths, versions). */
export const MAX_TEXT = 512;

/**
 * Seat-list text (session names, commands, a mark's `why`): enough to find the pane
 * (`tmux attach -t session:window`), small enough that 32 entries keep a beat far below 16 KiB.
 */
export const MAX_SEAT_TEXT = 64;

/** tmux pane ids: `%` and the server's pane counter. */
export const PANE_ID_PATTERN = /^%[0-9]{1,10}$/;
