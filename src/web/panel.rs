//! The panel: one view, shown in the extension's frame on portal pages and docked on the demo page.
//!
//! In the extension the frame learns nothing from the page except over the private port the content
//! script hands over in the [`FrameHandshake`]; every message is decoded and validated before use.

use super::chrome;
use super::dom::{self, attrs, el, text_el};
use super::flow_view::FlowView;
use super::transport::{ExtensionTransport, TenantTransport};
use crate::context::{Area, ContextError, PortalContext, Theme};
use crate::messages::{
    initial_mode, BackgroundReply, FrameHandshake, FrameLayout, PageFacts, PanelMode, ToBackground, ToPanel, Validate,
};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Document, Element, Event, HtmlElement, KeyboardEvent, MessageEvent, MessagePort};

/// `chrome.storage.local` key: `true` once the admin collapsed the panel, `false` once they opened it.
/// `panel.js` starts reading it before the wasm module has loaded.
const COLLAPSED_KEY: &str = "panelCollapsed";

/// Where the panel runs.
enum Host {
    /// The extension frame on a portal page: facts arrive over the private port, layout goes back on it.
    Frame { port: Option<MessagePort> },
    /// The demo page: facts come from the page's picker and the dock is sized by the stylesheet.
    Demo,
}

/// What the DOM currently shows; the DOM is rebuilt only when this changes, so focus survives
/// facts that only change the window size.
#[derive(PartialEq)]
struct Shown {
    mode: PanelMode,
    theme: Theme,
    url: String,
    account: Option<String>,
}

struct Panel {
    doc: Document,
    /// `<main id="rg-panel">`.
    root: HtmlElement,
    /// The element that carries `data-mode`, `data-theme` and `data-state`: `<body>` in the frame,
    /// the dock on the demo page.
    frame: HtmlElement,
    host: Host,
    facts: Option<PageFacts>,
    mode: PanelMode,
    /// The page changed: choose full panel or launcher again at the next render.
    decide_mode: bool,
    /// The admin's stored choice; `None` until storage answered (nothing renders before).
    collapsed: Option<bool>,
    focus_after_render: bool,
    shown: Option<Shown>,
    /// Who answers for the tenant; without one the panel shows the page context only.
    tenant: Option<Rc<dyn TenantTransport>>,
    /// The apply flow of the tenant and cloud on the page, kept across re-renders and navigations
    /// within that tenant.
    flow: Option<(String, FlowView)>,
    /// The panel itself, for the flow's re-measure requests.
    me: Weak<RefCell<Panel>>,
}

/// A shared handle on the panel, held by its event listeners.
#[derive(Clone)]
pub struct PanelHandle(Rc<RefCell<Panel>>);

/// Entry point of `panel.html`. `early` holds the `message` events that arrived while the wasm
/// module was loading; they are judged exactly like later ones. `stored` is the pending
/// `chrome.storage.local.get(COLLAPSED_KEY)` that `panel.js` started while the module loaded.
#[wasm_bindgen]
pub fn start_panel(early: js_sys::Array, stored: js_sys::Promise) -> Result<(), JsValue> {
    let doc = dom::document()?;
    let body = doc.body().ok_or_else(|| JsValue::from_str("Registration Guard: panel.html has no body"))?;
    let root = dom::by_id(&doc, "rg-panel")?;
    let panel = PanelHandle::mount(&doc, root, body, Host::Frame { port: None })?;
    panel.set_tenant(Rc::new(ExtensionTransport));
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("Registration Guard: no window"))?;
    let token = window.location().hash()?;

    for event in early.iter() {
        if let Ok(event) = event.dyn_into::<MessageEvent>() {
            panel.on_window_message(&token, event);
        }
    }
    let listener = {
        let panel = panel.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| panel.on_window_message(&token, event))
    };
    window.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())?;
    // The frame lives as long as its page; so do its listeners.
    listener.forget();

    spawn_local(async move {
        let collapsed = match wasm_bindgen_futures::JsFuture::from(stored).await {
            Ok(items) => js_sys::Reflect::get(&items, &JsValue::from_str(COLLAPSED_KEY)).ok().and_then(|v| v.as_bool()),
            Err(e) => {
                dom::warn(&format!("Registration Guard could not read its saved panel state: {e:?}"));
                None
            }
        };
        panel.set_collapsed_preference(collapsed.unwrap_or(false));
    });
    Ok(())
}

