// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by
// function, by package, and inclusive time of the library's own functions.
//   node .tmp/bench/bench/profile-summary.js .tmp/prof/CPU.*.cpuprofile [--top 30]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node core';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.includes('/.tmp/bench/lib/')) return 'nestjs-messagio (lib)';
  if (url.includes('/.tmp/bench/bench/')) return 'benchmark code';
  return url;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(node_modules|\.tmp\/bench)\//, '').replace(/^file:\/\//, '');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

function top(map: Map<string, number>, total: number, n: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)} %  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`);
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const n = topAt >= 0 ? Number(args[topAt + 1]) : 30;
for (const file of args.filter((a, i) => !a.startsWith('--') && i !== topAt + 1)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const inclusiveLib = new Map<string, number>();
  for (const [id, micros] of selfTime) {
    const node = byId.get(id)!;
    total += micros;
    if (node.callFrame.functionName === '(idle)') continue;
    byFunction.set(label(node), (byFunction.get(label(node)) ?? 0) + micros);
    byPackage.set(where(node.callFrame.url), (byPackage.get(where(node.callFrame.url)) ?? 0) + micros);
    // Inclusive time of library functions: charge every lib frame on the stack once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      if (where(frame.callFrame.url) !== 'nestjs-messagio (lib)') continue;
      const key = label(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusiveLib.set(key, (inclusiveLib.get(key) ?? 0) + micros);
    }
  }
  const idle = [...selfTime].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((s, [, v]) => s + v, 0);
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled, ${(idle / 1000).toFixed(0)} ms idle`);
  console.log('\nSelf time by package:');
  console.log(top(byPackage, total, 15).join('\n'));
  console.log('\nSelf time by function:');
  console.log(top(byFunction, total, n).join('\n'));
  console.log('\nInclusive time of nestjs-messagio functions:');
  console.log(top(inclusiveLib, total, n).join('\n'));
}
