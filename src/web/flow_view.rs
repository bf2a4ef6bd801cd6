//! The apply flow in the panel: check the tenant (sign-in + one `$batch`), show the coverage
//! verdict, choose a preset, review who is in and out, the findings and the exact JSON, then
//! Apply → confirm → one POST. Enforce and Undo act on the created (or an equivalent existing)
//! policy. The flow's decisions are [`ApplyFlow`]'s; this module renders and relays.
//!
//! Writes need a trusted user gesture in this frame (`event.isTrusted`): a script that could reach
//! the frame's DOM still could not press Apply, and page scripts cannot reach it at all.

use super::dom::{self, attrs, el, text_el};
use super::graph_fetch::{now_ms, sleep};
use super::transport::{SignInFailure, SignInHints, SignedIn, TenantTransport};
use crate::context::{Cloud, PortalContext, TenantHint};
use crate::engine::coverage::{assess, Verdict};
use crate::engine::export::{export_plan, ExportFormat};
use crate::engine::model::PolicyState;
use crate::engine::preflight::{FindingCode, PreflightFinding, Severity};
use crate::engine::presets::{build_plan, Plan, PlanOptions, Preset};
use crate::graph::apply::{ApplyFlow, ApplySettings, NewTrustedLocation, Step, Undo};
use crate::graph::errors::{ErrorContext, GraphError};
use crate::graph::retry::RetryPolicy;
use crate::graph::{policy_portal_link, GraphEndpoints};
use crate::messages::ExtensionSettings;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Document, Element, Event, HtmlInputElement, HtmlTextAreaElement};

/// Where the flow stands; each stage renders one view.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Idle,
    /// No client id in the options.
    NotConfigured { redirect_uri: String },
    SigningIn,
    /// Only the sign-in window can continue; `resume` when the flow waits for it.
    NeedsSignIn { resume: bool },
    /// Reading or writing; the text says what (and any wait Graph asked for).
    Working { text: String },
    Review,
    /// The policy exists (created now, or an equivalent one found): Enforce / Undo. `problem`:
    /// why the last Enforce or Undo did not go through (the buttons stay, to press again).
    Live { policy_id: String, name: String, state: PolicyState, created: bool, confirmed_by_reread: bool, problem: Option<String> },
    Deleted { name: String },
    Failed { message: String },
}

/// A pending confirmation inside the flow.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Confirm {
    Apply,
    Undo,
}

struct Flow {
    doc: Document,
    /// `<section data-testid="apply-flow">`, kept across panel rebuilds.
    section: Element,
    transport: Rc<dyn TenantTransport>,
    cloud: Cloud,
    hints: SignInHints,
    tenant_label: String,
    stage: Stage,
    confirm: Option<Confirm>,
    flow: Option<ApplyFlow>,
    signed_in: Option<SignedIn>,
    settings: ExtensionSettings,
    preset: Preset,
    turn_on: bool,
    location_name: String,
    location_ranges: String,
    location_error: Option<String>,
    /// Findings returned by a refused confirmation (blockers first).
    blocked: Vec<PreflightFinding>,
    export: Option<(ExportFormat, String)>,
    /// "What users will see" is open for the chosen preset.
    preview_open: bool,
    /// Display name of the policy being created (the review is gone once the POST is sent).
    creating: String,
    notice: Option<String>,
    on_resize: Rc<dyn Fn()>,
}

/// The flow section of one panel; clones share it.
#[derive(Clone)]
pub struct FlowView(Rc<RefCell<Flow>>);

const DEFAULT_LOCATION_NAME: &str = "Trusted office networks";

