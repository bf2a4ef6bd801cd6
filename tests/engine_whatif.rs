//! What-if: which policies apply to a sign-in, why, and the combined decision.

use registration_guard::engine::import::import_tenant;
use registration_guard::engine::model::{
    ClientAppType, ConditionalAccessPolicy, DevicePlatform, GuestOrExternalUserType, NamedLocation,
    PolicyState, RiskLevel, TenantSnapshot, USER_ACTION_REGISTER_DEVICE,
};
use registration_guard::engine::whatif::{
    Applicability, Condition, Decision, Draft, GrantControl, SignIn, SignInError, SignInTarget,
    WhatIfEngine, WhatIfReport,
};
use serde_json::{json, Value};
use std::path::PathBuf;

const USER: &str = "11111111-1111-1111-1111-111111111111";
const ADMIN: &str = "22222222-2222-2222-2222-222222222222";
const GROUP: &str = "33333333-3333-3333-3333-333333333333";
const OFFICE: &str = "44444444-4444-4444-4444-444444444444";
const HOME_COUNTRIES: &str = "55555555-5555-5555-5555-555555555555";

fn policy(v: Value) -> ConditionalAccessPolicy {
    serde_json::from_value(v).expect("test policy is valid")
}

fn location(v: Value) -> NamedLocation {
    serde_json::from_value(v).expect("test location is valid")
}

fn office() -> NamedLocation {
    location(
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": OFFICE, "displayName": "Head office",
        "isTrusted": true, "ipRanges": [{"cidrAddress": "203.0.113.0/24"}, {"cidrAddress": "2001:db8:10::/48"}]}),
    )
}

fn home_countries() -> NamedLocation {
    location(
        json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": HOME_COUNTRIES,
        "displayName": "Home countries", "countriesAndRegions": ["NL", "BE"], "includeUnknownCountriesAndRegions": true}),
    )
}

/// The classic preset: block registration outside trusted locations.
fn classic(state: &str) -> ConditionalAccessPolicy {
    policy(
        json!({"id": "classic", "displayName": "Block registration outside trusted locations", "state": state,
        "conditions": {"clientAppTypes": ["all"],
            "applications": {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]},
            "users": {"includeUsers": ["All"], "excludeUsers": [ADMIN]},
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    )
}

fn mfa_all_resources(state: &str) -> ConditionalAccessPolicy {
    policy(
        json!({"id": "mfa-all", "displayName": "Require MFA for all users", "state": state,
        "conditions": {"clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"], "excludeApplications": ["00000003-0000-0ff1-ce00-000000000000"]},
            "users": {"includeUsers": ["All"], "excludeGroups": [GROUP]}},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
    )
}

fn snapshot(policies: Vec<ConditionalAccessPolicy>) -> TenantSnapshot {
    TenantSnapshot {
        policies,
        named_locations: vec![office(), home_countries()],
        ..TenantSnapshot::default()
    }
}

fn registering_from(ip: &str) -> SignIn {
    let mut s = SignIn::new(USER, SignInTarget::register_security_info());
    s.ip_address = Some(ip.to_string());
    s
}

fn run(snapshot: &TenantSnapshot, sign_in: &SignIn) -> WhatIfReport {
    WhatIfEngine::new(snapshot)
        .evaluate(sign_in)
        .expect("sign-in is valid")
}

fn blocked_by(report: &WhatIfReport) -> Vec<String> {
    match &report.decision {
        Decision::Blocked { by } => by.iter().map(|p| p.display_name.clone()).collect(),
        other => panic!("expected a block, got {other:?}"),
    }
}

fn evaluation<'a>(
    report: &'a WhatIfReport,
    id: &str,
) -> &'a registration_guard::engine::whatif::PolicyEvaluation {
    report
        .enforced
        .iter()
        .chain(&report.report_only)
        .find(|e| e.policy.id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("policy {id} not evaluated"))
}

