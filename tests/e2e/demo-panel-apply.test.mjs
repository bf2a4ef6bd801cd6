// The extension's own panel, docked on the simulated admin center, runs its real apply flow against
// the tenant in the page: creating and enforcing the policy update the lists and what personas
// meet, its portal link opens the policy in the simulated admin center, and reset starts over.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { act, checkOutcomeTable, openDemo, shot } from './demo-harness.mjs';

let demo;
before(async () => { demo = await openDemo({ width: 1280, height: 900 }); });
after(async () => { await demo?.close(); });

const flow = (page) => page.locator('#rg-panel [data-testid="apply-flow"]');
const rows = (page) => page.locator('[data-testid="policy-list"] tbody tr');

test('apply from the panel creates the report-only policy in the simulated tenant and the list shows it', async () => {
  const { page } = demo;
  await page.waitForSelector('#rg-panel [data-testid="apply-flow"][data-flow-state="review"]');
  assert.equal(await rows(page).count(), 3);
  await page.locator('#rg-panel button[data-action="apply"]').click();
  await page.locator('#rg-panel button[data-action="confirm-apply"]').click();
  await page.waitForSelector('#rg-panel [data-testid="result"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="policy-list"] tbody tr').length === 4);
  assert.equal(await rows(page).nth(3).getAttribute('data-policy-state'), 'enabledForReportingButNotEnforced');
  await shot(page, 'panel-applied-1280x900');

  await act(page, 'view', 'end-user');
  const table = await checkOutcomeTable(page, assert);
  assert.ok(Object.values(table).every((c) => c.today !== 'blocked'), 'report-only blocks nobody yet');
  assert.deepEqual(demo.problems, []);
});

test('enforce from the panel turns the policy On and the remote new hire meets the block page, as the engine says', async () => {
  const { page } = demo;
  await act(page, 'view', 'policies');
  await page.locator('#rg-panel button[data-action="enforce"]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="policy-list"] tbody tr:nth-child(4)')?.dataset.policyState === 'enabled');
  await act(page, 'view', 'end-user');
  const table = await checkOutcomeTable(page, assert);
  assert.equal(table['remote-new-hire'].today, 'blocked');
  await act(page, 'persona', 'remote-new-hire');
  await act(page, 'register');
  await page.waitForSelector('[data-testid="enduser-outcome"][data-outcome="blocked"] [data-testid="block-preview"]');
  assert.deepEqual(demo.problems, []);
});

test('the panel\'s portal link opens the policy in the simulated admin center, not the real portal', async () => {
  const { page } = demo;
  await act(page, 'view', 'policies');
  const link = page.locator('#rg-panel [data-testid="portal-link"]');
  await link.click();
  await page.waitForSelector('[data-testid="policy-details"]');
  assert.match(await page.locator('#demo-blade-title').textContent(), /security info registration/i);
  assert.equal(page.context().pages().length, 1, 'no other tab opened');
  assert.deepEqual(demo.problems, []);
});

test('reset starts over: three policies again and the panel reviews the fresh tenant', async () => {
  const { page } = demo;
  await act(page, 'reset');
  await act(page, 'view', 'policies');
  assert.equal(await rows(page).count(), 3);
  await page.waitForSelector('#rg-panel [data-testid="apply-flow"][data-flow-state="review"]');
  assert.equal(await page.locator('#rg-panel [data-testid="result"]').count(), 0);
  assert.deepEqual(demo.problems, []);
});

test('a policy the trainer created elsewhere is found by the panel, which offers to enforce it instead of a duplicate', async () => {
  const { page } = demo;
  await act(page, 'reset');
  await act(page, 'view', 'presenter');
  await act(page, 'step', '4');
  await act(page, 'create-draft');
  await act(page, 'view', 'policies');
  const enforce = page.locator('#rg-panel button[data-action="enforce-existing"]');
  await enforce.waitFor();
  assert.equal(await page.locator('#rg-panel button[data-action="apply"]').count(), 0, 'no second policy is offered');
  await enforce.click();
  await page.waitForFunction(() => document.querySelector('[data-testid="policy-list"] tbody tr:nth-child(4)')?.dataset.policyState === 'enabled');
  assert.equal(await rows(page).count(), 4);
  assert.deepEqual(demo.problems, []);
});
