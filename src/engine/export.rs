//! The policy as something an admin can run elsewhere: Graph JSON, a Microsoft Graph
//! PowerShell script, an Azure CLI script, or a Terraform resource.
//!
//! Every export carries the display name and ids exactly, whatever characters they hold:
//! quotes, backticks, `$(…)`, `${…}`, newlines and markup are escaped for the target
//! language, never interpreted by it.

use crate::engine::model::{ConditionalAccessPolicy, GuestsOrExternalUsers};
use crate::engine::presets::Plan;
use serde_json::{Map, Value};
use std::fmt::{self, Write};

/// The languages a policy can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// The body of `POST /identity/conditionalAccess/policies`.
    GraphJson,
    /// `New-MgIdentityConditionalAccessPolicy` with the body as a hashtable.
    PowerShell,
    /// `az rest --method POST` in a bash script.
    AzureCli,
    /// An `azuread_conditional_access_policy` resource.
    Terraform,
}

impl ExportFormat {
    /// Every format, in the order the review shows them.
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::GraphJson,
        ExportFormat::PowerShell,
        ExportFormat::AzureCli,
        ExportFormat::Terraform,
    ];

    /// Name for the admin.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::GraphJson => "Graph JSON",
            ExportFormat::PowerShell => "Microsoft Graph PowerShell",
            ExportFormat::AzureCli => "Azure CLI",
            ExportFormat::Terraform => "Terraform",
        }
    }

    /// A file name for downloading the export.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportFormat::GraphJson => "conditional-access-policy.json",
            ExportFormat::PowerShell => "New-ConditionalAccessPolicy.ps1",
            ExportFormat::AzureCli => "create-conditional-access-policy.sh",
            ExportFormat::Terraform => "conditional-access-policy.tf",
        }
    }
}

/// Why an export could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportError {
    /// Not the Microsoft Graph host of a cloud this tool knows.
    UnknownGraphHost(String),
    /// The policy uses a setting the Terraform `azuread` provider export does not cover.
    NotExpressibleInTerraform { field: String },
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::UnknownGraphHost(host) => write!(
                f,
                "{host:?} is not a Microsoft Graph host; expected graph.microsoft.com, graph.microsoft.us, \
                 dod-graph.microsoft.us or microsoftgraph.chinacloudapi.cn."
            ),
            ExportError::NotExpressibleInTerraform { field } => write!(
                f,
                "The policy sets {field}, which this Terraform export does not write; use the Graph JSON, \
                 PowerShell or Azure CLI export for this policy."
            ),
        }
    }
}

impl std::error::Error for ExportError {}

/// The clouds' Graph hosts, with the names Connect-MgGraph and az give the cloud.
const CLOUDS: [(&str, &str, &str); 4] = [
    ("graph.microsoft.com", "Global", "AzureCloud"),
    ("graph.microsoft.us", "USGov", "AzureUSGovernment"),
    ("dod-graph.microsoft.us", "USGovDoD", "AzureUSGovernment"),
    (
        "microsoftgraph.chinacloudapi.cn",
        "China",
        "AzureChinaCloud",
    ),
];

fn cloud(graph_host: &str) -> Result<(&'static str, &'static str, &'static str), ExportError> {
    CLOUDS
        .iter()
        .copied()
        .find(|(host, _, _)| host.eq_ignore_ascii_case(graph_host))
        .ok_or_else(|| ExportError::UnknownGraphHost(graph_host.to_owned()))
}

/// Fields Graph sets itself; they are left out of a creation body.
const READ_ONLY: [&str; 5] = [
    "id",
    "createdDateTime",
    "modifiedDateTime",
    "deletedDateTime",
    "templateId",
];

/// The creation body for a policy: its Graph JSON without the fields Graph sets.
pub fn creation_body(policy: &ConditionalAccessPolicy) -> Value {
    let mut body = policy.to_graph_json();
    if let Value::Object(map) = &mut body {
        for key in READ_ONLY {
            map.shift_remove(key);
        }
    }
    body
}

