// The toolbar popup speaks about the tab the admin is looking at: the portal page's context, or
// where to go when the tab is not a portal page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../emulator/paths.mjs';
import { expectPanel, expectPopup, portalUrl, ROUTES, SUITE_TIMEOUT, TENANT, useBrowserSession } from './panel.mjs';

const VERSION = `Version ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}`;

describe('the toolbar popup names the page', { timeout: SUITE_TIMEOUT }, () => {
  const session = useBrowserSession();

  test('on a US Government portal page it shows that page context and the version', async () => {
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('portal.azure.us', ROUTES.namedLocations, 'contoso.onmicrosoft.us'));
      const frame = await expectPanel(page, session.extensionId, { mode: 'full' });
      await expectPopup(session, frame, {
        context: 'Conditional Access › Named locations · contoso.onmicrosoft.us · US Government cloud', version: VERSION,
      });
    } finally {
      await page.close();
    }
  });

  test('on a tab that is not a portal page it says where Registration Guard works', async () => {
    const portal = await session.context.newPage();
    const other = await session.context.newPage();
    try {
      await portal.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      // The popup is read through the portal tab's panel frame; the focused tab is `other`.
      const frame = await expectPanel(portal, session.extensionId, { summary: `Conditional Access › Policies · ${TENANT} · Global cloud` });
      await other.goto('about:blank');
      await other.bringToFront();
      await expectPopup(session, frame, {
        context: /^Open the Entra admin center \(entra\.microsoft\.com\) or the Azure portal/, version: VERSION,
      });
    } finally {
      await other.close();
      await portal.close();
    }
  });
});
