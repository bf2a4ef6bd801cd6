//! The simulated tenant's identity platform: authorize and token endpoints, PKCE, the
//! single-page-application rules, consent, silent sign-in, refresh tokens, clouds, faults.

use registration_guard::graph::codec::{base64url_decode, parse_query};
use registration_guard::sim::scenarios::*;
use registration_guard::sim::{
    ConsentAnswer, Fault, FaultRule, SimRequest, SimResponse, SimTenant,
};
use serde_json::Value;

/// 2024-05-01T12:00:00Z.
const NOW: u64 = 1_714_564_800_000;
const REDIRECT: &str = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/";
const ORIGIN: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
/// A PKCE pair computed independently (Python's hashlib): base64url(SHA-256(verifier)).
const VERIFIER: &str = "dBjftJeZ4CVP-mJ0kBtUQOZ1lS2_-SUuWW3k2GEMoO6";
const CHALLENGE: &str = "tdi0dHQDNrYve8k6PXnVTnsqL3e4lVi-vikr46Q17Kg";
const SCOPE: &str = "https://graph.microsoft.com/User.Read https://graph.microsoft.com/Policy.Read.All https://graph.microsoft.com/Policy.ReadWrite.ConditionalAccess openid profile offline_access";
const TENANT: &str = "contoso.onmicrosoft.com";

fn tenant() -> SimTenant {
    SimTenant::contoso_demo().with_extension_app(REDIRECT, true)
}

fn authorize_url(extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("client_id", REGISTRATION_GUARD_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", SCOPE),
        ("state", "st-123"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in extra {
        pairs.retain(|(pk, _)| pk != k);
        if !v.is_empty() {
            pairs.push((*k, *v));
        }
    }
    format!(
        "/{TENANT}/oauth2/v2.0/authorize?{}",
        registration_guard::graph::codec::form_encode(&pairs)
    )
}

fn authorize(t: &mut SimTenant, extra: &[(&str, &str)]) -> SimResponse {
    t.handle_login(&SimRequest::new("GET", &authorize_url(extra)), NOW)
}

/// The query of the redirect the browser is sent to.
fn redirected(res: &SimResponse) -> Vec<(String, String)> {
    assert_eq!(
        res.status, 302,
        "expected a redirect, got {}: {}",
        res.status, res.body
    );
    let location = res.header("Location").unwrap();
    let query = location
        .strip_prefix(REDIRECT)
        .and_then(|q| q.strip_prefix('?'))
        .unwrap_or_else(|| panic!("redirect to {location}"));
    parse_query(query)
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn code(t: &mut SimTenant) -> String {
    let pairs = redirected(&authorize(t, &[]));
    value(&pairs, "code").expect("a code").to_owned()
}

fn redeem(
    t: &mut SimTenant,
    code: &str,
    verifier: &str,
    origin: Option<&str>,
    now: u64,
) -> SimResponse {
    let mut req = SimRequest::new("POST", &format!("/{TENANT}/oauth2/v2.0/token")).form(&[
        ("client_id", REGISTRATION_GUARD_CLIENT_ID),
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
        ("scope", SCOPE),
    ]);
    if let Some(origin) = origin {
        req = req.header("Origin", origin);
    }
    t.handle_login(&req, now)
}

/// Asserts the v2 token endpoint's error shape; returns (error, AADSTS number).
fn token_error(res: &SimResponse, status: u16) -> (String, u64) {
    assert_eq!(res.status, status, "{}", res.body);
    let body = res.json();
    let code = body["error_codes"][0].as_u64().unwrap();
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    assert!(
        description.contains("\r\nTrace ID: ") && description.contains("\r\nCorrelation ID: "),
        "{description}"
    );
    assert!(
        description.ends_with("Timestamp: 2024-05-01 12:00:00Z")
            || description.contains("Timestamp: 2024-"),
        "{description}"
    );
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["trace_id"].as_str().unwrap().len(), 36);
    assert_eq!(body["correlation_id"].as_str().unwrap().len(), 36);
    assert_eq!(
        body["error_uri"],
        format!("https://login.microsoftonline.com/error?code={code}")
    );
    (body["error"].as_str().unwrap().to_owned(), code)
}

/// Asserts a redirect carrying an error; returns (error, description).
fn redirect_error(res: &SimResponse) -> (String, String) {
    let pairs = redirected(res);
    assert_eq!(value(&pairs, "state"), Some("st-123"));
    assert!(value(&pairs, "code").is_none());
    (
        value(&pairs, "error").unwrap().to_owned(),
        value(&pairs, "error_description").unwrap().to_owned(),
    )
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64url_decode(payload).unwrap()).unwrap()
}

#[test]
fn authorize_redirects_with_a_code_and_the_state() {
    let mut t = tenant();
    let pairs = redirected(&authorize(&mut t, &[]));
    assert_eq!(value(&pairs, "state"), Some("st-123"));
    assert!(value(&pairs, "code").unwrap().starts_with("1.A"));
    assert_eq!(
        t.sessions.len(),
        1,
        "the interactive sign-in opened a browser session"
    );
}

#[test]
fn code_redeemed_with_the_right_verifier_gives_tokens_that_graph_accepts() {
    let mut t = tenant();
    let code = code(&mut t);
    let res = redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW + 5_000);
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("Access-Control-Allow-Origin"), Some(ORIGIN));
    let body = res.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(
        body["refresh_token_expires_in"], 86_400,
        "24 hours from the redemption"
    );
    let scope = body["scope"].as_str().unwrap();
    assert!(
        scope.contains("https://graph.microsoft.com/Policy.ReadWrite.ConditionalAccess"),
        "{scope}"
    );
    assert!(scope.starts_with("openid profile"), "{scope}");
    assert!(!scope.contains("offline_access"));

    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], REGISTRATION_GUARD_CLIENT_ID);
    assert_eq!(id["tid"], CONTOSO_TENANT_ID);
    assert_eq!(id["oid"], ADMIN_ID);
    assert_eq!(id["preferred_username"], "PattiF@contoso.onmicrosoft.com");
    assert_eq!(id["name"], "Patti Fernandez");

    let access = body["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["aud"], "https://graph.microsoft.com");
    let me = t.handle(
        &SimRequest::from_url("GET", "https://graph.microsoft.com/v1.0/me")
            .unwrap()
            .bearer(access),
        NOW + 6_000,
    );
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["id"], ADMIN_ID);
    let policies = SimRequest::from_url(
        "GET",
        "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies",
    )
    .unwrap();
    assert_eq!(t.handle(&policies.bearer(access), NOW + 6_000).status, 200);
}

