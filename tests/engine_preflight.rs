//! Preflight rules: what must be true before the registration policy is written.

use registration_guard::engine::import::{import_tenant, Import};
use registration_guard::engine::model::{
    AdminIdentity, ClientAppType, ConditionalAccessPolicy, Licences, NamedLocation, PolicyState,
    TenantSnapshot, ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR, TEMPLATE_CURRENT_ADMIN_PLACEHOLDER,
};
use registration_guard::engine::preflight::{
    has_blockers, preflight, preflight_with, DirectoryLookup, DirectoryObject, DirectoryObjectKind,
    FindingCode, PreflightFinding, PreflightInput, Severity, MAX_NAMED_LOCATIONS,
};
use registration_guard::engine::presets::{build_plan, Plan, PlanOptions, Preset};
use serde_json::{json, Value};
use std::path::PathBuf;

const ADMIN: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const BREAK_GLASS: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const OFFICE: &str = "cccccccc-0000-4000-8000-000000000003";

fn location(v: Value) -> NamedLocation {
    serde_json::from_value(v).expect("test location is valid")
}

fn office() -> NamedLocation {
    location(
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": OFFICE, "displayName": "Head office",
        "isTrusted": true, "ipRanges": [{"cidrAddress": "203.0.113.0/24"}, {"cidrAddress": "2001:db8:10::/48"}]}),
    )
}

/// A tenant where nothing stands in the way.
fn ready_tenant() -> TenantSnapshot {
    TenantSnapshot {
        named_locations: vec![office()],
        security_defaults_enabled: Some(false),
        licences: Some(Licences {
            p1: true,
            p2: false,
        }),
        admin: Some(AdminIdentity {
            id: ADMIN.into(),
            user_principal_name: "admin@contoso.example".into(),
            display_name: "Ada Admin".into(),
            role_template_ids: vec![ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR.into()],
        }),
        break_glass: vec![BREAK_GLASS.into()],
        mfa_trusted_ips: Some(vec![]),
        ..TenantSnapshot::default()
    }
}

fn plan(snapshot: &TenantSnapshot, preset: Preset) -> Plan {
    build_plan(snapshot, preset, &PlanOptions::default()).expect("plan builds")
}

fn enforced_plan(snapshot: &TenantSnapshot, preset: Preset) -> Plan {
    build_plan(
        snapshot,
        preset,
        &PlanOptions {
            state: PolicyState::Enabled,
            ..PlanOptions::default()
        },
    )
    .unwrap()
}

/// Applies an edit to the plan's policy and keeps the body in step, as an edited review would.
fn edited(mut plan: Plan, edit: impl FnOnce(&mut ConditionalAccessPolicy)) -> Plan {
    edit(&mut plan.policy);
    plan.body = plan.policy.to_graph_json();
    plan
}

fn codes(findings: &[PreflightFinding]) -> Vec<FindingCode> {
    findings.iter().map(|f| f.code).collect()
}

fn find(findings: &[PreflightFinding], code: FindingCode) -> &PreflightFinding {
    findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("{code:?} not in {:?}", codes(findings)))
}

fn policy(v: Value) -> ConditionalAccessPolicy {
    serde_json::from_value(v).expect("test policy is valid")
}

