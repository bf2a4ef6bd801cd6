// What a page script (or anything but the admin in the extension's own frame) cannot do around
// the apply flow: read a token, press Apply, or get the background to act; and tenant data with
// markup stays text.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SUITE_TIMEOUT } from './panel.mjs';
import { BLOCK_NAME, checkTenant, flowState, graphRequests, openPanel, useApplySession, useScenario } from './apply-flow.mjs';

const POLICIES_URL = 'https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies';
const HOSTILE = '<img src=x onerror="window.pwned=1">Registration <b>policy</b>';

async function storedAccessToken(session) {
  return session.browser.serviceWorker.evaluate(async () => (await chrome.storage.session.get('session')).session?.tokens?.accessToken ?? null);
}

describe('the apply flow cannot be reached from the page', { timeout: SUITE_TIMEOUT }, () => {
  const session = useApplySession();

  test('the token stays in the background: not in the page, not in the panel frame, not in local or sync storage', async () => {
    const { page, frame } = await openPanel(session);
    await checkTenant(frame);
    const token = await storedAccessToken(session);
    assert.ok(token && token.length > 20, 'the background holds an access token');
    assert.ok(!(await page.content()).includes(token), 'the portal page never sees it');
    assert.ok(!(await frame.content()).includes(token), 'the panel frame never renders it');
    const elsewhere = await session.browser.serviceWorker.evaluate(async () => JSON.stringify([
      await chrome.storage.local.get(null), await chrome.storage.sync.get(null)]));
    assert.ok(!elsewhere.includes(token), 'only session storage holds it');
    const pageSide = await page.evaluate(() => ({ runtime: typeof globalThis.chrome?.runtime?.sendMessage }));
    assert.equal(pageSide.runtime, 'undefined', 'page scripts have no channel to the extension');
  });

  test('a script that clicks Apply or the confirmation (untrusted events) writes nothing', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    await frame.evaluate(() => document.querySelector('[data-action="apply"]').click());
    assert.equal(await frame.getByTestId('confirm').count(), 0, 'a synthetic click does not even open the confirmation');
    await frame.getByRole('button', { name: /^Apply/ }).click();
    await frame.evaluate(() => document.querySelector('[data-action="confirm-apply"]')
      .dispatchEvent(new MouseEvent('click', { bubbles: true })));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(session.tenant.requestsTo('POST', '/v1.0/identity/conditionalAccess/policies').length, 0);
    assert.equal(await flowState(frame, 'review'), 'review');
  });

  test('the background refuses writes from the options page, foreign hosts, and malformed messages', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    const options = await session.browser.context.newPage();
    await options.goto(`chrome-extension://${session.extensionId}/options.html`);
    const fromOptions = await options.evaluate((url) => chrome.runtime.sendMessage({
      type: 'graph-send', cloud: 'Global',
      request: { method: 'POST', url, headers: [['Content-Type', 'application/json']], body: '{}' },
    }), POLICIES_URL);
    assert.equal(fromOptions.type, 'refused');
    assert.match(fromOptions.reason, /only the panel/);

    const fromPanel = (message) => frame.evaluate((m) => chrome.runtime.sendMessage(m), message);
    const foreign = await fromPanel({ type: 'graph-send', cloud: 'Global',
      request: { method: 'GET', url: 'https://evil.example/v1.0/me', headers: [], body: null } });
    assert.equal(foreign.type, 'refused');
    const smuggled = await fromPanel({ type: 'graph-send', cloud: 'Global',
      request: { method: 'GET', url: 'https://graph.microsoft.com/v1.0/me', headers: [['Authorization', 'Bearer x']], body: null } });
    assert.equal(smuggled.type, 'refused');
    const extra = await fromPanel({ type: 'sign-out', everything: true });
    assert.equal(extra.type, 'refused');
    const unknown = await fromPanel({ type: 'give-me-the-token' });
    assert.equal(unknown.type, 'refused');
    assert.deepEqual(graphRequests(session).map((r) => r.pathAndQuery), ['/beta/$batch'], 'none of them reached Graph');
    assert.ok(await storedAccessToken(session), 'and the session is intact');
  });

  test('policy names carrying markup render as text', async () => {
    await useScenario(session, { registrationPolicy: 'enabledForReportingButNotEnforced' });
    session.tenant.update((state) => {
      for (const p of state.policies) if (p.conditions.applications.includeUserActions?.length) p.displayName = HOSTILE;
    });
    const { page, frame } = await openPanel(session);
    await checkTenant(frame);
    const enforce = frame.getByRole('button', { name: /^Enforce/ });
    assert.equal(await enforce.textContent(), `Enforce “${HOSTILE}”`);
    assert.equal(await frame.locator('[data-testid="apply-flow"] img, [data-testid="apply-flow"] b').count(), 0);
    assert.equal(await frame.evaluate(() => window.pwned ?? null), null);
    assert.equal(await page.evaluate(() => window.pwned ?? null), null);
    assert.notEqual(BLOCK_NAME, HOSTILE);
  });
});
