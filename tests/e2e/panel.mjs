// Helpers the end-to-end tests share: portal addresses, a per-file browser session, and ways
// to look at the panel the way a person would (through the frame the extension mounts).
import { after, before } from 'node:test';
import { startEmulator } from '../emulator/server.mjs';
import { launchBrowser } from './browser.mjs';

/** Bound for one test file's suite: generous for 2 busy cores, but a hung browser still fails the run. */
export const SUITE_TIMEOUT = 180_000;

export const TENANT = 'contoso.onmicrosoft.com';
export const POLICY_ID = '76e48a65-0184-4cc5-a8f0-962a824b8169';

/** Portal routes (address fragments without the tenant prefix). */
export const ROUTES = {
  policies: 'view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies',
  namedLocations: 'view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/NamedLocations',
  policy: `view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/${POLICY_ID}`,
  whatIf: 'view/Microsoft_AAD_ConditionalAccess/WhatIfBlade',
  groups: 'view/Microsoft_AAD_IAM/GroupsManagementMenuBlade/~/AllGroups',
  legacyPolicies: 'blade/Microsoft_AAD_IAM/ConditionalAccessBlade/Policies',
};

/** `https://<host>/#@<tenant>/<route>`, or `https://<host>/#<route>` without a tenant. */
export function portalUrl(host, route, tenant = TENANT) {
  return tenant === null ? `https://${host}/#${route}` : `https://${host}/#@${tenant}/${route}`;
}

/**
 * Starts an emulator and a browser with the extension before the file's tests and always
 * closes both after them. The returned session `{emulator, context, extensionId, serviceWorker}`
 * is filled in by the `before` hook.
 */
export function useBrowserSession() {
  const session = {};
  let browser;
  before(async () => {
    session.emulator = await startEmulator();
    browser = await launchBrowser(session.emulator);
    const { context, extensionId, serviceWorker } = browser;
    Object.assign(session, { context, extensionId, serviceWorker });
  });
  after(async () => {
    await browser?.close();
    await session.emulator?.close();
  });
  return session;
}

/**
 * Retries `check` (an async function that throws when its condition does not hold yet) until
 * it passes, and rethrows its last error after `timeout` ms, so failures name what was seen.
 */
export async function eventually(check, { timeout = 15_000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() >= deadline) {
        e.message = `still failing after ${timeout} ms: ${e.message}`;
        throw e;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Every frame of `page` showing the extension's panel. */
export function panelFrames(page, extensionId) {
  const prefix = `chrome-extension://${extensionId}/panel.html`;
  return page.frames().filter((f) => f.url().startsWith(prefix));
}

/** How many `<registration-guard-panel>` host elements the page holds. */
export function countPanelHosts(page) {
  return page.evaluate(() => document.querySelectorAll('registration-guard-panel').length);
}

/** What the panel shows, read inside its frame; throws while it has not rendered. */
export async function readPanel(frame) {
  const state = await frame.evaluate(() => {
    const main = document.querySelector('main#rg-panel');
    const text = (sel) => document.querySelector(sel)?.textContent.replace(/\s+/g, ' ').trim() ?? null;
    return main && {
      label: main.getAttribute('aria-label'),
      state: document.body.dataset.state ?? null,
      mode: document.body.dataset.mode ?? null,
      theme: document.body.dataset.theme ?? null,
      summary: text('[data-testid="context-summary"]'),
      area: text('[data-testid="area"]'),
      account: text('[data-testid="account"]'),
    };
  });
  if (!state) throw new Error(`the panel frame ${frame.url()} has no <main id="rg-panel"> yet`);
  return state;
}

/**
 * Waits until the page holds exactly one panel frame that has received the page facts
 * (`state: 'ready'`) and whose state includes `expected` (e.g. `{mode: 'full', summary: '…'}`),
 * and returns that frame.
 */
export async function expectPanel(page, extensionId, wanted, options) {
  const expected = { state: 'ready', ...wanted };
  return eventually(async () => {
    const frames = panelFrames(page, extensionId);
    if (frames.length !== 1) {
      const hosts = await countPanelHosts(page);
      throw new Error(`expected one panel frame on ${page.url()}, found ${frames.length} ` +
        `(and ${hosts} <registration-guard-panel> elements${hosts ? '' : ': the content script did not mount'})`);
    }
    const state = await readPanel(frames[0]);
    const seen = Object.fromEntries(Object.keys(expected).map((k) => [k, state[k]]));
    if (JSON.stringify(seen) !== JSON.stringify(expected)) {
      throw new Error(`panel shows ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`);
    }
    return frames[0];
  }, options);
}

/** The panel frame's box in page coordinates (null while it is not laid out). */
export async function panelBox(frame) {
  const element = await frame.frameElement();
  try {
    return await element.boundingBox();
  } finally {
    await element.dispose();
  }
}

/** Whether two boxes `{x, y, width, height}` share any area. */
export function overlaps(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Opens the extension's real toolbar popup for the focused tab (chrome.action.openPopup from
 * the service worker), waits until it shows `expected` (a subset of `{context, version}`, each a
 * string or a RegExp) and closes it. The popup is read through a same-origin extension frame (`chrome.extension.getViews`)
 * because the browser does not hand popups to Playwright.
 */
export async function expectPopup(session, panelFrame, expected) {
  await session.serviceWorker.evaluate(() => chrome.action.openPopup());
  try {
    return await eventually(async () => {
      const views = await panelFrame.evaluate(() => chrome.extension.getViews({ type: 'popup' }).map((w) => {
        const text = (sel) => w.document.querySelector(sel)?.textContent.replace(/\s+/g, ' ').trim() ?? null;
        return { context: text('[data-testid="popup-context"]'), version: text('[data-testid="version"]') };
      }));
      if (views.length !== 1) throw new Error(`expected one open popup, found ${views.length}`);
      const matches = Object.entries(expected)
        .every(([k, want]) => (want instanceof RegExp ? want.test(views[0][k] ?? '') : views[0][k] === want));
      if (!matches) {
        throw new Error(`popup shows ${JSON.stringify(views[0])}, expected ${Object.entries(expected).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      }
      return views[0];
    });
  } finally {
    await panelFrame.evaluate(() => chrome.extension.getViews({ type: 'popup' }).forEach((w) => w.close()));
  }
}

/** Navigates like the portal's own left navigation does (history.pushState, no hashchange). */
export async function clickNav(page, label) {
  await page.locator('#fxs-sidebar').getByRole('link', { name: label, exact: true }).click();
}

/** Navigates by changing the address fragment (a hashchange, as typing an address does). */
export async function setFragment(page, fragment) {
  await page.evaluate((f) => { location.hash = f; }, fragment);
}
