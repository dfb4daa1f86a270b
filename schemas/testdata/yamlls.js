// yamlls.js NODE_MODULES SCHEMA.json < cases.json
// Runs yaml-language-server's language service (the engine of VS Code's YAML
// extension) with the given JSON Schema on each case and prints the results
// as JSON: a case is {"text": "...", "op": "complete"|"hover"|"validate"},
// where "|" in text marks the cursor for complete and hover.
const path = require('path');
const fs = require('fs');
const modules = process.argv[2];
const req = (m) => require(path.join(modules, m));
const { getLanguageService } = req('yaml-language-server/lib/umd/languageservice/yamlLanguageService');
const { TextDocument } = req('vscode-languageserver-textdocument');
const schema = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const ls = getLanguageService({
  schemaRequestService: () => Promise.resolve(JSON.stringify(schema)),
  workspaceContext: { resolveRelativePath: (r) => r },
});
ls.configure({ validate: true, completion: true, hover: true, schemas: [{ uri: 'file:///dlayer.schema.json', fileMatch: ['*.yaml'], schema }] });
const doc = (c, i) => {
  const off = c.text.indexOf('|');
  const text = c.text.replace('|', '');
  // A new URI per case: the service caches parsed documents by URI and version.
  const d = TextDocument.create('file:///case' + i + '.yaml', 'yaml', 1, text);
  return { d, pos: d.positionAt(off < 0 ? 0 : off) };
};
const md = (x) => (x == null ? '' : typeof x === 'string' ? x : x.value || '');
(async () => {
  const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
  const out = [];
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const { d, pos } = doc(c, i);
    if (c.op === 'complete') {
      const r = await ls.doComplete(d, pos, false);
      out.push(r.items.map((it) => ({ label: it.label, doc: md(it.documentation) })));
    } else if (c.op === 'hover') {
      const h = await ls.doHover(d, pos);
      out.push(h ? md(h.contents) : '');
    } else {
      const ds = await ls.doValidation(d, false);
      out.push(ds.map((x) => x.message));
    }
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
