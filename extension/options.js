// The options page: all of it is the wasm entry point.
import init, { start_options } from './wasm/registration_guard.js';

await init();
start_options();
