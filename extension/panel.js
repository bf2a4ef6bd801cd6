// The panel frame on portal pages. The content script's handshake can arrive while the wasm module
// is still loading: keep those events and let the panel judge them once it runs.
import init, { start_panel } from './wasm/registration_guard.js';

const early = [];
const keep = (event) => early.push(event);
addEventListener('message', keep);
await init();
removeEventListener('message', keep);
start_panel(early);
