import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The package whose standalone bundle renders the page: an optional peer dependency. */
export const REACT_COMPONENT = '@asyncapi/react-component';

/** The files of the standalone bundle the page loads, from the installed package. */
export interface PageAssets {
  script: string;
  style: string;
}

/**
 * Where `@asyncapi/react-component`'s standalone bundle and its styles are
 * installed, or undefined when the package is not. Looked up once, at
 * bootstrap: from this file (the CommonJS build has `require`), else from the
 * working directory and the main script's directory (an ESM module has no
 * `require`, and `import.meta` does not compile in the CommonJS build).
 */
export function locatePageAssets(): PageAssets | undefined {
  const resolvers: Array<(id: string) => string> = [];
  if (typeof require === 'function') resolvers.push((id) => require.resolve(id));
  for (const base of [process.cwd(), process.argv[1] ? dirname(process.argv[1]) : undefined]) {
    if (base) resolvers.push((id) => createRequire(join(base, 'noop.js')).resolve(id));
  }
  for (const resolve of resolvers) {
    try {
      return { script: resolve(`${REACT_COMPONENT}/browser/standalone/index.js`), style: resolve(`${REACT_COMPONENT}/styles/default.min.css`) };
    } catch {
      // not from there: the next place
    }
  }
  return undefined;
}

/** Why the page cannot be shown, for the 404 it answers. */
export const PAGE_UNAVAILABLE =
  `The AsyncAPI page needs ${REACT_COMPONENT} (its standalone bundle is served from the package, no CDN): ` +
  `npm install ${REACT_COMPONENT}. The document itself is served as JSON without it.`;

/**
 * The page: the bundle and its styles from this module's routes, and the
 * document fetched from the JSON route. `base` is the page's own path.
 */
export function asyncApiPage(title: string, base: string): string {
  const urls = JSON.stringify({ json: `${base}.json` }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · AsyncAPI</title>
<link rel="stylesheet" href="${escapeHtml(base)}/asyncapi.css">
</head>
<body>
<div id="asyncapi"></div>
<script src="${escapeHtml(base)}/asyncapi-standalone.js"></script>
<script>
  const urls = ${urls};
  fetch(urls.json)
    .then((response) => response.json())
    .then((schema) => AsyncApiStandalone.render({ schema, config: { show: { sidebar: true } } }, document.getElementById('asyncapi')))
    .catch((error) => { document.getElementById('asyncapi').textContent = 'Could not load ' + urls.json + ': ' + error; });
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
