//! Browser shell (wasm only).
