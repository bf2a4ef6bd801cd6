//! The options page (`options.html`): the one-time app registration in five steps (with a ready
//! Microsoft Graph PowerShell script), the Application (client) ID, the cloud, the default preset
//! and state, the emergency-access (break-glass) accounts, and "Test sign-in". Settings live in
//! `chrome.storage.sync`; nothing secret is stored (a client id is public, tokens stay in the
//! background's session storage).

use super::dom::{self, attrs, el, text_el};
use super::signin::{load_settings, save_settings, wanted_scopes};
use super::transport::{ExtensionTransport, SignInFailure, SignInHints, TenantTransport};
use crate::context::Cloud;
use crate::engine::model::PolicyState;
use crate::engine::presets::Preset;
use crate::graph::{GraphEndpoints, GraphVersion, HttpRequest, Method};
use crate::messages::{is_guid, BreakGlassAccount, ExtensionSettings, MAX_BREAK_GLASS};
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Document, Element, Event, HtmlInputElement, HtmlSelectElement};

/// Microsoft Graph's application id (the same in every cloud).
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// The delegated Graph permissions the extension asks for, short names.
pub fn permission_names(cloud: Cloud) -> Vec<String> {
    wanted_scopes(&GraphEndpoints::for_cloud(cloud))
        .into_iter()
        .filter_map(|s| s.rsplit_once('/').map(|(_, name)| name.to_owned()))
        .collect()
}

/// A PowerShell single-quoted (verbatim) string: nothing inside is expanded; `'` is doubled.
pub fn ps_quote(text: &str) -> String {
    // PowerShell also closes single-quoted strings on the typographic quotes.
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' => vec![c, c],
            other => vec![other],
        })
        .collect();
    format!("'{escaped}'")
}

/// The Microsoft Graph PowerShell script that creates the app registration with the SPA redirect
/// URI and the delegated permissions, and grants them for the organisation.
///
/// The `-Environment` of `Connect-MgGraph` follows the cloud (Global, USGov, China).
pub fn registration_script(cloud: Cloud, redirect_uri: &str) -> String {
    let environment = match cloud {
        Cloud::Global => "Global",
        Cloud::UsGovernment => "USGov",
        Cloud::China => "China",
    };
    let names = permission_names(cloud);
    let quoted: Vec<String> = names.iter().map(|n| ps_quote(n)).collect();
    let scope_line = ps_quote(&names.join(" "));
    format!(
        "# Creates the \"Registration Guard\" app registration (single-page application) and grants its\n\
         # delegated permissions for your organisation. Run as a Global Administrator or\n\
         # Privileged Role Administrator in PowerShell 7 with the Microsoft.Graph module.\n\
         Connect-MgGraph -Environment {environment} -Scopes 'Application.ReadWrite.All','DelegatedPermissionGrant.ReadWrite.All'\n\
         $graph = Get-MgServicePrincipal -Filter \"appId eq '{GRAPH_APP_ID}'\"\n\
         $wanted = @({wanted})\n\
         $access = @($graph.Oauth2PermissionScopes | Where-Object {{ $wanted -contains $_.Value }} | ForEach-Object {{ @{{ Id = $_.Id; Type = 'Scope' }} }})\n\
         $app = New-MgApplication -DisplayName 'Registration Guard' -SignInAudience 'AzureADMyOrg' `\n\
         \x20 -Spa @{{ RedirectUris = @({redirect}) }} `\n\
         \x20 -RequiredResourceAccess @(@{{ ResourceAppId = '{GRAPH_APP_ID}'; ResourceAccess = $access }})\n\
         $sp = New-MgServicePrincipal -AppId $app.AppId\n\
         New-MgOauth2PermissionGrant -ClientId $sp.Id -ConsentType 'AllPrincipals' -ResourceId $graph.Id -Scope {scope_line} | Out-Null\n\
         \"Application (client) ID: $($app.AppId)\"\n",
        wanted = quoted.join(","),
        redirect = ps_quote(redirect_uri),
    )
}

struct Options {
    doc: Document,
    root: Element,
    settings: ExtensionSettings,
    redirect_uri: String,
    status: Option<(bool, String)>,
    test_result: Option<(bool, String)>,
    search_results: Vec<BreakGlassAccount>,
    search_error: Option<String>,
    client_error: Option<String>,
}

#[derive(Clone)]
struct OptionsPage(Rc<RefCell<Options>>);

