//! Coverage verdict: is security-info registration protected, enforced, for all members, from
//! untrusted locations — checked on every labelled corpus set and on small hand-built tenants.

use registration_guard::engine::coverage::{
    assess, assess_template, assess_with_draft, Control, Counts, CoverageCode, CoverageReport,
    PolicyCoverage, Reach, Verdict,
};
use registration_guard::engine::import::{import_tenant, Import};
use registration_guard::engine::model::{
    AdminIdentity, ConditionalAccessPolicy, NamedLocation, PolicyState, TenantSnapshot,
};
use registration_guard::engine::presets::{build_plan, PlanOptions, Preset};
use serde_json::{json, Value};
use std::path::PathBuf;

const ADMIN: &str = "aaaaaaaa-0000-0000-0000-000000000001";
const BREAK_GLASS: &str = "bbbbbbbb-0000-0000-0000-000000000002";
const OFFICE: &str = "cccccccc-0000-0000-0000-000000000003";

// --- helpers ----------------------------------------------------------------------------------

fn policy(v: Value) -> ConditionalAccessPolicy {
    serde_json::from_value(v).expect("test policy is valid")
}

fn location(v: Value) -> NamedLocation {
    serde_json::from_value(v).expect("test location is valid")
}

fn office() -> NamedLocation {
    location(
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": OFFICE, "displayName": "Head office",
        "isTrusted": true, "ipRanges": [{"cidrAddress": "203.0.113.0/24"}]}),
    )
}

fn tenant(policies: Vec<ConditionalAccessPolicy>) -> TenantSnapshot {
    TenantSnapshot {
        policies,
        named_locations: vec![office()],
        admin: Some(AdminIdentity {
            id: ADMIN.into(),
            ..AdminIdentity::default()
        }),
        break_glass: vec![BREAK_GLASS.into()],
        ..TenantSnapshot::default()
    }
}

/// A registration policy with the classic shape; `edit` adjusts the JSON before parsing.
fn registration(id: &str, grant: &str, edit: impl FnOnce(&mut Value)) -> ConditionalAccessPolicy {
    let mut v = json!({"id": id, "displayName": format!("Registration {id}"), "state": "enabled",
        "conditions": {"clientAppTypes": ["all"],
            "applications": {"includeUserActions": ["urn:user:registersecurityinfo"]},
            "users": {"includeUsers": ["All"], "excludeUsers": [ADMIN, BREAK_GLASS]},
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}},
        "grantControls": {"operator": "OR", "builtInControls": [grant]}});
    edit(&mut v);
    policy(v)
}

fn codes(findings: &[registration_guard::engine::coverage::Finding]) -> Vec<CoverageCode> {
    findings.iter().map(|f| f.code).collect()
}

fn reasons(report: &CoverageReport) -> &[registration_guard::engine::coverage::Finding] {
    match &report.verdict {
        Verdict::NotProtected { reasons } => reasons,
        other => panic!("expected not protected, got {other:#?}"),
    }
}

fn gaps(report: &CoverageReport) -> Vec<CoverageCode> {
    match &report.verdict {
        Verdict::Partial { gaps, .. } => codes(gaps),
        other => panic!("expected partial, got {other:#?}"),
    }
}

fn protected_by(report: &CoverageReport) -> Vec<(String, Control, Reach)> {
    match &report.verdict {
        Verdict::Protected { by } => by
            .iter()
            .map(|p| (p.policy_name.clone(), p.control.clone(), p.reach))
            .collect(),
        other => panic!("expected protected, got {other:#?}"),
    }
}

fn assessed<'a>(report: &'a CoverageReport, name_prefix: &str) -> &'a PolicyCoverage {
    report
        .policies
        .iter()
        .find(|p| p.policy_name.starts_with(name_prefix))
        .unwrap_or_else(|| {
            panic!(
                "no assessed policy named {name_prefix}…; have {:?}",
                names(report)
            )
        })
}

fn names(report: &CoverageReport) -> Vec<&str> {
    report
        .policies
        .iter()
        .map(|p| p.policy_name.as_str())
        .collect()
}