#[test]
fn classic_preset_blocks_registration_from_an_untrusted_address() {
    let report = run(
        &snapshot(vec![classic("enabled")]),
        &registering_from("198.51.100.20"),
    );
    assert_eq!(
        blocked_by(&report),
        ["Block registration outside trusted locations"]
    );
}

#[test]
fn classic_preset_allows_registration_at_both_edges_of_the_trusted_range() {
    let snap = snapshot(vec![classic("enabled")]);
    for ip in [
        "203.0.113.0",
        "203.0.113.255",
        "2001:db8:10::",
        "2001:db8:10:ffff:ffff:ffff:ffff:ffff",
        "::ffff:203.0.113.9",
    ] {
        let report = run(&snap, &registering_from(ip));
        assert_eq!(report.decision, Decision::Allowed, "{ip}");
        let e = evaluation(&report, "classic");
        assert_eq!(e.condition, Condition::Locations, "{ip}");
        assert!(
            e.explanation
                .contains("comes from a trusted location, which it excludes"),
            "{}",
            e.explanation
        );
    }
    for ip in ["203.0.112.255", "203.0.114.0", "2001:db8:11::"] {
        assert!(
            matches!(
                run(&snap, &registering_from(ip)).decision,
                Decision::Blocked { .. }
            ),
            "{ip}"
        );
    }
}

#[test]
fn sign_in_without_an_address_is_outside_every_trusted_location() {
    let report = run(
        &snapshot(vec![classic("enabled")]),
        &SignIn::new(USER, SignInTarget::register_security_info()),
    );
    assert!(matches!(report.decision, Decision::Blocked { .. }));
}

#[test]
fn excluded_admin_is_not_blocked_and_the_reason_names_the_exclusion() {
    let mut s = registering_from("198.51.100.20");
    s.user_id = ADMIN.to_string();
    let report = run(&snapshot(vec![classic("enabled")]), &s);
    assert_eq!(report.decision, Decision::Allowed);
    let e = evaluation(&report, "classic");
    assert_eq!(
        (e.result, e.condition),
        (Applicability::DoesNotApply, Condition::Users)
    );
    assert!(e.explanation.contains("excluded"), "{}", e.explanation);
}

#[test]
fn report_only_policy_is_reported_apart_and_never_changes_the_decision() {
    let report = run(
        &snapshot(vec![classic("enabledForReportingButNotEnforced")]),
        &registering_from("198.51.100.20"),
    );
    assert_eq!(report.decision, Decision::Allowed);
    assert!(report.enforced.is_empty());
    assert_eq!(report.report_only.len(), 1);
    assert_eq!(report.report_only[0].result, Applicability::Applies);
    assert!(matches!(
        report.decision_if_report_only_enforced,
        Decision::Blocked { .. }
    ));
}

#[test]
fn disabled_policy_is_ignored() {
    let report = run(
        &snapshot(vec![classic("disabled")]),
        &registering_from("198.51.100.20"),
    );
    assert_eq!(report.decision, Decision::Allowed);
    assert_eq!(report.decision_if_report_only_enforced, Decision::Allowed);
    assert_eq!(report.ignored_disabled.len(), 1);
    assert!(report.enforced.is_empty() && report.report_only.is_empty());
}

#[test]
fn block_wins_over_policies_that_require_controls() {
    let report = run(
        &snapshot(vec![mfa_all_resources("enabled"), classic("enabled")]),
        &registering_from("198.51.100.20"),
    );
    assert_eq!(
        blocked_by(&report),
        ["Block registration outside trusted locations"]
    );
    assert_eq!(
        evaluation(&report, "mfa-all").result,
        Applicability::Applies
    );
}

#[test]
fn all_resources_policy_applies_to_the_registration_user_action_despite_excluded_apps() {
    let report = run(
        &snapshot(vec![mfa_all_resources("enabled")]),
        &registering_from("203.0.113.5"),
    );
    match &report.decision {
        Decision::RequiresControls { requirements } => {
            assert_eq!(requirements.len(), 1);
            assert_eq!(requirements[0].controls, vec![GrantControl::Mfa]);
        }
        other => panic!("expected MFA, got {other:?}"),
    }
}

