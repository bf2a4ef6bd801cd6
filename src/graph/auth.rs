//! The extension's own sign-in: OAuth 2.0 authorization code with PKCE (S256) against the
//! Microsoft identity platform v2 endpoints, through `chrome.identity.launchWebAuthFlow`.
//!
//! The redirect URI (`https://<extension-id>.chromiumapp.org/`) must be registered in the
//! admin's app registration as a **Single-page application** redirect, which also means the
//! token request must carry an `Origin` header: the browser adds it to the shell's `fetch` (it
//! is a forbidden header for scripts, so this module does not set it). SPA refresh tokens
//! live 24 hours; after that a silent authorize (`prompt=none` with `login_hint`) works while
//! the browser session does.
//!
//! ```
//! use registration_guard::context::Cloud;
//! use registration_guard::graph::GraphEndpoints;
//! use registration_guard::graph::auth::{Pkce, SignInRequest, base_scopes};
//! let endpoints = GraphEndpoints::for_cloud(Cloud::Global);
//! let request = SignInRequest {
//!     endpoints: endpoints.clone(),
//!     tenant: "organizations".into(),
//!     client_id: "11111111-2222-3333-4444-555555555555".into(),
//!     redirect_uri: "https://abc.chromiumapp.org/".into(),
//!     scopes: base_scopes(&endpoints),
//!     state: "s1".into(),
//!     pkce: Pkce::from_random(&[7; 32]),
//!     login_hint: None,
//!     prompt: None,
//! };
//! assert!(request.authorize_url().starts_with("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?"));
//! ```

use super::codec::{base64url_decode, base64url_encode, form_encode, parse_query, sha256};
use super::{GraphEndpoints, HttpRequest, Method};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Minutes of margin before expiry at which an access token is no longer used.
const EXPIRY_MARGIN_MS: u64 = 5 * 60 * 1000;
/// Lifetime of a refresh token issued to a single-page application.
pub const SPA_REFRESH_LIFETIME_MS: u64 = 24 * 60 * 60 * 1000;

/// PKCE pair (RFC 7636): the verifier stays in the extension, the challenge goes in the URL.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce").field("challenge", &self.challenge).finish_non_exhaustive()
    }
}

impl Pkce {
    /// From 32 random bytes (`crypto.getRandomValues`): the verifier is their base64url form
    /// (43 characters), the challenge the base64url SHA-256 of the verifier.
    ///
    /// ```
    /// use registration_guard::graph::auth::Pkce;
    /// let pkce = Pkce::from_random(&[0; 32]);
    /// assert_eq!(pkce.verifier.len(), 43);
    /// ```
    pub fn from_random(bytes: &[u8; 32]) -> Self {
        let verifier = base64url_encode(bytes);
        let challenge = base64url_encode(&sha256(verifier.as_bytes()));
        Pkce { verifier, challenge }
    }
}

/// The `prompt` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Prompt {
    /// Never show UI; fail with `interaction_required` when it would be needed.
    None,
    SelectAccount,
    Consent,
}

impl Prompt {
    fn as_str(self) -> &'static str {
        match self {
            Prompt::None => "none",
            Prompt::SelectAccount => "select_account",
            Prompt::Consent => "consent",
        }
    }
}

/// A feature that needs more than the base permissions; its scopes are asked for only when
/// the admin uses it (incremental consent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Feature {
    /// Checking the tenant's Entra ID P1/P2 licences (`GET /subscribedSkus`).
    LicenceCheck,
    /// Reading sign-in logs to explain a block (error 53003).
    SignInLogs,
    /// Choosing users and groups to include or exclude.
    UserPicker,
    /// Reading users' full profiles (e.g. to verify break-glass accounts).
    UserDetails,
}

impl Feature {
    /// The delegated permissions it adds.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            Feature::LicenceCheck => &["LicenseAssignment.Read.All"],
            Feature::SignInLogs => &["AuditLog.Read.All"],
            Feature::UserPicker => &["User.ReadBasic.All", "GroupMember.Read.All"],
            Feature::UserDetails => &["User.Read.All"],
        }
    }
}

