// Checks that a built .vsix holds what the extension needs at run time and nothing else
// (no sources, tests or node_modules). Usage: node scripts/check-vsix.mjs path/to.vsix
import yauzl from 'yauzl';

const vsix = process.argv[2];
if (!vsix) {
  console.error('usage: node scripts/check-vsix.mjs <file.vsix>');
  process.exit(2);
}

const entries = await new Promise((resolve, reject) => {
  yauzl.open(vsix, { lazyEntries: true }, (error, zip) => {
    if (error) return reject(error);
    const names = [];
    zip.on('entry', (entry) => {
      names.push(entry.fileName);
      zip.readEntry();
    });
    zip.on('end', () => resolve(names));
    zip.on('error', reject);
    zip.readEntry();
  });
});

const required = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/server.js',
  'extension/dist/web-tree-sitter.wasm',
  'extension/dist/tree-sitter-python.wasm',
  'extension/docs/rules/KSM101.md',
  'extension/docs/rules/KSM301.md',
  'extension/media/icon.png',
  'extension/readme.md',
  'extension/changelog.md',
];
const allowed = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt|LICENSE)$/i,
  /^extension\/dist\/[^/]+\.(js|wasm)$/,
  /^extension\/docs\/.+\.(md|png)$/,
  /^extension\/syntaxes\/[^/]+\.json$/,
  /^extension\/media\/[^/]+\.(png|svg)$/,
];

const lower = new Set(entries.map((e) => e.toLowerCase()));
const missing = required.filter((r) => !lower.has(r.toLowerCase()));
const unexpected = entries.filter((e) => !allowed.some((a) => a.test(e)));
if (missing.length > 0 || unexpected.length > 0) {
  if (missing.length > 0) console.error(`missing from ${vsix}:\n  ${missing.join('\n  ')}`);
  if (unexpected.length > 0) console.error(`not meant to ship in ${vsix}:\n  ${unexpected.join('\n  ')}`);
  process.exit(1);
}
console.log(`${vsix}: ${entries.length} files, all expected, none missing`);
