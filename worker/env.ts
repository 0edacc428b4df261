/**
 * The Worker's bindings: `Env` is generated from wrangler.toml by `npm run types`.
 * The secrets below are optional by design, so they cannot be `secrets.required` in wrangler.toml:
 * unset ADMIN_TOKEN refuses every admin call, unset READ_TOKEN makes reads public (DESIGN §5).
 */
export type Bindings = Env & {
  ADMIN_TOKEN?: string;
  READ_TOKEN?: string;
  WATCHDOG_URL?: string;
};

export type AppEnv = { Bindings: Bindings; Variables: { requestId: string } };
