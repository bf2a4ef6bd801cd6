// The explainer's "Admins: show the policy that blocked this", end to end: the built extension signs
// in to the emulated Microsoft cloud from the admin center (the simulated tenant behind the real
// sign-in and Graph hosts), then the admin meets the block page of a user the tenant's registration
// policy stopped, presses the button, and the background reads that sign-in's record from
// /auditLogs/signIns. The sign-in host serves both the tenant's sign-in and the block page: this
// file's own service hands `rg-fixture` pages to the fixture service (with the sim's correlation id
// in place of the capture's) and everything else to the simulated tenant.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createMicrosoftCloudService, MICROSOFT_CLOUD_HOSTS } from '../emulator/microsoft-cloud.mjs';
import { startEmulator } from '../emulator/server.mjs';
import { capturedBlockPage, createSignInFixtureService, signInUrl } from '../emulator/signin-fixtures.mjs';
import { createTenant } from '../emulator/tenant.mjs';
import { checkTenant, configure, openPanel, useScenario } from './apply-flow.mjs';
import { launchBrowser } from './browser.mjs';
import { eventually, SUITE_TIMEOUT } from './panel.mjs';

const BUTTON = 'Admins: show the policy that blocked this';
const CAPTURED_CORRELATION_ID = capturedBlockPage().field('Correlation Id');
const REMOTE_NEW_HIRE_IP = '192.0.2.44';
const LOOKUP_PATH = '/v1.0/auditLogs/signIns?$filter=correlationId%20eq%20';

/**
 * The simulated tenant's service, except that block-page fixtures (`?rg-fixture=…`, their style
 * sheet) come from the fixture service with `correlationId()`'s id written into the page.
 */
function blockPageAndCloudService(tenant, correlationId) {
  const cloud = createMicrosoftCloudService(tenant);
  const fixtures = createSignInFixtureService();
  return {
    name: 'microsoft-cloud-with-block-page',
    hosts: MICROSOFT_CLOUD_HOSTS,
    tenant,
    async handle(req, res, url) {
      const isFixture = fixtures.hosts.includes(url.hostname)
        && (url.searchParams.has('rg-fixture') || url.pathname === '/fixture/signin.css');
      if (!isFixture) return cloud.handle(req, res, url);
      // The fixture service answers with writeHead(…) then end(body); capture both, swap the id.
      const answer = { status: 0, headers: {}, body: '' };
      const recorder = {
        writeHead(status, headers) { Object.assign(answer, { status, headers }); return recorder; },
        end(body = '') { answer.body = String(body); return recorder; },
      };
      fixtures.handle(req, recorder, url);
      res.writeHead(answer.status, answer.headers).end(answer.body.replaceAll(CAPTURED_CORRELATION_ID, correlationId()));
    },
  };
}

/** The correlation id of the remote new hire's blocked registration, read from the tenant's own log. */
function remoteNewHireCorrelationId(tenant) {
  const token = tenant.issueAdminToken(['AuditLog.Read.All']);
  const before = tenant.requests.length;
  const answer = tenant.handle({
    method: 'GET', host: 'graph.microsoft.com', pathAndQuery: '/v1.0/auditLogs/signIns',
    headers: [['Authorization', `Bearer ${token}`]], body: null,
  });
  tenant.requests.splice(before);
  assert.equal(answer.status, 200, answer.body);
  const event = JSON.parse(answer.body).value.find((e) => e.ipAddress === REMOTE_NEW_HIRE_IP);
  assert.ok(event, `the tenant logged no blocked sign-in from ${REMOTE_NEW_HIRE_IP}: ${answer.body}`);
  return event.correlationId;
}