/// Entry point of `options.html`.
#[wasm_bindgen]
pub fn start_options() -> Result<(), JsValue> {
    let doc = dom::document()?;
    let root: Element = dom::by_id(&doc, "rg-options")?.into();
    let page = OptionsPage(Rc::new(RefCell::new(Options {
        doc: doc.clone(),
        root: root.clone(),
        settings: ExtensionSettings::default(),
        redirect_uri: super::signin::redirect_uri(),
        status: None,
        test_result: None,
        search_results: Vec::new(),
        search_error: None,
        client_error: None,
    })));
    let listener = {
        let page = page.clone();
        Closure::<dyn FnMut(Event)>::new(move |event: Event| page.on_click(event))
    };
    root.add_event_listener_with_callback("click", listener.as_ref().unchecked_ref())?;
    listener.forget();
    spawn_local(async move {
        let settings = load_settings().await;
        page.0.borrow_mut().settings = settings;
        page.render();
        if let Some(body) = page.0.borrow().doc.body() {
            let _ = body.set_attribute("data-state", "ready");
        }
    });
    Ok(())
}

impl OptionsPage {
    fn on_click(&self, event: Event) {
        let Some(button) = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("button[data-action]").ok().flatten())
        else {
            return;
        };
        let action = button.get_attribute("data-action").unwrap_or_default();
        match action.as_str() {
            "save" => self.save(),
            "test-sign-in" => self.test_sign_in(),
            "search" => self.search(),
            "copy-redirect" => copy(&self.0.borrow().redirect_uri),
            "copy-script" => {
                let options = self.0.borrow();
                copy(&registration_script(options.settings.cloud.unwrap_or(Cloud::Global), &options.redirect_uri));
            }
            "add-break-glass" | "remove-break-glass" => {
                let id = button.get_attribute("data-id").unwrap_or_default();
                {
                    let mut options = self.0.borrow_mut();
                    options.read_fields();
                    if action == "add-break-glass" {
                        let found = options.search_results.iter().find(|a| a.id == id).cloned();
                        if let Some(account) = found {
                            if !options.settings.break_glass.iter().any(|a| a.id == id)
                                && options.settings.break_glass.len() < MAX_BREAK_GLASS
                            {
                                options.settings.break_glass.push(account);
                            }
                        }
                    } else {
                        options.settings.break_glass.retain(|a| a.id != id);
                    }
                    options.status = Some((true, "Not saved yet: press Save.".into()));
                }
                self.render();
            }
            _ => {}
        }
    }

    fn save(&self) {
        let settings = {
            let mut options = self.0.borrow_mut();
            options.read_fields();
            if let Some(error) = options.client_error.clone() {
                options.status = Some((false, error));
                drop(options);
                return self.render();
            }
            options.settings.clone()
        };
        let page = self.clone();
        spawn_local(async move {
            let result = save_settings(&settings).await;
            page.0.borrow_mut().status = Some(match result {
                Ok(()) => (true, "Saved.".to_owned()),
                Err(e) => (false, format!("Not saved: {e}")),
            });
            page.render();
        });
    }

    fn test_sign_in(&self) {
        let cloud = {
            let mut options = self.0.borrow_mut();
            options.read_fields();
            options.test_result = Some((true, "Signing in…".into()));
            options.settings.cloud.unwrap_or(Cloud::Global)
        };
        self.render();
        let page = self.clone();
        spawn_local(async move {
            let result = ExtensionTransport.sign_in(cloud, true, false, SignInHints::default()).await;
            page.0.borrow_mut().test_result = Some(match result {
                Ok(signed) => {
                    let who = signed
                        .account
                        .as_ref()
                        .and_then(|a| a.username.clone().or(a.display_name.clone()))
                        .unwrap_or_else(|| "an account".into());
                    let tenant = signed.account.as_ref().and_then(|a| a.tenant_id.clone()).unwrap_or_default();
                    (true, format!("Sign-in works: signed in as {who} (tenant {tenant}) in the {} cloud.", cloud.label()))
                }
                Err(SignInFailure::NotConfigured { .. }) => {
                    (false, "Save an Application (client) ID first, then test the sign-in.".into())
                }
                Err(SignInFailure::Failed(e)) if e.is_cancellation() => (true, "Sign-in was cancelled.".into()),
                Err(SignInFailure::Failed(e)) => (false, e.to_string()),
                Err(SignInFailure::InteractionNeeded) => (false, "The sign-in window did not open.".into()),
                Err(SignInFailure::Unavailable(reason)) => (false, reason),
            });
            page.render();
        });
    }

    fn search(&self) {
        let (cloud, text) = {
            let options = self.0.borrow();
            let text = options
                .root
                .query_selector("#rg-break-glass-search")
                .ok()
                .flatten()
                .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
                .map(|i| i.value())
                .unwrap_or_default();
            (options.settings.cloud.unwrap_or(Cloud::Global), text)
        };
        let text: String = text.chars().filter(|c| !matches!(c, '"' | '\\')).collect();
        if text.trim().is_empty() {
            return;
        }
        let page = self.clone();
        spawn_local(async move {
            let endpoints = GraphEndpoints::for_cloud(cloud);
            let query = format!(
                "\"displayName:{t}\" OR \"userPrincipalName:{t}\"",
                t = text.trim()
            );
            let url = endpoints.url(
                GraphVersion::V1,
                &format!(
                    "/users?$search={}&$select=id,displayName,userPrincipalName&$top=10",
                    crate::graph::codec::percent_encode(&query)
                ),
            );
            let request = HttpRequest {
                method: Method::Get,
                url,
                headers: vec![("ConsistencyLevel".into(), "eventual".into())],
                body: None,
            };
            let mut outcome = ExtensionTransport.send(cloud, request.clone()).await;
            if matches!(&outcome, Ok(r) if r.status == 401) {
                // Not signed in yet: the search is the admin's own click, so the window may open.
                if ExtensionTransport.sign_in(cloud, true, false, SignInHints::default()).await.is_ok() {
                    outcome = ExtensionTransport.send(cloud, request).await;
                }
            }
            let mut options = page.0.borrow_mut();
            options.search_error = None;
            options.search_results.clear();
            match outcome {
                Ok(response) if response.status == 200 => {
                    let json: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
                    for user in json.get("value").and_then(Value::as_array).into_iter().flatten() {
                        let id = user.get("id").and_then(Value::as_str).unwrap_or_default();
                        if !is_guid(id) {
                            continue;
                        }
                        let name = user.get("displayName").and_then(Value::as_str).unwrap_or_default();
                        let upn = user.get("userPrincipalName").and_then(Value::as_str).unwrap_or_default();
                        options.search_results.push(BreakGlassAccount { id: id.to_owned(), label: format!("{name} ({upn})") });
                    }
                    if options.search_results.is_empty() {
                        options.search_error = Some(format!("No user matches “{}”.", text.trim()));
                    }
                }
                Ok(response) => {
                    let json: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
                    let message = json.pointer("/error/message").and_then(Value::as_str).unwrap_or("no details given");
                    options.search_error = Some(format!(
                        "Microsoft Graph refused the search (HTTP {}): {message} Reading users needs the \
                         User.ReadBasic.All permission on the app registration.",
                        response.status
                    ));
                }
                Err(failure) => options.search_error = Some(crate::graph::errors::GraphError::from_transport(&failure).to_string()),
            }
            drop(options);
            page.render();
        });
    }

    fn render(&self) {
        let mut options = self.0.borrow_mut();
        options.read_fields_if_drawn();
        if let Err(e) = options.draw() {
            dom::warn(&format!("Registration Guard could not draw its options: {e:?}"));
        }
    }
}