impl FlowView {
    /// A flow for the tenant of `ctx`, talking through `transport`. `on_resize` is called after each
    /// render (the panel re-measures its frame).
    pub fn new(
        doc: &Document,
        transport: Rc<dyn TenantTransport>,
        ctx: &PortalContext,
        login_hint: Option<String>,
        on_resize: Rc<dyn Fn()>,
    ) -> Result<FlowView, JsValue> {
        let section = el(doc, "section", "rg-section rg-flow")?;
        attrs(&section, &[("data-testid", "apply-flow"), ("aria-live", "polite"), ("aria-label", "Protect registration"), ("tabindex", "-1")])?;
        let tenant = match &ctx.tenant {
            Some(TenantHint::Domain(d)) | Some(TenantHint::Id(d)) => Some(d.clone()),
            _ => None,
        };
        let view = FlowView(Rc::new(RefCell::new(Flow {
            doc: doc.clone(),
            section: section.clone(),
            transport,
            cloud: ctx.cloud,
            hints: SignInHints { tenant, login_hint },
            tenant_label: ctx.tenant.as_ref().map_or_else(|| "this tenant".to_string(), |t| t.label()),
            stage: Stage::Idle,
            confirm: None,
            flow: None,
            signed_in: None,
            settings: ExtensionSettings::default(),
            preset: Preset::BlockOutsideTrusted,
            turn_on: false,
            location_name: DEFAULT_LOCATION_NAME.to_owned(),
            location_ranges: String::new(),
            location_error: None,
            blocked: Vec::new(),
            export: None,
            creating: String::new(),
            preview_open: false,
            notice: None,
            on_resize,
        })));
        let listener = {
            let view = view.clone();
            Closure::<dyn FnMut(Event)>::new(move |event: Event| view.on_event(event))
        };
        section.add_event_listener_with_callback("click", listener.as_ref().unchecked_ref())?;
        section.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref())?;
        section.add_event_listener_with_callback("input", listener.as_ref().unchecked_ref())?;
        listener.forget();
        view.render();
        Ok(view)
    }

    /// The section to place in the panel.
    pub fn element(&self) -> Element {
        self.0.borrow().section.clone()
    }

    fn on_event(&self, event: Event) {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        match event.type_().as_str() {
            "input" | "change" => self.on_field(&target, &event),
            _ => {
                let Some(button) = target.closest("button[data-action]").ok().flatten() else { return };
                let action = button.get_attribute("data-action").unwrap_or_default();
                self.on_action(&action, event.is_trusted());
            }
        }
    }

    fn on_field(&self, target: &Element, event: &Event) {
        let mut flow = self.0.borrow_mut();
        match target.get_attribute("name").as_deref() {
            Some("rg-preset") if event.type_() == "change" => {
                if let Some(preset) = target.get_attribute("value").and_then(|v| preset_from_slug(&v)) {
                    flow.preset = preset;
                    flow.blocked.clear();
                    flow.export = None;
                    drop(flow);
                    self.render();
                }
            }
            Some("rg-state-on") if event.type_() == "change" => {
                flow.turn_on = target.dyn_ref::<HtmlInputElement>().is_some_and(|i| i.checked());
                drop(flow);
                self.render();
            }
            Some("rg-location-name") => {
                flow.location_name = target.dyn_ref::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            }
            Some("rg-location-ranges") => {
                flow.location_ranges = target.dyn_ref::<HtmlTextAreaElement>().map(|i| i.value()).unwrap_or_default();
            }
            _ => {}
        }
    }

    fn on_action(&self, action: &str, trusted: bool) {
        // Everything that leads to a tenant write must come from the admin's own click.
        let writes = matches!(action, "apply" | "confirm-apply" | "enforce" | "undo" | "undo-disable" | "undo-delete" | "enforce-existing");
        if writes && !trusted {
            dom::warn("Registration Guard ignored a click that did not come from the admin");
            return;
        }
        match action {
            "check" | "sign-in" => self.start(true, false),
            "open-options" => open_options_page(),
            "sign-out" => {
                let transport = self.0.borrow().transport.clone();
                let view = self.clone();
                spawn_local(async move {
                    transport.sign_out().await;
                    {
                        let mut flow = view.0.borrow_mut();
                        flow.signed_in = None;
                        flow.flow = None;
                        flow.stage = Stage::Idle;
                        flow.notice = Some("Signed out: Registration Guard holds no token for this tenant.".into());
                    }
                    view.render();
                });
            }
            "apply" => {
                self.0.borrow_mut().confirm = Some(Confirm::Apply);
                self.render();
            }
            "cancel" => {
                self.0.borrow_mut().confirm = None;
                self.render();
            }
            "confirm-apply" => self.confirm_apply(),
            "enforce" | "enforce-existing" => self.change(|f| f.enforce()),
            "undo" => {
                self.0.borrow_mut().confirm = Some(Confirm::Undo);
                self.render();
            }
            "undo-disable" => self.change(|f| f.undo(Undo::Disable)),
            "undo-delete" => self.change(|f| f.undo(Undo::Delete)),
            "again" => self.start(true, false),
            "check-ranges" => {
                let mut flow = self.0.borrow_mut();
                flow.location_error = match flow.flow.as_ref().and_then(|f| f.review()) {
                    Some(read) => NewTrustedLocation::from_typed(&flow.location_name, &flow.location_ranges, read).err().map(|e| e.to_string()),
                    None => None,
                };
                drop(flow);
                self.render();
            }
            "preview-users" => {
                let mut flow = self.0.borrow_mut();
                flow.preview_open = !flow.preview_open;
                drop(flow);
                self.render();
            }
            other => {
                if let Some(format) = ExportFormat::ALL.iter().copied().find(|f| export_slug(*f) == other.trim_start_matches("export-")) {
                    self.show_export(format);
                }
            }
        }
    }

    /// Reads the tenant at once when a sign-in is at hand without any window (a stored or silent
    /// session); otherwise waits for the admin's "Check". Nothing is written.
    pub fn check_silently(&self) {
        self.start(false, true);
    }

    /// Signs in (silently first; with the window when `interactive`) and starts the preflight, or
    /// resumes the flow that was waiting for a sign-in. `quiet`: a window-less attempt the admin did
    /// not ask for, so "needs the sign-in window" is not worth a message.
    fn start(&self, interactive: bool, quiet: bool) {
        let view = self.clone();
        let resume = {
            let mut flow = self.0.borrow_mut();
            if matches!(flow.stage, Stage::SigningIn | Stage::Working { .. }) {
                return;
            }
            let resume = matches!(flow.stage, Stage::NeedsSignIn { resume: true }) && flow.flow.is_some();
            flow.stage = Stage::SigningIn;
            flow.notice = None;
            flow.confirm = None;
            flow.blocked.clear();
            resume
        };
        self.render();
        spawn_local(async move {
            let (transport, cloud, hints) = {
                let flow = view.0.borrow();
                (flow.transport.clone(), flow.cloud, flow.hints.clone())
            };
            let settings = transport.settings().await;
            let cloud = settings.cloud_for(cloud);
            let signed = transport.sign_in(cloud, false, false, hints.clone()).await;
            let signed = match signed {
                Err(SignInFailure::InteractionNeeded) if interactive => transport.sign_in(cloud, true, false, hints).await,
                other => other,
            };
            let signed_in = match signed {
                Ok(s) => s,
                Err(SignInFailure::InteractionNeeded) if quiet => {
                    view.0.borrow_mut().stage = Stage::Idle;
                    return view.render();
                }
                Err(failure) => return view.sign_in_failed(failure, resume),
            };
            if resume {
                let step = {
                    let mut flow = view.0.borrow_mut();
                    flow.signed_in = Some(signed_in);
                    flow.stage = Stage::Working { text: "Continuing…".into() };
                    flow.flow.as_mut().map_or(Step::Ignored, ApplyFlow::resume)
                };
                view.render();
                return view.drive(step).await;
            }
            let step = {
                let mut flow = view.0.borrow_mut();
                flow.cloud = cloud;
                // The options' defaults fill the first review only: after an error, "Try again" shows
                // the preset and state the admin had chosen (the location fields are kept as typed).
                if flow.flow.is_none() {
                    flow.preset = settings.default_preset;
                    flow.turn_on = settings.default_state == PolicyState::Enabled;
                }
                let apply_settings = ApplySettings {
                    tenant_id: signed_in.account.as_ref().and_then(|a| a.tenant_id.clone()),
                    break_glass: settings.break_glass.iter().map(|b| b.id.clone()).collect(),
                    mfa_trusted_ips: None,
                    errors: ErrorContext {
                        granted_scopes: signed_in.granted_scopes.clone(),
                        admin_consent_url: signed_in.admin_consent_url.clone(),
                    },
                    retry: RetryPolicy::default(),
                };
                flow.settings = settings;
                flow.signed_in = Some(signed_in);
                let mut apply = ApplyFlow::new(GraphEndpoints::for_cloud(cloud), apply_settings, super::signin::random_seed());
                let step = apply.start();
                flow.flow = Some(apply);
                flow.stage = Stage::Working { text: format!("Reading {} (one request to Microsoft Graph)…", flow.tenant_label) };
                step
            };
            view.render();
            view.drive(step).await;
        });
    }

    fn sign_in_failed(&self, failure: SignInFailure, resume: bool) {
        {
            let mut flow = self.0.borrow_mut();
            flow.stage = match failure {
                SignInFailure::InteractionNeeded => Stage::NeedsSignIn { resume },
                SignInFailure::NotConfigured { redirect_uri } => Stage::NotConfigured { redirect_uri },
                // Closing the sign-in window is a choice, not an error. The identity platform shows
                // some set-up errors only inside that window (an unregistered redirect URI never
                // redirects back), so the one fact needed to fix them is worth a quiet line.
                SignInFailure::Failed(error) if error.is_cancellation() => {
                    let redirect_uri = super::signin::redirect_uri();
                    if !redirect_uri.is_empty() {
                        flow.notice = Some(format!(
                            "Sign-in was closed. If the window showed AADSTS50011 (redirect URI mismatch), add \
                             {redirect_uri} as a Single-page application redirect URI of the app registration."
                        ));
                    }
                    if resume {
                        Stage::NeedsSignIn { resume }
                    } else {
                        Stage::Idle
                    }
                }
                SignInFailure::Failed(error) => Stage::Failed { message: error.to_string() },
                SignInFailure::Unavailable(reason) => {
                    Stage::Failed { message: format!("Registration Guard could not reach its background: {reason}") }
                }
            };
        }
        self.render();
    }

    /// Runs the flow's steps until it needs the admin again.
    async fn drive(&self, first: Step) {
        let mut step = first;
        loop {
            step = match step {
                Step::Send { request, wait } => {
                    if let Some(wait) = wait {
                        self.working(wait.message());
                        sleep(wait.ms).await;
                    }
                    let (transport, cloud) = {
                        let flow = self.0.borrow();
                        (flow.transport.clone(), flow.cloud)
                    };
                    let outcome = transport.send(cloud, request).await;
                    let mut flow = self.0.borrow_mut();
                    let Some(apply) = flow.flow.as_mut() else { return };
                    apply.on_response(outcome, now_ms())
                }
                Step::SignInNeeded => {
                    let (transport, cloud, hints) = {
                        let flow = self.0.borrow();
                        (flow.transport.clone(), flow.cloud, flow.hints.clone())
                    };
                    self.working("Your sign-in expired; renewing it…".into());
                    match transport.sign_in(cloud, false, true, hints).await {
                        Ok(signed_in) => {
                            let mut flow = self.0.borrow_mut();
                            flow.signed_in = Some(signed_in);
                            let Some(apply) = flow.flow.as_mut() else { return };
                            apply.resume()
                        }
                        Err(failure) => return self.sign_in_failed(failure, true),
                    }
                }
                Step::Review => {
                    let mut flow = self.0.borrow_mut();
                    // An equivalent policy waiting in report-only decides the preset: offer to enforce
                    // it rather than a different preset's new policy beside it.
                    if flow.equivalent_report_only().is_none() {
                        let chosen = flow.preset;
                        let found = Preset::ALL.into_iter().find(|preset| {
                            flow.preset = *preset;
                            flow.equivalent_report_only().is_some()
                        });
                        flow.preset = found.unwrap_or(chosen);
                    }
                    flow.stage = Stage::Review;
                    break;
                }
                Step::Blocked { findings } => {
                    let mut flow = self.0.borrow_mut();
                    flow.blocked = findings;
                    flow.stage = Stage::Review;
                    break;
                }
                Step::Created { policy_id, state, confirmed_by_reread, .. } => {
                    let mut flow = self.0.borrow_mut();
                    let name = flow.creating.clone();
                    flow.stage = Stage::Live { policy_id, name, state, created: true, confirmed_by_reread, problem: None };
                    break;
                }
                Step::StateChanged { state, .. } => {
                    let mut flow = self.0.borrow_mut();
                    if let Stage::Live { state: shown, .. } = &mut flow.stage {
                        *shown = state;
                    }
                    flow.notice = Some(match state {
                        PolicyState::Enabled => "The policy is On: it is enforced from now on.".to_owned(),
                        PolicyState::Disabled => "The policy is Off: it no longer applies.".to_owned(),
                        PolicyState::EnabledForReportingButNotEnforced => "The policy is report-only.".to_owned(),
                    });
                    break;
                }
                Step::Deleted { .. } => {
                    let mut flow = self.0.borrow_mut();
                    let name = match &flow.stage {
                        Stage::Live { name, .. } => name.clone(),
                        _ => String::new(),
                    };
                    flow.stage = Stage::Deleted { name };
                    break;
                }
                Step::Failed { error } => {
                    let mut flow = self.0.borrow_mut();
                    let flow = &mut *flow;
                    let known = flow.flow.as_ref().and_then(|f| f.policy()).map(|(_, state)| state);
                    match (known, &mut flow.stage) {
                        // Enforce or Undo failed: the policy is still there, so its view stays with the
                        // reason beside the buttons that act on it.
                        (Some(known), Stage::Live { state, problem, .. }) => {
                            *state = known;
                            *problem = Some(change_problem(&error));
                            flow.notice = None;
                        }
                        _ => {
                            let note = flow.flow.as_ref().and_then(ApplyFlow::failure_note);
                            let message = match note {
                                Some(note) => format!("{error} {note}"),
                                None => error.to_string(),
                            };
                            flow.stage = Stage::Failed { message };
                        }
                    }
                    break;
                }
                Step::Ignored => break,
            };
        }
        self.0.borrow_mut().confirm = None;
        self.render();
    }

    /// Shows what the flow is doing (a wait Graph asked for, a renewal). On the policy's own view
    /// (Enforce, Undo) the text goes in its notice, so its name, state and link stay in sight.
    fn working(&self, text: String) {
        {
            let mut flow = self.0.borrow_mut();
            if matches!(flow.stage, Stage::Live { .. }) {
                flow.notice = Some(text);
            } else {
                flow.stage = Stage::Working { text };
            }
        }
        self.render();
    }

    fn confirm_apply(&self) {
        let step = {
            let mut flow = self.0.borrow_mut();
            let Some(plan) = flow.plan() else { return };
            let location = if flow.needs_location() {
                match NewTrustedLocation::from_typed(&flow.location_name, &flow.location_ranges, match flow.flow.as_ref().and_then(|f| f.review()) {
                    Some(read) => read,
                    None => return,
                }) {
                    Ok(location) => Some(location),
                    Err(error) => {
                        flow.location_error = Some(error.to_string());
                        flow.confirm = None;
                        drop(flow);
                        return self.render();
                    }
                }
            } else {
                None
            };
            flow.location_error = None;
            let Some(apply) = flow.flow.as_mut() else { return };
            let step = apply.confirm(&plan, location.as_ref());
            if matches!(step, Step::Send { .. }) {
                flow.creating = plan.policy.display_name.clone();
                flow.stage = Stage::Working { text: format!("Creating “{}”…", plan.policy.display_name) };
                flow.confirm = None;
            }
            step
        };
        self.render();
        let view = self.clone();
        spawn_local(async move { view.drive(step).await });
    }

    /// Enforce or undo: on the created policy, or on an equivalent existing one found in review.
    fn change(&self, act: impl FnOnce(&mut ApplyFlow) -> Step) {
        let step = {
            let mut flow = self.0.borrow_mut();
            if let (Stage::Review, Some(existing)) = (&flow.stage, flow.equivalent_report_only()) {
                // Turn the review into the existing policy's result view, then act on it.
                let (id, name) = existing;
                let settings = ApplySettings {
                    tenant_id: flow.signed_in.as_ref().and_then(|s| s.account.as_ref()).and_then(|a| a.tenant_id.clone()),
                    break_glass: flow.settings.break_glass.iter().map(|b| b.id.clone()).collect(),
                    mfa_trusted_ips: None,
                    errors: ErrorContext {
                        granted_scopes: flow.signed_in.as_ref().map(|s| s.granted_scopes.clone()).unwrap_or_default(),
                        admin_consent_url: flow.signed_in.as_ref().and_then(|s| s.admin_consent_url.clone()),
                    },
                    retry: RetryPolicy::default(),
                };
                let state = PolicyState::EnabledForReportingButNotEnforced;
                flow.flow = Some(ApplyFlow::for_existing(GraphEndpoints::for_cloud(flow.cloud), settings, super::signin::random_seed(), &id, state));
                flow.stage = Stage::Live { policy_id: id, name, state, created: false, confirmed_by_reread: false, problem: None };
            }
            let Some(apply) = flow.flow.as_mut() else { return };
            let step = act(apply);
            if matches!(step, Step::Send { .. }) {
                flow.confirm = None;
                flow.notice = Some("Saving the change…".into());
                if let Stage::Live { problem, .. } = &mut flow.stage {
                    *problem = None;
                }
            }
            step
        };
        self.render();
        let view = self.clone();
        spawn_local(async move { view.drive(step).await });
    }

    fn show_export(&self, format: ExportFormat) {
        let text = {
            let flow = self.0.borrow();
            let Some(plan) = flow.plan() else { return };
            export_plan(&plan, format, flow.cloud.graph_host()).unwrap_or_else(|e| e.to_string())
        };
        self.0.borrow_mut().export = Some((format, text.clone()));
        self.render();
        let view = self.clone();
        spawn_local(async move {
            let copied = copy_to_clipboard(&text).await;
            view.0.borrow_mut().notice = Some(if copied {
                format!("Copied the {} export.", format.label())
            } else {
                format!("The {} export is shown below the JSON: select it and copy it (Ctrl+C).", format.label())
            });
            view.render();
        });
    }

    fn render(&self) {
        let on_resize = {
            let mut flow = self.0.borrow_mut();
            // Redrawing removes the control the admin used: keep keyboard focus inside the flow.
            let focused = flow.doc.active_element().filter(|active| flow.section.contains(Some(active))).map(|active| {
                match (active.get_attribute("data-action"), active.get_attribute("name")) {
                    (Some(action), _) => format!("[data-action=\"{action}\"]"),
                    (None, Some(name)) => match active.get_attribute("value") {
                        Some(value) if active.get_attribute("type").as_deref() == Some("radio") => {
                            format!("[name=\"{name}\"][value=\"{value}\"]")
                        }
                        _ => format!("[name=\"{name}\"]"),
                    },
                    _ => String::new(),
                }
            });
            if let Err(e) = flow.draw() {
                dom::warn(&format!("Registration Guard could not draw the apply flow: {e:?}"));
            }
            if let Some(selector) = focused {
                focus_next_control(&flow.section, &selector);
            }
            flow.on_resize.clone()
        };
        on_resize();
    }
}

