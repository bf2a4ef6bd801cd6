//! The toolbar popup: where the admin is in the active tab, and the extension version.
//!
//! The popup asks the content script in the active tab for its page facts instead of reading the tab's
//! address: that needs no `tabs` or `activeTab` permission, and a tab without the content script is by
//! definition not a portal page the extension works on.

use super::chrome;
use super::dom::{self, text_el};
use crate::messages::{PageFacts, ToContentScript, Validate};
use wasm_bindgen::prelude::*;
use web_sys::{Document, HtmlElement};

const NO_PORTAL: &str = "Open the Entra admin center (entra.microsoft.com) or the Azure portal (portal.azure.com, \
     portal.azure.us or portal.azure.cn) to use Registration Guard. If it is already open in this tab, reload the page.";

/// Entry point of `popup.html`.
#[wasm_bindgen]
pub async fn start_popup() -> Result<(), JsValue> {
    let doc = dom::document()?;
    let version = chrome::manifest_version().unwrap_or_default();
    dom::by_id(&doc, "rg-version")?.set_text_content(Some(&format!("Version {version}")));
    let context_line = dom::by_id(&doc, "rg-popup-context")?;
    match active_page_facts().await {
        Ok(Some(facts)) => show_facts(&doc, &context_line, &facts)?,
        Ok(None) => context_line.set_text_content(Some(NO_PORTAL)),
        Err(reason) => {
            dom::warn(&reason);
            context_line.set_text_content(Some(NO_PORTAL));
        }
    }
    dom::by_id(&doc, "rg-popup")?.set_attribute("data-state", "ready")?;
    Ok(())
}

/// The facts of the page in the active tab, or `None` when no content script answers there.
async fn active_page_facts() -> Result<Option<PageFacts>, String> {
    let Some(tab) = chrome::active_tab_id().await.map_err(|e| format!("{e:?}"))? else {
        return Ok(None);
    };
    let request = chrome::to_js(&ToContentScript::PageFactsRequest).map_err(|e| format!("{e:?}"))?;
    // Rejected with "Receiving end does not exist" where the content script does not run.
    let Ok(reply) = chrome::send_to_tab(tab, &request).await else {
        return Ok(None);
    };
    let facts: PageFacts = chrome::from_js(reply).map_err(|e| format!("Registration Guard ignored the page's reply: {e}"))?;
    facts.validate().map_err(|e| e.to_string())?;
    Ok(Some(facts))
}

fn show_facts(doc: &Document, context_line: &HtmlElement, facts: &PageFacts) -> Result<(), JsValue> {
    match facts.context() {
        Ok(ctx) => {
            context_line.set_text_content(Some(&ctx.summary()));
            let details = dom::by_id(doc, "rg-popup-details")?;
            if let Some(account) = facts.account.label() {
                let line = text_el(doc, "p", "rg-popup-account", &format!("Signed in as {account}"))?;
                line.set_attribute("data-testid", "popup-account")?;
                dom::append(&details, &line)?;
            }
            let hint = if ctx.wants_full_panel() {
                "The Registration Guard panel at the bottom right of the page explains what it will do here."
            } else {
                "Open Entra ID › Conditional Access: the Registration Guard panel opens there by itself. Here it waits \
                 as the round button at the bottom right of the page."
            };
            dom::append(&details, &text_el(doc, "p", "rg-popup-hint", hint)?)?;
        }
        Err(error) => context_line.set_text_content(Some(&error.to_string())),
    }
    Ok(())
}
