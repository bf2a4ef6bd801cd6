//! The simulated tenant's Microsoft Graph: reads, writes, validation, permissions, paging,
//! `$batch`, scripted faults, error shapes.

use registration_guard::engine::model::{
    Licences, PolicyState, USER_ACTION_REGISTER_SECURITY_INFO,
};
use registration_guard::sim::scenarios::*;
use registration_guard::sim::{Fault, FaultRule, SimRequest, SimResponse, SimTenant, Transport};
use serde_json::{json, Value};

/// 2024-05-01T12:00:00Z.
const NOW: u64 = 1_714_564_800_000;
const READ: &[&str] = &["Policy.Read.All", "User.Read"];
const WRITE: &[&str] = &[
    "Policy.Read.All",
    "Policy.ReadWrite.ConditionalAccess",
    "User.Read",
];

fn admin_token(t: &mut SimTenant, scopes: &[&str]) -> String {
    t.issue_access_token(ADMIN_ID, REGISTRATION_GUARD_CLIENT_ID, scopes, NOW)
}

fn get(t: &mut SimTenant, token: &str, path: &str) -> SimResponse {
    t.handle_graph(&SimRequest::new("GET", path).bearer(token), NOW + 1_000)
}

fn send(t: &mut SimTenant, token: &str, method: &str, path: &str, body: &Value) -> SimResponse {
    t.handle_graph(
        &SimRequest::new(method, path)
            .bearer(token)
            .json(&body.to_string()),
        NOW + 2_000,
    )
}

/// The classic registration policy, report-only, excluding the admin and break-glass.
fn registration_body(state: &str) -> Value {
    json!({
        "displayName": "Block security info registration outside trusted locations",
        "state": state,
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": [], "excludeApplications": [], "includeUserActions": [USER_ACTION_REGISTER_SECURITY_INFO]},
            "users": {"includeUsers": ["All"], "excludeUsers": [ADMIN_ID, BREAK_GLASS_ID, BREAK_GLASS_2_ID],
                      "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    })
}

const POLICIES: &str = "/v1.0/identity/conditionalAccess/policies";
const LOCATIONS: &str = "/v1.0/identity/conditionalAccess/namedLocations";

/// Asserts Graph's error shape and returns (code, message).
fn graph_error(res: &SimResponse, status: u16) -> (String, String) {
    assert_eq!(res.status, status, "unexpected status; body: {}", res.body);
    let body = res.json();
    let error = &body["error"];
    let inner = &error["innerError"];
    assert!(
        inner["date"].as_str().is_some_and(|d| d.len() == 19),
        "innerError.date: {body}"
    );
    assert!(
        inner["request-id"].as_str().is_some(),
        "innerError.request-id: {body}"
    );
    assert!(
        inner["client-request-id"].as_str().is_some(),
        "innerError.client-request-id: {body}"
    );
    (
        error["code"].as_str().unwrap().to_owned(),
        error["message"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn lists_contoso_policies_with_odata_context() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, READ);
    let res = get(&mut t, &token, POLICIES);
    assert_eq!(res.status, 200);
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let body = res.json();
    assert_eq!(
        body["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies"
    );
    let names: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Block legacy authentication",
            "Require multifactor authentication for admins",
            "Block access from embargoed countries"
        ]
    );
    assert!(body.get("@odata.nextLink").is_none());
}

#[test]
fn beta_serves_the_same_policies() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, READ);
    let res = get(&mut t, &token, "/beta/identity/conditionalAccess/policies");
    assert_eq!(res.status, 200);
    assert_eq!(
        res.json()["@odata.context"],
        "https://graph.microsoft.com/beta/$metadata#identity/conditionalAccess/policies"
    );
    assert_eq!(res.json()["value"].as_array().unwrap().len(), 3);
}

#[test]
fn missing_token_is_refused_with_401_and_www_authenticate() {
    let mut t = SimTenant::contoso_demo();
    let res = t.handle_graph(&SimRequest::new("GET", POLICIES), NOW);
    let (code, message) = graph_error(&res, 401);
    assert_eq!(code, "InvalidAuthenticationToken");
    assert_eq!(message, "Access token is empty.");
    assert!(res
        .header("WWW-Authenticate")
        .unwrap()
        .contains("login.microsoftonline.com"));
}

#[test]
fn malformed_unknown_and_expired_tokens_are_refused_with_their_messages() {
    let mut t = SimTenant::contoso_demo();
    let (_, m) = graph_error(&get(&mut t, "not-a-jwt", POLICIES), 401);
    assert!(m.starts_with("IDX14100: JWT is not well formed"));
    let (_, m) = graph_error(&get(&mut t, "eyJ0eXAiOiJKV1QifQ.eyJ9.c2ln", POLICIES), 401);
    assert_eq!(m, "Access token validation failure.");
    let token = admin_token(&mut t, READ);
    let later = NOW + 3_600 * 1000;
    let res = t.handle_graph(&SimRequest::new("GET", POLICIES).bearer(&token), later);
    let (code, m) = graph_error(&res, 401);
    assert_eq!(code, "InvalidAuthenticationToken");
    assert_eq!(m, "Lifetime validation failed, the token is expired.");
}

#[test]
fn token_from_another_cloud_is_an_invalid_audience() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, READ);
    let req = SimRequest::from_url(
        "GET",
        "https://graph.microsoft.us/v1.0/identity/conditionalAccess/policies",
    )
    .unwrap()
    .bearer(&token);
    let (_, m) = graph_error(&t.handle_graph(&req, NOW), 401);
    assert_eq!(m, "Access token validation failure. Invalid audience.");
}

#[test]
fn missing_scope_is_refused_in_each_services_words() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, &["User.Read"]);
    let (code, m) = graph_error(&get(&mut t, &token, POLICIES), 403);
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        m,
        "You cannot perform the requested operation, required scopes are missing in the token."
    );
    let (code, m) = graph_error(&get(&mut t, &token, "/v1.0/subscribedSkus"), 403);
    assert_eq!(code, "Authorization_RequestDenied");
    assert_eq!(m, "Insufficient privileges to complete the operation.");
    let read_only = admin_token(&mut t, READ);
    let (code, _) = graph_error(
        &send(
            &mut t,
            &read_only,
            "POST",
            POLICIES,
            &registration_body("disabled"),
        ),
        403,
    );
    assert_eq!(code, "AccessDenied");
}

#[test]
fn admin_without_a_conditional_access_role_is_refused_reads_and_writes() {
    let mut t = SimTenant::contoso_demo().with_admin_lacking_role();
    let token = t.issue_access_token_for_admin(WRITE, NOW);
    let (code, m) = graph_error(&get(&mut t, &token, POLICIES), 403);
    assert_eq!(code, "AccessDenied");
    assert!(
        m.contains(
            "One of the following roles is required: Security Reader, Company Administrator"
        ),
        "{m}"
    );
    let (_, m) = graph_error(
        &send(
            &mut t,
            &token,
            "POST",
            POLICIES,
            &registration_body("disabled"),
        ),
        403,
    );
    assert!(
        m.contains(
            "Company Administrator, Security Administrator, Conditional Access Administrator"
        ),
        "{m}"
    );
    assert_eq!(t.policies.len(), 3);
}

