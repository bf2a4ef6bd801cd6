// The traps the review must catch before any write, each on a simulated tenant built for it:
// security defaults, no Entra ID P1, no trusted location (create one in the same apply), an
// equivalent policy already present (never a duplicate: Enforce it), an admin without the role,
// and an app registration without consent.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SUITE_TIMEOUT } from './panel.mjs';
import {
  BLOCK_NAME, applyAndConfirm, checkTenant, flowState, graphRequests, onlyPolicyNamed, openPanel, text, useApplySession,
  useScenario,
} from './apply-flow.mjs';

const POLICIES = '/v1.0/identity/conditionalAccess/policies';
const LOCATIONS = '/v1.0/identity/conditionalAccess/namedLocations';

function findings(frame) {
  return frame.evaluate(() => [...document.querySelectorAll('[data-testid="findings"] li')]
    .map((li) => ({ code: li.dataset.code, severity: li.dataset.severity, text: li.textContent })));
}

const writes = (session) => graphRequests(session).filter((r) => r.method !== 'GET' && r.pathAndQuery !== '/beta/$batch');

describe('the review stops at the traps', { timeout: SUITE_TIMEOUT }, () => {
  const session = useApplySession();

  test('security defaults on: a warning for report-only, and no Apply once "On" is asked for', async () => {
    await useScenario(session, { securityDefaults: true });
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    const found = await findings(frame);
    assert.deepEqual(found.filter((f) => f.code === 'SecurityDefaultsOn').map((f) => f.severity), ['warning']);
    await frame.getByTestId('state-on').check();
    await frame.waitForFunction(() => [...document.querySelectorAll('[data-testid="findings"] li')]
      .some((li) => li.dataset.code === 'SecurityDefaultsOn' && li.dataset.severity === 'blocker'));
    assert.equal(await frame.getByRole('button', { name: /^Apply/ }).count(), 0, 'no Apply while a blocker stands');
    assert.deepEqual(writes(session), []);
  });

  test('no Entra ID P1 licence: a blocker, nothing can be created', async () => {
    await useScenario(session, { withoutPremiumLicence: true });
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    const found = await findings(frame);
    assert.ok(found.some((f) => f.code === 'NoEntraIdP1' && f.severity === 'blocker'), JSON.stringify(found));
    assert.equal(await frame.getByRole('button', { name: /^Apply/ }).count(), 0);
    assert.deepEqual(writes(session), []);
  });

  test('no trusted location: typed ranges are checked, then the location and the policy are created in one apply', async () => {
    await useScenario(session, { withoutTrustedLocations: true });
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    await frame.getByTestId('new-location').waitFor();
    await frame.getByLabel('IP ranges').fill('10.0.0.0/4');
    await applyAndConfirm(frame);
    await frame.getByTestId('location-error').waitFor();
    assert.match(await text(frame, '[data-testid="location-error"]'), /\/4/);
    assert.deepEqual(writes(session), [], 'a rejected range sends nothing');

    await frame.getByLabel('IP ranges').fill('192.168.10.0/24');
    await frame.getByRole('button', { name: 'Check the ranges' }).click();
    const checked = await text(frame, '[data-testid="location-check"]');
    assert.match(checked, /Ranges to trust: 192\.168\.10\.0\/24/);
    assert.match(checked, /private|public/i, 'a private range is accepted but told: it never matches a public egress IP');

    await frame.getByLabel('IP ranges').fill('203.0.113.0/24\n2001:db8:20::/48');
    await applyAndConfirm(frame);
    await flowState(frame, 'live');
    assert.deepEqual(writes(session).map((r) => `${r.method} ${r.pathAndQuery}`), [`POST ${LOCATIONS}`, `POST ${POLICIES}`]);
    const [location] = session.tenant.jsonBodies('POST', LOCATIONS);
    assert.equal(location.displayName, 'Trusted office networks');
    assert.equal(location.isTrusted, true);
    assert.deepEqual(location.ipRanges.map((r) => r.cidrAddress), ['203.0.113.0/24', '2001:db8:20::/48']);
    onlyPolicyNamed(session, BLOCK_NAME);
  });

  test('an equivalent report-only policy: no duplicate, Enforce is offered and turns that policy on', async () => {
    await useScenario(session, { registrationPolicy: 'enabledForReportingButNotEnforced' });
    const existing = session.tenant.policies().filter((p) => p.conditions.applications.includeUserActions?.length);
    assert.equal(existing.length, 1);
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    assert.equal(await frame.getByRole('button', { name: /^Apply/ }).count(), 0, 'no Apply: it would be a duplicate');
    await frame.getByRole('button', { name: /^Enforce/ }).click();
    await flowState(frame, 'live');
    await frame.getByText('The policy is On').waitFor();
    const after = session.tenant.policies().filter((p) => p.conditions.applications.includeUserActions?.length);
    assert.equal(after.length, 1, 'still exactly one registration policy');
    assert.equal(after[0].state, 'enabled');
    assert.equal(session.tenant.requestsTo('POST', POLICIES).length, 0);
  });

  test('an equivalent policy already On: the verdict is Protected and nothing is offered to create', async () => {
    await useScenario(session, { registrationPolicy: 'enabled' });
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    assert.equal(await text(frame, '[data-testid="coverage-verdict"]'), 'Protected');
    const found = await findings(frame);
    assert.ok(found.some((f) => f.code === 'EquivalentPolicyEnabled' && f.severity === 'blocker'), JSON.stringify(found));
    assert.equal(await frame.getByRole('button', { name: /^(Apply|Enforce)/ }).count(), 0);
    assert.deepEqual(writes(session), []);
  });

  test('an admin without a Conditional Access role is told so before anything is written', async () => {
    await useScenario(session, { adminLackingRole: true }, { account: { name: 'Diego Siciliani', upn: 'DiegoS@contoso.onmicrosoft.com' } });
    const { frame } = await openPanel(session);
    const state = await checkTenant(frame, ['blocked', 'review', 'failed']);
    const shown = state === 'failed' ? await text(frame, '[data-testid="flow-error"]') : JSON.stringify(await findings(frame));
    assert.match(shown, /role|Administrator/i, shown);
    assert.equal(await frame.getByRole('button', { name: /^Apply/ }).count(), 0);
    assert.deepEqual(writes(session), []);
  });

  test('consent missing: the silent sign-in names the admin-consent link instead of failing vaguely', async () => {
    await useScenario(session, { extensionApp: { consented: false } });
    // A browser session exists, so the window-less sign-in reaches the consent check.
    session.tenant.signInBrowser('PattiF@contoso.onmicrosoft.com');
    const { frame } = await openPanel(session);
    await flowState(frame, 'failed');
    const message = await text(frame, '[data-testid="flow-error"]');
    assert.match(message, /not been granted its permissions/);
    assert.match(message, /https:\/\/login\.microsoftonline\.com\/[^ ]+\/v2\.0\/adminconsent\?client_id=/);
    const link = frame.locator('[data-testid="flow-error"] a');
    assert.match(await link.getAttribute('href'), /^https:\/\/login\.microsoftonline\.com\/[^ ]+\/v2\.0\/adminconsent\?client_id=/);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.deepEqual(graphRequests(session), [], 'nothing was read without consent');
  });
});
