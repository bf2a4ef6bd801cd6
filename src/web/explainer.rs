//! The explainer frame (`explainer.html`), mounted by `content/signin.js` beside the sign-in page when
//! the page looks like an error page. The frame decides — with the pure recogniser — whether it is a
//! Conditional Access block worth explaining; otherwise it asks the content script to remove it
//! before it was ever shown.
//!
//! Like the panel, the frame learns about the page only over the private port handed over in the
//! token-checked [`FrameHandshake`], and every message is decoded and validated before use.

use super::dom::{self, attrs, el, text_el};
use super::{chrome, graph_fetch, signin};
use crate::blockpage::{
    admin_steps, error_lookup_url, helpdesk_text, recognise, sign_in_logs_url, BlockPage,
    Confidence,
};
use crate::context::Cloud;
use crate::explainer::{
    admin_lookup_reply, explainer_tab, page_to_explain, placement, sign_in_lookup_path, AdminLookupReply,
    Dock, ExplainerToBackground, SignInSnapshot, ToExplainer, ToSignInScript,
};
use crate::graph::{GraphEndpoints, GraphVersion, HttpRequest, Method, TransportFailure};
use crate::messages::{FrameHandshake, GraphCall, MessageSender, Validate};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Document, Element, Event, HtmlElement, MessageEvent, MessagePort};

struct Explainer {
    doc: Document,
    /// `<main id="rg-explainer">`.
    root: HtmlElement,
    /// `<body>`: carries `data-state` (waiting | ready | removed), `data-dock` and `data-sheet`.
    body: HtmlElement,
    port: Option<MessagePort>,
    facts: Option<SignInSnapshot>,
    /// The block page drawn now.
    shown: Option<BlockPage>,
    /// Whether the user opened the bottom sheet (narrow windows).
    sheet_open: bool,
}

#[derive(Clone)]
struct ExplainerHandle(Rc<RefCell<Explainer>>);

/// Entry point of `explainer.html`. `early` holds the `message` events that arrived while the wasm
/// module was loading; they are judged exactly like later ones.
#[wasm_bindgen]
pub fn start_explainer(early: js_sys::Array) -> Result<(), JsValue> {
    let doc = dom::document()?;
    let body = doc
        .body()
        .ok_or_else(|| JsValue::from_str("Registration Guard: explainer.html has no body"))?;
    let root = dom::by_id(&doc, "rg-explainer")?;
    body.set_attribute("data-state", "waiting")?;
    let explainer = ExplainerHandle(Rc::new(RefCell::new(Explainer {
        doc: doc.clone(),
        root,
        body: body.clone(),
        port: None,
        facts: None,
        shown: None,
        sheet_open: false,
    })));
    let window =
        web_sys::window().ok_or_else(|| JsValue::from_str("Registration Guard: no window"))?;
    let token = window.location().hash()?;

    for event in early.iter() {
        if let Ok(event) = event.dyn_into::<MessageEvent>() {
            explainer.on_window_message(&token, event);
        }
    }
    let on_message = {
        let explainer = explainer.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            explainer.on_window_message(&token, event)
        })
    };
    window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())?;
    let on_click = {
        let explainer = explainer.clone();
        Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            let action = event
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.closest("button[data-action]").ok().flatten())
                .and_then(|button| button.get_attribute("data-action"));
            if let Some(action) = action {
                explainer.on_action(&action);
            }
        })
    };
    body.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
    // The frame lives as long as its page; so do its listeners.
    on_message.forget();
    on_click.forget();
    Ok(())
}

/// The sign-in host of a message origin such as `https://login.microsoftonline.com`.
fn sign_in_cloud_of_origin(origin: &str) -> Option<Cloud> {
    Cloud::from_sign_in_host(origin.strip_prefix("https://")?)
}

