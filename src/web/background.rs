//! The background service worker: the one place that holds tenant tokens. It names the panel's
//! page in the toolbar tooltip, signs in ([`super::signin`]) and performs the Graph calls the
//! panel's apply flow builds, adding the token at the last moment.
//!
//! Every message is checked three times: the sender must be this extension's panel frame inside a
//! tab or its options page ([`MessageSender::trusted`]); the message must decode and validate as
//! [`ToBackground`] (Graph calls only to the cloud's Graph host and only the calls the flow makes);
//! and writes to the tenant are accepted from the panel frame only ([`ToBackground::allowed_from`]).

use super::signin::{self, SignInAsk};
use super::{chrome, graph_fetch};
use crate::graph::HttpRequest;
use crate::messages::{BackgroundReply, MessageSender, ToBackground, TrustedSender, Validate};
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
    let from = sender.trusted(&own_id).map_err(|e| e.to_string())?;
    let message: ToBackground = chrome::from_js(message)
        .map_err(|e| format!("Registration Guard refused a malformed message: {e}"))?;
    message.validate().map_err(|e| e.to_string())?;
    message.allowed_from(from).map_err(|e| e.to_string())?;
    match message {
        ToBackground::PanelShown { facts } => {
            let TrustedSender::Panel { tab } = from else {
                return Err("Registration Guard names only the panel's tab".to_string());
            };
            let title = match facts.context() {
                Ok(ctx) => format!("Registration Guard — {}", ctx.summary()),
                Err(_) => "Registration Guard".to_string(),
            };
            chrome::set_action_title(tab, &title)
                .await
                .map_err(|e| format!("Registration Guard could not name the page on its toolbar button: {e:?}"))?;
            Ok(BackgroundReply::TitleSet { title })
        }
        ToBackground::SignIn { cloud, interactive, renew, tenant, login_hint } => {
            Ok(signin::sign_in(SignInAsk { cloud, interactive, renew, tenant, login_hint }).await)
        }
        ToBackground::SignOut {} => {
            signin::sign_out().await.map_err(|e| format!("Registration Guard could not sign out: {e:?}"))?;
            Ok(BackgroundReply::SignedOut)
        }
        ToBackground::GraphSend { cloud, request } => {
            let Some(token) = signin::access_token(cloud).await else {
                return Ok(BackgroundReply::InteractionNeeded);
            };
            let request = HttpRequest::from(request).with_bearer(&token);
            Ok(match graph_fetch::perform(&request).await {
                Ok(response) => BackgroundReply::GraphResponse { response },
                Err(failure) => BackgroundReply::GraphFailed { failure },
            })
        }
    }
}
