// Measures how long the admin waits for the panel on a portal page: from the content script's
// first visible act (its <registration-guard-panel> host element entering the page) to the panel
// frame showing the rendered, fact-filled panel, over fresh page loads of the fixture portal.
// Also reports the time from navigation start, which adds the page's own loading.
//
//   node tests/e2e/measure-panel.mjs [runs]     (needs `npm run build` first)
//
// Prints one JSON line on stdout, e.g. {"panel_visible_ms_median":41,…}; progress goes to stderr.
// Instrumentation is Playwright init scripts in the test browser; the extension is unchanged.
import { startEmulator } from '../emulator/server.mjs';
import { launchBrowser } from './browser.mjs';
import { expectPanel, portalUrl, ROUTES } from './panel.mjs';

const RUNS = Number(process.argv[2] || 20);

/** Runs in every frame before its own scripts: records wall-clock times (ms since the epoch). */
function recordPanelTimes() {
  const now = () => performance.timeOrigin + performance.now();
  if (location.protocol === 'chrome-extension:') {
    const check = () => {
      if (window.registrationGuardVisibleAt) return;
      const main = document.querySelector('main#rg-panel');
      const rect = main?.getBoundingClientRect();
      if (document.body?.dataset.state === 'ready' && rect && rect.width > 0 && rect.height > 0
        && window.innerWidth > 0 && window.innerHeight > 0) {
        window.registrationGuardVisibleAt = now();
      }
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    window.addEventListener('resize', check);
  } else if (window === window.top) {
    new MutationObserver((_, observer) => {
      if (document.querySelector('registration-guard-panel')) {
        window.registrationGuardMountedAt = now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, childList: true });
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const emulator = await startEmulator();
let browser;
try {
  browser = await launchBrowser(emulator);
  await browser.context.addInitScript(recordPanelTimes);
  const fromMount = [];
  const fromNavigation = [];
  for (let run = 0; run < RUNS; run += 1) {
    const page = await browser.context.newPage();
    try {
      await page.goto(portalUrl(run % 2 ? 'portal.azure.com' : 'entra.microsoft.com', ROUTES.policies));
      const frame = await expectPanel(page, browser.extensionId, { mode: 'full' }, { timeout: 30_000 });
      const visibleAt = await frame.evaluate(() => window.registrationGuardVisibleAt);
      const { mountedAt, navigationStart } = await page.evaluate(() => ({
        mountedAt: window.registrationGuardMountedAt, navigationStart: performance.timeOrigin,
      }));
      if (!visibleAt || !mountedAt) throw new Error(`run ${run + 1}: the timing probes saw no panel (${visibleAt}, ${mountedAt})`);
      fromMount.push(visibleAt - mountedAt);
      fromNavigation.push(visibleAt - navigationStart);
      process.stderr.write(`run ${run + 1}/${RUNS}: ${(visibleAt - mountedAt).toFixed(1)} ms after mount, ` +
        `${(visibleAt - navigationStart).toFixed(1)} ms after navigation start\n`);
    } finally {
      await page.close();
    }
  }
  console.log(JSON.stringify({
    panel_visible_ms_median: Math.round(median(fromMount)),
    panel_visible_from_navigation_ms_median: Math.round(median(fromNavigation)),
    runs: RUNS,
  }));
} catch (e) {
  console.error(`[measure-panel] ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await emulator.close();
}
