//! Importing every real-world export in the shared corpora, round trips, and hostile input.

use registration_guard::engine::import::{import_tenant, Import, ImportError};
use registration_guard::engine::model::{
    BuiltInControl, ClientAppType, ConditionalAccessPolicy, GuestOrExternalUserType, NamedLocation,
    PolicyState, ALL_TRUSTED, TEMPLATE_CURRENT_ADMIN_PLACEHOLDER,
    TEMPLATE_SECURING_SECURITY_INFO_REGISTRATION, USER_ACTION_REGISTER_SECURITY_INFO,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn corpora() -> PathBuf {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora"));
    assert!(
        root.join("manifest.json").is_file(),
        "the shared corpora are missing: expected {} (tests read real exports from there)",
        root.display()
    );
    root
}

fn manifest_files() -> Vec<String> {
    let root = corpora();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(root.join("manifest.json")).unwrap()).unwrap();
    manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_owned())
        .collect()
}

fn import_file(file: &str) -> Import {
    let bytes = std::fs::read(corpora().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    import_tenant(&bytes).unwrap_or_else(|e| panic!("{file} did not import: {e}"))
}

/// Imports every file under one corpus folder and adds up what they held.
fn import_set(prefix: &str) -> Import {
    let mut all = Import::default();
    let files: Vec<String> = manifest_files()
        .into_iter()
        .filter(|f| f.starts_with(prefix))
        .collect();
    assert!(!files.is_empty(), "no corpus files under {prefix}");
    for file in files {
        all.merge(import_file(&file));
    }
    all
}

fn policy<'a>(import: &'a Import, name_prefix: &str) -> &'a ConditionalAccessPolicy {
    import
        .policies
        .iter()
        .find(|p| p.display_name.starts_with(name_prefix))
        .unwrap_or_else(|| panic!("no policy named {name_prefix}…"))
}

