// On a Conditional Access policies page, in either admin portal and in every address form the
// portal uses, the extension docks its full panel and says where the admin is.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectPanel, panelBox, portalUrl, ROUTES, SUITE_TIMEOUT, useBrowserSession } from './panel.mjs';

const GLOBAL_POLICIES = 'Conditional Access › Policies · contoso.onmicrosoft.com · Global cloud';

describe('panel appears on a policies page', { timeout: SUITE_TIMEOUT }, () => {
  const session = useBrowserSession();

  for (const host of ['entra.microsoft.com', 'portal.azure.com']) {
    test(`on ${host} with the tenant in the address it shows the full panel with the summary`, async () => {
      const page = await session.context.newPage();
      try {
        await page.goto(portalUrl(host, ROUTES.policies));
        const frame = await expectPanel(page, session.extensionId, {
          label: 'Registration Guard', mode: 'full', summary: GLOBAL_POLICIES, area: 'Conditional Access › Policies',
          account: 'Adele Vance (adele@contoso.onmicrosoft.com)',
        });
        const box = await panelBox(frame);
        assert.ok(box && box.width >= 200 && box.height >= 100, `the panel frame is too small to read: ${JSON.stringify(box)}`);
        const viewport = page.viewportSize();
        assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height,
          `the panel frame ${JSON.stringify(box)} is not inside the ${viewport.width}×${viewport.height} window`);
      } finally {
        await page.close();
      }
    });
  }

  test('on the admin center with the tenant id in the path it names the tenant id', async () => {
    const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const page = await session.context.newPage();
    try {
      await page.goto(`https://entra.microsoft.com/${tenantId}#${ROUTES.policies}`);
      await expectPanel(page, session.extensionId, {
        mode: 'full', summary: `Conditional Access › Policies · ${tenantId} · Global cloud`,
      });
    } finally {
      await page.close();
    }
  });

  test('the legacy #blade address form is read as the policies page', async () => {
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('portal.azure.com', ROUTES.legacyPolicies));
      await expectPanel(page, session.extensionId, { mode: 'full', summary: GLOBAL_POLICIES });
    } finally {
      await page.close();
    }
  });

  test('without a tenant in the address the summary names only area and cloud', async () => {
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies, null));
      await expectPanel(page, session.extensionId, { mode: 'full', summary: 'Conditional Access › Policies · Global cloud' });
    } finally {
      await page.close();
    }
  });

  test('an account name holding markup is shown as text, never as elements', async () => {
    const name = '<img src=x onerror="document.title=1"><b>Mallory</b>';
    session.emulator.services.portal.configure({ account: { name, upn: 'mallory@contoso.onmicrosoft.com' } });
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      const frame = await expectPanel(page, session.extensionId, {
        mode: 'full', account: `${name} (mallory@contoso.onmicrosoft.com)`,
      });
      const injected = await frame.evaluate(() => [...document.querySelectorAll('*')]
        .filter((e) => e.hasAttribute('onerror') || (e.tagName === 'B' && e.textContent === 'Mallory'))
        .map((e) => e.outerHTML));
      assert.deepEqual(injected, [], 'markup from the account name became elements in the panel');
    } finally {
      await page.close();
      session.emulator.services.portal.reset();
    }
  });
});
