// The simulated Entra tenant of the emulator: the Rust model (src/sim) loaded from the demo
// site's wasm (built with the `demo` feature, which adds src/web/sim_bridge.rs; the extension's
// wasm ships without the simulation), wrapped for tests. The emulator's Microsoft cloud service
// asks it for every answer; tests script it (faults, consent, sessions) and read it back
// (policies, named locations, the exact requests received).
//
//   const tenant = createTenant({ extensionApp: { redirectUri: 'https://<id>.chromiumapp.org/' } });
//   tenant.update((s) => { s.consents = []; });   // revoke admin consent (any state edit works)
//   tenant.addGraphFault('POST', '/identity/conditionalAccess/policies', { kind: 'resetAfterCommit' });
//   … drive the extension …
//   assert.equal(tenant.policies().length, 4);
//   assert.equal(tenant.jsonBodies('POST', '/v1.0/identity/conditionalAccess/policies')[0].state, 'enabledForReportingButNotEnforced');
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WWW_DIR } from '../../scripts/build.mjs';

export const WASM_GLUE = join(WWW_DIR, 'wasm', 'registration_guard.js');
export const WASM_BINARY = join(WWW_DIR, 'wasm', 'registration_guard_bg.wasm');

// Loaded once per process; a missing build is reported when a tenant is first needed, so merely
// importing this file never fails.
const glue = existsSync(WASM_GLUE) && existsSync(WASM_BINARY) ? await import(pathToFileURL(WASM_GLUE).href) : null;
let SimulatedTenant;

function simulation() {
  if (SimulatedTenant) return SimulatedTenant;
  if (!glue) {
    throw new Error(`The simulated tenant needs the built wasm (${WASM_BINARY} and its glue): run \`npm run build\` first.`);
  }
  glue.initSync({ module: readFileSync(WASM_BINARY) });
  if (typeof glue.SimulatedTenant !== 'function') {
    throw new Error(`The built wasm (${WASM_BINARY}) has no SimulatedTenant (src/web/sim_bridge.rs): ` +
      'it was built without the `demo` feature or before the simulated tenant existed; run `npm run build` again.');
  }
  ({ SimulatedTenant } = glue);
  return SimulatedTenant;
}

/** The service a fault rule watches: Graph paths are matched without `/v1.0` or `/beta`. */
const FAULT_SERVICES = ['Graph', 'Login'];

/**
 * A simulated tenant with a log of every request it answered. `options` are the scenario
 * options of `SimulatedTenant.from_options` (src/web/sim_bridge.rs): `scenario`
 * ('contosoDemo' | 'usGovernmentDemo'), `securityDefaults`, `withoutPremiumLicence`,
 * `withoutTrustedLocations`, `registrationPolicy` (a policy state), `adminLackingRole`,
 * `extensionApp: {redirectUri, consented = true, platform = 'spa' | 'web'}`.
 */
export function createTenant(options = {}) {
  return new EmulatedTenant(options);
}

export class EmulatedTenant {
  #sim;

  constructor(options = {}) {
    /**
     * Every request answered, oldest first: `{method, host, pathAndQuery, headers: [[name, value]],
     * body (string or null), status, transport ('normal' | 'reset' | 'truncateAfter'), delayMs}`.
     */
    this.requests = [];
    this.reset(options);
  }

  /** Starts over from a scenario (see `createTenant`) and clears the request log. */
  reset(options = {}) {
    const next = simulation().from_options(JSON.stringify(options));
    this.#sim?.free();
    this.#sim = next;
    this.requests.length = 0;
  }

  /**
   * Answers one request (`{method, host, pathAndQuery, headers, body}`) with the model's
   * response object `{status, headers, body, delayMs, transport}`, and logs it.
   */
  handle(request, now = Date.now()) {
    const answer = JSON.parse(this.#sim.handle(JSON.stringify(request), now));
    this.requests.push({
      method: request.method,
      host: request.host,
      pathAndQuery: request.pathAndQuery,
      headers: request.headers ?? [],
      body: request.body ?? null,
      status: answer.status,
      transport: answer.transport.kind,
      delayMs: answer.delayMs,
    });
    return answer;
  }

  /** The whole state of the model as a plain object (camelCase, as src/sim serializes it). */
  state() {
    return JSON.parse(this.#sim.state_json());
  }

  /**
   * Changes the state: `change(state)` edits the object in place (or returns a new one), and the
   * model continues from it, issued codes and tokens included. E.g.
   * `tenant.update((s) => { s.consentAnswer = 'Decline'; })`.
   */
  update(change) {
    const state = this.state();
    const next = simulation().from_state_json(JSON.stringify(change(state) ?? state));
    this.#sim.free();
    this.#sim = next;
  }

  /** What the extension's preflight should read (the engine's TenantSnapshot). */
  snapshot() {
    return JSON.parse(this.#sim.snapshot_json());
  }

  /** The Conditional Access policies as Graph would return them. */
  policies() {
    return this.state().policies;
  }

  /** The named locations as Graph would return them. */
  namedLocations() {
    return this.state().namedLocations;
  }

  /**
   * Queues a fault. `fault` is `{kind, …}`: throttle {retryAfterS}, serviceUnavailable
   * {retryAfterS}, gatewayTimeout {afterCommit}, internalError, slow {ms}, resetBeforeCommit,
   * resetAfterCommit, malformedJson, truncatedBody, tokenExpired. `occurrence` 1 = the next
   * matching request; `times` = how many in a row.
   */
  addFault({ service = 'Graph', method = '*', path, fault, occurrence = 1, times = 1 }) {
    if (!FAULT_SERVICES.includes(service)) {
      throw new Error(`A fault's service is ${FAULT_SERVICES.join(' or ')}, not ${JSON.stringify(service)}.`);
    }
    const rule = { service, method: method === '*' ? null : method.toUpperCase(), path, occurrence, times, fault };
    this.#sim.add_fault(JSON.stringify(rule));
  }

  /** A fault on Graph; `path` without the version, e.g. `/identity/conditionalAccess/policies`. */
  addGraphFault(method, path, fault, { occurrence = 1, times = 1 } = {}) {
    this.addFault({ service: 'Graph', method, path, fault, occurrence, times });
  }

  /** A fault on the sign-in service; `path` whole, e.g. `/organizations/oauth2/v2.0/token` (`*` = any one segment). */
  addLoginFault(method, path, fault, { occurrence = 1, times = 1 } = {}) {
    this.addFault({ service: 'Login', method, path, fault, occurrence, times });
  }

  /** Opens a browser session for a user (id or UPN): `prompt=none` then succeeds for them. */
  signInBrowser(user) {
    this.#sim.sign_in_browser(user);
  }

  /** Ends every browser session. */
  signOutBrowsers() {
    this.#sim.sign_out_browsers();
  }

  /** A Graph access token for the signed-in administrator, minted without a browser. */
  issueAdminToken(scopes, now = Date.now()) {
    return this.#sim.issue_access_token_for_admin(JSON.stringify(scopes), now);
  }

  /** The logged requests with this method whose path (query ignored, case-insensitive) is `path`. */
  requestsTo(method, path) {
    const want = path.toLowerCase();
    return this.requests.filter((r) => r.method === method && r.pathAndQuery.split('?')[0].toLowerCase() === want);
  }

  /** The JSON bodies received by `method path`, parsed, oldest first. */
  jsonBodies(method, path) {
    return this.requestsTo(method, path).map((r) => JSON.parse(r.body));
  }
}
