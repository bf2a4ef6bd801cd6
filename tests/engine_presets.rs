//! The three presets produce the exact Graph bodies documented for them, in any tenant.

use registration_guard::engine::import::import_tenant;
use registration_guard::engine::model::{
    AdminIdentity, ConditionalAccessPolicy, PolicyState, TenantSnapshot, ROLE_GLOBAL_ADMINISTRATOR,
    TEMPLATE_CURRENT_ADMIN_PLACEHOLDER, TEMPLATE_SECURING_SECURITY_INFO_REGISTRATION,
};
use registration_guard::engine::presets::{build_plan, PlanError, PlanOptions, Preset, UserScope};
use serde_json::json;

const ADMIN: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const BREAK_GLASS_1: &str = "bbbbbbbb-0000-4000-8000-000000000001";
const BREAK_GLASS_2: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const GROUP: &str = "cccccccc-0000-4000-8000-000000000001";

fn tenant() -> TenantSnapshot {
    TenantSnapshot {
        tenant_id: Some("11111111-2222-4333-8444-555555555555".into()),
        admin: Some(AdminIdentity {
            id: ADMIN.into(),
            user_principal_name: "admin@contoso.onmicrosoft.com".into(),
            display_name: "Admin".into(),
            role_template_ids: vec![ROLE_GLOBAL_ADMINISTRATOR.into()],
        }),
        break_glass: vec![BREAK_GLASS_1.into(), BREAK_GLASS_2.into()],
        ..TenantSnapshot::default()
    }
}

fn policy_named(name: &str) -> ConditionalAccessPolicy {
    serde_json::from_value(json!({"displayName": name, "state": "enabled", "conditions": {}}))
        .unwrap()
}

