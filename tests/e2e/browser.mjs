// The one place that launches a browser for the end-to-end tests: Debian's Chromium with the
// built extension (dist/chromium, exactly what ships) in a fresh profile, every Microsoft host
// resolved to the emulator, and every other host unresolvable so nothing leaves the machine.
//
//   const emulator = await startEmulator();
//   const browser = await launchBrowser(emulator);
//   const page = await browser.context.newPage();
//   …
//   await browser.close(); await emulator.close();
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { EXTENSION_DIR } from '../../scripts/build.mjs';
import { CHROMIUM } from '../../scripts/setup.mjs';
import { TMP } from '../emulator/paths.mjs';

/** The flags that make Chromium resolve `hosts` to the emulator and refuse every other name. */
export function emulatorFlags({ port, hosts }) {
  const rules = [...hosts.map((h) => `MAP ${h} 127.0.0.1:${port}`), 'MAP * ~NOTFOUND', 'EXCLUDE localhost'];
  return [`--host-resolver-rules=${rules.join(', ')}`, '--ignore-certificate-errors'];
}

/**
 * Launches Chromium with the unpacked extension and resolves with
 * `{context, extensionId, serviceWorker, close}`. `close()` closes the browser and removes the
 * profile; it is safe to call twice.
 */
export async function launchBrowser(emulator, { timeout = 30_000 } = {}) {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`The built extension is missing (${EXTENSION_DIR}/manifest.json): run \`npm run build\` first.`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`sudo apt-get install -y chromium chromium-driver\`.`);
  }
  mkdirSync(TMP, { recursive: true });
  const profile = mkdtempSync(join(TMP, 'profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 800 },
    args: [
      '--headless=new', `--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`,
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
      ...emulatorFlags(emulator),
    ],
    timeout,
  });
  context.setDefaultTimeout(15_000);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const serviceWorker = context.serviceWorkers()[0]
      ?? await context.waitForEvent('serviceworker', { timeout });
    const extensionId = new URL(serviceWorker.url()).host;
    return { context, extensionId, serviceWorker, close };
  } catch (e) {
    await close();
    throw new Error(`The extension's service worker did not start within ${timeout} ms (${e.message}): ` +
      `check ${EXTENSION_DIR}/manifest.json and the worker's console.`);
  }
}
