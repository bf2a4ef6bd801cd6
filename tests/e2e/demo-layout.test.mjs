// The demo is readable on a projector: at 1280×720 and 1920×1080, in normal and large text, every
// view keeps its key regions apart (the docked panel included), never scrolls sideways and lets no
// text run out of its box. Screenshots land in tests/.tmp/demo-shots for a person to look at.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { act, openDemo, shot } from './demo-harness.mjs';

const VIEWS = [
  { name: 'admin-policies', go: (p) => act(p, 'view', 'policies'),
    regions: ['.demo-top', '.demo-nav', '.demo-blade-title', '.demo-commands', '[data-testid="policy-list"]', '#rg-dock'] },
  { name: 'admin-policy', go: async (p) => { await act(p, 'view', 'policies'); await act(p, 'open-policy'); },
    regions: ['.demo-top', '.demo-nav', '[data-testid="policy-details"]', '.demo-enable', '#rg-dock'] },
  { name: 'admin-locations', go: async (p) => { await act(p, 'view', 'policies'); await act(p, 'view', 'locations'); },
    regions: ['.demo-top', '.demo-nav', '[data-testid="location-list"]', '.demo-range-form', '#rg-dock'] },
  { name: 'end-user-blocked', go: async (p) => {
    await act(p, 'view', 'presenter'); await act(p, 'step', '4');
    await p.check('input[data-action="draft-state"][value="enabled"]');
    await act(p, 'create-draft');
    await act(p, 'view', 'end-user'); await act(p, 'persona', 'remote-new-hire'); await act(p, 'register');
    await p.waitForSelector('[data-testid="enduser-outcome"]');
  }, regions: ['.demo-top', '.demo-personas', '.demo-enduser-main'] },
  ...[0, 1, 2, 3, 4, 5].map((step) => ({
    name: `presenter-step-${step + 1}`,
    go: async (p) => { await act(p, 'view', 'presenter'); await act(p, 'step', String(step)); },
    regions: ['.demo-top', '.demo-steps', '.demo-presenter-controls', '.demo-slide', '.demo-slide-nav'],
  })),
  { name: 'presenter-effect-mfa', go: async (p) => {
    await act(p, 'view', 'presenter'); await act(p, 'step', '5');
    await p.selectOption('select[data-action="preset"]', 'requireMfaOutsideTrusted');
    await p.check('input[data-action="draft-state"][value="enabled"]');
    await act(p, 'persona', 'remote-new-hire');
    await p.waitForSelector('.demo-effect [data-testid="enduser-outcome"][data-outcome="mfaPrompt"]');
  }, regions: ['.demo-top', '.demo-presenter-controls', '.demo-effect > .demo-scroll', '.demo-effect > .demo-screen'] },
  { name: 'own-tenant', go: async (p) => {
    await act(p, 'view', 'own');
    await p.fill('#demo-own-text', JSON.stringify({ value: [{ displayName: 'Require MFA for security info registration outside trusted locations', state: 'enabled',
      conditions: { clientAppTypes: ['all'], applications: { includeApplications: [], includeUserActions: ['urn:user:registersecurityinfo'] },
        users: { includeUsers: ['All'] }, locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } },
      grantControls: { operator: 'OR', builtInControls: ['mfa'] } }] }));
    await act(p, 'import-text');
    await p.waitForSelector('[data-testid="own-results"]');
  }, regions: ['.demo-top', '[data-testid="dropzone"]', '[data-testid="own-results"]'] },
];

/** Measures the page: sideways scroll, overlapping regions, text running out of its box. */
async function measure(page, regions) {
  return page.evaluate((selectors) => {
    const boxes = selectors.map((s) => {
      const el = document.querySelector(s);
      if (!el || el.closest('[hidden]')) return { s, missing: true };
      const r = el.getBoundingClientRect();
      return { s, left: r.left, top: r.top + scrollY, right: r.right, bottom: r.bottom + scrollY, missing: r.width === 0 || r.height === 0 };
    });
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]; const b = boxes[j];
        if (a.missing || b.missing) continue;
        // The dock is fixed: compare it with the other regions as they sit in the first screenful.
        if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) overlaps.push(`${a.s} × ${b.s}`);
      }
    }
    const overflowing = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.demo-scroll, pre, .demo-visually-hidden, [hidden], svg, script, style, head')) continue;
      const style = getComputedStyle(el);
      if (style.display === 'inline' || style.display === 'none' || style.overflowX !== 'visible') continue;
      const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!hasText) continue;
      if (el.scrollWidth > el.clientWidth + 1) overflowing.push(`${el.tagName.toLowerCase()}.${el.className} “${el.textContent.trim().slice(0, 40)}”`);
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5)) overflowing.push(`${el.tagName.toLowerCase()}.${el.className} outside the window`);
    }
    return {
      sideways: document.documentElement.scrollWidth - innerWidth,
      missing: boxes.filter((b) => b.missing).map((b) => b.s),
      overlaps,
      overflowing,
    };
  }, regions);
}

for (const [width, height] of [[1280, 720], [1920, 1080]]) {
  for (const large of [false, true]) {
    test(`${width}×${height}${large ? ', large text' : ''}: regions apart, no sideways scroll, no overflowing text`, async () => {
      const demo = await openDemo({ width, height });
      try {
        const { page } = demo;
        if (large) await act(page, 'large-text');
        for (const view of VIEWS) {
          await act(page, 'reset');
          await view.go(page);
          await page.waitForTimeout(50);
          const m = await measure(page, view.regions);
          await shot(page, `${view.name}-${width}x${height}${large ? '-large' : ''}`);
          const dockOptional = (s) => s === '#rg-dock';
          assert.deepEqual(m.missing.filter((s) => !dockOptional(s)), [], `${view.name}: every key region is on screen`);
          assert.ok(m.sideways <= 0, `${view.name}: no horizontal scroll (${m.sideways}px too wide)`);
          assert.deepEqual(m.overlaps, [], `${view.name}: key regions do not overlap`);
          assert.deepEqual(m.overflowing, [], `${view.name}: no text runs out of its box`);
          const dock = await page.evaluate(() => {
            const el = document.querySelector('#rg-dock:not([hidden])');
            if (!el) return null;
            const r = el.getBoundingClientRect();
            return { x: r.x, y: r.y, width: r.width, height: r.height };
          });
          if (dock) {
            // The extension's placement rule, kept on the demo page too.
            assert.ok(dock.y >= 176 - 0.5, `${view.name}: the panel stays below 176 px (top at ${dock.y})`);
            assert.ok(Math.abs(width - (dock.x + dock.width) - 16) < 1 && Math.abs(height - (dock.y + dock.height) - 16) < 1,
              `${view.name}: the panel sits 16 px from the right and bottom edges`);
          }
        }
        assert.equal(await page.locator('#rg-dock').getAttribute('data-mode'), 'full', 'the panel is open on the admin center');
        assert.deepEqual(demo.problems, []);
      } finally {
        await demo.close();
      }
    });
  }
}
