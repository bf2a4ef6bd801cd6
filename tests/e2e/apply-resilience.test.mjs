// What goes wrong between the panel and Graph, and why it never costs a duplicate policy:
// throttling (the wait is shown), a connection reset after Graph saved the policy, an access
// token that expires mid-flow, a double click — and the US Government cloud's own hosts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SUITE_TIMEOUT } from './panel.mjs';
import {
  BLOCK_NAME, applyAndConfirm, checkTenant, flowState, graphRequests, onlyPolicyNamed, openPanel, useApplySession,
  useScenario,
} from './apply-flow.mjs';

const POLICIES = '/identity/conditionalAccess/policies';

describe('apply under faults', { timeout: SUITE_TIMEOUT }, () => {
  const session = useApplySession();

  test('Graph answers 429 with Retry-After: the wait is shown, then the policy is created once', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    session.tenant.addGraphFault('POST', POLICIES, { kind: 'throttle', retryAfterS: 2 });
    await applyAndConfirm(frame);
    const wait = frame.getByTestId('flow-wait');
    await wait.waitFor();
    assert.equal((await wait.textContent()).trim(), 'Microsoft Graph asked us to wait 2 s…');
    await flowState(frame, 'live');
    onlyPolicyNamed(session, BLOCK_NAME);
    assert.equal(session.tenant.requestsTo('POST', `/v1.0${POLICIES}`).length, 2, 'the refused POST and the one that landed');
  });

  test('a throttled preflight shows the wait and still reads the tenant in one batch answered', async () => {
    session.tenant.addGraphFault('POST', '/$batch', { kind: 'throttle', retryAfterS: 2 });
    const { frame } = await openPanel(session);
    await frame.getByRole('button', { name: /^Check / }).click();
    const wait = frame.getByTestId('flow-wait');
    await wait.waitFor();
    assert.equal((await wait.textContent()).trim(), 'Microsoft Graph asked us to wait 2 s…');
    await flowState(frame, 'review');
    assert.deepEqual(graphRequests(session).map((r) => `${r.method} ${r.pathAndQuery} ${r.status}`),
      ['POST /beta/$batch 429', 'POST /beta/$batch 200']);
  });

  test('the connection drops after Graph saved the policy: it is found by reading back, exactly one policy', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    // The emulator closes every connection after its answer, so the reset reaches the extension's
    // fetch as on Graph's HTTP/2 (Chromium would silently resend a POST whose reused socket drops).
    session.tenant.addGraphFault('POST', POLICIES, { kind: 'resetAfterCommit' });
    await applyAndConfirm(frame);
    await flowState(frame, 'live', { timeout: 40_000 });
    onlyPolicyNamed(session, BLOCK_NAME);
    assert.equal(session.tenant.requestsTo('POST', `/v1.0${POLICIES}`).length, 1, 'never a blind second POST');
    assert.ok(session.tenant.requestsTo('GET', `/v1.0${POLICIES}`).length >= 1, 'the policies were read back');
    await frame.getByText('read the policies back and found it').waitFor();
  });

  test('Graph saves the policy but answers 504: the read-back finds it, exactly one policy', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    session.tenant.addGraphFault('POST', POLICIES, { kind: 'gatewayTimeout', afterCommit: true });
    await applyAndConfirm(frame);
    await flowState(frame, 'live', { timeout: 40_000 });
    onlyPolicyNamed(session, BLOCK_NAME);
    assert.equal(session.tenant.requestsTo('POST', `/v1.0${POLICIES}`).length, 1, 'never a blind second POST');
    await frame.getByText('read the policies back and found it').waitFor();
  });

  test('the access token expires mid-flow: the sign-in is renewed silently and the apply finishes', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    session.tenant.addGraphFault('POST', POLICIES, { kind: 'tokenExpired' });
    await applyAndConfirm(frame);
    await flowState(frame, 'live');
    onlyPolicyNamed(session, BLOCK_NAME);
    const refreshes = session.tenant.requests.filter((r) => r.method === 'POST' && /\/oauth2\/v2\.0\/token$/.test(r.pathAndQuery.split('?')[0])
      && /grant_type=refresh_token/.test(r.body ?? ''));
    assert.equal(refreshes.length, 1, 'one refresh, no sign-in window');
  });

  test('a double click on Apply and on the confirmation creates exactly one policy', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    await frame.getByRole('button', { name: /^Apply/ }).dblclick();
    await frame.getByRole('button', { name: 'Create the policy' }).dblclick();
    await flowState(frame, 'live');
    await new Promise((resolve) => setTimeout(resolve, 500));
    onlyPolicyNamed(session, BLOCK_NAME);
    assert.equal(session.tenant.requestsTo('POST', `/v1.0${POLICIES}`).length, 1);
  });

  test('a US Government tenant: sign-in at login.microsoftonline.us, Graph at graph.microsoft.us, nothing to the .com hosts', async () => {
    await useScenario(session, { scenario: 'usGovernmentDemo' },
      { account: { name: 'Patti Fernandez', upn: 'PattiF@fabrikamgov.onmicrosoft.us' } });
    const { frame } = await openPanel(session, { host: 'entra.microsoft.us', tenant: 'fabrikamgov.onmicrosoft.us' });
    await checkTenant(frame);
    await applyAndConfirm(frame);
    await flowState(frame, 'live');
    const hosts = [...new Set(session.tenant.requests.map((r) => r.host))].sort();
    assert.deepEqual(hosts, ['graph.microsoft.us', 'login.microsoftonline.us']);
    assert.deepEqual(graphRequests(session, 'graph.microsoft.us').map((r) => `${r.method} ${r.pathAndQuery}`),
      ['POST /beta/$batch', `POST /v1.0${POLICIES}`]);
    assert.match(await frame.getByTestId('portal-link').getAttribute('href'), /^https:\/\/entra\.microsoft\.us\/#view\//);
  });
});