#[test]
fn security_administrator_may_write_policies() {
    let mut t = SimTenant::contoso_demo();
    let miriam = t
        .user("MiriamG@contoso.onmicrosoft.com")
        .unwrap()
        .id
        .clone();
    let token = t.issue_access_token(&miriam, REGISTRATION_GUARD_CLIENT_ID, WRITE, NOW);
    let res = send(
        &mut t,
        &token,
        "POST",
        POLICIES,
        &registration_body("enabledForReportingButNotEnforced"),
    );
    assert_eq!(res.status, 201, "{}", res.body);
}

#[test]
fn creating_a_policy_returns_201_with_id_timestamps_and_location() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    let res = send(
        &mut t,
        &token,
        "POST",
        POLICIES,
        &registration_body("enabledForReportingButNotEnforced"),
    );
    assert_eq!(res.status, 201, "{}", res.body);
    let body = res.json();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4", "a version-4 shaped GUID");
    assert_eq!(body["createdDateTime"], "2024-05-01T12:00:02Z");
    assert_eq!(body["modifiedDateTime"], Value::Null);
    assert_eq!(body["state"], "enabledForReportingButNotEnforced");
    assert_eq!(
        body["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies/$entity"
    );
    assert_eq!(
        res.header("Location").unwrap(),
        format!("https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies/{id}")
    );
    let again = get(&mut t, &token, &format!("{POLICIES}/{id}"));
    assert_eq!(again.status, 200);
    assert_eq!(
        again.json()["displayName"],
        "Block security info registration outside trusted locations"
    );
    let snapshot = t.snapshot();
    let created = snapshot.policy(&id).unwrap();
    assert!(created.targets_user_action(USER_ACTION_REGISTER_SECURITY_INFO));
    assert!(created.blocks());
}

#[test]
fn identical_runs_produce_identical_ids_and_bodies() {
    let run = || {
        let mut t = SimTenant::contoso_demo();
        let token = admin_token(&mut t, WRITE);
        send(
            &mut t,
            &token,
            "POST",
            POLICIES,
            &registration_body("disabled"),
        )
        .body
    };
    assert_eq!(run(), run());
}

#[test]
fn security_defaults_block_enabled_and_report_only_policies_but_not_off_ones() {
    let mut t = SimTenant::contoso_demo().with_security_defaults();
    let token = admin_token(&mut t, WRITE);
    for state in ["enabled", "enabledForReportingButNotEnforced"] {
        let (code, m) = graph_error(
            &send(&mut t, &token, "POST", POLICIES, &registration_body(state)),
            400,
        );
        assert_eq!(code, "BadRequest");
        assert_eq!(m, "Security Defaults is enabled in the tenant. You must disable Security defaults before enabling a Conditional Access policy.");
    }
    let res = send(
        &mut t,
        &token,
        "POST",
        POLICIES,
        &registration_body("disabled"),
    );
    assert_eq!(res.status, 201);
    let id = res.json()["id"].as_str().unwrap().to_owned();
    let (_, m) = graph_error(
        &send(
            &mut t,
            &token,
            "PATCH",
            &format!("{POLICIES}/{id}"),
            &json!({"state": "enabled"}),
        ),
        400,
    );
    assert!(m.starts_with("Security Defaults is enabled"));
}

#[test]
fn turning_security_defaults_off_lets_the_policy_be_enabled() {
    let mut t = SimTenant::contoso_demo().with_security_defaults();
    let token = t.issue_access_token_for_admin(
        &[
            "Policy.Read.All",
            "Policy.ReadWrite.ConditionalAccess",
            "Policy.ReadWrite.SecurityDefaults",
        ],
        NOW,
    );
    let res = get(
        &mut t,
        &token,
        "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
    );
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["isEnabled"], true);
    assert_eq!(res.json()["id"], "00000000-0000-0000-0000-000000000005");
    let res = send(
        &mut t,
        &token,
        "PATCH",
        "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
        &json!({"isEnabled": false}),
    );
    assert_eq!(res.status, 204);
    assert_eq!(
        send(
            &mut t,
            &token,
            "POST",
            POLICIES,
            &registration_body("enabled")
        )
        .status,
        201
    );
    let (_, m) = graph_error(
        &send(
            &mut t,
            &token,
            "PATCH",
            "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
            &json!({"isEnabled": true}),
        ),
        400,
    );
    assert!(
        m.contains("Turn them off before enabling Security defaults"),
        "{m}"
    );
}

#[test]
fn tenant_without_p1_cannot_create_policies_and_licences_say_so() {
    let mut t = SimTenant::contoso_demo().without_premium_licence();
    let token = t.issue_access_token_for_admin(
        &[
            "Policy.ReadWrite.ConditionalAccess",
            "LicenseAssignment.Read.All",
        ],
        NOW,
    );
    let (code, m) = graph_error(
        &send(
            &mut t,
            &token,
            "POST",
            POLICIES,
            &registration_body("disabled"),
        ),
        400,
    );
    assert_eq!(code, "BadRequest");
    assert!(
        m.contains("without a Microsoft Entra ID P1 or P2 license"),
        "{m}"
    );
    let skus = get(&mut t, &token, "/v1.0/subscribedSkus").json();
    assert_eq!(
        Licences::from_subscribed_skus(&skus),
        Licences {
            p1: false,
            p2: false
        }
    );
    let mut contoso = SimTenant::contoso_demo();
    let token = contoso.issue_access_token_for_admin(&["LicenseAssignment.Read.All"], NOW);
    let skus = get(&mut contoso, &token, "/v1.0/subscribedSkus").json();
    assert_eq!(
        Licences::from_subscribed_skus(&skus),
        Licences {
            p1: true,
            p2: false
        }
    );
    assert_eq!(skus["value"][0]["skuPartNumber"], "SPB");
}

#[test]
fn risk_conditions_without_p2_get_error_1039() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    let mut body = registration_body("disabled");
    body["conditions"]["signInRiskLevels"] = json!(["high"]);
    let (_, m) = graph_error(&send(&mut t, &token, "POST", POLICIES, &body), 400);
    assert_eq!(m, "1039: Cannot create or update policies with premium P2 features. Upgrade to a premium P2 license and try again.");
}

