//! The Microsoft identity platform v2.0 endpoints of the simulated tenant:
//! `/{tenant}/oauth2/v2.0/authorize` and `/{tenant}/oauth2/v2.0/token`, for a browser extension
//! signing in with the authorization code flow and PKCE.
//!
//! What it enforces, as Entra does: the client must be registered; the redirect URI must be
//! registered for it (else `AADSTS50011` on an error page, never a redirect); codes are
//! single-use and live 10 minutes; the PKCE verifier must match the S256 (or plain) challenge;
//! a code for a *Single-page application* redirect must be redeemed cross-origin (an `Origin`
//! header) and with PKCE, while a *Web* redirect refuses cross-origin redemption
//! (`AADSTS9002326`); SPA refresh tokens end 24 hours after the sign-in; Graph scopes need
//! consent; silent requests (`prompt=none`) need a browser session.
//!
//! **The interactive page.** There is no page to click: an interactive `/authorize` completes
//! at once as the `login_hint` user, else the user of an open browser session, else
//! [`SimTenant::signed_in_admin`]; missing consent is answered with
//! [`SimTenant::consent_answer`]. A user who cannot grant admin-only permissions gets the
//! "Need admin approval" page (`AADSTS90094`), as in Entra.
//!
//! Errors use the v2 endpoint's shape: `{error, error_description: "AADSTS…: … Trace ID …",
//! error_codes, timestamp, trace_id, correlation_id, error_uri}` on the token endpoint; a
//! redirect with `error` and `error_description` from `/authorize` when the redirect URI is
//! trusted; an HTML error page otherwise.

use super::faults::{take_fault, Fault, FaultService};
use super::http::{html_escape, iso_time, login_time, SimRequest, SimResponse, Transport};
use super::{ConsentAnswer, ConsentGrant, ConsentScope, RedirectPlatform, SimTenant};
use crate::engine::model::ROLE_GLOBAL_ADMINISTRATOR;
use crate::graph::codec::{base64url_encode, parse_query, percent_encode, sha256};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Authorization codes expire after this many milliseconds.
pub const CODE_LIFETIME_MS: u64 = 10 * 60 * 1000;
/// Access tokens live this many seconds (`expires_in`).
pub const ACCESS_TOKEN_LIFETIME_S: u64 = 3599;
/// Refresh tokens issued to single-page applications end this long after the sign-in.
pub const SPA_REFRESH_LIFETIME_MS: u64 = 24 * 60 * 60 * 1000;

/// Scopes any user may consent to; every other Graph permission the extension uses needs an
/// administrator.
const USER_CONSENTABLE: &[&str] = &[
    "User.Read",
    "User.ReadBasic.All",
    "openid",
    "profile",
    "email",
    "offline_access",
];
/// OpenID Connect scopes: not Graph permissions.
const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];
/// Roles that can grant consent to admin-only Graph permissions.
const CONSENT_ADMINS: &[&str] = &[
    ROLE_GLOBAL_ADMINISTRATOR,
    super::ROLE_PRIVILEGED_ROLE_ADMINISTRATOR,
    super::ROLE_CLOUD_APPLICATION_ADMINISTRATOR,
    super::ROLE_APPLICATION_ADMINISTRATOR,
];
/// Microsoft Graph's application id, usable as a scope prefix.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// What an access token the tenant issued allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessGrant {
    pub token: String,
    pub user_id: String,
    pub client_id: String,
    /// Delegated Graph permissions (`scp`), short names.
    pub scopes: Vec<String>,
    /// Unix milliseconds.
    pub expires_at: u64,
    /// The Graph host the token is for (tokens never cross clouds).
    pub audience_host: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizationCode {
    code: String,
    client_id: String,
    redirect_uri: String,
    platform: RedirectPlatform,
    user_id: String,
    /// What was asked for: Graph permissions (short names) and OIDC scopes.
    scopes: Vec<String>,
    challenge: Option<(String, String)>,
    nonce: Option<String>,
    issued_at: u64,
    redeemed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshGrant {
    token: String,
    client_id: String,
    user_id: String,
    platform: RedirectPlatform,
    /// The sign-in the token descends from; SPA tokens cannot outlive it by more than 24 h.
    signed_in_at: u64,
}

/// Codes and tokens the tenant has issued.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Issued {
    codes: Vec<AuthorizationCode>,
    access: Vec<AccessGrant>,
    refresh: Vec<RefreshGrant>,
}

impl Issued {
    pub(crate) fn access_token(&self, token: &str) -> Option<&AccessGrant> {
        self.access.iter().find(|g| g.token == token)
    }