/// Exports a plan. `graph_host` is the Graph host of the tenant's cloud
/// (e.g. `Cloud::graph_host()` of the portal context).
///
/// ```
/// use registration_guard::engine::export::{export_plan, ExportFormat};
/// use registration_guard::engine::model::TenantSnapshot;
/// use registration_guard::engine::presets::{build_plan, PlanOptions, Preset};
/// let plan = build_plan(&TenantSnapshot::default(), Preset::BlockOutsideTrusted, &PlanOptions::default()).unwrap();
/// let script = export_plan(&plan, ExportFormat::AzureCli, "graph.microsoft.us").unwrap();
/// assert!(script.contains("--url 'https://graph.microsoft.us/v1.0/identity/conditionalAccess/policies'"));
/// ```
pub fn export_plan(
    plan: &Plan,
    format: ExportFormat,
    graph_host: &str,
) -> Result<String, ExportError> {
    export_policy(&plan.policy, format, graph_host)
}

/// Exports any policy (its read-only fields left out).
pub fn export_policy(
    policy: &ConditionalAccessPolicy,
    format: ExportFormat,
    graph_host: &str,
) -> Result<String, ExportError> {
    let (host, powershell_environment, az_cloud) = cloud(graph_host)?;
    let body = creation_body(policy);
    Ok(match format {
        ExportFormat::GraphJson => pretty(&body) + "\n",
        ExportFormat::PowerShell => powershell(&body, powershell_environment),
        ExportFormat::AzureCli => azure_cli(&body, host, az_cloud),
        ExportFormat::Terraform => terraform(policy)?,
    })
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("a JSON value always serializes")
}

fn powershell(body: &Value, environment: &str) -> String {
    let mut out = String::new();
    out.push_str("# Creates the Conditional Access policy with Microsoft Graph PowerShell\n");
    out.push_str("# (module Microsoft.Graph.Identity.SignIns). Review it before running.\n");
    let _ = writeln!(
        out,
        "Connect-MgGraph -Environment {environment} -Scopes 'Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'"
    );
    out.push_str("$params = ");
    powershell_value(&mut out, body, 0);
    out.push_str("\nNew-MgIdentityConditionalAccessPolicy -BodyParameter $params\n");
    out
}

/// A PowerShell literal for a JSON value: hashtables, arrays, single-quoted strings.
fn powershell_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Null => out.push_str("$null"),
        Value::Bool(true) => out.push_str("$true"),
        Value::Bool(false) => out.push_str("$false"),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => powershell_string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("@()"),
        Value::Array(items) => {
            out.push_str("@(\n");
            for item in items {
                push_indent(out, indent + 1);
                powershell_value(out, item, indent + 1);
                out.push('\n');
            }
            push_indent(out, indent);
            out.push(')');
        }
        Value::Object(map) if map.is_empty() => out.push_str("@{}"),
        Value::Object(map) => {
            out.push_str("@{\n");
            for (key, v) in map {
                push_indent(out, indent + 1);
                let bare = key
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if bare {
                    out.push_str(key);
                } else {
                    powershell_string(out, key);
                }
                out.push_str(" = ");
                powershell_value(out, v, indent + 1);
                out.push('\n');
            }
            push_indent(out, indent);
            out.push('}');
        }
    }
}