impl PanelHandle {
    /// Takes over `root` (the `#rg-panel` element) and `frame` (the element that carries the state
    /// attributes); listens for clicks and Escape there.
    fn mount(doc: &Document, root: HtmlElement, frame: HtmlElement, host: Host) -> Result<PanelHandle, JsValue> {
        frame.set_attribute("data-state", "waiting")?;
        let panel = PanelHandle(Rc::new(RefCell::new(Panel {
            doc: doc.clone(),
            root,
            frame: frame.clone(),
            host,
            facts: None,
            mode: PanelMode::Launcher,
            decide_mode: true,
            collapsed: None,
            focus_after_render: false,
            shown: None,
            tenant: None,
            flow: None,
            me: Weak::new(),
        })));
        panel.0.borrow_mut().me = Rc::downgrade(&panel.0);
        let on_click = {
            let panel = panel.clone();
            Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                let action = event
                    .target()
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .and_then(|t| t.closest("button[data-action]").ok().flatten())
                    .and_then(|button| button.get_attribute("data-action"));
                match action.as_deref() {
                    Some("open") => panel.admin_sets_mode(PanelMode::Full),
                    Some("collapse") => panel.admin_sets_mode(PanelMode::Launcher),
                    _ => {}
                }
            })
        };
        let on_key = {
            let panel = panel.clone();
            Closure::<dyn FnMut(KeyboardEvent)>::new(move |event: KeyboardEvent| {
                if event.key() == "Escape" && panel.0.borrow().mode == PanelMode::Full {
                    event.prevent_default();
                    panel.admin_sets_mode(PanelMode::Launcher);
                }
            })
        };
        frame.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
        frame.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref())?;
        on_click.forget();
        on_key.forget();
        Ok(panel)
    }

    /// Lets the panel check and protect the tenant through `tenant`: the background in the extension,
    /// a simulated tenant on the demo page.
    pub fn set_tenant(&self, tenant: Rc<dyn TenantTransport>) {
        let mut panel = self.0.borrow_mut();
        panel.tenant = Some(tenant);
        panel.flow = None;
        panel.shown = None;
        panel.render();
    }

    /// New facts about the page (after connecting, after a navigation, after a resize).
    pub fn set_facts(&self, facts: PageFacts) {
        let mut panel = self.0.borrow_mut();
        let navigated = panel.facts.as_ref().map(|f| &f.url) != Some(&facts.url);
        if navigated {
            panel.decide_mode = true;
            if let Host::Frame { .. } = panel.host {
                report_to_background(facts.clone());
            }
        }
        panel.facts = Some(facts);
        panel.render();
    }

    fn set_collapsed_preference(&self, collapsed: bool) {
        let mut panel = self.0.borrow_mut();
        panel.collapsed = Some(collapsed);
        panel.render();
    }

    /// The admin opened or collapsed the panel: remember it, and move focus to the control that replaced
    /// the one they used.
    fn admin_sets_mode(&self, mode: PanelMode) {
        let mut panel = self.0.borrow_mut();
        if panel.mode == mode {
            return;
        }
        panel.mode = mode;
        panel.decide_mode = false;
        panel.collapsed = Some(mode == PanelMode::Launcher);
        panel.focus_after_render = true;
        if let Host::Frame { .. } = panel.host {
            spawn_local(async move {
                if let Err(e) = chrome::set_local_bool(COLLAPSED_KEY, mode == PanelMode::Launcher).await {
                    dom::warn(&format!("Registration Guard could not save the panel state: {e:?}"));
                }
            });
        }
        panel.render();
    }

    /// Judges a `message` event on the frame's window: only the first handshake that comes from a portal
    /// origin and carries this frame's token connects; everything else is refused.
    fn on_window_message(&self, token: &str, event: MessageEvent) {
        if let Host::Frame { port: Some(_) } = self.0.borrow().host {
            return;
        }
        let handshake = match chrome::from_js::<FrameHandshake>(event.data()) {
            Ok(handshake) => handshake,
            Err(reason) => return dom::warn(&format!("Registration Guard ignored a message to its panel: {reason}")),
        };
        if let Err(e) = crate::context::parse_portal_url(&event.origin()) {
            return dom::warn(&format!("Registration Guard refused a connection from {}: {e}", event.origin()));
        }
        if let Err(e) = handshake.accept(token) {
            return dom::warn(&e.to_string());
        }
        let Some(port) = event.ports().get(0).dyn_into::<MessagePort>().ok() else {
            return dom::warn("Registration Guard refused a connection without a message port");
        };
        let on_port_message = {
            let panel = self.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                match chrome::from_js::<ToPanel>(event.data()).map_err(|reason| reason.to_string()).and_then(|msg| {
                    msg.validate().map_err(|e| e.to_string())?;
                    Ok(msg)
                }) {
                    Ok(ToPanel::Facts { facts }) => panel.set_facts(facts),
                    Err(reason) => dom::warn(&format!("Registration Guard ignored a page update: {reason}")),
                }
            })
        };
        port.set_onmessage(Some(on_port_message.as_ref().unchecked_ref()));
        on_port_message.forget();
        self.0.borrow_mut().host = Host::Frame { port: Some(port) };
    }
}

