// The emulated sign-in and Graph hosts, driven over real HTTPS from Node (TLS verified against the
// emulator's certificate), without a browser: the identity platform's rules an extension meets,
// the preflight batch, paging, and every transport failure the model scripts — acted out on the
// wire, not just described in JSON.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ensureCertificate } from './certificate.mjs';
import { MICROSOFT_CLOUD_HOSTS, startMicrosoftCloud } from './microsoft-cloud.mjs';
import { createTenant } from './tenant.mjs';

const EXTENSION_ID = 'kbfnbcaeplbcioakkpcpgfkobkghlhen';
const REDIRECT_URI = `https://${EXTENSION_ID}.chromiumapp.org/`;
const ORIGIN = `chrome-extension://${EXTENSION_ID}`;
const CONTOSO = { extensionApp: { redirectUri: REDIRECT_URI } };

/**
 * One HTTPS exchange with the emulator, on a fresh connection. Resolves with
 * `{status, headers, body, complete}` (`complete` false when the connection dropped mid-body);
 * rejects when the connection drops before any answer.
 */
function exchange(emulator, { method = 'GET', url, headers = {}, body = null }) {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: emulator.port, method, path: target.pathname + target.search,
      servername: target.hostname, ca: ensureCertificate(emulator.hosts).cert, agent: false,
      headers: { host: target.hostname, ...headers, ...(body === null ? {} : { 'content-length': Buffer.byteLength(body) }) },
    }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', () => {});
      res.on('close', () => resolve({
        status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), complete: res.complete,
      }));
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

const json = (res) => JSON.parse(res.body);

/** A PKCE pair as RFC 7636 defines it (S256). */
function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function graphScopes(graphHost) {
  return ['openid', 'profile', 'offline_access',
    ...['User.Read', 'Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'].map((s) => `https://${graphHost}/${s}`)].join(' ');
}

/** GET /authorize as the extension's launchWebAuthFlow would open it. */
function authorize(emulator, { loginHost = 'login.microsoftonline.com', graphHost = 'graph.microsoft.com',
  tenant = 'organizations', redirectUri = REDIRECT_URI, challenge, state = 'st-1', prompt } = {}) {
  const query = new URLSearchParams({
    client_id: emulator.tenant.state().apps[0].clientId, response_type: 'code', redirect_uri: redirectUri,
    scope: graphScopes(graphHost), state, code_challenge: challenge, code_challenge_method: 'S256', response_mode: 'query',
    ...(prompt ? { prompt } : {}),
  });
  return exchange(emulator, { url: `https://${loginHost}/${tenant}/oauth2/v2.0/authorize?${query}` });
}

/** POST /token redeeming a code, with the Origin an extension's fetch carries. */
function redeem(emulator, { code, verifier, loginHost = 'login.microsoftonline.com', origin = ORIGIN }) {
  const body = new URLSearchParams({
    client_id: emulator.tenant.state().apps[0].clientId, grant_type: 'authorization_code', code,
    redirect_uri: REDIRECT_URI, code_verifier: verifier,
  }).toString();
  return exchange(emulator, {
    method: 'POST', url: `https://${loginHost}/organizations/oauth2/v2.0/token`, body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
  });
}

/** The full sign-in: authorize, then redeem the code. Resolves with the token response. */
async function signIn(emulator, hosts = {}) {
  const { verifier, challenge } = pkce();
  const answer = await authorize(emulator, { ...hosts, challenge });
  assert.equal(answer.status, 302, `authorize answered ${answer.status}: ${answer.body}`);
  const code = new URL(answer.headers.location).searchParams.get('code');
  const tokens = await redeem(emulator, { code, verifier, loginHost: hosts.loginHost });
  assert.equal(tokens.status, 200, tokens.body);
  return json(tokens);
}

function graph(emulator, token, method, path, { host = 'graph.microsoft.com', body = null, headers = {} } = {}) {
  return exchange(emulator, {
    method, url: `https://${host}${path}`, body,
    headers: { authorization: `Bearer ${token}`, ...(body === null ? {} : { 'content-type': 'application/json' }), ...headers },
  });
}

