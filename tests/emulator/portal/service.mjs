// Fixture Entra admin center / Azure portal: an SPA shell with the parts the extension meets
// on the real portal (top bar with the MeControl account labels, blade title, command bar,
// left navigation, content), served under a worst-case Content Security Policy.
//
// Variants are server state, set per test with `configure()`, so page addresses stay exactly
// the real portal's (the extension reads them):
// - theme: 'light' | 'dark' (the portal's own appearance setting, painted on the page; the top
//   bar's "Dark theme" button switches it live, as the portal's appearance settings do);
// - scripts: 'self' (the fixture's router runs, CSP script-src 'self') or 'none' (script-src
//   'none' plus Trusted Types: a static page, the strictest policy a page can send);
// - account: {name, upn} shown in the MeControl; directory: the directory name under it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PORTAL_HOSTS } from '../hosts.mjs';
import { NAV, viewFor } from './routes.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ASSETS = {
  '/fixture/portal.js': 'text/javascript; charset=utf-8',
  '/fixture/routes.mjs': 'text/javascript; charset=utf-8',
  '/fixture/portal.css': 'text/css; charset=utf-8',
};

const CSP_COMMON = "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; " +
  "frame-src 'none'; child-src 'none'; worker-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'";

/** The Content-Security-Policy header for a `scripts` setting. */
export const PORTAL_CSP = {
  self: `${CSP_COMMON}; script-src 'self'`,
  none: `${CSP_COMMON}; script-src 'none'; require-trusted-types-for 'script'; trusted-types 'none'`,
};

export const DEFAULT_PORTAL_SETTINGS = Object.freeze({
  theme: 'light',
  scripts: 'self',
  account: Object.freeze({ name: 'Adele Vance', upn: 'adele@contoso.onmicrosoft.com' }),
  directory: 'CONTOSO',
});

const escapeHtml = (text) => String(text).replace(/[&<>"']/g,
  (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** The page a portal host returns for any address: the router picks the blade from the fragment. */
export function renderShell(host, settings) {
  const { product } = PORTAL_HOSTS[host];
  // The server cannot see the fragment: it renders the policies blade, which a static page keeps.
  const view = viewFor('view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies');
  const nav = NAV.map((group) => `<div class="fxs-nav-group"><h2>${escapeHtml(group.section)}</h2>${group.items
    .map((item) => `<a data-route="${escapeHtml(item.route)}" href="#${escapeHtml(item.route)}">${escapeHtml(item.label)}</a>`)
    .join('')}</div>`).join('');
  const script = settings.scripts === 'self' ? '<script type="module" src="/fixture/portal.js"></script>' : '';
  return `<!doctype html>
<html lang="en" class="fxs-theme-${escapeHtml(settings.theme)}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(`${view.title} - ${product}`)}</title>
<link rel="stylesheet" href="/fixture/portal.css">
${script}
</head>
<body class="fxs-portal" data-product="${escapeHtml(product)}">
<header class="fxs-topbar" id="fxs-topbar" role="banner">
  <a class="fxs-topbar-home" href="#home">${escapeHtml(product)}</a>
  <input class="fxs-topbar-search" type="search" aria-label="Search resources, services, and docs" placeholder="Search resources, services, and docs (G+/)">
  <button type="button" class="fxs-topbar-button" id="fxs-theme-toggle" aria-pressed="${settings.theme === 'dark'}">Dark theme</button>
  <div id="mectrl_main_trigger" class="mectrl_trigger" role="button" tabindex="0" aria-label="Account manager for ${escapeHtml(settings.account.name)}">
    <div id="mectrl_currentAccount_primary" class="mectrl_name">${escapeHtml(settings.account.name)}</div>
    <div id="mectrl_currentAccount_secondary" class="mectrl_accountDetails">${escapeHtml(settings.account.upn)}</div>
    <div class="fxs-directory">${escapeHtml(settings.directory)}</div>
  </div>
</header>
<div class="fxs-body">
  <nav id="fxs-sidebar" class="fxs-sidebar" aria-label="Main menu">${nav}</nav>
  <main class="fxs-blade" id="fxs-blade">
    <div class="fxs-blade-header"><h1 id="fxs-blade-title">${escapeHtml(view.heading)}</h1></div>
    <div id="fxs-commandbar" class="fxs-commandbar" role="toolbar" aria-label="Commands">${view.commands
    .map((label) => `<button type="button" class="fxs-command">${escapeHtml(label)}</button>`).join('')}</div>
    <section id="fxs-blade-content" class="fxs-blade-content"><table class="fxs-grid"><thead><tr>${view.content.columns
    .map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${view.content.rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table></section>
  </main>
</div>
</body>
</html>
`;
}

/** A fresh portal service; `configure()` changes the variant for the pages served next. */
export function createPortalService() {
  let settings = { ...DEFAULT_PORTAL_SETTINGS };
  return {
    name: 'portal',
    hosts: Object.keys(PORTAL_HOSTS),
    get settings() { return settings; },
    configure(changes) {
      const next = { ...settings, ...changes };
      if (!['light', 'dark'].includes(next.theme)) throw new Error(`theme must be 'light' or 'dark', not ${next.theme}`);
      if (!(next.scripts in PORTAL_CSP)) throw new Error(`scripts must be 'self' or 'none', not ${next.scripts}`);
      settings = next;
    },
    reset() { settings = { ...DEFAULT_PORTAL_SETTINGS }; },
    handle(req, res, url) {
      const headers = { 'content-security-policy': PORTAL_CSP[settings.scripts], 'x-content-type-options': 'nosniff',
        'cache-control': 'no-store' };
      if (ASSETS[url.pathname]) {
        res.writeHead(200, { ...headers, 'content-type': ASSETS[url.pathname] });
        res.end(readFileSync(join(HERE, url.pathname.slice('/fixture/'.length))));
      } else if (url.pathname === '/favicon.ico') {
        res.writeHead(204, headers).end();
      } else if (url.pathname.startsWith('/fixture/')) {
        res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      } else {
        res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'x-frame-options': 'DENY' });
        res.end(renderShell(url.hostname, settings));
      }
    },
  };
}
