//! Registration Guard: protect Microsoft Entra security-info registration with a
//! Conditional Access policy tied to trusted locations.
//!
//! The crate has a **pure core** (everything outside `web`): page-context parsing,
//! block-page recognition, the policy engine (import, presets, preflight, coverage,
//! what-if, exports) and the typed messages the extension contexts exchange. The core
//! never touches the DOM or the network and is tested natively with `cargo test`.
//!
//! The **shell** (`web`, compiled only for `wasm32`) binds the core to the browser:
//! the panel frame, the popup and the background service worker.

pub mod blockpage;
pub mod blockpreview;
pub mod context;
pub mod engine;
pub mod explainer;
pub mod graph;
pub mod messages;
pub mod sim;

#[cfg(target_arch = "wasm32")]
pub mod web;
