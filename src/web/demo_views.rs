//! Draws the trainer demo from its state ([`super::demo::Demo`]): the simulated admin center
//! (policies, one policy, named locations), the end-user view, the presenter and the trainer's
//! own tenant. Text goes in as text only; engine results are also written as JSON attributes so
//! tests can check the page against the engine.

use super::blockpreview_view::{preset_slug, render_block_preview};
use super::demo::{Demo, Notice, View, STEPS};
use super::demo_import::Loaded;
use super::demo_outcomes::{persona_rows, rows_for, DraftChoice, Evaluated, Outcome, PersonaRow};
use super::dom::{self, attrs, el, text_el};
use crate::engine::coverage::{assess_with_draft, CoverageReport, Verdict};
use crate::engine::model::{
    BuiltInControl, ClientAppType, ConditionalAccessPolicy, GuestOrExternalUserType, NamedLocation,
    PolicyState, TenantSnapshot, ALL, ALL_TRUSTED, GUESTS_OR_EXTERNAL_USERS,
    USER_ACTION_REGISTER_DEVICE, USER_ACTION_REGISTER_SECURITY_INFO,
};
use crate::engine::preflight::{preflight, Severity};
use crate::engine::presets::Preset;
use crate::engine::whatif::{SignIn, SignInTarget};
use crate::sim::SimTenant;
use wasm_bindgen::JsValue;
use web_sys::{Document, Element, HtmlElement};

type Res<T = ()> = Result<T, JsValue>;

/// Replaces the content of `app` with the current view.
pub fn draw(doc: &Document, app: &HtmlElement, demo: &Demo) -> Res {
    app.set_text_content(None);
    let view_name = match demo.view {
        View::Policies | View::Policy(_) | View::NamedLocations => "admin",
        View::EndUser => "end-user",
        View::Presenter => "presenter",
        View::OwnTenant => "own",
    };
    app.set_attribute("data-view", view_name)?;
    dom::append(app, &top_bar(doc, demo)?)?;
    let body = el(doc, "div", "demo-body")?;
    let tenant = demo.tenant.borrow();
    match &demo.view {
        View::Policies | View::Policy(_) | View::NamedLocations => {
            admin_center(doc, &body, demo, &tenant)?
        }
        View::EndUser => end_user(doc, &body, demo, &tenant)?,
        View::Presenter => presenter(doc, &body, demo, &tenant)?,
        View::OwnTenant => own_tenant(doc, &body, demo)?,
    }
    dom::append(app, &body)
}

fn button(doc: &Document, class: &str, label: &str, action: &str, arg: &str) -> Res<Element> {
    let b = text_el(doc, "button", class, label)?;
    attrs(&b, &[("type", "button"), ("data-action", action)])?;
    if !arg.is_empty() {
        b.set_attribute("data-arg", arg)?;
    }
    Ok(b)
}

fn pressed(element: &Element, on: bool) -> Res {
    element.set_attribute("aria-pressed", if on { "true" } else { "false" })
}

fn top_bar(doc: &Document, demo: &Demo) -> Res<Element> {
    let bar = el(doc, "header", "demo-top")?;
    let brand = el(doc, "div", "demo-brand")?;
    dom::append(&brand, &dom::shield_icon(doc, "demo-brand-icon")?)?;
    let words = el(doc, "p", "demo-brand-text")?;
    dom::append(
        &words,
        &text_el(doc, "strong", "", "Simulated Entra admin center")?,
    )?;
    dom::append(
        &words,
        &text_el(
            doc,
            "span",
            "demo-brand-sub",
            "Registration Guard trainer demo · offline · Contoso",
        )?,
    )?;
    dom::append(&brand, &words)?;
    dom::append(&bar, &brand)?;

    let modes = el(doc, "nav", "demo-modes")?;
    modes.set_attribute("aria-label", "Demo views")?;
    let current = match demo.view {
        View::Policies | View::Policy(_) | View::NamedLocations => "policies",
        View::EndUser => "end-user",
        View::Presenter => "presenter",
        View::OwnTenant => "own",
    };
    for (arg, label) in [
        ("policies", "Admin center"),
        ("end-user", "End-user view"),
        ("presenter", "Presenter"),
        ("own", "Your tenant"),
    ] {
        let b = button(doc, "demo-mode", label, "view", arg)?;
        if arg == current {
            b.set_attribute("aria-current", "page")?;
        }
        dom::append(&modes, &b)?;
    }
    dom::append(&bar, &modes)?;

    let tools = el(doc, "div", "demo-tools")?;
    let large = button(doc, "demo-tool", "Large text", "large-text", "")?;
    pressed(&large, demo.large_text)?;
    dom::append(&tools, &large)?;
    let reset = button(doc, "demo-tool", "Reset demo", "reset", "")?;
    reset.set_attribute("title", "Back to the starting Contoso tenant")?;
    dom::append(&tools, &reset)?;
    dom::append(&bar, &tools)?;
    Ok(bar)
}

fn notice(doc: &Document, demo: &Demo) -> Res<Element> {
    let region = el(doc, "div", "demo-notice")?;
    attrs(&region, &[("role", "status"), ("data-testid", "notice")])?;
    match &demo.notice {
        None => {}
        Some(Notice::Done(text)) => {
            region.set_attribute("data-kind", "done")?;
            dom::append(&region, &text_el(doc, "p", "", text)?)?;
        }
        Some(Notice::Problem(text)) => {
            region.set_attribute("data-kind", "problem")?;
            dom::append(&region, &text_el(doc, "p", "", text)?)?;
        }
        Some(Notice::Lines {
            title,
            lines,
            problem,
        }) => {
            region.set_attribute("data-kind", if *problem { "problem" } else { "done" })?;
            dom::append(&region, &text_el(doc, "p", "", title)?)?;
            let list = el(doc, "ul", "")?;
            for line in lines {
                dom::append(&list, &text_el(doc, "li", "", line)?)?;
            }
            dom::append(&region, &list)?;
        }
    }
    Ok(region)
}

// ---------------------------------------------------------------- admin center