/// Tells the background which page the panel shows, so the toolbar button can name it.
fn report_to_background(facts: PageFacts) {
    spawn_local(async move {
        let result = async {
            let message = chrome::to_js(&ToBackground::PanelShown { facts })?;
            let reply = chrome::send_to_background(&message).await?;
            chrome::from_js::<BackgroundReply>(reply).map_err(|e| JsValue::from_str(&e))
        }
        .await;
        match result {
            Ok(BackgroundReply::Refused { reason }) => dom::warn(&reason),
            Ok(_) => {}
            Err(e) => dom::warn(&format!("Registration Guard could not reach its background: {e:?}")),
        }
    });
}

impl Panel {
    fn render(&mut self) {
        let (Some(collapsed), Some(facts)) = (self.collapsed, self.facts.clone()) else {
            return;
        };
        let context = facts.context();
        if self.decide_mode {
            self.mode = initial_mode(context.as_ref().ok(), collapsed);
            self.decide_mode = false;
        }
        let shown = Shown { mode: self.mode, theme: facts.theme(), url: facts.url.clone(), account: facts.account.label() };
        if self.shown.as_ref() != Some(&shown) {
            if let Err(e) = self.rebuild(&shown, &context) {
                dom::warn(&format!("Registration Guard could not draw its panel: {e:?}"));
                return;
            }
            self.shown = Some(shown);
        }
        self.send_layout(&facts);
    }

    fn rebuild(&mut self, shown: &Shown, context: &Result<PortalContext, ContextError>) -> Result<(), JsValue> {
        let theme = match shown.theme {
            Theme::Light => "light",
            Theme::Dark => "dark",
        };
        attrs(&self.frame, &[("data-mode", shown.mode.as_str()), ("data-theme", theme), ("data-state", "ready")])?;
        self.root.set_text_content(None);
        let flow = match (shown.mode, context) {
            (PanelMode::Full, Ok(ctx)) => self.flow_for(ctx)?,
            _ => None,
        };
        let focus = match shown.mode {
            PanelMode::Launcher => launcher_view(&self.doc, &self.root, context)?,
            PanelMode::Full => full_view(&self.doc, &self.root, context, shown.account.as_deref(), flow.as_ref())?,
        };
        if std::mem::take(&mut self.focus_after_render) {
            focus.focus()?;
        }
        Ok(())
    }