#[test]
fn every_corpus_file_imports_and_holds_something_or_says_why_not() {
    let files = manifest_files();
    assert_eq!(
        files.len(),
        138,
        "manifest size changed: update the expected counts below"
    );
    let mut per_set: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for file in &files {
        let import = import_file(file);
        let held = import.policies.len() + import.named_locations.len() + import.templates.len();
        if held == 0 {
            assert!(
                import
                    .warnings
                    .iter()
                    .any(|w| w.message.contains("migration table")),
                "{file} imported nothing without saying why: {:?}",
                import.warnings
            );
        }
        let set = per_set
            .entry(file.split('/').next().unwrap().to_owned())
            .or_default();
        set.0 += import.policies.len();
        set.1 += import.named_locations.len();
        set.2 += import.templates.len();
    }
    let expected: BTreeMap<String, (usize, usize, usize)> = [
        ("DanielChronlund-DCToolbox", (27, 0, 0)),
        ("DataGuys-ConditionalAccessAnalyzer", (0, 0, 18)),
        ("cisagov-ScubaGear", (20, 0, 0)),
        ("j0eyv-ConditionalAccessBaseline", (36, 3, 0)),
        ("jsa2-caOptics", (57, 3, 0)),
        ("kennethvs-cabaseline202510", (48, 0, 0)),
        ("videor-AutoPilotConditionalAccess", (16, 0, 0)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(per_set, expected);
}

#[test]
fn utf16_intune_management_export_drops_annotations_and_keeps_real_fields() {
    let import = import_set("j0eyv-ConditionalAccessBaseline/");
    let ca003 = policy(&import, "CA003-");
    assert_eq!(ca003.state, PolicyState::Enabled);
    assert_eq!(
        ca003.conditions.applications.include_user_actions,
        vec!["urn:user:registerdevice"]
    );
    assert!(!ca003.targets_user_action(USER_ACTION_REGISTER_SECURITY_INFO));
    let json = serde_json::to_string(ca003).unwrap();
    assert!(!json.contains("@odata"), "annotations leaked: {json}");
    assert!(
        !json.contains("microsoft.graph.restore"),
        "action keys leaked: {json}"
    );
    assert_eq!(
        ca003.extra["createdDateTime"],
        "2024-05-24T09:27:54.9043036Z"
    );
    assert!(
        ca003.extra.contains_key("partialEnablementStrategy"),
        "unknown null fields are kept"
    );

    let compliant = import
        .named_locations
        .iter()
        .find(|l| l.display_name() == "All Compliant Network locations")
        .unwrap();
    assert!(
        matches!(compliant, NamedLocation::Other { odata_type, is_trusted: true, .. }
        if odata_type == "#microsoft.graph.compliantNetworkNamedLocation")
    );
    let countries = import
        .named_locations
        .iter()
        .find(|l| l.display_name() == "ALLOWED COUNTRIES")
        .unwrap();
    assert!(
        matches!(countries, NamedLocation::Country { countries_and_regions, .. } if countries_and_regions == &["BE", "LU", "NL"])
    );
    assert!(import
        .policies
        .iter()
        .all(|p| !p.targets_user_action(USER_ACTION_REGISTER_SECURITY_INFO)));
}

#[test]
fn kennethvs_registration_policies_are_report_only_with_their_real_scope() {
    let import = import_set("kennethvs-cabaseline202510/");
    // 47 report-only and one switched off (CAU011); none enforced.
    let report_only = import
        .policies
        .iter()
        .filter(|p| p.state == PolicyState::EnabledForReportingButNotEnforced)
        .count();
    assert_eq!(report_only, 47);
    assert_eq!(policy(&import, "CAU011").state, PolicyState::Disabled);
    let cal002 = policy(&import, "CAL002");
    assert!(cal002.targets_user_action(USER_ACTION_REGISTER_SECURITY_INFO));
    assert_eq!(
        cal002.conditions.client_app_types,
        vec![
            ClientAppType::Browser,
            ClientAppType::MobileAppsAndDesktopClients
        ]
    );
    let cau012 = policy(&import, "CAU012");
    assert!(cau012.targets_user_action(USER_ACTION_REGISTER_SECURITY_INFO));
    assert_eq!(cau012.conditions.client_app_types, vec![ClientAppType::All]);
    let locations = cau012.conditions.locations.as_ref().unwrap();
    assert_eq!(locations.include_locations, vec!["All"]);
    assert_eq!(locations.exclude_locations, vec![ALL_TRUSTED]);
    assert_eq!(
        cau012.grant_controls.as_ref().unwrap().built_in_controls,
        vec![BuiltInControl::Mfa]
    );
}

#[test]
fn powershell_sdk_shape_is_camel_cased_dated_and_nulled() {
    let import =
        import_file("cisagov-ScubaGear/ProviderSettingsExport.conditional_access_policies.json");
    assert_eq!(import.policies.len(), 20);
    let first = &import.policies[0];
    assert_eq!(
        first.display_name,
        "Live - MFA SHALL be required for all users"
    );
    assert_eq!(
        first.id.as_deref(),
        Some("34afb953-929e-4c6e-aaac-a73cbd4b9535")
    );
    assert_eq!(first.extra["createdDateTime"], "2021-04-13T12:03:47.741Z");
    assert_eq!(first.conditions.users.include_users, vec!["All"]);
    assert!(
        first
            .conditions
            .users
            .include_guests_or_external_users
            .is_none(),
        "all-null object means null"
    );
    assert!(first
        .grant_controls
        .as_ref()
        .unwrap()
        .authentication_strength
        .is_none());
    assert!(first.conditions.locations.is_none());
    assert!(!first.extra.contains_key("additionalProperties"));
    let registration: Vec<_> = import
        .policies
        .iter()
        .filter(|p| p.targets_user_action(USER_ACTION_REGISTER_SECURITY_INFO))
        .collect();
    assert_eq!(registration.len(), 4);
    assert!(registration
        .iter()
        .all(|p| p.state == PolicyState::EnabledForReportingButNotEnforced));
    assert!(registration.iter().any(|p| p.blocks()
        && p.conditions
            .locations
            .as_ref()
            .is_some_and(|l| l.exclude_locations == [ALL_TRUSTED])));
    assert!(
        import
            .warnings
            .iter()
            .any(|w| w.path == "$.cap_table_data" && w.message.contains("20 items")),
        "the report table beside the policies is named as skipped"
    );
}

#[test]
fn microsoft_template_is_read_as_a_template_with_its_placeholder() {
    let import = import_set("DataGuys-ConditionalAccessAnalyzer/");
    let template = import
        .templates
        .iter()
        .find(|t| t.id == TEMPLATE_SECURING_SECURITY_INFO_REGISTRATION)
        .expect("the built-in templates include Securing security info registration");
    assert_eq!(template.name, "Securing security info registration");
    let users = &template.details.conditions.users;
    assert!(users
        .exclude_users
        .iter()
        .any(|u| u == TEMPLATE_CURRENT_ADMIN_PLACEHOLDER));
    assert_eq!(
        template
            .details
            .grant_controls
            .as_ref()
            .unwrap()
            .built_in_controls,
        vec![BuiltInControl::Mfa]
    );

    let docs = import_file(
        "microsoft-graph-docs/template-b8bda7f8-securing-security-info-registration.json",
    );
    assert_eq!(docs.templates.len(), 1);
    assert_eq!(
        docs.templates[0].details.conditions.users.exclude_roles,
        template.details.conditions.users.exclude_roles
    );
}

#[test]
fn caoptics_guest_types_parse_into_sets() {
    let import = import_file("jsa2-caOptics/demodata/multipleGuestTypes.json");
    let guests = import
        .policies
        .iter()
        .find_map(|p| p.conditions.users.include_guests_or_external_users.as_ref())
        .unwrap();
    assert_eq!(guests.guest_or_external_user_types.len(), 6);
    assert!(guests
        .guest_or_external_user_types
        .contains(&GuestOrExternalUserType::ServiceProvider));
    assert_eq!(
        guests
            .external_tenants
            .as_ref()
            .unwrap()
            .membership_kind
            .as_deref(),
        Some("all")
    );
}

#[test]
fn trailing_comma_in_a_published_template_is_forgiven_with_a_warning() {
    let import = import_file(
        "videor-AutoPilotConditionalAccess/top-recommended-templates/template-8-app-enforced-restrictions-on-untrusted-devices.json",
    );
    assert_eq!(import.policies.len(), 1);
    assert!(
        import
            .warnings
            .iter()
            .any(|w| w.message.contains("trailing comma at line 12")),
        "{:?}",
        import.warnings
    );
}

#[test]
fn graph_documentation_examples_import() {
    let policies = import_file("microsoft-graph-docs/post-policies-examples.json");
    assert!(policies.policies.len() >= 2);
    assert!(policies.policies.iter().all(|p| !p.display_name.is_empty()));
    let locations = import_file("microsoft-graph-docs/namedlocations-examples.json");
    assert!(
        matches!(&locations.named_locations[0], NamedLocation::Ip { ip_ranges, is_trusted: false, .. }
        if ip_ranges == &["12.34.221.11/22", "2001:0:9d38:90d6:0:0:0:0/63"])
    );
}

fn reimport(import: &Import) -> Import {
    let body = json!({
        "policies": {"value": import.policies},
        "namedLocations": {"value": import.named_locations},
        "templates": import.templates,
    });
    import_tenant(serde_json::to_string_pretty(&body).unwrap().as_bytes()).unwrap()
}

#[test]
fn every_corpus_set_survives_import_serialize_import_unchanged() {
    for set in [
        "j0eyv-ConditionalAccessBaseline/",
        "kennethvs-cabaseline202510/",
        "cisagov-ScubaGear/",
        "jsa2-caOptics/",
        "DataGuys-ConditionalAccessAnalyzer/",
        "DanielChronlund-DCToolbox/",
        "videor-AutoPilotConditionalAccess/",
        "microsoft-graph-docs/post-policies-examples.json",
        "microsoft-graph-docs/namedlocations-examples.json",
        "microsoft-graph-docs/template-b8bda7f8-securing-security-info-registration.json",
    ] {
        let first = if set.ends_with(".json") {
            import_file(set)
        } else {
            import_set(set)
        };
        let second = reimport(&first);
        assert_eq!(
            second.policies, first.policies,
            "{set}: policies changed in the round trip"
        );
        assert_eq!(
            second.named_locations, first.named_locations,
            "{set}: named locations changed"
        );
        assert_eq!(
            second.templates, first.templates,
            "{set}: templates changed"
        );
    }
}

#[test]
fn unknown_fields_survive_the_round_trip_verbatim() {
    let file = br#"{"displayName": "p", "state": "disabled", "futureSetting": {"nested": [1, "two", null]},
        "conditions": {"users": {"includeUsers": ["All"]}, "clientAppTypes": ["all"], "insiderRiskLevels": "elevated"},
        "grantControls": {"operator": "OR", "builtInControls": ["block"], "newControl": true}}"#;
    let first = import_tenant(file).unwrap();
    let out = serde_json::to_value(&first.policies[0]).unwrap();
    assert_eq!(out["futureSetting"], json!({"nested": [1, "two", null]}));
    assert_eq!(out["conditions"]["insiderRiskLevels"], "elevated");
    assert_eq!(out["grantControls"]["newControl"], true);
    assert_eq!(reimport(&first).policies, first.policies);
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut bytes = Vec::new();
    if bom {
        bytes.extend(if big_endian {
            [0xFE, 0xFF]
        } else {
            [0xFF, 0xFE]
        });
    }
    for unit in text.encode_utf16() {
        bytes.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    bytes
}

const SMALL_POLICY: &str =
    r#"[{"displayName": "Zürich – block", "state": "enabled", "conditions": {}}]"#;

#[test]
fn every_supported_encoding_reads_the_same_policy() {
    let mut with_bom = vec![0xEF, 0xBB, 0xBF];
    with_bom.extend_from_slice(SMALL_POLICY.as_bytes());
    for bytes in [
        SMALL_POLICY.as_bytes().to_vec(),
        with_bom,
        utf16(SMALL_POLICY, false, true),
        utf16(SMALL_POLICY, true, true),
    ] {
        let import = import_tenant(&bytes).unwrap();
        assert_eq!(import.policies[0].display_name, "Zürich – block");
        assert!(import.warnings.is_empty());
    }
}

#[test]
fn utf16_without_bom_is_read_with_a_warning() {
    let import = import_tenant(&utf16(SMALL_POLICY, false, false)).unwrap();
    assert_eq!(import.policies[0].display_name, "Zürich – block");
    assert!(import.warnings[0].message.contains("no byte-order mark"));
}

#[test]
fn utf16_with_odd_byte_count_is_an_encoding_error() {
    let mut bytes = utf16(SMALL_POLICY, false, true);
    bytes.pop();
    let err = import_tenant(&bytes).unwrap_err();
    assert!(
        matches!(&err, ImportError::Encoding { message } if message.contains("odd number of bytes")),
        "{err}"
    );
}

#[test]
fn invalid_utf8_names_the_byte() {
    let err = import_tenant(b"[{\"displayName\": \"\xff\"}]").unwrap_err();
    assert_eq!(
        err,
        ImportError::Encoding {
            message:
                "invalid UTF-8 at byte 18. Save the file as UTF-8 or UTF-16 with a byte-order mark."
                    .into()
        }
    );
}

#[test]
fn truncated_json_reports_line_and_column() {
    let text = "{\n  \"value\": [\n    {\"displayName\": \"a\", \"state\": \"enabled\"";
    match import_tenant(text.as_bytes()).unwrap_err() {
        ImportError::Syntax {
            line,
            column,
            message,
        } => {
            assert_eq!(line, 3);
            assert!(column > 30, "column {column}");
            assert!(message.contains("EOF"), "{message}");
        }
        other => panic!("expected a syntax error, got {other}"),
    }
}

#[test]
fn wrong_field_type_reports_path_and_position() {
    let text = "{\"value\": [\n  {\"displayName\": \"ok\", \"state\": \"enabled\", \"conditions\": {}},\n  {\"displayName\": \"bad\", \"state\": \"enabled\",\n   \"conditions\": {\"users\": {\"includeUsers\": \"All\"}}}\n]}";
    let err = import_tenant(text.as_bytes()).unwrap_err();
    match &err {
        ImportError::Shape {
            path,
            line,
            column,
            message,
        } => {
            assert_eq!(path, "$.value[1].conditions.users.includeUsers");
            assert_eq!((*line, *column), (Some(4), Some(45)));
            assert!(
                message.contains("expected an array, found a string"),
                "{message}"
            );
        }
        other => panic!("expected a shape error, got {other}"),
    }
    assert!(err.to_string().contains("line 4, column 45"), "{err}");
}

#[test]
fn unknown_state_is_a_shape_error_not_a_guess() {
    let err =
        import_tenant(br#"{"displayName": "x", "state": "on", "conditions": {}}"#).unwrap_err();
    assert!(
        matches!(&err, ImportError::Shape { path, message, .. }
        if path == "$.state" && message.contains("enabledForReportingButNotEnforced")),
        "{err}"
    );
}

#[test]
fn json_without_policies_is_refused_with_a_hint() {
    for text in [
        "{}",
        "[]",
        "42",
        "\"policies\"",
        r#"{"users": [{"id": "1"}]}"#,
    ] {
        let err = import_tenant(text.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, ImportError::NothingToImport { message } if message.contains("Get-MgIdentityConditionalAccessPolicy")),
            "{text}: {err}"
        );
    }
}

#[test]
fn empty_and_binary_files_do_not_panic() {
    assert!(matches!(
        import_tenant(b"").unwrap_err(),
        ImportError::Syntax { .. }
    ));
    assert!(matches!(
        import_tenant(&[0xFF, 0xFE]).unwrap_err(),
        ImportError::Syntax { .. }
    ));
    assert!(import_tenant(&[0x00, 0x00, 0xFF, 0x10, 0x80]).is_err());
    assert!(matches!(
        import_tenant(&[0xFF, 0xFE, 0x00, 0xD8]).unwrap_err(),
        ImportError::Encoding { .. }
    ));
}

#[test]
fn markup_and_huge_names_stay_verbatim_data() {
    let name = format!(
        "<script>alert('x')</script> ${{env}} `$(rm -rf /)` \"q\" {}",
        "é".repeat(200_000)
    );
    let body = json!([{"displayName": name, "state": "disabled", "conditions": {}}]);
    let import = import_tenant(body.to_string().as_bytes()).unwrap();
    assert_eq!(import.policies[0].display_name, name);
}

#[test]
fn deeply_nested_input_is_an_error_not_a_crash() {
    let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        import_tenant(text.as_bytes()).unwrap_err(),
        ImportError::Syntax { .. }
    ));
}

