// The portal is a single-page app: the panel must follow the admin from blade to blade without
// a reload, whether the portal changes the address with pushState or a fragment change, and
// the toolbar popup must agree with it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../emulator/paths.mjs';
import {
  clickNav, expectPanel, expectPopup, portalUrl, ROUTES, setFragment, TENANT, SUITE_TIMEOUT, useBrowserSession,
} from './panel.mjs';

const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const tail = `${TENANT} · Global cloud`;

describe('panel context follows hash navigation', { timeout: SUITE_TIMEOUT }, () => {
  const session = useBrowserSession();

  test('policies → named locations → one policy → What If updates the panel without reloading the page', async () => {
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      await expectPanel(page, session.extensionId, { mode: 'full', summary: `Conditional Access › Policies · ${tail}` });
      await page.evaluate(() => { window.registrationGuardTestSameDocument = true; });

      await clickNav(page, 'Named locations');
      await expectPanel(page, session.extensionId, { mode: 'full', summary: `Conditional Access › Named locations · ${tail}` });

      await setFragment(page, `@${TENANT}/${ROUTES.policy}`);
      await expectPanel(page, session.extensionId, { mode: 'full', summary: `Conditional Access › Policy 76e48a65… · ${tail}` });

      await clickNav(page, 'What If');
      const frame = await expectPanel(page, session.extensionId, { mode: 'full', summary: `Conditional Access › What If · ${tail}` });

      assert.equal(await page.evaluate(() => window.registrationGuardTestSameDocument), true,
        'the page was reloaded during navigation (the portal never reloads between blades)');
      assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), 1);

      await expectPopup(session, frame, { context: `Conditional Access › What If · ${tail}`, version: `Version ${VERSION}` });
    } finally {
      await page.close();
    }
  });

  test('back and forward through the history keep the panel in step', async () => {
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('portal.azure.com', ROUTES.policies));
      await expectPanel(page, session.extensionId, { summary: `Conditional Access › Policies · ${tail}` });
      await clickNav(page, 'Named locations');
      await expectPanel(page, session.extensionId, { summary: `Conditional Access › Named locations · ${tail}` });
      await page.goBack();
      await expectPanel(page, session.extensionId, { summary: `Conditional Access › Policies · ${tail}` });
      await page.goForward();
      await expectPanel(page, session.extensionId, { summary: `Conditional Access › Named locations · ${tail}` });
    } finally {
      await page.close();
    }
  });
});