    /// The apply flow for the tenant of `ctx` (the same one while the page stays in that tenant).
    fn flow_for(&mut self, ctx: &PortalContext) -> Result<Option<Element>, JsValue> {
        let Some(tenant) = self.tenant.clone() else { return Ok(None) };
        let key = format!("{:?}|{}", ctx.cloud, ctx.tenant.as_ref().map(|t| t.label()).unwrap_or_default());
        if let Some((shown_key, view)) = &self.flow {
            if *shown_key == key {
                return Ok(Some(view.element()));
            }
        }
        let me = self.me.clone();
        let on_resize: Rc<dyn Fn()> = Rc::new(move || {
            // While the panel itself is drawing it measures afterwards anyway.
            if let Some(panel) = me.upgrade() {
                if let Ok(panel) = panel.try_borrow() {
                    if let Some(facts) = &panel.facts {
                        panel.send_layout(facts);
                    }
                }
            }
        });
        let login_hint = self.facts.as_ref().and_then(|f| f.account.me_control_email.clone()).filter(|e| e.contains('@'));
        let view = FlowView::new(&self.doc, tenant, ctx, login_hint, on_resize)?;
        view.check_silently();
        let element = view.element();
        self.flow = Some((key, view));
        Ok(Some(element))
    }

    /// In the extension, asks the content script to size the frame to the panel's content, within the
    /// placement rule of [`FrameLayout`].
    fn send_layout(&self, facts: &PageFacts) {
        let Host::Frame { port: Some(port) } = &self.host else { return };
        let content_height = match self.mode {
            PanelMode::Launcher => 0,
            PanelMode::Full => self.measure_full_height(facts),
        };
        let layout = FrameLayout::new(self.mode, content_height, facts.viewport);
        if let Err(e) = chrome::to_js(&layout.message()).and_then(|msg| port.post_message(&msg)) {
            dom::warn(&format!("Registration Guard could not resize its panel: {e:?}"));
        }
    }

    /// Height the full panel needs at the width it will get, borders included.
    fn measure_full_height(&self, facts: &PageFacts) -> u32 {
        let width = FrameLayout::new(PanelMode::Full, 0, facts.viewport).width;
        let borders = (self.root.offset_width() - self.root.client_width()).max(0) as u32;
        let Some(card) = self.root.first_element_child().and_then(|c| c.dyn_into::<HtmlElement>().ok()) else {
            return 0;
        };
        // Lay the card out at its final width now, so the height measured is the height it will have.
        let _ = card.style().set_property("width", &format!("{}px", width.saturating_sub(borders)));
        card.offset_height().max(0) as u32 + borders
    }
}

/// The launcher: one round button. Returns the element to focus.
fn launcher_view(
    doc: &Document,
    root: &HtmlElement,
    context: &Result<PortalContext, ContextError>,
) -> Result<HtmlElement, JsValue> {
    let button = el(doc, "button", "rg-launcher")?;
    let tooltip = match context {
        Ok(ctx) => format!("Registration Guard — {}", ctx.summary()),
        Err(_) => "Registration Guard".to_string(),
    };
    attrs(
        &button,
        &[
            ("type", "button"),
            ("data-action", "open"),
            ("aria-label", "Open Registration Guard"),
            ("aria-expanded", "false"),
            ("title", &tooltip),
        ],
    )?;
    dom::append(&button, &dom::shield_icon(doc, "rg-launcher-icon")?)?;
    dom::append(root, &button)?;
    button.dyn_into::<HtmlElement>().map_err(Into::into)
}