#[test]
fn every_applying_policy_must_be_satisfied_with_its_own_operator() {
    let device = policy(
        json!({"id": "device", "displayName": "Compliant or joined device", "state": "enabled",
        "conditions": {"applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice", "domainJoinedDevice"]}}),
    );
    let risky = policy(
        json!({"id": "risky", "displayName": "Risky users change password", "state": "enabled",
        "conditions": {"userRiskLevels": ["high"], "applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]}},
        "grantControls": {"operator": "AND", "builtInControls": ["mfa", "passwordChange"]}}),
    );
    let mut s = registering_from("203.0.113.5");
    s.user_risk = Some(RiskLevel::High);
    let report = run(&snapshot(vec![device, risky]), &s);
    let Decision::RequiresControls { requirements } = &report.decision else {
        panic!("{:?}", report.decision)
    };
    assert_eq!(requirements.len(), 2);
    let ops: Vec<String> = requirements
        .iter()
        .map(|r| format!("{:?}", r.operator))
        .collect();
    assert_eq!(ops, ["Or", "And"]);
    assert_eq!(
        requirements[1].controls,
        vec![GrantControl::Mfa, GrantControl::PasswordChange]
    );
    assert!(evaluation(&report, "risky")
        .explanation
        .contains("Require multifactor authentication and Require password change"));
}