/// A single-quoted PowerShell string: nothing inside is expanded; a quote is written
/// twice. PowerShell also takes the typographic quotes U+2018–U+201B as single quotes,
/// so those are doubled too.
fn powershell_string(out: &mut String, s: &str) {
    out.push('\'');
    for c in s.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

fn azure_cli(body: &Value, host: &str, az_cloud: &str) -> String {
    let json = pretty(body);
    let mut out = String::new();
    out.push_str("#!/usr/bin/env bash\n");
    out.push_str(
        "# Creates the Conditional Access policy with Azure CLI. Review it before running.\n",
    );
    let _ = writeln!(
        out,
        "# Sign in first: az cloud set --name {az_cloud} && az login"
    );
    out.push_str("set -euo pipefail\n");
    // A quoted here-document is never expanded; pretty JSON never has a line that is
    // exactly the delimiter.
    out.push_str("body=$(cat <<'GRAPH_JSON'\n");
    out.push_str(&json);
    out.push_str("\nGRAPH_JSON\n)\n");
    let _ = writeln!(out, "az rest --method POST \\");
    let _ = writeln!(
        out,
        "  --url 'https://{host}/v1.0/identity/conditionalAccess/policies' \\"
    );
    out.push_str("  --headers 'Content-Type=application/json' \\\n");
    out.push_str("  --body \"$body\"\n");
    out
}

/// An HCL quoted string: escapes, and `${` / `%{` doubled so no template runs.
pub fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes HCL blocks and attributes with aligned indentation.
struct Hcl {
    out: String,
    depth: usize,
}

impl Hcl {
    fn line(&mut self, text: &str) {
        for _ in 0..if text.is_empty() { 0 } else { self.depth } {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn open(&mut self, name: &str) {
        self.line(&format!("{name} {{"));
        self.depth += 1;
    }

    fn close(&mut self) {
        self.depth -= 1;
        self.line("}");
    }

    fn string(&mut self, name: &str, value: &str) {
        self.line(&format!("{name} = {}", hcl_string(value)));
    }

    fn list<S: AsRef<str>>(&mut self, name: &str, values: &[S]) {
        if values.is_empty() {
            return;
        }
        let items: Vec<String> = values.iter().map(|v| hcl_string(v.as_ref())).collect();
        self.line(&format!("{name} = [{}]", items.join(", ")));
    }
}

/// Fails on a field of `extra` the Terraform export would silently drop.
fn refuse_extra(extra: &Map<String, Value>, at: &str, ignored: &[&str]) -> Result<(), ExportError> {
    let meaningful = |v: &Value| match v {
        Value::Null => false,
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        _ => true,
    };
    match extra
        .iter()
        .find(|(k, v)| !ignored.contains(&k.as_str()) && meaningful(v))
    {
        Some((key, _)) => Err(ExportError::NotExpressibleInTerraform {
            field: format!("{at}{key}"),
        }),
        None => Ok(()),
    }
}

fn terraform(policy: &ConditionalAccessPolicy) -> Result<String, ExportError> {
    let c = &policy.conditions;
    refuse_extra(&policy.extra, "", &READ_ONLY)?;
    refuse_extra(&c.extra, "conditions.", &[])?;
    refuse_extra(&c.users.extra, "conditions.users.", &[])?;
    refuse_extra(&c.applications.extra, "conditions.applications.", &[])?;
    let unsupported = [
        (c.devices.is_some(), "conditions.devices"),
        (
            c.applications.application_filter.is_some(),
            "conditions.applications.applicationFilter",
        ),
        (
            !c.applications
                .include_authentication_context_class_references
                .is_empty(),
            "conditions.applications.includeAuthenticationContextClassReferences",
        ),
        (
            policy
                .session_controls
                .as_ref()
                .is_some_and(|s| !s.is_null()),
            "sessionControls",
        ),
    ];
    if let Some((_, field)) = unsupported.iter().find(|(set, _)| *set) {
        return Err(ExportError::NotExpressibleInTerraform {
            field: (*field).to_owned(),
        });
    }

    let mut hcl = Hcl {
        out: String::new(),
        depth: 0,
    };
    hcl.line("# Conditional Access policy for the azuread Terraform provider. Review it before applying.");
    hcl.open("resource \"azuread_conditional_access_policy\" \"security_info_registration\"");
    hcl.string("display_name", &policy.display_name);
    hcl.string("state", policy.state.as_str());
    hcl.line("");
    hcl.open("conditions");
    let client_app_types: Vec<&str> = c.client_app_types.iter().map(|t| t.as_str()).collect();
    hcl.list("client_app_types", &client_app_types);
    let sign_in: Vec<&str> = c.sign_in_risk_levels.iter().map(|r| r.as_str()).collect();
    hcl.list("sign_in_risk_levels", &sign_in);
    let user_risk: Vec<&str> = c.user_risk_levels.iter().map(|r| r.as_str()).collect();
    hcl.list("user_risk_levels", &user_risk);

    hcl.open("applications");
    hcl.list(
        "included_applications",
        &c.applications.include_applications,
    );
    hcl.list(
        "excluded_applications",
        &c.applications.exclude_applications,
    );
    hcl.list(
        "included_user_actions",
        &c.applications.include_user_actions,
    );
    hcl.close();

    let u = &c.users;
    hcl.open("users");
    hcl.list("included_users", &u.include_users);
    hcl.list("excluded_users", &u.exclude_users);
    hcl.list("included_groups", &u.include_groups);
    hcl.list("excluded_groups", &u.exclude_groups);
    hcl.list("included_roles", &u.include_roles);
    hcl.list("excluded_roles", &u.exclude_roles);
    for (name, guests) in [
        (
            "included_guests_or_external_users",
            &u.include_guests_or_external_users,
        ),
        (
            "excluded_guests_or_external_users",
            &u.exclude_guests_or_external_users,
        ),
    ] {
        if let Some(guests) = guests {
            terraform_guests(&mut hcl, name, guests)?;
        }
    }
    hcl.close();

    if let Some(locations) = &c.locations {
        refuse_extra(&locations.extra, "conditions.locations.", &[])?;
        hcl.open("locations");
        hcl.list("included_locations", &locations.include_locations);
        hcl.list("excluded_locations", &locations.exclude_locations);
        hcl.close();
    }
    if let Some(platforms) = &c.platforms {
        refuse_extra(&platforms.extra, "conditions.platforms.", &[])?;
        hcl.open("platforms");
        let include: Vec<&str> = platforms
            .include_platforms
            .iter()
            .map(|p| p.as_str())
            .collect();
        hcl.list("included_platforms", &include);
        let exclude: Vec<&str> = platforms
            .exclude_platforms
            .iter()
            .map(|p| p.as_str())
            .collect();
        hcl.list("excluded_platforms", &exclude);
        hcl.close();
    }
    hcl.close();

    if let Some(grant) = &policy.grant_controls {
        refuse_extra(&grant.extra, "grantControls.", &[])?;
        hcl.line("");
        hcl.open("grant_controls");
        hcl.string(
            "operator",
            if grant.operator == crate::engine::model::GrantOperator::And {
                "AND"
            } else {
                "OR"
            },
        );
        let controls: Vec<&str> = grant.built_in_controls.iter().map(|b| b.as_str()).collect();
        hcl.list("built_in_controls", &controls);
        if let Some(id) = grant
            .authentication_strength
            .as_ref()
            .and_then(|s| s.id.as_deref())
        {
            hcl.string("authentication_strength_policy_id", id);
        }
        hcl.list("terms_of_use", &grant.terms_of_use);
        hcl.list(
            "custom_authentication_factors",
            &grant.custom_authentication_factors,
        );
        hcl.close();
    }
    hcl.close();
    Ok(hcl.out)
}

fn terraform_guests(
    hcl: &mut Hcl,
    name: &str,
    guests: &GuestsOrExternalUsers,
) -> Result<(), ExportError> {
    let at = format!("conditions.users.{name}.");
    refuse_extra(&guests.extra, &at, &[])?;
    hcl.open(name);
    let kinds: Vec<&str> = guests
        .guest_or_external_user_types
        .iter()
        .map(|k| k.as_str())
        .collect();
    hcl.list("guest_or_external_user_types", &kinds);
    if let Some(tenants) = &guests.external_tenants {
        refuse_extra(&tenants.extra, &at, &[])?;
        hcl.open("external_tenants");
        hcl.string(
            "membership_kind",
            tenants.membership_kind.as_deref().unwrap_or("all"),
        );
        hcl.list("members", &tenants.members);
        hcl.close();
    }
    hcl.close();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_strings_escape_quotes_controls_and_templates() {
        assert_eq!(hcl_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(hcl_string("${x} %{if} $ % {"), r#""$${x} %%{if} $ % {""#);
        assert_eq!(hcl_string("line\nnext\u{7}"), r#""line\nnext\u0007""#);
    }

    #[test]
    fn powershell_strings_double_every_kind_of_single_quote() {
        let mut out = String::new();
        powershell_string(&mut out, "it's ‘x’ $(a) `b");
        assert_eq!(out, "'it''s ‘‘x’’ $(a) `b'");
    }
}