impl Options {
    fn field(&self, id: &str) -> Option<Element> {
        self.root.query_selector(&format!("#{id}")).ok().flatten()
    }

    fn read_fields_if_drawn(&mut self) {
        if self.field("rg-client-id").is_some() {
            self.read_fields();
        }
    }

    /// Copies the form into the settings; the client id only when it is a GUID (or empty).
    fn read_fields(&mut self) {
        let root = self.root.clone();
        let field = |id: &str| root.query_selector(&format!("#{id}")).ok().flatten();
        let input = |id: &str| field(id).and_then(|e| e.dyn_into::<HtmlInputElement>().ok()).map(|i| i.value());
        let select = |id: &str| field(id).and_then(|e| e.dyn_into::<HtmlSelectElement>().ok()).map(|s| s.value());
        if let Some(client_id) = input("rg-client-id") {
            let client_id = client_id.trim().to_owned();
            if client_id.is_empty() || is_guid(&client_id) {
                self.settings.client_id = client_id.to_ascii_lowercase();
                self.client_error = None;
            } else {
                self.client_error = Some(
                    "The Application (client) ID is a GUID like 3e5f7a9c-2b4d-4c6e-8f01-a2b3c4d5e6f7: copy it from \
                     the app registration's Overview page."
                        .into(),
                );
            }
        }
        if let Some(cloud) = select("rg-cloud") {
            self.settings.cloud = match cloud.as_str() {
                "Global" => Some(Cloud::Global),
                "UsGovernment" => Some(Cloud::UsGovernment),
                "China" => Some(Cloud::China),
                _ => None,
            };
        }
        if let Some(preset) = select("rg-default-preset") {
            if let Some(p) = Preset::ALL.iter().copied().find(|p| super::flow_view::preset_slug(*p) == preset) {
                self.settings.default_preset = p;
            }
        }
        if let Some(state) = select("rg-default-state") {
            self.settings.default_state =
                if state == "enabled" { PolicyState::Enabled } else { PolicyState::EnabledForReportingButNotEnforced };
        }
    }