#[test]
fn imported_files_merge_into_a_snapshot() {
    let snapshot = import_set("j0eyv-ConditionalAccessBaseline/").into_snapshot();
    assert_eq!(snapshot.policies.len(), 36);
    assert_eq!(snapshot.named_locations.len(), 3);
    assert_eq!(snapshot.trusted_locations().count(), 1);
    assert!(snapshot.licences.is_none() && snapshot.security_defaults_enabled.is_none());
}

#[test]
fn powershell_sdk_named_location_with_additional_properties_is_read() {
    // Get-MgIdentityConditionalAccessNamedLocation | ConvertTo-Json puts the derived
    // type's fields in AdditionalProperties.
    let file = br##"[{"Id": "0854951d-5fc0-4eb1-b392-9b2c9d7949c2", "DisplayName": "Head office",
        "CreatedDateTime": "/Date(1567559494938)/", "ModifiedDateTime": null,
        "AdditionalProperties": {"@odata.type": "#microsoft.graph.ipNamedLocation", "isTrusted": true,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}]}}]"##;
    let import = import_tenant(file).unwrap();
    match &import.named_locations[..] {
        [NamedLocation::Ip {
            id,
            display_name,
            is_trusted: true,
            ip_ranges,
            extra,
        }] => {
            assert_eq!(id.as_deref(), Some("0854951d-5fc0-4eb1-b392-9b2c9d7949c2"));
            assert_eq!(display_name, "Head office");
            assert_eq!(ip_ranges, &["203.0.113.0/24"]);
            assert_eq!(extra["createdDateTime"], "2019-09-04T01:11:34.938Z");
        }
        other => panic!("expected one trusted IP location, got {other:?}"),
    }
}

#[test]
fn graph_collection_pages_with_annotations_are_read() {
    let file = br##"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies",
        "@odata.nextLink": "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies?$skiptoken=x",
        "value": [{"id": "1", "displayName": "A", "state": "enabled", "conditions": {}},
                  {"id": "2", "displayName": "B", "state": "disabled", "conditions": {}}]}"##;
    let import = import_tenant(file).unwrap();
    let names: Vec<_> = import
        .policies
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["A", "B"]);
    assert!(import.warnings.is_empty(), "{:?}", import.warnings);
}
