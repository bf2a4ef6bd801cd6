// Permissions audit of the BUILT extension (dist/chromium/manifest.json, what a browser loads):
// every permission and host permission is on an allow-list with the reason it is needed, so
// any addition fails here until someone writes down why; the extension pages' CSP is exactly
// the one wasm needs; content scripts and web-accessible pages reach only the hosts that need
// them, over https; no other extension or web page may message the extension.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION, builtManifest } from './built.mjs';

// API permissions, each with why the extension cannot do without it.
const PERMISSIONS = {
  storage: 'remembers per admin whether the panel was collapsed (chrome.storage.local) and keeps worker state across restarts',
  identity: 'the extension\'s own sign-in (authorization code + PKCE) through chrome.identity.launchWebAuthFlow',
};

// Host permissions (cross-origin fetch from the worker, and nothing else).
const HOST_PERMISSIONS = {
  'https://graph.microsoft.com/*': 'Microsoft Graph (Global): the preflight read and the policy write, from the worker',
  'https://graph.microsoft.us/*': 'Microsoft Graph (US Government)',
  'https://microsoftgraph.chinacloudapi.cn/*': 'Microsoft Graph (China)',
  'https://login.microsoftonline.com/*': 'token endpoint (Global): redeeming the sign-in code and refreshing, from the worker',
  'https://login.microsoftonline.us/*': 'token endpoint (US Government)',
  'https://login.chinacloudapi.cn/*': 'token endpoint (China)',
};

// Portals where the panel runs (the hosts context::parse_portal_url recognises as current).
const PORTAL_HOSTS = {
  'entra.microsoft.com': 'Microsoft Entra admin center (Global)',
  'entra.microsoft.us': 'Microsoft Entra admin center (US Government)',
  'portal.azure.com': 'Azure portal (Global)',
  'portal.azure.us': 'Azure portal (US Government)',
  'portal.azure.cn': 'Azure portal (China, operated by 21Vianet)',
  'ms.portal.azure.com': 'Azure portal, Microsoft-tenant view',
  'preview.portal.azure.com': 'Azure portal preview build',
  'intune.microsoft.com': 'Intune admin center (opens the same Conditional Access blades)',
  'intune.microsoft.us': 'Intune admin center (US Government)',
};

// Sign-in hosts that show the Conditional Access block page (Cloud::from_sign_in_host).
const SIGN_IN_HOSTS = {
  'login.microsoftonline.com': 'Global sign-in',
  'login.microsoft.com': 'Global sign-in (alternate host)',
  'login.windows.net': 'Global sign-in (legacy host)',
  'login.microsoftonline.us': 'US Government sign-in',
  'login.partner.microsoftonline.cn': 'China sign-in',
  'login.chinacloudapi.cn': 'China sign-in (legacy host)',
};

// Content scripts by file, with the hosts each may run on.
const CONTENT_SCRIPTS = {
  'content/portal.js': { hosts: PORTAL_HOSTS, why: 'reads page facts and mounts the panel frame on the portals' },
  'content/signin.js': { hosts: SIGN_IN_HOSTS, why: 'reads the block page text and mounts the explainer frame' },
};

// Web-accessible resources: each page a content script frames, reachable only from its hosts.
const WEB_ACCESSIBLE = {
  'panel.html': { hosts: PORTAL_HOSTS, why: 'the panel frame the portal content script mounts' },
  'explainer.html': { hosts: SIGN_IN_HOSTS, why: 'the block-page explainer frame the sign-in content script mounts' },
};

const EXTENSION_PAGES_CSP = "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'";

/** `https://<host>/*` → host, or null for any other form (http, wildcards, paths, <all_urls>). */
function exactHttpsHost(pattern) {
  const m = /^https:\/\/([a-z0-9.-]+)\/\*$/.exec(pattern);
  return m ? m[1] : null;
}

