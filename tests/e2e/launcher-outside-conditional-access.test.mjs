// Away from Conditional Access the extension stays out of the way: only its launcher shows.
// Coming back to Conditional Access brings the full panel back.
import { describe, test } from 'node:test';
import { clickNav, expectPanel, portalUrl, ROUTES, TENANT, SUITE_TIMEOUT, useBrowserSession } from './panel.mjs';

describe('launcher only on an unrelated blade', { timeout: SUITE_TIMEOUT }, () => {
  const session = useBrowserSession();

  test('the Groups blade shows only the launcher, and the policies blade the full panel again', async () => {
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.groups));
      const frame = await expectPanel(page, session.extensionId, { mode: 'launcher' });
      await frame.getByRole('button', { name: 'Open Registration Guard' }).waitFor({ state: 'visible' });

      await clickNav(page, 'Policies');
      await expectPanel(page, session.extensionId, {
        mode: 'full', summary: `Conditional Access › Policies · ${TENANT} · Global cloud`,
      });
    } finally {
      await page.close();
    }
  });
});