impl Flow {
    /// The plan for the chosen preset and state, from the tenant as read.
    fn plan(&self) -> Option<Plan> {
        let read = self.flow.as_ref()?.review()?;
        let options = PlanOptions {
            exclude_guests: self.preset == Preset::RequireMfaOutsideTrusted,
            state: if self.turn_on { PolicyState::Enabled } else { PolicyState::EnabledForReportingButNotEnforced },
            ..PlanOptions::default()
        };
        build_plan(&read.snapshot, self.preset, &options).ok()
    }

    fn plan_error(&self) -> Option<String> {
        let read = self.flow.as_ref()?.review()?;
        let options = PlanOptions { exclude_guests: self.preset == Preset::RequireMfaOutsideTrusted, ..PlanOptions::default() };
        build_plan(&read.snapshot, self.preset, &options).err().map(|e| e.to_string())
    }

    /// A block preset on a tenant without any trusted location: offer to create one.
    fn needs_location(&self) -> bool {
        let Some(read) = self.flow.as_ref().and_then(|f| f.review()) else { return false };
        read.snapshot.trusted_locations().next().is_none()
    }

    fn findings(&self) -> Vec<PreflightFinding> {
        if !self.blocked.is_empty() {
            return self.blocked.clone();
        }
        let (Some(apply), Some(plan)) = (self.flow.as_ref(), self.plan()) else { return Vec::new() };
        let location = if self.needs_location() {
            self.flow.as_ref().and_then(|f| f.review()).and_then(|read| {
                NewTrustedLocation::from_typed(&self.location_name, &self.location_ranges, read).ok()
            })
        } else {
            None
        };
        apply.findings(&plan, location.as_ref())
    }