#[test]
fn invalid_policy_bodies_are_refused_with_what_is_wrong() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut b = registration_body("on");
                b["state"] = json!("on");
                b
            },
            "Requested value 'on' was not found.",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b.as_object_mut().unwrap().remove("displayName");
                b
            },
            "displayName",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b["displayName"] = json!("  ");
                b
            },
            "displayName",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b.as_object_mut().unwrap().remove("state");
                b
            },
            "needs a state",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b["conditions"]["applications"]["includeApplications"] = json!(["All"]);
                b
            },
            "includeApplications must be empty",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b["conditions"]["users"]["excludeUsers"] =
                    json!(["Current administrator will be excluded"]);
                b
            },
            "template placeholder",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b["conditions"]["users"]["excludeUsers"] = json!(["patti@contoso.com"]);
                b
            },
            "not a user object id",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b["conditions"]["locations"]["excludeLocations"] =
                    json!(["0f0f0f0f-0000-4000-8000-000000000000"]);
                b
            },
            "does not exist in this tenant",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b["grantControls"]["builtInControls"] = json!(["block", "mfa"]);
                b
            },
            "cannot be combined",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b["grantControls"]["builtInControls"] = json!(["requireMagic"]);
                b
            },
            "Requested value 'requireMagic' was not found.",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b["conditions"]["clientAppTypes"] = json!(["fax"]);
                b
            },
            "Requested value 'fax' was not found.",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b["conditions"]["applications"]["includeUserActions"] = json!(["urn:user:dance"]);
                b
            },
            "is not a user action",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b["conditions"]["users"]["includeUsers"] = json!([]);
                b
            },
            "must include someone",
        ),
        (
            {
                let mut b = registration_body("disabled");
                b["conditions"]["users"]["includeUsers"] = json!(7);
                b
            },
            "expected an array",
        ),
    ];
    for (body, expected) in cases {
        let (code, m) = graph_error(&send(&mut t, &token, "POST", POLICIES, &body), 400);
        assert_eq!(code, "BadRequest");
        assert!(m.contains(expected), "expected {expected:?} in {m:?}");
    }
    assert_eq!(t.policies.len(), 3, "nothing invalid was stored");
}

#[test]
fn unknown_properties_are_refused_at_any_depth_but_annotations_pass() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    let mut body = registration_body("disabled");
    body["isEnabled"] = json!(true);
    let (_, m) = graph_error(&send(&mut t, &token, "POST", POLICIES, &body), 400);
    assert_eq!(m, "The property 'isEnabled' does not exist on type 'microsoft.graph.conditionalAccessPolicy'. Make sure to only use property names that are defined by the type or mark the type as open type.");
    let mut body = registration_body("disabled");
    body["conditions"]["users"]["excludeUser"] = json!([]);
    let (_, m) = graph_error(&send(&mut t, &token, "POST", POLICIES, &body), 400);
    assert!(
        m.contains("'excludeUser' does not exist on type 'microsoft.graph.conditionalAccessUsers'"),
        "{m}"
    );
    let mut body = registration_body("disabled");
    body["@odata.type"] = json!("#microsoft.graph.conditionalAccessPolicy");
    assert_eq!(send(&mut t, &token, "POST", POLICIES, &body).status, 201);
}

#[test]
fn unreadable_or_untyped_bodies_get_graphs_payload_error() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    let res = t.handle_graph(
        &SimRequest::new("POST", POLICIES)
            .bearer(&token)
            .json("{\"displayName\": "),
        NOW,
    );
    let (_, m) = graph_error(&res, 400);
    assert_eq!(m, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
    let mut req = SimRequest::new("POST", POLICIES).bearer(&token);
    req.body = Some(registration_body("disabled").to_string());
    graph_error(&t.handle_graph(&req, NOW), 400);
    let utf16ish = SimRequest::new("POST", POLICIES)
        .bearer(&token)
        .json("\u{feff}\0{\0}");
    graph_error(&t.handle_graph(&utf16ish, NOW), 400);
}

#[test]
fn patch_changes_state_and_stamps_modified_time_then_delete_removes() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    let id = send(
        &mut t,
        &token,
        "POST",
        POLICIES,
        &registration_body("enabledForReportingButNotEnforced"),
    )
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("{POLICIES}/{id}");
    let res = t.handle_graph(
        &SimRequest::new("PATCH", &path)
            .bearer(&token)
            .json("{\"state\":\"enabled\"}"),
        NOW + 60_000,
    );
    assert_eq!(res.status, 204);
    assert!(res.body.is_empty());
    let now = get(&mut t, &token, &path).json();
    assert_eq!(now["state"], "enabled");
    assert_eq!(now["modifiedDateTime"], "2024-05-01T12:01:00Z");
    assert_eq!(now["createdDateTime"], "2024-05-01T12:00:02Z");
    assert_eq!(
        now["conditions"]["applications"]["includeUserActions"][0],
        USER_ACTION_REGISTER_SECURITY_INFO
    );
    assert_eq!(
        t.snapshot().policy(&id).unwrap().state,
        PolicyState::Enabled
    );
    let (_, m) = graph_error(
        &send(&mut t, &token, "PATCH", &path, &json!({"state": "paused"})),
        400,
    );
    assert_eq!(m, "Requested value 'paused' was not found.");
    assert_eq!(
        t.handle_graph(&SimRequest::new("DELETE", &path).bearer(&token), NOW)
            .status,
        204
    );
    let (code, _) = graph_error(&get(&mut t, &token, &path), 404);
    assert_eq!(code, "ResourceNotFound");
    graph_error(
        &t.handle_graph(&SimRequest::new("DELETE", &path).bearer(&token), NOW),
        404,
    );
}

#[test]
fn paging_follows_top_and_skiptoken_to_the_end() {
    let mut t = SimTenant::contoso_demo()
        .with_registration_policy(PolicyState::EnabledForReportingButNotEnforced);
    let token = admin_token(&mut t, READ);
    let first = get(&mut t, &token, &format!("{POLICIES}?$top=3")).json();
    assert_eq!(first["value"].as_array().unwrap().len(), 3);
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with("https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies?$top=3&$skiptoken="), "{next}");
    let req = SimRequest::from_url("GET", next).unwrap().bearer(&token);
    let second = t.handle_graph(&req, NOW).json();
    assert_eq!(second["value"].as_array().unwrap().len(), 1);
    assert_eq!(
        second["value"][0]["displayName"],
        "Block security info registration outside trusted locations"
    );
    assert!(second.get("@odata.nextLink").is_none());

    for bad in ["$top=0", "$top=1000", "$top=two"] {
        let (code, m) = graph_error(&get(&mut t, &token, &format!("{POLICIES}?{bad}")), 400);
        assert_eq!(code, "Request_BadRequest");
        assert!(m.starts_with("Invalid page size specified"), "{m}");
    }
    graph_error(
        &get(&mut t, &token, &format!("{POLICIES}?$skiptoken=forged")),
        400,
    );
}

#[test]
fn tenant_page_size_pages_without_top() {
    let mut t = SimTenant::contoso_demo();
    t.page_size = Some(2);
    let token = admin_token(&mut t, READ);
    let first = get(&mut t, &token, LOCATIONS).json();
    assert_eq!(first["value"].as_array().unwrap().len(), 2);
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(!next.contains("$top"), "{next}");
    let second = t
        .handle_graph(
            &SimRequest::from_url("GET", next).unwrap().bearer(&token),
            NOW,
        )
        .json();
    assert_eq!(second["value"].as_array().unwrap().len(), 2);
    assert!(second.get("@odata.nextLink").is_none());
}

#[test]
fn select_keeps_only_the_named_properties_and_id() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, READ);
    let body = get(
        &mut t,
        &token,
        &format!("{POLICIES}?$select=displayName,state"),
    )
    .json();
    let first = body["value"][0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "displayName", "state"]);
}

