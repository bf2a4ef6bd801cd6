// The emulator is the ground the end-to-end tests stand on: check it on its own, without a
// browser, so a broken fixture is reported as such and not as an extension bug.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { ensureCertificate } from './certificate.mjs';
import { ALL_HOSTS, PORTAL_HOSTS } from './hosts.mjs';
import { PORTAL_CSP } from './portal/service.mjs';
import { startEmulator } from './server.mjs';

/** GET through real TLS verification: the emulator's certificate is the only trusted root. */
function get(emulator, host, path) {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: emulator.port, path, servername: host, headers: { host },
      ca: ensureCertificate(emulator.hosts).cert,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('test emulator of the Microsoft hosts', () => {
  let emulator;
  before(async () => { emulator = await startEmulator(); });
  after(async () => { await emulator?.close(); });

  test('its certificate is valid for every emulated host', async () => {
    for (const host of ALL_HOSTS) {
      const res = await get(emulator, host, '/');
      assert.ok(res.status > 0, `${host} answered`);
    }
    await assert.rejects(get(emulator, 'login.example.com', '/'), /altnames|ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  test('portal hosts serve the SPA shell with the account labels under the worst-case CSP', async () => {
    for (const host of Object.keys(PORTAL_HOSTS)) {
      const res = await get(emulator, host, '/');
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-security-policy'], PORTAL_CSP.self);
      assert.match(res.headers['content-security-policy'], /default-src 'none'.*frame-src 'none'.*script-src 'self'/);
      assert.match(res.body, /<script type="module" src="\/fixture\/portal\.js"><\/script>/);
      assert.match(res.body, /id="mectrl_currentAccount_primary"[^>]*>Adele Vance</);
      assert.match(res.body, /id="mectrl_currentAccount_secondary"[^>]*>adele@contoso\.onmicrosoft\.com</);
      assert.match(res.body, /role="toolbar"/);
      assert.match(res.body, new RegExp(`data-product="${PORTAL_HOSTS[host].product}"`));
    }
    const script = await get(emulator, 'entra.microsoft.com', '/fixture/portal.js');
    assert.equal(script.status, 200);
    assert.match(script.headers['content-type'], /^text\/javascript/);
  });

  test('the strictest variant forbids every script and ships none, and the dark variant paints dark', async () => {
    emulator.services.portal.configure({ scripts: 'none', theme: 'dark' });
    try {
      const res = await get(emulator, 'portal.azure.cn', '/#view/x');
      assert.equal(res.headers['content-security-policy'], PORTAL_CSP.none);
      assert.match(res.headers['content-security-policy'], /script-src 'none'.*require-trusted-types-for 'script'/);
      assert.doesNotMatch(res.body, /<script/);
      assert.match(res.body, /<html lang="en" class="fxs-theme-dark">/);
    } finally {
      emulator.services.portal.reset();
    }
  });

  test('account labels are escaped into the fixture, so hostile names arrive as text', async () => {
    emulator.services.portal.configure({ account: { name: '<img src=x onerror=alert(1)>', upn: 'a"b@contoso.com' } });
    try {
      const res = await get(emulator, 'entra.microsoft.com', '/');
      assert.match(res.body, />&lt;img src=x onerror=alert\(1\)&gt;</);
      assert.match(res.body, />a&quot;b@contoso\.com</);
    } finally {
      emulator.services.portal.reset();
    }
  });

  test('an emulated host without a service answers 421 naming where services are added', async () => {
    const res = await get(emulator, 'graph.microsoft.com', '/v1.0/me');
    assert.equal(res.status, 421);
    assert.match(res.body, /does not serve graph\.microsoft\.com.*SERVICE_FACTORIES in tests\/emulator\/server\.mjs/);
    assert.ok(emulator.requests.some((r) => r.host === 'graph.microsoft.com' && r.path === '/v1.0/me'), 'the request was recorded');
  });

  test('a service added for one test file answers for its hosts', async () => {
    const extra = await startEmulator({ services: [{
      name: 'graph', hosts: ['graph.microsoft.com'],
      handle: (req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}'),
    }] });
    try {
      const res = await get(extra, 'graph.microsoft.com', '/v1.0/identity/conditionalAccess/policies');
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.body), { value: [] });
    } finally {
      await extra.close();
    }
  });

  test('two services claiming one host are refused', async () => {
    const clash = { name: 'second portal', hosts: ['portal.azure.com'], handle: () => {} };
    await assert.rejects(startEmulator({ services: [clash] }), /Two emulator services claim portal\.azure\.com: portal and second portal/);
  });
});
