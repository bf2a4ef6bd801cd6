// The local HTTPS emulator of the Microsoft hosts. Tests start and stop it themselves:
//
//   const emulator = await startEmulator();
//   … browse https://entra.microsoft.com/#view/… through tests/e2e/browser.mjs …
//   await emulator.close();
//
// Requests are routed by their Host header to *services*. A service is a plain object
// `{ name, hosts, handle(req, res, url) }` made by a factory, so each emulator owns fresh state.
// Adding the sign-in or Graph emulation means writing `login.mjs` / `graph.mjs` beside
// `portal/service.mjs` and listing its factory in SERVICE_FACTORIES below (or passing it in
// `startEmulator({services})` for one test file).
import { createServer } from 'node:https';
import { ensureCertificate } from './certificate.mjs';
import { ALL_HOSTS } from './hosts.mjs';
import { createPortalService } from './portal/service.mjs';

/** The services every emulator runs. */
export const SERVICE_FACTORIES = [createPortalService];

/**
 * Starts the emulator on 127.0.0.1 (a free port) and resolves with
 * `{port, hosts, services, requests, close}`:
 * - `hosts`: every host the browser must resolve to it (served or not, so nothing leaks out);
 * - `services`: the running services by name, e.g. `services.portal.configure({theme: 'dark'})`;
 * - `requests`: every request seen, `{method, host, path}`, for tests that assert traffic;
 * - `close()`: stops listening and drops open connections.
 */
export async function startEmulator({ services: extra = [] } = {}) {
  const services = [...SERVICE_FACTORIES.map((make) => make()), ...extra];
  const byHost = new Map();
  for (const service of services) {
    for (const host of service.hosts) {
      if (byHost.has(host)) throw new Error(`Two emulator services claim ${host}: ${byHost.get(host).name} and ${service.name}`);
      byHost.set(host, service);
    }
  }
  const hosts = [...new Set([...ALL_HOSTS, ...byHost.keys()])];
  const requests = [];

  const server = createServer(ensureCertificate(hosts), async (req, res) => {
    const host = (req.headers.host || '').replace(/:\d+$/, '').toLowerCase();
    const url = new URL(req.url, `https://${host || 'unknown.invalid'}`);
    requests.push({ method: req.method, host, path: url.pathname + url.search });
    const service = byHost.get(host);
    if (!service) {
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`The test emulator does not serve ${host || 'requests without a Host header'}: ` +
        'add a service for it to SERVICE_FACTORIES in tests/emulator/server.mjs');
      return;
    }
    try {
      await service.handle(req, res, url);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`The ${service.name} emulator failed on ${req.method} ${url.pathname}: ${e.stack || e}`);
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.address().port;
  return {
    port,
    hosts,
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    requests,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
