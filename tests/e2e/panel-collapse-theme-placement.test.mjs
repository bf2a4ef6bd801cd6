// The panel shares the screen with the portal: it collapses and expands from the keyboard and
// remembers that choice, wears the portal's theme, and never covers the portal's top bar or
// command bar (where the admin's own buttons are).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  clickNav, eventually, expectPanel, overlaps, panelBox, panelFrames, portalUrl, ROUTES, SUITE_TIMEOUT, useBrowserSession,
} from './panel.mjs';

/** Fails when the panel frame covers any part of the portal's top bar or command bar. */
async function assertPortalChromeUncovered(page, extensionId, when) {
  await eventually(async () => {
    const frames = panelFrames(page, extensionId);
    assert.equal(frames.length, 1);
    const panel = await panelBox(frames[0]);
    assert.ok(panel && panel.width > 0 && panel.height > 0, `${when}: the panel frame is not laid out`);
    for (const selector of ['#fxs-topbar', '#fxs-commandbar']) {
      const chrome = await page.locator(selector).boundingBox();
      assert.ok(!overlaps(panel, chrome),
        `${when}: the panel frame ${JSON.stringify(panel)} covers the portal's ${selector} ${JSON.stringify(chrome)}`);
    }
  });
}

describe('collapse, theme and placement', { timeout: SUITE_TIMEOUT }, () => {
  const session = useBrowserSession();

  test('collapse and expand work from the keyboard, move focus sensibly and survive a reload', async () => {
    const page = await session.context.newPage();
    const focused = (frame) => frame.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
    try {
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      let frame = await expectPanel(page, session.extensionId, { mode: 'full' });
      const collapse = frame.getByRole('button', { name: 'Collapse Registration Guard' });
      assert.equal(await collapse.getAttribute('aria-expanded'), 'true');
      await collapse.focus();
      await page.keyboard.press('Enter');
      frame = await expectPanel(page, session.extensionId, { mode: 'launcher' });
      const open = frame.getByRole('button', { name: 'Open Registration Guard' });
      assert.equal(await open.getAttribute('aria-expanded'), 'false');
      await eventually(async () => assert.equal(await focused(frame), 'Open Registration Guard'));
      await assertPortalChromeUncovered(page, session.extensionId, 'collapsed');

      await page.reload();
      frame = await expectPanel(page, session.extensionId, { mode: 'launcher' });
      await frame.getByRole('button', { name: 'Open Registration Guard' }).focus();
      await page.keyboard.press('Space');
      frame = await expectPanel(page, session.extensionId, { mode: 'full' });
      assert.equal(await frame.getByRole('button', { name: 'Collapse Registration Guard' }).getAttribute('aria-expanded'), 'true');
      await eventually(async () => assert.equal(await focused(frame), 'Collapse Registration Guard'));

      await page.reload();
      frame = await expectPanel(page, session.extensionId, { mode: 'full' });
      await frame.getByRole('button', { name: 'Collapse Registration Guard' }).focus();
      await page.keyboard.press('Escape');
      frame = await expectPanel(page, session.extensionId, { mode: 'launcher' });
      await frame.getByRole('button', { name: 'Open Registration Guard' }).focus();
      await page.keyboard.press('Enter');
      await expectPanel(page, session.extensionId, { mode: 'full' });
    } finally {
      await page.close();
    }
  });

  test('the panel wears the portal dark theme, and the light one', async () => {
    const page = await session.context.newPage();
    try {
      session.emulator.services.portal.configure({ theme: 'dark' });
      await page.goto(portalUrl('portal.azure.com', ROUTES.policies));
      await expectPanel(page, session.extensionId, { mode: 'full', theme: 'dark' });

      session.emulator.services.portal.configure({ theme: 'light' });
      await page.reload();
      await expectPanel(page, session.extensionId, { mode: 'full', theme: 'light' });
    } finally {
      await page.close();
      session.emulator.services.portal.reset();
    }
  });

  test('switching the portal theme live switches the panel without a reload', async () => {
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      await expectPanel(page, session.extensionId, { mode: 'full', theme: 'light' });
      await page.getByRole('button', { name: 'Dark theme' }).click();
      await expectPanel(page, session.extensionId, { mode: 'full', theme: 'dark' });
      await page.getByRole('button', { name: 'Dark theme' }).click();
      await expectPanel(page, session.extensionId, { mode: 'full', theme: 'light' });
    } finally {
      await page.close();
    }
  });

  test("the portal's own appearance wins over the browser's colour scheme", async () => {
    const page = await session.context.newPage();
    try {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(portalUrl('portal.azure.com', ROUTES.policies));
      await expectPanel(page, session.extensionId, { mode: 'full', theme: 'light' });
    } finally {
      await page.close();
    }
  });

  for (const viewport of [{ width: 1366, height: 800 }, { width: 1024, height: 640 }]) {
    test(`at ${viewport.width}×${viewport.height} the panel never covers the top bar or the command bar`, async () => {
      const page = await session.context.newPage();
      try {
        await page.setViewportSize(viewport);
        await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
        await expectPanel(page, session.extensionId, { mode: 'full' });
        await assertPortalChromeUncovered(page, session.extensionId, 'policies, full panel');
        await clickNav(page, 'Named locations');
        await expectPanel(page, session.extensionId, { summary: 'Conditional Access › Named locations · contoso.onmicrosoft.com · Global cloud' });
        await assertPortalChromeUncovered(page, session.extensionId, 'named locations, full panel');
        await clickNav(page, 'Groups');
        await expectPanel(page, session.extensionId, { mode: 'launcher' });
        await assertPortalChromeUncovered(page, session.extensionId, 'groups, launcher');
      } finally {
        await page.close();
      }
    });
  }

  test('when the window shrinks the panel shrinks with it and keeps clear of the portal chrome', async () => {
    const page = await session.context.newPage();
    try {
      await page.setViewportSize({ width: 1366, height: 800 });
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      await expectPanel(page, session.extensionId, { mode: 'full' });
      const small = { width: 900, height: 560 };
      await page.setViewportSize(small);
      await eventually(async () => {
        const box = await panelBox(panelFrames(page, session.extensionId)[0]);
        assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= small.width && box.y + box.height <= small.height,
          `the panel frame ${JSON.stringify(box)} does not fit the ${small.width}×${small.height} window`);
      });
      await assertPortalChromeUncovered(page, session.extensionId, 'after shrinking the window');
    } finally {
      await page.close();
    }
  });
});
