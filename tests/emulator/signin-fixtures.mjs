// Fixture pages of the Microsoft sign-in hosts (every cloud), for the explainer's end-to-end tests.
//
// No raw HTML capture of the real block page is public, so the pages are built AT TEST TIME from
// the public text captures in ../shared/corpora/block-page-texts.json, in the structure Microsoft's
// converged sign-in page is known to have (a centred 440 px card `#lightbox`, a heading, the body,
// the "Sign out…" and "More details" links, and the troubleshooting container `#debugDetailsBanner`,
// an id seen in public automation code). Served under the same worst-case CSP as the fixture portal,
// with no page script at all.
//
// Plug it in per test file (it claims the sign-in hosts):
//   const emulator = await startEmulator({ services: [createSignInFixtureService()] });
//   page.goto(signInUrl('login.microsoftonline.com', 'block-expanded'));
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIGN_IN_HOSTS } from './hosts.mjs';
import { ROOT } from './paths.mjs';

export const CORPUS = join(ROOT, '..', 'shared', 'corpora', 'block-page-texts.json');

const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; " +
  "frame-src 'none'; child-src 'none'; worker-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'; script-src 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

/** Reads the public block-page captures; fails loudly when the corpus folder is missing. */
export function readBlockPageCorpus() {
  if (!existsSync(CORPUS)) {
    throw new Error(`The block-page corpus is missing at ${CORPUS}: the explainer tests build their sign-in pages ` +
      'from it (../shared/corpora beside the repository).');
  }
  return JSON.parse(readFileSync(CORPUS, 'utf8'));
}

/** The Teams capture split into its parts: account line, heading, body, link, and `label: value` fields. */
export function capturedBlockPage(corpus = readBlockPageCorpus()) {
  const capture = corpus.captures.find((c) => c.id === 'teams-web-53003-text-capture');
  if (!capture) throw new Error(`capture teams-web-53003-text-capture missing from ${CORPUS}`);
  const lines = capture.text.split('\n');
  const more = lines.indexOf('More details');
  const card = lines.slice(0, more);
  const fields = lines.slice(more + 1).filter(Boolean).map((line) => {
    const at = line.indexOf(':');
    return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
  });
  return {
    account: card[0],
    heading: card[1],
    body: card[2],
    signOut: card[3],
    moreDetails: lines[more],
    fields,
    field: (label) => fields.find(([l]) => l === label)?.[1],
  };
}

// German rendering of the same page (the page is localized; the recogniser must not rely on English).
const GERMAN = {
  heading: 'Darauf können Sie zurzeit nicht zugreifen',
  body: 'Ihre Anmeldung war erfolgreich, erfüllt aber nicht die Kriterien für den Zugriff auf diese Ressource. ' +
    'Möglicherweise melden Sie sich über einen Browser, eine App oder einen Standort an, der von Ihrem Administrator ' +
    'eingeschränkt wird.',
  signOut: 'Abmelden und mit einem anderen Konto anmelden',
  moreDetails: 'Weitere Details',
  labels: {
    'Error Code': 'Fehlercode', 'Request Id': 'Anforderungs-ID', 'Correlation Id': 'Korrelations-ID',
    Timestamp: 'Zeitstempel', 'App name': 'App-Name', 'App id': 'App-ID', 'IP address': 'IP-Adresse',
    'Device identifier': 'Gerätebezeichner', 'Device platform': 'Geräteplattform', 'Device state': 'Gerätestatus',
  },
};

