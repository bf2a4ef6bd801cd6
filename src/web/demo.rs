//! The trainer demo (`www/index.html`): a simulated Entra admin center on an in-page
//! [`SimTenant`], with the extension's real panel docked, personas, a presenter mode and an
//! offline analysis of the trainer's own tenant export. Nothing leaves the browser.
//!
//! State lives in one [`Demo`]; every change redraws the app from it (`demo_views`), so what is
//! shown is always what the tenant and the engine say now.

use super::demo_import::{read_dropped_files, read_picked_files, OwnTenant};
use super::demo_outcomes::DraftChoice;
use super::demo_views;
use super::dom;
use super::panel::{mount_demo, PanelHandle};
use super::transport::SimTransport;
use crate::engine::cidr::validate_trusted_ranges;
use crate::engine::model::{NamedLocation, PolicyState};
use crate::engine::presets::Preset;
use crate::messages::{AccountFacts, PageFacts, Viewport};
use crate::sim::{SimRequest, SimTenant};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{
    Document, Element, Event, HtmlElement, HtmlInputElement, HtmlSelectElement,
    HtmlTextAreaElement, KeyboardEvent,
};

/// Where the trainer is.
#[derive(Clone, Debug, PartialEq)]
pub enum View {
    Policies,
    Policy(String),
    NamedLocations,
    EndUser,
    Presenter,
    OwnTenant,
}

impl View {
    /// The admin-center address the docked panel sees for this view (`None` outside the admin center).
    fn portal_url(&self, tenant_id: &str) -> Option<String> {
        // The admin center puts the tenant id in the address (`entra.microsoft.com/{tenant}#view/…`).
        let blade =
            format!("https://entra.microsoft.com/{tenant_id}#view/Microsoft_AAD_ConditionalAccess");
        let blade = blade.as_str();
        match self {
            View::Policies => Some(format!("{blade}/ConditionalAccessBlade/~/Policies")),
            View::Policy(id) => Some(format!("{blade}/PolicyBlade/policyId/{id}")),
            View::NamedLocations => {
                Some(format!("{blade}/ConditionalAccessBlade/~/NamedLocations"))
            }
            View::EndUser | View::Presenter | View::OwnTenant => None,
        }
    }
}

/// The presenter's steps through the setting, in order.
pub const STEPS: [&str; 6] = [
    "Users",
    "Target resources",
    "Network",
    "Grant",
    "Enable policy",
    "What users see",
];

/// What an action told the trainer (shown in a live region).
#[derive(Clone, Debug)]
pub enum Notice {
    Done(String),
    Problem(String),
    /// Range errors or warnings, one per line.
    Lines {
        title: String,
        lines: Vec<String>,
        problem: bool,
    },
}

/// Everything the demo shows.
pub struct Demo {
    pub tenant: Rc<RefCell<SimTenant>>,
    pub view: View,
    pub draft: DraftChoice,
    pub persona: String,
    /// The persona pressed "Register security info" (the end-user view shows the outcome).
    pub registered: bool,
    pub step: usize,
    pub large_text: bool,
    pub range_name: String,
    pub range_text: String,
    pub notice: Option<Notice>,
    pub own: OwnTenant,
    /// Policy and location fingerprint last drawn, to redraw when the panel's flow changes the tenant.
    drawn: String,
}

/// A shared handle, held by the page's listeners.
#[derive(Clone)]
pub struct DemoHandle {
    demo: Rc<RefCell<Demo>>,
    doc: Document,
    app: HtmlElement,
    dock: HtmlElement,
    panel: PanelHandle,
}

