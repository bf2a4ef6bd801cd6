//! Sign-in core: PKCE, authorize URLs per cloud, token requests, redirect and token-response
//! reading, the stored-token decision, and the admin-facing sign-in errors.

use registration_guard::context::Cloud;
use registration_guard::graph::auth::{
    admin_consent_url, base_scopes, plan_sign_in, refresh_request, scopes_cover, scopes_for, Account, Feature, Pkce,
    Prompt, SignInContext, SignInError, SignInPlan, SignInRequest, TokenSet, SPA_REFRESH_LIFETIME_MS,
};
use registration_guard::graph::codec::{
    base64url_decode, base64url_encode, form_encode, parse_query, percent_decode, percent_encode, sha256,
};
use registration_guard::graph::{GraphEndpoints, Method, TransportFailure};

const CLIENT: &str = "0b6c7a1e-1111-4e2d-9c55-3a2f6f3f0a10";
const REDIRECT: &str = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/";
const NOW: u64 = 1_700_000_000_000;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn request(cloud: Cloud) -> SignInRequest {
    let endpoints = GraphEndpoints::for_cloud(cloud);
    SignInRequest {
        scopes: base_scopes(&endpoints),
        endpoints,
        tenant: "organizations".into(),
        client_id: CLIENT.into(),
        redirect_uri: REDIRECT.into(),
        state: "st4te-value".into(),
        pkce: Pkce::from_random(&[42; 32]),
        login_hint: None,
        prompt: None,
    }
}

fn query_of(url: &str) -> Vec<(String, String)> {
    parse_query(url.split_once('?').expect("URL has a query").1)
}

