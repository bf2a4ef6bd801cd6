//! The background service worker: the one place that will hold tenant tokens (sign-in comes later).
//! For now it names the page the panel shows in the toolbar button's tooltip for that tab.
//!
//! Every message is checked twice: the sender must be this extension's panel frame inside a tab
//! ([`MessageSender::panel_tab`]), and the message must decode and validate as [`ToBackground`].

use super::chrome;
use crate::messages::{BackgroundReply, MessageSender, ToBackground, Validate};
use wasm_bindgen::prelude::*;

/// Handles one `chrome.runtime.onMessage` message; always resolves with a [`BackgroundReply`].
#[wasm_bindgen]
pub async fn background_handle_message(message: JsValue, sender: JsValue) -> Result<JsValue, JsValue> {
    let reply = match handle(message, sender).await {
        Ok(reply) => reply,
        Err(reason) => BackgroundReply::Refused { reason },
    };
    chrome::to_js(&reply)
}

async fn handle(message: JsValue, sender: JsValue) -> Result<BackgroundReply, String> {
    let sender: MessageSender =
        chrome::from_js(sender).map_err(|e| format!("Registration Guard could not read the message sender: {e}"))?;
    let own_id = chrome::extension_id().unwrap_or_default();
    let tab = sender.panel_tab(&own_id).map_err(|e| e.to_string())?;
    let message: ToBackground = chrome::from_js(message)
        .map_err(|e| format!("Registration Guard refused a malformed message: {e}"))?;
    message.validate().map_err(|e| e.to_string())?;
    match message {
        ToBackground::PanelShown { facts } => {
            let title = match facts.context() {
                Ok(ctx) => format!("Registration Guard — {}", ctx.summary()),
                Err(_) => "Registration Guard".to_string(),
            };
            chrome::set_action_title(tab, &title)
                .await
                .map_err(|e| format!("Registration Guard could not name the page on its toolbar button: {e:?}"))?;
            Ok(BackgroundReply::TitleSet { title })
        }
    }
}