#[test]
fn a_wrong_verifier_is_refused_and_leaves_the_code_unspent() {
    let mut t = tenant();
    let code = code(&mut t);
    let wrong = "dBjftJeZ4CVP-mJ0kBtUQOZ1lS2_-SUuWW3k2GEMoO7";
    let (error, number) = token_error(&redeem(&mut t, &code, wrong, Some(ORIGIN), NOW), 400);
    assert_eq!((error.as_str(), number), ("invalid_grant", 501481));
    assert_eq!(
        redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW).status,
        200
    );
}

#[test]
fn a_code_is_single_use() {
    let mut t = tenant();
    let code = code(&mut t);
    assert_eq!(
        redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW).status,
        200
    );
    let (error, number) = token_error(&redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW), 400);
    assert_eq!((error.as_str(), number), ("invalid_grant", 54005));
}

#[test]
fn a_code_expires_after_ten_minutes() {
    let mut t = tenant();
    let code = code(&mut t);
    let (error, number) = token_error(
        &redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW + 10 * 60 * 1000),
        400,
    );
    assert_eq!((error.as_str(), number), ("invalid_grant", 70008));
    let code = self::code(&mut t);
    assert_eq!(
        redeem(
            &mut t,
            &code,
            VERIFIER,
            Some(ORIGIN),
            NOW + 10 * 60 * 1000 - 1
        )
        .status,
        200
    );
}

#[test]
fn an_unknown_code_is_not_valid() {
    let mut t = tenant();
    let (error, number) = token_error(
        &redeem(&mut t, "1.Aforged", VERIFIER, Some(ORIGIN), NOW),
        400,
    );
    assert_eq!((error.as_str(), number), ("invalid_grant", 70000));
}

