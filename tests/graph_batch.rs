//! The one-batch preflight: request shape, decoding real Graph answers into a snapshot, inner
//! throttling, inner denials, unreadable parts, paging and refusing foreign links.

use registration_guard::context::Cloud;
use registration_guard::engine::model::{ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR, SERVICE_PLAN_ENTRA_ID_P1};
use registration_guard::graph::batch::{Preflight, PreflightRead, PreflightStep, Read, ReadNote, MAX_BATCH_REQUESTS};
use registration_guard::graph::errors::{ErrorContext, GraphError, Operation};
use registration_guard::graph::retry::{RetryPolicy, Wait, WaitReason};
use registration_guard::graph::{GraphEndpoints, GraphVersion, HttpRequest, HttpResponse, Method, TransportFailure};
use serde_json::{json, Value};
use std::path::PathBuf;

const NOW: u64 = 1_700_000_000_000;
const ADMIN: &str = "4bd8e8a1-2b8c-4f3e-9d1a-6c3e2f1a0b9c";

fn corpus(path: &str) -> Value {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora"));
    assert!(root.is_dir(), "the shared corpora folder is missing at {} — tests need it", root.display());
    let text = std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("cannot read corpus file {path}: {e}"));
    serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap_or_else(|e| panic!("corpus file {path} is not JSON: {e}"))
}

fn scopes() -> ErrorContext {
    ErrorContext {
        granted_scopes: ["User.Read", "Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"].map(|s| format!("https://graph.microsoft.com/{s}")).to_vec(),
        admin_consent_url: Some("https://login.microsoftonline.com/organizations/v2.0/adminconsent?client_id=x".into()),
    }
}

fn preflight() -> Preflight {
    Preflight::new(GraphEndpoints::for_cloud(Cloud::Global), scopes(), RetryPolicy::default(), 7)
}

fn sent(step: &PreflightStep) -> (&HttpRequest, Option<Wait>, Vec<Value>) {
    let PreflightStep::Send { request, wait } = step else { panic!("expected a request, got {step:?}") };
    let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
    (request, *wait, body["requests"].as_array().unwrap().clone())
}

