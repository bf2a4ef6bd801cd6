// axe-core finds no serious or critical accessibility violation in any view of the demo, the
// docked panel and the block-page preview included. The page's CSP forbids inline scripts, so this
// spec alone opens the page with CSP bypassed to inject axe; the other specs run under the real CSP.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { act, openDemo } from './demo-harness.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let demo;
before(async () => { demo = await openDemo({ width: 1280, height: 720, bypassCSP: true }); });
after(async () => { await demo?.close(); });

async function seriousViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

const VIEWS = [
  ['the policies list with the panel open', (p) => act(p, 'view', 'policies')],
  ['a policy', async (p) => { await act(p, 'view', 'policies'); await act(p, 'open-policy'); }],
  ['named locations after a refused range', async (p) => {
    await act(p, 'view', 'policies'); await act(p, 'view', 'locations');
    await p.fill('#demo-range-form-ranges', '10.0.0.0/4'); await act(p, 'add-range');
    await p.waitForSelector('[data-testid="notice"][data-kind="problem"]');
  }],
  ['the end-user view showing the block page', async (p) => {
    await act(p, 'view', 'presenter'); await act(p, 'step', '4');
    await p.check('input[data-action="draft-state"][value="enabled"]'); await act(p, 'create-draft');
    await act(p, 'view', 'end-user'); await act(p, 'persona', 'travelling-employee'); await act(p, 'register');
    await p.waitForSelector('[data-testid="enduser-outcome"][data-outcome="blocked"]');
  }],
  ['the presenter, first step, large text', async (p) => { await act(p, 'view', 'presenter'); await act(p, 'large-text'); await act(p, 'step', '0'); }],
  ['the presenter, last step with the MFA screen', async (p) => {
    await act(p, 'view', 'presenter'); await act(p, 'step', '5');
    await p.selectOption('select[data-action="preset"]', 'requireMfaOutsideTrusted');
    await p.check('input[data-action="draft-state"][value="enabled"]');
    await act(p, 'persona', 'remote-new-hire');
    await p.waitForSelector('[data-testid="enduser-outcome"]');
  }],
  ['your tenant with results and an import error', async (p) => {
    await act(p, 'view', 'own');
    await p.fill('#demo-own-text', '{"value": [{"displayName": "Block legacy", "state": "enabled", "conditions": {"clientAppTypes": ["other"]}, "grantControls": {"operator": "OR", "builtInControls": ["block"]}}]}');
    await act(p, 'import-text');
    await p.fill('#demo-own-text', '{"value": [');
    await act(p, 'import-text');
    await p.waitForSelector('[data-testid="import-error"]');
  }],
];

for (const [name, go] of VIEWS) {
  test(`axe: no serious or critical violations on ${name}`, async () => {
    await act(demo.page, 'reset');
    await go(demo.page);
    assert.deepEqual(await seriousViolations(demo.page), []);
    assert.deepEqual(demo.problems, []);
  });
}
