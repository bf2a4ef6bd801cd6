// The presenter is driven from the keyboard and resets in one click; the trainer's own export is
// read in the page (files picked, UTF-16 files dropped as bytes, text pasted), judged by the engine, and a bad
// file is explained without losing the previous result. Nothing is fetched but the page's own files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from '../../scripts/setup.mjs';
import { act, checkOutcomeTable, openDemo } from './demo-harness.mjs';

const CORPORA = join(ROOT, '..', 'shared', 'corpora');
const RSI_POLICY = join(CORPORA, 'kennethvs-cabaseline202510', 'policies', 'CAU012-RSI Combined Security Info Registration with TAP-v1.1.json');

let demo;
before(async () => { demo = await openDemo({ width: 1280, height: 720 }); });
after(async () => { await demo?.close(); });

const step = (page) => page.locator('.demo-slide').getAttribute('data-step');
const rows = (page) => page.locator('[data-testid="policy-list"] tbody tr');

test('presenter: arrows, Space, Home and End move through the six steps; form fields keep their keys', async () => {
  const { page } = demo;
  await act(page, 'view', 'presenter');
  assert.equal(await step(page), '0');
  await page.keyboard.press('ArrowRight');
  assert.equal(await step(page), '1');
  await page.locator('.demo-slide-title').focus();
  await page.keyboard.press(' ');
  assert.equal(await step(page), '2');
  await page.keyboard.press('End');
  assert.equal(await step(page), '5');
  await page.keyboard.press('ArrowRight');
  assert.equal(await step(page), '5', 'the last step stays the last');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await step(page), '4');
  await page.keyboard.press('Home');
  assert.equal(await step(page), '0');
  await page.locator('#demo-presenter-range-name').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('End');
  assert.equal(await step(page), '0', 'typing in a field does not change the step');
  assert.deepEqual(demo.problems, []);
});

test('reset puts the starting tenant back in one click, wherever the trainer is', async () => {
  const { page } = demo;
  await act(page, 'view', 'presenter');
  await act(page, 'step', '4');
  await act(page, 'create-draft');
  await act(page, 'view', 'policies');
  assert.equal(await rows(page).count(), 4, 'the created policy is listed');
  assert.equal(await rows(page).nth(3).getAttribute('data-policy-state'), 'enabledForReportingButNotEnforced');
  await rows(page).nth(3).locator('button').click();
  await act(page, 'policy-state', 'enabled');
  await page.waitForSelector('[data-testid="notice"][data-kind="done"]');
  await act(page, 'view', 'policies');
  assert.equal(await rows(page).nth(3).getAttribute('data-policy-state'), 'enabled', 'the list follows the state switch');
  await act(page, 'reset');
  assert.equal(await rows(page).count(), 3);
  assert.match(await page.locator('[data-testid="notice"]').textContent(), /starting state/);
  assert.deepEqual(demo.problems, []);
});

test('a reload in the middle of a class keeps the simulated tenant of the tab', async () => {
  const { page } = demo;
  await act(page, 'view', 'presenter');
  await act(page, 'step', '4');
  await act(page, 'create-draft');
  await page.reload();
  await page.waitForSelector('[data-testid="policy-list"]');
  assert.equal(await rows(page).count(), 4, 'the created policy survived the reload');
  assert.match(await page.locator('[data-testid="notice"]').textContent(), /as you left it/);
  await act(page, 'reset');
  await page.reload();
  await page.waitForSelector('[data-testid="policy-list"]');
  assert.equal(await rows(page).count(), 3, 'after reset, a reload starts from Contoso');
  assert.deepEqual(demo.problems, []);
});

