/**
 * `?refresh=N` on the HTML pages: seconds between in-place refreshes, for a wall screen or a
 * cheaper tab. Out-of-range values are clamped and junk falls back to the page's default, like the
 * browser's own meta refresh would rather than failing the page.
 */
const REFRESH_RANGE = { min: 5, max: 3600 } as const;

export function refreshSeconds(query: string | undefined, fallback: number): number {
  const n = Number(query);
  if (query === undefined || !Number.isInteger(n)) return fallback;
  return Math.min(REFRESH_RANGE.max, Math.max(REFRESH_RANGE.min, n));
}
