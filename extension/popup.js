// The toolbar popup: all of it is the wasm entry point.
import init, { start_popup } from './wasm/registration_guard.js';

await init();
await start_popup();
