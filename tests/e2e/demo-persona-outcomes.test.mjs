// The personas × outcome table and the end-user view show what the what-if engine computes on the
// simulated tenant's current policies, for every preset, report-only and On, and after the trainer
// adds a trusted range.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { act, checkOutcomeTable, engineReport, expectedOutcome, openDemo } from './demo-harness.mjs';

let demo;
before(async () => { demo = await openDemo({ width: 1920, height: 1080 }); });
after(async () => { await demo?.close(); });

async function presenterLastStep(page) {
  await act(page, 'view', 'presenter');
  await act(page, 'step', '5');
  await page.waitForSelector('[data-testid="outcome-table"]');
}

async function choose(page, preset, state) {
  await page.selectOption('select[data-action="preset"]', preset);
  await page.check(`input[data-action="draft-state"][value="${state}"]`);
  await page.waitForSelector(`[data-testid="outcome-table"] th:has-text("(${state === 'enabled' ? 'On' : 'Report-only'})")`);
}

test('every preset, report-only and On: each persona outcome in the table is the engine\'s', async () => {
  const { page } = demo;
  await presenterLastStep(page);
  const all = {};
  for (const preset of ['blockOutsideTrusted', 'requireMfaOutsideTrusted', 'blockGuestsOutsideTrusted']) {
    for (const state of ['enabledForReportingButNotEnforced', 'enabled']) {
      await choose(page, preset, state);
      all[`${preset}/${state}`] = await checkOutcomeTable(page, assert);
    }
  }
  // The presets must make a difference somewhere, or the table would not teach anything.
  const drafts = new Set(Object.values(all).map((t) => JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.draft])))));
  assert.ok(drafts.size >= 3, `the presets and states give different outcomes (${drafts.size} distinct tables)`);
  // Report-only never changes what users meet today.
  for (const [key, table] of Object.entries(all)) {
    if (key.endsWith('enabledForReportingButNotEnforced')) {
      for (const [persona, cells] of Object.entries(table)) assert.equal(cells.draft, cells.today, `${key}: ${persona} unchanged`);
    }
  }
  assert.deepEqual(demo.problems, []);
});

test('adding a trusted range for the remote new hire\'s home network lets them register, as the engine says', async () => {
  const { page } = demo;
  await presenterLastStep(page);
  await choose(page, 'blockOutsideTrusted', 'enabled');
  const before = await checkOutcomeTable(page, assert);
  assert.equal(before['remote-new-hire'].draft, 'blocked', 'blocked at home before the range is trusted');
  await act(page, 'step', '2');
  assert.match(await page.locator('[data-testid="effect-strip"]').textContent(), /blocked — [^;]*Remote new hire/, 'the setting steps say who it would block');
  await act(page, 'step', '5');

  await page.fill('#demo-presenter-range-name', 'Lee home office');
  await page.fill('#demo-presenter-range-ranges', '192.0.2.0/28, 192.0.2.32/28');
  await act(page, 'add-range');
  await page.waitForSelector('[data-testid="notice"][data-kind="done"]');
  const row = page.locator('[data-testid="outcome-table"] tr[data-persona="remote-new-hire"]');
  await assert.doesNotReject(row.locator('td:has-text("trusted: Lee home office")').waitFor());
  const after = await checkOutcomeTable(page, assert);
  assert.equal(after['remote-new-hire'].draft, 'registrationPage');
  await act(page, 'step', '2');
  assert.doesNotMatch(await page.locator('[data-testid="effect-strip"]').textContent(), /blocked — [^;]*Remote new hire/);
  await act(page, 'step', '5');
  const snapshot = JSON.parse(await page.locator('[data-testid="outcome-table"]').getAttribute('data-snapshot'));
  assert.ok(snapshot.namedLocations.some((l) => l.displayName === 'Lee home office' && l.isTrusted), 'the tenant holds the new location');
  assert.deepEqual(demo.problems, []);
});

test('ranges the engine refuses create nothing and every error is listed', async () => {
  const { page } = demo;
  await act(page, 'view', 'policies');
  await act(page, 'view', 'locations');
  const count = await page.locator('[data-testid="location-list"] tbody tr').count();
  await page.fill('#demo-range-form-name', 'Broken');
  await page.fill('#demo-range-form-ranges', '10.0.0.0/4\nnot-an-address');
  await act(page, 'add-range');
  const notice = page.locator('[data-testid="notice"][data-kind="problem"]');
  await notice.waitFor();
  assert.equal(await notice.locator('li').count(), 2, 'one line per refused range');
  assert.match(await notice.textContent(), /No location was created/);
  assert.equal(await page.locator('[data-testid="location-list"] tbody tr').count(), count);
  assert.equal(await page.inputValue('#demo-range-form-ranges'), '10.0.0.0/4\nnot-an-address', 'the typed ranges stay for correcting');
  assert.deepEqual(demo.problems, []);
});

test('end-user view: each persona\'s screen is the outcome the engine computes on the current policies', async () => {
  const { page } = demo;
  await act(page, 'reset');
  await act(page, 'view', 'presenter');
  await act(page, 'step', '4');
  await page.check('input[data-action="draft-state"][value="enabled"]');
  await page.selectOption('select[data-action="preset"]', 'blockOutsideTrusted');
  await act(page, 'create-draft');
  await page.waitForSelector('[data-testid="notice"][data-kind="done"]');

  await act(page, 'view', 'end-user');
  const table = page.locator('[data-testid="outcome-table"]');
  const snapshot = await table.getAttribute('data-snapshot');
  const kinds = new Set();
  for (const persona of ['office-worker', 'remote-new-hire', 'travelling-employee', 'guest', 'admin', 'break-glass']) {
    await act(page, 'persona', persona);
    await act(page, 'register');
    const screen = page.locator('[data-testid="enduser-outcome"]');
    await screen.waitFor();
    const signIn = await table.locator(`tr[data-persona="${persona}"]`).getAttribute('data-sign-in');
    const expected = expectedOutcome((await engineReport(page, snapshot, '', signIn)).decision);
    assert.equal(await screen.getAttribute('data-outcome'), expected, `${persona} sees what the engine decides`);
    kinds.add(expected);
    if (expected === 'blocked') {
      await screen.locator('[data-testid="block-preview"] [data-testid="signin-preview"]').waitFor();
      assert.match(await screen.textContent(), /You cannot access this right now/);
    } else if (expected === 'registrationPage') {
      await screen.locator('[data-testid="registration-page"]').waitFor();
    } else if (expected === 'mfaPrompt') {
      await screen.locator('[data-testid="block-preview"][data-preset="requireMfaOutsideTrusted"]').waitFor();
    }
  }
  assert.ok(kinds.has('blocked') && kinds.has('registrationPage'), 'with the block On, some personas are blocked and some register');
  assert.deepEqual(demo.problems, []);
});
