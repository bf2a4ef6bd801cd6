#![cfg(target_arch = "wasm32")]
//! The panel view in a real browser (headless Chromium through wasm-bindgen-test): what it builds
//! for a page, that page-supplied text stays text, and that collapsing and opening work.
//!
//! The panel is mounted the way the trainer demo docks it (no extension APIs involved), into
//! elements the test creates, and fed the same `PageFacts` the content script sends.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test web`

use registration_guard::messages::{AccountFacts, PageFacts, Viewport};
use registration_guard::web::panel::{mount_demo, PanelHandle};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Document, EventTarget, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const POLICIES: &str =
    "https://portal.azure.com/#@contoso.onmicrosoft.com/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies";
const GROUPS: &str = "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/GroupsManagementMenuBlade/~/AllGroups";

fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

fn facts(url: &str, body_background: &str, name: Option<&str>, email: Option<&str>) -> PageFacts {
    PageFacts {
        url: url.to_string(),
        title: "Conditional Access - Policies - Microsoft Azure".to_string(),
        lang: "en".to_string(),
        body_background: body_background.to_string(),
        root_background: "rgba(0, 0, 0, 0)".to_string(),
        prefers_dark: false,
        account: AccountFacts {
            me_control_name: name.map(str::to_string),
            me_control_email: email.map(str::to_string),
            avatar_user: None,
            account_button_label: None,
        },
        viewport: Viewport { width: 1366, height: 800 },
    }
}

const WHITE: &str = "rgb(255, 255, 255)";

/// A dock holding `<main id="rg-panel">`, as the demo page and panel.html have; `attached` puts it
/// in the document (needed only where focus matters).
struct Docked {
    dock: HtmlElement,
    panel: PanelHandle,
}

impl Docked {
    fn new(attached: bool) -> Docked {
        let doc = document();
        let dock: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
        let root: HtmlElement = doc.create_element("main").unwrap().unchecked_into();
        root.set_id("rg-panel");
        root.set_attribute("aria-label", "Registration Guard").unwrap();
        dock.append_child(&root).unwrap();
        if attached {
            doc.body().unwrap().append_child(&dock).unwrap();
        }
        let panel = mount_demo(&doc, root, dock.clone()).unwrap();
        Docked { dock, panel }
    }

    fn attr(&self, name: &str) -> Option<String> {
        self.dock.get_attribute(name)
    }

    fn text(&self, selector: &str) -> Option<String> {
        self.dock.query_selector(selector).unwrap().and_then(|e| e.text_content())
    }

    fn button(&self, label: &str) -> HtmlElement {
        self.dock
            .query_selector(&format!("button[aria-label=\"{label}\"]"))
            .unwrap()
            .unwrap_or_else(|| panic!("no button labelled {label:?} in {}", self.dock.inner_html()))
            .unchecked_into()
    }

    fn count(&self, selector: &str) -> u32 {
        self.dock.query_selector_all(selector).unwrap().length()
    }
}

impl Drop for Docked {
    fn drop(&mut self) {
        self.dock.remove();
    }
}

#[wasm_bindgen_test]
fn a_policies_page_renders_the_full_panel_with_summary_area_and_account() {
    let docked = Docked::new(false);
    docked.panel.set_facts(facts(POLICIES, WHITE, Some("Adele Vance"), Some("adele@contoso.onmicrosoft.com")));

    assert_eq!(docked.attr("data-state").as_deref(), Some("ready"));
    assert_eq!(docked.attr("data-mode").as_deref(), Some("full"));
    assert_eq!(docked.attr("data-theme").as_deref(), Some("light"));
    assert_eq!(
        docked.text("[data-testid=\"context-summary\"]").as_deref(),
        Some("Conditional Access › Policies · contoso.onmicrosoft.com · Global cloud")
    );
    assert_eq!(docked.text("[data-testid=\"area\"]").as_deref(), Some("Conditional Access › Policies"));
    assert_eq!(docked.text("[data-testid=\"account\"]").as_deref(), Some("Adele Vance (adele@contoso.onmicrosoft.com)"));
    let collapse = docked.button("Collapse Registration Guard");
    assert_eq!(collapse.get_attribute("aria-expanded").as_deref(), Some("true"));
    assert_eq!(docked.count("button[aria-label=\"Open Registration Guard\"]"), 0);
}

#[wasm_bindgen_test]
fn before_any_page_facts_the_panel_is_waiting_and_empty() {
    let docked = Docked::new(false);
    assert_eq!(docked.attr("data-state").as_deref(), Some("waiting"));
    assert_eq!(docked.count("[data-testid=\"context-summary\"]"), 0);
}

#[wasm_bindgen_test]
fn a_page_outside_conditional_access_gets_only_the_launcher() {
    let docked = Docked::new(false);
    docked.panel.set_facts(facts(GROUPS, WHITE, None, None));
    assert_eq!(docked.attr("data-mode").as_deref(), Some("launcher"));
    assert_eq!(docked.button("Open Registration Guard").get_attribute("aria-expanded").as_deref(), Some("false"));
    assert_eq!(docked.count("[data-testid=\"context-summary\"]"), 0);
}

