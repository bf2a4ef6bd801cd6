// The portal's CSP is not ours and can change any day. Under the strictest policy a page can
// send (no scripts at all, Trusted Types required, no frames, styles from the page origin
// only) the panel must still mount, run its wasm and read the page.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PORTAL_CSP } from '../emulator/portal/service.mjs';
import { expectPanel, portalUrl, ROUTES, TENANT, SUITE_TIMEOUT, useBrowserSession } from './panel.mjs';

describe('a working panel under the strictest CSP', { timeout: SUITE_TIMEOUT }, () => {
  const session = useBrowserSession();

  test('with script-src none and frame-src none the full panel reads the page', async () => {
    session.emulator.services.portal.configure({ scripts: 'none' });
    const page = await session.context.newPage();
    try {
      const response = await page.goto(portalUrl('portal.azure.com', ROUTES.policies));
      assert.equal(response.headers()['content-security-policy'], PORTAL_CSP.none);
      await expectPanel(page, session.extensionId, {
        label: 'Registration Guard', mode: 'full', summary: `Conditional Access › Policies · ${TENANT} · Global cloud`,
      });
    } finally {
      await page.close();
      session.emulator.services.portal.reset();
    }
  });

  test('with scripts forbidden a typed address change still moves the panel', async () => {
    session.emulator.services.portal.configure({ scripts: 'none' });
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      await expectPanel(page, session.extensionId, { summary: `Conditional Access › Policies · ${TENANT} · Global cloud` });
      // Playwright's own evaluate is exempt from the page CSP; it stands in for the address bar.
      await page.evaluate((f) => { location.hash = f; }, `@${TENANT}/${ROUTES.namedLocations}`);
      await expectPanel(page, session.extensionId, {
        mode: 'full', summary: `Conditional Access › Named locations · ${TENANT} · Global cloud`,
      });
    } finally {
      await page.close();
      session.emulator.services.portal.reset();
    }
  });
});
