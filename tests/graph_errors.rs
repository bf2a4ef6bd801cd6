//! Every Graph failure mode becomes a GraphError an admin can act on; retries honour
//! Retry-After, are bounded, and never repeat an ambiguous POST.

use registration_guard::graph::errors::{read_json, seconds, ErrorContext, GraphError, Operation};
use registration_guard::graph::retry::{
    parse_http_date, parse_retry_after, Attempts, Idempotency, Jitter, NextMove, RetryPolicy, Wait, WaitReason,
};
use registration_guard::graph::{HttpResponse, TransportFailure};

const NOW: u64 = 1_445_412_400_000; // Wed, 21 Oct 2015 07:26:40 GMT
const CONSENT: &str = "https://login.microsoftonline.com/contoso.com/v2.0/adminconsent?client_id=abc";

fn graph_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = serde_json::json!({"error": {"code": code, "message": message,
        "innerError": {"date": "2024-05-01T10:00:00", "request-id": "r", "client-request-id": "c"}}});
    HttpResponse::new(status, body.to_string())
}

fn ctx(granted: &[&str]) -> ErrorContext {
    ErrorContext {
        granted_scopes: granted.iter().map(|s| s.to_string()).collect(),
        admin_consent_url: Some(CONSENT.into()),
    }
}

fn map(response: &HttpResponse, operation: Operation, granted: &[&str]) -> GraphError {
    GraphError::from_response(response, operation, &ctx(granted), NOW)
}

const DENIED: &str = "Insufficient privileges to complete the operation.";