    /// Forgets what can no longer be used, so a long demo does not grow without bound.
    fn prune(&mut self, now: u64) {
        let day = SPA_REFRESH_LIFETIME_MS;
        self.codes
            .retain(|c| now < c.issued_at.saturating_add(CODE_LIFETIME_MS + day));
        self.access
            .retain(|a| now < a.expires_at.saturating_add(day));
        self.refresh
            .retain(|r| now < r.signed_in_at.saturating_add(2 * day));
    }
}

/// The fields of a form body (`application/x-www-form-urlencoded`).
struct Form(Vec<(String, String)>);

impl Form {
    /// A non-empty field.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// An identity-platform error: the `error` value, the AADSTS number and its sentence.
struct LoginError {
    error: &'static str,
    code: u32,
    message: String,
}

impl LoginError {
    fn new(error: &'static str, code: u32, message: impl Into<String>) -> LoginError {
        LoginError {
            error,
            code,
            message: message.into(),
        }
    }

    fn missing(parameter: &str) -> LoginError {
        LoginError::new(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }
}

/// Trace and correlation ids of one request.
struct Trace {
    trace_id: String,
    correlation_id: String,
    now: u64,
}

impl Trace {
    fn description(&self, e: &LoginError) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            e.code,
            e.message,
            self.trace_id,
            self.correlation_id,
            login_time(self.now)
        )
    }

    /// The token endpoint's JSON error.
    fn json_error(&self, status: u16, e: &LoginError) -> SimResponse {
        let body = json!({
            "error": e.error,
            "error_description": self.description(e),
            "error_codes": [e.code],
            "timestamp": login_time(self.now),
            "trace_id": self.trace_id,
            "correlation_id": self.correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", e.code),
        });
        SimResponse::new(status, "application/json; charset=utf-8", body.to_string())
    }

    /// The sign-in service's error page (when the redirect URI cannot be trusted).
    fn error_page(&self, status: u16, e: &LoginError) -> SimResponse {
        let body = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head>\
             <body><main><h1>Sign in</h1><p>Sorry, but we’re having trouble signing you in.</p>\
             <p id=\"error-message\">AADSTS{}: {}</p>\
             <dl><dt>Request Id</dt><dd>{}</dd><dt>Correlation Id</dt><dd>{}</dd><dt>Timestamp</dt><dd>{}</dd></dl>\
             </main></body></html>",
            e.code,
            html_escape(&e.message),
            html_escape(&self.trace_id),
            html_escape(&self.correlation_id),
            iso_time(self.now)
        );
        SimResponse::new(status, "text/html; charset=utf-8", body)
    }
}

/// Where `/authorize` sends the browser back.
struct Redirect<'a> {
    uri: &'a str,
    state: Option<&'a str>,
    fragment: bool,
}

impl Redirect<'_> {
    fn to(&self, mut pairs: Vec<(&str, String)>) -> SimResponse {
        if let Some(state) = self.state {
            pairs.push(("state", state.to_owned()));
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect();
        let separator = if self.fragment {
            '#'
        } else if self.uri.contains('?') {
            '&'
        } else {
            '?'
        };
        let location = format!("{}{separator}{}", self.uri, query.join("&"));
        SimResponse::new(302, "text/html; charset=utf-8", String::new())
            .with_header("Location", &location)
    }

    fn error(&self, trace: &Trace, e: &LoginError) -> SimResponse {
        self.to(vec![
            ("error", e.error.to_owned()),
            ("error_description", trace.description(e)),
        ])
    }
}

/// The requested scopes split into Graph permissions and OIDC scopes, or the reason they
/// cannot be served.
struct Scopes {
    graph: Vec<String>,
    oidc: Vec<String>,
    default: bool,
}