const escapeHtml = (text) => String(text).replace(/[&<>"']/g,
  (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** Redacted values in the capture become documentation-safe stand-ins, so fields keep their shapes. */
function displayValue(label, value) {
  if (!value.startsWith('<REDACTED')) return value;
  if (label === 'IP address') return '203.0.113.24';
  return 'Not available';
}

function page({ lang = 'en', title, body }) {
  return `<!doctype html>
<html lang="${lang}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/fixture/signin.css">
</head>
<body class="cb">
<div class="background" role="presentation"></div>
<div id="lightbox" class="inner" role="main">
<div class="logo" role="img" aria-label="Microsoft"></div>
${body}
</div>
<div id="footer" class="footer"><a href="#">Terms of use</a> <a href="#">Privacy &amp; cookies</a></div>
</body>
</html>
`;
}

function blockPage({ expanded, german = false }) {
  const c = capturedBlockPage();
  const t = german ? GERMAN : c;
  const label = (l) => (german ? GERMAN.labels[l] : l);
  const rows = c.fields.map(([l, v]) => `<div class="debug-row"><span class="debug-label">${escapeHtml(label(l))}: </span>` +
    `<span class="debug-value">${escapeHtml(displayValue(l, v))}</span></div>`).join('\n');
  return page({
    lang: german ? 'de' : 'en',
    title: german ? 'Anmelden bei Ihrem Konto' : 'Sign in to your account',
    body: `<div id="displayName" class="identity">${escapeHtml('adele@contoso.com')}</div>
<div id="heading" role="heading" aria-level="1" class="title">${escapeHtml(t.heading)}</div>
<div id="errorText" class="text">${escapeHtml(t.body)}</div>
<div class="links"><a id="signOutLink" href="#">${escapeHtml(t.signOut)}</a></div>
<div class="links"><a id="moreDetailsLink" href="#" aria-expanded="${expanded}">${escapeHtml(t.moreDetails)}</a></div>
<div id="debugDetailsBanner" class="debug-details"${expanded ? '' : ' hidden'}>
<div class="debug-title">${german ? 'Problembehandlungsdetails' : 'Troubleshooting details'}</div>
${rows}
<div class="debug-row">${german ? 'Anmeldefehler zur Überprüfung markieren' : 'Flag sign-in errors for review'}: <a href="#">${german ? 'Markierung aktivieren' : 'Enable flagging'}</a></div>
</div>`,
  });
}

/** A value a careless script reading inputs would take for a block page's details. */
export const PLANTED_INPUT_VALUE = 'AADSTS53003 Error Code: 53003 Correlation Id: 019827f4-372b-7726-8110-db46f130cd8f';

const FIXTURES = {
  'block-expanded': () => blockPage({ expanded: true }),
  'block-collapsed': () => blockPage({ expanded: false }),
  'block-german': () => blockPage({ expanded: true, german: true }),
  // The password step. Its inputs hold text that looks like a block page's details: if the content
  // script ever read input values, it would mount the explainer here.
  password: () => page({
    title: 'Sign in to your account',
    body: `<div id="displayName" class="identity">adele@contoso.com</div>
<div id="loginHeader" role="heading" aria-level="1" class="title">Enter password</div>
<form id="i0281" method="post" action="#">
<input type="hidden" name="ctx" value="${escapeHtml(PLANTED_INPUT_VALUE)}">
<input id="i0118" name="passwd" type="password" aria-label="Password" placeholder="Password" value="${escapeHtml(PLANTED_INPUT_VALUE)}">
<textarea id="notes" aria-label="Notes" hidden>${escapeHtml(PLANTED_INPUT_VALUE)}</textarea>
<div class="links"><a id="idA_PWD_ForgotPassword" href="#">Forgot my password</a></div>
<input type="submit" id="idSIButton9" value="Sign in">
</form>`,
  }),
  // The MFA prompt.
  mfa: () => page({
    title: 'Sign in to your account',
    body: `<div id="displayName" class="identity">adele@contoso.com</div>
<div id="idDiv_SAOTCS_Title" role="heading" aria-level="1" class="title">Verify your identity</div>
<div id="idDiv_SAOTCS_Proofs" class="tiles">
<div class="tile" data-value="PhoneAppNotification">Approve a request on my Microsoft Authenticator app</div>
<div class="tile" data-value="PhoneAppOTP">Use a verification code</div>
<div class="tile" data-value="OneWaySMS">Text +X XXXXXXXX42</div>
</div>
<div class="links"><a href="#">More information</a></div>`,
  }),
  // A wrong password reported on the error page, with its code and ids (not a Conditional Access block).
  'wrong-password': () => page({
    title: 'Sign in to your account',
    body: `<div id="heading" role="heading" aria-level="1" class="title">Sign in</div>
<div id="errorText" class="text">Sorry, but we’re having trouble signing you in.</div>
<div class="text">AADSTS50126: Error validating credentials due to invalid username or password.</div>
<div id="debugDetailsBanner" class="debug-details">
<div class="debug-row">Request Id: 6a1c2e40-5b7d-4f1e-9c3a-2d8e7f6a5b4c</div>
<div class="debug-row">Correlation Id: 0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e</div>
<div class="debug-row">Timestamp: 2026-03-02T08:41:17Z</div>
<div class="debug-row">Message: AADSTS50126: Error validating credentials due to invalid username or password.</div>
</div>`,
  }),
};

export const FIXTURE_NAMES = Object.keys(FIXTURES);

const STYLES = `
html, body { margin: 0; height: 100%; font: 15px/1.4 "Segoe UI", system-ui, sans-serif; color: #1b1b1b; }
.background { position: fixed; inset: 0; background: #e8eef4; z-index: -1; }
#lightbox { box-sizing: border-box; position: relative; width: 440px; max-width: calc(100% - 40px); margin: 120px auto 0;
  padding: 44px; background: #ffffff; box-shadow: 0 2px 6px rgba(0, 0, 0, 0.2); }
.logo { width: 108px; height: 24px; margin-bottom: 16px; background: linear-gradient(90deg, #f25022 0 10px, #7fba00 10px 20px, #00a4ef 20px 30px, #ffb900 30px 40px, transparent 40px); }
.identity { font-size: 15px; margin-bottom: 8px; }
.title { font-size: 24px; font-weight: 600; line-height: 28px; margin-bottom: 16px; }
.text { margin-bottom: 12px; }
.links { margin-bottom: 8px; font-size: 13px; }
a { color: #0067b8; }
.debug-details { margin-top: 16px; font-size: 13px; }
.debug-title { font-weight: 600; margin-bottom: 8px; }
.debug-label { font-weight: 600; }
input[type=password] { display: block; width: 100%; margin: 8px 0 16px; padding: 6px 0; border: 0; border-bottom: 1px solid #666; }
input[type=submit] { float: right; padding: 4px 12px; background: #0067b8; color: #fff; border: 0; }
.tile { padding: 12px 0; border-top: 1px solid #e6e6e6; }
.footer { position: fixed; right: 0; bottom: 0; padding: 8px 12px; font-size: 12px; }
[hidden] { display: none !important; }
`;

/** `https://<host>/common/oauth2/v2.0/authorize?…&rg-fixture=<name>`: a realistic address for a fixture. */
export function signInUrl(host, fixture) {
  return `https://${host}/common/oauth2/v2.0/authorize?client_id=5e3ce6c0-2b1f-4285-8d4b-75ee78787346` +
    `&response_type=code&rg-fixture=${encodeURIComponent(fixture)}`;
}

/** The emulator service for the sign-in hosts, serving the fixtures above. */
export function createSignInFixtureService() {
  return {
    name: 'sign-in-fixtures',
    hosts: SIGN_IN_HOSTS,
    handle(req, res, url) {
      const headers = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
      if (url.pathname === '/fixture/signin.css') {
        res.writeHead(200, { ...headers, 'content-type': 'text/css; charset=utf-8' }).end(STYLES);
        return;
      }
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204, headers).end();
        return;
      }
      const make = FIXTURES[url.searchParams.get('rg-fixture')];
      if (!make) {
        res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' })
          .end(`No sign-in fixture named ${url.searchParams.get('rg-fixture')}: use one of ${FIXTURE_NAMES.join(', ')}`);
        return;
      }
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'x-frame-options': 'DENY' });
      res.end(make());
    },
  };
}
