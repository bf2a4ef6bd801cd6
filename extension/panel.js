// The panel frame on portal pages. The content script's handshake can arrive while the wasm module
// is still loading: keep those events and let the panel judge them once it runs.
import init, { start_panel } from './wasm/registration_guard.js';

// The panel draws nothing before it knows whether the admin collapsed it: ask storage now, while
// the wasm module loads, rather than after. The key is COLLAPSED_KEY in src/web/panel.rs.
const stored = chrome.storage.local.get('panelCollapsed');
const early = [];
const keep = (event) => early.push(event);
addEventListener('message', keep);
await init();
removeEventListener('message', keep);
start_panel(early, stored);