fn admin_center(doc: &Document, body: &Element, demo: &Demo, tenant: &SimTenant) -> Res {
    let nav = el(doc, "nav", "demo-nav")?;
    nav.set_attribute("aria-label", "Conditional Access")?;
    dom::append(
        &nav,
        &text_el(
            doc,
            "p",
            "demo-nav-heading",
            "Protection › Conditional Access",
        )?,
    )?;
    for (arg, label, on) in [
        (
            "policies",
            "Policies",
            matches!(demo.view, View::Policies | View::Policy(_)),
        ),
        (
            "locations",
            "Named locations",
            demo.view == View::NamedLocations,
        ),
    ] {
        let b = button(doc, "demo-nav-item", label, "view", arg)?;
        if on {
            b.set_attribute("aria-current", "page")?;
        }
        dom::append(&nav, &b)?;
    }
    dom::append(body, &nav)?;

    let blade = el(doc, "section", "demo-blade")?;
    blade.set_attribute("aria-labelledby", "demo-blade-title")?;
    let (crumb, title) = match &demo.view {
        View::Policy(id) => (
            "Home › Conditional Access › Policies",
            tenant
                .policies
                .iter()
                .find(|p| p.id.as_deref() == Some(id))
                .map_or("Policy", |p| p.display_name.as_str()),
        ),
        View::NamedLocations => (
            "Home › Conditional Access",
            "Conditional Access | Named locations",
        ),
        _ => ("Home › Conditional Access", "Conditional Access | Policies"),
    };
    dom::append(&blade, &text_el(doc, "p", "demo-crumb", crumb)?)?;
    let h1 = text_el(doc, "h1", "demo-blade-title", title)?;
    attrs(
        &h1,
        &[
            ("id", "demo-blade-title"),
            ("tabindex", "-1"),
            ("data-focus-after-change", ""),
        ],
    )?;
    dom::append(&blade, &h1)?;
    dom::append(&blade, &notice(doc, demo)?)?;
    match &demo.view {
        View::Policy(id) => match tenant.policies.iter().find(|p| p.id.as_deref() == Some(id)) {
            Some(policy) => policy_details(doc, &blade, policy, tenant)?,
            None => dom::append(
                &blade,
                &text_el(
                    doc,
                    "p",
                    "",
                    "This policy no longer exists in the simulated tenant.",
                )?,
            )?,
        },
        View::NamedLocations => named_locations(doc, &blade, demo, tenant)?,
        _ => policy_list(doc, &blade, tenant)?,
    }
    dom::append(body, &blade)
}

fn table(doc: &Document, caption: &str, headings: &[&str]) -> Res<(Element, Element)> {
    let table = el(doc, "table", "demo-table")?;
    dom::append(
        &table,
        &text_el(doc, "caption", "demo-visually-hidden", caption)?,
    )?;
    let head = el(doc, "thead", "")?;
    let row = el(doc, "tr", "")?;
    for h in headings {
        let th = text_el(doc, "th", "", h)?;
        th.set_attribute("scope", "col")?;
        dom::append(&row, &th)?;
    }
    dom::append(&head, &row)?;
    dom::append(&table, &head)?;
    let tbody = el(doc, "tbody", "")?;
    dom::append(&table, &tbody)?;
    Ok((table, tbody))
}

fn cell(doc: &Document, row: &Element, text: &str) -> Res<Element> {
    let td = text_el(doc, "td", "", text)?;
    dom::append(row, &td)?;
    Ok(td)
}

fn state_badge(doc: &Document, state: PolicyState) -> Res<Element> {
    let badge = text_el(doc, "span", "demo-state", state.label())?;
    badge.set_attribute("data-state", state.as_str())?;
    Ok(badge)
}

fn policy_list(doc: &Document, blade: &Element, tenant: &SimTenant) -> Res {
    let bar = el(doc, "div", "demo-commands")?;
    dom::append(
        &bar,
        &text_el(
            doc,
            "p",
            "",
            &format!("{} policies · open one to change its state · the panel at the bottom right checks and applies", tenant.policies.len()),
        )?,
    )?;
    dom::append(blade, &bar)?;
    let (t, tbody) = table(
        doc,
        "Conditional Access policies",
        &["Policy name", "State", "Users", "Target resources", "Grant"],
    )?;
    t.set_attribute("data-testid", "policy-list")?;
    for policy in &tenant.policies {
        let row = el(doc, "tr", "")?;
        let name = el(doc, "td", "")?;
        let open = button(
            doc,
            "demo-link",
            &policy.display_name,
            "open-policy",
            policy.id.as_deref().unwrap_or_default(),
        )?;
        dom::append(&name, &open)?;
        dom::append(&row, &name)?;
        let state = el(doc, "td", "")?;
        dom::append(&state, &state_badge(doc, policy.state)?)?;
        dom::append(&row, &state)?;
        cell(doc, &row, &users_summary(policy))?;
        cell(doc, &row, &target_summary(policy))?;
        cell(doc, &row, &grant_summary(policy))?;
        row.set_attribute("data-policy-state", policy.state.as_str())?;
        dom::append(&tbody, &row)?;
    }
    dom::append(blade, &t)
}