/// The full panel. Returns the element to focus (the collapse button).
fn full_view(
    doc: &Document,
    root: &HtmlElement,
    context: &Result<PortalContext, ContextError>,
    account: Option<&str>,
    flow: Option<&Element>,
) -> Result<HtmlElement, JsValue> {
    let card = el(doc, "div", "rg-card")?;

    let header = el(doc, "header", "rg-header")?;
    dom::append(&header, &dom::shield_icon(doc, "rg-logo")?)?;
    dom::append(&header, &text_el(doc, "h1", "rg-title", "Registration Guard")?)?;
    let collapse = el(doc, "button", "rg-collapse")?;
    attrs(
        &collapse,
        &[
            ("type", "button"),
            ("data-action", "collapse"),
            ("aria-label", "Collapse Registration Guard"),
            ("aria-expanded", "true"),
            ("aria-controls", "rg-body"),
            ("title", "Collapse (Esc)"),
        ],
    )?;
    dom::append(&collapse, &dom::icon(doc, "rg-collapse-icon", &[("m6 9 6 6 6-6", "rg-icon-stroke")])?)?;
    dom::append(&header, &collapse)?;
    dom::append(&card, &header)?;

    let body = el(doc, "div", "rg-body")?;
    body.set_id("rg-body");
    match context {
        Ok(ctx) => {
            dom::append(&body, &where_section(doc, ctx, account)?)?;
            // The tenant's verdict and the action come first; the explanations follow.
            if let Some(flow) = flow {
                dom::append(&body, flow)?;
            }
            dom::append(&body, &section(doc, "On this page", &[&area_note(ctx)])?)?;
            dom::append(&body, &section(doc, "What Registration Guard sets up", &[PROTECTION])?)?;
            if flow.is_none() {
                let next = section(doc, "Next step", &[&next_step(ctx)])?;
                next.class_list().add_1("rg-next")?;
                dom::append(&body, &next)?;
            }
            dom::append(&body, &section(doc, "What users will see", &[BLOCK_PAGE, BLOCK_PAGE_ADMIN])?)?;
        }
        Err(error) => {
            let notice = text_el(doc, "p", "rg-error", &error.to_string())?;
            notice.set_attribute("data-testid", "context-error")?;
            dom::append(&body, &notice)?;
            dom::append(&body, &section(doc, "What Registration Guard sets up", &[PROTECTION])?)?;
        }
    }
    dom::append(&card, &body)?;
    dom::append(root, &card)?;
    collapse.dyn_into::<HtmlElement>().map_err(Into::into)
}

/// "You are here": the summary line and its parts.
fn where_section(doc: &Document, ctx: &PortalContext, account: Option<&str>) -> Result<Element, JsValue> {
    let where_ = el(doc, "section", "rg-where")?;
    where_.set_attribute("aria-label", "Where you are")?;
    let summary = text_el(doc, "p", "rg-summary", &ctx.summary())?;
    summary.set_attribute("data-testid", "context-summary")?;
    dom::append(&where_, &summary)?;

    let list = el(doc, "dl", "rg-facts")?;
    let tenant = ctx.tenant.as_ref().map_or_else(|| "not named in the page address".to_string(), |t| t.label());
    let rows: [(&str, String, Option<&str>); 4] = [
        ("Area", ctx.area.label(), Some("area")),
        ("Tenant", tenant, None),
        ("Cloud", ctx.cloud.label().to_string(), None),
        ("Portal", ctx.host.clone(), None),
    ];
    for (term, value, test_id) in rows {
        fact_row(doc, &list, term, &value, test_id)?;
    }
    if let Some(account) = account {
        fact_row(doc, &list, "Signed in as", account, Some("account"))?;
    }
    dom::append(&where_, &list)?;
    if ctx.retired_host {
        dom::append(&where_, &text_el(
            doc,
            "p",
            "rg-warning",
            &format!(
                "{} is a retired address that Microsoft redirects: bookmark {} instead.",
                ctx.host,
                ctx.cloud.admin_center_host().unwrap_or(ctx.cloud.azure_portal_host())
            ),
        )?)?;
    }
    Ok(where_)
}

fn fact_row(doc: &Document, list: &Element, term: &str, value: &str, test_id: Option<&str>) -> Result<(), JsValue> {
    dom::append(list, &text_el(doc, "dt", "", term)?)?;
    let dd = text_el(doc, "dd", "", value)?;
    if let Some(id) = test_id {
        dd.set_attribute("data-testid", id)?;
    }
    dom::append(list, &dd)?;
    Ok(())
}