#[test]
fn spa_redemption_without_origin_is_refused() {
    let mut t = tenant();
    let code = code(&mut t);
    let (error, number) = token_error(&redeem(&mut t, &code, VERIFIER, None, NOW), 400);
    assert_eq!((error.as_str(), number), ("invalid_request", 9002327));
}

#[test]
fn redirect_registered_on_the_web_platform_fails_cross_origin_redemption() {
    let mut t = SimTenant::contoso_demo().with_extension_app_on_web_platform(REDIRECT);
    let code = code(&mut t);
    let res = redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW);
    let (error, number) = token_error(&res, 400);
    assert_eq!((error.as_str(), number), ("invalid_request", 9002326));
    assert!(res.json()["error_description"]
        .as_str()
        .unwrap()
        .contains(&format!("Request origin: '{ORIGIN}'")));
    let code = self::code(&mut t);
    let (error, number) = token_error(&redeem(&mut t, &code, VERIFIER, None, NOW), 401);
    assert_eq!((error.as_str(), number), ("invalid_client", 7000218));
}

#[test]
fn spa_code_without_pkce_cannot_be_redeemed() {
    let mut t = tenant();
    let pairs = redirected(&authorize(
        &mut t,
        &[("code_challenge", ""), ("code_challenge_method", "")],
    ));
    let code = value(&pairs, "code").unwrap().to_owned();
    let (error, number) = token_error(&redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW), 400);
    assert_eq!((error.as_str(), number), ("invalid_request", 9002325));
}

#[test]
fn plain_challenge_is_compared_verbatim() {
    let mut t = tenant();
    let pairs = redirected(&authorize(
        &mut t,
        &[
            ("code_challenge", VERIFIER),
            ("code_challenge_method", "plain"),
        ],
    ));
    let code = value(&pairs, "code").unwrap().to_owned();
    assert_eq!(
        redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW).status,
        200
    );
}

#[test]
fn malformed_challenges_are_sent_back_to_the_app() {
    let mut t = tenant();
    let (error, description) = redirect_error(&authorize(&mut t, &[("code_challenge", "short")]));
    assert_eq!(error, "invalid_request");
    assert!(
        description.starts_with("AADSTS501491: Invalid size of Code_Challenge parameter."),
        "{description}"
    );
    let (error, description) =
        redirect_error(&authorize(&mut t, &[("code_challenge_method", "S512")]));
    assert_eq!(error, "invalid_request");
    assert!(
        description.contains("code_challenge_method 'S512'"),
        "{description}"
    );
}

#[test]
fn unknown_client_and_unregistered_redirect_show_an_error_page_never_a_redirect() {
    let mut t = tenant();
    let res = authorize(
        &mut t,
        &[("client_id", "11111111-2222-4333-8444-555555555555")],
    );
    assert_eq!(res.status, 400);
    assert!(res.header("Location").is_none());
    assert!(res.body.contains("AADSTS700016: Application with identifier &#39;11111111-2222-4333-8444-555555555555&#39; was not found in the directory &#39;Contoso&#39;"), "{}", res.body);
    let evil = "https://evil.example/<script>alert(1)</script>";
    let res = authorize(&mut t, &[("redirect_uri", evil)]);
    assert_eq!(res.status, 400);
    assert!(res.header("Location").is_none());
    assert!(res.body.contains("AADSTS50011"));
    assert!(!res.body.contains("<script>"), "hostile input is escaped");
    assert!(res.body.contains("&lt;script&gt;"));
    let res = authorize(&mut t, &[("client_id", "")]);
    assert!(res.body.contains(
        "AADSTS900144: The request body must contain the following parameter: &#39;client_id&#39;."
    ));
}