    /// An equivalent report-only policy the review found: its id and name.
    fn equivalent_report_only(&self) -> Option<(String, String)> {
        let finding = self.findings().into_iter().find(|f| f.code == FindingCode::EquivalentPolicyReportOnly)?;
        let id = finding.policy_id?;
        let read = self.flow.as_ref()?.review()?;
        let name = read.snapshot.policy(&id).map(|p| p.display_name.clone()).unwrap_or_default();
        Some((id, name))
    }

    fn draw(&mut self) -> Result<(), JsValue> {
        let doc = self.doc.clone();
        let s = &self.section;
        s.set_text_content(None);
        s.set_attribute("data-flow-state", self.stage_name())?;
        dom::append(s, &text_el(&doc, "h2", "", "Protect registration")?)?;
        if let Some(notice) = &self.notice {
            let p = text_el(&doc, "p", "rg-notice", notice)?;
            p.set_attribute("data-testid", "flow-notice")?;
            dom::append(s, &p)?;
        }
        match self.stage.clone() {
            Stage::Idle => {
                dom::append(s, &text_el(&doc, "p", "", &format!(
                    "Sign in to {} ({}) to see whether registration is already protected, and to create the policy. \
                     Nothing is written until you confirm.", self.tenant_label, self.cloud.label()))?)?;
                dom::append(s, &button(&doc, "check", &format!("Check {}", self.tenant_label), "rg-primary")?)?;
            }
            Stage::NotConfigured { redirect_uri } => {
                dom::append(s, &text_el(&doc, "p", "", "Registration Guard signs in with your own app registration. \
                    Set it up once (five steps, a ready script) and come back.")?)?;
                if !redirect_uri.is_empty() {
                    dom::append(s, &text_el(&doc, "p", "rg-small", &format!("Its redirect URI is {redirect_uri}"))?)?;
                }
                dom::append(s, &button(&doc, "open-options", "Set up Registration Guard", "rg-primary")?)?;
            }
            Stage::SigningIn => dom::append(s, &status(&doc, &format!("Signing in to {}…", self.tenant_label))?)?,
            Stage::NeedsSignIn { .. } => {
                dom::append(s, &text_el(&doc, "p", "", &format!("Sign in to {} to continue.", self.tenant_label))?)?;
                dom::append(s, &button(&doc, "sign-in", "Sign in", "rg-primary")?)?;
            }
            Stage::Working { text } => {
                let p = status(&doc, &text)?;
                if text.contains("wait") {
                    p.set_attribute("data-testid", "flow-wait")?;
                }
                dom::append(s, &p)?;
            }
            Stage::Review => self.draw_review()?,
            Stage::Live { policy_id, name, state, created, confirmed_by_reread, problem } => {
                let result = el(&doc, "div", "rg-result")?;
                result.set_attribute("data-testid", "result")?;
                let headline = if created {
                    format!("Created “{name}” ({}).", state.label())
                } else {
                    format!("“{name}” is {}.", state.label())
                };
                dom::append(&result, &text_el(&doc, "p", "rg-result-title", &headline)?)?;
                if confirmed_by_reread {
                    dom::append(&result, &text_el(&doc, "p", "rg-small", "Microsoft Graph's answer was lost; Registration Guard read the policies back and found it, so nothing was created twice.")?)?;
                }
                if let Some(problem) = &problem {
                    let p = text_el(&doc, "p", "rg-error", problem)?;
                    attrs(&p, &[("data-testid", "flow-error"), ("role", "alert")])?;
                    dom::append(&result, &p)?;
                }
                let link = text_el(&doc, "a", "rg-link", "Open the policy in the portal")?;
                attrs(&link, &[("href", &policy_portal_link(self.cloud, &policy_id)), ("target", "_blank"), ("rel", "noopener noreferrer"), ("data-testid", "portal-link")])?;
                dom::append(&result, &link)?;
                let actions = el(&doc, "div", "rg-actions")?;
                if state != PolicyState::Enabled {
                    dom::append(&actions, &button(&doc, "enforce", "Enforce (turn it on)", "rg-primary")?)?;
                }
                if self.confirm == Some(Confirm::Undo) {
                    let confirm = el(&doc, "div", "rg-confirm")?;
                    attrs(&confirm, &[("data-testid", "confirm"), ("role", "group"), ("aria-label", "Undo")])?;
                    dom::append(&confirm, &text_el(&doc, "p", "", &format!("Undo “{name}”: keep it switched off, or delete it?"))?)?;
                    if state != PolicyState::Disabled {
                        dom::append(&confirm, &button(&doc, "undo-disable", "Turn it off", "")?)?;
                    }
                    dom::append(&confirm, &button(&doc, "undo-delete", "Delete it", "rg-danger")?)?;
                    dom::append(&confirm, &button(&doc, "cancel", "Cancel", "")?)?;
                    dom::append(&result, &confirm)?;
                } else {
                    dom::append(&actions, &button(&doc, "undo", "Undo", "")?)?;
                }
                dom::append(&result, &actions)?;
                dom::append(s, &result)?;
            }
            Stage::Deleted { name } => {
                let p = text_el(&doc, "p", "", &format!("Deleted “{name}”. Nothing else was changed."))?;
                p.set_attribute("data-testid", "result")?;
                dom::append(s, &p)?;
                dom::append(s, &button(&doc, "again", "Check again", "")?)?;
            }
            Stage::Failed { message } => {
                let p = text_with_sign_in_links(&doc, "rg-error", &message)?;
                attrs(&p, &[("data-testid", "flow-error"), ("role", "alert")])?;
                dom::append(s, &p)?;
                dom::append(s, &button(&doc, "again", "Try again", "")?)?;
            }
        }
        if self.signed_in.is_some() && !matches!(self.stage, Stage::Working { .. } | Stage::SigningIn) {
            let who = self.signed_in.as_ref().and_then(|s| s.account.as_ref()).and_then(|a| a.username.clone().or(a.display_name.clone()));
            let footer = el(&doc, "p", "rg-small rg-signed-in")?;
            footer.set_text_content(Some(&match who {
                Some(who) => format!("Signed in as {who}. "),
                None => "Signed in. ".to_owned(),
            }));
            dom::append(&footer, &button(&doc, "sign-out", "Sign out", "rg-link-button")?)?;
            dom::append(s, &footer)?;
        }
        Ok(())
    }