fn all_codes(p: &PolicyCoverage) -> Vec<CoverageCode> {
    p.shortfalls.iter().chain(&p.gaps).map(|f| f.code).collect()
}

// --- hand-built tenants ------------------------------------------------------------------------

#[test]
fn enforced_classic_block_outside_trusted_locations_protects_registration() {
    let report = assess(&tenant(vec![registration("classic", "block", |_| {})]));
    assert_eq!(
        protected_by(&report),
        [(
            "Registration classic".into(),
            Control::Block,
            Reach::UserAction
        )]
    );
    let Verdict::Protected { by } = &report.verdict else {
        unreachable!()
    };
    assert_eq!(
        codes(&by[0].accepted_exclusions),
        [
            CoverageCode::AdminExcluded,
            CoverageCode::BreakGlassExcluded
        ]
    );
    assert_eq!(report.verdict.label(), "Protected");
}

#[test]
fn mfa_preset_from_the_plan_protects_once_enforced_and_names_its_accepted_exclusions() {
    let snap = tenant(vec![]);
    let plan = build_plan(
        &snap,
        Preset::RequireMfaOutsideTrusted,
        &PlanOptions::default(),
    )
    .unwrap();
    let as_created = assess_with_draft(&snap, &plan.policy, false);
    assert_eq!(codes(reasons(&as_created)), [CoverageCode::ReportOnly]);
    let enforced = assess_with_draft(&snap, &plan.policy, true);
    let by = protected_by(&enforced);
    assert_eq!(by[0].1, Control::Mfa);
    let Verdict::Protected { by } = &enforced.verdict else {
        unreachable!()
    };
    let accepted = codes(&by[0].accepted_exclusions);
    for code in [
        CoverageCode::GuestsExcluded,
        CoverageCode::AdminExcluded,
        CoverageCode::BreakGlassExcluded,
        CoverageCode::RolesExcluded,
    ] {
        assert!(
            accepted.contains(&code),
            "{code:?} missing from {accepted:?}"
        );
    }
    assert!(by[0]
        .accepted_exclusions
        .iter()
        .any(|f| f.message.contains("Global Administrator")));
}

#[test]
fn report_only_policy_is_named_with_its_id_so_the_panel_can_offer_enforce() {
    let report = assess(&tenant(vec![registration("ro", "block", |v| {
        v["state"] = json!("enabledForReportingButNotEnforced")
    })]));
    let r = reasons(&report);
    assert_eq!(codes(r), [CoverageCode::ReportOnly]);
    assert_eq!(r[0].policy_id.as_deref(), Some("ro"));
    assert!(r[0].message.contains("turn it On"), "{}", r[0].message);
}

#[test]
fn disabled_policy_does_not_protect() {
    let report = assess(&tenant(vec![registration("off", "block", |v| {
        v["state"] = json!("disabled")
    })]));
    assert_eq!(codes(reasons(&report)), [CoverageCode::Disabled]);
}

#[test]
fn empty_tenant_has_no_registration_policy() {
    let report = assess(&TenantSnapshot::default());
    assert_eq!(
        codes(reasons(&report)),
        [CoverageCode::NoRegistrationPolicy]
    );
    assert!(report.policies.is_empty());
}

#[test]
fn tenant_wide_block_outside_trusted_locations_protects_through_all_resources() {
    let p = registration("wide", "block", |v| {
        v["conditions"]["applications"] =
            json!({"includeApplications": ["All"], "excludeApplications": ["some-app"]});
    });
    assert_eq!(
        protected_by(&assess(&tenant(vec![p]))),
        [(
            "Registration wide".into(),
            Control::Block,
            Reach::AllResources
        )]
    );
}