impl ExplainerHandle {
    /// Only the first handshake that comes from a sign-in origin and carries this frame's token connects.
    fn on_window_message(&self, token: &str, event: MessageEvent) {
        if self.0.borrow().port.is_some() {
            return;
        }
        let handshake = match chrome::from_js::<FrameHandshake>(event.data()) {
            Ok(handshake) => handshake,
            Err(reason) => {
                return dom::warn(&format!(
                    "Registration Guard ignored a message to its explainer: {reason}"
                ))
            }
        };
        if sign_in_cloud_of_origin(&event.origin()).is_none() {
            return dom::warn(&format!(
                "Registration Guard refused a connection from {}: not a Microsoft sign-in page",
                event.origin()
            ));
        }
        if let Err(e) = handshake.accept(token) {
            return dom::warn(&e.to_string());
        }
        let Some(port) = event.ports().get(0).dyn_into::<MessagePort>().ok() else {
            return dom::warn("Registration Guard refused a connection without a message port");
        };
        let on_port_message = {
            let explainer = self.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let decoded = chrome::from_js::<ToExplainer>(event.data()).and_then(|msg| {
                    msg.validate().map_err(|e| e.to_string())?;
                    Ok(msg)
                });
                match decoded {
                    Ok(ToExplainer::SignInFacts { facts }) => explainer.set_facts(facts),
                    Err(reason) => dom::warn(&format!(
                        "Registration Guard ignored a sign-in page update: {reason}"
                    )),
                }
            })
        };
        port.set_onmessage(Some(on_port_message.as_ref().unchecked_ref()));
        on_port_message.forget();
        self.0.borrow_mut().port = Some(port);
    }

    fn set_facts(&self, facts: SignInSnapshot) {
        let mut explainer = self.0.borrow_mut();
        let page = page_to_explain(recognise(&facts.page_facts()));
        explainer.facts = Some(facts);
        match page {
            None => explainer.remove(ToSignInScript::Remove),
            Some(page) => {
                if explainer.shown.as_ref() != Some(&page) {
                    if let Err(e) = explainer.draw(&page) {
                        return dom::warn(&format!(
                            "Registration Guard could not draw its explanation: {e:?}"
                        ));
                    }
                    explainer.shown = Some(page);
                }
                explainer.place();
            }
        }
    }

    fn on_action(&self, action: &str) {
        match action {
            "close" => self.0.borrow_mut().remove(ToSignInScript::Dismissed),
            "toggle-sheet" => {
                let mut explainer = self.0.borrow_mut();
                explainer.sheet_open = !explainer.sheet_open;
                explainer.place();
            }
            "copy" => self.copy_for_helpdesk(),
            "admin-lookup" => self.admin_lookup(),
            _ => {}
        }
    }

    fn copy_for_helpdesk(&self) {
        let explainer = self.0.borrow();
        let Some(page) = explainer.shown.clone() else {
            return;
        };
        let status = explainer
            .root
            .query_selector("[data-testid=copy-status]")
            .ok()
            .flatten();
        spawn_local(async move {
            let said = match write_clipboard(&helpdesk_text(&page)).await {
                Ok(()) => "Copied. Paste it into your message to the helpdesk.".to_string(),
                Err(e) => format!(
                    "Your browser did not allow copying ({}). Select the text below and copy it instead.",
                    e.as_string().unwrap_or_else(|| "no reason given".to_string())
                ),
            };
            if let Some(status) = status {
                status.set_text_content(Some(&said));
            }
        });
    }

    /// Asks the background, which holds the extension's sign-in, which policy blocked this sign-in.
    /// Nothing leaves the browser unless the background is signed in and the admin pressed the button.
    fn admin_lookup(&self) {
        let explainer = self.0.borrow();
        let Some(page) = explainer.shown.clone() else {
            return;
        };
        let Some(correlation_id) = page.details.correlation_id.clone() else {
            return;
        };
        let Some(result) = explainer
            .root
            .query_selector("[data-testid=admin-lookup-result]")
            .ok()
            .flatten()
        else {
            return;
        };
        result.set_text_content(Some("Asking Registration Guard…"));
        spawn_local(async move {
            let message = ExplainerToBackground::ExplainerAdminLookup {
                cloud: page.cloud,
                correlation_id,
            };
            let reply = async {
                let reply = chrome::send_to_background(&chrome::to_js(&message)?).await?;
                chrome::from_js::<AdminLookupReply>(reply).map_err(|e| JsValue::from_str(&e))
            }
            .await
            .unwrap_or_else(|e| AdminLookupReply::Refused {
                reason: format!(
                    "its background did not answer ({})",
                    e.as_string().unwrap_or_else(|| format!("{e:?}"))
                ),
            });
            result.set_text_content(Some(&reply.message()));
        });
    }
}

async fn write_clipboard(text: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let clipboard = js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("clipboard"))?;
    let write: js_sys::Function =
        js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText"))?
            .dyn_into()
            .map_err(|_| JsValue::from_str("no clipboard in this context"))?;
    let promise: js_sys::Promise = write
        .call1(&clipboard, &JsValue::from_str(text))?
        .dyn_into()?;
    JsFuture::from(promise).await.map(|_| ()).map_err(|e| {
        js_sys::Reflect::get(&e, &JsValue::from_str("message"))
            .ok()
            .filter(JsValue::is_string)
            .unwrap_or(e)
    })
}

impl Explainer {
    fn post(&self, message: &ToSignInScript) {
        let Some(port) = &self.port else { return };
        if let Err(e) = chrome::to_js(message).and_then(|msg| port.post_message(&msg)) {
            dom::warn(&format!(
                "Registration Guard could not reach the sign-in page's script: {e:?}"
            ));
        }
    }

    fn remove(&mut self, message: ToSignInScript) {
        self.post(&message);
        self.root.set_text_content(None);
        self.shown = None;
        let _ = self.body.set_attribute("data-state", "removed");
    }