fn ip_location(name: &str, ranges: &[&str], trusted: bool) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "displayName": name,
        "isTrusted": trusted,
        "ipRanges": ranges.iter().map(|r| json!({
            "@odata.type": if r.contains(':') { "#microsoft.graph.iPv6CidrRange" } else { "#microsoft.graph.iPv4CidrRange" },
            "cidrAddress": r
        })).collect::<Vec<_>>()
    })
}

#[test]
fn named_locations_are_created_and_usable_by_policies() {
    let mut t = SimTenant::contoso_demo().without_trusted_locations();
    let token = admin_token(&mut t, WRITE);
    assert_eq!(t.snapshot().trusted_locations().count(), 0);
    let res = send(
        &mut t,
        &token,
        "POST",
        LOCATIONS,
        &ip_location("Branch office", &["192.0.2.0/24", "2001:db8:20::/48"], true),
    );
    assert_eq!(res.status, 201, "{}", res.body);
    let body = res.json();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        body["ipRanges"][1]["@odata.type"],
        "#microsoft.graph.iPv6CidrRange"
    );
    assert_eq!(body["createdDateTime"], body["modifiedDateTime"]);
    assert_eq!(t.snapshot().trusted_locations().count(), 1);
    let mut policy = registration_body("disabled");
    policy["conditions"]["locations"]["excludeLocations"] = json!([id]);
    assert_eq!(send(&mut t, &token, "POST", POLICIES, &policy).status, 201);
    let (_, m) = graph_error(
        &t.handle_graph(
            &SimRequest::new("DELETE", &format!("{LOCATIONS}/{id}")).bearer(&token),
            NOW,
        ),
        400,
    );
    assert!(
        m.contains("Block security info registration outside trusted locations"),
        "{m}"
    );
}

#[test]
fn named_location_limits_and_shapes_are_enforced() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    let wide = send(
        &mut t,
        &token,
        "POST",
        LOCATIONS,
        &ip_location("Everything", &["10.0.0.0/8"], true),
    );
    assert!(graph_error(&wide, 400)
        .1
        .contains("prefixes must be longer than /8"));
    let wide6 = send(
        &mut t,
        &token,
        "POST",
        LOCATIONS,
        &ip_location("Everything v6", &["2000::/3"], true),
    );
    assert!(graph_error(&wide6, 400).1.contains("too wide"));
    let many: Vec<String> = (0..2001)
        .map(|i| format!("198.18.{}.{}/32", i / 256, i % 256))
        .collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let res = send(
        &mut t,
        &token,
        "POST",
        LOCATIONS,
        &ip_location("Too many", &many, false),
    );
    assert!(graph_error(&res, 400).1.contains("at most 2000 ranges"));
    let res = send(
        &mut t,
        &token,
        "POST",
        LOCATIONS,
        &ip_location("Bad", &["203.0.113.300/24"], false),
    );
    assert!(graph_error(&res, 400)
        .1
        .contains("not an IPv4 or IPv6 address"));
    let mut mislabelled = ip_location("Mislabelled", &["2001:db8::/48"], false);
    mislabelled["ipRanges"][0]["@odata.type"] = json!("#microsoft.graph.iPv4CidrRange");
    assert!(
        graph_error(&send(&mut t, &token, "POST", LOCATIONS, &mislabelled), 400)
            .1
            .contains("iPv6CidrRange")
    );
    let country = json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "Home", "countriesAndRegions": ["FR"], "isTrusted": true});
    assert!(
        graph_error(&send(&mut t, &token, "POST", LOCATIONS, &country), 400)
            .1
            .contains("'isTrusted' does not exist")
    );
    let country = json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "Home", "countriesAndRegions": ["France"]});
    assert!(
        graph_error(&send(&mut t, &token, "POST", LOCATIONS, &country), 400)
            .1
            .contains("two-letter")
    );
    let untyped = json!({"displayName": "What am I", "ipRanges": []});
    assert!(
        graph_error(&send(&mut t, &token, "POST", LOCATIONS, &untyped), 400)
            .1
            .contains("@odata.type must be")
    );

    for i in t.named_locations.len()..195 {
        let res = send(
            &mut t,
            &token,
            "POST",
            LOCATIONS,
            &ip_location(&format!("Site {i}"), &["192.0.2.0/24"], false),
        );
        assert_eq!(res.status, 201, "location {i}: {}", res.body);
    }
    let res = send(
        &mut t,
        &token,
        "POST",
        LOCATIONS,
        &ip_location("One too many", &["192.0.2.0/24"], false),
    );
    assert!(graph_error(&res, 400)
        .1
        .contains("the most Conditional Access allows (195)"));
}

#[test]
fn me_and_memberships_show_directory_roles_with_template_ids() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, &["User.Read"]);
    let me = get(&mut t, &token, "/v1.0/me").json();
    assert_eq!(me["id"], ADMIN_ID);
    assert_eq!(me["userPrincipalName"], "PattiF@contoso.onmicrosoft.com");
    assert_eq!(
        me["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
    );
    assert!(
        me.get("userType").is_none(),
        "userType is not a default property"
    );
    for path in ["/v1.0/me/memberOf", "/v1.0/me/transitiveMemberOf"] {
        let body = get(&mut t, &token, path).json();
        let roles: Vec<&Value> = body["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["@odata.type"] == "#microsoft.graph.directoryRole")
            .collect();
        assert_eq!(roles.len(), 1);
        assert_eq!(
            roles[0]["roleTemplateId"],
            registration_guard::engine::model::ROLE_GLOBAL_ADMINISTRATOR
        );
        assert_eq!(roles[0]["displayName"], "Global Administrator");
        assert!(body["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["displayName"] == "IT Helpdesk"));
    }
    let selected = get(&mut t, &token, "/v1.0/me?$select=id,userType").json();
    assert_eq!(selected["userType"], "Member");
    let (_, m) = graph_error(&get(&mut t, &token, "/v1.0/me?$select=shoeSize"), 400);
    assert_eq!(
        m,
        "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'."
    );
}

#[test]
fn user_search_needs_eventual_consistency_and_matches_word_starts() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, &["User.ReadBasic.All"]);
    let path = "/v1.0/users?$search=%22displayName:emergency%22&$select=id,displayName";
    let (code, m) = graph_error(&get(&mut t, &token, path), 400);
    assert_eq!(code, "Request_UnsupportedQuery");
    assert!(m.contains("'ConsistencyLevel: eventual'"));
    let req = SimRequest::new("GET", &format!("{path}&$count=true"))
        .bearer(&token)
        .header("ConsistencyLevel", "eventual");
    let body = t.handle_graph(&req, NOW).json();
    let ids: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [BREAK_GLASS_ID, BREAK_GLASS_2_ID]);
    assert_eq!(body["@odata.count"], 2);
    let req = SimRequest::new(
        "GET",
        "/v1.0/users?$search=%22displayName:vance%22%20OR%20%22userPrincipalName:leeg%22",
    )
    .bearer(&token)
    .header("ConsistencyLevel", "eventual");
    let names: Vec<String> = t.handle_graph(&req, NOW).json()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["displayName"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Adele Vance", "Lee Gu"]);
}

#[test]
fn user_filter_supports_startswith_and_eq_and_names_unsupported_properties() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, &["User.Read.All"]);
    let body = get(
        &mut t,
        &token,
        "/v1.0/users?$filter=startswith(userPrincipalName,'breakglass')&$select=id,userType",
    )
    .json();
    assert_eq!(body["value"].as_array().unwrap().len(), 2);
    assert_eq!(body["value"][0]["userType"], "Member");
    let body = get(
        &mut t,
        &token,
        "/v1.0/users?$filter=userType%20eq%20'Guest'",
    )
    .json();
    assert_eq!(body["value"][0]["id"], GUEST_ID);
    let (code, m) = graph_error(
        &get(
            &mut t,
            &token,
            "/v1.0/users?$filter=startswith(department,'IT')",
        ),
        400,
    );
    assert_eq!(code, "Request_UnsupportedQuery");
    assert_eq!(m, "Unsupported or invalid query filter clause specified for property 'department' of resource 'User'.");
    let (_, m) = graph_error(
        &get(&mut t, &token, "/v1.0/users?$filter=startswith(displayName"),
        400,
    );
    assert_eq!(m, "Invalid filter clause");
    let (_, m) = graph_error(&get(&mut t, &token, "/v1.0/users?$count=true"), 400);
    assert_eq!(m, "$count is not currently supported.");
}