#[test]
fn classic_preset_posts_the_documented_body() {
    let plan = build_plan(
        &tenant(),
        Preset::BlockOutsideTrusted,
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(
        plan.body,
        json!({
            "displayName": "Block security info registration outside trusted locations",
            "state": "enabledForReportingButNotEnforced",
            "conditions": {
                "clientAppTypes": ["all"],
                "applications": {"includeApplications": [], "excludeApplications": [],
                                 "includeUserActions": ["urn:user:registersecurityinfo"]},
                "users": {"includeUsers": ["All"], "excludeUsers": [ADMIN, BREAK_GLASS_1, BREAK_GLASS_2],
                          "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
                "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}
        })
    );
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    assert_eq!(plan.policy.to_graph_json(), plan.body);
}

#[test]
fn mfa_preset_follows_microsofts_template_with_the_admin_in_place_of_the_placeholder() {
    let plan = build_plan(
        &tenant(),
        Preset::RequireMfaOutsideTrusted,
        &PlanOptions::default(),
    )
    .unwrap();
    let users = &plan.body["conditions"]["users"];
    assert_eq!(users["includeUsers"], json!(["All"]));
    assert_eq!(
        users["excludeUsers"],
        json!([ADMIN, BREAK_GLASS_1, BREAK_GLASS_2, "GuestsOrExternalUsers"])
    );
    assert_eq!(users["excludeRoles"], json!([ROLE_GLOBAL_ADMINISTRATOR]));
    assert_eq!(
        plan.body["grantControls"]["builtInControls"],
        json!(["mfa"])
    );
    assert!(!plan
        .body_pretty()
        .contains(TEMPLATE_CURRENT_ADMIN_PLACEHOLDER));

    // Same conditions as the template itself, once its placeholder is replaced.
    let corpora = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora");
    let file = format!(
        "{corpora}/microsoft-graph-docs/template-b8bda7f8-securing-security-info-registration.json"
    );
    let bytes = std::fs::read(&file)
        .unwrap_or_else(|e| panic!("the shared corpora are missing ({file}): {e}"));
    let template = import_tenant(&bytes).unwrap().templates.remove(0);
    assert_eq!(template.id, TEMPLATE_SECURING_SECURITY_INFO_REGISTRATION);
    let ours = &plan.policy.conditions;
    let theirs = &template.details.conditions;
    assert_eq!(
        ours.applications.include_user_actions,
        theirs.applications.include_user_actions
    );
    assert_eq!(ours.client_app_types, theirs.client_app_types);
    assert_eq!(ours.locations, theirs.locations);
    assert_eq!(ours.users.include_users, theirs.users.include_users);
    assert_eq!(ours.users.exclude_roles, theirs.users.exclude_roles);
    let template_excludes: Vec<_> = theirs
        .users
        .exclude_users
        .iter()
        .filter(|u| *u != TEMPLATE_CURRENT_ADMIN_PLACEHOLDER)
        .collect();
    assert!(template_excludes
        .iter()
        .all(|u| ours.users.exclude_users.contains(u)));
    assert_eq!(
        plan.policy.grant_controls,
        template.details.grant_controls.map(|mut g| {
            g.extra.clear();
            g
        })
    );
}

#[test]
fn guest_preset_targets_every_guest_kind_in_every_external_tenant() {
    let plan = build_plan(
        &tenant(),
        Preset::BlockGuestsOutsideTrusted,
        &PlanOptions::default(),
    )
    .unwrap();
    let users = &plan.body["conditions"]["users"];
    assert_eq!(users["includeUsers"], json!([]));
    assert_eq!(
        users["includeGuestsOrExternalUsers"],
        json!({
            "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider",
            "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}
        })
    );
    assert_eq!(
        users["excludeUsers"],
        json!([ADMIN, BREAK_GLASS_1, BREAK_GLASS_2])
    );
    assert_eq!(
        plan.body["grantControls"]["builtInControls"],
        json!(["block"])
    );
}

#[test]
fn guest_preset_refuses_a_selection() {
    let options = PlanOptions {
        scope: UserScope::Selected {
            users: vec![],
            groups: vec![GROUP.into()],
        },
        ..PlanOptions::default()
    };
    assert_eq!(
        build_plan(&tenant(), Preset::BlockGuestsOutsideTrusted, &options).unwrap_err(),
        PlanError::GuestPresetIsForAllGuests
    );
}

#[test]
fn guest_preset_refuses_to_exclude_guests() {
    let options = PlanOptions {
        exclude_guests: true,
        ..PlanOptions::default()
    };
    let err = build_plan(&tenant(), Preset::BlockGuestsOutsideTrusted, &options).unwrap_err();
    assert_eq!(err, PlanError::GuestPresetCannotExcludeGuests);
    assert!(err.to_string().contains("nobody"));
}

#[test]
fn selected_scope_and_exclusions_land_in_the_right_lists_without_duplicates() {
    let options = PlanOptions {
        scope: UserScope::Selected {
            users: vec!["dddddddd-0000-4000-8000-000000000001".into()],
            groups: vec![GROUP.into()],
        },
        exclude_users: vec![
            ADMIN.to_uppercase(),
            "eeeeeeee-0000-4000-8000-000000000001".into(),
        ],
        exclude_groups: vec!["ffffffff-0000-4000-8000-000000000001".into()],
        exclude_roles: vec![ROLE_GLOBAL_ADMINISTRATOR.into()],
        exclude_guests: true,
        state: PolicyState::Enabled,
        display_name: Some("Registration: pilot".into()),
    };
    let plan = build_plan(&tenant(), Preset::BlockOutsideTrusted, &options).unwrap();
    let users = &plan.body["conditions"]["users"];
    assert_eq!(
        users["includeUsers"],
        json!(["dddddddd-0000-4000-8000-000000000001"])
    );
    assert_eq!(users["includeGroups"], json!([GROUP]));
    assert_eq!(
        users["excludeUsers"],
        json!([
            ADMIN,
            BREAK_GLASS_1,
            BREAK_GLASS_2,
            "eeeeeeee-0000-4000-8000-000000000001",
            "GuestsOrExternalUsers"
        ])
    );
    assert_eq!(
        users["excludeGroups"],
        json!(["ffffffff-0000-4000-8000-000000000001"])
    );
    assert_eq!(users["excludeRoles"], json!([ROLE_GLOBAL_ADMINISTRATOR]));
    assert_eq!(plan.body["state"], "enabled");
    assert_eq!(plan.body["displayName"], "Registration: pilot");
}

#[test]
fn mfa_preset_keeps_the_global_administrator_role_once_when_also_chosen() {
    let options = PlanOptions {
        exclude_roles: vec![ROLE_GLOBAL_ADMINISTRATOR.to_uppercase()],
        ..PlanOptions::default()
    };
    let plan = build_plan(&tenant(), Preset::RequireMfaOutsideTrusted, &options).unwrap();
    assert_eq!(
        plan.body["conditions"]["users"]["excludeRoles"],
        json!([ROLE_GLOBAL_ADMINISTRATOR])
    );
}

#[test]
fn taken_names_get_a_number_compared_case_insensitively() {
    let mut snapshot = tenant();
    snapshot.policies.push(policy_named(
        "block security info registration outside trusted locations",
    ));
    snapshot.policies.push(policy_named(
        "Block security info registration outside trusted locations (2) ",
    ));
    let plan = build_plan(
        &snapshot,
        Preset::BlockOutsideTrusted,
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(
        plan.policy.display_name,
        "Block security info registration outside trusted locations (3)"
    );
    assert_eq!(
        plan.renamed_from.as_deref(),
        Some("Block security info registration outside trusted locations")
    );
}

#[test]
fn unknown_admin_and_missing_break_glass_are_warned_about() {
    let plan = build_plan(
        &TenantSnapshot::default(),
        Preset::BlockOutsideTrusted,
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.body["conditions"]["users"]["excludeUsers"], json!([]));
    assert_eq!(plan.warnings.len(), 2);
    assert!(plan.warnings[0].contains("administrator is not known"));
    assert!(plan.warnings[1].contains("break-glass"));
}

#[test]
fn ids_that_are_not_guids_are_refused_by_name() {
    let options = PlanOptions {
        exclude_users: vec![TEMPLATE_CURRENT_ADMIN_PLACEHOLDER.into()],
        ..PlanOptions::default()
    };
    let err = build_plan(&tenant(), Preset::RequireMfaOutsideTrusted, &options).unwrap_err();
    assert_eq!(
        err,
        PlanError::InvalidId {
            field: "the excluded users",
            value: TEMPLATE_CURRENT_ADMIN_PLACEHOLDER.into()
        }
    );
    assert!(err.to_string().contains("Object ID"));

    let mut snapshot = tenant();
    snapshot.break_glass.push("breakglass@contoso.com".into());
    let err = build_plan(
        &snapshot,
        Preset::BlockOutsideTrusted,
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        PlanError::InvalidId {
            field: "the break-glass accounts",
            ..
        }
    ));
}

#[test]
fn empty_name_and_empty_selection_are_refused() {
    let blank = PlanOptions {
        display_name: Some("  ".into()),
        ..PlanOptions::default()
    };
    assert_eq!(
        build_plan(&tenant(), Preset::BlockOutsideTrusted, &blank).unwrap_err(),
        PlanError::EmptyDisplayName
    );
    let nobody = PlanOptions {
        scope: UserScope::Selected {
            users: vec![],
            groups: vec![],
        },
        ..PlanOptions::default()
    };
    assert_eq!(
        build_plan(&tenant(), Preset::RequireMfaOutsideTrusted, &nobody).unwrap_err(),
        PlanError::EmptyScope
    );
}

#[test]
fn every_preset_is_report_only_by_default_and_explains_its_trade_off() {
    for preset in Preset::ALL {
        let plan = build_plan(&tenant(), preset, &PlanOptions::default()).unwrap();
        assert_eq!(
            plan.policy.state,
            PolicyState::EnabledForReportingButNotEnforced
        );
        assert_eq!(plan.body["conditions"]["clientAppTypes"], json!(["all"]));
        assert_eq!(
            plan.body["conditions"]["applications"]["includeApplications"],
            json!([])
        );
        assert!(plan.body.get("id").is_none());
        assert!(preset.trade_off().ends_with('.') && preset.trade_off().len() < 140);
        let reread: ConditionalAccessPolicy = serde_json::from_value(plan.body.clone()).unwrap();
        assert_eq!(reread, plan.policy);
    }
}

#[test]
fn hostile_display_names_are_kept_verbatim() {
    let name = "It's \"x\" `$(whoami)` ${var} %{x}\n<script>alert(1)</script>";
    let options = PlanOptions {
        display_name: Some(name.into()),
        ..PlanOptions::default()
    };
    let plan = build_plan(&tenant(), Preset::BlockOutsideTrusted, &options).unwrap();
    assert_eq!(plan.body["displayName"], name);
}

#[test]
fn options_travel_as_json_with_defaults() {
    let options: PlanOptions = serde_json::from_value(json!({"excludeGuests": true})).unwrap();
    assert!(options.exclude_guests);
    assert_eq!(
        options.state,
        PolicyState::EnabledForReportingButNotEnforced
    );
    assert_eq!(options.scope, UserScope::AllUsers);
    let selected: UserScope =
        serde_json::from_value(json!({"kind": "selected", "users": [], "groups": [GROUP]}))
            .unwrap();
    assert_eq!(
        selected,
        UserScope::Selected {
            users: vec![],
            groups: vec![GROUP.into()]
        }
    );
    assert_eq!(
        serde_json::to_value(Preset::RequireMfaOutsideTrusted).unwrap(),
        "requireMfaOutsideTrusted"
    );
}
