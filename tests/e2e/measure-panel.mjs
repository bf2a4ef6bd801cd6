// Measures how long the admin waits for the panel on the fixture portal, in the two ways an admin
// gets to Conditional Access:
//   - in-portal navigation (the portal is a single-page app: a click in its left navigation, or a
//     changed address fragment, on a page that is already loaded): from that navigation to the
//     full panel showing the new page's summary, at full size. This is `panel_visible_ms_*`.
//   - a cold page load (a bookmark, a new tab): from navigation start to the same, reported as
//     `panel_visible_cold_ms_*`, and split into the page's own load and the time after its load
//     event (`panel_visible_after_load_ms_*`: the content script starts only once the page has
//     loaded, so the page's load never waits for the extension). Measured with the extension's
//     process running, and again (`panel_visible_cold_asleep_ms_*`) with its service worker
//     stopped first, as after 30 s idle, when the extension's process starts with the panel.
// "Visible" means what the admin sees, read inside the panel frame: the panel rendered with page
// facts (data-state ready), in full mode, with its summary line, and the frame already resized by
// the content script to the panel's width (not the launcher's 64 px box it starts as).
//
//   node tests/e2e/measure-panel.mjs [runs]     (needs `npm run build` first)
//
// Prints one JSON line on stdout, e.g. {"panel_visible_ms_median":41,…}; progress goes to stderr.
// Instrumentation is Playwright init scripts in the test browser; the extension is unchanged.
import { startEmulator } from '../emulator/server.mjs';
import { launchBrowser } from './browser.mjs';
import { eventually, expectPanel, portalUrl, ROUTES } from './panel.mjs';

const RUNS = Number(process.argv[2] || 20);
const POLICIES_SUMMARY = 'Conditional Access › Policies · contoso.onmicrosoft.com · Global cloud';

/**
 * Runs in every frame before its own scripts. In the panel frame: records each time the full panel
 * becomes visible with a (new) summary, as {summary, at} with `at` in ms since the epoch, so times
 * compare across the page's and the frame's processes. In the portal's top frame: when the panel's
 * host element entered the page.
 */
