//! Prints, as JSON, every body Registration Guard would send to Microsoft Graph — each
//! preset with each scope, exclusion set and state — plus Microsoft's documented example
//! bodies after a trip through the model, and the Terraform and PowerShell exports of each
//! preset with hostile names. `tests/contract/` type-checks the bodies against
//! `@microsoft/microsoft-graph-types`, parses the Terraform with a real HCL parser and the
//! PowerShell with a PowerShell grammar.
//!
//! Run: `cargo run --quiet --example contract_bodies`

use registration_guard::engine::export::{export_plan, ExportFormat};
use registration_guard::engine::import::import_tenant;
use registration_guard::engine::model::{
    AdminIdentity, NamedLocation, PolicyState, TenantSnapshot, ROLE_SECURITY_ADMINISTRATOR,
};
use registration_guard::engine::presets::{build_plan, PlanOptions, Preset, UserScope};
use serde_json::{json, Map, Value};

fn tenant() -> TenantSnapshot {
    TenantSnapshot {
        admin: Some(AdminIdentity {
            id: "aaaaaaaa-0000-4000-8000-000000000001".into(),
            user_principal_name: "admin@contoso.onmicrosoft.com".into(),
            display_name: "Admin".into(),
            role_template_ids: vec![],
        }),
        break_glass: vec![
            "bbbbbbbb-0000-4000-8000-000000000001".into(),
            "bbbbbbbb-0000-4000-8000-000000000002".into(),
        ],
        ..TenantSnapshot::default()
    }
}

fn corpus_file(path: &str) -> Vec<u8> {
    let file = format!("{}/../shared/corpora/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&file).unwrap_or_else(|e| panic!("the shared corpora are missing ({file}): {e}"))
}

fn entry(name: String, kind: &str, body: Value) -> Value {
    json!({"name": name, "type": kind, "body": body})
}

fn main() {
    let tenant = tenant();
    let mut bodies = Vec::new();
    let scopes = [
        ("all users", UserScope::AllUsers),
        (
            "selected users and groups",
            UserScope::Selected {
                users: vec!["dddddddd-0000-4000-8000-000000000001".into()],
                groups: vec!["cccccccc-0000-4000-8000-000000000001".into()],
            },
        ),
    ];
    let exclusions = [
        ("no extra exclusions", PlanOptions::default()),
        (
            "users, groups, roles (and guests, except in the guest preset) excluded",
            PlanOptions {
                exclude_users: vec!["eeeeeeee-0000-4000-8000-000000000001".into()],
                exclude_groups: vec!["ffffffff-0000-4000-8000-000000000001".into()],
                exclude_roles: vec![ROLE_SECURITY_ADMINISTRATOR.into()],
                exclude_guests: true,
                ..PlanOptions::default()
            },
        ),
    ];
    let states = [
        PolicyState::EnabledForReportingButNotEnforced,
        PolicyState::Enabled,
        PolicyState::Disabled,
    ];
    for preset in Preset::ALL {
        for (scope_name, scope) in &scopes {
            if preset == Preset::BlockGuestsOutsideTrusted && *scope != UserScope::AllUsers {
                continue; // refused by design: the guest preset covers every guest
            }
            for (exclusion_name, exclusion) in &exclusions {
                for state in states {
                    let options = PlanOptions {
                        scope: scope.clone(),
                        state,
                        // The guest preset refuses to exclude the guests it targets.
                        exclude_guests: exclusion.exclude_guests
                            && preset != Preset::BlockGuestsOutsideTrusted,
                        ..exclusion.clone()
                    };
                    let plan = build_plan(&tenant, preset, &options)
                        .unwrap_or_else(|e| panic!("{preset}: {e}"));
                    let name = format!(
                        "{preset}, {scope_name}, {exclusion_name}, {}",
                        state.label()
                    );
                    bodies.push(entry(name, "ConditionalAccessPolicy", plan.body));
                }
            }
        }
    }

    let examples = import_tenant(&corpus_file(
        "microsoft-graph-docs/post-policies-examples.json",
    ))
    .unwrap_or_else(|e| panic!("Graph's policy examples: {e}"));
    for (i, policy) in examples.policies.iter().enumerate() {
        let name = format!(
            "Graph documentation policy example {} ({})",
            i + 1,
            policy.display_name
        );
        bodies.push(entry(
            name,
            "ConditionalAccessPolicy",
            policy.to_graph_json(),
        ));
    }
    let locations = import_tenant(&corpus_file(
        "microsoft-graph-docs/namedlocations-examples.json",
    ))
    .unwrap_or_else(|e| panic!("Graph's named location examples: {e}"));
    let office = NamedLocation::Ip {
        id: None,
        display_name: "Head office".into(),
        is_trusted: true,
        ip_ranges: vec!["203.0.113.0/24".into(), "2001:db8::/48".into()],
        extra: Map::new(),
    };
    for location in locations.named_locations.iter().chain([&office]) {
        let kind = match location {
            NamedLocation::Ip { .. } => "IpNamedLocation",
            NamedLocation::Country { .. } => "CountryNamedLocation",
            NamedLocation::Other { .. } => continue,
        };
        let name = format!("named location {}", location.display_name());
        bodies.push(entry(name, kind, location.to_graph_json()));
    }

    let mut terraform = Vec::new();
    let names = [
        None,
        Some("It's \"quoted\" `tick` $(whoami) ${HOME} %{if x}y%{endif} \\ back\nslash <b>x</b>"),
    ];
    for preset in Preset::ALL {
        for name in names {
            let options = PlanOptions {
                display_name: name.map(str::to_owned),
                exclude_groups: vec!["ffffffff-0000-4000-8000-000000000001".into()],
                ..PlanOptions::default()
            };
            let plan =
                build_plan(&tenant, preset, &options).unwrap_or_else(|e| panic!("{preset}: {e}"));
            let hcl = export_plan(&plan, ExportFormat::Terraform, "graph.microsoft.com")
                .unwrap_or_else(|e| panic!("{preset}: {e}"));
            terraform.push(json!({
                "name": format!("{preset} as Terraform"),
                "body": plan.body,
                "hcl": hcl,
            }));
        }
    }

    let mut powershell = Vec::new();
    let hostile = [
        "It's \"quoted\" `tick` $(whoami) ${HOME} $env:PATH @(1) @{a=1}",
        "‘typographic’ ‚quotes‛ “double” and '@ here-string markers @'",
        "line one\nline two\r\n\ttab <script>alert('x')</script> # not a comment",
    ];
    for preset in Preset::ALL {
        for (i, name) in hostile.iter().enumerate() {
            let options = PlanOptions {
                display_name: Some((*name).to_owned()),
                ..PlanOptions::default()
            };
            let plan =
                build_plan(&tenant, preset, &options).unwrap_or_else(|e| panic!("{preset}: {e}"));
            let host = [
                "graph.microsoft.com",
                "graph.microsoft.us",
                "microsoftgraph.chinacloudapi.cn",
            ][i];
            let script = export_plan(&plan, ExportFormat::PowerShell, host)
                .unwrap_or_else(|e| panic!("{preset}: {e}"));
            powershell.push(json!({
                "name": format!("{preset} as PowerShell for {host}"),
                "body": plan.body,
                "script": script,
            }));
        }
    }

    let out = json!({"bodies": bodies, "terraform": terraform, "powershell": powershell});
    println!(
        "{}",
        serde_json::to_string_pretty(&out).expect("JSON values serialize")
    );
}