/// Entry point of `www/demo.js`.
#[wasm_bindgen]
pub fn start_demo() -> Result<(), JsValue> {
    let doc = dom::document()?;
    let app = dom::by_id(&doc, "rg-demo-app")?;
    let dock = dom::by_id(&doc, "rg-dock")?;
    let panel = mount_demo(&doc, dom::by_id(&doc, "rg-panel")?, dock.clone())?;
    let restored = saved_tenant();
    let notice = restored.is_some().then(|| {
        Notice::Done(
            "The simulated tenant is as you left it in this tab. Reset demo starts over."
                .to_string(),
        )
    });
    let tenant = Rc::new(RefCell::new(
        restored.unwrap_or_else(SimTenant::contoso_demo),
    ));
    // The panel's own apply flow runs against the same in-page tenant the lists show.
    panel.set_tenant(Rc::new(SimTransport::new(tenant.clone())));
    let demo = Demo {
        tenant,
        view: View::Policies,
        draft: DraftChoice {
            preset: Preset::BlockOutsideTrusted,
            state: PolicyState::EnabledForReportingButNotEnforced,
        },
        persona: "remote-new-hire".to_string(),
        registered: false,
        step: 0,
        large_text: false,
        range_name: "Branch office".to_string(),
        range_text: String::new(),
        notice,
        own: OwnTenant::default(),
        drawn: String::new(),
    };
    let handle = DemoHandle {
        demo: Rc::new(RefCell::new(demo)),
        doc: doc.clone(),
        app: app.clone(),
        dock,
        panel,
    };
    handle.render(None);
    handle.listen()?;
    Ok(())
}