    /// Sizes the content at the width it will get, then tells the content script where to put the frame.
    fn place(&self) {
        let Some(facts) = &self.facts else { return };
        let first = placement(facts.viewport, facts.card, 0, self.sheet_open);
        let dock = match first.dock {
            Dock::Side => "side",
            Dock::Sheet => "sheet",
        };
        let sheet = if self.sheet_open { "open" } else { "closed" };
        let _ = attrs(
            &self.body,
            &[
                ("data-dock", dock),
                ("data-sheet", sheet),
                ("data-state", "ready"),
            ],
        );
        if let Ok(Some(toggle)) = self.root.query_selector("[data-action=toggle-sheet]") {
            let (label, expanded) = if self.sheet_open {
                ("Hide", "true")
            } else {
                ("Show why", "false")
            };
            toggle.set_text_content(Some(label));
            let _ = toggle.set_attribute("aria-expanded", expanded);
        }
        let _ = self
            .root
            .style()
            .set_property("width", &format!("{}px", first.width));
        // The whole content, even while the frame is still smaller than it; borders included.
        let borders = (self.root.offset_height() - self.root.client_height()).max(0);
        let height = (self.root.scroll_height() + borders).max(0) as u32;
        self.post(&placement(facts.viewport, facts.card, height, self.sheet_open).message());
    }

    fn draw(&self, page: &BlockPage) -> Result<(), JsValue> {
        let doc = &self.doc;
        self.root.set_text_content(None);

        let header = el(doc, "header", "rg-x-header")?;
        dom::append(&header, &dom::shield_icon(doc, "rg-x-logo")?)?;
        let titles = el(doc, "div", "rg-x-titles")?;
        dom::append(
            &titles,
            &text_el(doc, "p", "rg-x-brand", "Registration Guard")?,
        )?;
        let title = text_el(doc, "h1", "rg-x-title", "Why you see this page")?;
        title.set_id("rg-x-title");
        dom::append(&titles, &title)?;
        dom::append(&header, &titles)?;
        let toggle = text_el(doc, "button", "rg-x-toggle", "Show why")?;
        attrs(
            &toggle,
            &[
                ("type", "button"),
                ("data-action", "toggle-sheet"),
                ("aria-controls", "rg-x-body"),
                ("aria-expanded", "false"),
            ],
        )?;
        dom::append(&header, &toggle)?;
        let close = el(doc, "button", "rg-x-close")?;
        attrs(
            &close,
            &[
                ("type", "button"),
                ("data-action", "close"),
                ("aria-label", "Close the explanation"),
                ("title", "Close"),
            ],
        )?;
        dom::append(
            &close,
            &dom::icon(
                doc,
                "rg-x-close-icon",
                &[("M6 6l12 12M18 6 6 18", "rg-icon-stroke")],
            )?,
        )?;
        dom::append(&header, &close)?;
        dom::append(&self.root, &header)?;

        let body = el(doc, "div", "rg-x-body")?;
        body.set_id("rg-x-body");

        let happened = section(doc, "What happened", "what-happened")?;
        dom::append(
            &happened,
            &text_el(doc, "p", "", page.code.plain_explanation())?,
        )?;
        let code_line = format!(
            "Error {} ({})",
            page.code.number(),
            page.code.microsoft_name()
        );
        dom::append(&happened, &text_el(doc, "p", "rg-x-code", &code_line)?)?;
        if page.confidence == Confidence::Likely {
            dom::append(&happened, &text_el(
                doc,
                "p",
                "rg-x-note",
                "Recognised from the page's wording. Select “More details” on the page to show the error code and \
                 the ids your helpdesk needs.",
            )?)?;
        }
        dom::append(&body, &happened)?;

        let todo = section(doc, "What you can do", "what-to-do")?;
        dom::append(&todo, &text_el(doc, "p", "", page.code.what_user_can_do())?)?;
        dom::append(&body, &todo)?;

        let helpdesk = section(doc, "Copy for the helpdesk", "helpdesk")?;
        let copy = text_el(doc, "button", "rg-x-copy", "Copy for the helpdesk")?;
        attrs(&copy, &[("type", "button"), ("data-action", "copy")])?;
        dom::append(&helpdesk, &copy)?;
        let status = el(doc, "p", "rg-x-status")?;
        attrs(
            &status,
            &[("role", "status"), ("data-testid", "copy-status")],
        )?;
        dom::append(&helpdesk, &status)?;
        let text = text_el(doc, "pre", "rg-x-helpdesk-text", &helpdesk_text(page))?;
        text.set_attribute("data-testid", "helpdesk-text")?;
        dom::append(&helpdesk, &text)?;
        dom::append(&body, &helpdesk)?;

        let admin = section(doc, "For your admin", "for-admins")?;
        let steps = el(doc, "ol", "rg-x-steps")?;
        for step in admin_steps(page) {
            dom::append(&steps, &text_el(doc, "li", "", &step)?)?;
        }
        dom::append(&admin, &steps)?;
        let links = el(doc, "p", "rg-x-links")?;
        dom::append(
            &links,
            &link(
                doc,
                "Open the sign-in logs",
                &sign_in_logs_url(page.cloud),
                "sign-in-logs-link",
            )?,
        )?;
        dom::append(
            &links,
            &link(
                doc,
                &format!("Microsoft's description of error {}", page.code.number()),
                &error_lookup_url(page.code.number()),
                "error-lookup-link",
            )?,
        )?;
        dom::append(&admin, &links)?;
        if page.details.correlation_id.is_some() {
            let lookup = text_el(
                doc,
                "button",
                "rg-x-lookup",
                "Admins: show the policy that blocked this",
            )?;
            attrs(
                &lookup,
                &[("type", "button"), ("data-action", "admin-lookup")],
            )?;
            dom::append(&admin, &lookup)?;
            let result = el(doc, "p", "rg-x-status")?;
            attrs(
                &result,
                &[("role", "status"), ("data-testid", "admin-lookup-result")],
            )?;
            dom::append(&admin, &result)?;
        }
        dom::append(&body, &admin)?;
        dom::append(&self.root, &body)?;
        Ok(())
    }
}

