// The emulator's Microsoft cloud: the sign-in hosts (login.microsoftonline.com, .us, China) and
// the Graph hosts (graph.microsoft.com, .us, China) answered by ONE simulated tenant (src/sim,
// through the built wasm), so the production extension signs in and calls Graph unchanged.
//
// Each HTTPS request becomes the model's request (method, host, path and query exactly as sent,
// every header as received — Origin and Authorization included — and the body); the model's
// answer is acted out as the real hosts would fail: a delay, a reset connection, or a body cut
// short under its full Content-Length.
//
// Every answer closes its connection (`Connection: close`), so each request arrives on a fresh
// one. Real Graph speaks HTTP/2, where a reset stream reaches the caller's fetch as a network
// error. Over HTTP/1.1 keep-alive, Chromium instead silently resends a request whose REUSED
// socket drops before any answer byte (it takes it for a stale idle socket): a 'reset' fault
// would be hidden from the extension and a reset POST sent twice. Fresh connections keep the
// faults meaning what they say.
//
//   const emulator = await startMicrosoftCloud({ extensionApp: { redirectUri } });
//   emulator.tenant.addGraphFault('GET', '/identity/conditionalAccess/policies', { kind: 'throttle', retryAfterS: 7 });
//   … browser or https requests …
//   await emulator.close();
//
// It claims the sign-in hosts, so it cannot run beside the block-page fixtures
// (signin-fixtures.mjs) in one emulator: a test file uses one or the other.
import { GRAPH_HOSTS, SIGN_IN_HOSTS } from './hosts.mjs';
import { startEmulator } from './server.mjs';
import { createTenant } from './tenant.mjs';

/** The hosts the simulated tenant answers. */
export const MICROSOFT_CLOUD_HOSTS = [...SIGN_IN_HOSTS, ...GRAPH_HOSTS];

/**
 * The emulator service answering the sign-in and Graph hosts from `tenant` (an EmulatedTenant of
 * tenant.mjs). Plug it into `startEmulator({services: [createMicrosoftCloudService(tenant)]})`.
 */
export function createMicrosoftCloudService(tenant) {
  return {
    name: 'microsoft-cloud',
    hosts: MICROSOFT_CLOUD_HOSTS,
    tenant,
    async handle(req, res, url) {
      const body = await readBody(req);
      const answer = tenant.handle({
        method: req.method,
        host: url.hostname,
        pathAndQuery: req.url,
        headers: headerPairs(req.rawHeaders),
        body: body.length > 0 ? body.toString('utf8') : null,
      });
      if (answer.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      actOut(answer, req, res);
    },
  };
}

/**
 * Starts an emulator whose sign-in and Graph hosts are the simulated tenant built from `options`
 * (scenario options, see tenant.mjs) and resolves with startEmulator's handle plus `tenant`.
 * `services` adds more services (e.g. none needed for the portal, which every emulator runs).
 */
export async function startMicrosoftCloud(options = {}, { services = [] } = {}) {
  const tenant = createTenant(options);
  const emulator = await startEmulator({ services: [createMicrosoftCloudService(tenant), ...services] });
  return Object.assign(emulator, { tenant });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Node's flat `rawHeaders` as `[name, value]` pairs, names in the case the client sent. */
function headerPairs(raw) {
  const pairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  return pairs;
}

/** Sends the model's answer the way its `transport` says. */
function actOut(answer, req, res) {
  const { transport } = answer;
  if (!['normal', 'reset', 'truncateAfter'].includes(transport.kind)) {
    throw new Error(`The simulated tenant asked for an unknown transport ${JSON.stringify(transport)}.`);
  }
  if (transport.kind === 'reset') {
    // The request took effect (or not) inside the model; the client only sees the connection drop.
    req.socket.destroy();
    return;
  }
  const body = Buffer.from(answer.body, 'utf8');
  const headers = {};
  for (const [name, value] of answer.headers) {
    const key = name.toLowerCase();
    headers[key] = key in headers ? [].concat(headers[key], value) : value;
  }
  headers['content-length'] = String(body.length);
  headers.connection = 'close';
  res.writeHead(answer.status, headers);
  if (transport.kind === 'truncateAfter') {
    // Full Content-Length, part of the body, then the connection drops: the client must notice
    // the body is incomplete rather than parse what arrived.
    res.write(body.subarray(0, Math.min(transport.bytes, body.length)), () => req.socket.destroy());
    return;
  }
  res.end(body);
}
