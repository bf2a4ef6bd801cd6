// The demo page: the same wasm module and panel as the extension, fed by the page's picker.
import init, { start_demo } from './wasm/registration_guard.js';

await init();
start_demo();
