/**
 * What `npm run deploy` adds to `wrangler deploy`: public/ goes to Cloudflare's asset layer, and
 * the Worker is built without serving those files itself (wrangler.toml explains why dev differs).
 * The bundle test and the bundle bench build with the same flags, so they measure what ships.
 */
export const DEPLOY_FLAGS = ["--assets", "public", "--define", "SEATWATCH_SERVES_ASSETS:false"];
