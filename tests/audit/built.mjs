// The built extension the audits read: dist/chromium, exactly what a browser loads.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXTENSION = join(ROOT, 'dist', 'chromium');
/** The trainer demo site, built from the same wasm. */
export const DEMO = join(ROOT, 'dist', 'www');

/** The built manifest; fails loudly when the extension has not been built. */
export function builtManifest() {
  const path = join(EXTENSION, 'manifest.json');
  assert.ok(existsSync(path), `${path} is missing: build the extension first (npm run build); npm test builds it`);
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Paths (relative to `root`, the extension by default) of every built file whose name ends with `suffix`. */
export function shippedFiles(suffix, root = EXTENSION) {
  builtManifest();
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(suffix)) found.push(relative(root, p));
    }
  };
  walk(root);
  return found.sort();
}

export function shipped(file, root = EXTENSION) {
  return readFileSync(join(root, file), 'utf8');
}
