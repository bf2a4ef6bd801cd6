// The fault matrix end to end: every Graph step of the one-click apply × every fault the simulated
// tenant acts out on the wire, run with the built extension (dist/chromium) in headless Chromium
// against the emulated Microsoft cloud. The step list and faults are those of the native matrix
// (examples/fault_matrix.rs), which drives the same client without a browser.
//
//   node tests/e2e/fault-matrix.mjs --table     prints the Markdown tables of observed outcomes
//   tests/e2e/fault-matrix.test.mjs             asserts every cell
//
// A cell: a fresh tenant, the admin's own clicks in the panel, the fault at one step (once, or as an
// outage that outlasts the client's patience), and what the admin then sees — the flow recovered
// (the policy exists exactly once, as reviewed), or an error sentence in the panel after which the
// admin's button goes through, with what they had chosen still on screen.
//
// Waits are the panel's own decisions (Retry-After, back-off, the pause before reading back); the
// test runs the panel frame's timers TIME_LAPSE times faster so the matrix takes minutes, not a
// quarter of an hour (see `timeLapseFor` for the one exception). Nothing else in the extension is
// touched.
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { startMicrosoftCloud } from '../emulator/microsoft-cloud.mjs';
import { launchBrowser } from './browser.mjs';
import { eventually } from './panel.mjs';
import { applyAndConfirm, flowState, openPanel, text, useScenario } from './apply-flow.mjs';

const POLICIES = '/identity/conditionalAccess/policies';
const LOCATIONS = '/identity/conditionalAccess/namedLocations';
const V1 = '/v1.0';

/** How much faster the panel frame's timers run (a 5 s pause takes 250 ms). */
export const TIME_LAPSE = 20;

/**
 * The time lapse of one cell. Chromium itself refuses an extension's request for a while after
 * the third 500 or 503 answer for one address (0.7 s, then ×1.4: its extension throttle). In real
 * time the panel's back-off is already 2 s and more by then, so it always outwaits Chromium's; 20×
 * faster it would not, and the retries would fail in the browser ("Failed to fetch") for a reason
 * that never happens to an admin. Outages of 500 or 503 therefore run only 2× faster.
 */
export function timeLapseFor(fault, { outage = false } = {}) {
  return leavesChromiumBackingOff(fault, { outage }) ? 2 : TIME_LAPSE;
}

/**
 * Whether a cell leaves Chromium's extension throttle counting failures for an address: its state
 * lives as long as the browser (two minutes per address), so the next cell would inherit it. Such
 * cells end with a fresh browser (see `runCell`).
 */
function leavesChromiumBackingOff(fault, { outage = false } = {}) {
  return outage && ['internalError', 'serviceUnavailable'].includes(fault.fault.kind);
}
/** Requests an outage hits in a row: more than any step's retries (as in the native matrix). */
export const OUTAGE_TIMES = 12;

/** What the admin chose in the review, per kind of step (checked again after an error). */
const CHOICES = {
  // The non-default preset, switched On: both must survive an error and "Try again".
  policy: { preset: 'requireMfaOutsideTrusted', on: true },
  // A tenant without trusted locations: the admin types one (the values of the native matrix).
  location: { preset: 'blockOutsideTrusted', on: false, location: { name: 'Head office', ranges: '192.0.2.0/24\n2001:db8:20::/48' } },
  // The defaults: Enforce and Undo act on a report-only policy.
  defaults: { preset: 'blockOutsideTrusted', on: false },
};

const path = (r) => r.pathAndQuery.split('?')[0].toLowerCase();
const isBatch = (r) => r.method === 'POST' && path(r) === '/beta/$batch';

/**
 * The Graph steps of the apply flow (the rows). `phase`: `read` steps happen on "Check", `create`
 * steps after "Create the policy", `change` steps on Enforce or Undo of the created policy.
 * `rules(fault, times)` queues the fault; `isStep(request)` counts the step's tries in the tenant's log.
 */