#[test]
fn get_by_ids_returns_known_objects_with_their_types() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, &["Directory.Read.All"]);
    let body = json!({"ids": [BREAK_GLASS_ID, GROUP_EMERGENCY_ACCESS, "00000000-0000-4000-8000-000000000000"]});
    let res = send(
        &mut t,
        &token,
        "POST",
        "/v1.0/directoryObjects/getByIds",
        &body,
    );
    assert_eq!(res.status, 200);
    let value = res.json()["value"].clone();
    assert_eq!(value.as_array().unwrap().len(), 2);
    assert_eq!(value[0]["@odata.type"], "#microsoft.graph.user");
    assert_eq!(
        value[0]["userPrincipalName"],
        "breakglass01@contoso.onmicrosoft.com"
    );
    assert_eq!(value[1]["@odata.type"], "#microsoft.graph.group");
    let only_users = json!({"ids": [BREAK_GLASS_ID, GROUP_EMERGENCY_ACCESS], "types": ["user"]});
    assert_eq!(
        send(
            &mut t,
            &token,
            "POST",
            "/v1.0/directoryObjects/getByIds",
            &only_users
        )
        .json()["value"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let weak = admin_token(&mut t, &["User.Read"]);
    assert_eq!(
        send(
            &mut t,
            &weak,
            "POST",
            "/v1.0/directoryObjects/getByIds",
            &body
        )
        .status,
        403
    );
}

#[test]
fn unknown_versions_segments_and_methods_get_graphs_errors() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, READ);
    let (_, m) = graph_error(&get(&mut t, &token, "/v2.0/me"), 400);
    assert_eq!(m, "Invalid version: v2.0");
    let (_, m) = graph_error(
        &get(&mut t, &token, "/v1.0/identity/conditionalAccess/polices"),
        400,
    );
    assert_eq!(m, "Resource not found for the segment 'polices'.");
    let (_, m) = graph_error(&get(&mut t, &token, "/v1.0/contacts"), 400);
    assert_eq!(m, "Resource not found for the segment 'contacts'.");
    let (_, m) = graph_error(
        &t.handle_graph(&SimRequest::new("DELETE", POLICIES).bearer(&token), NOW),
        405,
    );
    assert_eq!(
        m,
        "Specified HTTP method is not allowed for the request target."
    );
    assert_eq!(
        get(&mut t, &token, "/V1.0/Identity/ConditionalAccess/Policies").status,
        200,
        "paths are case-insensitive"
    );
}

#[test]
fn client_request_id_is_echoed() {
    let mut t = SimTenant::contoso_demo();
    let req = SimRequest::new("GET", POLICIES)
        .header("client-request-id", "7d1c0c59-0000-4000-8000-00000000abcd");
    let res = t.handle_graph(&req, NOW);
    assert_eq!(
        res.header("client-request-id"),
        Some("7d1c0c59-0000-4000-8000-00000000abcd")
    );
    assert_eq!(
        res.json()["error"]["innerError"]["client-request-id"],
        "7d1c0c59-0000-4000-8000-00000000abcd"
    );
    assert_eq!(
        res.json()["error"]["innerError"]["date"],
        "2024-05-01T12:00:00"
    );
}

fn batch(requests: Value) -> Value {
    json!({ "requests": requests })
}

#[test]
fn batch_runs_each_request_and_reports_each_status() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(
        &mut t,
        &["Policy.Read.All", "User.Read", "LicenseAssignment.Read.All"],
    );
    let body = batch(json!([
        {"id": "policies", "method": "GET", "url": "/identity/conditionalAccess/policies"},
        {"id": "locations", "method": "GET", "url": "identity/conditionalAccess/namedLocations"},
        {"id": "defaults", "method": "GET", "url": "/policies/identitySecurityDefaultsEnforcementPolicy"},
        {"id": "skus", "method": "GET", "url": "/subscribedSkus"},
        {"id": "me", "method": "GET", "url": "/me/memberOf"},
        {"id": "nope", "method": "GET", "url": "/users"}
    ]));
    let res = send(&mut t, &token, "POST", "/v1.0/$batch", &body);
    assert_eq!(res.status, 200);
    let responses = res.json()["responses"].clone();
    let statuses: Vec<(String, u64)> = responses
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("policies", 200),
            ("locations", 200),
            ("defaults", 200),
            ("skus", 200),
            ("me", 200),
            ("nope", 403)
        ]
        .map(|(id, s)| (id.to_owned(), s))
    );
    assert_eq!(responses[0]["body"]["value"].as_array().unwrap().len(), 3);
    assert_eq!(responses[2]["body"]["isEnabled"], false);
    assert_eq!(
        responses[5]["body"]["error"]["code"],
        "Authorization_RequestDenied"
    );
}

#[test]
fn batch_inner_requests_are_throttled_one_by_one() {
    let mut t = SimTenant::contoso_demo();
    t.add_fault(FaultRule::graph(
        "GET",
        "/identity/conditionalAccess/namedLocations",
        Fault::Throttle {
            retry_after_s: Some(4),
        },
    ));
    let token = admin_token(&mut t, READ);
    let body = batch(json!([
        {"id": "1", "method": "GET", "url": "/identity/conditionalAccess/policies"},
        {"id": "2", "method": "GET", "url": "/identity/conditionalAccess/namedLocations"}
    ]));
    let res = send(&mut t, &token, "POST", "/v1.0/$batch", &body);
    assert_eq!(res.status, 200);
    let responses = res.json()["responses"].clone();
    assert_eq!(responses[0]["status"], 200);
    assert_eq!(responses[1]["status"], 429);
    assert_eq!(responses[1]["headers"]["Retry-After"], "4");
    assert_eq!(responses[1]["body"]["error"]["code"], "TooManyRequests");
    let again = send(&mut t, &token, "POST", "/v1.0/$batch", &body);
    assert_eq!(
        again.json()["responses"][1]["status"],
        200,
        "the fault was consumed"
    );
}

