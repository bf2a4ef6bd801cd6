// After a real sign-in and apply, the tokens the identity platform issued are found in
// chrome.storage.session and nowhere else the extension or the page can keep data: not in
// chrome.storage.local or .sync, not in the extension origin's localStorage/sessionStorage,
// not in the portal page's storage, not in the panel frame's DOM.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SUITE_TIMEOUT } from './panel.mjs';
import { applyAndConfirm, checkTenant, flowState, openPanel, useApplySession } from './apply-flow.mjs';

/** Every access and refresh token string the emulated identity platform has handed out. */
function issuedTokens(session) {
  const issued = session.tenant.state().issued ?? {};
  return [...(issued.access ?? []), ...(issued.refresh ?? [])].map((grant) => grant.token).filter(Boolean);
}

const holds = (dump, tokens) => tokens.filter((token) => dump.includes(token));

describe('tokens stay in the background session storage', { timeout: SUITE_TIMEOUT }, () => {
  const session = useApplySession();

  test('after a sign-in and an apply, tokens are only in chrome.storage.session', async () => {
    const { page, frame } = await openPanel(session);
    await checkTenant(frame);
    await applyAndConfirm(frame);
    await flowState(frame, 'live');

    const tokens = issuedTokens(session);
    assert.ok(tokens.length >= 2, `the sign-in issued an access and a refresh token (found ${tokens.length})`);

    const areas = await session.browser.serviceWorker.evaluate(async () => ({
      session: JSON.stringify(await chrome.storage.session.get(null)),
      local: JSON.stringify(await chrome.storage.local.get(null)),
      sync: JSON.stringify(await chrome.storage.sync.get(null)),
    }));
    assert.ok(holds(areas.session, tokens).length > 0, 'the background keeps the session in chrome.storage.session');
    assert.deepEqual(holds(areas.local, tokens), [], 'no token in chrome.storage.local');
    assert.deepEqual(holds(areas.sync, tokens), [], 'no token in chrome.storage.sync');

    // Framed in the portal, the panel may not even open its origin's web storage: read it from a
    // top-level extension page of the same origin instead, and the panel's own DOM from the frame.
    const panelDom = await frame.evaluate(() => document.documentElement.outerHTML);
    assert.deepEqual(holds(panelDom, tokens), [], 'no token in the panel DOM');
    const options = await session.browser.context.newPage();
    try {
      await options.goto(`chrome-extension://${session.extensionId}/options.html`);
      const webStorage = await options.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
      assert.deepEqual(holds(webStorage, tokens), [], 'no token in the extension origin\'s localStorage or sessionStorage');
    } finally {
      await options.close();
    }

    const portal = await page.evaluate(() => JSON.stringify({
      local: { ...localStorage }, session: { ...sessionStorage }, dom: document.documentElement.outerHTML,
    }));
    assert.deepEqual(holds(portal, tokens), [], 'no token in the portal page');
  });
});