function recordPanelTimes() {
  const now = () => performance.timeOrigin + performance.now();
  if (location.protocol === 'chrome-extension:') {
    window.registrationGuardShown = [];
    let last = null;
    const visibleSummary = () => {
      const body = document.body;
      const card = document.querySelector('main#rg-panel .rg-card');
      const summary = document.querySelector('[data-testid="context-summary"]')?.textContent.trim();
      if (body?.dataset.state !== 'ready' || body.dataset.mode !== 'full' || !card || !summary) return null;
      const rect = card.getBoundingClientRect();
      const fits = rect.width > 0 && rect.height > 0 && rect.width <= window.innerWidth + 0.5 && window.innerHeight > 0;
      return fits ? summary : null;
    };
    const check = () => {
      const summary = visibleSummary();
      if (summary && summary !== last) window.registrationGuardShown.push({ summary, at: now() });
      last = summary;
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

const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => {
  const s = sorted(values);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
/** Nearest-rank 95th percentile. */
const p95 = (values) => sorted(values)[Math.ceil(0.95 * values.length) - 1];
const ms = (value) => Math.round(value * 10) / 10;

/** When the frame first showed the full panel with `summary` at or after `since` (epoch ms). */
function shownAt(frame, summary, since) {
  return eventually(async () => {
    const shown = await frame.evaluate(() => window.registrationGuardShown);
    const hit = shown?.find((s) => s.summary === summary && s.at >= since);
    if (!hit) throw new Error(`the panel has not shown "${summary}" yet (shown: ${JSON.stringify(shown)})`);
    return hit.at;
  }, { timeout: 30_000, interval: 20 });
}

/**
 * Cold loads: fresh pages of the policies blade, alternating the two portal hosts. With `asleep`,
 * the extension's service worker is stopped before each, as Chromium does after 30 s idle: the
 * first portal tab after a pause then also waits for the extension's process to start.
 */
async function coldLoads(browser, { asleep }) {
  const samples = [];
  for (let run = 0; run < RUNS; run += 1) {
    const page = await browser.context.newPage();
    try {
      if (asleep) {
        const cdp = await browser.context.newCDPSession(page);
        await cdp.send('ServiceWorker.enable');
        await cdp.send('ServiceWorker.stopAllWorkers');
        await cdp.detach();
      }
      await page.goto(portalUrl(run % 2 ? 'portal.azure.com' : 'entra.microsoft.com', ROUTES.policies));
      const frame = await expectPanel(page, browser.extensionId, { mode: 'full', summary: POLICIES_SUMMARY }, { timeout: 30_000 });
      const visibleAt = await shownAt(frame, POLICIES_SUMMARY, 0);
      const page_ = await page.evaluate(() => ({
        mountedAt: window.registrationGuardMountedAt,
        navigationStart: performance.timeOrigin,
        loadEnd: performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventEnd,
      }));
      if (!page_.mountedAt) throw new Error(`cold load ${run + 1}: the page never saw the panel's host element`);
      const sample = {
        fromNavigation: visibleAt - page_.navigationStart,
        afterLoad: visibleAt - page_.loadEnd,
        afterMount: visibleAt - page_.mountedAt,
        mountAfterLoad: page_.mountedAt - page_.loadEnd,
      };
      samples.push(sample);
      process.stderr.write(`cold load${asleep ? ', worker asleep,' : ''} ${run + 1}/${RUNS}: visible ${ms(sample.fromNavigation)} ms after navigation start, ` +
        `${ms(sample.afterLoad)} ms after the page's load event, ${ms(sample.afterMount)} ms after mount\n`);
    } finally {
      await page.close();
    }
  }
  return samples;
}

/**
 * In-portal navigations into Conditional Access: one page on the Groups blade (launcher only), then
 * alternately a click on "Policies" in the portal's left navigation (history.pushState) and an
 * address-fragment change (hashchange), each followed by a way back to Groups.
 */
async function inPortalNavigations(browser) {
  const samples = [];
  const page = await browser.context.newPage();
  try {
    await page.goto(portalUrl('entra.microsoft.com', ROUTES.groups));
    const frame = await expectPanel(page, browser.extensionId, { mode: 'launcher' }, { timeout: 30_000 });
    for (let run = 0; run < RUNS; run += 1) {
      const byLink = run % 2 === 0;
      const startedAt = await page.evaluate(({ byLink, fragment }) => {
        const link = document.querySelector('#fxs-sidebar a[data-route$="/ConditionalAccessBlade/~/Policies"]');
        const at = performance.timeOrigin + performance.now();
        if (byLink) link.click();
        else location.hash = fragment;
        return at;
      }, { byLink, fragment: portalUrl('entra.microsoft.com', ROUTES.policies).split('#')[1] });
      const visibleAt = await shownAt(frame, POLICIES_SUMMARY, startedAt);
      samples.push({ fromNavigation: visibleAt - startedAt, byLink });
      process.stderr.write(`in-portal navigation ${run + 1}/${RUNS} (${byLink ? 'left navigation link' : 'fragment change'}): ` +
        `visible ${ms(visibleAt - startedAt)} ms after navigation\n`);
      // Back to Groups the other way, and wait for the launcher, so the next navigation starts from it.
      await page.evaluate(({ byLink, fragment }) => {
        if (byLink) location.hash = fragment;
        else document.querySelector('#fxs-sidebar a[data-route$="/GroupsManagementMenuBlade/~/AllGroups"]').click();
      }, { byLink, fragment: portalUrl('entra.microsoft.com', ROUTES.groups).split('#')[1] });
      await expectPanel(page, browser.extensionId, { mode: 'launcher' }, { timeout: 30_000 });
    }
  } finally {
    await page.close();
  }
  return samples;
}

const emulator = await startEmulator();
let browser;
try {
  browser = await launchBrowser(emulator);
  await browser.context.addInitScript(recordPanelTimes);
  const cold = await coldLoads(browser, { asleep: false });
  const asleep = await coldLoads(browser, { asleep: true });
  const spa = await inPortalNavigations(browser);
  const pick = (samples, key) => samples.map((s) => s[key]);
  const spaTimes = pick(spa, 'fromNavigation');
  console.log(JSON.stringify({
    panel_visible_ms_median: ms(median(spaTimes)),
    panel_visible_ms_p95: ms(p95(spaTimes)),
    panel_visible_by_link_ms_median: ms(median(pick(spa.filter((s) => s.byLink), 'fromNavigation'))),
    panel_visible_by_fragment_ms_median: ms(median(pick(spa.filter((s) => !s.byLink), 'fromNavigation'))),
    panel_visible_cold_ms_median: ms(median(pick(cold, 'fromNavigation'))),
    panel_visible_cold_ms_p95: ms(p95(pick(cold, 'fromNavigation'))),
    panel_visible_after_load_ms_median: ms(median(pick(cold, 'afterLoad'))),
    panel_visible_after_load_ms_p95: ms(p95(pick(cold, 'afterLoad'))),
    panel_visible_after_mount_ms_median: ms(median(pick(cold, 'afterMount'))),
    panel_visible_cold_asleep_ms_median: ms(median(pick(asleep, 'fromNavigation'))),
    panel_visible_cold_asleep_ms_p95: ms(p95(pick(asleep, 'fromNavigation'))),
    panel_visible_after_load_asleep_ms_median: ms(median(pick(asleep, 'afterLoad'))),
    panel_visible_after_load_asleep_ms_p95: ms(p95(pick(asleep, 'afterLoad'))),
    panel_mount_after_load_ms_median: ms(median(pick(cold, 'mountAfterLoad'))),
    runs: RUNS,
  }));
} catch (e) {
  console.error(`[measure-panel] ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await emulator.close();
}