/// Graph permissions every sign-in asks for: `User.Read` (the admin's own profile and roles,
/// to exclude them from the policy), `Policy.Read.All` (policies, named locations, security
/// defaults) and `Policy.ReadWrite.ConditionalAccess` (the write).
const BASE_GRAPH_SCOPES: [&str; 3] = ["User.Read", "Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"];

/// Scopes of a sign-in: `openid profile offline_access` (account for display, refresh token)
/// and the base Graph permissions, qualified with the cloud's Graph host.
pub fn base_scopes(endpoints: &GraphEndpoints) -> Vec<String> {
    scopes_for(endpoints, &[])
}

/// [`base_scopes`] plus those of each feature, without duplicates.
///
/// ```
/// use registration_guard::context::Cloud;
/// use registration_guard::graph::GraphEndpoints;
/// use registration_guard::graph::auth::{scopes_for, Feature};
/// let scopes = scopes_for(&GraphEndpoints::for_cloud(Cloud::UsGovernment), &[Feature::SignInLogs]);
/// assert!(scopes.contains(&"https://graph.microsoft.us/AuditLog.Read.All".to_string()));
/// ```
pub fn scopes_for(endpoints: &GraphEndpoints, features: &[Feature]) -> Vec<String> {
    let mut scopes: Vec<String> = ["openid", "profile", "offline_access"].map(str::to_owned).to_vec();
    let extra = features.iter().flat_map(|f| f.scopes().iter());
    for name in BASE_GRAPH_SCOPES.iter().chain(extra) {
        let scope = format!("https://{}/{}", endpoints.graph_host, name);
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes
}

/// Whether `granted` (as a token response lists them, short or host-qualified) covers every
/// Graph permission in `wanted`. OpenID scopes are not reported back and are ignored.
pub fn scopes_cover(granted: &[String], wanted: &[String]) -> bool {
    let short = |s: &str| s.rsplit('/').next().unwrap_or(s).to_ascii_lowercase();
    let granted: Vec<String> = granted.iter().map(|s| short(s)).collect();
    wanted
        .iter()
        .filter(|w| !matches!(w.as_str(), "openid" | "profile" | "offline_access" | "email"))
        .all(|w| granted.contains(&short(w)))
}

/// One sign-in attempt: everything the authorize URL and the code redemption need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    pub endpoints: GraphEndpoints,
    /// Tenant id or domain when known (from the portal address or a previous sign-in), else
    /// `organizations` (any work or school account).
    pub tenant: String,
    /// Application (client) id of the admin's app registration.
    pub client_id: String,
    /// `chrome.identity.getRedirectURL()`.
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    /// Random value echoed back by the redirect; a different one means a forged redirect.
    pub state: String,
    pub pkce: Pkce,
    pub login_hint: Option<String>,
    pub prompt: Option<Prompt>,
}