const CLASSIC_POLICY = {
  displayName: 'Registration Guard: security info registration from trusted locations only',
  state: 'enabledForReportingButNotEnforced',
  conditions: {
    clientAppTypes: ['all'],
    applications: { includeApplications: [], excludeApplications: [], includeUserActions: ['urn:user:registersecurityinfo'] },
    users: { includeUsers: ['All'], excludeUsers: [], includeGroups: [], excludeGroups: [], includeRoles: [], excludeRoles: [] },
    locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] },
  },
  grantControls: { operator: 'OR', builtInControls: ['block'] },
};

describe('the emulated Microsoft cloud (sign-in and Graph hosts answered by the simulated tenant)', () => {
  let emulator;
  before(async () => { emulator = await startMicrosoftCloud(CONTOSO); });
  after(async () => { await emulator?.close(); });
  beforeEach(() => emulator.tenant.reset(CONTOSO));

  test('it claims every sign-in and Graph host and nothing else', () => {
    assert.deepEqual(emulator.services['microsoft-cloud'].hosts, MICROSOFT_CLOUD_HOSTS);
    for (const host of ['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn',
      'graph.microsoft.com', 'graph.microsoft.us', 'microsoftgraph.chinacloudapi.cn']) {
      assert.ok(MICROSOFT_CLOUD_HOSTS.includes(host), host);
    }
    assert.ok(emulator.services.portal, 'the portal fixture still runs beside it');
  });

  test('authorize with PKCE redirects to the extension with a code and the state; the code redeems once, with Origin', async () => {
    const { verifier, challenge } = pkce();
    const answer = await authorize(emulator, { challenge, state: 'state-42' });
    assert.equal(answer.status, 302);
    const location = new URL(answer.headers.location);
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT_URI);
    assert.equal(location.searchParams.get('state'), 'state-42');
    const code = location.searchParams.get('code');
    assert.ok(code, 'the redirect carries a code');

    const tokens = await redeem(emulator, { code, verifier });
    assert.equal(tokens.status, 200, tokens.body);
    assert.equal(tokens.headers['access-control-allow-origin'], ORIGIN, 'CORS allows the extension origin');
    const body = json(tokens);
    assert.equal(body.token_type, 'Bearer');
    assert.ok(body.access_token && body.refresh_token && body.id_token);
    assert.match(body.scope, /Policy\.ReadWrite\.ConditionalAccess/);

    const me = await graph(emulator, body.access_token, 'GET', '/v1.0/me');
    assert.equal(me.status, 200, me.body);
    assert.equal(json(me).id, emulator.tenant.snapshot().admin.id);

    const again = await redeem(emulator, { code, verifier });
    assert.equal(again.status, 400);
    assert.equal(json(again).error, 'invalid_grant');
    assert.match(json(again).error_description, /^AADSTS54005: OAuth2 Authorization code was already redeemed/);
  });

  test('the token request sent the Origin header the model saw, and the log keeps the exact form body', async () => {
    await signIn(emulator);
    const [token] = emulator.tenant.requestsTo('POST', '/organizations/oauth2/v2.0/token');
    assert.ok(token.headers.some(([name, value]) => name.toLowerCase() === 'origin' && value === ORIGIN));
    const form = new URLSearchParams(token.body);
    assert.equal(form.get('grant_type'), 'authorization_code');
    assert.equal(form.get('redirect_uri'), REDIRECT_URI);
    assert.equal(token.status, 200);
  });

  test('a wrong PKCE verifier or a missing Origin is refused as Entra refuses it', async () => {
    const { challenge } = pkce();
    let code = new URL((await authorize(emulator, { challenge })).headers.location).searchParams.get('code');
    const wrong = await redeem(emulator, { code, verifier: pkce().verifier });
    assert.match(json(wrong).error_description, /^AADSTS501481: The Code_Verifier does not match/);

    const pair = pkce();
    code = new URL((await authorize(emulator, { challenge: pair.challenge })).headers.location).searchParams.get('code');
    const noOrigin = await redeem(emulator, { code, verifier: pair.verifier, origin: null });
    assert.equal(noOrigin.status, 400);
    assert.deepEqual(json(noOrigin).error_codes, [9002327]);
  });

  test('the token endpoint answers the CORS preflight for the extension origin', async () => {
    const res = await exchange(emulator, {
      method: 'OPTIONS', url: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/token',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], ORIGIN);
    assert.match(res.headers['access-control-allow-methods'], /POST/);
  });

  test('a redirect URI the app registration lacks gets the AADSTS50011 page, never a redirect', async () => {
    const res = await authorize(emulator, { challenge: pkce().challenge, redirectUri: 'https://someone-else.chromiumapp.org/' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.location, undefined);
    assert.match(res.headers['content-type'], /^text\/html/);
    assert.match(res.body, /AADSTS50011/);
  });

  test('a redirect URI registered under the Web platform fails redemption with AADSTS9002326', async () => {
    emulator.tenant.reset({ extensionApp: { redirectUri: REDIRECT_URI, platform: 'web' } });
    const { verifier, challenge } = pkce();
    const answer = await authorize(emulator, { challenge });
    assert.equal(answer.status, 302);
    const code = new URL(answer.headers.location).searchParams.get('code');
    const res = await redeem(emulator, { code, verifier });
    assert.equal(res.status, 400);
    assert.deepEqual(json(res).error_codes, [9002326]);
    assert.match(json(res).error_description, new RegExp(`Request origin: '${ORIGIN}'`));
  });

  test('a silent sign-in without admin consent redirects with consent_required (AADSTS65001)', async () => {
    emulator.tenant.reset({ extensionApp: { redirectUri: REDIRECT_URI, consented: false } });
    emulator.tenant.signInBrowser(emulator.tenant.snapshot().admin.userPrincipalName);
    const res = await authorize(emulator, { challenge: pkce().challenge, prompt: 'none' });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.location);
    assert.equal(location.searchParams.get('error'), 'consent_required');
    assert.match(location.searchParams.get('error_description'), /^AADSTS65001:/);
    assert.equal(location.searchParams.get('state'), 'st-1');
  });

  test('a silent sign-in needs a browser session; tests open one and end them', async () => {
    let res = await authorize(emulator, { challenge: pkce().challenge, prompt: 'none' });
    assert.equal(new URL(res.headers.location).searchParams.get('error'), 'login_required');
    emulator.tenant.signInBrowser(emulator.tenant.snapshot().admin.id);
    res = await authorize(emulator, { challenge: pkce().challenge, prompt: 'none' });
    assert.ok(new URL(res.headers.location).searchParams.get('code'));
    emulator.tenant.signOutBrowsers();
    res = await authorize(emulator, { challenge: pkce().challenge, prompt: 'none' });
    assert.equal(new URL(res.headers.location).searchParams.get('error'), 'login_required');
  });

  test('state edits carry on from where the model was: declining consent ends in access_denied (AADSTS65004)', async () => {
    emulator.tenant.reset({ extensionApp: { redirectUri: REDIRECT_URI, consented: false } });
    emulator.tenant.update((state) => { state.consentAnswer = 'Decline'; });
    const res = await authorize(emulator, { challenge: pkce().challenge });
    const location = new URL(res.headers.location);
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.match(location.searchParams.get('error_description'), /^AADSTS65004:/);
  });

  test('the preflight batch reads everything in one POST /beta/$batch', async () => {
    const { access_token: token } = await signIn(emulator);
    const batch = { requests: [
      { id: 'profile', method: 'GET', url: '/me?$select=id,displayName,userPrincipalName' },
      { id: 'roles', method: 'GET', url: '/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true&$select=id,displayName,roleTemplateId', headers: { ConsistencyLevel: 'eventual' } },
      { id: 'securityDefaults', method: 'GET', url: '/policies/identitySecurityDefaultsEnforcementPolicy' },
      { id: 'licences', method: 'GET', url: '/subscribedSkus?$select=capabilityStatus,servicePlans,skuPartNumber' },
      { id: 'namedLocations', method: 'GET', url: '/identity/conditionalAccess/namedLocations' },
      { id: 'policies', method: 'GET', url: '/identity/conditionalAccess/policies' },
    ] };
    const res = await graph(emulator, token, 'POST', '/beta/$batch', { body: JSON.stringify(batch) });
    assert.equal(res.status, 200, res.body);
    const byId = Object.fromEntries(json(res).responses.map((r) => [r.id, r]));
    assert.deepEqual(Object.keys(byId).sort(), batch.requests.map((r) => r.id).sort());
    for (const [id, inner] of Object.entries(byId)) assert.equal(inner.status, 200, `${id}: ${JSON.stringify(inner.body)}`);
    const snapshot = emulator.tenant.snapshot();
    assert.equal(byId.profile.body.id, snapshot.admin.id);
    assert.ok(byId.roles.body.value.some((r) => snapshot.admin.roleTemplateIds.includes(r.roleTemplateId)));
    assert.equal(byId.securityDefaults.body.isEnabled, false);
    assert.deepEqual(byId.policies.body.value.map((p) => p.id).sort(), emulator.tenant.policies().map((p) => p.id).sort());
    assert.equal(byId.namedLocations.body.value.length, emulator.tenant.namedLocations().length);
    assert.ok(byId.licences.body.value.some((sku) => sku.servicePlans.some((p) => p.servicePlanId === '41781fb2-bc02-4b7c-bd55-b576c07bb09d')));
    assert.equal(emulator.tenant.requestsTo('POST', '/beta/$batch').length, 1);
  });

  test('collections page with nextLinks on the same Graph host', async () => {
    emulator.tenant.update((state) => { state.pageSize = 2; });
    const token = emulator.tenant.issueAdminToken(['Policy.Read.All']);
    const seen = [];
    let path = '/v1.0/identity/conditionalAccess/policies';
    let pages = 0;
    while (path) {
      const res = await graph(emulator, token, 'GET', path);
      assert.equal(res.status, 200, res.body);
      const page = json(res);
      assert.ok(page.value.length <= 2);
      seen.push(...page.value.map((p) => p.id));
      pages += 1;
      const next = page['@odata.nextLink'];
      if (next) assert.equal(new URL(next).host, 'graph.microsoft.com');
      path = next ? new URL(next).pathname + new URL(next).search : null;
    }
    assert.equal(pages, 2);
    assert.deepEqual(seen.sort(), emulator.tenant.policies().map((p) => p.id).sort());
  });

  test('a scripted 429 carries Retry-After and fires once', async () => {
    const token = emulator.tenant.issueAdminToken(['Policy.Read.All']);
    emulator.tenant.addGraphFault('GET', '/identity/conditionalAccess/policies', { kind: 'throttle', retryAfterS: 7 });
    const throttled = await graph(emulator, token, 'GET', '/v1.0/identity/conditionalAccess/policies');
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['retry-after'], '7');
    assert.ok(json(throttled).error.code, 'Graph error shape');
    const next = await graph(emulator, token, 'GET', '/v1.0/identity/conditionalAccess/policies');
    assert.equal(next.status, 200);
  });

  test('a reset after commit really drops the connection, and the policy exists afterwards', async () => {
    const token = emulator.tenant.issueAdminToken(['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess']);
    const before = emulator.tenant.policies().length;
    emulator.tenant.addGraphFault('POST', '/identity/conditionalAccess/policies', { kind: 'resetAfterCommit' });
    await assert.rejects(
      graph(emulator, token, 'POST', '/v1.0/identity/conditionalAccess/policies', { body: JSON.stringify(CLASSIC_POLICY) }),
      (e) => ['ECONNRESET', 'EPIPE'].includes(e.code) || /socket hang up/.test(e.message),
    );
    assert.equal(emulator.tenant.policies().length, before + 1);
    const list = json(await graph(emulator, token, 'GET', '/v1.0/identity/conditionalAccess/policies'));
    assert.equal(list.value.filter((p) => p.displayName === CLASSIC_POLICY.displayName).length, 1);
    const [post] = emulator.tenant.requestsTo('POST', '/v1.0/identity/conditionalAccess/policies');
    assert.equal(post.transport, 'reset');
    assert.deepEqual(JSON.parse(post.body), CLASSIC_POLICY, 'the log keeps the exact body received');
  });

  test('every answer closes its connection, so a reset never hits a reused socket the browser would silently retry on', async () => {
    const token = emulator.tenant.issueAdminToken(['Policy.Read.All']);
    const ok = await graph(emulator, token, 'GET', '/v1.0/identity/conditionalAccess/policies');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.connection, 'close');
    const { verifier, challenge } = pkce();
    const login = await authorize(emulator, { challenge });
    assert.equal(login.status, 302);
    assert.equal(login.headers.connection, 'close');
    const tokens = await redeem(emulator, { code: new URL(login.headers.location).searchParams.get('code'), verifier });
    assert.equal(tokens.headers.connection, 'close');
  });

  test('a reset before commit drops the connection and nothing is created', async () => {
    const token = emulator.tenant.issueAdminToken(['Policy.ReadWrite.ConditionalAccess']);
    const before = emulator.tenant.policies().length;
    emulator.tenant.addGraphFault('POST', '/identity/conditionalAccess/policies', { kind: 'resetBeforeCommit' });
    await assert.rejects(graph(emulator, token, 'POST', '/v1.0/identity/conditionalAccess/policies', { body: JSON.stringify(CLASSIC_POLICY) }));
    assert.equal(emulator.tenant.policies().length, before);
  });

  test('a gateway timeout after commit answers 504 although the policy was created', async () => {
    const token = emulator.tenant.issueAdminToken(['Policy.ReadWrite.ConditionalAccess']);
    const before = emulator.tenant.policies().length;
    emulator.tenant.addGraphFault('POST', '/identity/conditionalAccess/policies', { kind: 'gatewayTimeout', afterCommit: true });
    const res = await graph(emulator, token, 'POST', '/v1.0/identity/conditionalAccess/policies', { body: JSON.stringify(CLASSIC_POLICY) });
    assert.equal(res.status, 504);
    assert.equal(json(res).error.code, 'GatewayTimeout');
    assert.equal(emulator.tenant.policies().length, before + 1);
  });

  test('inside a batch one request is throttled on its own while the batch answers 200', async () => {
    const token = emulator.tenant.issueAdminToken(['Policy.Read.All', 'User.Read']);
    emulator.tenant.addGraphFault('GET', '/identity/conditionalAccess/policies', { kind: 'throttle', retryAfterS: 5 });
    const batch = { requests: [
      { id: 'profile', method: 'GET', url: '/me' },
      { id: 'policies', method: 'GET', url: '/identity/conditionalAccess/policies' },
    ] };
    const res = await graph(emulator, token, 'POST', '/v1.0/$batch', { body: JSON.stringify(batch) });
    assert.equal(res.status, 200);
    const byId = Object.fromEntries(json(res).responses.map((r) => [r.id, r]));
    assert.equal(byId.profile.status, 200);
    assert.equal(byId.policies.status, 429);
    const retryAfter = Object.entries(byId.policies.headers ?? {}).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
    assert.equal(String(retryAfter), '5');
  });

  test('a malformed body is sent whole, so only parsing it fails', async () => {
    const token = emulator.tenant.issueAdminToken(['Policy.Read.All']);
    emulator.tenant.addGraphFault('GET', '/identity/conditionalAccess/namedLocations', { kind: 'malformedJson' });
    const res = await graph(emulator, token, 'GET', '/v1.0/identity/conditionalAccess/namedLocations');
    assert.equal(res.status, 200);
    assert.equal(res.complete, true);
    assert.equal(Buffer.byteLength(res.body), Number(res.headers['content-length']));
    assert.throws(() => JSON.parse(res.body), SyntaxError);
  });

  test('a truncated body arrives short of its full Content-Length and the connection drops', async () => {
    const token = emulator.tenant.issueAdminToken(['Policy.Read.All']);
    emulator.tenant.addGraphFault('GET', '/identity/conditionalAccess/policies', { kind: 'truncatedBody' });
    const res = await graph(emulator, token, 'GET', '/v1.0/identity/conditionalAccess/policies');
    assert.equal(res.status, 200);
    assert.equal(res.complete, false);
    const promised = Number(res.headers['content-length']);
    assert.ok(Buffer.byteLength(res.body) < promised, `${Buffer.byteLength(res.body)} of ${promised} bytes`);
    assert.throws(() => JSON.parse(res.body));
  });

  test('a slow answer waits as long as scripted', async () => {
    const token = emulator.tenant.issueAdminToken(['User.Read']);
    emulator.tenant.addGraphFault('GET', '/me', { kind: 'slow', ms: 400 });
    const started = Date.now();
    const res = await graph(emulator, token, 'GET', '/v1.0/me');
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started >= 390, `answered after ${Date.now() - started} ms`);
  });

  test('a faulted sign-in request answers as the identity platform does when it is unavailable', async () => {
    emulator.tenant.addLoginFault('POST', '/*/oauth2/v2.0/token', { kind: 'serviceUnavailable', retryAfterS: 3 });
    const { verifier, challenge } = pkce();
    const code = new URL((await authorize(emulator, { challenge })).headers.location).searchParams.get('code');
    const res = await redeem(emulator, { code, verifier });
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '3');
    assert.equal(json(res).error, 'temporarily_unavailable');
    const retried = await redeem(emulator, { code, verifier });
    assert.equal(retried.status, 200, 'the code was not spent by the refused request');
  });

  test('US Government: sign-in at login.microsoftonline.us, Graph at graph.microsoft.us, tokens do not cross clouds', async () => {
    emulator.tenant.reset({ scenario: 'usGovernmentDemo', ...CONTOSO });
    const usHosts = { loginHost: 'login.microsoftonline.us', graphHost: 'graph.microsoft.us' };
    const { access_token: token } = await signIn(emulator, usHosts);
    const me = await graph(emulator, token, 'GET', '/v1.0/me', { host: 'graph.microsoft.us' });
    assert.equal(me.status, 200, me.body);
    assert.match(json(me).userPrincipalName, /@fabrikamgov\.onmicrosoft\.us$/);
    const global = await graph(emulator, token, 'GET', '/v1.0/me', { host: 'graph.microsoft.com' });
    assert.equal(global.status, 401);
    assert.match(json(global).error.message, /Invalid audience/);
    const china = await graph(emulator, token, 'GET', '/v1.0/me', { host: 'microsoftgraph.chinacloudapi.cn' });
    assert.equal(china.status, 401);
    const wrongCloud = await authorize(emulator, { challenge: pkce().challenge, tenant: 'fabrikamgov.onmicrosoft.us' });
    assert.equal(wrongCloud.status, 400);
    assert.match(wrongCloud.body, /AADSTS90002/);
  });
});

