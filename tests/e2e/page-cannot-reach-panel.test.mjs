// Page scripts run in the portal's origin; nothing they do may read, script or steer the panel
// (it will one day hold a button that writes a tenant-wide policy). Every probe below runs in the
// page's main world, exactly where a hostile or buggy portal script would.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  countPanelHosts, expectPanel, panelBox, panelFrames, portalUrl, readPanel, ROUTES, SUITE_TIMEOUT, TENANT, useBrowserSession,
} from './panel.mjs';

const SUMMARY = `Conditional Access › Policies · ${TENANT} · Global cloud`;
// Well-formed page facts (the shape the content script sends over its private port) that
// claim another cloud, another blade, a dark page and a different account.
const FORGED_FACTS = {
  url: 'https://portal.azure.cn/#@evil.partner.onmschina.cn/view/Microsoft_AAD_IAM/GroupsManagementMenuBlade/~/AllGroups',
  title: 'Groups - Microsoft Azure', lang: 'en', bodyBackground: 'rgb(0, 0, 0)', rootBackground: 'rgb(0, 0, 0)',
  prefersDark: true, account: { meControlName: 'Mallory' }, viewport: { width: 1366, height: 800 },
};
const GUESSED_TOKEN = '0123456789abcdef0123456789abcdef';

describe('page scripts cannot read or script the panel', { timeout: SUITE_TIMEOUT }, () => {
  const session = useBrowserSession();

  test('the host element exposes no shadow root and no frame to the page', async () => {
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      await expectPanel(page, session.extensionId, { mode: 'full', summary: SUMMARY });
      const seen = await page.evaluate(() => {
        const host = document.querySelector('registration-guard-panel');
        const frameDocuments = [];
        for (let i = 0; i < window.length; i += 1) {
          try {
            frameDocuments.push(String(window.frames[i].document?.URL));
          } catch (e) {
            frameDocuments.push(`blocked: ${e.name}`);
          }
        }
        return {
          hosts: document.querySelectorAll('registration-guard-panel').length,
          shadowRoot: host.shadowRoot === null ? null : 'open',
          iframesInDocument: [...document.querySelectorAll('iframe')].map((f) => f.src),
          frameDocuments,
        };
      });
      assert.equal(seen.hosts, 1);
      assert.equal(seen.shadowRoot, null, 'the panel host has an open shadow root');
      assert.deepEqual(seen.iframesInDocument, [], 'the page can find the panel iframe');
      for (const entry of seen.frameDocuments) assert.match(entry, /^blocked: /, `a page script read a frame: ${entry}`);
    } finally {
      await page.close();
    }
  });

  test('even holding the iframe element, a page script cannot read or script the frame', async () => {
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      const frame = await expectPanel(page, session.extensionId, { mode: 'full' });
      // Hands the element to the main world as if the closed shadow root had leaked it.
      const element = await frame.frameElement();
      const seen = await page.evaluate((iframe) => {
        const probe = (read) => { try { return `read: ${read()}`; } catch (e) { return `blocked: ${e.name}`; } };
        return {
          contentDocument: iframe.contentDocument === null ? null : 'readable',
          document: probe(() => iframe.contentWindow.document.URL),
          body: probe(() => iframe.contentWindow.document.body.innerHTML),
          location: probe(() => iframe.contentWindow.location.href),
          click: probe(() => iframe.contentWindow.document.querySelector('button').click()),
        };
      }, element);
      await element.dispose();
      assert.equal(seen.contentDocument, null);
      assert.match(seen.document, /^blocked: SecurityError/);
      assert.match(seen.body, /^blocked: SecurityError/);
      assert.match(seen.location, /^blocked: SecurityError/);
      assert.match(seen.click, /^blocked: SecurityError/);
    } finally {
      await page.close();
    }
  });

  test('forged connect and facts messages change nothing in the panel', async () => {
    const page = await session.context.newPage();
    try {
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      const frame = await expectPanel(page, session.extensionId, { mode: 'full', summary: SUMMARY });
      const before = await readPanel(frame);
      const element = await frame.frameElement();
      const boxBefore = await panelBox(frame);
      await page.evaluate(({ iframe, facts, token }) => {
        // A handshake with a guessed token and the attacker's own port, then facts through it.
        const channel = new MessageChannel();
        iframe.contentWindow.postMessage({ type: 'rg-connect', token }, '*', [channel.port2]);
        channel.port1.postMessage({ type: 'facts', facts });
        // Facts and layout orders posted straight at the frame and at the page's own window,
        // where a careless content script might listen.
        iframe.contentWindow.postMessage({ type: 'facts', facts }, '*');
        for (const message of [{ type: 'facts', facts }, { type: 'page-facts-request' },
          { type: 'layout', mode: 'full', width: 1366, height: 800, right: 0, bottom: 0 }]) {
          window.postMessage(message, '*');
          window.postMessage(JSON.stringify(message), '*');
        }
      }, { iframe: element, facts: FORGED_FACTS, token: GUESSED_TOKEN });
      await element.dispose();
      // An absence cannot be waited for: give the extension time to (wrongly) react, then look.
      await page.waitForTimeout(1_000);
      const frames = panelFrames(page, session.extensionId);
      assert.equal(frames.length, 1);
      assert.deepEqual(await readPanel(frames[0]), before);
      assert.deepEqual(await panelBox(frames[0]), boxBefore, 'a forged layout message moved or resized the panel');
    } finally {
      await page.close();
    }
  });

  test('a page that patches attachShadow does not capture the panel shadow root', async () => {
    const page = await session.context.newPage();
    try {
      await page.addInitScript(() => {
        const attachShadow = Element.prototype.attachShadow;
        window.capturedShadowHosts = [];
        Element.prototype.attachShadow = function capture(init) {
          window.capturedShadowHosts.push(this.localName);
          return attachShadow.call(this, init);
        };
      });
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      await expectPanel(page, session.extensionId, { mode: 'full', summary: SUMMARY });
      assert.deepEqual(await page.evaluate(() => window.capturedShadowHosts), []);
    } finally {
      await page.close();
    }
  });

  test('a panel element planted by the page is replaced by one working panel', async () => {
    const page = await session.context.newPage();
    try {
      await page.addInitScript(() => {
        document.addEventListener('DOMContentLoaded', () => {
          const planted = document.createElement('registration-guard-panel');
          planted.id = 'planted-by-page';
          planted.attachShadow({ mode: 'open' }).append(document.createElement('iframe'));
          document.documentElement.append(planted);
        });
      });
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      await expectPanel(page, session.extensionId, { mode: 'full', summary: SUMMARY });
      assert.equal(await countPanelHosts(page), 1);
      assert.equal(await page.evaluate(() => document.getElementById('planted-by-page')), null);
      assert.equal(await page.evaluate(() => document.querySelector('registration-guard-panel').shadowRoot), null);
    } finally {
      await page.close();
    }
  });

  test('a page that defines the panel element name gets no panel, not a reachable one', async () => {
    const page = await session.context.newPage();
    try {
      await page.addInitScript(() => {
        window.panelHostsConstructed = 0;
        customElements.define('registration-guard-panel', class extends HTMLElement {
          constructor() {
            super();
            window.panelHostsConstructed += 1;
          }
        });
      });
      await page.goto(portalUrl('entra.microsoft.com', ROUTES.policies));
      // The page's constructor runs when the content script creates its host: from then on the
      // content script's decision is made (it mounts synchronously or not at all).
      await page.waitForFunction(() => window.panelHostsConstructed > 0);
      assert.equal(await countPanelHosts(page), 0);
      assert.deepEqual(panelFrames(page, session.extensionId), []);
    } finally {
      await page.close();
    }
  });
});
