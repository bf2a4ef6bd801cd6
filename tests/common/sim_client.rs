//! The extension's client talking to the simulated tenant as the browser would: shared by
//! `tests/sim_client.rs` and the fault matrix (`examples/fault_matrix.rs`).

use registration_guard::context::Cloud;
use registration_guard::graph::auth::{Pkce, SignInContext, SignInRequest, TokenSet};
use registration_guard::graph::{GraphEndpoints, HttpRequest, HttpResponse, Outcome, TransportFailure};
use registration_guard::sim::scenarios::REGISTRATION_GUARD_CLIENT_ID;
use registration_guard::sim::{SimRequest, SimTenant, Transport};

/// 2024-05-01T12:00:00Z.
pub const NOW: u64 = 1_714_564_800_000;
/// The extension's redirect address (`chrome.identity.getRedirectURL()`).
pub const REDIRECT: &str = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/";
const ORIGIN: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";

/// Performs a client request against the simulated tenant as the browser would: the
/// extension's cross-origin `fetch` carries `Origin`; a reset or cut-off answer is a network error.
pub fn perform(t: &mut SimTenant, req: &HttpRequest, now: u64) -> Outcome {
    let mut sim = SimRequest::from_url(req.method.as_str(), &req.url)
        .expect("the client sends absolute https addresses");
    sim.headers = req.headers.clone();
    sim.headers.push(("Origin".to_owned(), ORIGIN.to_owned()));
    sim.body = req.body.clone();
    let res = t.handle(&sim, now);
    match res.transport {
        Transport::Normal => Ok(HttpResponse {
            status: res.status,
            headers: res.headers,
            body: res.body,
        }),
        Transport::Reset | Transport::TruncateAfter { .. } => Err(TransportFailure::Network {
            message: "the connection was closed before the answer ended".to_owned(),
        }),
    }
}

/// Signs in with the extension's own PKCE code flow at `NOW`; the tokens arrive a second later.
pub fn sign_in(t: &mut SimTenant, cloud: Cloud) -> TokenSet {
    let endpoints = GraphEndpoints::for_cloud(cloud);
    let request = SignInRequest {
        scopes: registration_guard::graph::auth::base_scopes(&endpoints),
        endpoints,
        tenant: "organizations".to_owned(),
        client_id: REGISTRATION_GUARD_CLIENT_ID.to_owned(),
        redirect_uri: REDIRECT.to_owned(),
        state: "0f9e8d7c6b5a".to_owned(),
        pkce: Pkce::from_random(&[7; 32]),
        login_hint: None,
        prompt: None,
    };
    let authorize = SimRequest::from_url("GET", &request.authorize_url()).unwrap();
    let res = t.handle(&authorize, NOW);
    let location = res
        .header("Location")
        .unwrap_or_else(|| panic!("no redirect: {} {}", res.status, res.body))
        .to_owned();
    let code = request
        .parse_redirect(&location)
        .expect("the redirect carries a code");
    let answer = perform(t, &request.token_request(&code), NOW + 1_000).unwrap();
    TokenSet::from_token_response(
        answer.status,
        &answer.body,
        NOW + 1_000,
        &SignInContext::from(&request),
        None,
    )
    .expect("the token answer is accepted")
}