impl DemoHandle {
    fn listen(&self) -> Result<(), JsValue> {
        let on_click = {
            let me = self.clone();
            Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                let Some(button) = action_target(&event, "button[data-action]") else {
                    return;
                };
                let action = button.get_attribute("data-action").unwrap_or_default();
                let arg = button.get_attribute("data-arg").unwrap_or_default();
                me.act(&action, &arg);
                if matches!(
                    action.as_str(),
                    "reset" | "policy-state" | "delete-policy" | "add-range" | "create-draft"
                ) {
                    // The tenant changed behind the panel's back: a fresh transport makes its flow
                    // review the tenant as it is now instead of showing what it read before.
                    let tenant = me.demo.borrow().tenant.clone();
                    me.panel.set_tenant(Rc::new(SimTransport::new(tenant)));
                }
                me.render(Some((action, arg)));
            })
        };
        self.app
            .add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
        on_click.forget();

        // The panel links to the policy in the portal; offline, the simulated admin center opens it.
        let on_panel_link = {
            let me = self.clone();
            Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                let Some(link) = action_target(&event, "a[href*=\"/PolicyBlade/policyId/\"]")
                else {
                    return;
                };
                let href = link.get_attribute("href").unwrap_or_default();
                let Some(id) = href
                    .rsplit("/policyId/")
                    .next()
                    .map(|id| id.split(['/', '?', '#']).next().unwrap_or(id))
                else {
                    return;
                };
                event.prevent_default();
                me.demo.borrow_mut().view = View::Policy(id.to_string());
                // No control by that name: focus goes to the blade title of the opened policy.
                me.render(Some(("opened-from-panel".to_string(), String::new())));
            })
        };
        self.dock
            .add_event_listener_with_callback("click", on_panel_link.as_ref().unchecked_ref())?;
        on_panel_link.forget();

        let on_change = {
            let me = self.clone();
            Closure::<dyn FnMut(Event)>::new(move |event: Event| me.on_change(&event))
        };
        self.app
            .add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref())?;
        on_change.forget();

        let on_input = {
            let me = self.clone();
            Closure::<dyn FnMut(Event)>::new(move |event: Event| me.on_input(&event))
        };
        self.app
            .add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref())?;
        on_input.forget();

        let on_key = {
            let me = self.clone();
            Closure::<dyn FnMut(KeyboardEvent)>::new(move |event: KeyboardEvent| me.on_key(&event))
        };
        self.doc
            .add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref())?;
        on_key.forget();

        for name in ["dragover", "drop"] {
            let me = self.clone();
            let on_drop = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                if action_target(&event, "[data-dropzone]").is_none() {
                    return;
                }
                event.prevent_default();
                if event.type_() == "drop" {
                    me.import_later(read_dropped_files(&event));
                }
            });
            self.app
                .add_event_listener_with_callback(name, on_drop.as_ref().unchecked_ref())?;
            on_drop.forget();
        }

        // The panel's apply flow writes to the same tenant; redraw the lists when it did.
        let watch = {
            let me = self.clone();
            Closure::<dyn FnMut()>::new(move || {
                let changed = {
                    let demo = me.demo.borrow();
                    let now = fingerprint(&demo.tenant.borrow());
                    now != demo.drawn
                };
                if changed {
                    me.render(None);
                }
            })
        };
        let window =
            web_sys::window().ok_or_else(|| JsValue::from_str("Registration Guard: no window"))?;
        window.set_interval_with_callback_and_timeout_and_arguments_0(
            watch.as_ref().unchecked_ref(),
            600,
        )?;
        watch.forget();

        let on_resize = {
            let me = self.clone();
            Closure::<dyn FnMut()>::new(move || me.show_panel_facts())
        };
        window.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref())?;
        on_resize.forget();
        Ok(())
    }

    /// Runs one button's action on the state.
    fn act(&self, action: &str, arg: &str) {
        let mut demo = self.demo.borrow_mut();
        demo.notice = None;
        match action {
            "view" => {
                demo.view = match arg {
                    "locations" => View::NamedLocations,
                    "end-user" => View::EndUser,
                    "presenter" => View::Presenter,
                    "own" => View::OwnTenant,
                    _ => View::Policies,
                }
            }
            "open-policy" => demo.view = View::Policy(arg.to_string()),
            "policy-state" => {
                if let (View::Policy(id), Ok(state)) = (demo.view.clone(), PolicyState::parse(arg))
                {
                    let path = format!("/v1.0/identity/conditionalAccess/policies/{id}");
                    let result = graph(
                        &demo.tenant,
                        "PATCH",
                        &path,
                        Some(json!({ "state": state.as_str() })),
                    );
                    demo.notice = Some(match result {
                        Ok(_) => Notice::Done(format!("Policy state set to {}.", state.label())),
                        Err(e) => Notice::Problem(e),
                    });
                }
            }
            "delete-policy" => {
                if let View::Policy(id) = demo.view.clone() {
                    let path = format!("/v1.0/identity/conditionalAccess/policies/{id}");
                    match graph(&demo.tenant, "DELETE", &path, None) {
                        Ok(_) => {
                            demo.view = View::Policies;
                            demo.notice = Some(Notice::Done("Policy deleted.".to_string()));
                        }
                        Err(e) => demo.notice = Some(Notice::Problem(e)),
                    }
                }
            }
            "add-range" => {
                let notice = add_trusted_location(&demo.tenant, &demo.range_name, &demo.range_text);
                if matches!(
                    notice,
                    Notice::Done(_) | Notice::Lines { problem: false, .. }
                ) {
                    demo.range_text.clear();
                }
                demo.notice = Some(notice);
            }
            "persona" => {
                demo.persona = arg.to_string();
                demo.registered = false;
            }
            "register" => demo.registered = true,
            "step" => demo.step = arg.parse::<usize>().unwrap_or(0).min(STEPS.len() - 1),
            "next" => demo.step = (demo.step + 1).min(STEPS.len() - 1),
            "previous" => demo.step = demo.step.saturating_sub(1),
            "large-text" => demo.large_text = !demo.large_text,
            "reset" => {
                *demo.tenant.borrow_mut() = SimTenant::contoso_demo();
                demo.step = 0;
                demo.registered = false;
                demo.draft = DraftChoice {
                    preset: Preset::BlockOutsideTrusted,
                    state: PolicyState::EnabledForReportingButNotEnforced,
                };
                if matches!(demo.view, View::Policy(_)) {
                    demo.view = View::Policies;
                }
                demo.notice = Some(Notice::Done(
                    "The demo tenant is back to its starting state.".to_string(),
                ));
            }
            "create-draft" => {
                let snapshot = demo.tenant.borrow().snapshot();
                let result = demo.draft.plan(&snapshot).and_then(|plan| {
                    graph(
                        &demo.tenant,
                        "POST",
                        "/v1.0/identity/conditionalAccess/policies",
                        Some(plan.body),
                    )
                });
                demo.notice = Some(match result {
                    Ok(created) => Notice::Done(format!(
                        "Created “{}” ({}) in the simulated tenant.",
                        created["displayName"].as_str().unwrap_or_default(),
                        PolicyState::parse(created["state"].as_str().unwrap_or_default())
                            .map_or("", |s| s.label())
                    )),
                    Err(e) => Notice::Problem(e),
                });
            }
            "import-text" => {
                let text = demo.own.text.clone();
                demo.own
                    .import_files(vec![("the pasted text".to_string(), Ok(text.into_bytes()))]);
            }
            "clear-own" => demo.own = OwnTenant::default(),
            _ => {}
        }
    }

    fn on_change(&self, event: &Event) {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        match target.get_attribute("data-action").as_deref() {
            Some("preset") => {
                let value = target
                    .dyn_ref::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default();
                if let Some(preset) = Preset::ALL
                    .into_iter()
                    .find(|p| super::blockpreview_view::preset_slug(*p) == value)
                {
                    self.demo.borrow_mut().draft.preset = preset;
                }
            }
            Some("draft-state") => {
                let value = target
                    .dyn_ref::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default();
                if let Ok(state) = PolicyState::parse(&value) {
                    self.demo.borrow_mut().draft.state = state;
                }
            }
            Some("pick-file") => {
                self.import_later(
                    target
                        .dyn_ref::<HtmlInputElement>()
                        .map(read_picked_files)
                        .unwrap_or_default(),
                );
                return;
            }
            _ => return,
        }
        self.render(
            target
                .get_attribute("data-action")
                .map(|a| (a, String::new())),
        );
    }

    /// Keeps typed text in the state, so redraws never lose it.
    fn on_input(&self, event: &Event) {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let value = if let Some(area) = target.dyn_ref::<HtmlTextAreaElement>() {
            area.value()
        } else if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
            input.value()
        } else {
            return;
        };
        let mut demo = self.demo.borrow_mut();
        match target.get_attribute("data-bind").as_deref() {
            Some("range-name") => demo.range_name = value,
            Some("range-text") => demo.range_text = value,
            Some("own-text") => demo.own.text = value,
            _ => {}
        }
    }

    /// Presenter keys: → ↓ Space PageDown next; ← ↑ PageUp previous; Home, End. Form controls keep
    /// their own keys.
    fn on_key(&self, event: &KeyboardEvent) {
        if self.demo.borrow().view != View::Presenter
            || event.alt_key()
            || event.ctrl_key()
            || event.meta_key()
        {
            return;
        }
        // Arrows and Home/End belong to text fields and lists; Space also presses buttons and links.
        let in_field = action_target(event, "input, select, textarea, [contenteditable]").is_some();
        let on_button = action_target(event, "button, a, summary").is_some();
        let action = match event.key().as_str() {
            _ if in_field => return,
            "ArrowRight" | "ArrowDown" | "PageDown" => "next",
            " " if !on_button => "next",
            "ArrowLeft" | "ArrowUp" | "PageUp" => "previous",
            "Home" => "first",
            "End" => "last",
            _ => return,
        };
        event.prevent_default();
        {
            let mut demo = self.demo.borrow_mut();
            demo.step = match action {
                "next" => (demo.step + 1).min(STEPS.len() - 1),
                "previous" => demo.step.saturating_sub(1),
                "first" => 0,
                _ => STEPS.len() - 1,
            };
        }
        self.render(None);
    }

    /// Imports a file once its bytes are read.
    fn import_later(&self, readings: Vec<super::demo_import::Reading>) {
        if readings.is_empty() {
            return;
        }
        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let files = super::demo_import::bytes_of(readings).await;
            me.demo.borrow_mut().own.import_files(files);
            me.render(None);
        });
    }

    /// Redraws the app; `focus` names the control that was used, focused again if it still exists.
    fn render(&self, focus: Option<(String, String)>) {
        {
            let mut demo = self.demo.borrow_mut();
            let print = fingerprint(&demo.tenant.borrow());
            if print != demo.drawn {
                save_tenant(&demo.tenant.borrow());
            }
            demo.drawn = print;
        }
        let result = demo_views::draw(&self.doc, &self.app, &self.demo.borrow());
        if let Err(e) = result {
            dom::warn(&format!("Registration Guard demo could not draw: {e:?}"));
            return;
        }
        let demo = self.demo.borrow();
        let root = self.doc.document_element();
        if let Some(root) = root {
            let _ = root.set_attribute(
                "data-large-text",
                if demo.large_text { "true" } else { "false" },
            );
        }
        let admin = matches!(
            demo.view,
            View::Policies | View::Policy(_) | View::NamedLocations
        );
        // The tab title names the view, as the portal's does (and screen readers announce it).
        let place = match &demo.view {
            View::Policies => "Conditional Access policies",
            View::Policy(_) => "Policy",
            View::NamedLocations => "Named locations",
            View::EndUser => "End-user view",
            View::Presenter => "Presenter",
            View::OwnTenant => "Your tenant",
        };
        self.doc
            .set_title(&format!("{place} — Registration Guard trainer demo"));
        if admin {
            let _ = self.dock.remove_attribute("hidden");
        } else {
            let _ = self.dock.set_attribute("hidden", "");
        }
        drop(demo);
        self.show_panel_facts();
        if let Some((action, arg)) = focus {
            let selector = if arg.is_empty() {
                format!("[data-action=\"{action}\"]")
            } else {
                format!("[data-action=\"{action}\"][data-arg=\"{arg}\"]")
            };
            let target = self
                .app
                .query_selector(&selector)
                .ok()
                .flatten()
                .or_else(|| {
                    self.app
                        .query_selector("[data-focus-after-change]")
                        .ok()
                        .flatten()
                });
            if let Some(target) = target.and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
                let _ = target.focus();
            }
        }
    }

    /// Gives the docked panel the facts a portal page would give for the current admin-center view.
    fn show_panel_facts(&self) {
        let demo = self.demo.borrow();
        let tenant = demo.tenant.borrow();
        let Some(url) = demo.view.portal_url(&tenant.tenant_id) else {
            return;
        };
        let admin = tenant
            .signed_in_admin
            .as_deref()
            .and_then(|id| tenant.user(id));
        let window = web_sys::window();
        let dimension = |value: Option<Result<JsValue, JsValue>>| {
            value
                .and_then(Result::ok)
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as u32
        };
        let facts = PageFacts {
            url,
            title: String::new(),
            lang: "en".to_string(),
            body_background: "rgb(255, 255, 255)".to_string(),
            root_background: "rgba(0, 0, 0, 0)".to_string(),
            prefers_dark: false,
            account: AccountFacts {
                me_control_name: admin.map(|u| u.display_name.clone()),
                me_control_email: admin.map(|u| u.user_principal_name.clone()),
                ..AccountFacts::default()
            },
            viewport: Viewport {
                width: dimension(window.as_ref().map(|w| w.inner_width())),
                height: dimension(window.as_ref().map(|w| w.inner_height())),
            },
        };
        drop(tenant);
        drop(demo);
        self.panel.set_facts(facts);
    }
}