#[wasm_bindgen_test]
fn navigating_replaces_the_view_instead_of_stacking_it() {
    let docked = Docked::new(false);
    for _ in 0..5 {
        docked.panel.set_facts(facts(POLICIES, WHITE, None, None));
        docked.panel.set_facts(facts(&POLICIES.replace("Policies", "NamedLocations"), WHITE, None, None));
    }
    assert_eq!(docked.count("[data-testid=\"context-summary\"]"), 1);
    assert_eq!(docked.count("button[aria-label=\"Collapse Registration Guard\"]"), 1);
    assert_eq!(
        docked.text("[data-testid=\"context-summary\"]").as_deref(),
        Some("Conditional Access › Named locations · contoso.onmicrosoft.com · Global cloud")
    );
}

#[wasm_bindgen_test]
fn hostile_account_labels_render_as_text_not_elements() {
    let docked = Docked::new(false);
    let name = "<img src=x onerror=\"parent.hacked=1\"><b>Mallory</b>";
    let email = "<script>alert(1)</script>@contoso.com";
    docked.panel.set_facts(facts(POLICIES, WHITE, Some(name), Some(email)));

    assert_eq!(docked.text("[data-testid=\"account\"]"), Some(format!("{name} ({email})")));
    assert_eq!(docked.count("img, script, b, [onerror]"), 0, "markup became elements: {}", docked.dock.inner_html());
}

#[wasm_bindgen_test]
fn addresses_with_markup_render_as_text_not_elements() {
    let docked = Docked::new(false);
    // An unknown Conditional Access section is named from the address: the launcher shows, and
    // opening it renders that name.
    let url = "https://portal.azure.com/#@contoso.onmicrosoft.com/view/Microsoft_AAD_ConditionalAccess/\
               ConditionalAccessBlade/~/%3Cimg%20src=x%20onerror=alert(1)%3E<svg/onload=alert(2)>";
    docked.panel.set_facts(facts(url, WHITE, None, None));
    assert_eq!(docked.attr("data-mode").as_deref(), Some("launcher"));
    docked.button("Open Registration Guard").click();
    assert_eq!(docked.attr("data-mode").as_deref(), Some("full"));
    assert_eq!(docked.count("img, script, svg[onload], [onerror], [onload]"), 0, "markup became elements: {}", docked.dock.inner_html());
    let summary = docked.text("[data-testid=\"context-summary\"]").unwrap();
    assert!(summary.starts_with("Conditional Access › "), "{summary}");
    assert!(!summary.contains('<') && !summary.contains('>'), "the section name kept markup characters: {summary}");

    let not_a_portal = "https://evil.example/<img src=x onerror=alert(1)>";
    docked.panel.set_facts(facts(not_a_portal, WHITE, None, None));
    assert_eq!(docked.count("img, [onerror]"), 0, "markup became elements: {}", docked.dock.inner_html());
}

#[wasm_bindgen_test]
fn the_collapse_button_switches_to_the_launcher_and_the_launcher_back() {
    let docked = Docked::new(false);
    docked.panel.set_facts(facts(POLICIES, WHITE, None, None));
    docked.button("Collapse Registration Guard").click();
    assert_eq!(docked.attr("data-mode").as_deref(), Some("launcher"));
    assert_eq!(docked.count("[data-testid=\"context-summary\"]"), 0);

    docked.button("Open Registration Guard").click();
    assert_eq!(docked.attr("data-mode").as_deref(), Some("full"));
    assert_eq!(docked.count("[data-testid=\"context-summary\"]"), 1);
}

#[wasm_bindgen_test]
fn collapsing_moves_focus_to_the_launcher_and_opening_to_the_collapse_button() {
    let docked = Docked::new(true);
    docked.panel.set_facts(facts(POLICIES, WHITE, None, None));
    let focused = || {
        document().active_element().and_then(|e| e.get_attribute("aria-label")).unwrap_or_default()
    };
    docked.button("Collapse Registration Guard").click();
    assert_eq!(focused(), "Open Registration Guard");
    docked.button("Open Registration Guard").click();
    assert_eq!(focused(), "Collapse Registration Guard");
}

/// A real `KeyboardEvent` (built through the global constructor: the crate's web-sys features
/// do not include `KeyboardEventInit`).
fn key_down(key: &str) -> web_sys::Event {
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"key".into(), &key.into()).unwrap();
    js_sys::Reflect::set(&init, &"bubbles".into(), &true.into()).unwrap();
    let constructor: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &"KeyboardEvent".into()).unwrap().unchecked_into();
    let args = js_sys::Array::of2(&"keydown".into(), &init);
    js_sys::Reflect::construct(&constructor, &args).unwrap().unchecked_into()
}