fn existing_classic(state: &str) -> ConditionalAccessPolicy {
    policy(
        json!({"id": "existing", "displayName": "Registration only from the office", "state": state,
        "conditions": {"clientAppTypes": ["all"],
            "applications": {"includeUserActions": ["urn:user:registersecurityinfo"]},
            "users": {"includeUsers": ["All"], "excludeUsers": [BREAK_GLASS]},
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    )
}

#[test]
fn ready_tenant_has_no_blockers_and_only_says_what_it_could_not_check() {
    let snap = ready_tenant();
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    assert!(!has_blockers(&findings), "{findings:#?}");
    assert_eq!(
        codes(&findings),
        [FindingCode::IdsNotChecked, FindingCode::GuestsBlockedToo]
    );
    assert!(findings.iter().all(|f| f.severity == Severity::Info));
}

#[test]
fn security_defaults_block_enabling_and_say_where_to_turn_them_off() {
    let mut snap = ready_tenant();
    snap.security_defaults_enabled = Some(true);
    let findings = preflight(&snap, &enforced_plan(&snap, Preset::BlockOutsideTrusted));
    let f = find(&findings, FindingCode::SecurityDefaultsOn);
    assert_eq!(f.severity, Severity::Blocker);
    assert!(
        f.message.contains("Entra ID > Overview > Properties"),
        "{}",
        f.message
    );
    assert!(codes(&findings).contains(&FindingCode::EnforcedWithoutReportOnly));
    // Report-only can be created; enforcing later needs them off.
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    assert_eq!(
        find(&findings, FindingCode::SecurityDefaultsOn).severity,
        Severity::Warning
    );
    assert!(!has_blockers(&findings));
}

#[test]
fn unread_tenant_facts_are_reported_as_unchecked() {
    let mut snap = ready_tenant();
    snap.security_defaults_enabled = None;
    snap.licences = None;
    snap.mfa_trusted_ips = None;
    let findings = preflight(&snap, &plan(&snap, Preset::RequireMfaOutsideTrusted));
    for code in [
        FindingCode::SecurityDefaultsUnknown,
        FindingCode::LicencesUnknown,
        FindingCode::MfaTrustedIpsUnreadable,
    ] {
        assert_eq!(find(&findings, code).severity, Severity::Info);
    }
}

#[test]
fn missing_entra_id_p1_is_a_blocker() {
    let mut snap = ready_tenant();
    snap.licences = Some(Licences::default());
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    let f = find(&findings, FindingCode::NoEntraIdP1);
    assert_eq!(f.severity, Severity::Blocker);
    assert!(f.message.contains("P1"));
}

#[test]
fn admin_without_a_writing_role_is_a_blocker_but_unread_roles_are_not() {
    let mut snap = ready_tenant();
    snap.admin.as_mut().unwrap().role_template_ids =
        vec!["88d8e3e3-8f55-4a1e-953a-9b9898b8876b".into()];
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    let f = find(&findings, FindingCode::AdminLacksRole);
    assert!(
        f.message.contains("admin@contoso.example")
            && f.message.contains("Conditional Access Administrator")
    );
    snap.admin.as_mut().unwrap().role_template_ids.clear();
    assert!(
        !codes(&preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted)))
            .contains(&FindingCode::AdminLacksRole)
    );
}

#[test]
fn block_without_any_trusted_location_would_block_everyone_everywhere() {
    let mut snap = ready_tenant();
    snap.named_locations.clear();
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    let f = find(&findings, FindingCode::NoTrustedLocation);
    assert_eq!(f.severity, Severity::Blocker);
    assert!(f.message.contains("everyone"), "{}", f.message);
    // The MFA preset still works (with a Temporary Access Pass), so it is a warning.
    let findings = preflight(&snap, &plan(&snap, Preset::RequireMfaOutsideTrusted));
    let f = find(&findings, FindingCode::NoTrustedLocation);
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("Temporary Access Pass"));
}

#[test]
fn a_trusted_location_created_with_the_policy_satisfies_the_rule() {
    let mut snap = ready_tenant();
    snap.named_locations.clear();
    let plan = plan(&snap, Preset::BlockOutsideTrusted);
    let new = office();
    let findings = preflight_with(&PreflightInput {
        snapshot: &snap,
        plan: &plan,
        directory: None,
        new_trusted_location: Some(&new),
    });
    assert!(!codes(&findings).contains(&FindingCode::NoTrustedLocation));
    assert!(!has_blockers(&findings));
}

#[test]
fn legacy_mfa_trusted_ips_count_as_a_trusted_location() {
    let mut snap = ready_tenant();
    snap.named_locations.clear();
    snap.mfa_trusted_ips = Some(vec!["198.51.100.0/24".into()]);
    assert!(
        !codes(&preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted)))
            .contains(&FindingCode::NoTrustedLocation)
    );
}

#[test]
fn trusted_ranges_covering_everything_are_a_blocker() {
    let mut snap = ready_tenant();
    snap.named_locations.push(location(
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "halves",
        "displayName": "Anywhere", "isTrusted": true,
        "ipRanges": [{"cidrAddress": "0.0.0.0/1"}, {"cidrAddress": "128.0.0.0/1"}]}),
    ));
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    let f = find(&findings, FindingCode::CatchAllTrustedRanges);
    assert_eq!(f.severity, Severity::Blocker);
    assert!(
        f.message.contains("100% of IPv4") && f.message.contains("50%"),
        "{}",
        f.message
    );
    let broad = find(&findings, FindingCode::BroadTrustedRange);
    assert_eq!(broad.location_id.as_deref(), Some("halves"));
}

