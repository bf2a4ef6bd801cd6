// Module service worker. The wasm glue is imported statically (dynamic import() is not allowed in
// service workers); init() starts at load and is awaited inside handlers, and listeners are
// registered synchronously so a message that wakes the worker is not lost. Every decision (who
// sent it, whether it is well-formed, what to do) is taken in Rust.
import init, { background_handle_message, background_handle_explainer_message } from './wasm/registration_guard.js';

const ready = init();

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handle = String(message?.type).startsWith('explainer-')
    ? background_handle_explainer_message
    : background_handle_message;
  ready
    .then(() => handle(message, sender))
    .then(sendResponse, (error) => sendResponse({ type: 'refused', reason: String(error) }));
  return true; // the reply is sent asynchronously
});
