//! The demo page (`www/index.html`): the real panel, docked as in the extension, fed with the facts a
//! portal page would give for the page, theme and account chosen in the picker.

use super::dom;
use super::panel::{mount_demo, PanelHandle};
use crate::messages::{AccountFacts, PageFacts, Viewport};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Event, HtmlSelectElement};

/// Entry point of `www/demo.js`.
#[wasm_bindgen]
pub fn start_demo() -> Result<(), JsValue> {
    let doc = dom::document()?;
    let panel = mount_demo(&doc, dom::by_id(&doc, "rg-panel")?, dom::by_id(&doc, "rg-dock")?)?;
    let update = {
        let doc = doc.clone();
        move || {
            if let Err(e) = show_choice(&doc, &panel) {
                dom::warn(&format!("Registration Guard demo could not show that page: {e:?}"));
            }
        }
    };
    update();
    let on_change = Closure::<dyn FnMut(Event)>::new(move |_: Event| update());
    dom::by_id(&doc, "rg-demo-controls")?.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref())?;
    on_change.forget();
    Ok(())
}

fn select_value(doc: &Document, id: &str) -> Result<String, JsValue> {
    Ok(dom::by_id(doc, id)?.dyn_into::<HtmlSelectElement>()?.value())
}

/// Builds the facts the content script would read on the chosen sample page, and shows them.
fn show_choice(doc: &Document, panel: &PanelHandle) -> Result<(), JsValue> {
    let url = select_value(doc, "rg-demo-url")?;
    let dark = select_value(doc, "rg-demo-theme")? == "dark";
    // Account options are "display name|sign-in name", or empty for a header that shows no account.
    let account = select_value(doc, "rg-demo-account")?;
    let (name, email) = account.split_once('|').unwrap_or(("", ""));
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let dimension = |value: Result<JsValue, JsValue>| value.ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;

    let facts = PageFacts {
        title: String::new(),
        lang: "en".to_string(),
        body_background: if dark { "rgb(27, 26, 25)" } else { "rgb(255, 255, 255)" }.to_string(),
        root_background: "rgba(0, 0, 0, 0)".to_string(),
        prefers_dark: false,
        account: AccountFacts {
            me_control_name: (!name.is_empty()).then(|| name.to_string()),
            me_control_email: (!email.is_empty()).then(|| email.to_string()),
            ..AccountFacts::default()
        },
        viewport: Viewport { width: dimension(window.inner_width()), height: dimension(window.inner_height()) },
        url,
    };

    // The sample portal page behind the panel shows the same address, area and theme.
    let portal = dom::by_id(doc, "rg-demo-portal")?;
    portal.set_attribute("data-theme", if dark { "dark" } else { "light" })?;
    dom::by_id(doc, "rg-demo-address")?.set_text_content(Some(&facts.url));
    let heading = match facts.context() {
        Ok(ctx) => ctx.area.label(),
        Err(e) => e.to_string(),
    };
    dom::by_id(doc, "rg-demo-heading")?.set_text_content(Some(&heading));
    panel.set_facts(facts);
    Ok(())
}