function assertHostsOnly(patterns, allowed, what) {
  assert.ok(Array.isArray(patterns) && patterns.length > 0, `${what} has no matches`);
  for (const pattern of patterns) {
    const host = exactHttpsHost(pattern);
    assert.ok(host, `${what} matches ${pattern}: only https://<exact host>/* is allowed (no http, wildcards or <all_urls>)`);
    assert.ok(Object.hasOwn(allowed, host), `${what} matches ${host}, which is not one of the hosts it needs: ${Object.keys(allowed).join(', ')}`);
  }
}

// Each rule takes a manifest and throws (an AssertionError saying what is wrong) when it breaks.
const RULES = {
  'permissions are exactly the allow-listed ones': (m) => {
    assert.deepEqual([...(m.permissions ?? [])].sort(), Object.keys(PERMISSIONS).sort(),
      'a permission was added or removed: update PERMISSIONS in tests/audit/manifest.test.mjs with the reason');
    assert.deepEqual(m.optional_permissions ?? [], [], 'optional permissions are not allow-listed');
  },

  'host permissions are exactly the allow-listed ones': (m) => {
    assert.deepEqual([...(m.host_permissions ?? [])].sort(), Object.keys(HOST_PERMISSIONS).sort(),
      'a host permission was added or removed: update HOST_PERMISSIONS in tests/audit/manifest.test.mjs with the reason');
    assert.deepEqual(m.optional_host_permissions ?? [], [], 'optional host permissions are not allow-listed');
  },

  'extension pages run under exactly the CSP that wasm needs and nothing looser': (m) => {
    assert.deepEqual(m.content_security_policy, { extension_pages: EXTENSION_PAGES_CSP });
  },

  'content scripts run only on the hosts that need them, over https, in the isolated world': (m) => {
    assert.ok(Array.isArray(m.content_scripts) && m.content_scripts.length > 0, 'the portal content script is missing');
    for (const [i, script] of m.content_scripts.entries()) {
      assert.deepEqual(script.css ?? [], [], `content_scripts[${i}] injects CSS into the host page`);
      assert.ok(Array.isArray(script.js) && script.js.length === 1, `content_scripts[${i}] should load exactly one script`);
      const [file] = script.js;
      assert.ok(Object.hasOwn(CONTENT_SCRIPTS, file), `content script ${file} is not allow-listed in CONTENT_SCRIPTS`);
      assert.ok(existsSync(join(EXTENSION, file)), `content script ${file} is listed but not shipped`);
      assertHostsOnly(script.matches, CONTENT_SCRIPTS[file].hosts, `content script ${file}`);
      for (const key of ['include_globs', 'exclude_globs', 'exclude_matches']) {
        assert.equal(script[key], undefined, `content script ${file} sets ${key}, which widens or blurs where it runs`);
      }
      // The MAIN world would share the page's JavaScript: page scripts could call into it.
      assert.notEqual(script.world, 'MAIN', `content script ${file} runs in the page's MAIN world`);
      assert.notEqual(script.match_about_blank, true, `content script ${file} also runs in about:blank frames`);
      assert.notEqual(script.match_origin_as_fallback, true, `content script ${file} also runs in opaque-origin frames`);
    }
  },

  'web-accessible resources are the framed pages only, each reachable from its own hosts only': (m) => {
    const entries = m.web_accessible_resources ?? [];
    assert.ok(entries.length > 0, 'panel.html is not web-accessible, so the portal could not frame the panel');
    for (const [i, entry] of entries.entries()) {
      assert.equal(entry.extension_ids, undefined, `web_accessible_resources[${i}] opens resources to other extensions`);
      for (const resource of entry.resources) {
        assert.ok(Object.hasOwn(WEB_ACCESSIBLE, resource),
          `${resource} is web-accessible but not allow-listed in WEB_ACCESSIBLE (no wildcards: every exposed file is named)`);
        assert.ok(existsSync(join(EXTENSION, resource)), `${resource} is web-accessible but not shipped`);
        assertHostsOnly(entry.matches, WEB_ACCESSIBLE[resource].hosts, `web-accessible ${resource}`);
      }
    }
    const exposed = entries.flatMap((e) => e.resources);
    assert.ok(exposed.includes('panel.html'), 'panel.html must be web-accessible for the portal content script');
    assert.equal(new Set(exposed).size, exposed.length, 'a resource is listed twice: one entry per page keeps its hosts clear');
  },

  'no web page or other extension can message the extension': (m) => {
    assert.equal(m.externally_connectable, undefined, 'externally_connectable lets pages or extensions send messages');
  },

  'the background is a module service worker and nothing unneeded is declared': (m) => {
    assert.equal(m.manifest_version, 3);
    assert.equal(m.background?.type, 'module');
    assert.ok(existsSync(join(EXTENSION, m.background.service_worker)), 'the service worker file is not shipped');
    for (const key of ['update_url', 'sandbox', 'chrome_url_overrides', 'devtools_page', 'oauth2']) {
      assert.equal(m[key], undefined, `the manifest sets ${key}, which this extension has no use for`);
    }
  },
};

