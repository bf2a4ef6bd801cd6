// The built extension the audits read: dist/chromium, exactly what a browser loads.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXTENSION = join(ROOT, 'dist', 'chromium');

/** The built manifest; fails loudly when the extension has not been built. */
export function builtManifest() {
  const path = join(EXTENSION, 'manifest.json');
  assert.ok(existsSync(path), `${path} is missing: build the extension first (npm run build); npm test builds it`);
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Paths (relative to the extension) of every shipped file whose name ends with `suffix`. */
export function shippedFiles(suffix) {
  builtManifest();
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(suffix)) found.push(relative(EXTENSION, p));
    }
  };
  walk(EXTENSION);
  return found.sort();
}

export function shipped(file) {
  return readFileSync(join(EXTENSION, file), 'utf8');
}