impl SimTenant {
    /// Answers one request to the sign-in service at time `now` (Unix milliseconds).
    ///
    /// ```
    /// use registration_guard::sim::{SimRequest, SimTenant};
    /// let mut tenant = SimTenant::contoso_demo();
    /// let res = tenant.handle_login(&SimRequest::new("GET", "/contoso.onmicrosoft.com/oauth2/v2.0/authorize?client_id=unknown"), 0);
    /// assert!(res.body.contains("AADSTS700016"));
    /// ```
    pub fn handle_login(&mut self, req: &SimRequest, now: u64) -> SimResponse {
        let trace = Trace {
            trace_id: self.new_id(),
            correlation_id: req
                .header_value("client-request-id")
                .map(str::to_owned)
                .unwrap_or_else(|| self.new_id()),
            now,
        };
        self.issued.prune(now);
        let method = req.method.to_ascii_uppercase();
        let path = req.path().to_owned();
        let fault = take_fault(&mut self.faults, FaultService::Login, &method, &path);
        if let Some(res) = fault.and_then(|f| login_fault_before(f, &trace)) {
            return res;
        }

        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut res = match segments.as_slice() {
            [tenant, "oauth2", "v2.0", endpoint] if endpoint.eq_ignore_ascii_case("authorize") => {
                match self.check_tenant(req, tenant) {
                    Err(e) => trace.error_page(400, &e),
                    Ok(()) if method == "GET" => self.authorize(req, &trace),
                    Ok(()) => trace.error_page(
                        405,
                        &LoginError::new("invalid_request", 900561, format!("The endpoint only accepts GET requests. Received a {method} request.")),
                    ),
                }
            }
            [tenant, "oauth2", "v2.0", endpoint] if endpoint.eq_ignore_ascii_case("token") => {
                match (self.check_tenant(req, tenant), method.as_str()) {
                    (_, "OPTIONS") => cors_preflight(req),
                    (Err(e), _) => trace.json_error(400, &e),
                    (Ok(()), "POST") => self.token(req, &trace),
                    (Ok(()), _) => trace.json_error(
                        405,
                        &LoginError::new(
                            "invalid_request",
                            900561,
                            format!("The endpoint only accepts POST, OPTIONS requests. Received a {method} request."),
                        ),
                    ),
                }
            }
            _ => SimResponse::new(404, "text/plain; charset=utf-8", format!("The simulated sign-in service has no page at {path}.")),
        };
        match fault {
            Some(Fault::Slow { ms }) => res.delay_ms = ms,
            Some(Fault::ResetAfterCommit) => res.transport = Transport::Reset,
            Some(Fault::MalformedJson) => res.body.push('}'),
            Some(Fault::TruncatedBody) => {
                res.transport = Transport::TruncateAfter {
                    bytes: res.body.len() / 2,
                }
            }
            Some(Fault::GatewayTimeout { after_commit: true }) => {
                res = trace.json_error(
                    504,
                    &LoginError::new(
                        "temporarily_unavailable",
                        90012,
                        "The request has timed out.",
                    ),
                );
            }
            _ => {}
        }
        res
    }