    fn stage_name(&self) -> &'static str {
        match self.stage {
            Stage::Idle => "idle",
            Stage::NotConfigured { .. } => "not-configured",
            Stage::SigningIn => "signing-in",
            Stage::NeedsSignIn { .. } => "needs-sign-in",
            Stage::Working { .. } => "working",
            Stage::Review if !self.blocked.is_empty() => "blocked",
            Stage::Review => "review",
            Stage::Live { .. } => "live",
            Stage::Deleted { .. } => "deleted",
            Stage::Failed { .. } => "failed",
        }
    }

    fn draw_review(&self) -> Result<(), JsValue> {
        let doc = &self.doc;
        let s = &self.section;
        let Some(read) = self.flow.as_ref().and_then(|f| f.review()) else { return Ok(()) };

        // 1. Coverage first: is registration protected today?
        let report = assess(&read.snapshot);
        let coverage = el(doc, "div", "rg-coverage")?;
        let verdict = text_el(doc, "p", "rg-verdict", report.verdict.label())?;
        attrs(&verdict, &[("data-testid", "coverage-verdict"), ("data-verdict", verdict_slug(&report.verdict))])?;
        dom::append(&coverage, &verdict)?;
        let reasons: Vec<String> = match &report.verdict {
            Verdict::Protected { by } => by.iter().map(|p| format!("Protected by “{}”.", p.policy_name)).collect(),
            Verdict::Partial { gaps, .. } => gaps.iter().map(|g| g.message.clone()).collect(),
            Verdict::NotProtected { reasons } => reasons.iter().map(|r| r.message.clone()).collect(),
        };
        dom::append(&coverage, &list(doc, "rg-list", &reasons)?)?;
        for note in &read.notes {
            dom::append(&coverage, &text_el(doc, "p", "rg-small", &note.to_string())?)?;
        }
        dom::append(s, &coverage)?;

        // 2. Preset choice, each with its trade-off.
        let presets = el(doc, "fieldset", "rg-presets")?;
        dom::append(&presets, &text_el(doc, "legend", "", "Policy")?)?;
        for preset in [Preset::BlockOutsideTrusted, Preset::RequireMfaOutsideTrusted, Preset::BlockGuestsOutsideTrusted] {
            let label = el(doc, "label", "rg-choice")?;
            let input = el(doc, "input", "")?;
            attrs(&input, &[("type", "radio"), ("name", "rg-preset"), ("value", preset_slug(preset))])?;
            if preset == self.preset {
                input.set_attribute("checked", "")?;
            }
            dom::append(&label, &input)?;
            let text = el(doc, "span", "")?;
            dom::append(&text, &text_el(doc, "strong", "", preset.label())?)?;
            dom::append(&text, &text_el(doc, "span", "rg-small rg-trade-off", preset.trade_off())?)?;
            dom::append(&label, &text)?;
            dom::append(&presets, &label)?;
        }
        dom::append(s, &presets)?;

        let Some(plan) = self.plan() else {
            let message = self.plan_error().unwrap_or_else(|| "This preset cannot be built for this tenant.".into());
            dom::append(s, &text_el(doc, "p", "rg-error", &message)?)?;
            return Ok(());
        };

        // 3. Who is in and out.
        let who = el(doc, "div", "rg-who")?;
        who.set_attribute("data-testid", "who")?;
        dom::append(&who, &text_el(doc, "h3", "", "Who it applies to")?)?;
        dom::append(&who, &list(doc, "rg-list", &self.who_lines(&plan))?)?;
        dom::append(s, &who)?;

        // What users meet under this preset, annotated (the explainer's preview).
        let toggle = button(doc, "preview-users", if self.preview_open { "Hide what users will see" } else { "Show what users will see" }, "")?;
        attrs(&toggle, &[("aria-expanded", if self.preview_open { "true" } else { "false" }), ("aria-controls", "rg-preview-slot")])?;
        dom::append(s, &toggle)?;
        let slot = el(doc, "div", "")?;
        slot.set_id("rg-preview-slot");
        if self.preview_open {
            super::blockpreview_view::render_block_preview(&slot, self.preset)?;
        }
        dom::append(s, &slot)?;

        // 4. A trusted location when the tenant has none.
        if self.needs_location() {
            let form = el(doc, "div", "rg-new-location")?;
            form.set_attribute("data-testid", "new-location")?;
            dom::append(&form, &text_el(doc, "h3", "", "Create a trusted location")?)?;
            dom::append(&form, &text_el(doc, "p", "rg-small", "This tenant has no trusted IP location, so the policy would apply everywhere. Type your offices' public IP ranges (CIDR, one per line); Registration Guard creates the trusted location first, in the same apply.")?)?;
            let name_label = text_el(doc, "label", "rg-field", "Location name")?;
            let name = el(doc, "input", "")?;
            attrs(&name, &[("type", "text"), ("name", "rg-location-name"), ("maxlength", "256")])?;
            if let Some(input) = name.dyn_ref::<HtmlInputElement>() {
                input.set_value(&self.location_name);
            }
            dom::append(&name_label, &name)?;
            dom::append(&form, &name_label)?;
            let ranges_label = text_el(doc, "label", "rg-field", "IP ranges")?;
            let ranges = el(doc, "textarea", "")?;
            attrs(&ranges, &[("name", "rg-location-ranges"), ("rows", "3"), ("placeholder", "203.0.113.0/24"), ("spellcheck", "false")])?;
            if let Some(area) = ranges.dyn_ref::<HtmlTextAreaElement>() {
                area.set_value(&self.location_ranges);
            }
            dom::append(&ranges_label, &ranges)?;
            dom::append(&form, &ranges_label)?;
            dom::append(&form, &button(doc, "check-ranges", "Check the ranges", "")?)?;
            if let Some(error) = &self.location_error {
                let p = text_el(doc, "p", "rg-error", error)?;
                attrs(&p, &[("data-testid", "location-error"), ("role", "alert")])?;
                dom::append(&form, &p)?;
            } else if !self.location_ranges.trim().is_empty() {
                // What validation changed or noticed (private ranges, host bits, duplicates…).
                if let Ok(location) = NewTrustedLocation::from_typed(&self.location_name, &self.location_ranges, read) {
                    let mut lines: Vec<String> = vec![format!("Ranges to trust: {}", location.ranges.join(", "))];
                    lines.extend(location.warnings.iter().map(|w| w.message.clone()));
                    let ul = list(doc, "rg-list", &lines)?;
                    ul.set_attribute("data-testid", "location-check")?;
                    dom::append(&form, &ul)?;
                }
            }
            dom::append(s, &form)?;
        }

        // 5. Preflight findings.
        let findings = self.findings();
        if !findings.is_empty() {
            let box_ = el(doc, "div", "rg-findings")?;
            box_.set_attribute("data-testid", "findings")?;
            dom::append(&box_, &text_el(doc, "h3", "", "Before you apply")?)?;
            let ul = el(doc, "ul", "rg-list")?;
            for finding in &findings {
                let li = el(doc, "li", "")?;
                let severity = match finding.severity {
                    Severity::Blocker => "blocker",
                    Severity::Warning => "warning",
                    Severity::Info => "info",
                };
                attrs(&li, &[("data-severity", severity), ("data-code", &format!("{:?}", finding.code))])?;
                dom::append(&li, &text_el(doc, "strong", "", &finding.title)?)?;
                dom::append(&li, &text_el(doc, "span", "", &format!(" {}", finding.message))?)?;
                dom::append(&ul, &li)?;
            }
            dom::append(&box_, &ul)?;
            dom::append(s, &box_)?;
        }

        // 6. The exact JSON and the exports.
        let details = el(doc, "details", "rg-json")?;
        dom::append(&details, &text_el(doc, "summary", "", "The exact policy (JSON) and exports")?)?;
        let json = serde_json::to_string_pretty(&plan.body).unwrap_or_default();
        let pre = text_el(doc, "pre", "rg-code", &json)?;
        pre.set_attribute("data-testid", "policy-json")?;
        dom::append(&details, &pre)?;
        let exports = el(doc, "div", "rg-actions")?;
        for format in ExportFormat::ALL {
            dom::append(&exports, &button(doc, &format!("export-{}", export_slug(format)), &format!("Copy {}", format.label()), "")?)?;
        }
        dom::append(&details, &exports)?;
        if let Some((format, text)) = &self.export {
            let pre = text_el(doc, "pre", "rg-code", text)?;
            attrs(&pre, &[("data-testid", "export-text"), ("aria-label", format.label())])?;
            dom::append(&details, &pre)?;
        }
        if self.export.is_some() {
            details.set_attribute("open", "")?;
        }
        dom::append(s, &details)?;

        // 7. Report-only by default; On only when asked and confirmed.
        let state = el(doc, "label", "rg-choice")?;
        let check = el(doc, "input", "")?;
        attrs(&check, &[("type", "checkbox"), ("name", "rg-state-on"), ("data-testid", "state-on")])?;
        if self.turn_on {
            check.set_attribute("checked", "")?;
        }
        dom::append(&state, &check)?;
        dom::append(&state, &text_el(doc, "span", "", "Turn it on now instead of report-only")?)?;
        dom::append(s, &state)?;

        let blockers = findings.iter().any(|f| f.severity == Severity::Blocker);
        let actions = el(doc, "div", "rg-actions")?;
        if let Some((_, name)) = self.equivalent_report_only() {
            dom::append(s, &text_el(doc, "p", "", &format!("“{name}” already does this in report-only mode: enforce it instead of creating a duplicate."))?)?;
            dom::append(&actions, &button(doc, "enforce-existing", &format!("Enforce “{name}”"), "rg-primary")?)?;
        } else if self.confirm == Some(Confirm::Apply) {
            let confirm = el(doc, "div", "rg-confirm")?;
            attrs(&confirm, &[("data-testid", "confirm"), ("role", "group"), ("aria-label", "Confirm")])?;
            let mode = if self.turn_on { "On — enforced immediately for everyone it applies to" } else { "report-only — nobody is blocked yet" };
            dom::append(&confirm, &text_el(doc, "p", "", &format!("Create “{}” in {} as {mode}?", plan.policy.display_name, self.tenant_label))?)?;
            dom::append(&confirm, &button(doc, "confirm-apply", "Create the policy", "rg-primary")?)?;
            dom::append(&confirm, &button(doc, "cancel", "Cancel", "")?)?;
            dom::append(s, &confirm)?;
        } else if !blockers || self.needs_location() {
            let label = if self.turn_on { "Apply: create the policy, On" } else { "Apply: create the policy in report-only mode" };
            dom::append(&actions, &button(doc, "apply", label, "rg-primary")?)?;
        }
        dom::append(s, &actions)?;
        Ok(())
    }

    fn who_lines(&self, plan: &Plan) -> Vec<String> {
        let users = &plan.policy.conditions.users;
        let read = self.flow.as_ref().and_then(|f| f.review());
        let name_of = |id: &str| -> String {
            if let Some(admin) = read.and_then(|r| r.snapshot.admin.as_ref()).filter(|a| a.id == id) {
                return format!("you ({})", admin.user_principal_name);
            }
            if let Some(account) = self.settings.break_glass.iter().find(|b| b.id == id) {
                return format!("emergency-access account {}", account.label);
            }
            id.to_owned()
        };
        let mut lines = Vec::new();
        if users.include_users.iter().any(|u| u == "All") {
            lines.push("In: all users".to_owned());
        }
        if users.include_guests_or_external_users.is_some() {
            lines.push("In: guests and external users".to_owned());
        }
        for id in users.include_users.iter().filter(|u| *u != "All") {
            lines.push(format!("In: {}", name_of(id)));
        }
        for id in &users.exclude_users {
            lines.push(format!("Out: {}", name_of(id)));
        }
        for id in &users.exclude_groups {
            lines.push(format!("Out: group {id}"));
        }
        if !users.exclude_roles.is_empty() {
            lines.push(format!("Out: {} directory role(s)", users.exclude_roles.len()));
        }
        if users.exclude_guests_or_external_users.is_some() {
            lines.push("Out: guests and external users".to_owned());
        }
        lines.push(format!("Where: everywhere except your trusted locations; grant: {}", match plan.preset.grant().as_str() {
            "block" => "block",
            _ => "require MFA",
        }));
        lines
    }
}