#[test]
fn unsupported_response_type_and_missing_scope_are_redirected_errors() {
    let mut t = tenant();
    let (error, description) = redirect_error(&authorize(&mut t, &[("response_type", "token")]));
    assert_eq!(error, "unsupported_response_type");
    assert!(description.starts_with("AADSTS70005"));
    let (error, description) = redirect_error(&authorize(&mut t, &[("scope", "")]));
    assert_eq!(error, "invalid_request");
    assert!(description.starts_with(
        "AADSTS900144: The request body must contain the following parameter: 'scope'."
    ));
}

#[test]
fn silent_sign_in_needs_a_browser_session() {
    let mut t = tenant();
    let (error, description) = redirect_error(&authorize(
        &mut t,
        &[
            ("prompt", "none"),
            ("login_hint", "PattiF@contoso.onmicrosoft.com"),
        ],
    ));
    assert_eq!(error, "login_required");
    assert!(description
        .starts_with("AADSTS50058: A silent sign-in request was sent but no user is signed in."));
    t.sign_in_browser(ADMIN_ID);
    let pairs = redirected(&authorize(
        &mut t,
        &[
            ("prompt", "none"),
            ("login_hint", "PattiF@contoso.onmicrosoft.com"),
        ],
    ));
    assert!(value(&pairs, "code").is_some());
    let (error, _) = redirect_error(&authorize(
        &mut t,
        &[
            ("prompt", "none"),
            ("login_hint", "AdeleV@contoso.onmicrosoft.com"),
        ],
    ));
    assert_eq!(
        error, "login_required",
        "a session for someone else does not count"
    );
    t.sessions[0].requires_interaction = true;
    let (error, description) = redirect_error(&authorize(&mut t, &[("prompt", "none")]));
    assert_eq!(error, "interaction_required");
    assert!(description.starts_with("AADSTS50076"));
}

#[test]
fn login_hint_chooses_the_user_signing_in() {
    let mut t = tenant();
    let pairs = redirected(&authorize(
        &mut t,
        &[("login_hint", "MiriamG@contoso.onmicrosoft.com")],
    ));
    let code = value(&pairs, "code").unwrap().to_owned();
    let body = redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW).json();
    assert_eq!(
        claims(body["id_token"].as_str().unwrap())["preferred_username"],
        "MiriamG@contoso.onmicrosoft.com"
    );
    let res = authorize(&mut t, &[("login_hint", "nobody@contoso.onmicrosoft.com")]);
    assert_eq!(res.status, 400);
    assert!(res.body.contains("AADSTS50034"));
}

#[test]
fn missing_consent_fails_silently_and_is_asked_interactively() {
    let mut t = SimTenant::contoso_demo().with_extension_app(REDIRECT, false);
    t.sign_in_browser(ADMIN_ID);
    let (error, description) = redirect_error(&authorize(&mut t, &[("prompt", "none")]));
    assert_eq!(error, "consent_required");
    assert!(description.starts_with(&format!(
        "AADSTS65001: The user or administrator has not consented to use the application with ID '{REGISTRATION_GUARD_CLIENT_ID}' named 'Registration Guard'."
    )));
    t.consent_answer = ConsentAnswer::AcceptForOrganization;
    let code = code(&mut t);
    assert_eq!(
        redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW).status,
        200
    );
    assert!(t.consents.iter().any(|c| c
        .scopes
        .iter()
        .any(|s| s == "Policy.ReadWrite.ConditionalAccess")));
    let (error, _) = redirect_error(&authorize(
        &mut t,
        &[
            ("prompt", "none"),
            ("login_hint", "AdeleV@contoso.onmicrosoft.com"),
        ],
    ));
    assert_eq!(
        error, "login_required",
        "organization consent does not sign Adele in"
    );
}

#[test]
fn declining_consent_sends_access_denied() {
    let mut t = SimTenant::contoso_demo().with_extension_app(REDIRECT, false);
    t.consent_answer = ConsentAnswer::Decline;
    let (error, description) = redirect_error(&authorize(&mut t, &[]));
    assert_eq!(error, "access_denied");
    assert!(description.starts_with("AADSTS65004: User declined to consent to access the app."));
}