fn section(doc: &Document, heading: &str, test_id: &str) -> Result<Element, JsValue> {
    let section = el(doc, "section", "rg-x-section")?;
    section.set_attribute("data-testid", test_id)?;
    dom::append(&section, &text_el(doc, "h2", "", heading)?)?;
    Ok(section)
}

fn link(doc: &Document, text: &str, href: &str, test_id: &str) -> Result<Element, JsValue> {
    let a = text_el(doc, "a", "rg-x-link", text)?;
    attrs(
        &a,
        &[
            ("href", href),
            ("target", "_blank"),
            ("rel", "noopener noreferrer"),
            ("data-testid", test_id),
        ],
    )?;
    Ok(a)
}

/// The background's answer to the explainer ([`ExplainerToBackground`]); `background.js` routes
/// messages whose `type` starts with `explainer-` here. Only the explainer frame inside a tab is heard.
///
/// Without a sign-in to the page's cloud the answer is [`AdminLookupReply::NotSignedIn`] and nothing
/// goes on the network. With one, the worker gets `AuditLog.Read.All` (silently if it can; the
/// sign-in window only because the admin pressed the button), GETs
/// [`sign_in_lookup_path`](crate::explainer::sign_in_lookup_path) on the cloud's Graph host through the
/// same allow-list as the panel's calls, and answers with [`admin_lookup_reply`].
#[wasm_bindgen]
pub async fn background_handle_explainer_message(
    message: JsValue,
    sender: JsValue,
) -> Result<JsValue, JsValue> {
    let reply = admin_lookup(message, sender)
        .await
        .unwrap_or_else(|reason: String| AdminLookupReply::Refused { reason });
    chrome::to_js(&reply)
}

async fn admin_lookup(message: JsValue, sender: JsValue) -> Result<AdminLookupReply, String> {
    let sender: MessageSender = chrome::from_js(sender)
        .map_err(|e| format!("Registration Guard could not read the message sender: {e}"))?;
    explainer_tab(&sender, &chrome::extension_id().unwrap_or_default()).map_err(|e| e.to_string())?;
    let message: ExplainerToBackground = chrome::from_js(message)
        .map_err(|e| format!("Registration Guard refused a malformed message: {e}"))?;
    message.validate().map_err(|e| e.to_string())?;
    let ExplainerToBackground::ExplainerAdminLookup { cloud, correlation_id } = message;
    let Some(token) = signin::sign_in_logs_token(cloud).await.map_err(|e| e.to_string())? else {
        return Ok(AdminLookupReply::NotSignedIn { cloud });
    };
    let path = sign_in_lookup_path(&correlation_id).map_err(|e| e.to_string())?;
    let call = GraphCall {
        method: Method::Get,
        url: GraphEndpoints::for_cloud(cloud).url(GraphVersion::V1, &path),
        headers: Vec::new(),
        body: None,
    };
    call.check(cloud).map_err(|e| e.to_string())?;
    let request = HttpRequest::from(call).with_bearer(&token);
    match graph_fetch::perform(&request).await {
        Ok(response) => Ok(admin_lookup_reply(response.status, &response.body)),
        Err(TransportFailure::Timeout) => {
            Err("Microsoft Graph did not answer in time. Try again in a minute.".to_string())
        }
        Err(TransportFailure::Network { message }) => {
            Err(format!("Microsoft Graph could not be reached ({message}). Try again in a minute."))
        }
    }
}