describe('the explainer looks up the blocking policy for a signed-in admin', { timeout: SUITE_TIMEOUT }, () => {
  const session = {};
  let correlationId = CAPTURED_CORRELATION_ID;

  before(async () => {
    const tenant = createTenant();
    const emulator = await startEmulator({ services: [blockPageAndCloudService(tenant, () => correlationId)] });
    session.emulator = Object.assign(emulator, { tenant });
    session.browser = await launchBrowser(session.emulator);
    session.extensionId = session.browser.extensionId;
    session.redirectUri = `https://${session.extensionId}.chromiumapp.org/`;
  });
  after(async () => {
    await session.browser?.close();
    await session.emulator?.close();
  });
  beforeEach(async () => {
    for (const page of session.browser.context.pages()) await page.close();
    await useScenario(session, { registrationPolicy: 'enabled' });
    correlationId = remoteNewHireCorrelationId(session.tenant);
  });

  /** Signs the extension in from the admin center, as the admin does before meeting block pages. */
  async function signInFromAdminCenter() {
    const { page, frame } = await openPanel(session);
    await checkTenant(frame, ['review', 'live']);
    await page.close();
  }

  /** Opens the block page and presses the admin button; resolves with the result text once it settles. */
  async function lookUp() {
    const page = await session.browser.context.newPage();
    await page.goto(signInUrl('login.microsoftonline.com', 'block-expanded'));
    const frame = await eventually(() => {
      const found = page.frames().find((f) => f.url().startsWith(`chrome-extension://${session.extensionId}/explainer.html`));
      if (!found) throw new Error('no explainer frame yet');
      return found;
    });
    await frame.getByRole('button', { name: BUTTON }).click();
    const result = await eventually(async () => {
      const text = await frame.evaluate(() =>
        document.querySelector('[data-testid="admin-lookup-result"]')?.innerText.replace(/\s+/g, ' ').trim() ?? '');
      if (text === '' || text.startsWith('Asking Registration Guard')) throw new Error(`the lookup shows "${text}"`);
      return text;
    }, { timeout: 30_000 });
    return { page, result };
  }

  function lookups() {
    return session.tenant.requests.filter((r) => r.host === 'graph.microsoft.com' && r.pathAndQuery.startsWith(LOOKUP_PATH));
  }

  test('names the registration policy that stopped the sign-in, from its sign-in record', async () => {
    await signInFromAdminCenter();
    assert.equal(lookups().length, 0, 'the sign-in logs were read before the admin pressed the button');
    const { page, result } = await lookUp();
    try {
      const policy = session.tenant.policies().find((p) =>
        p.conditions?.applications?.includeUserActions?.includes('urn:user:registersecurityinfo'));
      assert.ok(policy, 'the scenario has a registration policy');
      assert.match(result, /^Sign-in at \S+: stopped by /);
      assert.ok(result.includes(`“${policy.displayName}” (Block)`), result);
      const [call, ...more] = lookups();
      assert.equal(more.length, 0, 'one lookup per press');
      // Chromium sends the quotes percent-encoded; the filter is the same.
      assert.equal(call.pathAndQuery, `${LOOKUP_PATH}%27${correlationId}%27&$top=1`);
      assert.equal(call.status, 200);
      const scopes = JSON.parse(Buffer.from(call.headers.find(([n]) => n.toLowerCase() === 'authorization')[1]
        .split('.')[1], 'base64url').toString('utf8')).scp.split(' ');
      assert.ok(scopes.includes('AuditLog.Read.All'), `the token lacks AuditLog.Read.All: ${scopes.join(' ')}`);
    } finally {
      await page.close();
    }
  });

  test('says the record is not there yet when the sign-in logs hold no event for the id', async () => {
    await signInFromAdminCenter();
    correlationId = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
    const { page, result } = await lookUp();
    try {
      assert.match(result, /^No sign-in record yet — records appear within a few minutes/);
      assert.equal(lookups().length, 1);
    } finally {
      await page.close();
    }
  });

  test('names the role needed when the admin cannot read the sign-in logs', async () => {
    await signInFromAdminCenter();
    // A first lookup while the admin still holds their role gets the token its permission.
    const first = await lookUp();
    await first.page.close();
    assert.match(first.result, /stopped by/);
    session.tenant.update((state) => {
      const admin = state.users.find((u) => u.id === state.signedInAdmin);
      admin.roleTemplateIds = [];
    });
    const { page, result } = await lookUp();
    try {
      assert.match(result, /^Registration Guard could not look this up: Microsoft Graph refused to read the sign-in logs \(Authorization_RequestDenied\)/);
      assert.match(result, /Reports Reader/);
      assert.deepEqual(lookups().map((r) => r.status), [200, 403]);
    } finally {
      await page.close();
    }
  });

  test('without a sign-in it says so honestly and sends nothing to Graph', async () => {
    await configure(session, { clientId: session.clientId });
    const { page, result } = await lookUp();
    try {
      assert.match(result, /^Sign in to Registration Guard from the admin center to look this up: it is not signed in to the Global cloud yet\./);
      assert.equal(session.tenant.requests.length, 0, 'the lookup reached the tenant without a sign-in');
    } finally {
      await page.close();
    }
  });
});