#[test]
fn a_user_who_cannot_grant_admin_permissions_sees_need_admin_approval() {
    let mut t = SimTenant::contoso_demo().with_extension_app(REDIRECT, false);
    let res = authorize(&mut t, &[("login_hint", "AdeleV@contoso.onmicrosoft.com")]);
    assert_eq!(res.status, 200);
    assert!(res.header("Location").is_none());
    assert!(res.body.contains("AADSTS90094: Need admin approval"));
    assert!(t.consents.is_empty());
    let res = authorize(
        &mut t,
        &[
            ("login_hint", "AdeleV@contoso.onmicrosoft.com"),
            ("scope", "User.Read openid"),
        ],
    );
    assert!(
        value(&redirected(&res), "code").is_some(),
        "user-consentable scopes need no admin"
    );
}

#[test]
fn refresh_tokens_of_a_spa_end_24_hours_after_sign_in() {
    let mut t = tenant();
    let code = code(&mut t);
    let first = redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW).json();
    let refresh = |t: &mut SimTenant, token: &str, origin: Option<&str>, now: u64| {
        let mut req = SimRequest::new("POST", &format!("/{CONTOSO_TENANT_ID}/oauth2/v2.0/token"))
            .form(&[
                ("client_id", REGISTRATION_GUARD_CLIENT_ID),
                ("grant_type", "refresh_token"),
                ("refresh_token", token),
                (
                    "scope",
                    "https://graph.microsoft.com/.default offline_access",
                ),
            ]);
        if let Some(origin) = origin {
            req = req.header("Origin", origin);
        }
        t.handle_login(&req, now)
    };
    let hour = 3_600_000;
    let second = refresh(
        &mut t,
        first["refresh_token"].as_str().unwrap(),
        Some(ORIGIN),
        NOW + 20 * hour,
    );
    assert_eq!(second.status, 200, "{}", second.body);
    let second = second.json();
    assert_eq!(
        second["refresh_token_expires_in"],
        4 * 3600,
        "the new token keeps the sign-in's deadline"
    );
    let (error, number) = token_error(
        &refresh(
            &mut t,
            second["refresh_token"].as_str().unwrap(),
            None,
            NOW + 21 * hour,
        ),
        400,
    );
    assert_eq!((error.as_str(), number), ("invalid_request", 9002327));
    let res = refresh(
        &mut t,
        second["refresh_token"].as_str().unwrap(),
        Some(ORIGIN),
        NOW + 24 * hour,
    );
    let (error, number) = token_error(&res, 400);
    assert_eq!((error.as_str(), number), ("invalid_grant", 700084));
    assert!(res.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("The token was issued on 2024-05-01T12:00:00Z."));
    let (error, number) = token_error(&refresh(&mut t, "1.Aforged", Some(ORIGIN), NOW), 400);
    assert_eq!((error.as_str(), number), ("invalid_grant", 9002313));
}

#[test]
fn token_endpoint_refuses_wrong_methods_and_missing_parameters() {
    let mut t = tenant();
    let path = format!("/{TENANT}/oauth2/v2.0/token");
    let (error, number) = token_error(&t.handle_login(&SimRequest::new("GET", &path), NOW), 405);
    assert_eq!((error.as_str(), number), ("invalid_request", 900561));
    let res = t.handle_login(
        &SimRequest::new("POST", &path).form(&[("client_id", REGISTRATION_GUARD_CLIENT_ID)]),
        NOW,
    );
    assert_eq!(token_error(&res, 400).1, 900144);
    assert!(res.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("'grant_type'"));
    let res = t.handle_login(
        &SimRequest::new("POST", &path).form(&[
            ("client_id", REGISTRATION_GUARD_CLIENT_ID),
            ("grant_type", "password"),
        ]),
        NOW,
    );
    assert_eq!(
        token_error(&res, 400),
        ("unsupported_grant_type".to_owned(), 70003)
    );
    let res = t.handle_login(
        &SimRequest::new("POST", &path).form(&[
            ("client_id", "11111111-2222-4333-8444-555555555555"),
            ("grant_type", "authorization_code"),
        ]),
        NOW,
    );
    assert_eq!(
        token_error(&res, 400),
        ("unauthorized_client".to_owned(), 700016)
    );
    let preflight = t.handle_login(
        &SimRequest::new("OPTIONS", &path).header("Origin", ORIGIN),
        NOW,
    );
    assert_eq!(preflight.status, 200);
    assert_eq!(
        preflight.header("Access-Control-Allow-Origin"),
        Some(ORIGIN)
    );
}