#[wasm_bindgen_test]
fn escape_collapses_the_full_panel() {
    let docked = Docked::new(true);
    docked.panel.set_facts(facts(POLICIES, WHITE, None, None));
    let target: EventTarget = docked.button("Collapse Registration Guard").unchecked_into();
    target.dispatch_event(&key_down("Escape")).unwrap();
    assert_eq!(docked.attr("data-mode").as_deref(), Some("launcher"));
}

#[wasm_bindgen_test]
fn the_choice_to_collapse_outlives_navigation_within_conditional_access() {
    let docked = Docked::new(false);
    docked.panel.set_facts(facts(POLICIES, WHITE, None, None));
    docked.button("Collapse Registration Guard").click();
    docked.panel.set_facts(facts(&POLICIES.replace("Policies", "NamedLocations"), WHITE, None, None));
    assert_eq!(docked.attr("data-mode").as_deref(), Some("launcher"));
}

#[wasm_bindgen_test]
fn a_dark_portal_gives_a_dark_panel() {
    let docked = Docked::new(false);
    docked.panel.set_facts(facts(POLICIES, "rgb(27, 26, 25)", None, None));
    assert_eq!(docked.attr("data-theme").as_deref(), Some("dark"));
    docked.panel.set_facts(facts(POLICIES, WHITE, None, None));
    assert_eq!(docked.attr("data-theme").as_deref(), Some("light"));
}

// ───────────────────────────────────────────────────────────────────────────────────────────────
// APPLY-UI: the apply flow docked with a simulated tenant (as the trainer demo runs it), and the
// app-registration script of the options page.
// ───────────────────────────────────────────────────────────────────────────────────────────────

mod apply_flow {
    use super::*;
    use registration_guard::context::Cloud;
    use registration_guard::sim::SimTenant;
    use registration_guard::web::graph_fetch::sleep;
    use registration_guard::web::options::{ps_quote, registration_script};
    use registration_guard::web::transport::SimTransport;
    use std::cell::RefCell;
    use std::rc::Rc;

    async fn flow_state(docked: &Docked, wanted: &str) {
        for _ in 0..200 {
            let state = docked.dock.query_selector("[data-testid=\"apply-flow\"]").unwrap().and_then(|s| s.get_attribute("data-flow-state"));
            if state.as_deref() == Some(wanted) {
                return;
            }
            sleep(25).await;
        }
        panic!("the flow never reached {wanted}: {}", docked.dock.inner_html());
    }

    #[wasm_bindgen_test]
    async fn a_simulated_tenant_is_read_at_once_and_shows_the_verdict_and_the_exact_body() {
        let tenant = Rc::new(RefCell::new(SimTenant::contoso_demo()));
        let docked = Docked::new(false);
        docked.panel.set_tenant(Rc::new(SimTransport::new(tenant.clone())));
        docked.panel.set_facts(facts(POLICIES, WHITE, None, None));
        flow_state(&docked, "review").await;
        assert_eq!(docked.text("[data-testid=\"coverage-verdict\"]").as_deref(), Some("Not protected"));
        let body: serde_json::Value = serde_json::from_str(&docked.text("[data-testid=\"policy-json\"]").unwrap()).unwrap();
        assert_eq!(body["state"], "enabledForReportingButNotEnforced");
        assert_eq!(body["conditions"]["applications"]["includeUserActions"][0], "urn:user:registersecurityinfo");
    }

    #[wasm_bindgen_test]
    async fn scripted_clicks_on_apply_and_confirm_write_nothing() {
        let tenant = Rc::new(RefCell::new(SimTenant::contoso_demo()));
        let before = tenant.borrow().policies.len();
        let docked = Docked::new(false);
        docked.panel.set_tenant(Rc::new(SimTransport::new(tenant.clone())));
        docked.panel.set_facts(facts(POLICIES, WHITE, None, None));
        flow_state(&docked, "review").await;
        let apply: HtmlElement = docked.dock.query_selector("[data-action=\"apply\"]").unwrap().unwrap().unchecked_into();
        apply.click();
        assert!(docked.dock.query_selector("[data-testid=\"confirm\"]").unwrap().is_none(), "an untrusted click opens nothing");
        sleep(100).await;
        assert_eq!(tenant.borrow().policies.len(), before);
    }

    #[wasm_bindgen_test]
    fn powershell_strings_are_verbatim_and_quotes_doubled() {
        assert_eq!(ps_quote("it's $(Get-Secret)"), "'it''s $(Get-Secret)'");
        assert_eq!(ps_quote("a\u{2019}b"), "'a\u{2019}\u{2019}b'");
        let script = registration_script(Cloud::UsGovernment, "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/");
        assert!(script.contains("Connect-MgGraph -Environment USGov"), "{script}");
        assert!(script.contains("RedirectUris = @('https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/')"), "{script}");
        assert!(script.contains("'User.ReadBasic.All'") && script.contains("'LicenseAssignment.Read.All'"), "{script}");
        assert!(script.contains("-SignInAudience 'AzureADMyOrg'"));
    }
}