    /// Mints an access token for a user and client directly, skipping the sign-in: for tests
    /// and the trainer demo, which talk to Graph without a browser.
    pub fn issue_access_token(
        &mut self,
        user_id: &str,
        client_id: &str,
        scopes: &[&str],
        now: u64,
    ) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        self.mint_access(user_id, client_id, scopes, now).token
    }

    /// [`SimTenant::issue_access_token`] for the signed-in administrator and the extension's
    /// client id in this tenant (the first registered app, or Graph Explorer's id when none).
    pub fn issue_access_token_for_admin(&mut self, scopes: &[&str], now: u64) -> String {
        let user = self.signed_in_admin.clone().unwrap_or_default();
        let client = self
            .apps
            .first()
            .map_or("de8bc8b5-d9f9-48b1-a8ad-b748da725064".to_owned(), |a| {
                a.client_id.clone()
            });
        self.issue_access_token(&user, &client, scopes, now)
    }

    /// Whether the tenant has ever issued this access token and still knows it.
    pub fn knows_access_token(&self, token: &str) -> bool {
        self.issued.access_token(token).is_some()
    }

    fn check_tenant(&self, req: &SimRequest, tenant: &str) -> Result<(), LoginError> {
        let right_cloud = req.host.as_deref().map_or(true, |h| {
            super::Cloud::from_sign_in_host(h) == Some(self.cloud)
        });
        let known = ["common", "organizations"]
            .iter()
            .any(|t| t.eq_ignore_ascii_case(tenant))
            || tenant.eq_ignore_ascii_case(&self.tenant_id)
            || tenant.eq_ignore_ascii_case(&self.default_domain);
        if right_cloud && known {
            Ok(())
        } else {
            Err(LoginError::new(
                "invalid_request",
                90002,
                format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."),
            ))
        }
    }

    fn authorize(&mut self, req: &SimRequest, trace: &Trace) -> SimResponse {
        let query = req.query();
        let param = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };
        let Some(client_id) = param("client_id") else {
            return trace.error_page(400, &LoginError::missing("client_id"));
        };
        let Some(app) = self
            .apps
            .iter()
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
            .cloned()
        else {
            return trace.error_page(400, &self.unknown_client(client_id));
        };
        let Some(redirect_uri) = param("redirect_uri") else {
            return trace.error_page(400, &LoginError::missing("redirect_uri"));
        };
        let Some(registered) = app.redirect_uris.iter().find(|r| r.uri == redirect_uri) else {
            return trace.error_page(400, &redirect_mismatch(redirect_uri, &app.client_id));
        };
        let redirect = Redirect {
            uri: &registered.uri,
            state: param("state"),
            fragment: param("response_mode") == Some("fragment"),
        };

        match param("response_type") {
            None => return redirect.error(trace, &LoginError::missing("response_type")),
            Some("code") => {}
            Some(other) => {
                return redirect.error(
                    trace,
                    &LoginError::new(
                        "unsupported_response_type",
                        70005,
                        format!("response_type '{other}' is not enabled for the application: request response_type=code."),
                    ),
                )
            }
        }
        let Some(scope) = param("scope") else {
            return redirect.error(trace, &LoginError::missing("scope"));
        };
        let scopes = match self.parse_scopes(scope, &app.api_permissions) {
            Ok(scopes) => scopes,
            Err(e) => return redirect.error(trace, &e),
        };
        let challenge = match (param("code_challenge"), param("code_challenge_method")) {
            (None, _) => None,
            (Some(c), _) if !(43..=128).contains(&c.len()) => {
                return redirect.error(
                    trace,
                    &LoginError::new(
                        "invalid_request",
                        501491,
                        "Invalid size of Code_Challenge parameter.",
                    ),
                )
            }
            (Some(c), None) => Some((c.to_owned(), "plain".to_owned())),
            (Some(c), Some(m)) if m == "S256" || m == "plain" => Some((c.to_owned(), m.to_owned())),
            (Some(_), Some(m)) => {
                return redirect.error(
                    trace,
                    &LoginError::new(
                        "invalid_request",
                        90100,
                        format!("code_challenge_method '{m}' is not valid: use S256."),
                    ),
                )
            }
        };

        let silent = param("prompt") == Some("none");
        let hint = param("login_hint");
        let user_id = if silent {
            let session = self
                .sessions
                .iter()
                .find(|s| hint.map_or(true, |h| self.user(h).is_some_and(|u| u.id == s.user_id)));
            match session {
                None => {
                    return redirect.error(
                        trace,
                        &LoginError::new("login_required", 50058, "A silent sign-in request was sent but no user is signed in."),
                    )
                }
                Some(s) if s.requires_interaction => {
                    return redirect.error(
                        trace,
                        &LoginError::new(
                            "interaction_required",
                            50076,
                            format!("Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{GRAPH_APP_ID}'."),
                        ),
                    )
                }
                Some(s) => s.user_id.clone(),
            }
        } else {
            let chosen = match hint {
                Some(h) => self.user(h).map(|u| u.id.clone()).ok_or_else(|| {
                    LoginError::new(
                        "invalid_request",
                        50034,
                        format!("The user account {h} does not exist in the '{}' directory. To sign into this application, the account must be added to the directory.", self.tenant_id),
                    )
                }),
                None => self
                    .sessions
                    .first()
                    .map(|s| s.user_id.clone())
                    .or_else(|| self.signed_in_admin.clone())
                    .ok_or_else(|| LoginError::new("login_required", 50058, "No account is signed in to the simulated browser and no login_hint names one.")),
            };
            match chosen {
                Ok(id) => id,
                Err(e) => return trace.error_page(400, &e),
            }
        };

        let missing = self.missing_consent(&app.client_id, &user_id, &scopes.graph);
        let force_consent = param("prompt") == Some("consent");
        if !missing.is_empty() || force_consent {
            if silent {
                return redirect.error(
                    trace,
                    &LoginError::new(
                        "consent_required",
                        65001,
                        format!("The user or administrator has not consented to use the application with ID '{}' named '{}'. Send an interactive authorization request for this user and resource.", app.client_id, app.display_name),
                    ),
                );
            }
            let is_admin = self.has_any_role(&user_id, CONSENT_ADMINS);
            let needs_admin = missing
                .iter()
                .any(|s| !USER_CONSENTABLE.iter().any(|u| u.eq_ignore_ascii_case(s)));
            match self.consent_answer {
                ConsentAnswer::Decline => {
                    return redirect.error(
                        trace,
                        &LoginError::new("access_denied", 65004, "User declined to consent to access the app."),
                    )
                }
                _ if needs_admin && !is_admin => {
                    return trace.error_page(
                        200,
                        &LoginError::new(
                            "access_denied",
                            90094,
                            format!("Need admin approval: {} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.", app.display_name),
                        ),
                    )
                }
                answer => {
                    let scope = if answer == ConsentAnswer::AcceptForOrganization && is_admin {
                        ConsentScope::AllUsers
                    } else {
                        ConsentScope::User(user_id.clone())
                    };
                    self.grant_consent(&app.client_id, scope, &scopes.graph);
                }
            }
        }
        if !silent {
            self.sign_in_browser(&user_id);
        }

        let code = format!("1.A{}", base64url_encode(&sha256(self.new_id().as_bytes())));
        let mut requested = scopes.graph.clone();
        requested.extend(scopes.oidc.iter().cloned());
        if scopes.default {
            requested.push(".default".to_owned());
        }
        self.issued.codes.push(AuthorizationCode {
            code: code.clone(),
            client_id: app.client_id.clone(),
            redirect_uri: registered.uri.clone(),
            platform: registered.platform,
            user_id,
            scopes: requested,
            challenge,
            nonce: param("nonce").map(str::to_owned),
            issued_at: trace.now,
            redeemed: false,
        });
        redirect.to(vec![
            ("code", code),
            ("session_state", self.tenant_id.clone()),
        ])
    }

    fn token(&mut self, req: &SimRequest, trace: &Trace) -> SimResponse {
        let form = Form(parse_query(req.body.as_deref().unwrap_or("")));
        let param = |name: &str| form.get(name);
        let origin = req.header_value("Origin");
        let result = (|| -> Result<Value, LoginError> {
            let grant_type =
                param("grant_type").ok_or_else(|| LoginError::missing("grant_type"))?;
            let client_id = param("client_id").ok_or_else(|| LoginError::missing("client_id"))?;
            let app = self
                .apps
                .iter()
                .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
                .cloned()
                .ok_or_else(|| {
                    let mut e = self.unknown_client(client_id);
                    e.error = "unauthorized_client";
                    e
                })?;
            match grant_type {
                "authorization_code" => self.redeem_code(&app.client_id, &form, origin, trace.now),
                "refresh_token" => self.redeem_refresh(
                    &app.client_id,
                    &form,
                    origin,
                    &app.api_permissions,
                    trace.now,
                ),
                other => Err(LoginError::new(
                    "unsupported_grant_type",
                    70003,
                    format!("The app requested an unsupported grant type '{other}'."),
                )),
            }
        })();
        let mut res = match result {
            Ok(body) => SimResponse::new(200, "application/json; charset=utf-8", body.to_string()),
            Err(e) => {
                let status = if e.error == "invalid_client" {
                    401
                } else {
                    400
                };
                trace.json_error(status, &e)
            }
        };
        if let Some(origin) = origin {
            res = res.with_header("Access-Control-Allow-Origin", origin);
        }
        res
    }

    fn redeem_code(
        &mut self,
        client_id: &str,
        form: &Form,
        origin: Option<&str>,
        now: u64,
    ) -> Result<Value, LoginError> {
        let code_text = form
            .get("code")
            .ok_or_else(|| LoginError::missing("code"))?;
        let redirect_uri = form
            .get("redirect_uri")
            .ok_or_else(|| LoginError::missing("redirect_uri"))?;
        let invalid_code = || {
            LoginError::new(
                "invalid_grant",
                70000,
                "The provided value for the 'code' parameter is not valid.",
            )
        };
        let index = self
            .issued
            .codes
            .iter()
            .position(|c| c.code == code_text)
            .ok_or_else(invalid_code)?;
        let code = self.issued.codes[index].clone();
        if !code.client_id.eq_ignore_ascii_case(client_id) {
            return Err(invalid_code());
        }
        if code.redeemed {
            return Err(LoginError::new(
                "invalid_grant",
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
            ));
        }
        if now >= code.issued_at.saturating_add(CODE_LIFETIME_MS) {
            return Err(LoginError::new(
                "invalid_grant",
                70008,
                "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
            ));
        }
        if redirect_uri != code.redirect_uri {
            // Assumed wording: Entra refuses a redirect URI that differs from the authorize request's.
            return Err(LoginError::new(
                "invalid_grant",
                500117,
                "The reply uri specified in the request isn't expected.",
            ));
        }
        check_origin(code.platform, origin, form)?;
        match (&code.challenge, form.get("code_verifier")) {
            (None, _) if code.platform == RedirectPlatform::Spa => {
                return Err(LoginError::new(
                    "invalid_request",
                    9002325,
                    "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
                ))
            }
            (None, _) => {}
            (Some(_), None) => return Err(LoginError::missing("code_verifier")),
            (Some((challenge, method)), Some(verifier)) => {
                let computed = if method == "S256" {
                    base64url_encode(&sha256(verifier.as_bytes()))
                } else {
                    verifier.to_owned()
                };
                if &computed != challenge {
                    return Err(LoginError::new(
                        "invalid_grant",
                        501481,
                        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                    ));
                }
            }
        }
        // Only a code that passed every check is spent, as Entra does.
        self.issued.codes[index].redeemed = true;
        let graph: Vec<String> = code
            .scopes
            .iter()
            .filter(|s| !is_oidc(s) && s.as_str() != ".default")
            .cloned()
            .collect();
        if !self
            .missing_consent(&code.client_id, &code.user_id, &graph)
            .is_empty()
        {
            return Err(self.consent_missing_error(&code.client_id));
        }
        let oidc: Vec<&str> = code
            .scopes
            .iter()
            .map(String::as_str)
            .filter(|s| is_oidc(s))
            .collect();
        Ok(self.token_response(
            &code.client_id,
            &code.user_id,
            &oidc,
            code.nonce.as_deref(),
            code.platform,
            now,
            now,
        ))
    }

    fn redeem_refresh(
        &mut self,
        client_id: &str,
        form: &Form,
        origin: Option<&str>,
        api_permissions: &[String],
        now: u64,
    ) -> Result<Value, LoginError> {
        let text = form
            .get("refresh_token")
            .ok_or_else(|| LoginError::missing("refresh_token"))?;
        let grant = self
            .issued
            .refresh
            .iter()
            .find(|r| r.token == text && r.client_id.eq_ignore_ascii_case(client_id))
            .cloned()
            .ok_or_else(|| {
                LoginError::new(
                    "invalid_grant",
                    9002313,
                    "Invalid request. Request is malformed or invalid.",
                )
            })?;
        check_origin(grant.platform, origin, form)?;
        if grant.platform == RedirectPlatform::Spa
            && now >= grant.signed_in_at.saturating_add(SPA_REFRESH_LIFETIME_MS)
        {
            return Err(LoginError::new(
                "invalid_grant",
                700084,
                format!("The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which can't be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on {}.", iso_time(grant.signed_in_at)),
            ));
        }
        let scopes = match form.get("scope") {
            Some(scope) => self.parse_scopes(scope, api_permissions)?,
            None => Scopes {
                graph: Vec::new(),
                oidc: Vec::new(),
                default: false,
            },
        };
        if !self
            .missing_consent(&grant.client_id, &grant.user_id, &scopes.graph)
            .is_empty()
        {
            return Err(self.consent_missing_error(&grant.client_id));
        }
        let oidc: Vec<&str> = scopes
            .oidc
            .iter()
            .map(String::as_str)
            .chain(["offline_access"])
            .collect();
        Ok(self.token_response(
            &grant.client_id,
            &grant.user_id,
            &oidc,
            None,
            grant.platform,
            grant.signed_in_at,
            now,
        ))
    }

    /// The token endpoint's success body; the access token carries every Graph permission
    /// the user has consented to for the client, as Entra's incremental consent does.
    #[allow(clippy::too_many_arguments)]
    fn token_response(
        &mut self,
        client_id: &str,
        user_id: &str,
        oidc: &[&str],
        nonce: Option<&str>,
        platform: RedirectPlatform,
        signed_in_at: u64,
        now: u64,
    ) -> Value {
        let consented = self.consented(client_id, user_id);
        let access = self.mint_access(user_id, client_id, consented.clone(), now);
        let resource = self.graph_resource();
        let mut scope: Vec<String> = oidc
            .iter()
            .filter(|s| **s != "offline_access")
            .map(|s| (*s).to_owned())
            .collect();
        scope.extend(consented.iter().map(|s| format!("{resource}/{s}")));
        let mut body = json!({
            "token_type": "Bearer",
            "scope": scope.join(" "),
            "expires_in": ACCESS_TOKEN_LIFETIME_S,
            "ext_expires_in": ACCESS_TOKEN_LIFETIME_S,
            "access_token": access.token,
        });
        if oidc.contains(&"offline_access") {
            let token = format!(
                "1.A{}",
                base64url_encode(&sha256(format!("refresh#{}", self.new_id()).as_bytes()))
            );
            self.issued.refresh.push(RefreshGrant {
                token: token.clone(),
                client_id: client_id.to_owned(),
                user_id: user_id.to_owned(),
                platform,
                signed_in_at,
            });
            body["refresh_token"] = Value::String(token);
            if platform == RedirectPlatform::Spa {
                let left_s = signed_in_at
                    .saturating_add(SPA_REFRESH_LIFETIME_MS)
                    .saturating_sub(now)
                    / 1000;
                body["refresh_token_expires_in"] = json!(left_s);
            }
        }
        if oidc.contains(&"openid") {
            body["id_token"] = Value::String(self.id_token(client_id, user_id, nonce, now));
        }
        body
    }

    fn mint_access(
        &mut self,
        user_id: &str,
        client_id: &str,
        scopes: Vec<String>,
        now: u64,
    ) -> AccessGrant {
        let user = self.user(user_id);
        let claims = json!({
            "aud": self.graph_resource(),
            "iss": format!("https://sts.windows.net/{}/", self.tenant_id),
            "iat": now / 1000,
            "nbf": now / 1000,
            "exp": now / 1000 + ACCESS_TOKEN_LIFETIME_S,
            "appid": client_id,
            "name": user.map(|u| u.display_name.clone()),
            "oid": user_id,
            "upn": user.map(|u| u.user_principal_name.clone()),
            "scp": scopes.join(" "),
            "tid": self.tenant_id,
            "wids": user.map(|u| u.role_template_ids.clone()).unwrap_or_default(),
            "uti": self.new_id(),
            "ver": "1.0",
        });
        let grant = AccessGrant {
            token: unsigned_jwt(&claims),
            user_id: user_id.to_owned(),
            client_id: client_id.to_owned(),
            scopes,
            expires_at: now.saturating_add(ACCESS_TOKEN_LIFETIME_S * 1000),
            audience_host: self.cloud.graph_host().to_owned(),
        };
        self.issued.access.push(grant.clone());
        grant
    }

    /// A minimal, unsigned ID token (`alg: none`): the simulation has no keys to sign with.
    fn id_token(
        &mut self,
        client_id: &str,
        user_id: &str,
        nonce: Option<&str>,
        now: u64,
    ) -> String {
        let user = self.user(user_id);
        let mut claims = json!({
            "aud": client_id,
            "iss": format!("https://{}/{}/v2.0", self.cloud.login_host(), self.tenant_id),
            "iat": now / 1000,
            "nbf": now / 1000,
            "exp": now / 1000 + ACCESS_TOKEN_LIFETIME_S,
            "name": user.map(|u| u.display_name.clone()),
            "oid": user_id,
            "preferred_username": user.map(|u| u.user_principal_name.clone()),
            "sub": base64url_encode(&sha256(format!("{client_id}#{user_id}").as_bytes())),
            "tid": self.tenant_id,
            "ver": "2.0",
        });
        if let Some(nonce) = nonce {
            claims["nonce"] = Value::String(nonce.to_owned());
        }
        unsigned_jwt(&claims)
    }

    /// `https://graph.microsoft.com` and its national-cloud twins.
    fn graph_resource(&self) -> String {
        format!("https://{}", self.cloud.graph_host())
    }

    fn parse_scopes(&self, scope: &str, api_permissions: &[String]) -> Result<Scopes, LoginError> {
        let resource = self.graph_resource();
        let mut scopes = Scopes {
            graph: Vec::new(),
            oidc: Vec::new(),
            default: false,
        };
        let mut other_resources: Vec<&str> = Vec::new();
        for item in scope.split(' ').filter(|s| !s.is_empty()) {
            if OIDC_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(item)) {
                scopes.oidc.push(item.to_ascii_lowercase());
                continue;
            }
            let name = if let Some((res, name)) = item.rsplit_once('/') {
                if !(res.eq_ignore_ascii_case(&resource) || res.eq_ignore_ascii_case(GRAPH_APP_ID))
                {
                    other_resources.push(res);
                    continue;
                }
                name
            } else {
                item
            };
            if name == ".default" {
                scopes.default = true;
                scopes.graph.extend(api_permissions.iter().cloned());
            } else {
                scopes.graph.push(name.to_owned());
            }
        }
        if let Some(res) = other_resources.first() {
            let e = if scopes.graph.is_empty() && other_resources.iter().all(|r| r == res) {
                LoginError::new(
                    "invalid_resource",
                    500011,
                    format!("The resource principal named {res} was not found in the tenant named {}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", self.display_name),
                )
            } else {
                LoginError::new(
                    "invalid_scope",
                    700022,
                    format!("The provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid."),
                )
            };
            return Err(e);
        }
        if scopes.graph.is_empty() && scopes.oidc.is_empty() {
            return Err(LoginError::new(
                "invalid_scope",
                70011,
                format!("The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."),
            ));
        }
        Ok(scopes)
    }

    /// Graph permissions the user has consented to for the client (their own consent and
    /// the organization's).
    fn consented(&self, client_id: &str, user_id: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for grant in self
            .consents
            .iter()
            .filter(|g| g.client_id.eq_ignore_ascii_case(client_id))
        {
            let applies = match &grant.scope {
                ConsentScope::AllUsers => true,
                ConsentScope::User(id) => id.eq_ignore_ascii_case(user_id),
            };
            if applies {
                for s in &grant.scopes {
                    if !out.iter().any(|o| o.eq_ignore_ascii_case(s)) {
                        out.push(s.clone());
                    }
                }
            }
        }
        out
    }

    fn missing_consent(&self, client_id: &str, user_id: &str, wanted: &[String]) -> Vec<String> {
        let have = self.consented(client_id, user_id);
        wanted
            .iter()
            .filter(|w| !have.iter().any(|h| h.eq_ignore_ascii_case(w)))
            .cloned()
            .collect()
    }

    /// Records consent (merging with an earlier grant of the same kind).
    pub fn grant_consent(&mut self, client_id: &str, scope: ConsentScope, scopes: &[String]) {
        match self
            .consents
            .iter_mut()
            .find(|g| g.client_id.eq_ignore_ascii_case(client_id) && g.scope == scope)
        {
            Some(grant) => {
                for s in scopes {
                    if !grant.scopes.iter().any(|g| g.eq_ignore_ascii_case(s)) {
                        grant.scopes.push(s.clone());
                    }
                }
            }
            None => self.consents.push(ConsentGrant {
                client_id: client_id.to_owned(),
                scope,
                scopes: scopes.to_vec(),
            }),
        }
    }

    fn consent_missing_error(&self, client_id: &str) -> LoginError {
        let name = self
            .apps
            .iter()
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
            .map_or("", |a| a.display_name.as_str());
        LoginError::new(
            "invalid_grant",
            65001,
            format!("The user or administrator has not consented to use the application with ID '{client_id}' named '{name}'. Send an interactive authorization request for this user and resource."),
        )
    }

    fn unknown_client(&self, client_id: &str) -> LoginError {
        LoginError::new(
            "invalid_request",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", self.display_name),
        )
    }
}