export const STEPS = [
  {
    id: 'batch', label: 'preflight `POST /beta/$batch`', phase: 'read', choices: CHOICES.policy,
    rules: (fault, times) => [{ method: 'POST', path: '/$batch', fault, times }],
    isStep: isBatch,
  },
  {
    // Reached only inside the batch: Graph answers the $batch 200 and this one inner read with the
    // fault (Graph throttles and fails inner requests one by one). Its tries are the batches sent.
    id: 'batchInner', label: 'preflight inner `GET …/policies`', phase: 'read', choices: CHOICES.policy,
    rules: (fault, times) => [{ method: 'GET', path: POLICIES, fault, times }],
    isStep: isBatch,
  },
  {
    // Reached only on a tenant without a trusted location, where the admin types one.
    id: 'locationPost', label: 'trusted location `POST …/namedLocations`', phase: 'create', choices: CHOICES.location,
    scenario: { withoutTrustedLocations: true },
    rules: (fault, times) => [{ method: 'POST', path: LOCATIONS, fault, times }],
    isStep: (r) => r.method === 'POST' && path(r) === `${V1}${LOCATIONS}`.toLowerCase(),
  },
  {
    id: 'policyPost', label: 'policy `POST …/policies`', phase: 'create', choices: CHOICES.policy,
    rules: (fault, times) => [{ method: 'POST', path: POLICIES, fault, times }],
    isStep: (r) => r.method === 'POST' && path(r) === `${V1}${POLICIES}`.toLowerCase(),
  },
  {
    // Reached only after the POST's answer is lost: the POST saves the policy and answers 504
    // (once), then the read-back GET meets the fault (armed after the review, so it is the first
    // GET of the policies from then on).
    id: 'readBack', label: 'read-back `GET …/policies` after a lost answer', phase: 'create', choices: CHOICES.policy,
    rules: (fault, times) => [
      { method: 'POST', path: POLICIES, fault: { kind: 'gatewayTimeout', afterCommit: true }, times: 1 },
      { method: 'GET', path: POLICIES, fault, times },
    ],
    isStep: (r) => r.method === 'GET' && path(r) === `${V1}${POLICIES}`.toLowerCase(),
  },
  {
    id: 'enforce', label: 'Enforce `PATCH …/policies/{id}`', phase: 'change', choices: CHOICES.defaults,
    rules: (fault, times) => [{ method: 'PATCH', path: `${POLICIES}/*`, fault, times }],
    isStep: (r) => r.method === 'PATCH',
    target: 'enabled',
  },
  {
    id: 'undoDisable', label: 'Undo: disable `PATCH …/policies/{id}`', phase: 'change', choices: CHOICES.defaults,
    rules: (fault, times) => [{ method: 'PATCH', path: `${POLICIES}/*`, fault, times }],
    isStep: (r) => r.method === 'PATCH',
    target: 'disabled',
  },
  {
    id: 'undoDelete', label: 'Undo: delete `DELETE …/policies/{id}`', phase: 'change', choices: CHOICES.defaults,
    rules: (fault, times) => [{ method: 'DELETE', path: `${POLICIES}/*`, fault, times }],
    isStep: (r) => r.method === 'DELETE',
    target: null,
  },
];

/** The faults (the columns), as the native matrix scripts them. */
export const FAULTS = [
  { label: '429 Retry-After', fault: { kind: 'throttle', retryAfterS: 3 } },
  { label: '500', fault: { kind: 'internalError' } },
  { label: '503', fault: { kind: 'serviceUnavailable' } },
  { label: '504 timeout', fault: { kind: 'gatewayTimeout', afterCommit: true } },
  { label: 'reset before write', fault: { kind: 'resetBeforeCommit' } },
  { label: 'reset after write', fault: { kind: 'resetAfterCommit' } },
  { label: 'malformed JSON', fault: { kind: 'malformedJson' } },
  { label: 'truncated body', fault: { kind: 'truncatedBody' } },
];

/** Steps whose outage variant is run: the writes that create something, the read-back, Enforce, Delete. */
export const OUTAGE_STEPS = ['locationPost', 'policyPost', 'readBack', 'enforce', 'undoDelete'];

/**
 * The cells run in these lanes at once, each with its own emulated cloud and browser, one cell
 * after another inside a lane: a cell's time is mostly the panel's (shortened) waits, so lanes
 * overlap them instead of adding them up.
 */
export const LANES = [
  { name: 'the preflight and the trusted location', steps: ['batch', 'batchInner', 'locationPost'] },
  { name: 'the policy POST and its read-back', steps: ['policyPost', 'readBack'] },
  { name: 'Enforce and Undo', steps: ['enforce', 'undoDisable', 'undoDelete'] },
];