impl SignInRequest {
    /// The address `launchWebAuthFlow` opens.
    pub fn authorize_url(&self) -> String {
        let scope = self.scopes.join(" ");
        let mut pairs = vec![
            ("client_id", self.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("response_mode", "query"),
            ("scope", scope.as_str()),
            ("state", self.state.as_str()),
            ("code_challenge", self.pkce.challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        if let Some(hint) = &self.login_hint {
            pairs.push(("login_hint", hint));
        }
        if let Some(prompt) = self.prompt {
            pairs.push(("prompt", prompt.as_str()));
        }
        format!("{}/authorize?{}", self.oauth_base(), form_encode(&pairs))
    }

    fn oauth_base(&self) -> String {
        format!("https://{}/{}/oauth2/v2.0", self.endpoints.login_host, super::codec::percent_encode(&self.tenant))
    }

    /// The token request redeeming `code` (the redirect's `code`).
    pub fn token_request(&self, code: &str) -> HttpRequest {
        let scope = self.scopes.join(" ");
        form_post(
            format!("{}/token", self.oauth_base()),
            &[
                ("client_id", &self.client_id),
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &self.redirect_uri),
                ("code_verifier", &self.pkce.verifier),
                ("scope", &scope),
            ],
        )
    }

    /// Reads the URL `launchWebAuthFlow` resolved with. The URL must start with our redirect
    /// URI and carry our `state`; an `error` becomes the matching [`SignInError`].
    pub fn parse_redirect(&self, url: &str) -> Result<String, SignInError> {
        if !url.starts_with(&self.redirect_uri) {
            return Err(SignInError::UnexpectedRedirect);
        }
        let rest = &url[self.redirect_uri.len()..];
        let query = rest.split_once('?').map(|(_, q)| q).unwrap_or("");
        let query = query.split('#').next().unwrap_or("");
        let fragment = rest.split_once('#').map(|(_, f)| f).unwrap_or("");
        let mut params = parse_query(query);
        if params.is_empty() {
            params = parse_query(fragment);
        }
        let get = |k: &str| params.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        if let Some(error) = get("error") {
            let description = get("error_description").unwrap_or("");
            return Err(SignInError::from_protocol(error, description, &SignInContext::from(self)));
        }
        if get("state") != Some(self.state.as_str()) {
            return Err(SignInError::StateMismatch);
        }
        match get("code") {
            Some(code) if !code.is_empty() => Ok(code.to_owned()),
            _ => Err(SignInError::MalformedResponse { detail: "the redirect carries no authorization code".into() }),
        }
    }

    /// The admin-consent address for this app and scopes (v2 endpoint), for a Global
    /// Administrator to open.
    pub fn admin_consent_url(&self) -> String {
        admin_consent_url(&self.endpoints, &self.tenant, &self.client_id, &self.redirect_uri, &self.scopes)
    }
}

/// `https://<login host>/<tenant>/v2.0/adminconsent?client_id=…&scope=…&redirect_uri=…` with
/// the Graph scopes only (OpenID scopes need no consent).
pub fn admin_consent_url(
    endpoints: &GraphEndpoints,
    tenant: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
) -> String {
    let graph_scopes: Vec<&str> = scopes.iter().map(String::as_str).filter(|s| s.contains('/')).collect();
    let scope = graph_scopes.join(" ");
    format!(
        "https://{}/{}/v2.0/adminconsent?{}",
        endpoints.login_host,
        super::codec::percent_encode(tenant),
        form_encode(&[("client_id", client_id), ("scope", &scope), ("redirect_uri", redirect_uri)])
    )
}

fn form_post(url: String, pairs: &[(&str, &str)]) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url,
        headers: vec![("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned())],
        body: Some(form_encode(pairs)),
    }
}

/// The request trading a refresh token for new tokens; `tenant` is the account's tenant id.
pub fn refresh_request(
    endpoints: &GraphEndpoints,
    tenant: &str,
    client_id: &str,
    refresh_token: &str,
    scopes: &[String],
) -> HttpRequest {
    let scope = scopes.join(" ");
    form_post(
        format!("https://{}/{}/oauth2/v2.0/token", endpoints.login_host, super::codec::percent_encode(tenant)),
        &[
            ("client_id", client_id),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("scope", &scope),
        ],
    )
}

/// Who signed in, from the id token's claims.
///
/// The id token is decoded **without verifying its signature**. That is acceptable because
/// nothing is authorised with these values: they are shown to the admin and used as
/// `login_hint` and tenant for the next silent sign-in. Graph itself checks the access token
/// on every call, and a wrong hint only leads to an account picker.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// `tid`.
    pub tenant_id: Option<String>,
    /// `oid`.
    pub object_id: Option<String>,
    /// `preferred_username` (usually the UPN).
    pub username: Option<String>,
    /// `name`.
    pub display_name: Option<String>,
}

impl Account {
    /// Reads the claims of a JWT's payload; `None` when it is not a readable JWT.
    pub fn from_id_token(id_token: &str) -> Option<Account> {
        let payload = id_token.split('.').nth(1)?;
        let claims: Value = serde_json::from_slice(&base64url_decode(payload)?).ok()?;
        let claim = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_owned);
        Some(Account {
            tenant_id: claim("tid"),
            object_id: claim("oid"),
            username: claim("preferred_username").or_else(|| claim("upn")),
            display_name: claim("name"),
        })
    }
}