/// The element matching `selector` at or above the event's target.
fn action_target(event: &Event, selector: &str) -> Option<Element> {
    event
        .target()?
        .dyn_into::<Element>()
        .ok()?
        .closest(selector)
        .ok()
        .flatten()
}

/// What the lists show of the tenant: redrawn when this changes.
fn fingerprint(tenant: &SimTenant) -> String {
    let policies = tenant
        .policies
        .iter()
        .map(|p| format!("{:?}{}{}", p.id, p.display_name, p.state.as_str()));
    let locations = tenant
        .named_locations
        .iter()
        .map(|l| format!("{:?}{}{}", l.id(), l.display_name(), l.is_trusted()));
    policies.chain(locations).collect::<Vec<_>>().join("|")
}

/// One Graph request to the simulated tenant, as the signed-in admin; the Graph error message
/// when it fails.
pub fn graph(
    tenant: &Rc<RefCell<SimTenant>>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let now = js_sys::Date::now() as u64;
    let mut tenant = tenant.borrow_mut();
    let token = tenant.issue_access_token_for_admin(
        &["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"],
        now,
    );
    let mut request = SimRequest::new(method, path).bearer(&token);
    if let Some(body) = body {
        request = request.json(&body.to_string());
    }
    let response = tenant.handle(&request, now);
    let answer = response.json();
    if response.status < 300 {
        Ok(answer)
    } else {
        Err(answer["error"]["message"].as_str().map_or_else(
            || format!("Microsoft Graph answered {}.", response.status),
            str::to_string,
        ))
    }
}