fn param(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

fn id_token(claims: &str) -> String {
    format!("{}.{}.sig", base64url_encode(br#"{"alg":"RS256","typ":"JWT"}"#), base64url_encode(claims.as_bytes()))
}

#[test]
fn sha256_matches_fips_vectors() {
    assert_eq!(hex(&sha256(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(hex(&sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(
        hex(&sha256(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    // Exactly one block of input: padding spills into a second block.
    assert_eq!(hex(&sha256(&[b'a'; 64])), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

#[test]
fn pkce_matches_rfc7636_appendix_b() {
    let random = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191,
        240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    let pkce = Pkce::from_random(&random);
    assert_eq!(pkce.verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_eq!(pkce.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    assert_eq!(pkce.verifier.len(), 43);
    assert!(!format!("{pkce:?}").contains(&pkce.verifier), "Debug must not print the verifier");
}

#[test]
fn base64url_round_trips_every_length_and_rejects_garbage() {
    for len in 0..40u8 {
        let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37).wrapping_add(250)).collect();
        let encoded = base64url_encode(&bytes);
        assert!(!encoded.contains(['+', '/', '=']));
        assert_eq!(base64url_decode(&encoded).unwrap(), bytes);
    }
    assert_eq!(base64url_decode("aGk=").unwrap(), b"hi");
    assert_eq!(base64url_decode("a+/="), base64url_decode("a-_"));
    assert_eq!(base64url_decode("ab$c"), None);
    assert_eq!(base64url_decode("abcde"), None);
}

#[test]
fn form_encoding_escapes_everything_but_unreserved_and_decodes_back() {
    assert_eq!(percent_encode("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
    assert_eq!(form_encode(&[("scope", "openid profile"), ("x", "1+1")]), "scope=openid%20profile&x=1%2B1");
    assert_eq!(percent_decode("a+b%20c%2"), "a b c%2");
    assert_eq!(percent_decode("%ZZ%C3%A9"), "%ZZé");
    assert_eq!(percent_decode("%FF"), "\u{fffd}");
}

#[test]
fn authorize_url_global_carries_every_pkce_parameter() {
    let mut req = request(Cloud::Global);
    req.login_hint = Some("admin@contoso.onmicrosoft.com".into());
    req.prompt = Some(Prompt::None);
    let url = req.authorize_url();
    assert!(url.starts_with("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?"), "{url}");
    let q = query_of(&url);
    assert_eq!(param(&q, "client_id").as_deref(), Some(CLIENT));
    assert_eq!(param(&q, "response_type").as_deref(), Some("code"));
    assert_eq!(param(&q, "redirect_uri").as_deref(), Some(REDIRECT));
    assert_eq!(param(&q, "state").as_deref(), Some("st4te-value"));
    assert_eq!(param(&q, "code_challenge"), Some(req.pkce.challenge.clone()));
    assert_eq!(param(&q, "code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(param(&q, "login_hint").as_deref(), Some("admin@contoso.onmicrosoft.com"));
    assert_eq!(param(&q, "prompt").as_deref(), Some("none"));
    assert_eq!(
        param(&q, "scope").as_deref(),
        Some(
            "openid profile offline_access https://graph.microsoft.com/User.Read \
             https://graph.microsoft.com/Policy.Read.All https://graph.microsoft.com/Policy.ReadWrite.ConditionalAccess"
        )
    );
    assert!(!url.contains(&req.pkce.verifier), "the verifier never leaves the extension");
    assert!(!url.contains(' '));
}

#[test]
fn us_government_signs_in_at_microsoftonline_us_with_graph_us_scopes() {
    let mut req = request(Cloud::UsGovernment);
    req.tenant = "contoso.onmicrosoft.us".into();
    req.prompt = Some(Prompt::SelectAccount);
    let url = req.authorize_url();
    assert!(url.starts_with("https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/authorize?"));
    let scope = param(&query_of(&url), "scope").unwrap();
    assert!(scope.contains("https://graph.microsoft.us/Policy.ReadWrite.ConditionalAccess"));
    assert!(!scope.contains("graph.microsoft.com"));
    assert_eq!(param(&query_of(&url), "prompt").as_deref(), Some("select_account"));
}

#[test]
fn china_and_dod_use_their_own_hosts() {
    let url = request(Cloud::China).authorize_url();
    assert!(url.starts_with("https://login.chinacloudapi.cn/"));
    assert!(param(&query_of(&url), "scope").unwrap().contains("https://microsoftgraph.chinacloudapi.cn/Policy.Read.All"));
    let dod = GraphEndpoints::us_government_dod();
    assert_eq!(dod.login_host, "login.microsoftonline.us");
    assert!(base_scopes(&dod).contains(&"https://dod-graph.microsoft.us/Policy.Read.All".to_string()));
}

#[test]
fn feature_scopes_are_added_only_when_asked_and_once() {
    let endpoints = GraphEndpoints::for_cloud(Cloud::Global);
    assert!(!base_scopes(&endpoints).iter().any(|s| s.ends_with("AuditLog.Read.All")));
    let scopes = scopes_for(&endpoints, &[Feature::SignInLogs, Feature::UserPicker, Feature::SignInLogs]);
    assert_eq!(scopes.iter().filter(|s| s.ends_with("/AuditLog.Read.All")).count(), 1);
    assert!(scopes.contains(&"https://graph.microsoft.com/User.ReadBasic.All".to_string()));
    assert!(scopes_for(&endpoints, &[Feature::UserDetails]).contains(&"https://graph.microsoft.com/User.Read.All".into()));
    assert!(scopes_for(&endpoints, &[Feature::LicenceCheck])
        .contains(&"https://graph.microsoft.com/LicenseAssignment.Read.All".into()));
}

#[test]
fn token_request_is_a_form_post_with_verifier_and_code() {
    let req = request(Cloud::Global);
    let http = req.token_request("0.AAA code/with+chars");
    assert_eq!(http.method, Method::Post);
    assert_eq!(http.url, "https://login.microsoftonline.com/organizations/oauth2/v2.0/token");
    assert_eq!(http.header("content-type"), Some("application/x-www-form-urlencoded"));
    let form = parse_query(http.body.as_deref().unwrap());
    assert_eq!(param(&form, "grant_type").as_deref(), Some("authorization_code"));
    assert_eq!(param(&form, "code").as_deref(), Some("0.AAA code/with+chars"));
    assert_eq!(param(&form, "code_verifier"), Some(req.pkce.verifier.clone()));
    assert_eq!(param(&form, "redirect_uri").as_deref(), Some(REDIRECT));
    assert_eq!(param(&form, "client_id").as_deref(), Some(CLIENT));
    assert!(http.body.unwrap().contains("code=0.AAA%20code%2Fwith%2Bchars"));
}

#[test]
fn refresh_request_targets_the_account_tenant() {
    let endpoints = GraphEndpoints::for_cloud(Cloud::UsGovernment);
    let http = refresh_request(&endpoints, "72f988bf-86f1-41af-91ab-2d7cd011db47", CLIENT, "r&t=1", &base_scopes(&endpoints));
    assert_eq!(http.url, "https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token");
    let form = parse_query(http.body.as_deref().unwrap());
    assert_eq!(param(&form, "grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(param(&form, "refresh_token").as_deref(), Some("r&t=1"));
    assert!(param(&form, "scope").unwrap().contains("https://graph.microsoft.us/Policy.Read.All"));
}

#[test]
fn redirect_with_code_and_our_state_yields_the_code() {
    let req = request(Cloud::Global);
    let code = req.parse_redirect(&format!("{REDIRECT}?code=0.ABC%2Bdef&state=st4te-value&session_state=x"));
    assert_eq!(code.unwrap(), "0.ABC+def");
    // Some flows answer in the fragment.
    assert_eq!(req.parse_redirect(&format!("{REDIRECT}#code=frag&state=st4te-value")).unwrap(), "frag");
}

#[test]
fn redirect_with_another_state_is_refused() {
    let req = request(Cloud::Global);
    let err = req.parse_redirect(&format!("{REDIRECT}?code=abc&state=forged")).unwrap_err();
    assert_eq!(err, SignInError::StateMismatch);
    assert_eq!(req.parse_redirect(&format!("{REDIRECT}?code=abc")).unwrap_err(), SignInError::StateMismatch);
    assert!(err.to_string().contains("ignored"));
}

#[test]
fn redirect_to_another_address_or_without_code_is_refused() {
    let req = request(Cloud::Global);
    assert_eq!(
        req.parse_redirect("https://evil.example/?code=abc&state=st4te-value").unwrap_err(),
        SignInError::UnexpectedRedirect
    );
    assert!(matches!(
        req.parse_redirect(&format!("{REDIRECT}?state=st4te-value")).unwrap_err(),
        SignInError::MalformedResponse { .. }
    ));
}

fn redirect_error(error: &str, description: &str) -> SignInError {
    let req = request(Cloud::Global);
    let url = format!("{REDIRECT}?{}", form_encode(&[("error", error), ("error_description", description), ("state", "st4te-value")]));
    req.parse_redirect(&url).unwrap_err()
}

#[test]
fn unregistered_redirect_uri_tells_exactly_what_to_add_where() {
    let err = redirect_error(
        "invalid_request",
        "AADSTS50011: The redirect URI 'https://x.chromiumapp.org/' specified in the request does not match the redirect URIs configured for the application.",
    );
    assert_eq!(err, SignInError::RedirectUriNotRegistered { redirect_uri: REDIRECT.into() });
    let text = err.to_string();
    assert!(text.contains("In Entra ID > App registrations > your app > Authentication, add"), "{text}");
    assert!(text.contains(REDIRECT) && text.contains("under Single-page application"), "{text}");
}

#[test]
fn redirect_uri_on_the_web_platform_says_to_move_it_to_spa() {
    let err = redirect_error(
        "invalid_request",
        "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
    );
    assert_eq!(err, SignInError::RedirectUriWrongPlatform { redirect_uri: REDIRECT.into() });
    assert!(err.to_string().contains(REDIRECT));
    assert!(err.to_string().contains("Single-page application"));
}

#[test]
fn missing_consent_gives_the_admin_consent_link() {
    let err = redirect_error("consent_required", "AADSTS65001: The user or administrator has not consented to use the application.");
    let SignInError::ConsentRequired { admin_consent_url } = &err else { panic!("{err:?}") };
    assert!(admin_consent_url.starts_with("https://login.microsoftonline.com/organizations/v2.0/adminconsent?client_id="));
    let q = query_of(admin_consent_url);
    assert_eq!(param(&q, "redirect_uri").as_deref(), Some(REDIRECT));
    let scope = param(&q, "scope").unwrap();
    assert!(scope.contains("https://graph.microsoft.com/Policy.ReadWrite.ConditionalAccess"));
    assert!(!scope.contains("openid"), "OpenID scopes need no consent");
    assert!(err.to_string().contains(admin_consent_url.as_str()));
}

#[test]
fn admin_consent_link_uses_the_cloud_and_tenant() {
    let endpoints = GraphEndpoints::for_cloud(Cloud::China);
    let url = admin_consent_url(&endpoints, "contoso.partner.onmschina.cn", CLIENT, REDIRECT, &base_scopes(&endpoints));
    assert!(url.starts_with("https://login.chinacloudapi.cn/contoso.partner.onmschina.cn/v2.0/adminconsent?"));
}

#[test]
fn user_cancelling_is_not_an_error_banner() {
    assert_eq!(SignInError::from_flow_failure("The user did not approve access."), SignInError::Cancelled);
    assert!(SignInError::from_flow_failure("The user did not approve access.").is_cancellation());
    assert_eq!(redirect_error("access_denied", "AADSTS65004: User declined to consent to access the app."), SignInError::Cancelled);
    assert_eq!(SignInError::from_flow_failure("User interaction required."), SignInError::InteractionRequired);
    let other = SignInError::from_flow_failure("Authorization page could not be loaded.");
    assert!(other.to_string().contains("Authorization page could not be loaded."));
}

#[test]
fn silent_sign_in_needing_ui_asks_for_interactive() {
    assert_eq!(redirect_error("interaction_required", "AADSTS50076: MFA required"), SignInError::InteractionRequired);
    assert_eq!(redirect_error("login_required", "AADSTS50058: A silent sign-in request was sent but no user is signed in."), SignInError::InteractionRequired);
}

#[test]
fn unknown_errors_keep_code_and_description_verbatim() {
    let err = redirect_error("server_error", "AADSTS90033: A transient error has occurred. Please try again.");
    assert_eq!(
        err,
        SignInError::Other {
            error: "server_error".into(),
            description: "AADSTS90033: A transient error has occurred. Please try again.".into()
        }
    );
    assert!(err.to_string().contains("AADSTS90033: A transient error has occurred."));
}

fn ctx() -> SignInContext {
    SignInContext::from(&request(Cloud::Global))
}

#[test]
fn token_response_becomes_a_token_set_with_the_account() {
    let token = id_token(
        r#"{"tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","oid":"4bd8e8a1-0000-4000-8000-000000000001","preferred_username":"admin@contoso.com","name":"Ada Admin"}"#,
    );
    let body = format!(
        r#"{{"token_type":"Bearer","scope":"https://graph.microsoft.com/Policy.Read.All https://graph.microsoft.com/Policy.ReadWrite.ConditionalAccess https://graph.microsoft.com/User.Read","expires_in":4779,"ext_expires_in":4779,"access_token":"eyJ0eXAi.secret","refresh_token":"0.AVE.refresh","id_token":"{token}"}}"#
    );
    let set = TokenSet::from_token_response(200, &body, NOW, &ctx(), None).unwrap();
    assert_eq!(set.access_token, "eyJ0eXAi.secret");
    assert_eq!(set.expires_at_ms, NOW + 4_779_000);
    assert_eq!(set.refresh_expires_at_ms, Some(NOW + SPA_REFRESH_LIFETIME_MS));
    assert_eq!(set.scopes.len(), 3);
    let account = set.account.clone().unwrap();
    assert_eq!(account.tenant_id.as_deref(), Some("72f988bf-86f1-41af-91ab-2d7cd011db47"));
    assert_eq!(account.username.as_deref(), Some("admin@contoso.com"));
    assert_eq!(account.display_name.as_deref(), Some("Ada Admin"));
    let debug = format!("{set:?}");
    assert!(!debug.contains("secret") && !debug.contains("0.AVE"), "tokens never appear in Debug: {debug}");
}

#[test]
fn refresh_answer_without_id_token_keeps_the_previous_account() {
    let previous = Account { username: Some("admin@contoso.com".into()), ..Account::default() };
    let set = TokenSet::from_token_response(
        200,
        r#"{"access_token":"a","expires_in":"3599","scope":"User.Read"}"#,
        NOW,
        &ctx(),
        Some(previous.clone()),
    )
    .unwrap();
    assert_eq!(set.account, Some(previous));
    assert_eq!(set.expires_at_ms, NOW + 3_599_000);
    assert_eq!(set.refresh_token, None);
}

#[test]
fn unreadable_id_token_leaves_the_account_unknown() {
    assert_eq!(Account::from_id_token("not-a-jwt"), None);
    assert_eq!(Account::from_id_token("a.!!!.c"), None);
    assert_eq!(Account::from_id_token(&format!("a.{}.c", base64url_encode(b"[1,2]"))).unwrap(), Account::default());
}

#[test]
fn expired_spa_refresh_token_means_authorize_again() {
    for (code, text) in [
        (700084, "AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended."),
        (70043, "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access."),
    ] {
        let body = format!(r#"{{"error":"invalid_grant","error_description":"{text}","error_codes":[{code}],"trace_id":"t"}}"#);
        assert_eq!(TokenSet::from_token_response(400, &body, NOW, &ctx(), None).unwrap_err(), SignInError::RefreshExpired);
    }
    // The code alone (description without the prefix) is enough.
    let body = r#"{"error":"invalid_request","error_description":"Redirect URI mismatch.","error_codes":[50011]}"#;
    assert_eq!(
        TokenSet::from_token_response(400, body, NOW, &ctx(), None).unwrap_err(),
        SignInError::RedirectUriNotRegistered { redirect_uri: REDIRECT.into() }
    );
}

#[test]
fn token_endpoint_spa_platform_error_maps_to_wrong_platform() {
    let body = r#"{"error":"invalid_request","error_description":"AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: 'chrome-extension://abc'.","error_codes":[9002326]}"#;
    assert!(matches!(
        TokenSet::from_token_response(400, body, NOW, &ctx(), None).unwrap_err(),
        SignInError::RedirectUriWrongPlatform { .. }
    ));
}

#[test]
fn malformed_token_answers_are_errors_not_panics() {
    for (status, body) in [(200, "<html>proxy</html>"), (200, r#"{"token_type":"Bearer"}"#), (200, ""), (502, "{")] {
        assert!(matches!(
            TokenSet::from_token_response(status, body, NOW, &ctx(), None).unwrap_err(),
            SignInError::MalformedResponse { .. }
        ));
    }
}

fn tokens(expires_at_ms: u64, refresh: Option<u64>) -> TokenSet {
    TokenSet {
        access_token: "a".into(),
        refresh_token: refresh.map(|_| "r".into()),
        expires_at_ms,
        refresh_expires_at_ms: refresh,
        scopes: vec!["https://graph.microsoft.com/Policy.Read.All".into(), "Policy.ReadWrite.ConditionalAccess".into(), "User.Read".into()],
        account: Some(Account {
            tenant_id: Some("tid-1".into()),
            object_id: Some("oid-1".into()),
            username: Some("admin@contoso.com".into()),
            display_name: None,
        }),
    }
}

#[test]
fn sign_in_plan_prefers_the_cheapest_working_path() {
    let wanted = base_scopes(&GraphEndpoints::for_cloud(Cloud::Global));
    let hour = 3_600_000;
    assert_eq!(plan_sign_in(Some(&tokens(NOW + hour, Some(NOW + 20 * hour))), NOW, &wanted), SignInPlan::UseAccessToken);
    // Expiring within the safety margin: refresh.
    assert_eq!(
        plan_sign_in(Some(&tokens(NOW + 60_000, Some(NOW + hour))), NOW, &wanted),
        SignInPlan::Refresh { tenant: "tid-1".into() }
    );
    // Refresh token past its 24 hours: silent authorize with the account as hint.
    assert_eq!(
        plan_sign_in(Some(&tokens(NOW - 1, Some(NOW - 1))), NOW, &wanted),
        SignInPlan::SilentAuthorize { tenant: "tid-1".into(), login_hint: "admin@contoso.com".into() }
    );
    // A feature needing a new scope: authorize again (incremental consent), silently first.
    let more = scopes_for(&GraphEndpoints::for_cloud(Cloud::Global), &[Feature::SignInLogs]);
    assert!(matches!(plan_sign_in(Some(&tokens(NOW + hour, Some(NOW + hour))), NOW, &more), SignInPlan::SilentAuthorize { .. }));
    // Nothing known about the account: interactive.
    let mut anonymous = tokens(NOW - 1, None);
    anonymous.account = None;
    assert_eq!(plan_sign_in(Some(&anonymous), NOW, &wanted), SignInPlan::Interactive { tenant: None, login_hint: None });
}

#[test]
fn granted_scopes_are_compared_without_host_or_case() {
    let granted = vec!["https://graph.microsoft.com/policy.read.all".to_string(), "User.Read".to_string()];
    assert!(scopes_cover(&granted, &["openid".into(), "https://graph.microsoft.com/Policy.Read.All".into()]));
    assert!(!scopes_cover(&granted, &["https://graph.microsoft.com/Policy.ReadWrite.ConditionalAccess".into()]));
}

/// Sign-in failures cross from the background to the panel as JSON: every kind keeps its exact
/// shape (the tag in `kind`, fields as named in Rust) and reads back to the same error.
#[test]
fn sign_in_errors_cross_contexts_in_their_wire_shape() {
    let cases = [
        (
            SignInError::RedirectUriNotRegistered { redirect_uri: REDIRECT.into() },
            serde_json::json!({"kind": "redirectUriNotRegistered", "redirect_uri": REDIRECT}),
        ),
        (
            SignInError::RedirectUriWrongPlatform { redirect_uri: REDIRECT.into() },
            serde_json::json!({"kind": "redirectUriWrongPlatform", "redirect_uri": REDIRECT}),
        ),
        (
            SignInError::ConsentRequired { admin_consent_url: "https://consent".into() },
            serde_json::json!({"kind": "consentRequired", "admin_consent_url": "https://consent"}),
        ),
        (SignInError::Cancelled, serde_json::json!({"kind": "cancelled"})),
        (SignInError::InteractionRequired, serde_json::json!({"kind": "interactionRequired"})),
        (SignInError::RefreshExpired, serde_json::json!({"kind": "refreshExpired"})),
        (SignInError::StateMismatch, serde_json::json!({"kind": "stateMismatch"})),
        (SignInError::UnexpectedRedirect, serde_json::json!({"kind": "unexpectedRedirect"})),
        (
            SignInError::MalformedResponse { detail: "not JSON".into() },
            serde_json::json!({"kind": "malformedResponse", "detail": "not JSON"}),
        ),
        (
            SignInError::Other { error: "server_error".into(), description: "AADSTS90000".into() },
            serde_json::json!({"kind": "other", "error": "server_error", "description": "AADSTS90000"}),
        ),
    ];
    for (error, wire) in cases {
        assert_eq!(serde_json::to_value(&error).unwrap(), wire);
        assert_eq!(serde_json::from_value::<SignInError>(wire).unwrap(), error);
    }
}

#[test]
fn sign_in_errors_with_a_missing_field_or_unknown_kind_are_refused() {
    let missing = serde_json::from_value::<SignInError>(serde_json::json!({"kind": "redirectUriNotRegistered"}));
    assert!(missing.unwrap_err().to_string().contains("missing field `redirect_uri`"));
    let unknown = serde_json::from_value::<SignInError>(serde_json::json!({"kind": "gone"}));
    assert!(unknown.unwrap_err().to_string().contains("unknown variant `gone`"));
    assert!(serde_json::from_value::<SignInError>(serde_json::json!({"redirect_uri": REDIRECT})).is_err());
}

#[test]
fn transport_failures_cross_contexts_in_their_wire_shape() {
    let cases = [
        (TransportFailure::Timeout, serde_json::json!({"kind": "timeout"})),
        (
            TransportFailure::Network { message: "reset".into() },
            serde_json::json!({"kind": "network", "message": "reset"}),
        ),
    ];
    for (failure, wire) in cases {
        assert_eq!(serde_json::to_value(&failure).unwrap(), wire);
        assert_eq!(serde_json::from_value::<TransportFailure>(wire).unwrap(), failure);
    }
    let missing = serde_json::from_value::<TransportFailure>(serde_json::json!({"kind": "network"}));
    assert!(missing.unwrap_err().to_string().contains("missing field `message`"));
}
