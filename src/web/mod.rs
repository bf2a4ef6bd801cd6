//! Browser shell (wasm only): binds the pure core to the extension's contexts and the demo page.
//!
//! One wasm module serves them all; each context's JavaScript file only loads it and calls its entry
//! point: [`panel::start_panel`] (`panel.html`, the frame on portal pages), [`popup::start_popup`]
//! (`popup.html`), [`options::start_options`] (`options.html`),
//! [`background::background_handle_message`] (the service worker) and `demo::start_demo`
//! (`www/index.html`, with the `demo` feature).
//!
//! The panel's apply flow ([`flow_view`]) reaches the tenant through a [`transport::TenantTransport`]:
//! typed messages to the background in the extension (which signs in, [`signin`], and fetches,
//! [`graph_fetch`]), a simulated tenant on the demo page.

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