/// Validates the typed ranges and creates a trusted IP named location from them.
fn add_trusted_location(tenant: &Rc<RefCell<SimTenant>>, name: &str, text: &str) -> Notice {
    let name = name.trim();
    if name.is_empty() {
        return Notice::Problem("Give the new trusted location a name.".to_string());
    }
    let validated = match validate_trusted_ranges(text) {
        Ok(validated) => validated,
        Err(errors) => {
            return Notice::Lines {
                title: "No location was created: correct these ranges.".to_string(),
                lines: errors.into_iter().map(|e| e.message).collect(),
                problem: true,
            }
        }
    };
    let location = NamedLocation::Ip {
        id: None,
        display_name: name.to_string(),
        is_trusted: true,
        ip_ranges: validated.ranges.iter().map(ToString::to_string).collect(),
        extra: Default::default(),
    };
    match graph(
        tenant,
        "POST",
        "/v1.0/identity/conditionalAccess/namedLocations",
        Some(location.to_graph_json()),
    ) {
        Ok(_) if validated.warnings.is_empty() => {
            Notice::Done(format!("Trusted location “{name}” created."))
        }
        Ok(_) => Notice::Lines {
            title: format!("Trusted location “{name}” created. Note:"),
            lines: validated.warnings.into_iter().map(|w| w.message).collect(),
            problem: false,
        },
        Err(e) => Notice::Problem(e),
    }
}