#[test]
fn batch_honours_depends_on_and_writes_inside() {
    let mut t = SimTenant::contoso_demo().without_trusted_locations();
    let token = admin_token(&mut t, WRITE);
    let body = batch(json!([
        {"id": "bad", "method": "POST", "url": "/identity/conditionalAccess/namedLocations",
         "headers": {"Content-Type": "application/json"}, "body": ip_location("Everything", &["10.0.0.0/8"], true)},
        {"id": "after", "method": "POST", "url": "/identity/conditionalAccess/policies", "dependsOn": ["bad"],
         "headers": {"Content-Type": "application/json"}, "body": registration_body("disabled")},
        {"id": "ok", "method": "POST", "url": "/identity/conditionalAccess/namedLocations",
         "headers": {"Content-Type": "application/json"}, "body": ip_location("Office", &["192.0.2.0/24"], true)}
    ]));
    let res = send(&mut t, &token, "POST", "/v1.0/$batch", &body);
    let responses = res.json()["responses"].clone();
    assert_eq!(responses[0]["status"], 400);
    assert_eq!(responses[1]["status"], 424);
    assert_eq!(responses[2]["status"], 201);
    assert!(responses[2]["headers"]["Location"]
        .as_str()
        .unwrap()
        .contains("/namedLocations/"));
    assert_eq!(t.policies.len(), 3, "the dependent write did not run");
    assert_eq!(t.named_locations.len(), 3);
}

#[test]
fn malformed_batches_are_refused_whole() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"}))
        .collect();
    let (code, m) = graph_error(
        &send(
            &mut t,
            &token,
            "POST",
            "/v1.0/$batch",
            &batch(Value::Array(many)),
        ),
        400,
    );
    assert_eq!(code, "BadRequest");
    assert!(m.contains("limit is 20"), "{m}");
    let untyped = batch(
        json!([{"id": "1", "method": "POST", "url": "/identity/conditionalAccess/policies", "body": registration_body("disabled")}]),
    );
    let (_, m) = graph_error(&send(&mut t, &token, "POST", "/v1.0/$batch", &untyped), 400);
    assert_eq!(
        m,
        "Write request id : 1 does not contain Content-Type header or body."
    );
    let duplicate = batch(
        json!([{"id": "1", "method": "GET", "url": "/me"}, {"id": "1", "method": "GET", "url": "/me"}]),
    );
    assert_eq!(
        graph_error(
            &send(&mut t, &token, "POST", "/v1.0/$batch", &duplicate),
            400
        )
        .1,
        "Invalid batch payload format."
    );
    let dangling = batch(json!([{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["9"]}]));
    graph_error(
        &send(&mut t, &token, "POST", "/v1.0/$batch", &dangling),
        400,
    );
    graph_error(
        &send(
            &mut t,
            &token,
            "POST",
            "/v1.0/$batch",
            &json!({"value": []}),
        ),
        400,
    );
    assert_eq!(t.policies.len(), 3);
}

#[test]
fn throttling_and_outages_answer_before_anything_is_written() {
    let cases = [
        (
            Fault::Throttle {
                retry_after_s: Some(9),
            },
            429,
            Some("9"),
        ),
        (
            Fault::Throttle {
                retry_after_s: None,
            },
            429,
            None,
        ),
        (
            Fault::ServiceUnavailable {
                retry_after_s: Some(30),
            },
            503,
            Some("30"),
        ),
        (
            Fault::GatewayTimeout {
                after_commit: false,
            },
            504,
            None,
        ),
        (Fault::InternalError, 500, None),
        (Fault::TokenExpired, 401, None),
    ];
    for (fault, status, retry_after) in cases {
        let mut t = SimTenant::contoso_demo();
        t.add_fault(FaultRule::graph(
            "POST",
            "/identity/conditionalAccess/policies",
            fault,
        ));
        let token = admin_token(&mut t, WRITE);
        let res = send(
            &mut t,
            &token,
            "POST",
            POLICIES,
            &registration_body("disabled"),
        );
        graph_error(&res, status);
        assert_eq!(res.header("Retry-After"), retry_after, "{fault:?}");
        assert_eq!(t.policies.len(), 3, "{fault:?} must not write");
        assert_eq!(
            send(
                &mut t,
                &token,
                "POST",
                POLICIES,
                &registration_body("disabled")
            )
            .status,
            201,
            "{fault:?} fires once"
        );
    }
}

#[test]
fn a_gateway_timeout_after_commit_leaves_the_policy_created() {
    let mut t = SimTenant::contoso_demo();
    t.add_fault(FaultRule::graph(
        "POST",
        "/identity/conditionalAccess/policies",
        Fault::GatewayTimeout { after_commit: true },
    ));
    let token = admin_token(&mut t, WRITE);
    let res = send(
        &mut t,
        &token,
        "POST",
        POLICIES,
        &registration_body("disabled"),
    );
    assert_eq!(graph_error(&res, 504).0, "GatewayTimeout");
    assert_eq!(
        t.policies.len(),
        4,
        "the write happened although the client saw a 504"
    );
}

#[test]
fn resets_tell_the_server_to_drop_the_connection_before_or_after_the_write() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    t.add_fault(FaultRule::graph(
        "POST",
        "/identity/conditionalAccess/policies",
        Fault::ResetBeforeCommit,
    ));
    let res = send(
        &mut t,
        &token,
        "POST",
        POLICIES,
        &registration_body("disabled"),
    );
    assert_eq!(res.transport, Transport::Reset);
    assert_eq!(t.policies.len(), 3);
    t.add_fault(FaultRule::graph(
        "POST",
        "/identity/conditionalAccess/policies",
        Fault::ResetAfterCommit,
    ));
    let res = send(
        &mut t,
        &token,
        "POST",
        POLICIES,
        &registration_body("disabled"),
    );
    assert_eq!(res.transport, Transport::Reset);
    assert_eq!(t.policies.len(), 4);
}

#[test]
fn slow_malformed_and_truncated_answers_are_scripted() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, READ);
    t.add_fault(FaultRule::graph(
        "GET",
        "/identity/conditionalAccess/*",
        Fault::Slow { ms: 2_500 },
    ));
    let res = get(&mut t, &token, POLICIES);
    assert_eq!((res.status, res.delay_ms), (200, 2_500));
    t.add_fault(FaultRule::graph("*", "/**", Fault::MalformedJson));
    let res = get(&mut t, &token, POLICIES);
    assert_eq!(res.status, 200);
    assert!(serde_json::from_str::<Value>(&res.body).is_err());
    t.add_fault(FaultRule::graph(
        "GET",
        "/identity/conditionalAccess/policies",
        Fault::TruncatedBody,
    ));
    let res = get(&mut t, &token, POLICIES);
    assert_eq!(
        res.transport,
        Transport::TruncateAfter {
            bytes: res.body.len() / 2
        }
    );
    assert_eq!(get(&mut t, &token, POLICIES).transport, Transport::Normal);
}

