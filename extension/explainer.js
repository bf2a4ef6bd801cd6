// The explainer frame beside the sign-in page. The content script's handshake can arrive while the
// wasm module is still loading: keep those events and let the explainer judge them once it runs.
import init, { start_explainer } from './wasm/registration_guard.js';

const early = [];
const keep = (event) => early.push(event);
addEventListener('message', keep);
await init();
removeEventListener('message', keep);
start_explainer(early);