/// Tokens of a signed-in admin. `Debug` never prints the tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSet {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_at_ms: u64,
    /// When the refresh token stops working (24 hours for a single-page application).
    pub refresh_expires_at_ms: Option<u64>,
    /// Granted scopes, as the token response listed them.
    pub scopes: Vec<String>,
    pub account: Option<Account>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("expires_at_ms", &self.expires_at_ms)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("scopes", &self.scopes)
            .field("account", &self.account)
            .finish()
    }
}

impl TokenSet {
    /// Reads a token endpoint answer received at `now_ms`. A v2 error body (`error`,
    /// `error_description`, `error_codes`) becomes the matching [`SignInError`]. A refresh
    /// answer without an id token keeps `previous_account`.
    pub fn from_token_response(
        status: u16,
        body: &str,
        now_ms: u64,
        request: &SignInContext,
        previous_account: Option<Account>,
    ) -> Result<TokenSet, SignInError> {
        let json: Value = serde_json::from_str(body).map_err(|e| SignInError::MalformedResponse {
            detail: format!("the token endpoint answered HTTP {status} with a body that is not JSON ({e})"),
        })?;
        let text = |k: &str| json.get(k).and_then(Value::as_str);
        if let Some(error) = text("error") {
            let description = text("error_description").unwrap_or("");
            let coded = match json.pointer("/error_codes/0").and_then(Value::as_u64) {
                Some(code) if !description.contains("AADSTS") => format!("AADSTS{code}: {description}"),
                _ => description.to_owned(),
            };
            return Err(SignInError::from_protocol(error, &coded, request));
        }
        let access_token = match text("access_token") {
            Some(t) if (200..300).contains(&status) && !t.is_empty() => t.to_owned(),
            _ => {
                return Err(SignInError::MalformedResponse {
                    detail: format!("the token endpoint answered HTTP {status} without an access token"),
                })
            }
        };
        let expires_in = match json.get("expires_in") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        }
        .unwrap_or(3600);
        let refresh_token = text("refresh_token").map(str::to_owned);
        Ok(TokenSet {
            access_token,
            refresh_expires_at_ms: refresh_token.as_ref().map(|_| now_ms + SPA_REFRESH_LIFETIME_MS),
            refresh_token,
            expires_at_ms: now_ms.saturating_add(expires_in.saturating_mul(1000)),
            scopes: text("scope").map(|s| s.split_whitespace().map(str::to_owned).collect()).unwrap_or_default(),
            account: text("id_token").and_then(Account::from_id_token).or(previous_account),
        })
    }
}

/// The facts error messages quote: the redirect URI to register and the consent link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInContext {
    pub redirect_uri: String,
    pub admin_consent_url: String,
}

impl From<&SignInRequest> for SignInContext {
    fn from(r: &SignInRequest) -> Self {
        SignInContext { redirect_uri: r.redirect_uri.clone(), admin_consent_url: r.admin_consent_url() }
    }
}

/// What to do with what is stored, before calling Graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInPlan {
    /// The access token is valid for a while and has the scopes.
    UseAccessToken,
    /// Trade the refresh token for a new access token.
    Refresh { tenant: String },
    /// Authorize without UI (`prompt=none`), hinting the known account.
    SilentAuthorize { tenant: String, login_hint: String },
    /// Show the sign-in window.
    Interactive { tenant: Option<String>, login_hint: Option<String> },
}

