//! Graph and sign-in answers: the preflight `$batch` answer (with its inner responses, pages
//! and retries), error bodies with `Retry-After`, and token endpoint answers with id tokens.
//!
//! Input layout: byte 0 picks the decoder, byte 1 the HTTP status; the rest is the body. For
//! error bodies the first line is the `Retry-After` header value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registration_guard::context::Cloud;
use registration_guard::graph::auth::{Account, SignInContext, TokenSet};
use registration_guard::graph::batch::{Preflight, PreflightStep};
use registration_guard::graph::errors::{read_json, ErrorContext, GraphError, Operation};
use registration_guard::graph::retry::RetryPolicy;
use registration_guard::graph::{GraphEndpoints, HttpResponse};

const STATUSES: [u16; 12] = [200, 200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 503];
/// 2026-01-01T00:00:00Z: the shell passes `Date.now()`.
const NOW_MS: u64 = 1_767_225_600_000;

fuzz_target!(|data: &[u8]| {
    let [decoder, status, rest @ ..] = data else { return };
    let status = STATUSES[usize::from(*status) % STATUSES.len()];
    let body = String::from_utf8_lossy(rest).into_owned();
    match decoder % 3 {
        0 => preflight(status, body),
        1 => error(status, &body),
        _ => token(status, &body),
    }
});

/// Feeds the same answer to every request the preflight makes until it ends.
fn preflight(status: u16, body: String) {
    let ctx = ErrorContext { granted_scopes: vec!["Policy.Read.All".into()], admin_consent_url: None };
    let mut preflight = Preflight::new(GraphEndpoints::for_cloud(Cloud::Global), ctx, RetryPolicy::default(), 7);
    let mut step = preflight.start();
    let mut now = NOW_MS;
    for _ in 0..12 {
        step = match step {
            PreflightStep::Send { request, wait } => {
                assert!(request.url.starts_with("https://graph.microsoft.com/"), "request leaves Graph: {}", request.url);
                now += wait.map_or(0, |w| w.ms) + 100;
                preflight.on_response(Ok(HttpResponse::new(status, body.clone())), now)
            }
            PreflightStep::SignInNeeded => preflight.resume(),
            PreflightStep::Done { read } => {
                for note in &read.notes {
                    assert!(!note.to_string().is_empty());
                }
                return;
            }
            PreflightStep::Failed { error } => {
                assert!(!error.to_string().is_empty());
                return;
            }
        };
    }
    assert!(preflight.round_trips() <= 13);
}

fn error(status: u16, text: &str) {
    let (retry_after, body) = text.split_once('\n').unwrap_or(("", text));
    let response = HttpResponse::new(status, body).with_header("Retry-After", retry_after);
    let ctx = ErrorContext::default();
    for operation in [Operation::ReadPolicies, Operation::ReadProfile] {
        let error = GraphError::from_response(&response, operation, &ctx, NOW_MS);
        assert!(!error.to_string().is_empty());
        error.is_ambiguous_for_write();
    }
    if let Err(error) = read_json(status, body) {
        assert!(!error.to_string().is_empty());
    }
}

fn token(status: u16, body: &str) {
    let ctx = SignInContext {
        redirect_uri: "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/".into(),
        admin_consent_url: "https://login.microsoftonline.com/organizations/v2.0/adminconsent".into(),
    };
    match TokenSet::from_token_response(status, body, NOW_MS, &ctx, None) {
        Ok(tokens) => {
            assert!(!tokens.access_token.is_empty());
            assert!(tokens.expires_at_ms >= NOW_MS);
            // Debug output lands in logs: it must never carry the tokens.
            // (Unless the answer put the same text in a field that is printed.)
            let printed = format!("{:?}{:?}", tokens.scopes, tokens.account);
            if !printed.contains(&tokens.access_token) {
                assert!(!format!("{tokens:?}").contains(&tokens.access_token), "Debug prints the access token");
            }
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
    Account::from_id_token(body);
}