/** Phrases that tell the admin what to do next. */
export const ACTIONS = ['try again', 'trying again', 'check', 'reload', 'wait', 'sign in', 'press'];

/**
 * Runs the timers of every extension frame (the panel) TIME_LAPSE times faster, from before their
 * first script. The panel sleeps with the global setTimeout (looked up at each call by the wasm
 * glue), so every wait it decides is shortened while staying in the same order. Pages and the
 * background worker keep real time.
 */
async function installTimeLapse(context) {
  await context.addInitScript((factor) => {
    if (location.protocol !== 'chrome-extension:') return;
    const real = globalThis.setTimeout.bind(globalThis);
    globalThis.faultMatrixTimeLapse = factor;
    globalThis.setTimeout = (callback, ms = 0, ...args) => real(callback, Number(ms) / globalThis.faultMatrixTimeLapse, ...args);
  }, TIME_LAPSE);
}

/** Changes the panel frame's time lapse (see `timeLapseFor`). */
function setTimeLapse(frame, factor) {
  return frame.evaluate((k) => { globalThis.faultMatrixTimeLapse = k; }, factor);
}

/**
 * Starts the emulated cloud and a browser with the time lapse, and resolves with a session for
 * `runCell` (`{emulator, browser, extensionId, redirectUri, tenant, close}`).
 */
export async function startSession() {
  const session = {};
  session.emulator = await startMicrosoftCloud();
  try {
    session.browser = await launchBrowser(session.emulator);
    await installTimeLapse(session.browser.context);
  } catch (e) {
    await session.browser?.close();
    await session.emulator.close();
    throw e;
  }
  session.extensionId = session.browser.extensionId;
  session.redirectUri = `https://${session.extensionId}.chromiumapp.org/`;
  session.restartBrowser = async () => {
    await session.browser.close();
    session.browser = await launchBrowser(session.emulator);
    await installTimeLapse(session.browser.context);
    // A new profile holds no sign-in: the next cell starts from the scenario and signs in again.
    session.matrixScenario = null;
  };
  session.close = async () => {
    await session.browser.close();
    await session.emulator.close();
  };
  return session;
}

/**
 * Puts the tenant back to `scenario` as it was before the session's first cell, keeping the
 * admin's sign-in: the first cell of a scenario resets the tenant and signs in through the emulated
 * identity platform; later ones restore its policies and named locations and drop every fault, so
 * the panel's silent sign-in finds the token it holds and reads the tenant at once.
 */
async function prepareTenant(session, scenario = {}) {
  const key = JSON.stringify(scenario);
  if (session.matrixScenario !== key) {
    await useScenario(session, scenario);
    session.matrixScenario = key;
    session.matrixBaseline = session.tenant.state();
    return;
  }
  const { policies, namedLocations } = session.matrixBaseline;
  session.tenant.update((s) => {
    Object.assign(s, { policies, namedLocations, faults: [] });
  });
  session.tenant.requests.length = 0;
}

/** The admin's choices as the review shows them. */
async function readChoices(frame, withLocation) {
  return frame.evaluate((loc) => {
    const section = document.querySelector('[data-testid="apply-flow"]');
    const value = (sel) => section.querySelector(sel)?.value ?? null;
    return {
      preset: section.querySelector('input[name="rg-preset"]:checked')?.value ?? null,
      on: section.querySelector('[data-testid="state-on"]')?.checked ?? null,
      ...(loc ? { location: { name: value('[name="rg-location-name"]'), ranges: value('[name="rg-location-ranges"]') } } : {}),
    };
  }, withLocation);
}

/** Makes the admin's choices in the review, with real clicks and typing. */
async function choose(frame, choices) {
  await frame.locator(`input[name="rg-preset"][value="${choices.preset}"]`).check();
  const on = frame.locator('[data-testid="state-on"]');
  if (choices.on) await on.check(); else await on.uncheck();
  if (choices.location) {
    await frame.locator('[name="rg-location-name"]').fill(choices.location.name);
    await frame.locator('[name="rg-location-ranges"]').fill(choices.location.ranges);
  }
  await eventually(async () => assert.deepEqual(await readChoices(frame, Boolean(choices.location)), choices));
}