describe('scripting the simulated tenant', () => {
  test('scenario options shape the tenant: security defaults, licence, trusted locations, registration policy, role', () => {
    const plain = createTenant().snapshot();
    const shaped = createTenant({
      securityDefaults: true, withoutPremiumLicence: true, withoutTrustedLocations: true,
      registrationPolicy: 'enabledForReportingButNotEnforced', adminLackingRole: true,
    }).snapshot();
    assert.equal(plain.securityDefaultsEnabled, false);
    assert.equal(shaped.securityDefaultsEnabled, true);
    assert.equal(plain.licences.p1, true);
    assert.equal(shaped.licences.p1, false);
    assert.ok(plain.namedLocations.some((l) => l.isTrusted));
    assert.ok(!shaped.namedLocations.some((l) => l.isTrusted));
    assert.equal(shaped.policies.length, plain.policies.length + 1);
    assert.ok(shaped.policies.every((p) => p.state === 'disabled'), 'security defaults leave every policy off');
    assert.notEqual(shaped.admin.id, plain.admin.id);
  });

  test('state saved as JSON restores the same tenant, issued tokens included', () => {
    const tenant = createTenant(CONTOSO);
    const token = tenant.issueAdminToken(['User.Read'], 1_700_000_000_000);
    const saved = tenant.state();
    tenant.update(() => saved);
    assert.deepEqual(tenant.state(), saved);
    const me = tenant.handle({ method: 'GET', host: 'graph.microsoft.com', pathAndQuery: '/v1.0/me', headers: [['Authorization', `Bearer ${token}`]] }, 1_700_000_001_000);
    assert.equal(me.status, 200);
  });

  test('bad scripting input gets errors that say what is expected', () => {
    assert.throws(() => createTenant({ securityDefault: true }), /scenario options are not valid: unknown field `securityDefault`, expected one of `scenario`, `securityDefaults`/);
    assert.throws(() => createTenant({ registrationPolicy: 'on' }), /unknown variant `on`/);
    assert.throws(() => createTenant({ extensionApp: { redirectUri: REDIRECT_URI, platform: 'mobile' } }), /unknown variant `mobile`/);
    const tenant = createTenant();
    assert.throws(() => tenant.addGraphFault('GET', '/me', { kind: 'meltdown' }), /fault rule is not valid.*meltdown/s);
    assert.throws(() => tenant.addFault({ service: 'Portal', path: '/', fault: { kind: 'internalError' } }), /Graph or Login/);
    assert.throws(() => tenant.signInBrowser('nobody@contoso.onmicrosoft.com'), /has no user nobody@contoso\.onmicrosoft\.com/);
    assert.throws(() => tenant.issueAdminToken('Policy.Read.All'), /JSON array of permission names/);
    assert.throws(() => tenant.update(() => ({ tenantId: 'x' })), /saved simulated tenant cannot be read/);
    const garbled = tenant.handle({ method: 'GET', pathAndQuery: 42 });
    assert.equal(garbled.status, 400);
    assert.match(garbled.body, /cannot read this request/);
  });
});
