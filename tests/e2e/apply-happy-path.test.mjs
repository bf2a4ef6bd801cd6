// One-click apply on a tenant with no blockers: the admin checks the tenant (sign-in through the
// emulated identity platform), reviews, presses Apply and confirms — and Graph sees exactly two
// round trips (one $batch, one POST) with the policy body the review showed. Then Enforce and Undo.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SUITE_TIMEOUT } from './panel.mjs';
import {
  BLOCK_NAME, MFA_NAME, applyAndConfirm, checkTenant, configure, flowState, graphRequests, onlyPolicyNamed, openPanel, text,
  useApplySession,
} from './apply-flow.mjs';

const POLICIES = '/v1.0/identity/conditionalAccess/policies';

describe('apply on a tenant without blockers', { timeout: SUITE_TIMEOUT }, () => {
  const session = useApplySession();

  test('Apply and one confirmation create the policy report-only with two Graph round trips and the reviewed body', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    assert.equal(await text(frame, '[data-testid="coverage-verdict"]'), 'Not protected');
    assert.equal(await frame.locator('input[name="rg-preset"]:checked').getAttribute('value'), 'blockOutsideTrusted',
      'the classic block preset is chosen by default');
    const who = await text(frame, '[data-testid="who"]');
    assert.match(who, /Out: you \(PattiF@contoso\.onmicrosoft\.com\)/, 'the signed-in admin is visibly excluded');
    const reviewed = JSON.parse(await frame.locator('[data-testid="policy-json"]').textContent());
    const before = graphRequests(session);
    assert.deepEqual(before.map((r) => `${r.method} ${r.pathAndQuery}`), ['POST /beta/$batch'], 'the preflight is one $batch');

    await applyAndConfirm(frame);
    await flowState(frame, 'live');

    const after = graphRequests(session);
    assert.deepEqual(after.map((r) => `${r.method} ${r.pathAndQuery}`), ['POST /beta/$batch', `POST ${POLICIES}`],
      'two round trips in all: the batch and the POST');
    const [posted] = session.tenant.jsonBodies('POST', POLICIES);
    assert.deepEqual(posted, reviewed, 'Graph received exactly the JSON the review showed');
    assert.equal(posted.state, 'enabledForReportingButNotEnforced');
    assert.deepEqual(posted.conditions.applications.includeUserActions, ['urn:user:registersecurityinfo']);
    assert.deepEqual(posted.conditions.locations, { includeLocations: ['All'], excludeLocations: ['AllTrusted'] });
    assert.deepEqual(posted.grantControls.builtInControls, ['block']);
    const admin = session.tenant.state().signedInAdmin;
    assert.ok(posted.conditions.users.excludeUsers.includes(admin), 'the admin is excluded in the body');
    for (const [name, value] of after[1].headers) {
      if (name.toLowerCase() === 'authorization') assert.match(value, /^Bearer .+/);
    }

    const policy = onlyPolicyNamed(session, BLOCK_NAME);
    assert.equal(policy.state, 'enabledForReportingButNotEnforced');
    assert.match(await text(frame, '[data-testid="result"]'), /Created “Block security info registration outside trusted locations” \(Report-only\)/);
    assert.equal(await frame.locator('[data-testid="portal-link"]').getAttribute('href'),
      `https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/${policy.id}`);
  });

  test('Enforce turns the created policy on; Undo › Delete removes it, after a confirmation', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    await applyAndConfirm(frame);
    await flowState(frame, 'live');
    const { id } = onlyPolicyNamed(session, BLOCK_NAME);

    await frame.getByRole('button', { name: /^Enforce/ }).click();
    await flowState(frame, 'live');
    await frame.getByText('The policy is On').waitFor();
    assert.equal(onlyPolicyNamed(session, BLOCK_NAME).state, 'enabled');
    assert.deepEqual(session.tenant.jsonBodies('PATCH', `${POLICIES}/${id}`), [{ state: 'enabled' }]);

    await frame.getByRole('button', { name: 'Undo' }).click();
    assert.equal(session.tenant.policies().length > 0, true, 'Undo alone changes nothing: it asks first');
    await frame.getByRole('button', { name: 'Delete it' }).click();
    await flowState(frame, 'deleted');
    assert.equal(session.tenant.policies().filter((p) => p.displayName === BLOCK_NAME).length, 0);
    assert.equal(session.tenant.requestsTo('DELETE', `${POLICIES}/${id}`).length, 1);
  });

  test('Undo › Turn it off keeps the policy, switched off', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    await applyAndConfirm(frame);
    await flowState(frame, 'live');
    await frame.getByRole('button', { name: 'Undo' }).click();
    await frame.getByRole('button', { name: 'Turn it off' }).click();
    await frame.getByText('The policy is Off').waitFor();
    assert.equal(onlyPolicyNamed(session, BLOCK_NAME).state, 'disabled');
  });

  test('the whole apply works from the keyboard, focus following each step', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    await frame.getByRole('button', { name: /^Apply/ }).focus();
    await frame.page().keyboard.press('Enter');
    const focused = () => frame.evaluate(() => document.activeElement?.textContent.trim() ?? null);
    await frame.getByTestId('confirm').waitFor();
    assert.equal(await focused(), 'Create the policy', 'focus moves to the confirmation');
    await frame.page().keyboard.press('Enter');
    await flowState(frame, 'live');
    await frame.waitForFunction(() => document.activeElement?.textContent.trim() === 'Enforce (turn it on)');
    onlyPolicyNamed(session, BLOCK_NAME);
  });

  test('the options decide the preset and the emergency-access accounts, which the review shows excluded', async () => {
    const state = session.tenant.state();
    const [breakGlassId] = state.breakGlass;
    const account = state.users.find((u) => u.id === breakGlassId);
    await configure(session, {
      clientId: session.clientId, defaultPreset: 'requireMfaOutsideTrusted',
      breakGlass: [{ id: breakGlassId, label: `${account.displayName} (${account.userPrincipalName})` }],
    });
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    assert.equal(await frame.locator('input[name="rg-preset"]:checked').getAttribute('value'), 'requireMfaOutsideTrusted');
    assert.match(await text(frame, '[data-testid="who"]'),
      new RegExp(`Out: emergency-access account ${account.displayName}`));
    await applyAndConfirm(frame);
    await flowState(frame, 'live');
    const [posted] = session.tenant.jsonBodies('POST', POLICIES);
    assert.deepEqual(posted.grantControls.builtInControls, ['mfa']);
    assert.ok(posted.conditions.users.excludeUsers.includes(breakGlassId), JSON.stringify(posted.conditions.users));
    onlyPolicyNamed(session, MFA_NAME);
  });
});
