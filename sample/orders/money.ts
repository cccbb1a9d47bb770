/** 12345 → "123.45 EUR". */
export function formatCents(cents: number): string {
  return `${(cents / 100).toFixed(2)} EUR`;
}