fn ids(requests: &[Value]) -> Vec<String> {
    requests.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

fn ok(id: &str, body: Value) -> Value {
    json!({"id": id, "status": 200, "headers": {"Content-Type": "application/json"}, "body": body})
}

fn list(items: Value) -> Value {
    json!({"@odata.context": "https://graph.microsoft.com/beta/$metadata#x", "value": items})
}

fn profile() -> Value {
    ok("profile", json!({"id": ADMIN, "displayName": "Ada Admin", "userPrincipalName": "ada@contoso.com"}))
}

fn roles() -> Value {
    ok("roles", list(json!([{"@odata.type": "#microsoft.graph.directoryRole", "id": "r1",
        "displayName": "Conditional Access Administrator", "roleTemplateId": ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR}])))
}

fn security_defaults() -> Value {
    ok("securityDefaults", json!({"id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults", "isEnabled": false}))
}

fn licences() -> Value {
    ok("licences", list(json!([{"capabilityStatus": "Enabled", "skuPartNumber": "AAD_PREMIUM",
        "servicePlans": [{"servicePlanId": SERVICE_PLAN_ENTRA_ID_P1, "servicePlanName": "AAD_PREMIUM"}]}])))
}

fn locations() -> Value {
    ok("namedLocations", list(corpus("jsa2-caOptics/demodata/namedLocations.json")))
}

fn policies() -> Value {
    ok("policies", list(corpus("jsa2-caOptics/demodata/policies.json")))
}

fn batch(responses: Vec<Value>) -> Result<HttpResponse, TransportFailure> {
    Ok(HttpResponse::new(200, json!({ "responses": responses }).to_string()))
}

fn all_ok() -> Vec<Value> {
    vec![profile(), roles(), security_defaults(), licences(), locations(), policies()]
}

fn done(step: PreflightStep) -> PreflightRead {
    match step {
        PreflightStep::Done { read } => *read,
        other => panic!("expected the preflight to finish, got {other:?}"),
    }
}

fn replace(mut responses: Vec<Value>, id: &str, with: Value) -> Vec<Value> {
    let at = responses.iter().position(|r| r["id"] == id).unwrap();
    responses[at] = with;
    responses
}

#[test]
fn first_batch_holds_all_six_reads_in_one_request() {
    let mut pf = preflight();
    let step = pf.start();
    let (request, wait, requests) = sent(&step);
    assert_eq!(request.method, Method::Post);
    assert_eq!(request.url, "https://graph.microsoft.com/beta/$batch");
    assert_eq!(request.header("Content-Type"), Some("application/json"));
    assert_eq!(request.header("Authorization"), None, "the shell adds the token");
    assert_eq!(wait, None);
    assert!(requests.len() <= MAX_BATCH_REQUESTS);
    assert_eq!(ids(&requests), ["profile", "roles", "securityDefaults", "licences", "namedLocations", "policies"]);
    for r in &requests {
        assert_eq!(r["method"], "GET");
        assert!(r["url"].as_str().unwrap().starts_with('/'), "inner URLs are relative: {r}");
    }
    assert_eq!(requests[1]["url"], "/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true&$select=id,displayName,roleTemplateId");
    assert_eq!(requests[1]["headers"]["ConsistencyLevel"], "eventual");
    assert_eq!(requests[5]["url"], "/identity/conditionalAccess/policies");
    assert_eq!(pf.round_trips(), 1);
}

#[test]
fn us_government_reads_from_graph_microsoft_us() {
    let mut pf = Preflight::new(GraphEndpoints::for_cloud(Cloud::UsGovernment), scopes(), RetryPolicy::default(), 1);
    assert_eq!(sent(&pf.start()).0.url, "https://graph.microsoft.us/beta/$batch");
}

#[test]
fn one_batch_answer_becomes_the_whole_snapshot() {
    let mut pf = preflight();
    pf.start();
    // Graph answers in any order.
    let mut responses = all_ok();
    responses.reverse();
    let read = done(pf.on_response(batch(responses), NOW));
    let expected_policies = corpus("jsa2-caOptics/demodata/policies.json").as_array().unwrap().len();
    let expected_locations = corpus("jsa2-caOptics/demodata/namedLocations.json").as_array().unwrap().len();
    assert_eq!(read.snapshot.policies.len(), expected_policies);
    assert_eq!(read.snapshot.named_locations.len(), expected_locations);
    assert!(read.snapshot.trusted_locations().count() >= 1);
    let admin = read.snapshot.admin.as_ref().unwrap();
    assert_eq!(admin.id, ADMIN);
    assert_eq!(admin.user_principal_name, "ada@contoso.com");
    assert_eq!(admin.role_template_ids, [ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR]);
    assert_eq!(read.snapshot.security_defaults_enabled, Some(false));
    assert!(read.snapshot.licences.unwrap().p1);
    assert!(read.roles_known);
    assert_eq!(read.notes, []);
    assert_eq!(pf.round_trips(), 1);
}

#[test]
fn inner_throttling_resends_only_that_request_after_its_retry_after() {
    let mut pf = preflight();
    pf.start();
    let throttled = json!({"id": "policies", "status": 429, "headers": {"Retry-After": "7"},
        "body": {"error": {"code": "TooManyRequests", "message": "Too many requests"}}});
    let step = pf.on_response(batch(replace(all_ok(), "policies", throttled)), NOW);
    let (request, wait, requests) = sent(&step);
    assert_eq!(request.url, "https://graph.microsoft.com/beta/$batch");
    assert_eq!(ids(&requests), ["policies"]);
    let wait = wait.unwrap();
    assert_eq!(wait, Wait { ms: 7_000, reason: WaitReason::GraphAskedToWait });
    assert_eq!(wait.message(), "Microsoft Graph asked us to wait 7 s…");
    let read = done(pf.on_response(batch(vec![policies()]), NOW + 7_000));
    assert!(!read.snapshot.policies.is_empty());
    assert_eq!(read.snapshot.admin.unwrap().id, ADMIN, "what the first batch read is kept");
    assert_eq!(pf.round_trips(), 2);
}

#[test]
fn inner_denial_of_an_optional_read_leaves_it_unknown_with_the_reason() {
    let mut pf = preflight();
    pf.start();
    let denied = json!({"id": "licences", "status": 403, "body": {"error": {"code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation."}}});
    let read = done(pf.on_response(batch(replace(all_ok(), "licences", denied)), NOW));
    assert_eq!(read.snapshot.licences, None);
    let [ReadNote::NotRead { read: Read::Licences, error }] = read.notes.as_slice() else { panic!("{:?}", read.notes) };
    assert!(matches!(error, GraphError::MissingConsent { operation: Operation::ReadLicences, .. }));
    assert!(read.notes[0].to_string().starts_with("Licences not checked: The app registration lacks LicenseAssignment.Read.All consent"));
}

#[test]
fn inner_denial_of_policies_stops_with_the_missing_role() {
    let mut pf = preflight();
    pf.start();
    let denied = json!({"id": "policies", "status": 403, "body": {"error": {"code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation."}}});
    let step = pf.on_response(batch(replace(all_ok(), "policies", denied)), NOW);
    let PreflightStep::Failed { error } = step else { panic!("{step:?}") };
    assert_eq!(error, GraphError::MissingRole { operation: Operation::ReadPolicies });
    assert!(error.to_string().contains("Security Reader, Global Reader or Conditional Access Administrator"));
}

#[test]
fn unreadable_inner_answers_are_read_again_and_nothing_is_lost() {
    let mut pf = preflight();
    pf.start();
    let responses = replace(all_ok(), "policies", json!({"id": "policies", "status": 200, "body": "eyJ2YWx1ZSI6"}));
    let responses = replace(responses, "namedLocations", json!({"id": "namedLocations", "status": 200, "body": {"nope": 1}}));
    let step = pf.on_response(batch(responses), NOW);
    let (_, wait, requests) = sent(&step);
    assert_eq!(ids(&requests), ["namedLocations", "policies"]);
    assert_eq!(wait.unwrap().reason, WaitReason::NoAnswer);
    let read = done(pf.on_response(batch(vec![locations(), policies()]), NOW + 1_000));
    assert_eq!(read.snapshot.security_defaults_enabled, Some(false));
    assert!(!read.snapshot.named_locations.is_empty() && !read.snapshot.policies.is_empty());
}

#[test]
fn an_answer_missing_from_the_batch_is_asked_again() {
    let mut pf = preflight();
    pf.start();
    let mut responses = all_ok();
    responses.retain(|r| r["id"] != "securityDefaults");
    let step = pf.on_response(batch(responses), NOW);
    assert_eq!(ids(&sent(&step).2), ["securityDefaults"]);
    let read = done(pf.on_response(batch(vec![security_defaults()]), NOW));
    assert_eq!(read.snapshot.security_defaults_enabled, Some(false));
}

#[test]
fn a_cut_off_batch_answer_is_sent_again_whole() {
    let mut pf = preflight();
    pf.start();
    let full = json!({ "responses": all_ok() }).to_string();
    let cut = HttpResponse::new(200, &full[..full.len() / 2]);
    let step = pf.on_response(Ok(cut), NOW);
    let (_, wait, requests) = sent(&step);
    assert_eq!(requests.len(), 6);
    assert_eq!(wait.unwrap().reason, WaitReason::NoAnswer);
    done(pf.on_response(batch(all_ok()), NOW + 1_000));
}

#[test]
fn a_batch_without_responses_or_with_html_is_retried_then_reported() {
    let mut pf = preflight();
    pf.start();
    let step = pf.on_response(Ok(HttpResponse::new(200, r#"{"value": []}"#)), NOW);
    assert!(matches!(step, PreflightStep::Send { .. }));
    let mut last = step;
    for _ in 0..5 {
        last = pf.on_response(Ok(HttpResponse::new(502, "<html><title>Bad gateway</title></html>")), NOW);
    }
    let PreflightStep::Failed { error } = last else { panic!("{last:?}") };
    assert_eq!(error, GraphError::NotJson { status: 502, title: Some("Bad gateway".into()) });
    assert_eq!(pf.round_trips(), 5, "bounded by the retry policy's attempts");
}

#[test]
fn expired_token_asks_for_sign_in_then_resends_the_same_batch() {
    let mut pf = preflight();
    let first = sent(&pf.start()).2;
    let step = pf.on_response(Ok(HttpResponse::new(401, r#"{"error":{"code":"InvalidAuthenticationToken","message":"expired"}}"#)), NOW);
    assert_eq!(step, PreflightStep::SignInNeeded);
    let again = pf.resume();
    assert_eq!(sent(&again).2, first);
    done(pf.on_response(batch(all_ok()), NOW));
}

#[test]
fn next_pages_are_followed_in_follow_up_batches() {
    let all = corpus("jsa2-caOptics/demodata/policies.json");
    let items = all.as_array().unwrap();
    let (first, second) = items.split_at(items.len() / 2);
    let mut pf = preflight();
    pf.start();
    let page1 = ok("policies", json!({"value": first,
        "@odata.nextLink": "https://graph.microsoft.com/beta/identity/conditionalAccess/policies?$skiptoken=RFNwdAIAAQ"}));
    let step = pf.on_response(batch(replace(all_ok(), "policies", page1)), NOW);
    let (_, wait, requests) = sent(&step);
    assert_eq!(wait, None, "a next page needs no wait");
    assert_eq!(ids(&requests), ["policies-2"]);
    assert_eq!(requests[0]["url"], "/identity/conditionalAccess/policies?$skiptoken=RFNwdAIAAQ");
    let read = done(pf.on_response(batch(vec![ok("policies-2", json!({"value": second}))]), NOW));
    assert_eq!(read.snapshot.policies.len(), items.len());
    let names: Vec<&str> = read.snapshot.policies.iter().map(|p| p.display_name.as_str()).collect();
    let expected: Vec<&str> = items.iter().map(|p| p["displayName"].as_str().unwrap()).collect();
    assert_eq!(names, expected, "pages are joined in order");
}

#[test]
fn a_next_link_to_another_host_is_never_followed() {
    let mut pf = preflight();
    pf.start();
    let page1 = ok("policies", json!({"value": [], "@odata.nextLink": "https://graph.microsoft.com.evil.example/beta/identity/conditionalAccess/policies?$skiptoken=x"}));
    let step = pf.on_response(batch(replace(all_ok(), "policies", page1)), NOW);
    let PreflightStep::Failed { error: GraphError::ForeignLink { url } } = &step else { panic!("{step:?}") };
    assert!(url.contains("evil.example"));
    assert!(step_text(&step).contains("(graph.microsoft.com.evil.example)"));
    assert_eq!(pf.round_trips(), 1, "no request was made to follow it");
}

fn step_text(step: &PreflightStep) -> String {
    match step {
        PreflightStep::Failed { error } => error.to_string(),
        other => format!("{other:?}"),
    }
}

#[test]
fn own_path_accepts_only_https_on_the_same_graph_host_and_version() {
    let endpoints = GraphEndpoints::for_cloud(Cloud::Global);
    let v = GraphVersion::Beta;
    assert_eq!(endpoints.own_path("https://graph.microsoft.com/beta/identity/x?$skiptoken=1", v), Some("/identity/x?$skiptoken=1"));
    assert_eq!(endpoints.own_path("https://GRAPH.microsoft.com:443/beta/identity/x", v), Some("/identity/x"));
    for foreign in [
        "http://graph.microsoft.com/beta/identity/x",
        "https://graph.microsoft.com.evil.example/beta/identity/x",
        "https://evil.example/graph.microsoft.com/beta/identity/x",
        "https://graph.microsoft.com@evil.example/beta/identity/x",
        "https://graph.microsoft.com:8443/beta/identity/x",
        "https://graph.microsoft.us/beta/identity/x",
        "https://graph.microsoft.com/v1.0/identity/x",
        "https://graph.microsoft.com/betax/identity/x",
        "//graph.microsoft.com/beta/identity/x",
        "/beta/identity/x",
    ] {
        assert_eq!(endpoints.own_path(foreign, v), None, "{foreign}");
    }
}

#[test]
fn hidden_role_ids_are_reported_not_taken_for_no_roles() {
    let mut pf = preflight();
    pf.start();
    let limited = ok("roles", list(json!([{"@odata.type": "#microsoft.graph.directoryRole", "id": "r1", "roleTemplateId": null}])));
    let read = done(pf.on_response(batch(replace(all_ok(), "roles", limited)), NOW));
    assert!(!read.roles_known);
    assert_eq!(read.notes, [ReadNote::RolesHidden]);
    assert!(read.notes[0].to_string().contains("Conditional Access Administrator"));
}

#[test]
fn a_policy_of_unexpected_shape_is_skipped_by_name_and_the_rest_kept() {
    let mut pf = preflight();
    pf.start();
    let mut items = corpus("microsoft-graph-docs/post-policies-examples.json");
    let good = items["example1_response"].take();
    let bad = json!({"id": "x", "displayName": "Broken one", "state": "enabled", "conditions": {"users": {"includeUsers": "All"}}});
    let read = done(pf.on_response(batch(replace(all_ok(), "policies", ok("policies", list(json!([good, bad]))))), NOW));
    assert_eq!(read.snapshot.policies.len(), 1);
    assert_eq!(read.snapshot.policies[0].display_name, "Access to EXO requires MFA");
    let [ReadNote::Skipped { read: Read::Policies, name, problem }] = read.notes.as_slice() else { panic!("{:?}", read.notes) };
    assert_eq!(name.as_deref(), Some("Broken one"));
    assert!(problem.contains("$.value[1].conditions.users.includeUsers"), "{problem}");
    assert!(read.notes[0].to_string().starts_with("The policy \"Broken one\" could not be read"));
}

#[test]
fn persistent_throttling_of_an_optional_read_ends_as_a_note() {
    let mut pf = preflight();
    pf.start();
    let throttled = |id: &str| json!({"id": id, "status": 429, "headers": {"retry-after": 2}, "body": {"error": {"code": "TooManyRequests", "message": ""}}});
    let mut step = pf.on_response(batch(replace(all_ok(), "securityDefaults", throttled("securityDefaults"))), NOW);
    for _ in 0..4 {
        assert_eq!(ids(&sent(&step).2), ["securityDefaults"]);
        step = pf.on_response(batch(vec![throttled("securityDefaults")]), NOW);
    }
    let read = done(step);
    assert_eq!(read.snapshot.security_defaults_enabled, None);
    assert!(matches!(&read.notes[0], ReadNote::NotRead { read: Read::SecurityDefaults, error: GraphError::Throttled { retry_after_ms: Some(2_000) } }));
}

#[test]
fn named_locations_from_graphs_own_docs_decode_with_their_quirks() {
    let mut pf = preflight();
    pf.start();
    let docs = corpus("microsoft-graph-docs/namedlocations-examples.json");
    let read = done(pf.on_response(batch(replace(all_ok(), "namedLocations", ok("namedLocations", list(docs["value"].clone())))), NOW));
    assert_eq!(read.snapshot.named_locations.len(), docs["value"].as_array().unwrap().len());
    assert_eq!(read.snapshot.named_locations[0].display_name(), "Untrusted IP named location");
}

#[test]
fn partly_hidden_roles_count_as_unknown_not_as_lacking_the_role() {
    let mut pf = preflight();
    pf.start();
    let partial = ok("roles", list(json!([
        {"id": "r1", "roleTemplateId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"},
        {"id": "r2", "roleTemplateId": null}])));
    let read = done(pf.on_response(batch(replace(all_ok(), "roles", partial)), NOW));
    assert!(!read.roles_known);
    assert_eq!(read.snapshot.admin.unwrap().role_template_ids, Vec::<String>::new());
}

#[test]
fn an_inner_answer_without_status_is_asked_again() {
    let mut pf = preflight();
    pf.start();
    let step = pf.on_response(batch(replace(all_ok(), "policies", json!({"id": "policies", "body": {"value": []}}))), NOW);
    assert_eq!(ids(&sent(&step).2), ["policies"]);
}

#[test]
fn steps_serialize_for_the_shell() {
    let mut pf = preflight();
    let step = serde_json::to_value(pf.start()).unwrap();
    assert_eq!(step["step"], "send");
    assert_eq!(step["request"]["method"], "POST");
    assert_eq!(step["wait"], Value::Null);
}
