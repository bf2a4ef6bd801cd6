// Content script on the Entra admin center and Azure portal. Deliberately dumb: it reads raw page
// facts, watches single-page navigation, mounts one extension-origin panel frame and relays facts to
// it over a private MessagePort. Every decision (context, theme, size) is taken by the wasm panel;
// wasm does not run here because the portal's CSP may forbid it (see docs on the architecture).
//
// It is injected at document_start and does nothing until the portal has loaded. Chromium holds a
// page's load event until an injected document_idle script has run, and a frame added before
// `load` holds that event until the frame has loaded: starting from a task queued after the load
// event means the portal's load waits for neither (measured by `npm run bench`, page_load_ratio).
(() => {
  'use strict';
  // Isolated-world flag: a second injection of this script must not mount a second frame.
  if (globalThis.__registrationGuardContent) return;
  globalThis.__registrationGuardContent = true;

  if (document.readyState === 'complete') start();
  else addEventListener('load', () => setTimeout(start), { once: true });

  function start() {
    const HOST_TAG = 'registration-guard-panel';
    // Changes on the same address within this time after an update are coalesced into one more.
    const THROTTLE_MS = 150;

    const text = (selector) => {
      const el = document.querySelector(selector);
      return el ? el.textContent : null;
    };
    const attr = (selector, name) => {
      const el = document.querySelector(selector);
      return el ? el.getAttribute(name) : null;
    };

    function readFacts() {
      return {
        url: location.href,
        title: document.title,
        lang: document.documentElement.lang || '',
        bodyBackground: document.body ? getComputedStyle(document.body).backgroundColor : '',
        rootBackground: getComputedStyle(document.documentElement).backgroundColor,
        prefersDark: matchMedia('(prefers-color-scheme: dark)').matches,
        account: {
          meControlName: text('#mectrl_currentAccount_primary'),
          meControlEmail: text('#mectrl_currentAccount_secondary'),
          avatarUser: text('.fxs-avatarmenu-username'),
          accountButtonLabel: attr('#mectrl_main_trigger', 'aria-label'),
        },
        viewport: { width: innerWidth, height: innerHeight },
      };
    }

    // A leftover element (from a previous extension instance, or planted by the page) is replaced.
    for (const stale of document.querySelectorAll(HOST_TAG)) stale.remove();

    const host = document.createElement(HOST_TAG);
    // A page that defined this element name would run its own code on our host and could reach a
    // shadow root attached to it: refuse to mount rather than expose the frame.
    if (host.matches(':defined')) return;
    const shadow = host.attachShadow({ mode: 'closed' });
    host.style.cssText = 'all: initial; position: fixed; z-index: 2147483000; right: 16px; bottom: 16px; ' +
      'width: 64px; height: 64px; display: block; color-scheme: normal;';

    const token = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    const panelUrl = chrome.runtime.getURL('panel.html');
    const frame = document.createElement('iframe');
    frame.title = 'Registration Guard';
    frame.style.cssText = 'all: initial; display: block; width: 100%; height: 100%; border: 0; color-scheme: normal;';
    frame.src = `${panelUrl}#${token}`;

    let port = null;
    // The address in the last facts sent: a different one means the admin navigated.
    let sentUrl = null;
    const send = () => {
      if (!port) return;
      const facts = readFacts();
      sentUrl = facts.url;
      port.postMessage({ type: 'facts', facts });
    };

    frame.addEventListener('load', () => {
      if (port) port.close();
      const channel = new MessageChannel();
      port = channel.port1;
      port.onmessage = (event) => {
        const msg = event.data;
        if (msg && msg.type === 'layout') {
          host.style.width = `${Number(msg.width)}px`;
          host.style.height = `${Number(msg.height)}px`;
          host.style.right = `${Number(msg.right)}px`;
          host.style.bottom = `${Number(msg.bottom)}px`;
        }
      };
      frame.contentWindow.postMessage({ type: 'rg-connect', token }, new URL(panelUrl).origin, [channel.port2]);
      send();
    });

    shadow.append(frame);
    document.documentElement.append(host);

    // Navigation in the portal is client-side and arrives as bursts of events (address, title,
    // blade). An update is sent in the next task, once the portal's own handler has finished
    // updating the page. For THROTTLE_MS after it, further changes on the same address (a resize,
    // a late title) are coalesced into one trailing update; a new address is sent at once, since
    // the admin is waiting for the panel of the blade they opened.
    let queued = false;
    let quiet = 0;
    let changedSince = false;
    const schedule = () => {
      if (queued) return;
      if (quiet && location.href === sentUrl) {
        changedSince = true;
        return;
      }
      clearTimeout(quiet);
      queued = true;
      setTimeout(() => {
        queued = false;
        changedSince = false;
        send();
        quiet = setTimeout(() => {
          quiet = 0;
          if (changedSince) schedule();
        }, THROTTLE_MS);
      });
    };
    addEventListener('hashchange', schedule);
    addEventListener('popstate', schedule);
    addEventListener('resize', schedule);

    // Watch only <title>: the portal renames it on every blade, and nothing else needs observing.
    const titleObserver = new MutationObserver(schedule);
    const watchTitle = () => {
      const title = document.querySelector('head > title') || document.querySelector('title');
      if (title) titleObserver.observe(title, { childList: true, characterData: true, subtree: true });
      return Boolean(title);
    };
    if (!watchTitle() && document.head) {
      const headObserver = new MutationObserver(() => {
        if (watchTitle()) { headObserver.disconnect(); schedule(); }
      });
      headObserver.observe(document.head, { childList: true });
    }

    // The portal switches its light/dark appearance live by changing a class or style on <html> or
    // <body>: watch just those attributes of those two elements, plus the browser's colour scheme.
    const themeObserver = new MutationObserver(schedule);
    for (const el of [document.documentElement, document.body]) {
      if (el) themeObserver.observe(el, { attributes: true, attributeFilter: ['class', 'style', 'data-theme'] });
    }
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', schedule);

    // The popup asks for the current facts (the extension has no `tabs` permission to read the URL).
    chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
      if (sender.id === chrome.runtime.id && msg && msg.type === 'page-facts-request') sendResponse(readFacts());
    });
  }
})();