#[test]
fn tenant_wide_mfa_does_not_protect_registration_and_says_why() {
    let p = registration("mfa-all", "mfa", |v| {
        v["conditions"]["applications"] = json!({"includeApplications": ["All"]});
        v["conditions"]["locations"] = Value::Null;
    });
    let report = assess(&tenant(vec![p]));
    let r = reasons(&report);
    assert_eq!(
        codes(r),
        [
            CoverageCode::NoRegistrationPolicy,
            CoverageCode::MfaOnAllResources
        ]
    );
    assert!(
        r[1].message.contains("registering one inline"),
        "{}",
        r[1].message
    );
}

#[test]
fn tenant_wide_session_or_terms_policies_are_not_considered() {
    let tou = registration("tou", "mfa", |v| {
        v["conditions"]["applications"] = json!({"includeApplications": ["All"]});
        v["grantControls"] = json!({"operator": "OR", "termsOfUse": ["t"]});
    });
    let session = registration("session", "mfa", |v| {
        v["conditions"]["applications"] = json!({"includeApplications": ["All"]});
        v["grantControls"] = Value::Null;
    });
    let report = assess(&tenant(vec![tou, session]));
    assert!(report.policies.is_empty(), "{:?}", names(&report));
}

#[test]
fn device_registration_action_is_a_different_action() {
    let p = registration("rd", "mfa", |v| {
        v["conditions"]["applications"] =
            json!({"includeUserActions": ["urn:user:registerdevice"]});
    });
    let report = assess(&tenant(vec![p]));
    assert_eq!(
        codes(reasons(&report)),
        [
            CoverageCode::NoRegistrationPolicy,
            CoverageCode::DeviceRegistrationOnly
        ]
    );
}

#[test]
fn trusted_ranges_covering_the_whole_address_space_make_the_policy_useless() {
    let mut snap = tenant(vec![registration("classic", "block", |_| {})]);
    snap.named_locations.push(location(
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "everything",
        "displayName": "Everywhere", "isTrusted": true,
        "ipRanges": [{"cidrAddress": "0.0.0.0/1"}, {"cidrAddress": "128.0.0.0/1"}]}),
    ));
    let report = assess(&snap);
    let r = reasons(&report);
    assert_eq!(codes(r), [CoverageCode::CatchAllTrustedRanges]);
    assert!(r[0].message.contains("100% of IPv4"), "{}", r[0].message);
}

#[test]
fn legacy_mfa_trusted_ips_count_toward_a_catch_all() {
    let mut snap = tenant(vec![registration("classic", "block", |_| {})]);
    snap.mfa_trusted_ips = Some(vec!["0.0.0.0/1".into(), "128.0.0.0/2".into()]);
    assert_eq!(
        codes(reasons(&assess(&snap))),
        [CoverageCode::CatchAllTrustedRanges]
    );
}

#[test]
fn policy_only_at_trusted_locations_does_nothing_for_untrusted_ones() {
    let p = registration("t", "block", |v| {
        v["conditions"]["locations"] = json!({"includeLocations": ["AllTrusted"]})
    });
    assert_eq!(
        codes(reasons(&assess(&tenant(vec![p])))),
        [CoverageCode::TrustedLocationsOnly]
    );
}

#[test]
fn policy_only_at_selected_locations_names_them() {
    let p = registration("s", "block", |v| {
        v["conditions"]["locations"] = json!({"includeLocations": [OFFICE]})
    });
    let report = assess(&tenant(vec![p]));
    let r = reasons(&report);
    assert_eq!(codes(r), [CoverageCode::SelectedLocationsOnly]);
    assert!(r[0].message.contains("Head office"));
}

#[test]
fn policy_without_location_condition_covers_untrusted_locations_too() {
    let p = registration("anywhere", "block", |v| {
        v["conditions"]["locations"] = Value::Null
    });
    assert_eq!(protected_by(&assess(&tenant(vec![p])))[0].1, Control::Block);
}

