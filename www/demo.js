// The trainer demo: the same wasm module and panel as the extension, on a simulated tenant that
// runs in this page. Everything after loading happens in Rust (src/web/demo.rs).
import init, { start_demo } from './wasm/registration_guard.js';

await init();
start_demo();