#[test]
fn us_government_tenant_signs_in_on_its_own_hosts_only() {
    let mut t = SimTenant::us_government_demo().with_extension_app(REDIRECT, true);
    let scope = "https://graph.microsoft.us/Policy.Read.All https://graph.microsoft.us/User.Read openid offline_access";
    let url = |host: &str, scope: &str| {
        format!(
            "https://{host}/organizations/oauth2/v2.0/authorize?{}",
            registration_guard::graph::codec::form_encode(&[
                ("client_id", REGISTRATION_GUARD_CLIENT_ID),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", scope),
                ("state", "st-123"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
            ])
        )
    };
    let res = t.handle(
        &SimRequest::from_url("GET", &url("login.microsoftonline.us", scope)).unwrap(),
        NOW,
    );
    let code = value(&redirected(&res), "code").unwrap().to_owned();
    let token = SimRequest::from_url(
        "POST",
        "https://login.microsoftonline.us/organizations/oauth2/v2.0/token",
    )
    .unwrap()
    .form(&[
        ("client_id", REGISTRATION_GUARD_CLIENT_ID),
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ])
    .header("Origin", ORIGIN);
    let body = t.handle(&token, NOW).json();
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["aud"], "https://graph.microsoft.us");
    assert!(body["scope"]
        .as_str()
        .unwrap()
        .contains("https://graph.microsoft.us/Policy.Read.All"));
    let me = SimRequest::from_url("GET", "https://graph.microsoft.us/v1.0/me")
        .unwrap()
        .bearer(access);
    assert_eq!(t.handle(&me, NOW).status, 200);

    let res = t.handle(
        &SimRequest::from_url("GET", &url("login.microsoftonline.com", scope)).unwrap(),
        NOW,
    );
    assert_eq!(res.status, 400);
    assert!(
        res.body.contains("AADSTS90002"),
        "the global cloud does not know this tenant"
    );
    let global_scope = "https://graph.microsoft.com/Policy.Read.All openid";
    let res = t.handle(
        &SimRequest::from_url("GET", &url("login.microsoftonline.us", global_scope)).unwrap(),
        NOW,
    );
    let (error, description) = redirect_error(&res);
    assert_eq!(error, "invalid_resource");
    assert!(description.starts_with(
        "AADSTS500011: The resource principal named https://graph.microsoft.com was not found"
    ));
}

#[test]
fn unknown_tenant_is_not_found() {
    let mut t = tenant();
    let res = t.handle_login(
        &SimRequest::new(
            "GET",
            &authorize_url(&[]).replace(TENANT, "fabrikam.onmicrosoft.com"),
        ),
        NOW,
    );
    assert_eq!(res.status, 400);
    assert!(res
        .body
        .contains("AADSTS90002: Tenant &#39;fabrikam.onmicrosoft.com&#39; not found."));
}

#[test]
fn sign_in_faults_are_scripted_like_graph_faults() {
    let mut t = tenant();
    t.add_fault(FaultRule::login(
        "POST",
        "/*/oauth2/v2.0/token",
        Fault::Throttle {
            retry_after_s: Some(3),
        },
    ));
    let code = code(&mut t);
    let res = redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW);
    let (error, number) = token_error(&res, 429);
    assert_eq!((error.as_str(), number), ("temporarily_unavailable", 90033));
    assert_eq!(res.header("Retry-After"), Some("3"));
    assert_eq!(
        redeem(&mut t, &code, VERIFIER, Some(ORIGIN), NOW).status,
        200,
        "the throttled request spent nothing"
    );
}

#[test]
fn fragment_response_mode_puts_the_code_after_a_hash() {
    let mut t = tenant();
    let res = authorize(&mut t, &[("response_mode", "fragment")]);
    assert_eq!(res.status, 302);
    assert!(res
        .header("Location")
        .unwrap()
        .starts_with(&format!("{REDIRECT}#code=")));
}