#[test]
fn expired_token_is_a_silent_sign_in_again() {
    let e = map(&graph_error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."), Operation::ReadPolicies, &[]);
    assert_eq!(e, GraphError::SignInExpired);
    assert!(e.to_string().contains("Signing you in again"));
}

#[test]
fn forbidden_with_the_scope_granted_means_the_role_is_missing() {
    let granted = ["https://graph.microsoft.com/Policy.ReadWrite.ConditionalAccess", "https://graph.microsoft.com/Policy.Read.All"];
    let e = map(&graph_error(403, "Authorization_RequestDenied", DENIED), Operation::CreatePolicy, &granted);
    assert_eq!(e, GraphError::MissingRole { operation: Operation::CreatePolicy });
    assert!(e.to_string().starts_with("Your account needs the Conditional Access Administrator role"), "{e}");
    let read = map(&graph_error(403, "Authorization_RequestDenied", DENIED), Operation::ReadPolicies, &granted);
    assert!(read.to_string().contains("Security Reader, Global Reader or Conditional Access Administrator"), "{read}");
}

#[test]
fn forbidden_without_the_scope_means_consent_is_missing_with_the_link() {
    let e = map(&graph_error(403, "Authorization_RequestDenied", DENIED), Operation::CreatePolicy, &["Policy.Read.All", "User.Read"]);
    assert_eq!(e, GraphError::MissingConsent { operation: Operation::CreatePolicy, admin_consent_url: Some(CONSENT.into()) });
    let text = e.to_string();
    assert!(text.starts_with("The app registration lacks Policy.ReadWrite.ConditionalAccess consent"), "{text}");
    assert!(text.contains("ask a Global Administrator to grant admin consent: https://login.microsoftonline.com/"), "{text}");
}

#[test]
fn forbidden_with_unknown_scopes_names_both_causes() {
    let e = map(&graph_error(403, "Forbidden", ""), Operation::ReadNamedLocations, &[]);
    assert!(matches!(e, GraphError::AccessDenied { .. }));
    let text = e.to_string();
    assert!(text.contains("lacks the role") && text.contains("Policy.Read.All consent") && text.contains(CONSENT), "{text}");
}

#[test]
fn security_defaults_error_says_where_to_turn_them_off() {
    let e = map(
        &graph_error(400, "BadRequest", "Security Defaults is enabled in the tenant. You must disable Security defaults before enabling a Conditional Access policy."),
        Operation::UpdatePolicy,
        &[],
    );
    assert_eq!(e, GraphError::SecurityDefaultsOn);
    assert!(e.to_string().contains("Entra ID > Overview > Properties > Manage security defaults"));
}

#[test]
fn preview_and_p2_feature_errors_keep_graphs_words() {
    let e = map(&graph_error(400, "BadRequest", "1038: The policy you are trying to create or update contains preview features. Use the Beta endpoint to create or update this policy."), Operation::CreatePolicy, &[]);
    assert!(matches!(&e, GraphError::PreviewFeatures { message } if message.starts_with("1038:")));
    assert!(e.to_string().contains("preview features (error 1038)"));
    let e = map(&graph_error(400, "BadRequest", "1039: Cannot create or update policies with premium P2 features, since the tenant does not have a premium P2 license."), Operation::CreatePolicy, &[]);
    assert!(matches!(e, GraphError::PremiumP2Required { .. }));
    assert!(e.to_string().contains("Microsoft Entra ID P2"));
}

#[test]
fn missing_licence_is_recognised_from_the_message() {
    let e = map(&graph_error(403, "Forbidden", "Tenant does not have a valid AAD Premium license."), Operation::CreatePolicy, &[]);
    assert!(matches!(e, GraphError::LicenceRequired { .. }));
    assert!(e.to_string().contains("Microsoft Entra ID P1"));
}

#[test]
fn validation_errors_are_verbatim_with_the_field() {
    let body = r#"{"error":{"code":"BadRequest","message":"Invalid policy: 'includeUserActions' cannot be combined with 'includeApplications'.","details":[{"code":"InvalidValue","message":"x","target":"conditions.applications"}]}}"#;
    let e = map(&HttpResponse::new(400, body), Operation::CreatePolicy, &[]);
    assert_eq!(
        e.to_string(),
        "Microsoft Graph refused the request (BadRequest, field conditions.applications): Invalid policy: 'includeUserActions' cannot be combined with 'includeApplications'."
    );
    let plain = map(&graph_error(400, "Request_BadRequest", "Invalid value specified for property 'state'."), Operation::CreatePolicy, &[]);
    assert_eq!(plain.to_string(), "Microsoft Graph refused the request (Request_BadRequest): Invalid value specified for property 'state'.");
}

#[test]
fn not_found_and_conflict_say_what_happened() {
    let e = map(&graph_error(404, "ResourceNotFound", "Policy not found"), Operation::UpdatePolicy, &[]);
    assert_eq!(e, GraphError::NotFound { operation: Operation::UpdatePolicy });
    assert!(e.to_string().contains("deleted in the portal"));
    let e = map(&graph_error(409, "Conflict", "Another operation is in progress."), Operation::UpdatePolicy, &[]);
    assert!(e.to_string().contains("Another operation is in progress."));
}

#[test]
fn server_errors_and_throttling_are_named() {
    let e = map(&graph_error(503, "serviceNotAvailable", "Service unavailable"), Operation::ReadPolicies, &[]);
    assert_eq!(e, GraphError::ServerError { status: 503, message: Some("Service unavailable".into()) });
    assert!(e.to_string().contains("HTTP 503"));
    let throttled = map(&graph_error(429, "TooManyRequests", "Too many requests").with_header("Retry-After", "7"), Operation::ReadPolicies, &[]);
    assert_eq!(throttled, GraphError::Throttled { retry_after_ms: Some(7_000) });
    assert!(throttled.to_string().contains("wait 7 s"));
}

#[test]
fn html_error_pages_are_not_taken_for_graph() {
    let page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    assert_eq!(map(&HttpResponse::new(502, page), Operation::ReadPolicies, &[]), GraphError::NotJson { status: 502, title: Some("502 Bad Gateway".into()) });
    // A proxy's 403 page says nothing about roles or consent.
    let e = map(&HttpResponse::new(403, "<html><title>Access blocked by proxy</title></html>"), Operation::CreatePolicy, &[]);
    assert!(matches!(e, GraphError::NotJson { status: 403, .. }));
    assert!(e.to_string().contains("proxy, firewall or captive portal"));
}

#[test]
fn success_bodies_that_are_cut_or_garbled_are_told_apart() {
    assert_eq!(read_json(201, r#"{"id": "7359d0e0", "displayName": "Blo"#), Err(GraphError::Truncated { received_bytes: 38 }));
    let GraphError::MalformedJson { line, column, .. } = read_json(200, "{\n  \"id\": 7359d0e0\n}").unwrap_err() else { panic!() };
    assert_eq!((line, column), (2, 13), "points at the first bad character");
    assert!(matches!(read_json(200, "<html><title>Sign in to Wi-Fi</title></html>"), Err(GraphError::NotJson { .. })));
    assert!(read_json(200, "{}").is_ok());
}

#[test]
fn network_failures_are_ambiguous_for_writes() {
    let timeout = GraphError::from_transport(&TransportFailure::Timeout);
    assert!(timeout.is_ambiguous_for_write());
    assert!(timeout.to_string().contains("did not answer in time"));
    let reset = GraphError::from_transport(&TransportFailure::Network { message: "net::ERR_CONNECTION_RESET".into() });
    assert!(reset.to_string().contains("net::ERR_CONNECTION_RESET"));
    assert!(!GraphError::Invalid { code: "x".into(), message: "y".into(), target: None }.is_ambiguous_for_write());
}

#[test]
fn unexpected_statuses_keep_code_and_message() {
    let e = map(&graph_error(418, "Teapot", "short and stout"), Operation::ReadPolicies, &[]);
    assert_eq!(e.to_string(), "Microsoft Graph answered HTTP 418 (Teapot): short and stout");
}

#[test]
fn retry_after_accepts_seconds_and_http_dates() {
    assert_eq!(parse_retry_after("7", NOW), Some(7_000));
    assert_eq!(parse_retry_after(" 120 ", NOW), Some(120_000));
    assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", NOW), Some(80_000));
    assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", NOW), Some(0), "a past date means no wait");
    assert_eq!(parse_retry_after("soon", NOW), None);
    assert_eq!(parse_retry_after("-5", NOW), None);
    assert_eq!(parse_retry_after("", NOW), None);
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000));
    assert_eq!(parse_http_date("29 Feb 2024 00:00:00 GMT"), Some(1_709_164_800_000));
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 CET"), None);
    assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"), None);
}

#[test]
fn waits_read_as_the_admin_would_say_them() {
    assert_eq!(seconds(7_000), "7 s");
    assert_eq!(seconds(6_001), "7 s");
    assert_eq!(seconds(120_000), "2 min");
    assert_eq!(seconds(125_000), "2 min 5 s");
    assert_eq!(Wait { ms: 7_000, reason: WaitReason::GraphAskedToWait }.message(), "Microsoft Graph asked us to wait 7 s…");
    assert!(Wait { ms: 5_000, reason: WaitReason::CheckingWrite }.message().contains("whether Microsoft Graph saved"));
}

#[test]
fn throttled_reads_wait_as_asked_then_give_up_when_bounded() {
    let policy = RetryPolicy::default();
    let throttled = GraphError::Throttled { retry_after_ms: Some(7_000) };
    let mut attempts = Attempts { made: 1, waited_ms: 0 };
    assert_eq!(
        policy.next_move(Idempotency::Safe, &throttled, &mut attempts, 0),
        NextMove::Retry(Wait { ms: 7_000, reason: WaitReason::GraphAskedToWait })
    );
    assert_eq!(attempts.waited_ms, 7_000);
    // A wait beyond the total budget is not taken.
    let long = GraphError::Throttled { retry_after_ms: Some(600_000) };
    assert_eq!(policy.next_move(Idempotency::Safe, &long, &mut Attempts { made: 1, waited_ms: 0 }, 0), NextMove::GiveUp);
    // Nor is a sixth attempt.
    assert_eq!(policy.next_move(Idempotency::Safe, &throttled, &mut Attempts { made: 5, waited_ms: 0 }, 0), NextMove::GiveUp);
}

#[test]
fn other_read_failures_back_off_exponentially_with_jitter() {
    let policy = RetryPolicy::default();
    let error = GraphError::ServerError { status: 504, message: None };
    let waits: Vec<u64> = (1..=4)
        .map(|made| match policy.next_move(Idempotency::Safe, &error, &mut Attempts { made, waited_ms: 0 }, 0) {
            NextMove::Retry(w) => w.ms,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(waits, [500, 1_000, 2_000, 4_000], "jitter 0 gives the fixed half of 1, 2, 4, 8 s");
    let mut jitter = Jitter::new(99);
    for made in 1..=8 {
        let ms = policy.backoff(made, jitter.next_u32());
        let full = (1_000u64 << (made - 1)).min(30_000);
        assert!(ms >= full / 2 && ms <= full, "attempt {made}: {ms} outside [{}, {full}]", full / 2);
    }
    let no_answer = GraphError::Network { timed_out: true, detail: String::new() };
    assert!(matches!(
        policy.next_move(Idempotency::Safe, &no_answer, &mut Attempts { made: 1, waited_ms: 0 }, 0),
        NextMove::Retry(Wait { reason: WaitReason::NoAnswer, .. })
    ));
}

#[test]
fn ambiguous_post_failures_reconcile_and_never_retry_blindly() {
    let policy = RetryPolicy::default();
    for error in [
        GraphError::Network { timed_out: true, detail: String::new() },
        GraphError::Network { timed_out: false, detail: "reset".into() },
        GraphError::ServerError { status: 500, message: None },
        GraphError::ServerError { status: 503, message: None },
        GraphError::ServerError { status: 504, message: None },
        GraphError::Truncated { received_bytes: 10 },
        GraphError::MalformedJson { line: 1, column: 2, detail: String::new() },
    ] {
        assert_eq!(policy.next_move(Idempotency::Create, &error, &mut Attempts { made: 1, waited_ms: 0 }, 0), NextMove::Reconcile, "{error:?}");
    }
}

#[test]
fn post_client_errors_are_final_and_throttling_waits() {
    let policy = RetryPolicy::default();
    let invalid = GraphError::Invalid { code: "BadRequest".into(), message: "bad".into(), target: None };
    assert_eq!(policy.next_move(Idempotency::Create, &invalid, &mut Attempts { made: 1, waited_ms: 0 }, 0), NextMove::GiveUp);
    let role = GraphError::MissingRole { operation: Operation::CreatePolicy };
    assert_eq!(policy.next_move(Idempotency::Create, &role, &mut Attempts { made: 1, waited_ms: 0 }, 0), NextMove::GiveUp);
    let throttled = GraphError::Throttled { retry_after_ms: Some(3_000) };
    assert_eq!(
        policy.next_move(Idempotency::Create, &throttled, &mut Attempts { made: 1, waited_ms: 0 }, 0),
        NextMove::Retry(Wait { ms: 3_000, reason: WaitReason::GraphAskedToWait })
    );
}

#[test]
fn every_error_serializes_for_the_panel() {
    let e = GraphError::MissingConsent { operation: Operation::CreatePolicy, admin_consent_url: None };
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["kind"], "missingConsent");
    assert_eq!(serde_json::from_value::<GraphError>(json).unwrap(), e);
    assert!(e.to_string().contains("App registrations > your app > API permissions > Grant admin consent"));
}

#[test]
fn a_server_error_quoting_graph_ends_its_sentence_once() {
    let error = GraphError::ServerError { status: 500, message: Some("An error has occurred while processing the request.".into()) };
    let text = error.to_string();
    assert!(text.contains("processing the request. Try again in a few minutes"), "{text}");
    assert!(!text.contains(".."), "{text}");
}

#[test]
fn an_unconfirmed_write_points_at_the_list_it_may_have_changed() {
    let location = GraphError::WriteUnconfirmed { operation: Operation::CreateNamedLocation }.to_string();
    assert!(location.contains("Check the named locations in the portal"), "{location}");
    let policy = GraphError::WriteUnconfirmed { operation: Operation::CreatePolicy }.to_string();
    assert!(policy.contains("Check the Conditional Access policies in the portal"), "{policy}");
}