test('your tenant: a real export picked from disk is judged by the engine, the personas evaluated against it', async () => {
  const { page } = demo;
  readFileSync(RSI_POLICY); // fails loudly when the corpora are missing
  await act(page, 'view', 'own');
  await page.setInputFiles('#demo-own-file', RSI_POLICY);
  const results = page.locator('[data-testid="own-results"]');
  await results.waitFor();
  assert.match(await results.textContent(), /From CAU012-RSI Combined Security Info Registration with TAP-v1\.1\.json: 1 policy/);
  assert.equal(await page.locator('[data-testid="coverage"]').getAttribute('data-verdict'), 'notProtected', 'a report-only policy does not protect');
  assert.match(await page.locator('[data-testid="coverage"]').textContent(), /report-only/);
  const table = await checkOutcomeTable(page, assert);
  assert.ok(Object.values(table).every((cells) => cells.today === 'registrationPage'), 'report-only changes nothing today');
  assert.match(await page.locator('[data-testid="own-plan"]').textContent(), /"urn:user:registersecurityinfo"/);
  assert.deepEqual(demo.problems, []);
});

test('your tenant: a baseline exported one UTF-16 file per policy is imported in one go and judged as a whole', async () => {
  const { page } = demo;
  const base = join(CORPORA, 'j0eyv-ConditionalAccessBaseline');
  const files = ['policies', 'namedLocations'].flatMap((dir) => readdirSync(join(base, dir)).map((f) => join(base, dir, f)));
  assert.equal(readFileSync(files[0])[0], 0xff, 'the corpus files are UTF-16 LE with a BOM');
  await act(page, 'view', 'own');
  await page.setInputFiles('#demo-own-file', files);
  await page.waitForSelector(`[data-testid="own-results"]:has-text("From ${files.length} files")`);
  assert.equal(await page.locator('[data-testid="import-error"]').count(), 0, 'every file imports');
  assert.equal(await page.locator('[data-testid="coverage"]').getAttribute('data-verdict'), 'notProtected',
    'this baseline has no registration policy (its CA003 targets device registration)');
  await checkOutcomeTable(page, assert);
  assert.deepEqual(demo.problems, []);
});

test('your tenant: a file dropped as bytes imports; broken JSON shows line and column and keeps the last result', async () => {
  const { page } = demo;
  await act(page, 'view', 'own');
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify({ value: [{
    displayName: 'Block registration outside trusted', state: 'enabled',
    conditions: { clientAppTypes: ['all'], applications: { includeUserActions: ['urn:user:registersecurityinfo'] },
      users: { includeUsers: ['All'] }, locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } },
    grantControls: { operator: 'OR', builtInControls: ['block'] } }] }), 'utf16le')]);
  const transfer = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'dropped-export.json', { type: 'application/json' }));
    return dt;
  }, [...utf16]);
  await page.dispatchEvent('[data-testid="dropzone"]', 'drop', { dataTransfer: transfer });
  const results = page.locator('[data-testid="own-results"]');
  await page.waitForSelector('[data-testid="own-results"]:has-text("dropped-export.json")');
  assert.equal(await page.locator('[data-testid="coverage"]').getAttribute('data-verdict'), 'protected');
  assert.match(await page.locator('[data-testid="coverage"]').textContent(), /Protected by “Block registration outside trusted”/);
  await checkOutcomeTable(page, assert);
  const findings = page.locator('[data-testid="own-findings"]');
  assert.match(await findings.textContent(), /No trusted location/, 'the checks before a write name the missing trusted location');
  assert.ok(await findings.locator('li[data-severity="Blocker"]').count() >= 1, 'at least one check refuses the write');

  await page.fill('#demo-own-text', '{\n  "value": [\n    {"displayName": }\n  ]\n}');
  await act(page, 'import-text');
  const error = page.locator('[data-testid="import-error"]');
  await error.waitFor();
  assert.match(await error.textContent(), /Could not import the pasted text: .*line 3, column \d+/);
  assert.match(await results.textContent(), /dropped-export\.json/, 'the previous result stays');
  assert.equal(await page.inputValue('#demo-own-text'), '{\n  "value": [\n    {"displayName": }\n  ]\n}', 'the pasted text stays to correct');
  assert.deepEqual(demo.problems, []);
});

test('nothing is fetched but the demo\'s own files', async () => {
  const foreign = demo.requests.filter((u) => !u.startsWith(demo.origin) && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
});