fn users_summary(policy: &ConditionalAccessPolicy) -> String {
    let u = &policy.conditions.users;
    let mut include = Vec::new();
    if u.include_users.iter().any(|x| x == ALL) {
        include.push("All users".to_string());
    } else if !u.include_users.is_empty() {
        include.push(count(u.include_users.len(), "user"));
    }
    if u.include_guests_or_external_users.is_some()
        || u.include_users
            .iter()
            .any(|x| x == GUESTS_OR_EXTERNAL_USERS)
    {
        include.push("Guests and external users".to_string());
    }
    if !u.include_groups.is_empty() {
        include.push(count(u.include_groups.len(), "group"));
    }
    if !u.include_roles.is_empty() {
        include.push(count(u.include_roles.len(), "role"));
    }
    let excluded = u.exclude_users.len()
        + u.exclude_groups.len()
        + u.exclude_roles.len()
        + usize::from(u.exclude_guests_or_external_users.is_some());
    let mut text = if include.is_empty() {
        "None".to_string()
    } else {
        include.join(", ")
    };
    if excluded > 0 {
        text.push_str(&format!(" (excluding {excluded})"));
    }
    text
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn user_action_label(action: &str) -> String {
    if action.eq_ignore_ascii_case(USER_ACTION_REGISTER_SECURITY_INFO) {
        "User action: Register security information".to_string()
    } else if action.eq_ignore_ascii_case(USER_ACTION_REGISTER_DEVICE) {
        "User action: Register or join devices".to_string()
    } else {
        format!("User action: {action}")
    }
}

fn target_summary(policy: &ConditionalAccessPolicy) -> String {
    let a = &policy.conditions.applications;
    if !a.include_user_actions.is_empty() {
        return a
            .include_user_actions
            .iter()
            .map(|x| user_action_label(x))
            .collect::<Vec<_>>()
            .join(", ");
    }
    if a.include_applications.iter().any(|x| x == ALL) {
        "All resources".to_string()
    } else {
        count(a.include_applications.len(), "resource")
    }
}

fn grant_summary(policy: &ConditionalAccessPolicy) -> String {
    let Some(grant) = &policy.grant_controls else {
        return "None".to_string();
    };
    let mut parts: Vec<String> = grant
        .built_in_controls
        .iter()
        .map(|c| match c {
            BuiltInControl::Block => "Block access".to_string(),
            BuiltInControl::Mfa => "Require multifactor authentication".to_string(),
            other => format!("Require {other}"),
        })
        .collect();
    if let Some(strength) = &grant.authentication_strength {
        parts.push(format!(
            "Require authentication strength ({})",
            strength.display_name.as_deref().unwrap_or("unnamed")
        ));
    }
    if parts.is_empty() {
        "None".to_string()
    } else {
        parts.join(if format!("{:?}", grant.operator) == "And" {
            " and "
        } else {
            " or "
        })
    }
}

fn location_name(tenant: &SimTenant, id: &str) -> String {
    match id {
        x if x == ALL => "Any location".to_string(),
        x if x == ALL_TRUSTED => "All trusted locations".to_string(),
        _ => tenant
            .named_locations
            .iter()
            .find(|l| l.id() == Some(id))
            .map_or_else(
                || format!("Unknown location {id}"),
                |l| l.display_name().to_string(),
            ),
    }
}

fn user_name(tenant: &SimTenant, id: &str) -> String {
    match id {
        x if x == ALL => "All users".to_string(),
        x if x == GUESTS_OR_EXTERNAL_USERS => "Guests and external users".to_string(),
        _ => {
            let name = tenant
                .user(id)
                .map_or_else(|| format!("User {id}"), |u| u.display_name.clone());
            // Say why the class sees these accounts left out.
            if tenant.signed_in_admin.as_deref() == Some(id) {
                format!("{name} (the signed-in admin)")
            } else if tenant.break_glass.iter().any(|b| b == id) {
                format!("{name} (break-glass)")
            } else {
                name
            }
        }
    }
}

fn group_name(tenant: &SimTenant, id: &str) -> String {
    tenant
        .groups
        .iter()
        .find(|g| g.id == id)
        .map_or_else(|| format!("Group {id}"), |g| g.display_name.clone())
}

fn role_name(tenant: &SimTenant, id: &str) -> String {
    tenant
        .directory_roles
        .iter()
        .find(|r| r.role_template_id == id)
        .map_or_else(|| format!("Role {id}"), |r| r.display_name.clone())
}

fn guest_kinds(kinds: &[GuestOrExternalUserType]) -> String {
    if kinds.len() >= GuestOrExternalUserType::ALL_KINDS.len() {
        "Guests and external users (all kinds)".to_string()
    } else {
        format!(
            "Guests and external users: {}",
            kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Who a policy includes and excludes, with names.
fn who(policy: &ConditionalAccessPolicy, tenant: &SimTenant) -> (Vec<String>, Vec<String>) {
    let u = &policy.conditions.users;
    let mut include: Vec<String> = u
        .include_users
        .iter()
        .map(|id| user_name(tenant, id))
        .collect();
    include.extend(u.include_groups.iter().map(|id| group_name(tenant, id)));
    include.extend(u.include_roles.iter().map(|id| role_name(tenant, id)));
    if let Some(g) = &u.include_guests_or_external_users {
        include.push(guest_kinds(&g.guest_or_external_user_types));
    }
    let mut exclude: Vec<String> = u
        .exclude_users
        .iter()
        .map(|id| user_name(tenant, id))
        .collect();
    exclude.extend(u.exclude_groups.iter().map(|id| group_name(tenant, id)));
    exclude.extend(u.exclude_roles.iter().map(|id| role_name(tenant, id)));
    if let Some(g) = &u.exclude_guests_or_external_users {
        exclude.push(guest_kinds(&g.guest_or_external_user_types));
    }
    (include, exclude)
}

fn setting(doc: &Document, list: &Element, term: &str, values: &[String]) -> Res {
    dom::append(list, &text_el(doc, "dt", "", term)?)?;
    let dd = el(doc, "dd", "")?;
    if values.is_empty() {
        dom::append(&dd, &text_el(doc, "span", "demo-muted", "None")?)?;
    }
    for v in values {
        dom::append(&dd, &text_el(doc, "span", "demo-value", v)?)?;
    }
    dom::append(list, &dd)
}

fn policy_details(
    doc: &Document,
    blade: &Element,
    policy: &ConditionalAccessPolicy,
    tenant: &SimTenant,
) -> Res {
    let back = button(doc, "demo-link", "‹ All policies", "view", "policies")?;
    dom::append(blade, &back)?;
    let list = el(doc, "dl", "demo-settings")?;
    list.set_attribute("data-testid", "policy-details")?;
    let (include, exclude) = who(policy, tenant);
    setting(doc, &list, "Users — include", &include)?;
    setting(doc, &list, "Users — exclude", &exclude)?;
    setting(doc, &list, "Target resources", &[target_summary(policy)])?;
    let (inc, exc) = policy.conditions.locations.as_ref().map_or_else(
        || {
            (
                vec!["Not configured (any network or location)".to_string()],
                Vec::new(),
            )
        },
        |l| {
            (
                l.include_locations
                    .iter()
                    .map(|id| location_name(tenant, id))
                    .collect(),
                l.exclude_locations
                    .iter()
                    .map(|id| location_name(tenant, id))
                    .collect(),
            )
        },
    );
    setting(doc, &list, "Network — include", &inc)?;
    setting(doc, &list, "Network — exclude", &exc)?;
    let apps: Vec<String> = policy
        .conditions
        .client_app_types
        .iter()
        .map(client_app_label)
        .collect();
    setting(doc, &list, "Client apps", &apps)?;
    setting(doc, &list, "Grant", &[grant_summary(policy)])?;
    dom::append(blade, &list)?;

    let enable = el(doc, "div", "demo-enable")?;
    attrs(
        &enable,
        &[("role", "group"), ("aria-label", "Enable policy")],
    )?;
    dom::append(
        &enable,
        &text_el(doc, "span", "demo-enable-label", "Enable policy")?,
    )?;
    for state in [
        PolicyState::EnabledForReportingButNotEnforced,
        PolicyState::Enabled,
        PolicyState::Disabled,
    ] {
        let b = button(
            doc,
            "demo-segment",
            state.label(),
            "policy-state",
            state.as_str(),
        )?;
        pressed(&b, policy.state == state)?;
        dom::append(&enable, &b)?;
    }
    dom::append(
        &enable,
        &button(doc, "demo-danger", "Delete policy", "delete-policy", "")?,
    )?;
    dom::append(blade, &enable)?;

    let json = el(doc, "details", "demo-json")?;
    dom::append(
        &json,
        &text_el(doc, "summary", "", "Policy JSON (Microsoft Graph)")?,
    )?;
    let body = serde_json::to_string_pretty(&policy.to_graph_json()).unwrap_or_default();
    let pre = text_el(doc, "pre", "", &body)?;
    pre.set_attribute("tabindex", "0")?;
    dom::append(&json, &pre)?;
    dom::append(blade, &json)
}

/// Client app types as the admin center names them.
fn client_app_label(app: &ClientAppType) -> String {
    match app {
        ClientAppType::All => "All client apps".to_string(),
        ClientAppType::Browser => "Browser".to_string(),
        ClientAppType::MobileAppsAndDesktopClients => "Mobile apps and desktop clients".to_string(),
        ClientAppType::ExchangeActiveSync => "Exchange ActiveSync clients".to_string(),
        ClientAppType::EasSupported => "Exchange ActiveSync (supported platforms)".to_string(),
        ClientAppType::LegacyOther => "Other clients".to_string(),
        ClientAppType::Other(name) => name.clone(),
    }
}

fn location_ranges(location: &NamedLocation) -> String {
    match location {
        NamedLocation::Ip { ip_ranges, .. } => ip_ranges.join(", "),
        NamedLocation::Country {
            countries_and_regions,
            include_unknown,
            ..
        } => {
            let mut text = countries_and_regions.join(", ");
            if *include_unknown {
                text.push_str(" and unknown countries");
            }
            text
        }
        NamedLocation::Other { odata_type, .. } => odata_type.clone(),
    }
}

fn named_locations(doc: &Document, blade: &Element, demo: &Demo, tenant: &SimTenant) -> Res {
    let (t, tbody) = table(
        doc,
        "Named locations",
        &["Name", "Location type", "Trusted", "Ranges or countries"],
    )?;
    t.set_attribute("data-testid", "location-list")?;
    for location in &tenant.named_locations {
        let row = el(doc, "tr", "")?;
        cell(doc, &row, location.display_name())?;
        let kind = match location {
            NamedLocation::Ip { .. } => "IP ranges",
            NamedLocation::Country { .. } => "Countries",
            NamedLocation::Other { .. } => "Other",
        };
        cell(doc, &row, kind)?;
        cell(doc, &row, if location.is_trusted() { "Yes" } else { "No" })?;
        cell(doc, &row, &location_ranges(location))?;
        row.set_attribute(
            "data-trusted",
            if location.is_trusted() {
                "true"
            } else {
                "false"
            },
        )?;
        dom::append(&tbody, &row)?;
    }
    dom::append(blade, &t)?;
    dom::append(blade, &range_form(doc, demo, "demo-range-form")?)
}

/// The "add a trusted IP range location" form, used on the named locations blade and in the presenter.
fn range_form(doc: &Document, demo: &Demo, class: &str) -> Res<Element> {
    let form = el(doc, "section", class)?;
    form.set_attribute("aria-label", "New trusted IP range location")?;
    dom::append(
        &form,
        &text_el(
            doc,
            "h2",
            "demo-form-title",
            "New trusted IP range location",
        )?,
    )?;
    let name_id = format!("{class}-name");
    let ranges_id = format!("{class}-ranges");
    let name_label = text_el(doc, "label", "", "Name")?;
    name_label.set_attribute("for", &name_id)?;
    let name = doc.create_element("input")?;
    attrs(
        &name,
        &[
            ("id", &name_id),
            ("type", "text"),
            ("data-bind", "range-name"),
            ("value", &demo.range_name),
            ("autocomplete", "off"),
        ],
    )?;
    let ranges_hint = if class == "demo-range-form" {
        "IP ranges (CIDR; one per line, or separated by commas)"
    } else {
        "IP ranges (CIDR)"
    };
    let ranges_label = text_el(doc, "label", "", ranges_hint)?;
    ranges_label.set_attribute("for", &ranges_id)?;
    let ranges = text_el(doc, "textarea", "", &demo.range_text)?;
    attrs(
        &ranges,
        &[
            ("id", &ranges_id),
            ("rows", "2"),
            ("data-bind", "range-text"),
            ("spellcheck", "false"),
            ("placeholder", "192.0.2.0/24"),
        ],
    )?;
    for part in [&name_label, &name, &ranges_label, &ranges] {
        dom::append(&form, part)?;
    }
    dom::append(
        &form,
        &button(
            doc,
            "demo-primary",
            "Create trusted location",
            "add-range",
            "",
        )?,
    )?;
    Ok(form)
}

// ---------------------------------------------------------------- outcomes

/// Facts the demo's story gives a persona beyond the directory (what the class is told).
fn persona_fact(key: &str) -> Option<&'static str> {
    match key {
        "remote-new-hire" => {
            Some("No sign-in method registered yet; the helpdesk issued a Temporary Access Pass.")
        }
        "guest" => Some("A Temporary Access Pass from Contoso does not work for guests."),
        "break-glass" => Some("Excluded from every Conditional Access policy by design."),
        _ => None,
    }
}

fn outcome_cell(doc: &Document, row: &Element, column: &str, evaluated: &Evaluated) -> Res {
    let td = el(doc, "td", "demo-outcome")?;
    attrs(
        &td,
        &[
            ("data-column", column),
            ("data-outcome", evaluated.outcome.kind()),
        ],
    )?;
    let later = evaluated
        .if_report_only_enforced
        .as_ref()
        .map(|o| o.kind())
        .unwrap_or("");
    td.set_attribute("data-if-report-only-enforced", later)?;
    let badge = text_el(doc, "span", "demo-outcome-badge", evaluated.outcome.label())?;
    badge.set_attribute("data-outcome", evaluated.outcome.kind())?;
    dom::append(&td, &badge)?;
    let note = evaluated.table_note();
    if !note.is_empty() {
        dom::append(&td, &text_el(doc, "span", "demo-outcome-why", &note)?)?;
    }
    dom::append(row, &td)
}

/// The personas × outcome table; its data attributes carry what the engine was given.
fn outcome_table(
    doc: &Document,
    rows: &[PersonaRow],
    snapshot: &TenantSnapshot,
    draft: Option<(&DraftChoice, &ConditionalAccessPolicy)>,
    pick: bool,
    selected: &str,
) -> Res<Element> {
    let draft_heading = draft.map(|(choice, _)| {
        format!(
            "With “{}” ({})",
            choice.preset.label(),
            choice.state.label()
        )
    });
    let mut headings = vec!["Persona", "Signs in from", "Today"];
    if let Some(h) = &draft_heading {
        headings.push(h);
    }
    let (t, tbody) = table(
        doc,
        "What each persona meets on Register security info",
        &headings,
    )?;
    attrs(
        &t,
        &[
            ("data-testid", "outcome-table"),
            (
                "data-snapshot",
                &serde_json::to_string(snapshot).unwrap_or_default(),
            ),
            (
                "data-draft",
                &draft
                    .map(|(_, p)| p.to_graph_json().to_string())
                    .unwrap_or_default(),
            ),
        ],
    )?;
    t.class_list().add_1("demo-outcomes")?;
    for row in rows {
        let tr = el(doc, "tr", "")?;
        attrs(
            &tr,
            &[
                ("data-persona", &row.persona.key),
                (
                    "data-sign-in",
                    &serde_json::to_string(&row.sign_in).unwrap_or_default(),
                ),
            ],
        )?;
        let who = el(doc, "th", "")?;
        who.set_attribute("scope", "row")?;
        if pick {
            let b = button(
                doc,
                "demo-link",
                &row.persona.label,
                "persona",
                &row.persona.key,
            )?;
            pressed(&b, row.persona.key == selected)?;
            dom::append(&who, &b)?;
        } else {
            dom::append(&who, &text_el(doc, "strong", "", &row.persona.label)?)?;
        }
        dom::append(&who, &text_el(doc, "span", "demo-muted", &row.user_name)?)?;
        dom::append(&tr, &who)?;
        let from = match &row.trusted_location {
            Some(name) => format!(
                "{} ({}) — trusted: {name}",
                row.persona.ip_address, row.persona.country
            ),
            None => format!(
                "{} ({}) — not a trusted location",
                row.persona.ip_address, row.persona.country
            ),
        };
        cell(doc, &tr, &from)?;
        outcome_cell(doc, &tr, "today", &row.today)?;
        if let Some(with) = &row.with_draft {
            outcome_cell(doc, &tr, "draft", with)?;
        }
        dom::append(&tbody, &tr)?;
    }
    Ok(t)
}

/// The screen the persona reaches, with the engine's reason above it.
fn persona_screen(
    doc: &Document,
    parent: &Element,
    row: &PersonaRow,
    evaluated: &Evaluated,
) -> Res {
    let card = el(doc, "section", "demo-screen")?;
    attrs(
        &card,
        &[
            ("data-testid", "enduser-outcome"),
            ("data-outcome", evaluated.outcome.kind()),
            ("aria-label", "What the persona sees"),
        ],
    )?;
    let headline = format!("{} — {}", row.user_name, evaluated.outcome.label());
    dom::append(&card, &text_el(doc, "h2", "demo-screen-title", &headline)?)?;
    dom::append(
        &card,
        &text_el(doc, "p", "demo-screen-why", &evaluated.sentence())?,
    )?;
    if let Some(fact) = persona_fact(&row.persona.key) {
        dom::append(
            &card,
            &text_el(doc, "p", "demo-muted", &format!("In this story: {fact}"))?,
        )?;
    }
    let stage = el(doc, "div", "demo-screen-stage")?;
    match &evaluated.outcome {
        Outcome::RegistrationPage => security_info_page(doc, &stage, row)?,
        Outcome::MfaPrompt { .. } => {
            render_block_preview(&stage, Preset::RequireMfaOutsideTrusted)?
        }
        Outcome::OtherControls { controls, .. } => dom::append(
            &stage,
            &text_el(
                doc,
                "p",
                "",
                &format!("The sign-in asks for: {}.", controls.join(", ")),
            )?,
        )?,
        Outcome::Blocked { policies } => {
            let guests = row.sign_in.guest_type.is_some()
                && policies
                    .iter()
                    .any(|p| p == Preset::BlockGuestsOutsideTrusted.default_display_name());
            let preset = if guests {
                Preset::BlockGuestsOutsideTrusted
            } else {
                Preset::BlockOutsideTrusted
            };
            render_block_preview(&stage, preset)?
        }
    }
    dom::append(&card, &stage)?;
    dom::append(parent, &card)
}

/// The Security info page of My Sign-Ins, as a user who may register sees it.
fn security_info_page(doc: &Document, parent: &Element, row: &PersonaRow) -> Res {
    let page = el(doc, "figure", "demo-mysignins")?;
    attrs(
        &page,
        &[
            ("aria-label", "Security info page (simulated)"),
            ("data-testid", "registration-page"),
        ],
    )?;
    dom::append(
        &page,
        &text_el(
            doc,
            "p",
            "demo-mysignins-bar",
            "My Sign-Ins | Security info (simulated)",
        )?,
    )?;
    dom::append(&page, &text_el(doc, "h3", "", "Security info")?)?;
    dom::append(
        &page,
        &text_el(
            doc,
            "p",
            "",
            "These are the methods you use to sign into your account or reset your password.",
        )?,
    )?;
    dom::append(
        &page,
        &text_el(doc, "p", "demo-mysignins-add", "+ Add sign-in method")?,
    )?;
    dom::append(
        &page,
        &text_el(
            doc,
            "p",
            "demo-muted",
            &format!(
                "Signed in as {} from {}.",
                row.user_name, row.persona.ip_address
            ),
        )?,
    )?;
    dom::append(parent, &page)
}

// ---------------------------------------------------------------- end-user view

fn end_user(doc: &Document, body: &Element, demo: &Demo, tenant: &SimTenant) -> Res {
    let view = el(doc, "section", "demo-enduser")?;
    view.set_attribute("aria-labelledby", "demo-enduser-title")?;
    let h1 = text_el(
        doc,
        "h1",
        "demo-view-title",
        "End-user view: Register security info",
    )?;
    attrs(
        &h1,
        &[
            ("id", "demo-enduser-title"),
            ("tabindex", "-1"),
            ("data-focus-after-change", ""),
        ],
    )?;
    dom::append(&view, &h1)?;
    dom::append(
        &view,
        &text_el(
            doc,
            "p",
            "demo-lead",
            "Pick a persona and press Register security info: the outcome is what the what-if engine computes on the \
             simulated tenant's policies as they are now (report-only policies only log).",
        )?,
    )?;
    let rows = match persona_rows(tenant, None) {
        Ok(rows) => rows,
        Err(e) => return dom::append(body, &text_el(doc, "p", "demo-error", &e)?),
    };
    let columns = el(doc, "div", "demo-enduser-columns")?;
    let list = el(doc, "ul", "demo-personas")?;
    list.set_attribute("aria-label", "Personas")?;
    for row in &rows {
        let item = el(doc, "li", "")?;
        let b = el(doc, "button", "demo-persona")?;
        attrs(
            &b,
            &[
                ("type", "button"),
                ("data-action", "persona"),
                ("data-arg", &row.persona.key),
            ],
        )?;
        pressed(&b, row.persona.key == demo.persona)?;
        dom::append(&b, &text_el(doc, "strong", "", &row.persona.label)?)?;
        dom::append(&b, &text_el(doc, "span", "", &row.user_name)?)?;
        let place = row
            .trusted_location
            .as_deref()
            .unwrap_or("not a trusted location");
        dom::append(
            &b,
            &text_el(
                doc,
                "span",
                "demo-muted",
                &format!(
                    "{} ({}) · {place}",
                    row.persona.ip_address, row.persona.country
                ),
            )?,
        )?;
        dom::append(&item, &b)?;
        dom::append(&list, &item)?;
    }
    dom::append(&columns, &list)?;

    let side = el(doc, "div", "demo-enduser-main")?;
    if let Some(row) = rows.iter().find(|r| r.persona.key == demo.persona) {
        dom::append(&side, &text_el(doc, "p", "demo-story", &row.persona.story)?)?;
        let register = button(
            doc,
            "demo-primary",
            "Register security info",
            "register",
            "",
        )?;
        dom::append(&side, &register)?;
        if demo.registered {
            persona_screen(doc, &side, row, &row.today)?;
        }
    }
    dom::append(&columns, &side)?;
    dom::append(&view, &columns)?;
    dom::append(
        &view,
        &text_el(doc, "h2", "demo-section-title", "Every persona at a glance")?,
    )?;
    dom::append(
        &view,
        &scroll(
            doc,
            &outcome_table(doc, &rows, &tenant.snapshot(), None, false, &demo.persona)?,
        )?,
    )?;
    dom::append(body, &view)
}

/// Wraps a wide element so it scrolls inside its own box instead of the page.
fn scroll(doc: &Document, inner: &Element) -> Res<Element> {
    let wrap = el(doc, "div", "demo-scroll")?;
    attrs(
        &wrap,
        &[
            ("tabindex", "0"),
            ("role", "region"),
            ("aria-label", "Scrollable table"),
        ],
    )?;
    dom::append(&wrap, inner)?;
    Ok(wrap)
}

// ---------------------------------------------------------------- presenter

fn presenter(doc: &Document, body: &Element, demo: &Demo, tenant: &SimTenant) -> Res {
    let view = el(doc, "section", "demo-presenter")?;
    view.set_attribute("aria-labelledby", "demo-slide-title")?;
    let snapshot = tenant.snapshot();
    let plan = demo.draft.plan(&snapshot);

    let steps = el(doc, "ol", "demo-steps")?;
    steps.set_attribute("aria-label", "Steps")?;
    for (i, name) in STEPS.iter().enumerate() {
        let item = el(doc, "li", "")?;
        let b = button(
            doc,
            "demo-step",
            &format!("{}. {name}", i + 1),
            "step",
            &i.to_string(),
        )?;
        if i == demo.step {
            b.set_attribute("aria-current", "step")?;
        }
        dom::append(&item, &b)?;
        dom::append(&steps, &item)?;
    }
    dom::append(&view, &steps)?;

    let controls = el(doc, "div", "demo-presenter-controls")?;
    let preset_label = text_el(doc, "label", "demo-control", "Preset")?;
    let select = el(doc, "select", "")?;
    attrs(&select, &[("data-action", "preset")])?;
    for preset in Preset::ALL {
        let option = text_el(doc, "option", "", preset.label())?;
        option.set_attribute("value", &preset_slug(preset))?;
        if preset == demo.draft.preset {
            option.set_attribute("selected", "")?;
        }
        dom::append(&select, &option)?;
    }
    dom::append(&preset_label, &select)?;
    dom::append(&controls, &preset_label)?;
    let states = el(doc, "fieldset", "demo-control demo-states")?;
    dom::append(&states, &text_el(doc, "legend", "", "Policy state")?)?;
    for state in [
        PolicyState::EnabledForReportingButNotEnforced,
        PolicyState::Enabled,
    ] {
        let label = el(doc, "label", "demo-radio")?;
        let input = doc.create_element("input")?;
        attrs(
            &input,
            &[
                ("type", "radio"),
                ("name", "demo-draft-state"),
                ("value", state.as_str()),
                ("data-action", "draft-state"),
            ],
        )?;
        if state == demo.draft.state {
            input.set_attribute("checked", "")?;
        }
        dom::append(&label, &input)?;
        dom::append(&label, &text_el(doc, "span", "", state.label())?)?;
        dom::append(&states, &label)?;
    }
    dom::append(&controls, &states)?;
    dom::append(&controls, &range_form(doc, demo, "demo-presenter-range")?)?;
    dom::append(&view, &controls)?;
    dom::append(&view, &notice(doc, demo)?)?;

    let slide = el(doc, "article", "demo-slide")?;
    slide.set_attribute("data-step", &demo.step.to_string())?;
    let title = text_el(
        doc,
        "h1",
        "demo-slide-title",
        &format!("{}. {}", demo.step + 1, STEPS[demo.step]),
    )?;
    attrs(
        &title,
        &[
            ("id", "demo-slide-title"),
            ("tabindex", "-1"),
            ("data-focus-after-change", ""),
        ],
    )?;
    dom::append(&slide, &title)?;
    match &plan {
        Err(e) => dom::append(&slide, &text_el(doc, "p", "demo-error", e)?)?,
        Ok(plan) => slide_content(doc, &slide, demo, tenant, &snapshot, &plan.policy)?,
    }
    dom::append(&view, &slide)?;

    let nav = el(doc, "div", "demo-slide-nav")?;
    let previous = button(doc, "demo-tool", "← Previous", "previous", "")?;
    let next = button(doc, "demo-primary", "Next →", "next", "")?;
    if demo.step == 0 {
        previous.set_attribute("disabled", "")?;
    }
    if demo.step == STEPS.len() - 1 {
        next.set_attribute("disabled", "")?;
    }
    dom::append(&nav, &previous)?;
    dom::append(
        &nav,
        &text_el(
            doc,
            "p",
            "demo-muted",
            "Keys: ← → or Space to move, Home and End for the first and last step.",
        )?,
    )?;
    dom::append(&nav, &next)?;
    dom::append(&view, &nav)?;
    dom::append(body, &view)
}

fn big_setting(doc: &Document, slide: &Element, term: &str, values: &[String]) -> Res {
    let list = el(doc, "dl", "demo-big-settings")?;
    setting(doc, &list, term, values)?;
    dom::append(slide, &list)
}

fn say(doc: &Document, slide: &Element, text: &str) -> Res {
    dom::append(slide, &text_el(doc, "p", "demo-slide-text", text)?)
}

fn slide_content(
    doc: &Document,
    slide: &Element,
    demo: &Demo,
    tenant: &SimTenant,
    snapshot: &TenantSnapshot,
    policy: &ConditionalAccessPolicy,
) -> Res {
    let preset = demo.draft.preset;
    match demo.step {
        0 => {
            let (include, exclude) = who(policy, tenant);
            big_setting(doc, slide, "Include", &include)?;
            big_setting(doc, slide, "Exclude", &exclude)?;
            say(doc, slide, "The signed-in administrator and the emergency-access (break-glass) accounts are always left out, so a mistake cannot lock everyone out.")?;
            if preset == Preset::RequireMfaOutsideTrusted {
                say(doc, slide, "Microsoft's template leaves guests out: they cannot use a Temporary Access Pass, and the guest preset covers them with a block.")?;
            }
        }
        1 => {
            let actions: Vec<String> = policy
                .conditions
                .applications
                .include_user_actions
                .iter()
                .map(|a| user_action_label(a))
                .collect();
            big_setting(doc, slide, "Target resources", &actions)?;
            say(doc, slide, "Not an app: the user action fires when someone adds or changes an MFA or password-reset method at mysignins.microsoft.com/security-info.")?;
        }
        2 => {
            let (inc, exc) =
                policy
                    .conditions
                    .locations
                    .as_ref()
                    .map_or((Vec::new(), Vec::new()), |l| {
                        (
                            l.include_locations
                                .iter()
                                .map(|id| location_name(tenant, id))
                                .collect(),
                            l.exclude_locations
                                .iter()
                                .map(|id| location_name(tenant, id))
                                .collect(),
                        )
                    });
            big_setting(doc, slide, "Include", &inc)?;
            big_setting(doc, slide, "Exclude", &exc)?;
            let trusted: Vec<String> = snapshot
                .named_locations
                .iter()
                .filter(|l| l.is_trusted())
                .map(|l| format!("{}: {}", l.display_name(), location_ranges(l)))
                .collect();
            big_setting(doc, slide, "All trusted locations today", &trusted)?;
            say(doc, slide, "Registration is then only free from these networks. Without any trusted location, a block here blocks registration everywhere.")?;
        }
        3 => {
            big_setting(doc, slide, "Grant", &[grant_summary(policy)])?;
            say(doc, slide, preset.trade_off())?;
        }
        4 => {
            big_setting(
                doc,
                slide,
                "Enable policy",
                &[policy.state.label().to_string()],
            )?;
            say(doc, slide, match policy.state {
                PolicyState::Enabled => "On: the policy is enforced from the next registration.",
                _ => "Report-only: nothing changes for users yet; sign-in logs record what the policy would have done. Turn it On once the logs look right.",
            })?;
            dom::append(
                slide,
                &button(
                    doc,
                    "demo-primary",
                    "Create this policy in the simulated tenant",
                    "create-draft",
                    "",
                )?,
            )?;
            let coverage = assess_with_draft(snapshot, policy, false);
            coverage_summary(doc, slide, &coverage, "With this policy created")?;
        }
        _ => {
            let rows = match persona_rows(tenant, Some(&demo.draft)) {
                Ok(rows) => rows,
                Err(e) => return dom::append(slide, &text_el(doc, "p", "demo-error", &e)?),
            };
            say(doc, slide, "Choose a persona to see their screen. “Today” is the tenant as it is; the last column adds the preset in the state chosen above.")?;
            // Table and screen side by side on wide screens (see demo.css), stacked otherwise.
            let effect = el(doc, "div", "demo-effect")?;
            let table = outcome_table(
                doc,
                &rows,
                snapshot,
                Some((&demo.draft, policy)),
                true,
                &demo.persona,
            )?;
            dom::append(&effect, &scroll(doc, &table)?)?;
            if let Some(row) = rows.iter().find(|r| r.persona.key == demo.persona) {
                if let Some(with) = &row.with_draft {
                    persona_screen(doc, &effect, row, with)?;
                }
            }
            dom::append(slide, &effect)?;
        }
    }
    if demo.step + 1 < STEPS.len() {
        effect_strip(doc, slide, demo, tenant)?;
    }
    Ok(())
}

/// One line under every setting step: who the whole policy, as chosen, would stop or challenge.
fn effect_strip(doc: &Document, slide: &Element, demo: &Demo, tenant: &SimTenant) -> Res {
    let Ok(rows) = persona_rows(tenant, Some(&demo.draft)) else {
        return Ok(());
    };
    let names = |kind: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| {
                let with = r.with_draft.as_ref();
                let shown = with.map(|w| w.if_report_only_enforced.as_ref().unwrap_or(&w.outcome));
                shown.is_some_and(|o| o.kind() == kind)
            })
            .map(|r| r.persona.label.clone())
            .collect()
    };
    let (blocked, challenged) = (names("blocked"), names("mfaPrompt"));
    let list = |v: &[String]| {
        if v.is_empty() {
            "nobody".to_string()
        } else {
            v.join(", ")
        }
    };
    let text = format!(
        "Once “{}” is On: blocked — {}; asked for MFA — {}.",
        demo.draft.preset.label(),
        list(&blocked),
        list(&challenged)
    );
    let p = text_el(doc, "p", "demo-effect-strip", &text)?;
    p.set_attribute("data-testid", "effect-strip")?;
    dom::append(slide, &p)
}

fn coverage_summary(
    doc: &Document,
    parent: &Element,
    coverage: &CoverageReport,
    heading: &str,
) -> Res {
    let section = el(doc, "section", "demo-coverage")?;
    section.set_attribute("data-testid", "coverage")?;
    let verdict_name = match &coverage.verdict {
        Verdict::Protected { .. } => "protected",
        Verdict::Partial { .. } => "partial",
        Verdict::NotProtected { .. } => "notProtected",
    };
    section.set_attribute("data-verdict", verdict_name)?;
    dom::append(
        &section,
        &text_el(
            doc,
            "h2",
            "demo-section-title",
            &format!("{heading}: {}", coverage.verdict.label()),
        )?,
    )?;
    let list = el(doc, "ul", "")?;
    let lines: Vec<String> = match &coverage.verdict {
        Verdict::Protected { by } => by
            .iter()
            .map(|p| format!("Protected by “{}”.", p.policy_name))
            .collect(),
        Verdict::Partial { by, gaps } => by
            .iter()
            .map(|p| format!("Protected by “{}”.", p.policy_name))
            .chain(gaps.iter().map(|g| g.message.clone()))
            .collect(),
        Verdict::NotProtected { reasons } => reasons.iter().map(|r| r.message.clone()).collect(),
    };
    // A real tenant can give dozens of findings: the first few stay in view, the rest one click away.
    const SHOWN: usize = 4;
    for line in lines.iter().take(SHOWN) {
        dom::append(&list, &text_el(doc, "li", "", line)?)?;
    }
    dom::append(&section, &list)?;
    if lines.len() > SHOWN {
        let more = el(doc, "details", "demo-more")?;
        let rest = lines.len() - SHOWN;
        dom::append(
            &more,
            &text_el(
                doc,
                "summary",
                "",
                &format!("{rest} more finding{}", if rest == 1 { "" } else { "s" }),
            )?,
        )?;
        let list = el(doc, "ul", "")?;
        for line in &lines[SHOWN..] {
            dom::append(&list, &text_el(doc, "li", "", line)?)?;
        }
        dom::append(&more, &list)?;
        dom::append(&section, &more)?;
    }
    dom::append(parent, &section)
}

// ---------------------------------------------------------------- own tenant

fn own_tenant(doc: &Document, body: &Element, demo: &Demo) -> Res {
    let view = el(doc, "section", "demo-own")?;
    view.set_attribute("aria-labelledby", "demo-own-title")?;
    let h1 = text_el(doc, "h1", "demo-view-title", "Your tenant, offline")?;
    attrs(
        &h1,
        &[
            ("id", "demo-own-title"),
            ("tabindex", "-1"),
            ("data-focus-after-change", ""),
        ],
    )?;
    dom::append(&view, &h1)?;
    dom::append(
        &view,
        &text_el(
            doc,
            "p",
            "demo-lead",
            "Paste or drop an export of your Conditional Access policies and named locations (Graph JSON, a \
             PowerShell ConvertTo-Json export, UTF-16 files included). It is read in this page only: nothing leaves \
             the browser.",
        )?,
    )?;
    let zone = el(doc, "div", "demo-dropzone")?;
    attrs(&zone, &[("data-dropzone", ""), ("data-testid", "dropzone")])?;
    let file_label = text_el(
        doc,
        "label",
        "",
        "Choose or drop files (one export, or one file per policy)",
    )?;
    file_label.set_attribute("for", "demo-own-file")?;
    let file = doc.create_element("input")?;
    attrs(
        &file,
        &[
            ("type", "file"),
            ("id", "demo-own-file"),
            ("data-action", "pick-file"),
            ("multiple", ""),
            ("accept", ".json,.txt,application/json"),
        ],
    )?;
    let text_label = text_el(doc, "label", "", "…or paste the JSON here")?;
    text_label.set_attribute("for", "demo-own-text")?;
    let text = text_el(doc, "textarea", "", &demo.own.text)?;
    attrs(
        &text,
        &[
            ("id", "demo-own-text"),
            ("rows", "5"),
            ("data-bind", "own-text"),
            ("spellcheck", "false"),
        ],
    )?;
    for part in [&file_label, &file, &text_label, &text] {
        dom::append(&zone, part)?;
    }
    let actions = el(doc, "div", "demo-actions")?;
    dom::append(
        &actions,
        &button(
            doc,
            "demo-primary",
            "Analyse pasted text",
            "import-text",
            "",
        )?,
    )?;
    dom::append(
        &actions,
        &button(doc, "demo-tool", "Clear", "clear-own", "")?,
    )?;
    dom::append(&zone, &actions)?;
    dom::append(&view, &zone)?;

    if !demo.own.errors.is_empty() {
        let box_ = el(doc, "div", "demo-error")?;
        attrs(&box_, &[("role", "alert"), ("data-testid", "import-error")])?;
        for error in &demo.own.errors {
            dom::append(&box_, &text_el(doc, "p", "", error)?)?;
        }
        dom::append(&view, &box_)?;
    }
    if let Some(loaded) = &demo.own.loaded {
        own_results(doc, &view, demo, loaded)?;
    }
    dom::append(body, &view)
}

fn own_results(doc: &Document, view: &Element, demo: &Demo, loaded: &Loaded) -> Res {
    let results = el(doc, "section", "demo-own-results")?;
    attrs(
        &results,
        &[
            ("data-testid", "own-results"),
            ("aria-label", "Analysis of your export"),
        ],
    )?;
    let snapshot = &loaded.snapshot;
    dom::append(
        &results,
        &text_el(
            doc,
            "p",
            "demo-lead",
            &format!(
                "From {}: {}, {}{}.",
                loaded.source,
                count(snapshot.policies.len(), "policy").replace("policys", "policies"),
                count(snapshot.named_locations.len(), "named location"),
                if loaded.templates > 0 {
                    format!(", {}", count(loaded.templates, "template"))
                } else {
                    String::new()
                }
            ),
        )?,
    )?;
    if !loaded.warnings.is_empty() {
        let list = el(doc, "ul", "demo-warnings")?;
        list.set_attribute("aria-label", "Skipped or assumed while importing")?;
        for w in &loaded.warnings {
            dom::append(&list, &text_el(doc, "li", "", w)?)?;
        }
        dom::append(&results, &list)?;
    }
    coverage_summary(
        doc,
        &results,
        &loaded.coverage,
        "Security-info registration",
    )?;

    dom::append(
        &results,
        &text_el(
            doc,
            "h2",
            "demo-section-title",
            "The personas in your tenant",
        )?,
    )?;
    dom::append(
        &results,
        &text_el(
            doc,
            "p",
            "demo-muted",
            "Assumed for each persona: the demo's address and country (checked against YOUR named locations), a \
             browser sign-in, no group or role membership in your tenant (so only policies for all users or all \
             guests reach them); the guest is a B2B collaboration guest. Policies naming specific users, groups or \
             roles will not match them.",
        )?,
    )?;
    let demo_tenant = SimTenant::contoso_demo();
    let sign_ins = demo_tenant
        .personas
        .iter()
        .map(|p| {
            let mut sign_in = SignIn::new(&p.user_id, SignInTarget::register_security_info());
            sign_in.ip_address = Some(p.ip_address.clone());
            sign_in.country = Some(p.country.clone());
            if p.key == "guest" {
                sign_in.guest_type = Some(GuestOrExternalUserType::B2bCollaborationGuest);
            }
            let name = demo_tenant
                .user(&p.user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default();
            (p.clone(), name, sign_in)
        })
        .collect();
    match rows_for(snapshot, sign_ins, Some(&demo.draft)) {
        Ok(rows) => {
            let plan = demo.draft.plan(snapshot);
            let policy = plan.as_ref().ok().map(|p| &p.policy);
            let table = outcome_table(
                doc,
                &rows,
                snapshot,
                policy.map(|p| (&demo.draft, p)),
                false,
                "",
            )?;
            dom::append(&results, &scroll(doc, &table)?)?;
            if let Ok(plan) = plan {
                dom::append(
                    &results,
                    &text_el(
                        doc,
                        "h2",
                        "demo-section-title",
                        &format!(
                            "The plan: {} ({})",
                            plan.preset.label(),
                            demo.draft.state.label()
                        ),
                    )?,
                )?;
                dom::append(&results, &text_el(doc, "p", "demo-muted", "Change the preset and state in Presenter. The exact body Registration Guard would send:")?)?;
                for w in &plan.warnings {
                    dom::append(&results, &text_el(doc, "p", "demo-warning", w)?)?;
                }
                // The checks the panel runs before any write, on what the export can tell.
                let findings = preflight(snapshot, &plan);
                if !findings.is_empty() {
                    let list = el(doc, "ul", "demo-findings")?;
                    attrs(
                        &list,
                        &[
                            ("aria-label", "Checks before creating it"),
                            ("data-testid", "own-findings"),
                        ],
                    )?;
                    for finding in &findings {
                        let severity = match finding.severity {
                            Severity::Blocker => "Blocker",
                            Severity::Warning => "Warning",
                            Severity::Info => "Note",
                        };
                        let item = el(doc, "li", "")?;
                        item.set_attribute("data-severity", severity)?;
                        dom::append(
                            &item,
                            &text_el(
                                doc,
                                "strong",
                                "",
                                &format!("{severity}: {}. ", finding.title),
                            )?,
                        )?;
                        dom::append(&item, &text_el(doc, "span", "", &finding.message)?)?;
                        dom::append(&list, &item)?;
                    }
                    dom::append(&results, &list)?;
                }
                let pre = text_el(doc, "pre", "demo-plan", &plan.body_pretty())?;
                attrs(&pre, &[("tabindex", "0"), ("data-testid", "own-plan")])?;
                dom::append(&results, &pre)?;
            }
        }
        Err(e) => dom::append(&results, &text_el(doc, "p", "demo-error", &e)?)?,
    }
    dom::append(view, &results)
}
