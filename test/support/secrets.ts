/** Secrets the worker test pool runs with (vitest.config.ts passes them as bindings). */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789";

/**
 * The per-IP beat limit in tests. wrangler.toml's production value (1,200 a minute) would take
 * ~20 s of requests to reach in workerd; the binding and its behaviour are the same.
 */
export const TEST_BEAT_LIMIT = 100;