#[test]
fn a_broad_but_not_catch_all_range_is_a_warning_naming_its_location() {
    let mut snap = ready_tenant();
    snap.named_locations.push(location(
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "isp",
        "displayName": "Our ISP", "isTrusted": true, "ipRanges": [{"cidrAddress": "20.0.0.0/10"}]}),
    ));
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    let f = find(&findings, FindingCode::BroadTrustedRange);
    assert_eq!(
        (f.severity, f.location_id.as_deref()),
        (Severity::Warning, Some("isp"))
    );
    assert!(f.message.contains("20.0.0.0/10"));
    assert!(!codes(&findings).contains(&FindingCode::CatchAllTrustedRanges));
}

#[test]
fn new_location_needs_room_and_a_distinct_name() {
    let mut snap = ready_tenant();
    let plan = plan(&snap, Preset::BlockOutsideTrusted);
    let new = office();
    let findings = preflight_with(&PreflightInput {
        snapshot: &snap,
        plan: &plan,
        directory: None,
        new_trusted_location: Some(&new),
    });
    assert_eq!(
        find(&findings, FindingCode::LocationNameClash)
            .location_id
            .as_deref(),
        Some(OFFICE)
    );
    while snap.named_locations.len() < MAX_NAMED_LOCATIONS {
        let n = snap.named_locations.len();
        snap.named_locations.push(location(
            json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": format!("c{n}"),
            "displayName": format!("Country {n}"), "countriesAndRegions": ["NL"]}),
        ));
    }
    let findings = preflight_with(&PreflightInput {
        snapshot: &snap,
        plan: &plan,
        directory: None,
        new_trusted_location: Some(&new),
    });
    assert_eq!(
        find(&findings, FindingCode::TooManyNamedLocations).severity,
        Severity::Blocker
    );
}

#[test]
fn an_enabled_equivalent_policy_means_nothing_to_do() {
    let mut snap = ready_tenant();
    snap.policies.push(existing_classic("enabled"));
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    let f = find(&findings, FindingCode::EquivalentPolicyEnabled);
    assert_eq!(
        (f.severity, f.policy_id.as_deref()),
        (Severity::Blocker, Some("existing"))
    );
    assert!(f.message.contains("Nothing needs to be created"));
}

#[test]
fn a_report_only_equivalent_is_offered_for_enforcement_with_its_id() {
    let mut snap = ready_tenant();
    snap.policies
        .push(existing_classic("enabledForReportingButNotEnforced"));
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    let f = find(&findings, FindingCode::EquivalentPolicyReportOnly);
    assert_eq!(
        (f.severity, f.policy_id.as_deref()),
        (Severity::Blocker, Some("existing"))
    );
    assert!(f.message.contains("Enforce it instead"), "{}", f.message);
}

#[test]
fn a_disabled_equivalent_is_a_warning() {
    let mut snap = ready_tenant();
    snap.policies.push(existing_classic("disabled"));
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    assert_eq!(
        find(&findings, FindingCode::EquivalentPolicyDisabled).severity,
        Severity::Warning
    );
}

#[test]
fn an_equivalent_block_is_not_equivalent_to_the_mfa_preset_but_already_protects() {
    let mut snap = ready_tenant();
    snap.policies.push(existing_classic("enabled"));
    let findings = preflight(&snap, &plan(&snap, Preset::RequireMfaOutsideTrusted));
    assert!(!codes(&findings).contains(&FindingCode::EquivalentPolicyEnabled));
    let f = find(&findings, FindingCode::AlreadyProtected);
    assert_eq!(
        (f.severity, f.policy_id.as_deref()),
        (Severity::Warning, Some("existing"))
    );
}

#[test]
fn a_policy_with_narrower_client_apps_is_only_similar() {
    let mut snap = ready_tenant();
    let mut p = existing_classic("enabledForReportingButNotEnforced");
    p.conditions.client_app_types = vec![ClientAppType::Browser];
    snap.policies.push(p);
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    let f = find(&findings, FindingCode::SimilarPolicyExists);
    assert_eq!(
        (f.severity, f.policy_id.as_deref()),
        (Severity::Warning, Some("existing"))
    );
    assert!(!codes(&findings).contains(&FindingCode::EquivalentPolicyReportOnly));
}

#[test]
fn a_guest_only_block_is_equivalent_only_to_the_guest_preset() {
    let mut snap = ready_tenant();
    let mut guests = plan(&snap, Preset::BlockGuestsOutsideTrusted).policy;
    guests.id = Some("guests".into());
    guests.display_name = "Guests: register only from the office".into();
    snap.policies.push(guests);
    let findings = preflight(&snap, &plan(&snap, Preset::BlockGuestsOutsideTrusted));
    assert_eq!(
        find(&findings, FindingCode::EquivalentPolicyReportOnly)
            .policy_id
            .as_deref(),
        Some("guests")
    );
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    assert!(!codes(&findings).iter().any(|c| matches!(
        c,
        FindingCode::EquivalentPolicyReportOnly | FindingCode::SimilarPolicyExists
    )));
}