/** The panel's error sentence, or null. */
function panelError(frame) {
  return text(frame, '[data-testid="flow-error"]');
}

/** How many policies (or, with `kind` 'locations', named locations) named `name` the tenant holds. */
function copies(session, name, kind = 'policies') {
  const list = kind === 'policies' ? session.tenant.policies() : session.tenant.namedLocations();
  return list.filter((p) => p.displayName === name).length;
}

/**
 * Runs one cell in `session` (from `startSession`) and resolves with what was observed:
 * `{step, fault, outage, outcome: 'recovered' | 'error' | 'unexpected', tries, error, errorShownWith,
 *   retry: 'created' | 'found' | 'changed' | null, mostCopies, copiesAtEnd, asPlanned, choicesKept,
 *   reviewedChoices, choicesAfterError, applyOffered, confirmedByReread, resultAfter, graph, what}`:
 *   `applyOffered` says whether the review after Try again still offered Apply when it found the
 *   policy, `graph` lists the Graph requests the tenant answered in the cell, `errorShownWith` is
 *   what the policy's view showed beside an Enforce/Undo error, `resultAfter` that view at the end,
 *   `what` anything that went wrong outside the matrix's outcomes. Assertions are the caller's; the
 *   cell only records, so the table can show any outcome.
 */
export async function runCell(session, step, fault, { outage = false } = {}) {
  const times = outage ? OUTAGE_TIMES : 1;
  await prepareTenant(session, step.scenario);
  const tenant = session.tenant;
  const arm = () => {
    for (const rule of step.rules(fault.fault, times)) {
      tenant.addGraphFault(rule.method, rule.path, rule.fault, { times: rule.times });
    }
  };
  const disarm = () => tenant.update((s) => { s.faults = []; });
  const cell = {
    step: step.id, fault: fault.label, outage, outcome: 'unexpected', tries: 0, error: null, retry: null,
    mostCopies: 0, copiesAtEnd: 0, asPlanned: false, choicesKept: null, confirmedByReread: false, what: '',
  };
  let name = null;
  const watch = () => {
    if (name) cell.mostCopies = Math.max(cell.mostCopies, copies(session, name));
  };

  if (step.phase === 'read') arm();
  // Counted from here: a panel that still holds a sign-in reads the tenant as soon as it opens.
  let from = tenant.requests.length;
  const tries = () => tenant.requests.slice(from).filter(step.isStep).length;
  const { page, frame } = await openPanel(session);
  try {
    await setTimeLapse(frame, timeLapseFor(fault, { outage }));

    // 1. Check the tenant: sign-in, then the preflight batch (at once when the panel still holds
    // a sign-in, after the admin's "Check" otherwise).
    if (await flowState(frame, ['idle', 'review', 'failed']) === 'idle') {
      await frame.getByRole('button', { name: /^Check / }).click();
    }
    const checked = await flowState(frame, ['review', 'failed']);
    if (step.phase === 'read') {
      cell.tries = tries();
      if (checked === 'failed') {
        cell.outcome = 'error';
        cell.error = await panelError(frame);
        disarm();
        await frame.getByRole('button', { name: 'Try again' }).click();
        await flowState(frame, 'review');
      } else {
        cell.outcome = 'recovered';
      }
    } else if (checked !== 'review') {
      cell.what = `the fault-free check ended ${checked}: ${await panelError(frame)}`;
      return cell;
    }

    // 2. The admin's choices, and the exact policy the review shows.
    await choose(frame, step.choices);
    cell.reviewedChoices = step.choices;
    const reviewed = JSON.parse(await frame.locator('[data-testid="policy-json"]').textContent());
    name = reviewed.displayName;
    const planned = (policy) => policy && policy.state === reviewed.state
      && JSON.stringify(policy.conditions.users) === JSON.stringify(reviewed.conditions.users)
      && JSON.stringify(policy.conditions.applications) === JSON.stringify(reviewed.conditions.applications)
      && JSON.stringify(policy.conditions.locations) === JSON.stringify(reviewed.conditions.locations)
      && JSON.stringify(policy.grantControls) === JSON.stringify(reviewed.grantControls);
    const policyNow = () => tenant.policies().find((p) => p.displayName === name) ?? null;

    // 3. Create the policy.
    if (step.phase === 'create') {
      arm();
      from = tenant.requests.length;
    }
    await applyAndConfirm(frame);
    const created = await flowState(frame, ['live', 'failed'], { timeout: 60_000 });
    watch();
    if (step.phase === 'create') {
      cell.tries = tries();
      if (created === 'live') {
        cell.outcome = 'recovered';
        cell.confirmedByReread = (await text(frame, '[data-testid="result"]'))?.includes('read the policies back and found it') ?? false;
      } else {
        cell.outcome = 'error';
        cell.error = await panelError(frame);
        // The outage is over; the admin presses Try again: a fresh read, the same review.
        disarm();
        await frame.getByRole('button', { name: 'Try again' }).click();
        const again = await flowState(frame, ['review', 'blocked']);
        watch();
        cell.choicesAfterError = await readChoices(frame, Boolean(step.choices.location && copies(session, step.choices.location.name, 'locations') === 0));
        cell.choicesKept = step.choices.location && !cell.choicesAfterError.location
          // The location was created before the policy failed: the review now uses it instead of a form.
          ? cell.choicesAfterError.preset === step.choices.preset && cell.choicesAfterError.on === step.choices.on
          : JSON.stringify(cell.choicesAfterError) === JSON.stringify(step.choices);
        const found = again === 'review' && await frame.getByRole('button', { name: /^Enforce “/ }).count() > 0;
        const protectedBy = (await text(frame, '[data-testid="coverage-verdict"]')) === 'Protected' && policyNow() !== null;
        if (found || protectedBy) {
          // The first attempt's write had landed: the fresh review shows it instead of a second one.
          cell.retry = 'found';
          cell.applyOffered = await frame.getByRole('button', { name: /^Apply/ }).count() > 0;
        } else {
          await applyAndConfirm(frame);
          if (await flowState(frame, ['live', 'failed'], { timeout: 60_000 }) === 'live') cell.retry = 'created';
          else cell.what = `the retry failed: ${await panelError(frame)}`;
        }
        watch();
      }
      if (step.choices.location) {
        const locations = copies(session, step.choices.location.name, 'locations');
        if (locations !== 1) cell.what += ` ${locations} trusted locations named "${step.choices.location.name}"`;
      }
      cell.copiesAtEnd = copies(session, name);
      cell.asPlanned = cell.copiesAtEnd === 1 && planned(policyNow());
      return cell;
    }

    if (created !== 'live') {
      cell.what = `the ${step.phase === 'read' ? 'apply after the check' : 'fault-free apply'} ended ${created}: ${await panelError(frame)}`;
      return cell;
    }
    if (step.phase === 'read') {
      cell.copiesAtEnd = copies(session, name);
      cell.asPlanned = cell.copiesAtEnd === 1 && planned(policyNow());
      if (cell.outcome === 'error') cell.retry = 'created';
      return cell;
    }

    // 4. Enforce or Undo the created policy.
    const id = policyNow().id;
    arm();
    from = tenant.requests.length;
    const press = async () => {
      if (step.id === 'enforce') {
        await frame.getByRole('button', { name: /^Enforce/ }).click();
      } else {
        await frame.getByRole('button', { name: 'Undo' }).click();
        await frame.getByRole('button', { name: step.id === 'undoDelete' ? 'Delete it' : 'Turn it off' }).click();
      }
      // Done when the panel says so, or names the problem beside the buttons.
      const done = step.target === 'enabled' ? 'The policy is On' : 'The policy is Off';
      return eventually(async () => {
        const state = await flowState(frame, ['live', 'deleted', 'failed']);
        const notice = await text(frame, '[data-testid="flow-notice"]');
        const error = await panelError(frame);
        if (state === 'deleted' || notice?.startsWith(done)) return { ok: true, state };
        if (error) return { ok: false, state, error };
        throw new Error(`the panel is ${state}, saying ${JSON.stringify(notice)}`);
      }, { timeout: 60_000 });
    };
    const first = await press();
    cell.tries = tries();
    const shown = await text(frame, '[data-testid="result"]');
    if (first.ok) {
      cell.outcome = 'recovered';
    } else {
      cell.outcome = 'error';
      cell.error = first.error;
      cell.errorShownWith = first.state === 'live' ? shown : first.state;
      disarm();
      const again = await press();
      if (again.ok) cell.retry = 'changed';
      else cell.what = `pressing again failed: ${again.error}`;
    }
    cell.resultAfter = await text(frame, '[data-testid="result"]');
    const live = tenant.policies().find((p) => p.id === id) ?? null;
    cell.copiesAtEnd = copies(session, name);
    watch();
    cell.asPlanned = step.target === null ? live === null : live?.state === step.target;
    return cell;
  } finally {
    cell.graph = tenant.requests.filter((r) => !/\/oauth2\//.test(r.pathAndQuery))
      .map((r) => `${r.method} ${r.pathAndQuery.split('?')[0]} ${r.status}${r.transport === 'normal' ? '' : ` ${r.transport}`}`);
    await page.close();
    if (leavesChromiumBackingOff(fault, { outage })) await session.restartBrowser();
  }
}

/** The Markdown text of one cell. */
export function cellText(cell) {
  const tries = `${cell.tries} ${cell.tries === 1 ? 'try' : 'tries'}`;
  if (cell.what) return `UNEXPECTED: ${cell.what.trim()}`;
  if (cell.outcome === 'recovered') return `recovered (${tries})`;
  const words = (cell.error ?? '').split(/\s+/).slice(0, 7).join(' ');
  const retry = { created: 'retry OK', changed: 'retry OK', found: 'retry finds it created' }[cell.retry] ?? 'retry FAILED';
  return `error: “${words}…” (${tries}; ${retry})`;
}

/** The cells as a Markdown table (rows: steps, columns: faults), with the duplicate count below. */
export function markdown(cells) {
  const steps = STEPS.filter((s) => cells.some((c) => c.step === s.id));
  let out = `| step | ${FAULTS.map((f) => f.label).join(' | ')} |\n|---|${'---|'.repeat(FAULTS.length)}\n`;
  for (const step of steps) {
    const row = FAULTS.map((f) => cells.find((c) => c.step === step.id && c.fault === f.label));
    out += `| ${step.label} | ${row.map((c) => (c ? cellText(c) : 'not run')).join(' | ')} |\n`;
  }
  const duplicates = cells.filter((c) => c.mostCopies > 1).length;
  out += `\nduplicates: ${duplicates} of ${cells.length} cells\n`;
  return out;
}

/** Runs one lane's cells, once then as outages, in a session of its own. */
async function runLane(lane) {
  const session = await startSession();
  try {
    const cells = [];
    const steps = STEPS.filter((s) => lane.steps.includes(s.id));
    for (const step of steps) for (const fault of FAULTS) cells.push(await runCell(session, step, fault));
    for (const step of steps.filter((s) => OUTAGE_STEPS.includes(s.id))) {
      for (const fault of FAULTS) cells.push(await runCell(session, step, fault, { outage: true }));
    }
    return cells;
  } finally {
    await session.close();
  }
}

/** Runs every cell (and the outage variant of OUTAGE_STEPS) and prints both tables. */
async function printTables() {
  const started = Date.now();
  const cells = (await Promise.all(LANES.map(runLane))).flat();
  const once = cells.filter((c) => !c.outage);
  const outage = cells.filter((c) => c.outage);
  process.stdout.write(`One fault at one step, in the browser:\n\n${markdown(once)}\n`);
  process.stdout.write('The fault repeats at that step until the panel gives up (outage), then the admin presses the button again:'
    + `\n\n${markdown(outage)}\n`);
  const errors = cells.filter((c) => c.outcome === 'error');
  process.stdout.write(`The error sentences the panel showed (${errors.length} cells):\n\n`);
  for (const message of [...new Set(errors.map((c) => c.error))]) process.stdout.write(`- ${message}\n`);
  process.stdout.write(`\n${cells.length} cells in ${Math.round((Date.now() - started) / 1000)} s\n`);
  if (process.argv.includes('--json')) process.stdout.write(`\n${JSON.stringify(cells, null, 1)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!process.argv.includes('--table')) {
    process.stderr.write('usage: node tests/e2e/fault-matrix.mjs --table [--json]   (prints the fault matrix observed in the '
      + 'browser; --json adds every cell as observed)\n');
    process.exit(2);
  }
  await printTables();
}