#[test]
fn exempting_a_country_location_does_not_protect_from_untrusted_locations() {
    let mut snap = tenant(vec![registration("geo", "block", |v| {
        v["conditions"]["locations"] =
            json!({"includeLocations": ["All"], "excludeLocations": ["home"]});
    })]);
    snap.named_locations.push(location(json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "home",
        "displayName": "Home", "countriesAndRegions": ["NL", "BE"], "includeUnknownCountriesAndRegions": false})));
    let report = assess(&snap);
    let r = reasons(&report);
    assert_eq!(codes(r), [CoverageCode::CountriesExempted]);
    assert!(r[0].message.contains("NL, BE"), "{}", r[0].message);
}

#[test]
fn exempting_an_untrusted_ip_location_is_a_gap() {
    let mut snap = tenant(vec![registration("ip", "block", |v| {
        v["conditions"]["locations"] =
            json!({"includeLocations": ["All"], "excludeLocations": ["AllTrusted", "wifi"]});
    })]);
    snap.named_locations.push(location(json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "wifi",
        "displayName": "Guest wifi", "isTrusted": false, "ipRanges": [{"cidrAddress": "198.51.100.0/24"}]})));
    assert_eq!(
        gaps(&assess(&snap)),
        [CoverageCode::UntrustedLocationExempted]
    );
}

#[test]
fn excluded_groups_are_a_gap_unless_they_are_the_break_glass_group() {
    let p = registration("g", "block", |v| {
        v["conditions"]["users"]["excludeGroups"] = json!(["pilot-exclusions"])
    });
    let mut snap = tenant(vec![p]);
    let report = assess(&snap);
    assert_eq!(gaps(&report), [CoverageCode::ExcludedGroups]);
    assert!(report.verdict.label() == "Partly protected");
    snap.break_glass.push("PILOT-EXCLUSIONS".into());
    assert_eq!(protected_by(&assess(&snap)).len(), 1);
}

#[test]
fn a_few_excluded_accounts_are_named_but_many_are_a_gap() {
    let few = registration("few", "block", |v| {
        v["conditions"]["users"]["excludeUsers"] = json!([ADMIN, "u1", "u2"])
    });
    let report = assess(&tenant(vec![few]));
    let Verdict::Protected { by } = &report.verdict else {
        panic!("{:#?}", report.verdict)
    };
    assert!(codes(&by[0].accepted_exclusions).contains(&CoverageCode::AccountsExcluded));
    let many = registration("many", "block", |v| {
        v["conditions"]["users"]["excludeUsers"] = json!(["u1", "u2", "u3", "u4", "u5", "u6"]);
    });
    assert_eq!(
        gaps(&assess(&tenant(vec![many]))),
        [CoverageCode::ManyExcludedAccounts]
    );
}

#[test]
fn client_apps_other_than_all_leave_the_native_app_path_open() {
    let p = registration("c", "block", |v| {
        v["conditions"]["clientAppTypes"] = json!(["browser", "mobileAppsAndDesktopClients"])
    });
    assert_eq!(
        gaps(&assess(&tenant(vec![p]))),
        [CoverageCode::ClientAppsLimited]
    );
    let every = registration("e", "block", |v| {
        v["conditions"]["clientAppTypes"] = json!([
            "exchangeActiveSync",
            "browser",
            "mobileAppsAndDesktopClients",
            "other"
        ]);
    });
    assert_eq!(
        protected_by(&assess(&tenant(vec![every]))).len(),
        1,
        "listing every type equals all"
    );
}

#[test]
fn selected_users_or_guests_only_do_not_protect_all_members() {
    let selected = registration("sel", "block", |v| {
        v["conditions"]["users"] = json!({"includeUsers": ["u1"], "includeGroups": ["g1", "g2"]});
    });
    let report = assess(&tenant(vec![selected]));
    let r = reasons(&report);
    assert_eq!(codes(r), [CoverageCode::SelectedUsersOnly]);
    assert!(
        r[0].message.contains("1 selected user, 2 groups"),
        "{}",
        r[0].message
    );
    let snap = tenant(vec![]);
    let guests = build_plan(
        &snap,
        Preset::BlockGuestsOutsideTrusted,
        &PlanOptions::default(),
    )
    .unwrap();
    let report = assess_with_draft(&snap, &guests.policy, true);
    assert_eq!(codes(reasons(&report)), [CoverageCode::GuestsOnly]);
}