/// Decides how to get a usable token at `now_ms` for `wanted` scopes.
///
/// ```
/// use registration_guard::graph::auth::{plan_sign_in, SignInPlan};
/// assert_eq!(plan_sign_in(None, 0, &[]), SignInPlan::Interactive { tenant: None, login_hint: None });
/// ```
pub fn plan_sign_in(stored: Option<&TokenSet>, now_ms: u64, wanted: &[String]) -> SignInPlan {
    let Some(tokens) = stored else { return SignInPlan::Interactive { tenant: None, login_hint: None } };
    let account = tokens.account.clone().unwrap_or_default();
    let has_scopes = scopes_cover(&tokens.scopes, wanted);
    if has_scopes && tokens.expires_at_ms > now_ms.saturating_add(EXPIRY_MARGIN_MS) {
        return SignInPlan::UseAccessToken;
    }
    let tenant = account.tenant_id.clone();
    let refresh_alive = tokens.refresh_token.is_some()
        && tokens.refresh_expires_at_ms.map_or(true, |at| at > now_ms.saturating_add(EXPIRY_MARGIN_MS));
    match (tenant, account.username) {
        (Some(tenant), _) if has_scopes && refresh_alive => SignInPlan::Refresh { tenant },
        (Some(tenant), Some(login_hint)) => SignInPlan::SilentAuthorize { tenant, login_hint },
        (tenant, login_hint) => SignInPlan::Interactive { tenant, login_hint },
    }
}

/// Why sign-in failed, with what the admin should do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SignInError {
    /// AADSTS50011: the redirect URI is not registered on the app.
    RedirectUriNotRegistered { redirect_uri: String },
    /// AADSTS9002326: registered, but as Web instead of Single-page application.
    RedirectUriWrongPlatform { redirect_uri: String },
    /// AADSTS65001 / `consent_required`: nobody consented to the permissions.
    ConsentRequired { admin_consent_url: String },
    /// The admin closed the window or declined. Shown without an error banner.
    Cancelled,
    /// A silent attempt needs the sign-in window (`interaction_required`, `login_required`).
    InteractionRequired,
    /// AADSTS700084 / 70043 / 70008 (and other `invalid_grant`): the refresh token expired;
    /// authorize again.
    RefreshExpired,
    /// The redirect's `state` is not ours: a forged or stale redirect, ignored.
    StateMismatch,
    /// The flow ended on an address that is not our redirect URI.
    UnexpectedRedirect,
    /// The answer could not be read.
    MalformedResponse { detail: String },
    /// Anything else: code and description verbatim.
    Other { error: String, description: String },
}

impl SignInError {
    /// Maps an OAuth `error` and its `error_description` (which starts with `AADSTSnnnn:`).
    pub fn from_protocol(error: &str, description: &str, ctx: &SignInContext) -> Self {
        let ctx = ctx.clone();
        let code = aadsts_code(description);
        match (code.as_deref(), error) {
            (Some("50011"), _) => SignInError::RedirectUriNotRegistered { redirect_uri: ctx.redirect_uri },
            (Some("9002326"), _) => SignInError::RedirectUriWrongPlatform { redirect_uri: ctx.redirect_uri },
            (Some("65001"), _) | (_, "consent_required") => {
                SignInError::ConsentRequired { admin_consent_url: ctx.admin_consent_url }
            }
            (Some("700084" | "70043" | "70008" | "50173" | "50133"), _) => SignInError::RefreshExpired,
            (Some("65004"), _) | (_, "access_denied") => SignInError::Cancelled,
            (_, "interaction_required" | "login_required") => SignInError::InteractionRequired,
            (_, "invalid_grant") => SignInError::RefreshExpired,
            _ => SignInError::Other { error: error.to_owned(), description: description.to_owned() },
        }
    }

    /// Maps the message `launchWebAuthFlow` rejects with (no redirect happened): closing the
    /// window reads "The user did not approve access."; a silent flow that needs UI reads
    /// "User interaction required."
    pub fn from_flow_failure(message: &str) -> Self {
        let lower = message.to_ascii_lowercase();
        if lower.contains("did not approve") || lower.contains("cancel") {
            SignInError::Cancelled
        } else if lower.contains("interaction required") {
            SignInError::InteractionRequired
        } else {
            SignInError::Other { error: "flow_failed".to_owned(), description: message.to_owned() }
        }
    }

    /// Whether the UI should show nothing alarming (the admin chose to stop).
    pub fn is_cancellation(&self) -> bool {
        matches!(self, SignInError::Cancelled)
    }
}

