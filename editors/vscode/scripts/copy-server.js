// Copies the release build of the server into server/ for a platform-specific vsix
// (npm run package:linux-x64). Build it first: cargo build --release (repository root).
// With --remove, deletes server/ instead (npm run package: the universal vsix has no binary).
const fs = require('node:fs');
const path = require('node:path');

const toDirEarly = path.resolve(__dirname, '..', 'server');
if (process.argv.includes('--remove')) {
  // Before a universal package: never ship a binary left over from package:linux-x64.
  fs.rmSync(toDirEarly, { recursive: true, force: true });
  process.exit(0);
}
const from = path.resolve(__dirname, '..', '..', '..', 'target', 'release', 'iacm-lsp');
const toDir = path.resolve(__dirname, '..', 'server');
if (!fs.existsSync(from)) {
  console.error(`${from} does not exist: run \`cargo build --release\` at the repository root first.`);
  process.exit(1);
}
fs.mkdirSync(toDir, { recursive: true });
fs.copyFileSync(from, path.join(toDir, 'iacm-lsp'));
fs.chmodSync(path.join(toDir, 'iacm-lsp'), 0o755);
console.log(`copied ${from} -> ${path.join(toDir, 'iacm-lsp')}`);
