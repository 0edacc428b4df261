/** Secrets the worker test pool runs with (vitest.config.ts passes them as bindings). */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789";