#[test]
fn a_display_name_clash_names_the_existing_policy_and_a_renamed_plan_says_so() {
    let mut snap = ready_tenant();
    let mut clash = existing_classic("disabled");
    clash.display_name = Preset::BlockOutsideTrusted
        .default_display_name()
        .to_string();
    clash.conditions.applications.include_user_actions = vec!["urn:user:registerdevice".into()];
    snap.policies.push(clash);
    let renamed = plan(&snap, Preset::BlockOutsideTrusted);
    assert_eq!(
        find(&preflight(&snap, &renamed), FindingCode::Renamed).severity,
        Severity::Info
    );
    let forced = edited(renamed, |p| {
        p.display_name = Preset::BlockOutsideTrusted
            .default_display_name()
            .to_uppercase()
    });
    let f = find(&preflight(&snap, &forced), FindingCode::DisplayNameClash).clone();
    assert_eq!(
        (f.severity, f.policy_id.as_deref()),
        (Severity::Blocker, Some("existing"))
    );
}

#[test]
fn an_admin_or_break_glass_left_in_scope_is_a_blocker() {
    let snap = ready_tenant();
    let p = edited(plan(&snap, Preset::BlockOutsideTrusted), |p| {
        p.conditions.users.exclude_users.clear()
    });
    let findings = preflight(&snap, &p);
    assert_eq!(
        find(&findings, FindingCode::AdminNotExcluded).severity,
        Severity::Blocker
    );
    let f = find(&findings, FindingCode::BreakGlassNotExcluded);
    assert!(f.message.contains(BREAK_GLASS));
    assert_eq!(
        findings[0].severity,
        Severity::Blocker,
        "blockers come first"
    );
}

#[test]
fn a_break_glass_group_excluded_as_a_group_counts_as_excluded() {
    let mut snap = ready_tenant();
    snap.break_glass = vec!["dddddddd-0000-4000-8000-000000000004".into()];
    let p = edited(plan(&snap, Preset::BlockOutsideTrusted), |p| {
        p.conditions
            .users
            .exclude_users
            .retain(|u| u != "dddddddd-0000-4000-8000-000000000004");
        p.conditions
            .users
            .exclude_groups
            .push("dddddddd-0000-4000-8000-000000000004".into());
    });
    assert!(!codes(&preflight(&snap, &p)).contains(&FindingCode::BreakGlassNotExcluded));
}

#[test]
fn unknown_admin_and_missing_break_glass_are_warnings() {
    let mut snap = ready_tenant();
    snap.admin = None;
    snap.break_glass.clear();
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    assert_eq!(
        find(&findings, FindingCode::AdminUnknown).severity,
        Severity::Warning
    );
    assert_eq!(
        find(&findings, FindingCode::NoBreakGlass).severity,
        Severity::Warning
    );
}

#[test]
fn directory_lookup_catches_unknown_ids_and_wrong_kinds() {
    let snap = ready_tenant();
    let stranger = "eeeeeeee-0000-4000-8000-000000000005";
    let group_as_user = "ffffffff-0000-4000-8000-000000000006";
    let options = PlanOptions {
        exclude_users: vec![stranger.into(), group_as_user.into()],
        ..PlanOptions::default()
    };
    let plan = build_plan(&snap, Preset::BlockOutsideTrusted, &options).unwrap();
    let directory = DirectoryLookup {
        found: vec![
            DirectoryObject {
                id: ADMIN.into(),
                kind: DirectoryObjectKind::User,
                display_name: Some("Ada Admin".into()),
            },
            DirectoryObject {
                id: group_as_user.into(),
                kind: DirectoryObjectKind::Group,
                display_name: Some("Helpdesk".into()),
            },
        ],
    };
    let findings = preflight_with(&PreflightInput {
        snapshot: &snap,
        plan: &plan,
        directory: Some(&directory),
        new_trusted_location: None,
    });
    let unknown: Vec<&PreflightFinding> = findings
        .iter()
        .filter(|f| f.code == FindingCode::UnknownId)
        .collect();
    assert_eq!(unknown.len(), 2, "{findings:#?}");
    let bg = unknown
        .iter()
        .find(|f| f.message.contains(BREAK_GLASS))
        .expect("break-glass id is unknown");
    assert_eq!(
        bg.severity,
        Severity::Blocker,
        "an unknown break-glass id leaves that account unprotected"
    );
    let other = unknown
        .iter()
        .find(|f| f.message.contains(stranger))
        .unwrap();
    assert_eq!(other.severity, Severity::Warning);
    let kind = find(&findings, FindingCode::WrongObjectKind);
    assert!(
        kind.message.contains("Helpdesk") && kind.message.contains("is a group"),
        "{}",
        kind.message
    );
    assert!(!codes(&findings).contains(&FindingCode::IdsNotChecked));
}