fn section(doc: &Document, heading: &str, paragraphs: &[&str]) -> Result<Element, JsValue> {
    let section = el(doc, "section", "rg-section")?;
    dom::append(&section, &text_el(doc, "h2", "", heading)?)?;
    for paragraph in paragraphs {
        dom::append(&section, &text_el(doc, "p", "", paragraph)?)?;
    }
    Ok(section)
}

const PROTECTION: &str = "A Conditional Access policy on the user action “Register security information” (adding MFA \
     and password-reset methods) for every location except your trusted ones: blocked there, or MFA required so a \
     Temporary Access Pass still lets remote new hires enrol. It starts in report-only mode and excludes you and your \
     emergency-access accounts.";

const BLOCK_PAGE: &str = "Away from a trusted location, users who try to add a method meet “You cannot access this right \
     now” (error 53003). They can register from a trusted network or, where MFA is required instead of a block, with \
     a Temporary Access Pass from the helpdesk.";

const BLOCK_PAGE_ADMIN: &str = "To see why someone was stopped, open Entra ID › Monitoring & health › Sign-in logs, \
     filter by the correlation ID from their error page, and read the Conditional Access tab.";

/// What this page means for protecting registration.
fn area_note(ctx: &PortalContext) -> String {
    match &ctx.area {
        Area::ConditionalAccessOverview | Area::Policies => "This is where the policy will live. Registration Guard \
             looks for one that already covers the user action “Register security information” before it offers \
             to create one, so you never get a duplicate."
            .to_string(),
        Area::Policy { id: Some(_) } => "You are looking at one policy. It protects registration only if it targets \
             the user action “Register security information”, includes any location, excludes all trusted locations \
             and is on (or in report-only while you test)."
            .to_string(),
        Area::Policy { id: None } => "Creating a policy by hand? Under Target resources choose User actions › \
             Register security information; under Network include Any location and exclude All trusted locations; \
             then grant Block, or Require multifactor authentication."
            .to_string(),
        Area::NamedLocations => "The policy exempts “All trusted locations”: every IP range location marked as \
             trusted here, plus the legacy MFA trusted IPs. Without a trusted location, blocking outside trusted \
             locations would block registration everywhere."
            .to_string(),
        Area::WhatIf => "What If evaluates saved policies only. Pick the user action “Register security \
             information” and an IP address to see whether registration from there would be blocked."
            .to_string(),
        Area::Templates => "Microsoft's template “Securing security info registration” requires MFA outside \
             trusted locations and excludes guests. Registration Guard offers it alongside the stricter block."
            .to_string(),
        Area::OtherConditionalAccess { section } => format!(
            "{section} is not needed to protect registration: the policy uses users, a user action, locations and \
             a grant control only."
        ),
        Area::SecurityDefaults => "While security defaults are on, no Conditional Access policy can be turned on. \
             Turn them off here, under Manage security defaults, only once Conditional Access policies replace them."
            .to_string(),
        Area::AuthenticationMethods => "The methods enabled here are the ones users register at \
             mysignins.microsoft.com/security-info; the policy decides from where they may register them."
            .to_string(),
        Area::Other => "Open Entra ID › Conditional Access to protect security-info registration; the panel opens \
             there by itself."
            .to_string(),
    }
}

/// Where no tenant can be reached (the demo page before a simulated tenant is attached).
fn next_step(ctx: &PortalContext) -> String {
    let tenant = ctx.tenant.as_ref().map_or_else(|| "this tenant".to_string(), |t| t.label());
    format!(
        "Registration Guard reads {tenant} ({}) after you sign in from the extension, then tells you whether \
         registration is already protected and creates the policy when you confirm.",
        ctx.cloud.label()
    )
}

/// Docks a panel on the demo page: `root` is its `#rg-panel`, `dock` carries the state attributes.
pub fn mount_demo(doc: &Document, root: HtmlElement, dock: HtmlElement) -> Result<PanelHandle, JsValue> {
    let panel = PanelHandle::mount(doc, root, dock, Host::Demo)?;
    panel.set_collapsed_preference(false);
    Ok(panel)
}