#[test]
fn members_policy_plus_guest_block_is_protected_by_the_members_policy() {
    let snap = tenant(vec![registration("members", "block", |v| {
        v["conditions"]["users"]["excludeUsers"] = json!(["GuestsOrExternalUsers", ADMIN]);
    })]);
    let guests = build_plan(
        &snap,
        Preset::BlockGuestsOutsideTrusted,
        &PlanOptions::default(),
    )
    .unwrap();
    let report = assess_with_draft(&snap, &guests.policy, true);
    assert_eq!(
        protected_by(&report),
        [(
            "Registration members".into(),
            Control::Block,
            Reach::UserAction
        )]
    );
}

#[test]
fn mfa_that_a_device_can_replace_is_a_gap_and_device_controls_alone_do_not_count() {
    let either = registration("either", "mfa", |v| {
        v["grantControls"]["builtInControls"] = json!(["mfa", "compliantDevice"])
    });
    let report = assess(&tenant(vec![either]));
    assert_eq!(gaps(&report), [CoverageCode::WeakerAlternative]);
    let both = registration("both", "mfa", |v| {
        v["grantControls"] =
            json!({"operator": "AND", "builtInControls": ["mfa", "compliantDevice"]});
    });
    assert_eq!(
        protected_by(&assess(&tenant(vec![both])))[0].1,
        Control::Mfa
    );
    let device = registration("device", "compliantDevice", |v| {
        v["grantControls"]["builtInControls"] = json!(["compliantDevice", "domainJoinedDevice"])
    });
    assert_eq!(
        codes(reasons(&assess(&tenant(vec![device])))),
        [CoverageCode::DeviceControlsOnly]
    );
}

