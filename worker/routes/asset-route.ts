/**
 * The one route for public/'s files where the Worker serves them itself (SEATWATCH_SERVES_ASSETS):
 * one path segment naming a file (worker/faces/static-assets.ts lists them). Its own module, since
 * the Worker's entry may export only handlers and routes/assets.ts is loaded lazily.
 */
export const ASSET_ROUTE = "/:file{[a-z]+\\.(css|js|svg|json)}";
