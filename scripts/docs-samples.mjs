#!/usr/bin/env node
// Keeps the TypeScript samples of README.md and docs/ compiled.
//
// Every ```ts block in those files is a copy of a region of a file under
// docs/examples/ (type-checked by `npm run typecheck:docs`), named by a marker
// on the line right before the block:
//
//   <!-- sample: docs/examples/firing/fire-many.ts#fire-many -->
//   ```ts
//   ...the lines between `// #region fire-many` and `// #endregion`, dedented...
//   ```
//
// Without `#region`, the whole file is the sample. The file is the source:
//   node scripts/docs-samples.mjs           checks (run by `npm run lint`): exit 1 on any problem
//   node scripts/docs-samples.mjs --write   rewrites the blocks from the files
//   --root <dir>: another repository root (the checker's own tests use fixtures)
// Shell, JSON and text blocks are not samples and are left alone.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Fence languages that are TypeScript, hence must be compiled samples. */
const TYPESCRIPT = new Set(['ts', 'typescript', 'tsx', 'mts', 'cts']);

/** Where samples live: the only files `typecheck:docs` compiles. */
export const EXAMPLES_DIR = 'docs/examples/';

const MARKER = /^<!--\s*sample:\s*(\S+?)\s*-->$/;
const OPEN_FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/;
const REGION_START = /^\s*\/\/\s*#region\s+(\S+)\s*$/;
const REGION_END = /^\s*\/\/\s*#endregion\b/;

const HOW_TO =
  `put the code in a file under ${EXAMPLES_DIR} between "// #region <name>" and "// #endregion", ` +
  `write <!-- sample: ${EXAMPLES_DIR}<file>.ts#<name> --> on the line right before the block, ` +
  'then run `npm run docs:samples -- --write`';

/**
 * The fenced code blocks of a markdown text, outermost only (a fence inside
 * another block is content), each with the sample marker right before it.
 */
export function findBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN_FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end])) end++;
    const previous = i > 0 ? MARKER.exec(lines[i - 1].trim()) : null;
    blocks.push({
      lang: lang.toLowerCase(),
      indent,
      /** Line indices of the opening and closing fences. */
      start: i,
      end,
      body: lines.slice(i + 1, end).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart())),
      marker: previous ? { ref: previous[1], line: i - 1 } : undefined,
    });
    i = end;
  }
  return blocks;
}

/** Markers that no block follows (a blank line in between, or a block that is not TypeScript). */
function strayMarkers(markdown, blocks) {
  const used = new Set(blocks.filter((b) => b.marker && TYPESCRIPT.has(b.lang)).map((b) => b.marker.line));
  const inside = (i) => blocks.some((b) => i > b.start && i <= b.end);
  return markdown
    .split('\n')
    .map((line, i) => ({ line: i, match: MARKER.exec(line.trim()) }))
    .filter(({ line, match }) => match && !used.has(line) && !inside(line));
}

/**
 * The text of region `name` of a sample file (the whole file without a name),
 * without region marker lines, dedented, without blank lines around it.
 * Returns `{ error }` when the region is missing or malformed.
 */
