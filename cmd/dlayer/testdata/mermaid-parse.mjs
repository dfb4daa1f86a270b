// mermaid-parse.mjs NODE_MODULES < diagram.mmd
// Parses a Mermaid diagram with Mermaid's own parser (mermaid.parse), under
// a jsdom window because mermaid expects a browser. Prints the detected
// diagram type and exits 0 when the text is accepted; prints the parse
// error and exits 1 otherwise.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.argv[2];
if (!modules) {
  console.error('usage: node mermaid-parse.mjs NODE_MODULES < diagram.mmd');
  process.exit(2);
}
const require = createRequire(path.join(modules, 'noop.js'));
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const k of ['DOMParser', 'Element', 'HTMLElement', 'Node']) {
  if (!(k in globalThis)) globalThis[k] = dom.window[k];
}
const entry = require.resolve('mermaid/dist/mermaid.core.mjs');
const { default: mermaid } = await import(pathToFileURL(entry).href);
let src = '';
for await (const chunk of process.stdin) src += chunk;
mermaid.initialize({ startOnLoad: false });
try {
  const r = await mermaid.parse(src);
  console.log(JSON.stringify(r));
} catch (e) {
  console.error(String((e && e.message) || e));
  process.exit(1);
}
