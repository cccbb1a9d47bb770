// Command-line flags of `npm run bench`.
import { parseArgs } from 'node:util';

export interface BenchArgs {
  /** Times each trial runs; the table shows medians. */
  repeats: number;
  /** Multiplies every scenario's size (messages, backlog, duration). */
  scale: number;
  /** Scenario ids to run (all when empty). */
  only: string[];
  /** Run only trials whose key starts with one of these (e.g. `messagio` for profiling). */
  variants: string[];
  /** Where the JSON results go. */
  out: string;
  quick: boolean;
  /**
   * Run the trials of isolated scenarios in this process too (for a CPU
   * profile of a whole scenario); their numbers then carry the promise hooks
   * an earlier trial's listeners left on (see bench/README.md § Isolation).
   */
  inProcess: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]
  --quick            tiny sizes, one repeat: the whole run takes under a minute (a smoke test)
  --repeats N        repeats of every trial (default 5; 1 with --quick)
  --scale F          size multiplier for every scenario (default 1; 0.02 with --quick)
  --only 1,3,5       run these scenarios only
  --variant messagio run only trials whose key starts with this (profiling)
  --out FILE         JSON results (default bench/results/latest.json for a full run,
                     bench/results/partial.json otherwise)
  --in-process       run every trial in this process, isolated scenarios' too (profiling;
                     see bench/README.md § Isolation)
  --help`;

export function parseBenchArgs(argv: string[]): BenchArgs | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      repeats: { type: 'string' },
      scale: { type: 'string' },
      only: { type: 'string' },
      variant: { type: 'string', multiple: true },
      out: { type: 'string' },
      'in-process': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const quick = values.quick ?? false;
  const repeats = positiveNumber('--repeats', values.repeats ?? (quick ? '1' : '5'));
  const scale = positiveNumber('--scale', values.scale ?? (quick ? '0.02' : '1'));
  if (!Number.isInteger(repeats)) throw new Error(`--repeats must be a whole number, got ${values.repeats}`);
  const only = (values.only ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const variants = values.variant ?? [];
  const inProcess = values['in-process'] ?? false;
  const full = !quick && scale === 1 && only.length === 0 && variants.length === 0 && repeats >= 5 && !inProcess;
  const out = values.out ?? (full ? 'bench/results/latest.json' : 'bench/results/partial.json');
  return { repeats, scale, only, variants, out, quick, inProcess };
}

function positiveNumber(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} must be a positive number, got ${raw}`);
  return value;
}
