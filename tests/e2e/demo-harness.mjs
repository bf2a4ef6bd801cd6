// Shared by the trainer demo's end-to-end specs (tests/e2e/demo-*.test.mjs): serves the built demo
// site (dist/www, as `npm start` does, with the same CSP) and opens it in headless Chromium WITHOUT
// the extension. Expected persona outcomes come from the engine itself (the wasm's `demo_whatif`),
// never from numbers copied into the specs.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { WWW_DIR } from '../../scripts/build.mjs';
import { serveStatic } from '../../scripts/serve.mjs';
import { CHROMIUM, ROOT } from '../../scripts/setup.mjs';

/** Where the specs save their screenshots for a person to look at. */
export const SHOTS = join(ROOT, 'tests', '.tmp', 'demo-shots');

/** The demo site to serve: the build (`DEMO_WWW` may point at another build of it). */
const SITE = process.env.DEMO_WWW || WWW_DIR;

/**
 * Serves the demo and opens it at `width`×`height`. Resolves with `{page, problems, close}`;
 * `problems` collects console errors and uncaught exceptions (a spec ends by asserting it is empty).
 */
export async function openDemo({ width = 1280, height = 720, bypassCSP = false } = {}) {
  if (!existsSync(join(SITE, 'wasm', 'registration_guard_bg.wasm'))) {
    throw new Error(`The demo site is not built (${SITE}/wasm is missing): run \`npm run build\` first.`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`sudo apt-get install -y chromium\`.`);
  }
  const { server, url } = await serveStatic(SITE, 0);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width, height }, bypassCSP });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  await page.waitForSelector('#rg-demo-app[data-view="admin"] [data-testid="policy-list"]');
  const close = async () => {
    await browser.close().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
  };
  return { page, problems, requests, origin: new URL(url).origin, close };
}

/** Clicks a demo button by its action (and argument). */
export async function act(page, action, arg) {
  const selector = arg === undefined ? `button[data-action="${action}"]` : `button[data-action="${action}"][data-arg="${arg}"]`;
  await page.locator(selector).first().click();
}

/** Saves a screenshot under SHOTS and returns its path. */
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** The engine's what-if report for one sign-in, computed by the page's own wasm module. */
export async function engineReport(page, snapshot, draft, signIn) {
  return page.evaluate(async ([s, d, si]) => {
    const wasm = await import('/wasm/registration_guard.js');
    await wasm.default();
    return JSON.parse(wasm.demo_whatif(s, d, si));
  }, [snapshot, draft, signIn]);
}

/** The screen a decision leads to, as the demo must name it (`data-outcome`). */
export function expectedOutcome(decision) {
  if (decision.decision === 'blocked') return 'blocked';
  if (decision.decision === 'allowed') return 'registrationPage';
  const mfa = decision.requirements.every((r) => r.controls.some((c) => c.control === 'mfa' || c.control === 'authenticationStrength'));
  return mfa ? 'mfaPrompt' : 'otherControls';
}

/** The label the table shows for each outcome. */
export const OUTCOME_LABELS = {
  registrationPage: 'Registration page',
  mfaPrompt: 'MFA prompt',
  otherControls: 'Other controls asked',
  blocked: 'Blocked (53003)',
};

/**
 * Reads the personas × outcome table, checks every cell against the engine's evaluation of the
 * sign-in the row carries (and the "once report-only is On" note), and resolves with
 * `{persona: {today, draft}}` outcome names.
 */
export async function checkOutcomeTable(page, assert) {
  const table = page.locator('[data-testid="outcome-table"]');
  const snapshot = await table.getAttribute('data-snapshot');
  const draft = await table.getAttribute('data-draft');
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    persona: tr.dataset.persona,
    signIn: tr.dataset.signIn,
    cells: [...tr.querySelectorAll('td[data-column]')].map((td) => ({
      column: td.dataset.column,
      outcome: td.dataset.outcome,
      later: td.dataset.ifReportOnlyEnforced,
      badge: td.querySelector('.demo-outcome-badge').textContent,
    })),
  })));
  assert.ok(rows.length >= 6, `the table lists every persona (found ${rows.length})`);
  const seen = {};
  for (const row of rows) {
    seen[row.persona] = {};
    for (const cell of row.cells) {
      const report = await engineReport(page, snapshot, cell.column === 'draft' ? draft : '', row.signIn);
      const now = expectedOutcome(report.decision);
      const later = expectedOutcome(report.decisionIfReportOnlyEnforced);
      assert.equal(cell.outcome, now, `${row.persona} (${cell.column}): the page shows what the engine decides`);
      assert.equal(cell.badge, OUTCOME_LABELS[now], `${row.persona} (${cell.column}): the badge names the outcome`);
      assert.equal(cell.later, later === now ? '' : later, `${row.persona} (${cell.column}): the report-only note matches`);
      seen[row.persona][cell.column] = cell.outcome;
    }
  }
  return seen;
}
