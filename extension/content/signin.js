// Content script on the Microsoft sign-in pages of every cloud. Deliberately dumb and restrained:
// - it looks at the page only for cheap hints of an error page (an error-like number, an AADSTS code
//   next to a GUID, the troubleshooting container, the block page's English heading);
// - only then does it read the sign-in card's heading and visible text (innerText: never input values,
//   never the address's query) and mount the extension-origin explainer frame, hidden;
// - the frame decides with the wasm recogniser whether this is a Conditional Access block; if not it
//   asks for removal before ever being shown. Nothing is sent over the network from here.
(() => {
  'use strict';
  if (globalThis.__registrationGuardSignIn) return;
  globalThis.__registrationGuardSignIn = true;

  const HOST_TAG = 'registration-guard-explainer';
  const THROTTLE_MS = 200;
  const MAX_LINES = 120;
  const MAX_LINE_CHARS = 1024;
  // The sign-in card: #lightbox on Microsoft's converged sign-in page; generic fallbacks after it.
  const CARD_SELECTORS = ['#lightbox', '[role="main"]', 'main', 'form'];
  // #heading carried the block page's title on the older converged error page; #idDiv_SAOTCS_Title is
  // the MFA prompt's; #loginHeader the ordinary sign-in steps'.
  const HEADING_SELECTORS = ['#heading', '#loginHeader', '#idDiv_SAOTCS_Title', '[role="heading"]', 'h1', 'h2'];
  // The "More details" troubleshooting container of Microsoft's error pages, open or collapsed.
  const DETAILS_SELECTORS = ['#debugDetailsBanner', '[id^="debugDetails"]'];
  // The account banner above the heading: the user's sign-in name, which the explainer never needs.
  const IDENTITY_SELECTORS = ['#displayName', '.identity'];
  const ERROR_NUMBER = /\b5\d{4}\b/;
  const AADSTS = /AADSTS\d{5,7}/i;
  const GUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;
  const BLOCK_WORDING = /(cannot|can't|can’t) access this right now/i;

  const first = (selectors) => {
    for (const selector of selectors) {
      const el = document.querySelector(selector);
      if (el) return el;
    }
    return null;
  };
  const card = () => first(CARD_SELECTORS) || document.body;
  const cardText = () => {
    const el = card();
    return el ? el.innerText || '' : '';
  };
  const hasDetailsContainer = () => Boolean(first(DETAILS_SELECTORS));

  /** Cheap structural hints that the page is an error page; nothing leaves the page on a miss. */
  function looksLikeErrorPage(text) {
    if (hasDetailsContainer()) return true;
    if (BLOCK_WORDING.test(text)) return true;
    if (AADSTS.test(text) && GUID.test(text)) return true;
    return text.split('\n').some((line) => ERROR_NUMBER.test(line));
  }

  function readFacts(text) {
    const heading = first(HEADING_SELECTORS);
    const identity = first(IDENTITY_SELECTORS)?.innerText.trim();
    const box = card() && card() !== document.body ? card().getBoundingClientRect() : null;
    return {
      host: location.host,
      path: location.pathname,
      lang: document.documentElement.lang || null,
      heading: heading ? heading.innerText.trim().slice(0, MAX_LINE_CHARS) || null : null,
      lines: text.split('\n').map((l) => l.trim()).filter((l) => l && l !== identity).slice(0, MAX_LINES)
        .map((l) => l.slice(0, MAX_LINE_CHARS)),
      hasDetailsContainer: hasDetailsContainer(),
      viewport: { width: innerWidth, height: innerHeight },
      card: box && box.width > 0 ? {
        left: Math.round(box.left), top: Math.round(box.top), width: Math.round(box.width), height: Math.round(box.height),
      } : null,
    };
  }

  let host = null;
  let port = null;
  let dismissed = false;
  // The text the explainer last judged not worth explaining: the page is left alone until it changes.
  let rejectedText = null;

  function unmount() {
    if (port) port.close();
    port = null;
    if (host) host.remove();
    host = null;
  }

  function mount() {
    for (const stale of document.querySelectorAll(HOST_TAG)) stale.remove();
    const element = document.createElement(HOST_TAG);
    // A page that defined this element name would run its code on our host: refuse to mount.
    if (element.matches(':defined')) return false;
    const shadow = element.attachShadow({ mode: 'closed' });
    // Hidden until the explainer says where it goes (it may decide the page needs nothing).
    element.style.cssText = 'all: initial; position: fixed; z-index: 2147483000; left: 0; top: 0; ' +
      'width: 360px; height: 120px; display: block; visibility: hidden; pointer-events: none; color-scheme: normal;';
    const token = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    const url = chrome.runtime.getURL('explainer.html');
    const frame = document.createElement('iframe');
    frame.title = 'Registration Guard: why you see this page';
    frame.allow = 'clipboard-write';
    frame.style.cssText = 'all: initial; display: block; width: 100%; height: 100%; border: 0; color-scheme: normal;';
    frame.src = `${url}#${token}`;
    frame.addEventListener('load', () => {
      if (port) port.close();
      const channel = new MessageChannel();
      port = channel.port1;
      port.onmessage = (event) => apply(event.data);
      frame.contentWindow.postMessage({ type: 'rg-connect', token }, new URL(url).origin, [channel.port2]);
      send();
    });
    shadow.append(frame);
    document.documentElement.append(element);
    host = element;
    return true;
  }

  function apply(msg) {
    if (!msg || !host) return;
    if (msg.type === 'place') {
      host.style.left = `${Number(msg.left)}px`;
      host.style.top = `${Number(msg.top)}px`;
      host.style.width = `${Number(msg.width)}px`;
      host.style.height = `${Number(msg.height)}px`;
      host.style.visibility = 'visible';
      host.style.pointerEvents = 'auto';
    } else if (msg.type === 'remove') {
      rejectedText = cardText();
      unmount();
    } else if (msg.type === 'dismissed') {
      dismissed = true;
      observer.disconnect();
      removeEventListener('resize', schedule);
      unmount();
    }
  }

  function send() {
    if (!port) return;
    port.postMessage({ type: 'sign-in-facts', facts: readFacts(cardText()) });
  }

  function check() {
    if (dismissed) return;
    const text = cardText();
    if (!host) {
      if (text === rejectedText || !looksLikeErrorPage(text)) return;
      if (!mount()) return;
    }
    send();
  }

  let pending = 0;
  function schedule() {
    if (!pending) pending = setTimeout(() => { pending = 0; check(); }, THROTTLE_MS);
  }

  // The sign-in pages swap steps (and expand "More details") without navigating: watch the DOM,
  // coalescing bursts into one look.
  const observer = new MutationObserver(schedule);
  if (document.body) {
    observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true,
      attributeFilter: ['class', 'style', 'hidden', 'aria-hidden'] });
  }
  addEventListener('resize', schedule);
  check();
})();