fn is_oidc(scope: &str) -> bool {
    OIDC_SCOPES.contains(&scope)
}

fn redirect_mismatch(uri: &str, client_id: &str) -> LoginError {
    LoginError::new(
        "invalid_request",
        50011,
        format!("The redirect URI '{uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."),
    )
}

/// The single-page-application rules for redeeming a code or refresh token.
fn check_origin(
    platform: RedirectPlatform,
    origin: Option<&str>,
    form: &Form,
) -> Result<(), LoginError> {
    let has_secret = form.get("client_secret").is_some() || form.get("client_assertion").is_some();
    match (platform, origin) {
        (RedirectPlatform::Spa, None) => Err(LoginError::new(
            "invalid_request",
            9002327,
            "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
        )),
        (RedirectPlatform::Spa, Some(_)) if has_secret => Err(LoginError::new(
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        )),
        (RedirectPlatform::Web, Some(origin)) => Err(LoginError::new(
            "invalid_request",
            9002326,
            format!("Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '{origin}'."),
        )),
        (RedirectPlatform::Web, None) if !has_secret => Err(LoginError::new(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )),
        _ => Ok(()),
    }
}

/// The browser's CORS preflight for the token endpoint.
fn cors_preflight(req: &SimRequest) -> SimResponse {
    SimResponse::new(200, "text/plain; charset=utf-8", String::new())
        .with_header(
            "Access-Control-Allow-Origin",
            req.header_value("Origin").unwrap_or("*"),
        )
        .with_header("Access-Control-Allow-Methods", "POST, OPTIONS")
        .with_header(
            "Access-Control-Allow-Headers",
            "content-type, client-request-id, x-client-sku, x-client-ver",
        )
}