#[test]
fn authentication_strength_counts_as_mfa_strength() {
    let p = registration("strength", "mfa", |v| {
        v["grantControls"] = json!({"operator": "OR", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004", "displayName": "Phishing-resistant MFA"}});
    });
    assert_eq!(
        protected_by(&assess(&tenant(vec![p])))[0].1,
        Control::AuthenticationStrength {
            name: "Phishing-resistant MFA".into()
        }
    );
}

#[test]
fn risk_based_policy_covers_only_risky_sign_ins() {
    let p = registration("risk", "block", |v| {
        v["conditions"]["signInRiskLevels"] = json!(["high", "medium"])
    });
    let report = assess(&tenant(vec![p]));
    let r = reasons(&report);
    assert_eq!(codes(r), [CoverageCode::RiskBasedOnly]);
    assert!(r[0].message.contains("high, medium"));
}

#[test]
fn platform_limits_and_device_filters_are_gaps() {
    let p = registration("plat", "block", |v| {
        v["conditions"]["platforms"] = json!({"includePlatforms": ["android", "iOS"]});
        v["conditions"]["devices"] =
            json!({"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}});
    });
    assert_eq!(
        gaps(&assess(&tenant(vec![p]))),
        [CoverageCode::PlatformsLimited, CoverageCode::DeviceFilter]
    );
}

#[test]
fn a_fully_covering_policy_wins_over_partial_ones() {
    let partial = registration("partial", "block", |v| {
        v["conditions"]["clientAppTypes"] = json!(["browser"])
    });
    let full = registration("full", "mfa", |_| {});
    let report = assess(&tenant(vec![partial, full]));
    assert_eq!(
        protected_by(&report),
        [("Registration full".into(), Control::Mfa, Reach::UserAction)]
    );
    assert_eq!(
        assessed(&report, "Registration partial").counts,
        Counts::Partly
    );
}

#[test]
fn verdict_serializes_with_a_tag_for_the_panel() {
    let v = serde_json::to_value(assess(&TenantSnapshot::default())).unwrap();
    assert_eq!(v["verdict"]["verdict"], "notProtected");
    assert_eq!(v["verdict"]["reasons"][0]["code"], "noRegistrationPolicy");
}

// --- the labelled corpus sets ------------------------------------------------------------------

fn corpora() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora"));
    assert!(
        dir.is_dir(),
        "test corpora missing at {} — these tests need the shared corpora",
        dir.display()
    );
    dir
}

fn import_path(relative: &str) -> Import {
    let path = corpora().join(relative);
    let mut all = Import::default();
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for entry in entries {
            let rel = entry
                .strip_prefix(corpora())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            all.merge(import_path(&rel));
        }
    } else {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        all.merge(import_tenant(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    }
    all
}

fn corpus(relative: &str) -> TenantSnapshot {
    import_path(relative).into_snapshot()
}

#[test]
fn kennethvs_baseline_is_not_protected_because_its_registration_policies_are_report_only() {
    let report = assess(&corpus("kennethvs-cabaseline202510"));
    let r = reasons(&report);
    assert!(!codes(r).contains(&CoverageCode::NoRegistrationPolicy));
    let cal002 = assessed(&report, "CAL002-RSI");
    assert_eq!(cal002.reach, Reach::UserAction);
    assert_eq!(cal002.control, Some(Control::Mfa));
    let c = all_codes(cal002);
    assert!(
        c.contains(&CoverageCode::ReportOnly) && c.contains(&CoverageCode::ClientAppsLimited),
        "{c:?}"
    );
    assert!(cal002
        .gaps
        .iter()
        .any(|g| g.message.contains("browser, mobileAppsAndDesktopClients")));
    assert!(codes(&cal002.accepted_exclusions).contains(&CoverageCode::GuestsExcluded));
    let cau012 = assessed(&report, "CAU012-RSI");
    assert_eq!(codes(&cau012.shortfalls), [CoverageCode::ReportOnly]);
    assert_eq!(cau012.control, Some(Control::Mfa));
    assert!(
        !all_codes(cau012).contains(&CoverageCode::ClientAppsLimited),
        "CAU012 covers all client apps"
    );
    // Both reasons reach the verdict with their policy ids.
    assert!(r.iter().any(|f| f.code == CoverageCode::ReportOnly
        && f.policy_name
            .as_deref()
            .is_some_and(|n| n.starts_with("CAL002"))));
    assert!(r.iter().any(|f| f.code == CoverageCode::ReportOnly
        && f.policy_name
            .as_deref()
            .is_some_and(|n| n.starts_with("CAU012"))));
}

#[test]
fn kennethvs_tenant_wide_mfa_cau002_does_not_count_and_every_reason_is_named() {
    let report = assess(&corpus("kennethvs-cabaseline202510"));
    let cau002 = assessed(&report, "CAU002-All");
    assert_eq!(cau002.reach, Reach::AllResources);
    let c = all_codes(cau002);
    for code in [
        CoverageCode::ReportOnly,
        CoverageCode::MfaOnAllResources,
        CoverageCode::ClientAppsLimited,
        CoverageCode::ExcludedGroups,
    ] {
        assert!(c.contains(&code), "{code:?} missing from {c:?}");
    }
    assert!(codes(&cau002.accepted_exclusions).contains(&CoverageCode::RolesExcluded));
    assert_eq!(cau002.counts, Counts::No);
}

#[test]
fn kennethvs_cau012_would_count_as_the_mfa_preset_once_enforced() {
    let mut snap = corpus("kennethvs-cabaseline202510");
    let cau012 = snap
        .policies
        .iter()
        .find(|p| p.display_name.starts_with("CAU012"))
        .unwrap()
        .clone();
    // The baseline's break-glass group, per its migration table (AAD_UA_ConAcc-Breakglass).
    snap.break_glass
        .push("79a5727e-811c-4aa5-aff1-2e1966a0d4be".into());
    let report = assess_with_draft(
        &TenantSnapshot {
            policies: vec![],
            ..snap.clone()
        },
        &cau012,
        true,
    );
    // Its own exclusion group remains a named gap; the break-glass group is accepted.
    assert_eq!(gaps(&report), [CoverageCode::ExcludedGroups]);
    let Verdict::Partial { by, .. } = &report.verdict else {
        unreachable!()
    };
    assert_eq!(
        (by[0].control.clone(), by[0].reach),
        (Control::Mfa, Reach::UserAction)
    );
    assert!(codes(&by[0].accepted_exclusions).contains(&CoverageCode::BreakGlassExcluded));
    snap.break_glass
        .push("103e0a29-2622-42f6-9cb2-721b3eabfc89".into());
    let report = assess_with_draft(
        &TenantSnapshot {
            policies: vec![],
            ..snap
        },
        &cau012,
        true,
    );
    assert_eq!(protected_by(&report)[0].1, Control::Mfa);
}

#[test]
fn scubagear_registration_policies_are_report_only_and_scoped_to_single_users() {
    let report = assess(&corpus("cisagov-ScubaGear"));
    let registration: Vec<&PolicyCoverage> = report
        .policies
        .iter()
        .filter(|p| p.reach == Reach::UserAction)
        .collect();
    assert_eq!(registration.len(), 4, "{:?}", names(&report));
    for p in &registration {
        let c = codes(&p.shortfalls);
        assert!(
            c.contains(&CoverageCode::ReportOnly) && c.contains(&CoverageCode::SelectedUsersOnly),
            "{}: {c:?}",
            p.policy_name
        );
        assert!(
            p.shortfalls
                .iter()
                .any(|f| f.message.contains("1 selected user")),
            "{}",
            p.policy_name
        );
    }
    let classic = assessed(
        &report,
        "Live - MFA registration from Trusted Location only",
    );
    assert_eq!(classic.control, Some(Control::Block));
    assert_eq!(
        codes(&classic.shortfalls),
        [CoverageCode::ReportOnly, CoverageCode::SelectedUsersOnly]
    );
    let device = assessed(&report, "Live - MFA registration from Managed Device");
    assert!(codes(&device.shortfalls).contains(&CoverageCode::DeviceControlsOnly));
    // The enabled tenant-wide MFA policy does not protect registration either.
    let mfa_all = assessed(&report, "Live - MFA SHALL be required for all users");
    assert_eq!(mfa_all.state, Some(PolicyState::Enabled));
    assert!(codes(&mfa_all.shortfalls).contains(&CoverageCode::MfaOnAllResources));
    assert!(matches!(report.verdict, Verdict::NotProtected { .. }));
    // The device-registration policy is named as a different action.
    assert!(report
        .policies
        .iter()
        .any(|p| p.reach == Reach::DeviceRegistration
            && codes(&p.shortfalls).contains(&CoverageCode::DeviceRegistrationOnly)));
}

#[test]
fn j0eyv_baseline_has_no_registration_policy_and_its_lookalikes_do_not_count() {
    let report = assess(&corpus("j0eyv-ConditionalAccessBaseline"));
    let r = reasons(&report);
    assert_eq!(r[0].code, CoverageCode::NoRegistrationPolicy);
    // CA003 is device registration, a different action.
    let ca003 = assessed(&report, "CA003");
    assert_eq!(ca003.reach, Reach::DeviceRegistration);
    assert!(codes(&ca003.shortfalls).contains(&CoverageCode::DeviceRegistrationOnly));
    // CA000: enabled, all users, all client apps — but MFA on all resources, and seven groups excluded.
    let ca000 = assessed(&report, "CA000");
    assert_eq!(ca000.state, Some(PolicyState::Enabled));
    assert_eq!(codes(&ca000.shortfalls), [CoverageCode::MfaOnAllResources]);
    assert_eq!(codes(&ca000.gaps), [CoverageCode::ExcludedGroups]);
    assert!(
        ca000.gaps[0].message.contains("excludes 7 group(s)"),
        "{}",
        ca000.gaps[0].message
    );
    assert!(!all_codes(ca000).contains(&CoverageCode::ClientAppsLimited));
    // CA001 blocks all resources outside allowed countries: geography, not trusted networks.
    let ca001 = assessed(&report, "CA001");
    assert_eq!(ca001.control, Some(Control::Block));
    assert!(codes(&ca001.shortfalls).contains(&CoverageCode::CountriesExempted));
    assert!(ca001
        .shortfalls
        .iter()
        .any(|f| f.message.contains("BE, LU, NL")));
    assert!(
        report.policies.iter().all(|p| p.counts == Counts::No),
        "nothing counts in this baseline"
    );
}

#[test]
fn microsoft_template_is_not_a_policy_and_carries_the_admin_placeholder() {
    let import = import_path("DataGuys-ConditionalAccessAnalyzer/ms-builtin-templates");
    let template = import
        .templates
        .iter()
        .find(|t| t.id == "b8bda7f8-6584-4446-bce9-d871480e53fa")
        .expect("the registration template is in the set");
    let report = assess_template(template, &TenantSnapshot::default());
    let r = reasons(&report);
    assert_eq!(
        codes(r),
        [
            CoverageCode::TemplateNotCreated,
            CoverageCode::PlaceholderExclusion
        ]
    );
    assert_eq!(
        r[0].policy_id.as_deref(),
        Some("b8bda7f8-6584-4446-bce9-d871480e53fa")
    );
    let p = &report.policies[0];
    assert_eq!(
        (p.control.clone(), p.reach, p.state),
        (Some(Control::Mfa), Reach::UserAction, None)
    );
    let accepted = codes(&p.accepted_exclusions);
    assert!(
        accepted.contains(&CoverageCode::GuestsExcluded)
            && accepted.contains(&CoverageCode::RolesExcluded),
        "{accepted:?}"
    );
}

#[test]
fn other_corpus_sets_assess_without_claiming_protection() {
    for set in [
        "jsa2-caOptics/demodata",
        "videor-AutoPilotConditionalAccess",
    ] {
        let report = assess(&corpus(set));
        assert!(
            !matches!(report.verdict, Verdict::Protected { .. }),
            "{set}: {:#?}",
            report.verdict
        );
        for p in &report.policies {
            assert_eq!(
                p.counts == Counts::No,
                !p.shortfalls.is_empty(),
                "{set}: {}",
                p.policy_name
            );
        }
    }
}

#[test]
fn legacy_client_block_does_not_cover_registration() {
    let p = registration("legacy", "block", |v| {
        v["conditions"]["applications"] = json!({"includeApplications": ["All"]});
        v["conditions"]["clientAppTypes"] = json!(["exchangeActiveSync", "other"]);
    });
    let report = assess(&tenant(vec![p]));
    assert_eq!(
        codes(reasons(&report)),
        [
            CoverageCode::NoRegistrationPolicy,
            CoverageCode::LegacyClientsOnly
        ]
    );
}

#[test]
fn exempting_a_location_missing_from_the_snapshot_is_not_claimed_as_protection() {
    let p = registration("unknown", "block", |v| {
        v["conditions"]["locations"] =
            json!({"includeLocations": ["All"], "excludeLocations": ["deleted-or-unread"]});
    });
    let report = assess(&tenant(vec![p]));
    let r = reasons(&report);
    assert_eq!(codes(r), [CoverageCode::UnknownLocationExempted]);
    assert!(r[0].message.contains("deleted-or-unread"));
}

#[test]
fn excluding_only_some_guest_kinds_names_those_kinds() {
    let p = registration("kinds", "block", |v| {
        v["conditions"]["users"]["excludeGuestsOrExternalUsers"] = json!({"guestOrExternalUserTypes": "serviceProvider", "externalTenants": {"membershipKind": "all"}});
    });
    let report = assess(&tenant(vec![p]));
    let Verdict::Protected { by } = &report.verdict else {
        panic!("{:#?}", report.verdict)
    };
    let guests = by[0]
        .accepted_exclusions
        .iter()
        .find(|f| f.code == CoverageCode::GuestsExcluded)
        .unwrap();
    assert!(
        guests
            .message
            .contains("kinds of guests and external users: serviceProvider"),
        "{}",
        guests.message
    );
}
