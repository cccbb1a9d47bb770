import type { ContractChange } from './compatibility.js';

/**
 * The changes as a plain-text table (type, change, verdict), one row each,
 * for a terminal or a CI log; a line saying so when there are none.
 */
export function changesTable(changes: readonly ContractChange[]): string {
  if (changes.length === 0) return 'No change against the snapshot.';
  const rows = [['type', 'change', 'verdict'], ...changes.map((c) => [c.type, c.change, c.verdict])];
  const widths = [0, 1, 2].map((col) => Math.max(...rows.map((row) => row[col]!.length)));
  const line = (row: string[]) => row.map((cell, col) => (col === 2 ? cell : cell.padEnd(widths[col]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
