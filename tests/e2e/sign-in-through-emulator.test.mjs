// Harness check: the real extension in Chromium reaches the emulated sign-in service exactly as it
// would reach Microsoft's — launchWebAuthFlow opens the emulated /authorize and comes back with the
// code, and the service worker's token request carries the extension's own Origin, which the
// identity platform requires for single-page-application redemption.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startMicrosoftCloud } from '../emulator/microsoft-cloud.mjs';
import { launchBrowser } from './browser.mjs';
import { SUITE_TIMEOUT } from './panel.mjs';

const LOGIN = 'https://login.microsoftonline.com/organizations/oauth2/v2.0';

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('the extension signs in against the emulated Microsoft cloud', { timeout: SUITE_TIMEOUT }, () => {
  let emulator;
  let browser;
  let redirectUri;
  let clientId;

  before(async () => {
    emulator = await startMicrosoftCloud();
    browser = await launchBrowser(emulator);
    redirectUri = `https://${browser.extensionId}.chromiumapp.org/`;
  });
  after(async () => {
    await browser?.close();
    await emulator?.close();
  });
  beforeEach(() => {
    // The redirect URI names the extension id, known only once the browser has loaded it.
    emulator.tenant.reset({ extensionApp: { redirectUri } });
    clientId = emulator.tenant.state().apps[0].clientId;
  });

  function authorizeUrl(challenge, state) {
    return `${LOGIN}/authorize?${new URLSearchParams({
      client_id: clientId, response_type: 'code', redirect_uri: redirectUri, response_mode: 'query', state,
      scope: 'openid profile offline_access https://graph.microsoft.com/Policy.Read.All',
      code_challenge: challenge, code_challenge_method: 'S256',
    })}`;
  }

  test('a token request from the service worker carries Origin chrome-extension://<id> and is redeemed', async () => {
    const { verifier, challenge } = pkce();
    // The code comes from the emulator directly; only the redemption runs in the worker.
    const url = new URL(authorizeUrl(challenge, 's1'));
    const authorize = emulator.tenant.handle({ method: 'GET', host: url.hostname, pathAndQuery: url.pathname + url.search });
    const code = new URL(authorize.headers.find(([name]) => name === 'Location')[1]).searchParams.get('code');

    const answer = await browser.serviceWorker.evaluate(async ({ url, form }) => {
      const res = await fetch(url, { method: 'POST', body: new URLSearchParams(form) });
      const body = await res.json();
      return { status: res.status, tokenType: body.token_type, hasAccessToken: Boolean(body.access_token) };
    }, { url: `${LOGIN}/token`, form: { client_id: clientId, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier } });

    assert.deepEqual(answer, { status: 200, tokenType: 'Bearer', hasAccessToken: true });
    const [token] = emulator.tenant.requestsTo('POST', '/organizations/oauth2/v2.0/token');
    const origin = token.headers.find(([name]) => name.toLowerCase() === 'origin')?.[1];
    assert.equal(origin, `chrome-extension://${browser.extensionId}`);
  });

  test('chrome.identity.launchWebAuthFlow reaches the emulated /authorize and returns the redirect with the code', async () => {
    const { challenge } = pkce();
    const result = await browser.serviceWorker.evaluate(async (url) => {
      if (!globalThis.chrome?.identity) return { missing: 'chrome.identity' };
      const redirect = await chrome.identity.launchWebAuthFlow({ url, interactive: true });
      return { redirect, own: chrome.identity.getRedirectURL() };
    }, authorizeUrl(challenge, 'launch-1'));
    assert.equal(result.missing, undefined,
      'chrome.identity is unavailable in the service worker: the manifest needs the "identity" permission ' +
      '(extension/manifest.json) before the extension can sign in');
    assert.equal(result.own, redirectUri);
    const back = new URL(result.redirect);
    assert.equal(`${back.origin}${back.pathname}`, redirectUri);
    assert.equal(back.searchParams.get('state'), 'launch-1');
    assert.ok(back.searchParams.get('code'), `the redirect carries a code: ${result.redirect}`);
    assert.equal(emulator.tenant.requestsTo('GET', '/organizations/oauth2/v2.0/authorize').length, 1,
      'the browser window opened the emulated authorize endpoint');
  });
});