#[test]
fn device_registration_policy_does_not_apply_to_security_info_registration() {
    let p = policy(
        json!({"id": "rd", "displayName": "MFA to join devices", "state": "enabled",
        "conditions": {"applications": {"includeUserActions": [USER_ACTION_REGISTER_DEVICE]}, "users": {"includeUsers": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
    );
    let report = run(
        &snapshot(vec![p.clone()]),
        &registering_from("198.51.100.20"),
    );
    assert_eq!(report.decision, Decision::Allowed);
    let e = evaluation(&report, "rd");
    assert_eq!(e.condition, Condition::UserActions);
    assert!(
        e.explanation.contains("urn:user:registerdevice"),
        "{}",
        e.explanation
    );
    let mut joining = registering_from("198.51.100.20");
    joining.target = SignInTarget::UserAction {
        action: USER_ACTION_REGISTER_DEVICE.to_string(),
    };
    assert!(matches!(
        run(&snapshot(vec![p]), &joining).decision,
        Decision::RequiresControls { .. }
    ));
}

#[test]
fn user_action_policy_does_not_apply_to_application_sign_ins() {
    let mut s = registering_from("198.51.100.20");
    s.target = SignInTarget::application("00000002-0000-0ff1-ce00-000000000000");
    let report = run(&snapshot(vec![classic("enabled")]), &s);
    assert_eq!(report.decision, Decision::Allowed);
    let e = evaluation(&report, "classic");
    assert_eq!(e.condition, Condition::Applications);
    assert!(
        e.explanation.contains("not applications"),
        "{}",
        e.explanation
    );
}

#[test]
fn application_groups_given_by_the_caller_are_matched_and_excluded() {
    let p = office365_on_linux();
    let excluded = policy(
        json!({"id": "all-but-o365", "displayName": "MFA everywhere but Office 365", "state": "enabled",
        "conditions": {"applications": {"includeApplications": ["All"], "excludeApplications": ["Office365"]}, "users": {"includeUsers": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
    );
    let mut s = SignIn::new(
        USER,
        SignInTarget::Application {
            app_id: "00000002-0000-0ff1-ce00-000000000000".into(),
            app_groups: vec!["Office365".into()],
        },
    );
    s.platform = Some(DevicePlatform::Linux);
    let report = run(&snapshot(vec![p, excluded]), &s);
    assert!(matches!(report.decision, Decision::Blocked { .. }));
    assert_eq!(
        evaluation(&report, "all-but-o365").condition,
        Condition::Applications
    );
    s.platform = None;
    let report = run(&snapshot(vec![office365_on_linux()]), &s);
    assert_eq!(
        evaluation(&report, "o365").condition,
        Condition::Platforms,
        "unknown platform is not linux"
    );
}

fn office365_on_linux() -> ConditionalAccessPolicy {
    policy(
        json!({"id": "o365", "displayName": "Block Office 365 on Linux", "state": "enabled",
        "conditions": {"applications": {"includeApplications": ["Office365"]}, "users": {"includeUsers": ["All"]},
            "platforms": {"includePlatforms": ["linux"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    )
}

#[test]
fn all_platforms_minus_an_excluded_one_covers_unknown_platforms() {
    let p = policy(
        json!({"id": "p", "displayName": "MFA except iOS", "state": "enabled",
        "conditions": {"applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]},
            "platforms": {"includePlatforms": ["all"], "excludePlatforms": ["iOS"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
    );
    let snap = snapshot(vec![p]);
    let mut s = registering_from("198.51.100.1");
    assert_eq!(
        evaluation(&run(&snap, &s), "p").result,
        Applicability::Applies
    );
    s.platform = Some(DevicePlatform::IOS);
    assert_eq!(
        evaluation(&run(&snap, &s), "p").condition,
        Condition::Platforms
    );
    s.platform = Some(DevicePlatform::Android);
    assert_eq!(
        evaluation(&run(&snap, &s), "p").result,
        Applicability::Applies
    );
}

#[test]
fn client_app_types_other_than_all_leave_native_apps_uncovered() {
    let p = policy(
        json!({"id": "rsi", "displayName": "RSI browser and modern", "state": "enabled",
        "conditions": {"clientAppTypes": ["browser", "mobileAppsAndDesktopClients"],
            "applications": {"includeUserActions": ["urn:user:registersecurityinfo"]}, "users": {"includeUsers": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    );
    let snap = snapshot(vec![p]);
    let mut s = registering_from("198.51.100.1");
    for (client, blocked) in [
        (ClientAppType::Browser, true),
        (ClientAppType::MobileAppsAndDesktopClients, true),
        (ClientAppType::ExchangeActiveSync, false),
        (ClientAppType::LegacyOther, false),
    ] {
        s.client_app = client.clone();
        let report = run(&snap, &s);
        assert_eq!(
            matches!(report.decision, Decision::Blocked { .. }),
            blocked,
            "{client}"
        );
        if !blocked {
            assert_eq!(evaluation(&report, "rsi").condition, Condition::ClientApps);
        }
    }
}

#[test]
fn guest_conditions_match_guest_kinds_and_listed_tenants() {
    let guests_only = policy(
        json!({"id": "g", "displayName": "Block guests outside trusted locations", "state": "enabled",
        "conditions": {"applications": {"includeUserActions": ["urn:user:registersecurityinfo"]},
            "users": {"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest,internalGuest",
                "externalTenants": {"membershipKind": "enumerated", "members": ["tenant-a"]}}},
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    );
    let snap = snapshot(vec![guests_only]);
    let mut s = registering_from("198.51.100.1");
    assert_eq!(
        evaluation(&run(&snap, &s), "g").condition,
        Condition::Users,
        "members are not guests"
    );
    s.guest_type = Some(GuestOrExternalUserType::B2bCollaborationGuest);
    s.home_tenant_id = Some("TENANT-A".into());
    assert!(
        matches!(run(&snap, &s).decision, Decision::Blocked { .. }),
        "tenant ids compare case-insensitively"
    );
    s.home_tenant_id = Some("tenant-b".into());
    assert_eq!(run(&snap, &s).decision, Decision::Allowed);
    s.home_tenant_id = Some("tenant-a".into());
    s.guest_type = Some(GuestOrExternalUserType::ServiceProvider);
    assert_eq!(run(&snap, &s).decision, Decision::Allowed);
}

#[test]
fn excluding_guests_or_external_users_spares_every_guest_kind() {
    let p = policy(
        json!({"id": "t", "displayName": "Template-like", "state": "enabled",
        "conditions": {"applications": {"includeUserActions": ["urn:user:registersecurityinfo"]},
            "users": {"includeUsers": ["All"], "excludeUsers": ["GuestsOrExternalUsers"], "excludeRoles": ["62e90394-69f5-4237-9190-012177145e10"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
    );
    let snap = snapshot(vec![p]);
    let mut s = registering_from("198.51.100.1");
    s.guest_type = Some(GuestOrExternalUserType::OtherExternalUser);
    let report = run(&snap, &s);
    assert_eq!(report.decision, Decision::Allowed);
    assert!(evaluation(&report, "t").explanation.contains("Guests"));
    s.guest_type = None;
    s.role_ids = vec!["62E90394-69F5-4237-9190-012177145E10".into()];
    let report = run(&snap, &s);
    assert_eq!(report.decision, Decision::Allowed);
    assert!(evaluation(&report, "t")
        .explanation
        .contains("62e90394-69f5-4237-9190-012177145e10"));
}

#[test]
fn group_inclusion_and_exclusion_follow_the_user_groups() {
    let p = policy(
        json!({"id": "grp", "displayName": "Pilot group", "state": "enabled",
        "conditions": {"applications": {"includeUserActions": ["urn:user:registersecurityinfo"]},
            "users": {"includeGroups": [GROUP], "excludeGroups": ["break-glass-group"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    );
    let snap = snapshot(vec![p]);
    let mut s = registering_from("198.51.100.1");
    assert_eq!(run(&snap, &s).decision, Decision::Allowed);
    s.group_ids = vec!["unrelated".into(), GROUP.to_uppercase()];
    assert!(matches!(run(&snap, &s).decision, Decision::Blocked { .. }));
    s.group_ids.push("break-glass-group".into());
    let report = run(&snap, &s);
    assert_eq!(report.decision, Decision::Allowed);
    assert!(evaluation(&report, "grp")
        .explanation
        .contains("break-glass-group"));
}

#[test]
fn country_locations_match_the_given_country_and_unknown_countries_when_asked() {
    let p = policy(
        json!({"id": "geo", "displayName": "Block outside home countries", "state": "enabled",
        "conditions": {"applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]},
            "locations": {"includeLocations": ["All"], "excludeLocations": [HOME_COUNTRIES]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    );
    let snap = snapshot(vec![p]);
    let mut s = registering_from("198.51.100.1");
    s.country = Some("nl".into());
    let report = run(&snap, &s);
    assert_eq!(report.decision, Decision::Allowed);
    assert!(evaluation(&report, "geo")
        .explanation
        .contains("Home countries"));
    s.country = Some("US".into());
    assert!(matches!(run(&snap, &s).decision, Decision::Blocked { .. }));
    s.country = None;
    assert_eq!(
        run(&snap, &s).decision,
        Decision::Allowed,
        "unknown country is included in the home location"
    );
}

#[test]
fn mfa_trusted_ips_count_as_trusted_locations() {
    let mut snap = snapshot(vec![classic("enabled")]);
    snap.mfa_trusted_ips = Some(vec!["192.0.2.0/24".into()]);
    assert_eq!(
        run(&snap, &registering_from("192.0.2.200")).decision,
        Decision::Allowed
    );
    assert!(matches!(
        run(&snap, &registering_from("192.0.3.1")).decision,
        Decision::Blocked { .. }
    ));
}

#[test]
fn untrusted_ip_location_does_not_count_as_trusted() {
    let mut snap = snapshot(vec![classic("enabled")]);
    snap.named_locations.push(location(json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "untrusted",
        "displayName": "Guest wifi", "isTrusted": false, "ipRanges": [{"cidrAddress": "198.51.100.0/24"}]})));
    assert!(matches!(
        run(&snap, &registering_from("198.51.100.7")).decision,
        Decision::Blocked { .. }
    ));
}

#[test]
fn draft_policy_and_draft_location_are_evaluated_as_if_created() {
    let snap = TenantSnapshot::default();
    let draft_location = location(
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "draft-office",
        "displayName": "Trusted office (new)", "isTrusted": true, "ipRanges": [{"cidrAddress": "198.51.100.0/24"}]}),
    );
    let mut draft_policy = classic("enabledForReportingButNotEnforced");
    draft_policy.id = None;
    let as_report_only = WhatIfEngine::with_drafts(
        &snap,
        &[Draft {
            policy: draft_policy.clone(),
            as_enabled: false,
        }],
        std::slice::from_ref(&draft_location),
    );
    let report = as_report_only
        .evaluate(&registering_from("192.0.2.1"))
        .unwrap();
    assert_eq!(report.decision, Decision::Allowed);
    assert!(report.report_only[0].policy.draft);
    let enforced = WhatIfEngine::with_drafts(
        &snap,
        &[Draft {
            policy: draft_policy,
            as_enabled: true,
        }],
        &[draft_location],
    );
    let report = enforced.evaluate(&registering_from("192.0.2.1")).unwrap();
    assert!(matches!(report.decision, Decision::Blocked { .. }));
    assert_eq!(report.enforced[0].state, PolicyState::Enabled);
    assert_eq!(
        enforced
            .evaluate(&registering_from("198.51.100.255"))
            .unwrap()
            .decision,
        Decision::Allowed
    );
}

#[test]
fn device_filter_makes_the_result_undetermined_instead_of_guessed() {
    let p = policy(
        json!({"id": "df", "displayName": "Block unmanaged", "state": "enabled",
        "conditions": {"applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]},
            "devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    );
    let report = run(&snapshot(vec![p]), &registering_from("198.51.100.1"));
    assert_eq!(report.decision, Decision::Allowed);
    assert_eq!(
        evaluation(&report, "df").result,
        Applicability::Undetermined
    );
    assert_eq!(report.undetermined.len(), 1);
    assert!(report.notes.iter().any(|n| n.contains("might also apply")));
}

#[test]
fn authentication_flow_policies_apply_only_to_those_flows() {
    let p = policy(
        json!({"id": "dcf", "displayName": "Block device code flow", "state": "enabled",
        "conditions": {"applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]},
            "authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    );
    let snap = snapshot(vec![p]);
    let mut s = registering_from("198.51.100.1");
    assert_eq!(
        evaluation(&run(&snap, &s), "dcf").condition,
        Condition::AuthenticationFlows
    );
    s.authentication_flow = Some("deviceCodeFlow".into());
    assert!(matches!(run(&snap, &s).decision, Decision::Blocked { .. }));
}

#[test]
fn risk_conditions_apply_only_at_listed_levels() {
    let p = policy(
        json!({"id": "risk", "displayName": "Block high sign-in risk", "state": "enabled",
        "conditions": {"signInRiskLevels": ["high"], "applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    );
    let snap = snapshot(vec![p]);
    let mut s = registering_from("198.51.100.1");
    assert_eq!(
        evaluation(&run(&snap, &s), "risk").condition,
        Condition::SignInRisk
    );
    s.sign_in_risk = Some(RiskLevel::High);
    assert!(matches!(run(&snap, &s).decision, Decision::Blocked { .. }));
}

#[test]
fn invalid_address_and_missing_user_are_clear_errors() {
    let engine = WhatIfEngine::new(&snapshot(vec![classic("enabled")]));
    let err = engine.evaluate(&registering_from("300.1.1.1")).unwrap_err();
    assert!(matches!(err, SignInError::InvalidIpAddress { .. }));
    assert!(err.to_string().contains("public address"), "{err}");
    let mut s = registering_from("198.51.100.1");
    s.user_id = "  ".into();
    assert!(matches!(
        engine.evaluate(&s).unwrap_err(),
        SignInError::MissingUser { .. }
    ));
}

#[test]
fn unreadable_ranges_and_unknown_locations_become_notes_not_failures() {
    let mut snap = snapshot(vec![policy(
        json!({"id": "x", "displayName": "Uses a deleted location", "state": "enabled",
        "conditions": {"applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]},
            "locations": {"includeLocations": ["deleted-location"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    )]);
    snap.named_locations.push(location(json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "bad",
        "displayName": "Typo", "isTrusted": true, "ipRanges": [{"cidrAddress": "203.0.113.300/24"}]})));
    let engine = WhatIfEngine::new(&snap);
    assert_eq!(engine.notes().len(), 2, "{:?}", engine.notes());
    let report = engine.evaluate(&registering_from("198.51.100.1")).unwrap();
    assert_eq!(report.decision, Decision::Allowed);
    assert!(evaluation(&report, "x")
        .explanation
        .contains("missing from the snapshot"));
}

#[test]
fn report_serializes_with_tagged_decisions_for_the_panel() {
    let report = run(
        &snapshot(vec![classic("enabled")]),
        &registering_from("198.51.100.20"),
    );
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(v["decision"]["decision"], "blocked");
    assert_eq!(v["enforced"][0]["result"], "applies");
    let sign_in: SignIn = serde_json::from_value(json!({"userId": USER, "target": {"kind": "userAction",
        "action": "urn:user:registersecurityinfo"}, "ipAddress": "198.51.100.20", "clientApp": "mobileAppsAndDesktopClients"}))
    .unwrap();
    assert_eq!(
        sign_in.client_app,
        ClientAppType::MobileAppsAndDesktopClients
    );
}

// --- Real data -------------------------------------------------------------------------------

fn corpora() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora"));
    assert!(
        dir.is_dir(),
        "test corpora missing at {} — these tests need the shared corpora",
        dir.display()
    );
    dir
}

fn import_dir(relative: &str) -> TenantSnapshot {
    let dir = corpora().join(relative);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut all = registration_guard::engine::import::Import::default();
    for path in entries {
        if path.is_dir() {
            let sub = import_dir(&format!(
                "{relative}/{}",
                path.file_name().unwrap().to_string_lossy()
            ));
            all.policies.extend(sub.policies);
            all.named_locations.extend(sub.named_locations);
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        match import_tenant(&bytes) {
            Ok(i) => all.merge(i),
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    all.into_snapshot()
}

#[test]
fn microsoft_what_if_example_policies_all_apply_to_the_registration_action() {
    // Microsoft's documented evaluate call: user action registerSecurityInformation, macOS,
    // browser, user risk high, Canada, 40.77.182.32; every returned policy has policyApplies.
    let bytes = std::fs::read(
        corpora().join("microsoft-graph-docs/evaluate-userAction-registerSecurityInformation.json"),
    )
    .unwrap();
    let raw: Value = serde_json::from_slice(&bytes).unwrap();
    let policies: Vec<ConditionalAccessPolicy> = raw["response"]["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| policy(p.clone()))
        .collect();
    assert_eq!(policies.len(), 3);
    let snap = TenantSnapshot {
        policies,
        ..TenantSnapshot::default()
    };
    let conditions = &raw["request"]["body"]["signInConditions"];
    let mut s = SignIn::new(
        raw["request"]["body"]["signInIdentity"]["userId"]
            .as_str()
            .unwrap(),
        SignInTarget::register_security_info(),
    );
    s.ip_address = conditions["ipAddress"].as_str().map(String::from);
    s.country = conditions["country"].as_str().map(String::from);
    s.platform = Some(DevicePlatform::parse(
        conditions["devicePlatform"].as_str().unwrap(),
    ));
    s.client_app = ClientAppType::parse(conditions["clientAppType"].as_str().unwrap());
    s.user_risk = Some(RiskLevel::parse(
        conditions["userRiskLevel"].as_str().unwrap(),
    ));
    s.sign_in_risk = Some(RiskLevel::parse(
        conditions["signInRiskLevel"].as_str().unwrap(),
    ));
    // The response shows the admin-roles policy applying, so the user holds one of its roles.
    s.role_ids = vec!["62e90394-69f5-4237-9190-012177145e10".into()];
    let report = run(&snap, &s);
    assert_eq!(report.report_only.len(), 3);
    for e in &report.report_only {
        let expected = raw["response"]["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == json!(e.policy.id))
            .unwrap();
        assert_eq!(expected["policyApplies"], json!(true));
        assert_eq!(
            e.result,
            Applicability::Applies,
            "{}: {}",
            e.policy.display_name,
            e.explanation
        );
    }
    assert_eq!(
        report.decision,
        Decision::Allowed,
        "report-only policies never decide"
    );
    let Decision::RequiresControls { requirements } = &report.decision_if_report_only_enforced
    else {
        panic!()
    };
    assert_eq!(requirements.len(), 3);
}

#[test]
fn j0eyv_baseline_blocks_sign_ins_from_outside_the_allowed_countries() {
    let snap = import_dir("j0eyv-ConditionalAccessBaseline");
    assert_eq!(snap.policies.len(), 36);
    let engine = WhatIfEngine::new(&snap);
    let mut s = SignIn::new(USER, SignInTarget::register_security_info());
    s.ip_address = Some("198.51.100.7".into());
    s.country = Some("US".into());
    let report = engine.evaluate(&s).unwrap();
    let blockers = blocked_by(&report);
    assert!(
        blockers.iter().any(|n| n.starts_with("CA001")),
        "{blockers:?}"
    );
    s.country = Some("BE".into());
    let report = engine.evaluate(&s).unwrap();
    // From Belgium only the tenant-wide MFA policy (CA000) is left for registration.
    let Decision::RequiresControls { requirements } = &report.decision else {
        panic!("{:?}", report.decision)
    };
    let names: Vec<&str> = requirements
        .iter()
        .map(|r| r.policy.display_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["CA000-Global-IdentityProtection-AnyApp-AnyPlatform-MFA"]
    );
    // CA003 targets device registration, a different action.
    let ca003 = report
        .enforced
        .iter()
        .find(|e| e.policy.display_name.starts_with("CA003"))
        .unwrap();
    assert_eq!(ca003.condition, Condition::UserActions);
}

#[test]
fn every_corpus_policy_compiles_and_evaluates() {
    for set in [
        "j0eyv-ConditionalAccessBaseline",
        "kennethvs-cabaseline202510",
        "cisagov-ScubaGear",
        "jsa2-caOptics/demodata",
    ] {
        let snap = import_dir(set);
        assert!(!snap.policies.is_empty(), "{set}");
        let engine = WhatIfEngine::new(&snap);
        assert_eq!(engine.policy_count(), snap.policies.len());
        let report = engine.evaluate(&registering_from("198.51.100.7")).unwrap();
        let evaluated =
            report.enforced.len() + report.report_only.len() + report.ignored_disabled.len();
        assert_eq!(evaluated, snap.policies.len(), "{set}");
    }
}

#[test]
fn synthetic_bench_workload_runs_whole_passes_and_reports_the_count() {
    let w = registration_guard::engine::whatif::BenchWorkload::synthetic();
    assert_eq!((w.policies(), w.sign_ins()), (48, 16));
    let done = w.run(1000);
    assert!((1000..1000 + 48).contains(&done), "{done}");
    assert_eq!(done % 48, 0);
    assert_eq!(w.run(0), 0);
}

#[test]
fn policy_only_at_trusted_locations_explains_that_the_sign_in_is_not_from_one() {
    let p = policy(
        json!({"id": "inside", "displayName": "MFA inside the office", "state": "enabled",
        "conditions": {"applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]},
            "locations": {"includeLocations": ["AllTrusted"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
    );
    let snap = snapshot(vec![p]);
    let away = run(&snap, &registering_from("198.51.100.1"));
    let e = evaluation(&away, "inside");
    assert_eq!(e.condition, Condition::Locations);
    assert_eq!(e.explanation, "The sign-in is not from a trusted location.");
    assert_eq!(
        evaluation(&run(&snap, &registering_from("203.0.113.1")), "inside").result,
        Applicability::Applies
    );
}