/// The answer of a fault that stops a sign-in request before it is processed.
fn login_fault_before(fault: Fault, trace: &Trace) -> Option<SimResponse> {
    let unavailable = LoginError::new(
        "temporarily_unavailable",
        90033,
        "A transient error has occurred. Please try again.",
    );
    let retry_after = |res: SimResponse, s: Option<u32>| match s {
        Some(s) => res.with_header("Retry-After", &s.to_string()),
        None => res,
    };
    match fault {
        Fault::Throttle { retry_after_s } => Some(retry_after(trace.json_error(429, &unavailable), retry_after_s)),
        Fault::ServiceUnavailable { retry_after_s } => Some(retry_after(trace.json_error(503, &unavailable), retry_after_s)),
        Fault::GatewayTimeout { after_commit: false } => {
            Some(trace.json_error(504, &LoginError::new("temporarily_unavailable", 90012, "The request has timed out.")))
        }
        Fault::InternalError => Some(trace.json_error(500, &LoginError::new("server_error", 50000, "There was an error issuing a token."))),
        Fault::TokenExpired => Some(trace.json_error(
            400,
            &LoginError::new(
                "invalid_grant",
                70008,
                "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
            ),
        )),
        Fault::ResetBeforeCommit => {
            let mut res = trace.json_error(503, &unavailable);
            res.transport = Transport::Reset;
            Some(res)
        }
        Fault::GatewayTimeout { after_commit: true }
        | Fault::Slow { .. }
        | Fault::ResetAfterCommit
        | Fault::MalformedJson
        | Fault::TruncatedBody => None,
    }
}

/// `header.payload.` with `alg: none`.
fn unsigned_jwt(claims: &Value) -> String {
    let header = json!({"typ": "JWT", "alg": "none"});
    format!(
        "{}.{}.",
        base64url_encode(header.to_string().as_bytes()),
        base64url_encode(claims.to_string().as_bytes())
    )
}