    fn draw(&mut self) -> Result<(), JsValue> {
        let doc = self.doc.clone();
        let root = self.root.clone();
        root.set_text_content(None);
        dom::append(&root, &text_el(&doc, "h1", "", "Registration Guard options")?)?;

        // The registration, in five steps.
        let setup = section(&doc, "Set up the sign-in (once per tenant)")?;
        let cloud = self.settings.cloud.unwrap_or(Cloud::Global);
        let steps = el(&doc, "ol", "rg-steps")?;
        let names = permission_names(cloud).join(", ");
        let portal = cloud.admin_center_host().unwrap_or(cloud.azure_portal_host());
        for step in [
            format!("In {portal}, open Entra ID › App registrations › New registration. Name it “Registration Guard”, accounts in this organizational directory only."),
            "Under Redirect URI choose the platform “Single-page application” and paste the redirect URI below.".to_owned(),
            format!("Under API permissions add the Microsoft Graph delegated permissions {names}, then “Grant admin consent”."),
            "Copy the Application (client) ID from the registration's Overview into the field below and press Save.".to_owned(),
            "Press “Test sign-in”.".to_owned(),
        ] {
            dom::append(&steps, &text_el(&doc, "li", "", &step)?)?;
        }
        dom::append(&setup, &steps)?;
        let redirect = el(&doc, "p", "rg-copy-row")?;
        dom::append(&redirect, &text_el(&doc, "span", "", "Redirect URI: ")?)?;
        let code = text_el(&doc, "code", "", &self.redirect_uri)?;
        code.set_attribute("data-testid", "redirect-uri")?;
        dom::append(&redirect, &code)?;
        dom::append(&redirect, &button(&doc, "copy-redirect", "Copy")?)?;
        dom::append(&setup, &redirect)?;
        let details = el(&doc, "details", "")?;
        dom::append(&details, &text_el(&doc, "summary", "", "Or run this Microsoft Graph PowerShell script (steps 1 to 3 in one go)")?)?;
        let script = text_el(&doc, "pre", "rg-code", &registration_script(cloud, &self.redirect_uri))?;
        script.set_attribute("data-testid", "registration-script")?;
        dom::append(&details, &script)?;
        dom::append(&details, &button(&doc, "copy-script", "Copy the script")?)?;
        dom::append(&setup, &details)?;
        dom::append(&root, &setup)?;

        // The settings.
        let form = section(&doc, "Settings")?;
        let client = labelled(&doc, "rg-client-id", "Application (client) ID")?;
        let input = el(&doc, "input", "")?;
        attrs(&input, &[("id", "rg-client-id"), ("type", "text"), ("spellcheck", "false"), ("autocomplete", "off"), ("placeholder", "00000000-0000-0000-0000-000000000000")])?;
        if let Some(i) = input.dyn_ref::<HtmlInputElement>() {
            i.set_value(&self.settings.client_id);
        }
        dom::append(&client, &input)?;
        dom::append(&form, &client)?;
        if let Some(error) = &self.client_error {
            let p = text_el(&doc, "p", "rg-error", error)?;
            attrs(&p, &[("role", "alert"), ("data-testid", "client-id-error")])?;
            dom::append(&form, &p)?;
        }
        let cloud_value = match self.settings.cloud {
            None => "auto",
            Some(Cloud::Global) => "Global",
            Some(Cloud::UsGovernment) => "UsGovernment",
            Some(Cloud::China) => "China",
        };
        dom::append(&form, &select(&doc, "rg-cloud", "Cloud", cloud_value, &[
            ("auto", "Automatic (the cloud of the portal page)"),
            ("Global", "Global"),
            ("UsGovernment", "US Government"),
            ("China", "China (21Vianet)"),
        ])?)?;
        let presets: Vec<(&str, &str)> = [Preset::BlockOutsideTrusted, Preset::RequireMfaOutsideTrusted, Preset::BlockGuestsOutsideTrusted]
            .iter()
            .map(|p| (super::flow_view::preset_slug(*p), p.label()))
            .collect();
        dom::append(&form, &select(&doc, "rg-default-preset", "Default policy", super::flow_view::preset_slug(self.settings.default_preset), &presets)?)?;
        let state = if self.settings.default_state == PolicyState::Enabled { "enabled" } else { "reportOnly" };
        dom::append(&form, &select(&doc, "rg-default-state", "Default state", state, &[
            ("reportOnly", "Report-only (recommended first)"),
            ("enabled", "On"),
        ])?)?;

        // Break-glass accounts.
        dom::append(&form, &text_el(&doc, "h3", "", "Emergency-access (break-glass) accounts")?)?;
        dom::append(&form, &text_el(&doc, "p", "rg-small", "Excluded from every policy Registration Guard creates. Search by name or sign-in name (needs a sign-in).")?)?;
        let chosen = el(&doc, "ul", "rg-list")?;
        chosen.set_attribute("data-testid", "break-glass")?;
        for account in &self.settings.break_glass {
            let li = text_el(&doc, "li", "", &account.label)?;
            let remove = button(&doc, "remove-break-glass", "Remove")?;
            remove.set_attribute("data-id", &account.id)?;
            remove.set_attribute("aria-label", &format!("Remove {}", account.label))?;
            dom::append(&li, &remove)?;
            dom::append(&chosen, &li)?;
        }
        dom::append(&form, &chosen)?;
        let search = labelled(&doc, "rg-break-glass-search", "Find an account")?;
        let input = el(&doc, "input", "")?;
        attrs(&input, &[("id", "rg-break-glass-search"), ("type", "search"), ("maxlength", "100")])?;
        dom::append(&search, &input)?;
        dom::append(&search, &button(&doc, "search", "Search")?)?;
        dom::append(&form, &search)?;
        if let Some(error) = &self.search_error {
            dom::append(&form, &text_el(&doc, "p", "rg-error", error)?)?;
        }
        let results = el(&doc, "ul", "rg-list")?;
        results.set_attribute("data-testid", "search-results")?;
        for account in &self.search_results {
            let li = text_el(&doc, "li", "", &account.label)?;
            let add = button(&doc, "add-break-glass", "Add")?;
            add.set_attribute("data-id", &account.id)?;
            add.set_attribute("aria-label", &format!("Add {}", account.label))?;
            dom::append(&li, &add)?;
            dom::append(&results, &li)?;
        }
        dom::append(&form, &results)?;

        let actions = el(&doc, "p", "rg-actions")?;
        dom::append(&actions, &button(&doc, "save", "Save")?)?;
        dom::append(&actions, &button(&doc, "test-sign-in", "Test sign-in")?)?;
        dom::append(&form, &actions)?;
        for (test_id, result) in [("save-status", &self.status), ("test-result", &self.test_result)] {
            if let Some((ok, text)) = result {
                let p = text_el(&doc, "p", if *ok { "rg-ok" } else { "rg-error" }, text)?;
                attrs(&p, &[("data-testid", test_id), ("role", "status")])?;
                dom::append(&form, &p)?;
            }
        }
        dom::append(&root, &form)?;
        Ok(())
    }
}

