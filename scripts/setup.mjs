// Idempotent set-up for `npm start`, `npm test` and `npm run build` on a bare machine:
// the wasm32 Rust target, the pinned wasm-bindgen CLI, npm packages and (tests only)
// Debian's Chromium + ChromeDriver. Fast when everything is already in place.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WASM_BINDGEN_VERSION = '0.2.130';
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMEDRIVER = '/usr/bin/chromedriver';

export class SetupError extends Error {}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.error) throw new SetupError(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new SetupError(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function output(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT });
  return r.status === 0 ? r.stdout.trim() : null;
}

function say(msg) { console.log(`[setup] ${msg}`); }

export function ensureRust() {
  if (output('cargo', ['--version']) === null) {
    throw new SetupError('Rust is missing: install it with rustup (https://rustup.rs), then run this command again.');
  }
  const targets = output('rustup', ['target', 'list', '--installed']);
  if (targets === null) {
    throw new SetupError('rustup is missing: the wasm32-unknown-unknown target must be added with rustup (https://rustup.rs).');
  }
  if (!targets.split('\n').includes('wasm32-unknown-unknown')) {
    say('adding the Rust target wasm32-unknown-unknown');
    run('rustup', ['target', 'add', 'wasm32-unknown-unknown']);
  }
}

export function ensureWasmBindgen() {
  const want = `wasm-bindgen ${WASM_BINDGEN_VERSION}`;
  if (output('wasm-bindgen', ['--version']) === want) return;
  say(`installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION} (about four minutes on two cores)`);
  // No --locked: the registry reachable here can lag the CLI's lock file (browser-recipes.md).
  run('cargo', ['install', 'wasm-bindgen-cli', '--version', WASM_BINDGEN_VERSION, '--force']);
  if (output('wasm-bindgen', ['--version']) !== want) {
    throw new SetupError(`wasm-bindgen ${WASM_BINDGEN_VERSION} was installed but is not first on PATH: add ~/.cargo/bin to PATH.`);
  }
}

export function ensureNpmPackages() {
  const lock = join(ROOT, 'package-lock.json');
  const stamp = join(ROOT, 'node_modules', '.registration-guard-lock.sha256');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  say('installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, want);
}

export function ensureChromium() {
  if (existsSync(CHROMIUM) && existsSync(CHROMEDRIVER)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || output('apt-get', ['--version']) === null) {
    throw new SetupError(
      `Browser tests need Debian's Chromium at ${CHROMIUM} and ChromeDriver at ${CHROMEDRIVER}. ` +
      'Install them with: sudo apt-get install -y chromium chromium-driver');
  }
  say('installing Debian chromium and chromium-driver');
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'chromium-driver'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

export function setup({ browser = false } = {}) {
  ensureRust();
  ensureWasmBindgen();
  ensureNpmPackages();
  if (browser) ensureChromium();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    setup({ browser: process.argv.includes('--browser') });
  } catch (e) {
    console.error(`[setup] ${e.message}`);
    process.exit(1);
  }
}
