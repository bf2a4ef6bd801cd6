// Navigation must never stack panels: after many blade changes the page still holds exactly one
// host element and one extension frame.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  clickNav, countPanelHosts, expectPanel, panelFrames, portalUrl, ROUTES, setFragment, TENANT, SUITE_TIMEOUT,
  useBrowserSession,
} from './panel.mjs';

const tail = `${TENANT} · Global cloud`;
// Alternates the portal's pushState navigation with fragment changes and passes through a
// blade outside Conditional Access (launcher only) and back.
const STEPS = [
  { nav: 'Named locations', summary: `Conditional Access › Named locations · ${tail}`, mode: 'full' },
  { fragment: ROUTES.policy, summary: `Conditional Access › Policy 76e48a65… · ${tail}`, mode: 'full' },
  { nav: 'Groups', mode: 'launcher' },
  { nav: 'What If', summary: `Conditional Access › What If · ${tail}`, mode: 'full' },
  { fragment: ROUTES.policies, summary: `Conditional Access › Policies · ${tail}`, mode: 'full' },
];

describe('still exactly one panel after 20 navigations', { timeout: SUITE_TIMEOUT }, () => {
  const session = useBrowserSession();

  test('20 navigations leave one host element and one extension frame', async () => {
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      await expectPanel(page, session.extensionId, { mode: 'full', summary: `Conditional Access › Policies · ${tail}` });
      for (let i = 0; i < 20; i += 1) {
        const step = STEPS[i % STEPS.length];
        if (step.nav) await clickNav(page, step.nav);
        else await setFragment(page, `@${TENANT}/${step.fragment}`);
        const expected = step.summary ? { mode: step.mode, summary: step.summary } : { mode: step.mode };
        await expectPanel(page, session.extensionId, expected);
        assert.equal(await countPanelHosts(page), 1, `after navigation ${i + 1} (${step.nav ?? step.fragment})`);
      }
      assert.equal(await countPanelHosts(page), 1);
      const extensionFrames = page.frames().filter((f) => f.url().startsWith(`chrome-extension://${session.extensionId}/`));
      assert.equal(extensionFrames.length, 1, `extension frames: ${extensionFrames.map((f) => f.url()).join(', ')}`);
      assert.equal(panelFrames(page, session.extensionId).length, 1);
    } finally {
      await page.close();
    }
  });
});