#[test]
fn faults_fire_on_the_chosen_occurrence_for_the_chosen_count() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, READ);
    t.add_fault(
        FaultRule::graph("GET", "/me", Fault::InternalError)
            .on_occurrence(2)
            .times(2),
    );
    let statuses: Vec<u16> = (0..5)
        .map(|_| get(&mut t, &token, "/v1.0/me").status)
        .collect();
    assert_eq!(statuses, [200, 500, 500, 200, 200]);
    assert!(t.faults.is_empty());
}

#[test]
fn us_government_tenant_answers_on_its_own_graph_host() {
    let mut t = SimTenant::us_government_demo();
    let token = t.issue_access_token_for_admin(READ, NOW);
    let req = SimRequest::from_url(
        "GET",
        "https://graph.microsoft.us/v1.0/identity/conditionalAccess/policies",
    )
    .unwrap()
    .bearer(&token);
    let res = t.handle(&req, NOW);
    assert_eq!(res.status, 200);
    assert_eq!(
        res.json()["@odata.context"],
        "https://graph.microsoft.us/v1.0/$metadata#identity/conditionalAccess/policies"
    );
    let global = SimRequest::from_url("GET", "https://graph.microsoft.com/v1.0/me")
        .unwrap()
        .bearer(&token);
    assert_eq!(
        graph_error(&t.handle(&global, NOW), 401).1,
        "Access token validation failure. Invalid audience."
    );
}

#[test]
fn organization_names_the_tenant_and_its_domain() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, &["User.Read"]);
    let org = get(&mut t, &token, "/v1.0/organization").json();
    assert_eq!(org["value"][0]["id"], CONTOSO_TENANT_ID);
    assert_eq!(
        org["value"][0]["verifiedDomains"][0]["name"],
        CONTOSO_DOMAIN
    );
}

#[test]
fn snapshot_carries_what_the_preflight_reads_and_what_graph_cannot_tell() {
    let t = SimTenant::contoso_demo();
    let s = t.snapshot();
    assert_eq!(s.tenant_id.as_deref(), Some(CONTOSO_TENANT_ID));
    assert_eq!(s.policies.len(), 3);
    assert_eq!(s.named_locations.len(), 4);
    assert_eq!(s.trusted_locations().count(), 2);
    assert_eq!(s.security_defaults_enabled, Some(false));
    assert_eq!(
        s.licences,
        Some(Licences {
            p1: true,
            p2: false
        })
    );
    assert_eq!(s.admin.as_ref().unwrap().id, ADMIN_ID);
    assert_eq!(s.break_glass, [BREAK_GLASS_ID, BREAK_GLASS_2_ID]);
    assert!(
        !s.policies
            .iter()
            .any(|p| p.targets_user_action(USER_ACTION_REGISTER_SECURITY_INFO)),
        "no registration policy yet"
    );
    let with = SimTenant::contoso_demo()
        .with_registration_policy(PolicyState::Enabled)
        .snapshot();
    assert!(with.policies.iter().any(|p| p
        .targets_user_action(USER_ACTION_REGISTER_SECURITY_INFO)
        && p.state == PolicyState::Enabled));
}

#[test]
fn the_whole_tenant_survives_a_save_and_reload_with_its_tokens() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    send(
        &mut t,
        &token,
        "POST",
        POLICIES,
        &registration_body("disabled"),
    );
    t.add_fault(
        FaultRule::graph(
            "GET",
            "/me",
            Fault::Throttle {
                retry_after_s: Some(1),
            },
        )
        .on_occurrence(3),
    );
    let saved = serde_json::to_string(&t).unwrap();
    let mut restored: SimTenant = serde_json::from_str(&saved).unwrap();
    assert_eq!(restored, t);
    assert_eq!(
        get(&mut restored, &token, POLICIES).json()["value"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    get(&mut t, &token, POLICIES);
    let a = send(
        &mut t,
        &token,
        "POST",
        POLICIES,
        &registration_body("disabled"),
    )
    .json()["id"]
        .clone();
    let b = send(
        &mut restored,
        &token,
        "POST",
        POLICIES,
        &registration_body("disabled"),
    )
    .json()["id"]
        .clone();
    assert_eq!(a, b, "the id counter is part of the saved state");
}

#[test]
fn personas_become_what_if_sign_ins() {
    use registration_guard::engine::model::GuestOrExternalUserType;
    use registration_guard::engine::whatif::SignInTarget;
    let t = SimTenant::contoso_demo();
    let keys: Vec<&str> = t.personas.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "office-worker",
            "remote-new-hire",
            "travelling-employee",
            "guest",
            "admin",
            "break-glass"
        ]
    );
    let guest = t
        .persona_sign_in("guest", SignInTarget::register_security_info())
        .unwrap();
    assert_eq!(
        guest.guest_type,
        Some(GuestOrExternalUserType::B2bCollaborationGuest)
    );
    assert_eq!(guest.country.as_deref(), Some("DE"));
    let hire = t
        .persona_sign_in("remote-new-hire", SignInTarget::register_security_info())
        .unwrap();
    assert_eq!(hire.ip_address.as_deref(), Some("192.0.2.44"));
    assert!(hire
        .group_ids
        .iter()
        .any(|g| g == "a1d2c3b4-0e1f-4a2b-9c3d-4e5f6a7b8c03"));
    assert!(t
        .persona_sign_in("nobody", SignInTarget::register_security_info())
        .is_none());
}

#[test]
fn membership_casts_keep_one_kind_and_count_as_an_advanced_query() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, &["User.Read"]);
    let path = "/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true&$select=id,roleTemplateId";
    let (_, m) = graph_error(&get(&mut t, &token, path), 400);
    assert_eq!(m, "$count is not currently supported.");
    let req = SimRequest::new("GET", path)
        .bearer(&token)
        .header("ConsistencyLevel", "eventual");
    let body = t.handle_graph(&req, NOW).json();
    assert_eq!(
        body["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#directoryRoles"
    );
    assert_eq!(body["@odata.count"], 1);
    let role = body["value"][0].as_object().unwrap();
    assert_eq!(
        role.keys().map(String::as_str).collect::<Vec<_>>(),
        ["@odata.type", "id", "roleTemplateId"]
    );
    let groups = get(&mut t, &token, "/v1.0/me/memberOf/microsoft.graph.group").json();
    let names: Vec<&str> = groups["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["All Staff", "IT Helpdesk"]);
}

#[test]
fn named_locations_can_be_renamed_and_unused_ones_deleted() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    let path = format!("{LOCATIONS}/{GUEST_WIFI_LOCATION_ID}");
    let res = t.handle_graph(
        &SimRequest::new("PATCH", &path).bearer(&token).json("{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"Visitor Wi-Fi\"}"),
        NOW + 120_000,
    );
    assert_eq!(res.status, 204, "{}", res.body);
    let now = get(&mut t, &token, &path).json();
    assert_eq!(now["displayName"], "Visitor Wi-Fi");
    assert_eq!(now["ipRanges"][0]["cidrAddress"], "203.0.113.64/27");
    assert_eq!(now["modifiedDateTime"], "2024-05-01T12:02:00Z");
    assert_eq!(now["createdDateTime"], "2023-03-14T09:30:00Z");
    let widen = json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "0.0.0.0/0"}]});
    graph_error(&send(&mut t, &token, "PATCH", &path, &widen), 400);
    assert_eq!(
        t.handle_graph(&SimRequest::new("DELETE", &path).bearer(&token), NOW)
            .status,
        204
    );
    assert_eq!(t.named_locations.len(), 3);
}