/// `sessionStorage` key of the simulated tenant, so a reload in the middle of a class keeps it.
const SAVED_TENANT_KEY: &str = "registrationGuardDemoTenant";

/// Calls a method of the tab's `sessionStorage` (bound through `Reflect`: one value, one call).
fn session_storage_call(method: &str, args: &js_sys::Array) -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let storage = js_sys::Reflect::get(&window, &JsValue::from_str("sessionStorage"))?;
    let function: js_sys::Function =
        js_sys::Reflect::get(&storage, &JsValue::from_str(method))?.dyn_into()?;
    function.apply(&storage, args)
}

/// The tenant saved in this tab, if any and still readable.
fn saved_tenant() -> Option<SimTenant> {
    let saved = session_storage_call(
        "getItem",
        &js_sys::Array::of1(&JsValue::from_str(SAVED_TENANT_KEY)),
    )
    .ok()?;
    let tenant = serde_json::from_str(&saved.as_string()?);
    if tenant.is_err() {
        dom::warn("Registration Guard demo: the saved tenant of this tab is unreadable; starting from Contoso.");
    }
    tenant.ok()
}

/// Saves the tenant for this tab (a full or blocked storage only costs the restore after a reload).
fn save_tenant(tenant: &SimTenant) {
    let Ok(json) = serde_json::to_string(tenant) else {
        return;
    };
    let args = js_sys::Array::of2(
        &JsValue::from_str(SAVED_TENANT_KEY),
        &JsValue::from_str(&json),
    );
    if let Err(e) = session_storage_call("setItem", &args) {
        dom::warn(&format!(
            "Registration Guard demo could not keep the tenant for a reload: {e:?}"
        ));
    }
}