#[test]
fn client_apps_other_than_all_are_a_warning() {
    let snap = ready_tenant();
    let p = edited(plan(&snap, Preset::BlockOutsideTrusted), |p| {
        p.conditions.client_app_types = vec![ClientAppType::Browser]
    });
    assert_eq!(
        find(&preflight(&snap, &p), FindingCode::ClientAppsNotAll).severity,
        Severity::Warning
    );
}

#[test]
fn guests_in_scope_of_the_mfa_preset_are_warned_about() {
    let snap = ready_tenant();
    let p = edited(plan(&snap, Preset::RequireMfaOutsideTrusted), |p| {
        p.conditions
            .users
            .exclude_users
            .retain(|u| u != "GuestsOrExternalUsers");
    });
    let f = find(&preflight(&snap, &p), FindingCode::GuestsUnderMfaPreset).clone();
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.message.contains("Temporary Access Pass") && f.message.contains("Google"),
        "{}",
        f.message
    );
    let as_built = preflight(&snap, &plan(&snap, Preset::RequireMfaOutsideTrusted));
    assert!(!codes(&as_built).contains(&FindingCode::GuestsUnderMfaPreset));
}

#[test]
fn the_template_placeholder_is_never_posted() {
    let snap = ready_tenant();
    let p = edited(plan(&snap, Preset::RequireMfaOutsideTrusted), |p| {
        p.conditions
            .users
            .exclude_users
            .push(TEMPLATE_CURRENT_ADMIN_PLACEHOLDER.into());
    });
    let findings = preflight(&snap, &p);
    assert_eq!(
        find(&findings, FindingCode::PlaceholderInBody).severity,
        Severity::Blocker
    );
}

#[test]
fn findings_serialize_for_the_panel() {
    let snap = TenantSnapshot::default();
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    let v = serde_json::to_value(&findings).unwrap();
    assert_eq!(v[0]["severity"], "blocker");
    assert_eq!(v[0]["code"], "noTrustedLocation");
    assert!(v[0]["title"].as_str().is_some_and(|t| !t.is_empty()));
}

// --- real data ---------------------------------------------------------------------------------

fn corpus(relative: &str) -> TenantSnapshot {
    let dir =
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora")).join(relative);
    assert!(
        dir.is_dir(),
        "test corpora missing at {} — these tests need the shared corpora",
        dir.display()
    );
    let mut all = Import::default();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths.iter().filter(|p| p.is_file()) {
        all.merge(
            import_tenant(&std::fs::read(path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        );
    }
    all.into_snapshot()
}

#[test]
fn kennethvs_offers_to_enforce_cau012_instead_of_creating_the_mfa_preset() {
    let mut snap = corpus("kennethvs-cabaseline202510/policies");
    snap.named_locations.push(office());
    let findings = preflight(&snap, &plan(&snap, Preset::RequireMfaOutsideTrusted));
    let f = find(&findings, FindingCode::EquivalentPolicyReportOnly);
    let cau012 = snap
        .policies
        .iter()
        .find(|p| p.display_name.starts_with("CAU012"))
        .unwrap();
    assert_eq!(f.policy_id, cau012.id);
    // CAL002 does the same for browsers and modern clients only: similar, not equivalent.
    let similar = find(&findings, FindingCode::SimilarPolicyExists);
    let cal002 = snap
        .policies
        .iter()
        .find(|p| p.display_name.starts_with("CAL002"))
        .unwrap();
    assert_eq!(similar.policy_id, cal002.id);
    assert!(
        similar.message.contains("client apps"),
        "{}",
        similar.message
    );
}

#[test]
fn scubagear_single_user_block_is_not_an_equivalent_of_the_classic_preset() {
    let mut snap = corpus("cisagov-ScubaGear");
    snap.named_locations.push(office());
    let findings = preflight(&snap, &plan(&snap, Preset::BlockOutsideTrusted));
    assert!(
        !codes(&findings).iter().any(|c| matches!(
            c,
            FindingCode::EquivalentPolicyEnabled
                | FindingCode::EquivalentPolicyReportOnly
                | FindingCode::SimilarPolicyExists
        )),
        "{findings:#?}"
    );
}
