//! Browser shell (wasm only): binds the pure core to the extension's contexts and the demo page.
//!
//! One wasm module serves them all; each context's JavaScript file only loads it and calls its entry
//! point: [`panel::start_panel`] (`panel.html`, the frame on portal pages), [`popup::start_popup`]
//! (`popup.html`), [`background::background_handle_message`] (the service worker) and
//! [`demo::start_demo`] (`www/index.html`).

pub mod background;
#[cfg(feature = "demo")]
pub mod bench;
pub mod blockpreview_view;
pub mod chrome;
#[cfg(feature = "demo")]
pub mod demo;
#[cfg(feature = "demo")]
pub mod demo_import;
#[cfg(feature = "demo")]
pub mod demo_outcomes;
#[cfg(feature = "demo")]
pub mod demo_views;
pub mod dom;
pub mod explainer;
pub mod flow_view;
pub mod graph_fetch;
pub mod panel;
pub mod options;
pub mod popup;
pub mod signin;
pub mod transport;
#[cfg(feature = "demo")]
pub mod sim_bridge;