export function extractRegion(source, name) {
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  const regions = new Map();
  const open = [];
  for (let i = 0; i < lines.length; i++) {
    const start = REGION_START.exec(lines[i]);
    if (start) {
      if (regions.has(start[1]) || open.some((r) => r.name === start[1])) return { error: `has region "${start[1]}" twice` };
      open.push({ name: start[1], from: i + 1 });
    } else if (REGION_END.test(lines[i])) {
      const region = open.pop();
      if (!region) return { error: `has an "// #endregion" without its "// #region" (line ${i + 1})` };
      regions.set(region.name, { from: region.from, to: i });
    }
  }
  if (open.length > 0) return { error: `never closes region "${open[open.length - 1].name}" (add "// #endregion")` };
  let body;
  if (name === undefined) {
    body = lines;
  } else {
    const region = regions.get(name);
    if (!region) {
      const known = [...regions.keys()];
      return { error: `has no region "${name}" (${known.length ? `its regions: ${known.join(', ')}` : 'it has no regions'}); mark it with "// #region ${name}" … "// #endregion"` };
    }
    body = lines.slice(region.from, region.to);
  }
  body = body.filter((line) => !REGION_START.test(line) && !REGION_END.test(line)).map((line) => line.trimEnd());
  while (body.length > 0 && body[0] === '') body.shift();
  while (body.length > 0 && body[body.length - 1] === '') body.pop();
  const indent = Math.min(...body.filter((l) => l !== '').map((l) => l.length - l.trimStart().length));
  return { text: body.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n') };
}

/**
 * Checks (and, with `write`, updates) the samples of one markdown text.
 * `load(path)` returns a sample file's text, or undefined when it does not
 * exist. Returns the problems (`file:line: what to do`) and the text, with
 * stale blocks rewritten from their files when `write` is set.
 */
export function syncMarkdown(markdown, { file, load, write = false }) {
  const problems = [];
  const lines = markdown.split('\n');
  const blocks = findBlocks(markdown);
  const at = (i) => `${file}:${i + 1}`;
  // Rewrite from the end, so that earlier line numbers stay valid.
  for (const block of [...blocks].reverse()) {
    if (!TYPESCRIPT.has(block.lang)) continue;
    if (!block.marker) {
      problems.push(`${at(block.start)}: this \`\`\`${block.lang} block has no sample marker, so it is never compiled. To fix: ${HOW_TO}. (Not TypeScript? Give the block another language, e.g. \`\`\`text.)`);
      continue;
    }
    const [path, region, extra] = block.marker.ref.split('#');
    if (extra !== undefined || path === '' || region === '') {
      problems.push(`${at(block.marker.line)}: sample marker "${block.marker.ref}" is not <path>#<region> or <path>.`);
      continue;
    }
    if (!path.startsWith(EXAMPLES_DIR) || path.split('/').includes('..')) {
      problems.push(`${at(block.marker.line)}: sample ${path} is not under ${EXAMPLES_DIR}, where \`npm run typecheck:docs\` compiles samples: move it there.`);
      continue;
    }
    const source = load(path);
    if (source === undefined) {
      problems.push(`${at(block.marker.line)}: sample file ${path} does not exist (create it, or fix the marker).`);
      continue;
    }
    const sample = extractRegion(source, region);
    if (sample.error) {
      problems.push(`${at(block.marker.line)}: sample file ${path} ${sample.error}.`);
      continue;
    }
    const expected = sample.text.split('\n');
    const actual = block.body.map((l) => l.trimEnd());
    const differs = expected.length !== actual.length || expected.some((l, i) => l !== actual[i]);
    if (!differs) continue;
    if (write) {
      const indented = expected.map((l) => (l === '' ? '' : block.indent + l));
      lines.splice(block.start + 1, block.end - block.start - 1, ...indented);
      continue;
    }
    const i = expected.findIndex((l, n) => l !== actual[n]);
    const first = i === -1 ? expected.length : i;
    problems.push(
      `${at(block.start)}: this block differs from ${block.marker.ref} (first at its line ${first + 1}: ` +
        `file has ${JSON.stringify(expected[first] ?? '<end>')}, markdown has ${JSON.stringify(actual[first] ?? '<end>')}). ` +
        'The file is the source: edit it, then run `npm run docs:samples -- --write` to copy it here.',
    );
  }
  for (const { line } of strayMarkers(markdown, blocks)) {
    problems.push(`${at(line)}: this sample marker is not on the line right before a \`\`\`ts block.`);
  }
  problems.sort((a, b) => Number(a.split(':')[1]) - Number(b.split(':')[1]));
  return { problems, text: lines.join('\n') };
}

/** README.md and every markdown file under docs/ (docs/examples excepted). */
export function markdownFiles(root) {
  const files = ['README.md'];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory() && `${path}/` !== EXAMPLES_DIR) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  return files.sort();
}

/** Checks (or writes) every markdown file under `root`; returns the problems. */
export function syncRepository(root, { write = false, files = markdownFiles(root) } = {}) {
  const load = (path) => {
    const full = resolve(root, path);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  };
  const problems = [];
  for (const file of files) {
    const markdown = readFileSync(join(root, file), 'utf8');
    const result = syncMarkdown(markdown, { file, load, write });
    problems.push(...result.problems);
    if (write && result.text !== markdown) {
      writeFileSync(join(root, file), result.text);
      console.log(`docs-samples: updated ${file}`);
    }
  }
  return problems;
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  let root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  let write = false;
  const files = [];
  for (let args = process.argv.slice(2); args.length > 0; ) {
    const arg = args.shift();
    if (arg === '--write') write = true;
    else if (arg === '--root') root = resolve(args.shift() ?? '.');
    else files.push(arg);
  }
  const only = files.map((f) => relative(root, resolve(f)).split(sep).join('/'));
  const problems = syncRepository(root, { write, ...(only.length > 0 ? { files: only } : {}) });
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`docs-samples: ${problems.length} problem${problems.length > 1 ? 's' : ''} in the markdown samples.`);
    process.exitCode = 1;
  } else {
    console.log(`docs-samples: every TypeScript sample matches its file under ${EXAMPLES_DIR}.`);
  }
}