/// Why an Enforce or Undo did not go through. When the answer was lost the change may have been
/// saved anyway; setting a state and deleting are safe to repeat, so the advice is the same button.
fn change_problem(error: &GraphError) -> String {
    if error.is_ambiguous_for_write() {
        format!(
            "{error} The change may have been saved before the answer was lost: pressing the same button again \
             is safe, and shows the policy's state once Microsoft Graph answers."
        )
    } else {
        error.to_string()
    }
}

fn button(doc: &Document, action: &str, label: &str, class: &str) -> Result<Element, JsValue> {
    let b = text_el(doc, "button", &format!("rg-button {class}"), label)?;
    attrs(&b, &[("type", "button"), ("data-action", action)])?;
    Ok(b)
}

/// Sign-in hosts whose addresses in a message (the admin-consent link) become links.
const LINKED_HOSTS: [&str; 3] = ["login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn"];

/// A paragraph of `text` where https addresses on a sign-in host are links (opened in a new tab);
/// everything else, and any other address, stays text.
fn text_with_sign_in_links(doc: &Document, class: &str, text: &str) -> Result<Element, JsValue> {
    let p = el(doc, "p", class)?;
    let mut plain = String::new();
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            plain.push(' ');
        }
        let host = word.strip_prefix("https://").and_then(|rest| rest.split('/').next()).unwrap_or("");
        if LINKED_HOSTS.contains(&host) {
            p.append_child(&doc.create_text_node(&std::mem::take(&mut plain)))?;
            let link = text_el(doc, "a", "rg-link", word)?;
            attrs(&link, &[("href", word), ("target", "_blank"), ("rel", "noopener noreferrer")])?;
            dom::append(&p, &link)?;
        } else {
            plain.push_str(word);
        }
    }
    p.append_child(&doc.create_text_node(&plain))?;
    Ok(p)
}

