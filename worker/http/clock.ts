/** The Worker's notion of now, in one place so every handler judges with the same clock. */
export function now(): number {
  return Date.now();
}