// Read through a flat record rather than serde's derive for internally tagged enums, which
// buffers the whole message and cost about 16 KB of the extension's wasm for this one type.
// The shape is the derive's: the tag in `kind`, struct-variant fields as named in Rust.
impl<'de> Deserialize<'de> for SignInError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Wire {
            kind: String,
            redirect_uri: Option<String>,
            admin_consent_url: Option<String>,
            detail: Option<String>,
            error: Option<String>,
            description: Option<String>,
        }
        const KINDS: &[&str] = &[
            "redirectUriNotRegistered",
            "redirectUriWrongPlatform",
            "consentRequired",
            "cancelled",
            "interactionRequired",
            "refreshExpired",
            "stateMismatch",
            "unexpectedRedirect",
            "malformedResponse",
            "other",
        ];
        let wire = Wire::deserialize(deserializer)?;
        let field = |value: Option<String>, name| value.ok_or_else(|| D::Error::missing_field(name));
        Ok(match wire.kind.as_str() {
            "redirectUriNotRegistered" => {
                SignInError::RedirectUriNotRegistered { redirect_uri: field(wire.redirect_uri, "redirect_uri")? }
            }
            "redirectUriWrongPlatform" => {
                SignInError::RedirectUriWrongPlatform { redirect_uri: field(wire.redirect_uri, "redirect_uri")? }
            }
            "consentRequired" => {
                SignInError::ConsentRequired { admin_consent_url: field(wire.admin_consent_url, "admin_consent_url")? }
            }
            "cancelled" => SignInError::Cancelled,
            "interactionRequired" => SignInError::InteractionRequired,
            "refreshExpired" => SignInError::RefreshExpired,
            "stateMismatch" => SignInError::StateMismatch,
            "unexpectedRedirect" => SignInError::UnexpectedRedirect,
            "malformedResponse" => SignInError::MalformedResponse { detail: field(wire.detail, "detail")? },
            "other" => SignInError::Other {
                error: field(wire.error, "error")?,
                description: field(wire.description, "description")?,
            },
            other => return Err(D::Error::unknown_variant(other, KINDS)),
        })
    }
}

fn aadsts_code(description: &str) -> Option<String> {
    let at = description.find("AADSTS")? + "AADSTS".len();
    let digits: String = description[at..].chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

impl fmt::Display for SignInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignInError::RedirectUriNotRegistered { redirect_uri } => write!(
                f,
                "The app registration does not know this extension's redirect URI. In Entra ID > App registrations > \
                 your app > Authentication, add {redirect_uri} under Single-page application, then sign in again."
            ),
            SignInError::RedirectUriWrongPlatform { redirect_uri } => write!(
                f,
                "The redirect URI {redirect_uri} is registered under the wrong platform. In Entra ID > App \
                 registrations > your app > Authentication, remove it from Web and add it under Single-page \
                 application, then sign in again."
            ),
            SignInError::ConsentRequired { admin_consent_url } => write!(
                f,
                "The app registration has not been granted its permissions in this tenant. Ask a Global \
                 Administrator to open {admin_consent_url} and accept, then sign in again."
            ),
            SignInError::Cancelled => f.write_str("Sign-in was cancelled."),
            SignInError::InteractionRequired => f.write_str("Please sign in again to continue."),
            SignInError::RefreshExpired => {
                f.write_str("Your sign-in session ended (it lasts at most 24 hours). Please sign in again.")
            }
            SignInError::StateMismatch => f.write_str(
                "The sign-in answer did not belong to this sign-in attempt and was ignored. Please sign in again.",
            ),
            SignInError::UnexpectedRedirect => f.write_str(
                "The sign-in window ended on an unexpected address and was ignored. Please sign in again.",
            ),
            SignInError::MalformedResponse { detail } => {
                write!(f, "The sign-in service gave an unreadable answer: {detail}. Please try again.")
            }
            SignInError::Other { error, description } if description.is_empty() => {
                write!(f, "Sign-in failed: {error}.")
            }
            SignInError::Other { error, description } => write!(f, "Sign-in failed ({error}): {description}"),
        }
    }
}

impl std::error::Error for SignInError {}