fn section(doc: &Document, heading: &str) -> Result<Element, JsValue> {
    let s = el(doc, "section", "rg-section")?;
    dom::append(&s, &text_el(doc, "h2", "", heading)?)?;
    Ok(s)
}

fn labelled(doc: &Document, id: &str, label: &str) -> Result<Element, JsValue> {
    let row = el(doc, "p", "rg-field")?;
    let l = text_el(doc, "label", "", label)?;
    l.set_attribute("for", id)?;
    dom::append(&row, &l)?;
    Ok(row)
}

fn select(doc: &Document, id: &str, label: &str, value: &str, choices: &[(&str, &str)]) -> Result<Element, JsValue> {
    let row = labelled(doc, id, label)?;
    let select = el(doc, "select", "")?;
    select.set_id(id);
    for (v, text) in choices {
        let option = text_el(doc, "option", "", text)?;
        option.set_attribute("value", v)?;
        if *v == value {
            option.set_attribute("selected", "")?;
        }
        dom::append(&select, &option)?;
    }
    dom::append(&row, &select)?;
    Ok(row)
}

fn button(doc: &Document, action: &str, label: &str) -> Result<Element, JsValue> {
    let b = text_el(doc, "button", "rg-button", label)?;
    attrs(&b, &[("type", "button"), ("data-action", action)])?;
    Ok(b)
}

fn copy(text: &str) {
    let Some(window) = web_sys::window() else { return };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into()).ok();
    let write = clipboard
        .as_ref()
        .and_then(|c| js_sys::Reflect::get(c, &"writeText".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let (Some(clipboard), Some(write)) = (clipboard, write) {
        if let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)).and_then(|p| p.dyn_into::<js_sys::Promise>()) {
            spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            });
        }
    }
}
