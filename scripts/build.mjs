// `npm run build`: release wasm → wasm-bindgen --target web → wasm-opt → dist/chromium/
// (a complete unpacked MV3 extension) and dist/www/ (the trainer demo as static files).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SetupError, setup } from './setup.mjs';

export const DIST = join(ROOT, 'dist');
export const EXTENSION_DIR = join(DIST, 'chromium');
export const WWW_DIR = join(DIST, 'www');
const WASM_NAME = 'registration_guard';
// Features current Rust emits for wasm32-unknown-unknown; wasm-opt must be told to accept them.
const WASM_FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue'];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.error) throw new SetupError(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new SetupError(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

/**
 * Builds one flavour of the wasm module: release build → wasm-bindgen (web target) → wasm-opt.
 * Returns the folder holding `registration_guard.js` and the optimised `registration_guard_bg.wasm`.
 */
function buildWasm(flavour, features) {
  const cargoArgs = ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown'];
  if (features.length) cargoArgs.push('--features', features.join(','));
  run('cargo', cargoArgs);
  const raw = join(ROOT, 'target', 'wasm32-unknown-unknown', 'release', `${WASM_NAME}.wasm`);
  const out = join(ROOT, 'target', 'wasm-bindgen', flavour);
  rmSync(out, { recursive: true, force: true });
  run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--out-dir', out, '--out-name', WASM_NAME, raw]);
  const bindgenWasm = join(out, `${WASM_NAME}_bg.wasm`);
  run(join(ROOT, 'node_modules', '.bin', 'wasm-opt'),
    ['-Oz', '--strip-debug', '--strip-producers', ...WASM_FEATURES, '-o', bindgenWasm, bindgenWasm]);
  return out;
}

/** Builds both wasm flavours and lays out the extension and the demo site. */
export function build() {
  // The extension ships without the simulated tenant; the demo (and the test emulator) need it.
  const extensionWasm = buildWasm('extension', []);
  const demoWasm = buildWasm('demo', ['demo']);

  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  rmSync(DIST, { recursive: true, force: true });
  for (const [src, dest, wasm] of [[join(ROOT, 'extension'), EXTENSION_DIR, extensionWasm], [join(ROOT, 'www'), WWW_DIR, demoWasm]]) {
    mkdirSync(dest, { recursive: true });
    if (existsSync(src)) cpSync(src, dest, { recursive: true });
    cpSync(wasm, join(dest, 'wasm'), { recursive: true });
  }
  // The demo docks the very same panel the extension ships: share its page assets.
  for (const shared of ['styles']) {
    const src = join(ROOT, 'extension', shared);
    if (existsSync(src)) cpSync(src, join(WWW_DIR, shared), { recursive: true });
  }
  const manifestPath = join(EXTENSION_DIR, 'manifest.json');
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.version = version;
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  }
  console.log(`[build] extension: ${EXTENSION_DIR}`);
  console.log(`[build] demo site: ${WWW_DIR}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    setup();
    build();
  } catch (e) {
    console.error(`[build] ${e.message}`);
    process.exit(1);
  }
}
