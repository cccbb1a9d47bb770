// The results as a Markdown table (pasted as is into bench/README.md and docs/performance.md), and the verdicts.
import type { RowResult, Summary, Target } from './harness.js';

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function cell(s: Summary & { label: string }): string {
  const spread = s.values.length > 1 ? ` (${formatNumber(s.min)}–${formatNumber(s.max)})` : '';
  return `${s.label} **${formatNumber(s.median)}**${spread}`;
}

export function targetText(target: Target): string {
  switch (target.kind) {
    case 'ratio-at-least':
      return `≥ ${target.value.toFixed(2)}×`;
    case 'extra-at-most':
      return `≤ +${formatNumber(target.value)} ${target.unit}`;
    case 'at-least':
      return `≥ ${formatNumber(target.value)} ${target.unit}`;
    case 'at-most':
      return `≤ ${formatNumber(target.value)} ${target.unit}`;
  }
}

/** A ratio with two decimals, or three when two would round a miss up to the target. */
function ratioText(ratio: number, target?: number): string {
  const two = ratio.toFixed(2);
  return target !== undefined && ratio < target && Number(two) >= target ? `${ratio.toFixed(3)}×` : `${two}×`;
}

export function verdictText(row: RowResult): string {
  if (!row.target || !row.verdict) return '';
  const { met, judged } = row.verdict;
  const shown =
    row.target.kind === 'ratio-at-least'
      ? ratioText(judged, row.target.value)
      : row.target.kind === 'extra-at-most'
        ? `${judged >= 0 ? '+' : ''}${formatNumber(judged)} ${row.target.unit}`
        : `${formatNumber(judged)} ${row.target.unit}`;
  return `${met ? 'met' : '**MISSED**'} (${shown})`;
}

/** Markdown table: one line per row, medians with min–max, ratio, target and verdict. */
export function renderTable(rows: RowResult[]): string {
  const header = ['#', 'case', 'metric', 'measured: median (min–max)', 'baseline: median (min–max)', 'ratio', 'target', 'verdict'];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((h) => (h === '#' ? '-:' : '---')).join(' | ')} |`];
  let last = '';
  for (const row of rows) {
    const scenario = row.scenario === last ? '' : `${row.scenario}. ${row.title}`;
    last = row.scenario;
    if (scenario) lines.push(`| **${row.scenario}** | **${row.title}** | | | | | | |`);
    lines.push(
      `| | ${[
        row.case,
        `${row.metric}${row.unit ? ` (${row.unit})` : ''}`,
        cell(row.subject),
        row.baseline ? cell(row.baseline) : '',
        row.ratio !== undefined ? ratioText(row.ratio, row.target?.kind === 'ratio-at-least' ? row.target.value : undefined) : '',
        row.target ? targetText(row.target) : '',
        verdictText(row),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** One line per target, for the end of the run. */
export function renderVerdicts(rows: RowResult[]): string {
  const judged = rows.filter((r) => r.verdict);
  const met = judged.filter((r) => r.verdict!.met).length;
  const lines = judged.map(
    (r) => `${r.verdict!.met ? '  met    ' : '  MISSED '} ${r.scenario}. ${r.title} — ${r.case}, ${r.metric}: ${verdictText(r)} vs target ${targetText(r.target!)}`,
  );
  return [`Targets: ${met}/${judged.length} met`, ...lines].join('\n');
}
