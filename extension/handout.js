// The printable hand-out of "What your users will see" (one preset per page, chosen in the fragment).
import init, { start_handout } from './wasm/registration_guard.js';

await init();
start_handout();