fn status(doc: &Document, text: &str) -> Result<Element, JsValue> {
    let p = text_el(doc, "p", "rg-status", text)?;
    p.set_attribute("role", "status")?;
    Ok(p)
}

fn list(doc: &Document, class: &str, lines: &[String]) -> Result<Element, JsValue> {
    let ul = el(doc, "ul", class)?;
    for line in lines {
        dom::append(&ul, &text_el(doc, "li", "", line)?)?;
    }
    Ok(ul)
}

/// `blockOutsideTrusted`, … (the preset's serde name).
pub fn preset_slug(preset: Preset) -> &'static str {
    match preset {
        Preset::BlockOutsideTrusted => "blockOutsideTrusted",
        Preset::RequireMfaOutsideTrusted => "requireMfaOutsideTrusted",
        Preset::BlockGuestsOutsideTrusted => "blockGuestsOutsideTrusted",
    }
}

fn preset_from_slug(slug: &str) -> Option<Preset> {
    Preset::ALL.iter().copied().find(|p| preset_slug(*p) == slug)
}

fn export_slug(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::GraphJson => "graph-json",
        ExportFormat::PowerShell => "powershell",
        ExportFormat::AzureCli => "azure-cli",
        ExportFormat::Terraform => "terraform",
    }
}

fn verdict_slug(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Protected { .. } => "protected",
        Verdict::Partial { .. } => "partial",
        Verdict::NotProtected { .. } => "not-protected",
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = openOptionsPage)]
    fn runtime_open_options_page() -> Result<js_sys::Promise, JsValue>;
}

