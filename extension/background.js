// Module service worker. The wasm glue is imported statically (dynamic import() is not allowed in
// service workers); init() starts at load and is awaited inside handlers, and listeners are
// registered synchronously so a message that wakes the worker is not lost.
import init, { background_handle_message } from './wasm/registration_guard.js';

const ready = init();

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  ready
    .then(() => background_handle_message(message, sender))
    .then(sendResponse, (error) => sendResponse({ type: 'refused', reason: String(error) }));
  return true; // the reply is sent asynchronously
});