#[test]
fn hostile_requests_get_answers_never_panics() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, WRITE);
    let paths = [
        "",
        "/",
        "//",
        "/v1.0",
        "/v1.0/",
        "/beta//identity///conditionalAccess",
        "/v1.0/identity/conditionalAccess",
        "/v1.0/identity/conditionalAccess/policies/%00%ff",
        "/v1.0/users/é😀",
        "/v1.0/users?$filter=startswith(displayName,'",
        "/v1.0/users?$search=%22displayName:",
        "/v1.0/identity/conditionalAccess/policies?$top=99999999999999999999",
        "/v1.0/identity/conditionalAccess/policies?$skiptoken=RFNwdAIAAQAAA%FF",
        "/v1.0/$batch",
        "/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "/organizations/oauth2/v2.0/authorize?client_id=%FF&redirect_uri=%00",
        "/%2e%2e/oauth2/v2.0/authorize?scope=&prompt=none",
    ];
    for path in paths {
        for method in ["GET", "POST", "PATCH", "DELETE", "PUT", "BREW"] {
            let nested = format!("{}{}", "[".repeat(500), "]".repeat(500));
            for body in [
                None,
                Some("{}".to_owned()),
                Some(nested),
                Some("\u{0}\u{feff}".to_owned()),
            ] {
                for (host, now) in [
                    ("graph.microsoft.com", NOW),
                    ("login.microsoftonline.com", NOW),
                    ("graph.microsoft.com", u64::MAX),
                ] {
                    let mut req = SimRequest::new(method, path)
                        .bearer(&token)
                        .header("Content-Type", "application/json");
                    req.host = Some(host.to_owned());
                    req.body = body.clone();
                    let res = t.handle(&req, now);
                    assert!(
                        res.status >= 200 && res.status < 600,
                        "{method} {host}{path}"
                    );
                }
            }
        }
    }
    let answer: Value = serde_json::from_str(&t.handle_json("{not json", NOW)).unwrap();
    assert_eq!(answer["status"], 400);
    assert!(answer["body"]
        .as_str()
        .unwrap()
        .contains("cannot read this request"));
}

const SIGN_IN_LOGS: &[&str] = &["AuditLog.Read.All", "User.Read"];

fn sign_in_lookup(correlation_id: &str) -> String {
    format!("/v1.0/auditLogs/signIns?$filter=correlationId%20eq%20'{correlation_id}'&$top=1")
}

#[test]
fn sign_in_log_names_the_registration_policy_that_blocked_a_remote_new_hire() {
    let mut t = SimTenant::contoso_demo().with_registration_policy(PolicyState::Enabled);
    let token = admin_token(&mut t, SIGN_IN_LOGS);
    let correlation = t.registration_correlation_id("remote-new-hire");
    let res = get(&mut t, &token, &sign_in_lookup(&correlation));
    assert_eq!(res.status, 200, "{}", res.body);
    let events = res.json()["value"].as_array().cloned().unwrap();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["correlationId"], json!(correlation));
    assert_eq!(event["ipAddress"], json!("192.0.2.44"));
    assert_eq!(event["status"]["errorCode"], json!(53003));
    assert_eq!(event["conditionalAccessStatus"], json!("failure"));
    let blockers: Vec<&Value> = event["appliedConditionalAccessPolicies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["result"] == "failure")
        .collect();
    assert_eq!(blockers.len(), 1, "{event}");
    assert_eq!(blockers[0]["enforcedGrantControls"], json!(["Block"]));
    assert!(blockers[0]["displayName"].as_str().unwrap().len() > 3);

    // The explainer's parser reads the sim's answer into the policy the admin is shown.
    let records = registration_guard::explainer::read_sign_in_lookup(&res.body).unwrap();
    assert_eq!(records[0].policies.iter().filter(|p| p.result == "failure").count(), 1);
}

#[test]
fn sign_in_log_has_no_event_for_a_sign_in_that_was_not_blocked() {
    let mut t = SimTenant::contoso_demo().with_registration_policy(PolicyState::Enabled);
    let token = admin_token(&mut t, SIGN_IN_LOGS);
    let office = t.registration_correlation_id("office-worker");
    let res = get(&mut t, &token, &sign_in_lookup(&office));
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["value"], json!([]));
    // Without a registration policy nobody is blocked from registering.
    let mut open = SimTenant::contoso_demo();
    let token = admin_token(&mut open, SIGN_IN_LOGS);
    let remote = open.registration_correlation_id("remote-new-hire");
    assert_eq!(get(&mut open, &token, &sign_in_lookup(&remote)).json()["value"], json!([]));
}

#[test]
fn sign_in_log_needs_audit_log_permission_a_reader_role_and_a_premium_licence() {
    let mut t = SimTenant::contoso_demo().with_registration_policy(PolicyState::Enabled);
    let correlation = t.registration_correlation_id("remote-new-hire");
    let without_scope = admin_token(&mut t, READ);
    let res = get(&mut t, &without_scope, &sign_in_lookup(&correlation));
    assert_eq!(res.status, 403);
    assert_eq!(res.json()["error"]["code"], json!("Authorization_RequestDenied"));

    let mut helpdesk = SimTenant::contoso_demo()
        .with_registration_policy(PolicyState::Enabled)
        .with_admin_lacking_role();
    let token = helpdesk.issue_access_token(HELPDESK_ID, REGISTRATION_GUARD_CLIENT_ID, SIGN_IN_LOGS, NOW);
    let res = get(&mut helpdesk, &token, &sign_in_lookup(&correlation));
    assert_eq!(res.status, 403);
    assert_eq!(res.json()["error"]["code"], json!("Authorization_RequestDenied"));

    let mut unlicensed = SimTenant::contoso_demo().without_premium_licence();
    let token = admin_token(&mut unlicensed, SIGN_IN_LOGS);
    let res = get(&mut unlicensed, &token, &sign_in_lookup(&correlation));
    assert_eq!(res.status, 403);
    assert_eq!(
        res.json()["error"]["code"],
        json!("Authentication_RequestFromNonPremiumTenantOrB2CTenant")
    );
}

#[test]
fn sign_in_log_refuses_filters_other_than_one_correlation_id() {
    let mut t = SimTenant::contoso_demo();
    let token = admin_token(&mut t, SIGN_IN_LOGS);
    let res = get(&mut t, &token, "/v1.0/auditLogs/signIns?$filter=userPrincipalName%20eq%20'x'");
    assert_eq!(res.status, 400);
    assert!(res.json()["error"]["message"].as_str().unwrap().contains("Invalid filter clause"));
}