fn open_options_page() {
    if let Err(e) = runtime_open_options_page() {
        dom::warn(&format!("Registration Guard could not open its options page: {e:?}"));
    }
}

/// Writes `text` to the clipboard; `false` when the frame may not (the portal did not delegate it).
async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into()).ok();
    let write = clipboard
        .as_ref()
        .and_then(|c| js_sys::Reflect::get(c, &"writeText".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let (Some(clipboard), Some(write)) = (clipboard, write) else { return false };
    match write.call1(&clipboard, &JsValue::from_str(text)).and_then(|p| p.dyn_into::<js_sys::Promise>()) {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.is_ok(),
        Err(_) => false,
    }
}

/// Focuses, after a redraw, the control that had focus (`selector`, built from our own attribute
/// values) when it is still there, else the primary button, else any button, else the section.
fn focus_next_control(section: &Element, selector: &str) {
    let find = |s: &str| if s.is_empty() { None } else { section.query_selector(s).ok().flatten() };
    // A fresh review is read from its verdict down, not from the Apply button at its end.
    let review = || find("[data-testid=\"coverage-verdict\"]").map(|_| section.clone());
    let target = find(selector)
        .or_else(|| find("[data-testid=\"confirm\"] button.rg-primary"))
        .or_else(review)
        .or_else(|| find("button.rg-primary"))
        .or_else(|| find("button"))
        .unwrap_or_else(|| section.clone());
    if let Ok(target) = target.dyn_into::<web_sys::HtmlElement>() {
        let _ = target.focus();
    }
}
