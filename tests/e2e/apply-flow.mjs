// Helpers for the apply-flow specs: one emulated Microsoft cloud (the simulated tenant behind the
// real sign-in and Graph hosts), the built extension configured with the tenant's app
// registration, and ways to drive the panel's flow as an admin would (real, trusted clicks).
import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import { startMicrosoftCloud } from '../emulator/microsoft-cloud.mjs';
import { launchBrowser } from './browser.mjs';
import { ROUTES, eventually, expectPanel, portalUrl } from './panel.mjs';

export const ADMIN = { name: 'Patti Fernandez', upn: 'PattiF@contoso.onmicrosoft.com' };

/**
 * Starts the cloud and the browser for a test file. Before each test the tenant is reset to
 * `scenario()` (scenario options of tests/emulator/tenant.mjs; `extensionApp` is filled in), the
 * extension's session storage is cleared and its options name the tenant's app registration.
 */
export function useApplySession(scenario = () => ({})) {
  const session = {};
  before(async () => {
    session.emulator = await startMicrosoftCloud();
    session.browser = await launchBrowser(session.emulator);
    session.extensionId = session.browser.extensionId;
    session.redirectUri = `https://${session.extensionId}.chromiumapp.org/`;
  });
  after(async () => {
    await session.browser?.close();
    await session.emulator?.close();
  });
  beforeEach(async () => {
    for (const page of session.browser.context.pages()) await page.close();
    await useScenario(session, scenario());
  });
  return session;
}

/**
 * Resets the tenant to a scenario (options of tests/emulator/tenant.mjs; the extension's redirect
 * URI is filled in), names its app registration in the extension's options and forgets any
 * sign-in. `account` is what the portal's header shows (the sign-in hint).
 */
export async function useScenario(session, options = {}, { account = ADMIN } = {}) {
  session.tenant = session.emulator.tenant;
  session.tenant.reset({ ...options, extensionApp: { redirectUri: session.redirectUri, ...(options.extensionApp ?? {}) } });
  session.clientId = session.tenant.state().apps[0].clientId;
  session.emulator.services.portal.configure({ account });
  await configure(session, { clientId: session.clientId });
}

/** Replaces the extension's options and forgets any sign-in. */
export async function configure(session, settings) {
  await session.browser.serviceWorker.evaluate(async (value) => {
    await chrome.storage.session.clear();
    await chrome.storage.sync.clear();
    if (value) await chrome.storage.sync.set({ settings: value });
  }, settings);
}

/** Opens the Conditional Access policies page of `host` and returns `{page, frame}` once the panel shows. */
export async function openPanel(session, { host = 'entra.microsoft.com', tenant = 'contoso.onmicrosoft.com' } = {}) {
  const page = await session.browser.context.newPage();
  await page.goto(portalUrl(host, ROUTES.policies, tenant));
  const frame = await expectPanel(page, session.extensionId, { mode: 'full' });
  return { page, frame };
}

/** The flow section's state (`data-flow-state`) once it equals one of `states`. */
export async function flowState(frame, states, options) {
  const wanted = [states].flat();
  return eventually(async () => {
    const state = await frame.evaluate(() => document.querySelector('[data-testid="apply-flow"]')?.dataset.flowState ?? null);
    if (!wanted.includes(state)) {
      const text = await frame.evaluate(() => document.querySelector('[data-testid="apply-flow"]')?.innerText ?? '');
      throw new Error(`the flow is "${state}", expected ${wanted.join(' or ')}; it shows: ${text.slice(0, 600)}`);
    }
    return state;
  }, { timeout: 30_000, ...options });
}

/** Text of the first element matching `selector` inside the panel (whitespace collapsed), or null. */
export function text(frame, selector) {
  return frame.evaluate((sel) => document.querySelector(sel)?.textContent.replace(/\s+/g, ' ').trim() ?? null, selector);
}

/** Signs in with the admin's click on "Check …" and waits for the review. */
export async function checkTenant(frame, expected = 'review') {
  await flowState(frame, ['idle', 'review']);
  if (await flowState(frame, ['idle', 'review']) === 'idle') {
    await frame.getByRole('button', { name: /^Check / }).click();
  }
  return flowState(frame, expected);
}

/** Apply, then the confirmation: the whole admin part of a happy apply. */
export async function applyAndConfirm(frame) {
  await frame.getByRole('button', { name: /^Apply/ }).click();
  await frame.getByRole('button', { name: 'Create the policy' }).click();
}

/** Requests the tenant answered on its Graph host (sign-in traffic excluded). */
export function graphRequests(session, host = 'graph.microsoft.com') {
  return session.tenant.requests.filter((r) => r.host === host);
}

/** The one policy the tenant holds with this display name (asserts there is exactly one). */
export function onlyPolicyNamed(session, name) {
  const found = session.tenant.policies().filter((p) => p.displayName === name);
  assert.equal(found.length, 1, `expected exactly one policy "${name}", found ${found.length}`);
  return found[0];
}

export const BLOCK_NAME = 'Block security info registration outside trusted locations';
export const MFA_NAME = 'Require MFA for security info registration outside trusted locations';
