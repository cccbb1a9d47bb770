// The ISO string of the last millisecond asked for: fires that arrive in the
// same millisecond (a burst of concurrent request handlers) share one
// `toISOString()`, the dearest part of an envelope's head after its ids.
let lastMs = Number.NaN;
let lastIso = '';

/** `new Date().toISOString()`, made once per millisecond. */
export function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
