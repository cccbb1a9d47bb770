// What a debugger shows for a stack frame in node_modules/nestjs-messagio: the
// TypeScript source its source maps carry (sourcesContent), or the file if it exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

interface SourceMap {
  sourceRoot?: string;
  sources: string[];
  sourcesContent?: (string | null)[];
}

/** Frames of `stack` in the package's own .ts files: path, line, column. */
export function packageFrames(stack: string): { path: string; line: number }[] {
  return [...stack.matchAll(/\(?(\/[^\s()]*\/node_modules\/nestjs-messagio\/[^\s():]+\.ts):(\d+):\d+\)?/g)].map((m) => ({ path: m[1], line: Number(m[2]) }));
}

/** Source text by absolute .ts path, from the source maps of one build of the package (e.g. `dist`). */
export function packageSources(build: string): Map<string, string> {
  const root = join(resolve('node_modules/nestjs-messagio'), build);
  const sources = new Map<string, string>();
  for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.js.map')) continue;
    const mapPath = join(root, file);
    const map = JSON.parse(readFileSync(mapPath, 'utf8')) as SourceMap;
    map.sources.forEach((source, i) => {
      const text = map.sourcesContent?.[i] ?? null;
      if (text !== null) sources.set(resolve(dirname(mapPath), map.sourceRoot ?? '', source), text);
    });
  }
  return sources;
}

/** The source line a debugger would show for a frame, or undefined when it has none to show. */
export function sourceLine(sources: Map<string, string>, frame: { path: string; line: number }): string | undefined {
  const text = sources.get(frame.path) ?? (existsSync(frame.path) ? readFileSync(frame.path, 'utf8') : undefined);
  return text?.split('\n')[frame.line - 1];
}