for (const [name, rule] of Object.entries(RULES)) {
  test(`built manifest: ${name}`, () => rule(builtManifest()));
}

// The audit has teeth: each widening an extension commonly slips into is caught by a rule.
const WIDENINGS = {
  'a new API permission': (m) => m.permissions.push('tabs'),
  'a host permission for every site': (m) => { m.host_permissions = ['https://*/*']; },
  'an optional permission': (m) => { m.optional_permissions = ['scripting']; },
  "'unsafe-eval' in the CSP": (m) => { m.content_security_policy.extension_pages = "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'; object-src 'self'"; },
  'a remote script host in the CSP': (m) => { m.content_security_policy.extension_pages = "script-src 'self' 'wasm-unsafe-eval' https://cdn.example; object-src 'self'"; },
  'a sandbox CSP': (m) => { m.content_security_policy.sandbox = "sandbox allow-scripts; script-src 'self' 'unsafe-eval'"; },
  'the content script over http': (m) => { m.content_scripts[0].matches.push('http://entra.microsoft.com/*'); },
  'the content script on every subdomain': (m) => { m.content_scripts[0].matches.push('https://*.microsoft.com/*'); },
  'the content script on all URLs': (m) => { m.content_scripts[0].matches = ['<all_urls>']; },
  'the content script in the MAIN world': (m) => { m.content_scripts[0].world = 'MAIN'; },
  'an unknown content script': (m) => { m.content_scripts.push({ matches: ['https://entra.microsoft.com/*'], js: ['content/extra.js'] }); },
  'the panel reachable from the sign-in page': (m) => { m.web_accessible_resources[0].matches.push('https://login.microsoftonline.com/*'); },
  'the panel reachable from any site': (m) => { m.web_accessible_resources[0].matches = ['<all_urls>']; },
  'a wildcard web-accessible resource': (m) => { m.web_accessible_resources[0].resources.push('wasm/*'); },
  'the glue web-accessible': (m) => { m.web_accessible_resources[0].resources.push('wasm/registration_guard.js'); },
  'resources open to other extensions': (m) => { m.web_accessible_resources[0].extension_ids = ['*']; },
  'externally_connectable for a site': (m) => { m.externally_connectable = { matches: ['https://entra.microsoft.com/*'] }; },
};

test('the manifest audit rejects every common widening', () => {
  const failing = (mutate) => {
    const m = structuredClone(builtManifest());
    mutate(m);
    return Object.entries(RULES).filter(([, rule]) => {
      try { rule(m); return false; } catch (e) { if (e instanceof assert.AssertionError) return true; throw e; }
    }).map(([name]) => name);
  };
  for (const [widening, mutate] of Object.entries(WIDENINGS)) {
    assert.ok(failing(mutate).length > 0, `no audit rule catches ${widening}`);
  }
  assert.deepEqual(failing(() => {}), [], 'the unchanged manifest passes every rule');
});
