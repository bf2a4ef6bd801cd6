//! Every way a Graph call can fail, as a [`GraphError`] whose text tells the admin what to do.
//!
//! Graph's `403 Authorization_RequestDenied` does not say whether the *account* lacks a role
//! or the *app registration* lacks consent. The granted scopes (from the token response) tell
//! them apart: when the scope the operation needs was granted, the role is missing.
//!
//! The error an Entra ID tenant without a P1 licence gets is not documented; a `4xx` whose
//! message speaks of a licence or premium SKU is taken to mean that, and says so.

use super::{HttpResponse, TransportFailure};
use crate::graph::retry::parse_retry_after;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// What was being done, for messages and to know which scope and role it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Operation {
    ReadProfile,
    ReadRoles,
    ReadSecurityDefaults,
    ReadLicences,
    ReadNamedLocations,
    ReadPolicies,
    CreatePolicy,
    UpdatePolicy,
    DeletePolicy,
    CreateNamedLocation,
}

impl Operation {
    /// What the admin would call it.
    pub fn noun(self) -> &'static str {
        match self {
            Operation::ReadProfile => "reading your profile",
            Operation::ReadRoles => "reading your directory roles",
            Operation::ReadSecurityDefaults => "reading the security defaults setting",
            Operation::ReadLicences => "reading the tenant's licences",
            Operation::ReadNamedLocations => "reading the named locations",
            Operation::ReadPolicies => "reading the Conditional Access policies",
            Operation::CreatePolicy => "creating the Conditional Access policy",
            Operation::UpdatePolicy => "changing the Conditional Access policy",
            Operation::DeletePolicy => "deleting the Conditional Access policy",
            Operation::CreateNamedLocation => "creating the trusted named location",
        }
    }

    /// The delegated permission it needs (least privileged).
    pub fn scope(self) -> &'static str {
        match self {
            Operation::ReadProfile | Operation::ReadRoles => "User.Read",
            Operation::ReadLicences => "LicenseAssignment.Read.All",
            Operation::ReadSecurityDefaults | Operation::ReadNamedLocations | Operation::ReadPolicies => {
                "Policy.Read.All"
            }
            Operation::CreatePolicy
            | Operation::UpdatePolicy
            | Operation::DeletePolicy
            | Operation::CreateNamedLocation => "Policy.ReadWrite.ConditionalAccess",
        }
    }

    /// The least privileged directory roles that allow it.
    pub fn roles(self) -> &'static str {
        match self {
            Operation::ReadProfile | Operation::ReadRoles => "any member account",
            Operation::ReadLicences => "Global Reader or Directory Readers",
            Operation::ReadSecurityDefaults | Operation::ReadNamedLocations | Operation::ReadPolicies => {
                "Security Reader, Global Reader or Conditional Access Administrator"
            }
            _ => "Conditional Access Administrator (or Security Administrator)",
        }
    }

    fn is_write(self) -> bool {
        matches!(
            self,
            Operation::CreatePolicy | Operation::UpdatePolicy | Operation::DeletePolicy | Operation::CreateNamedLocation
        )
    }
}

/// What the mapping needs to know beyond the response.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorContext {
    /// Scopes of the current token (as the token response listed them); empty when unknown.
    pub granted_scopes: Vec<String>,
    /// The admin-consent address for the app registration, when known.
    pub admin_consent_url: Option<String>,
}

impl ErrorContext {
    fn granted(&self, scope: &str) -> Option<bool> {
        if self.granted_scopes.is_empty() {
            return None;
        }
        Some(self.granted_scopes.iter().any(|g| {
            let short = g.rsplit('/').next().unwrap_or(g);
            short.eq_ignore_ascii_case(scope)
        }))
    }
}

/// A Graph failure, with a message an admin can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum GraphError {
    /// 401: the token expired or was revoked; sign in again (silently when possible).
    SignInExpired,
    /// 403 although the app has the scope: the account lacks a role.
    MissingRole { operation: Operation },
    /// 403 and the token lacks the scope: the app registration needs (admin) consent.
    MissingConsent { operation: Operation, admin_consent_url: Option<String> },
    /// 403 and the granted scopes are unknown: either of the two above.
    AccessDenied { operation: Operation, admin_consent_url: Option<String> },
    /// Enabling a policy while security defaults are on.
    SecurityDefaultsOn,
    /// Graph error 1038: the body uses preview features.
    PreviewFeatures { message: String },
    /// Graph error 1039: the body uses Entra ID P2 features the tenant is not licensed for.
    PremiumP2Required { message: String },
    /// The tenant has no Entra ID P1 licence (assumed from the message, see module docs).
    LicenceRequired { message: String },
    /// 400: Graph refused the body; its message verbatim, plus the field when it names one.
    Invalid { code: String, message: String, target: Option<String> },
    /// 404.
    NotFound { operation: Operation },
    /// 409.
    Conflict { operation: Operation, message: String },
    /// 429.
    Throttled { retry_after_ms: Option<u64> },
    /// 5xx.
    ServerError { status: u16, message: Option<String> },
    /// The body is not valid JSON (not cut short).
    MalformedJson { line: usize, column: usize, detail: String },
    /// The body ends in the middle of the JSON: the connection dropped.
    Truncated { received_bytes: usize },
    /// Valid JSON of the wrong shape (e.g. a `$batch` answer without `responses`).
    BadShape { detail: String },
    /// An HTML or text page (a proxy, captive portal or gateway) instead of Graph's JSON.
    NotJson { status: u16, title: Option<String> },
    /// No HTTP answer.
    Network { timed_out: bool, detail: String },
    /// Graph pointed at another host for the next page; it was not followed.
    ForeignLink { url: String },
    /// A write whose outcome stayed unknown after checking; not sent again.
    WriteUnconfirmed { operation: Operation },
    /// Anything else: status, code and message verbatim.
    Unexpected { status: u16, code: String, message: String },
}

impl GraphError {
    /// Maps a non-2xx response (or a 2xx whose body cannot be read, see [`read_json`]).
    pub fn from_response(response: &HttpResponse, operation: Operation, ctx: &ErrorContext, now_ms: u64) -> Self {
        let retry_after = response.header("Retry-After").and_then(|v| parse_retry_after(v, now_ms));
        match serde_json::from_str::<Value>(&response.body) {
            Ok(body) => Self::from_parts(response.status, retry_after, Some(&body), operation, ctx),
            // A proxy's page says nothing about Graph; only 401 and 429 mean the same whatever the body.
            Err(_) if looks_like_markup(&response.body) && !matches!(response.status, 401 | 429) => {
                GraphError::NotJson { status: response.status, title: html_title(&response.body) }
            }
            Err(_) => Self::from_parts(response.status, retry_after, None, operation, ctx),
        }
    }

    /// Maps a status with an already-parsed body (an inner `$batch` response).
    pub fn from_parts(
        status: u16,
        retry_after_ms: Option<u64>,
        body: Option<&Value>,
        operation: Operation,
        ctx: &ErrorContext,
    ) -> Self {
        let error = body.and_then(|b| b.get("error"));
        let text = |key: &str| error.and_then(|e| e.get(key)).and_then(Value::as_str).unwrap_or("").to_owned();
        let (code, message) = (text("code"), text("message"));
        let target = error
            .and_then(|e| e.get("target").or_else(|| e.pointer("/details/0/target")))
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let lower = message.to_ascii_lowercase();
        match status {
            401 => GraphError::SignInExpired,
            429 => GraphError::Throttled { retry_after_ms },
            _ if lower.contains("security defaults") => GraphError::SecurityDefaultsOn,
            _ if code == "1038" || lower.starts_with("1038") => GraphError::PreviewFeatures { message },
            _ if code == "1039" || lower.starts_with("1039") => GraphError::PremiumP2Required { message },
            400..=403 if lower.contains("licen") || lower.contains("premium") => GraphError::LicenceRequired { message },
            403 => {
                let url = ctx.admin_consent_url.clone();
                match ctx.granted(operation.scope()) {
                    Some(true) => GraphError::MissingRole { operation },
                    Some(false) => GraphError::MissingConsent { operation, admin_consent_url: url },
                    None => GraphError::AccessDenied { operation, admin_consent_url: url },
                }
            }
            400 | 422 => GraphError::Invalid {
                code: if code.is_empty() { "BadRequest".to_owned() } else { code },
                message: if message.is_empty() { "Graph gave no reason.".to_owned() } else { message },
                target,
            },
            404 => GraphError::NotFound { operation },
            409 => GraphError::Conflict { operation, message },
            500..=599 => GraphError::ServerError { status, message: (!message.is_empty()).then_some(message) },
            _ => GraphError::Unexpected { status, code, message },
        }
    }

    /// Maps a request that got no answer.
    pub fn from_transport(failure: &TransportFailure) -> Self {
        match failure {
            TransportFailure::Timeout => GraphError::Network { timed_out: true, detail: String::new() },
            TransportFailure::Network { message } => GraphError::Network { timed_out: false, detail: message.clone() },
        }
    }

    /// Whether the write this error answered may have been carried out anyway: no answer, a
    /// server error, or a success whose body was cut off or garbled.
    pub fn is_ambiguous_for_write(&self) -> bool {
        matches!(
            self,
            GraphError::ServerError { .. }
                | GraphError::Network { .. }
                | GraphError::Truncated { .. }
                | GraphError::MalformedJson { .. }
                | GraphError::NotJson { .. }
                | GraphError::BadShape { .. }
        )
    }
}

/// Parses a body Graph answered with success, telling a cut-off body from garbage and from an
/// HTML page.
///
/// ```
/// use registration_guard::graph::errors::{read_json, GraphError};
/// assert!(matches!(read_json(200, r#"{"value": [1, 2"#), Err(GraphError::Truncated { .. })));
/// ```
pub fn read_json(status: u16, body: &str) -> Result<Value, GraphError> {
    serde_json::from_str(body).map_err(|e| {
        if looks_like_markup(body) {
            GraphError::NotJson { status, title: html_title(body) }
        } else if e.is_eof() {
            GraphError::Truncated { received_bytes: body.len() }
        } else {
            GraphError::MalformedJson { line: e.line(), column: e.column(), detail: e.to_string() }
        }
    })
}

fn looks_like_markup(body: &str) -> bool {
    body.trim_start_matches('\u{feff}').trim_start().starts_with('<')
}

fn html_title(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title")?;
    let title: String = body[open_end..close].split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then(|| title.chars().take(120).collect())
}

fn consent_sentence(f: &mut fmt::Formatter<'_>, url: &Option<String>) -> fmt::Result {
    match url {
        Some(url) => write!(f, "ask a Global Administrator to grant admin consent: {url}"),
        None => f.write_str(
            "ask a Global Administrator to grant admin consent under Entra ID > App registrations > your app > \
             API permissions > Grant admin consent",
        ),
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::SignInExpired => {
                f.write_str("Your sign-in to Microsoft Graph expired. Signing you in again…")
            }
            GraphError::MissingRole { operation } if operation.is_write() => write!(
                f,
                "Your account needs the Conditional Access Administrator role (or Security Administrator) for {}. \
                 Activate it in Privileged Identity Management if it is eligible, or ask a Privileged Role \
                 Administrator to assign it, then try again.",
                operation.noun()
            ),
            GraphError::MissingRole { operation } => write!(
                f,
                "Your account is not allowed {}: it needs one of these roles: {}.",
                operation.noun(),
                operation.roles()
            ),
            GraphError::MissingConsent { operation, admin_consent_url } => {
                write!(
                    f,
                    "The app registration lacks {} consent, needed for {}; ",
                    operation.scope(),
                    operation.noun()
                )?;
                consent_sentence(f, admin_consent_url)?;
                f.write_str(".")
            }
            GraphError::AccessDenied { operation, admin_consent_url } => {
                write!(
                    f,
                    "Microsoft Graph refused {}. Either your account lacks the role ({}) or the app registration \
                     lacks {} consent; for consent, ",
                    operation.noun(),
                    operation.roles(),
                    operation.scope()
                )?;
                consent_sentence(f, admin_consent_url)?;
                f.write_str(".")
            }
            GraphError::SecurityDefaultsOn => f.write_str(
                "Security defaults are on in this tenant: turn them off under Entra ID > Overview > Properties > \
                 Manage security defaults before enabling the policy (Conditional Access replaces them).",
            ),
            GraphError::PreviewFeatures { message } => write!(
                f,
                "Microsoft Graph refused the policy because it uses preview features (error 1038): {message}"
            ),
            GraphError::PremiumP2Required { message } => write!(
                f,
                "The policy uses features that need Microsoft Entra ID P2, which this tenant lacks (error 1039): {message}"
            ),
            GraphError::LicenceRequired { message } => write!(
                f,
                "Conditional Access needs a Microsoft Entra ID P1 (or P2) licence in this tenant; Graph said: {message}"
            ),
            GraphError::Invalid { code, message, target: Some(target) } => {
                write!(f, "Microsoft Graph refused the request ({code}, field {target}): {message}")
            }
            GraphError::Invalid { code, message, target: None } => {
                write!(f, "Microsoft Graph refused the request ({code}): {message}")
            }
            GraphError::NotFound { operation } => write!(
                f,
                "Not found while {}: it may have been deleted in the portal meanwhile. Reload to see the tenant as it is now.",
                operation.noun()
            ),
            GraphError::Conflict { operation, message } => write!(
                f,
                "Conflict while {}: someone else changed it at the same time. Reload and try again. Graph said: {message}",
                operation.noun()
            ),
            GraphError::Throttled { retry_after_ms: Some(ms) } => write!(
                f,
                "Microsoft Graph is throttling requests and asked to wait {}; try again after that.",
                seconds(*ms)
            ),
            GraphError::Throttled { retry_after_ms: None } => {
                f.write_str("Microsoft Graph is throttling requests; wait a minute and try again.")
            }
            GraphError::ServerError { status, message } => {
                write!(f, "Microsoft Graph had a server error (HTTP {status})")?;
                if let Some(m) = message {
                    // Graph's messages usually end with their own full stop.
                    write!(f, ": {}", m.trim_end().trim_end_matches('.'))?;
                }
                f.write_str(". Try again in a few minutes; check https://status.cloud.microsoft if it persists.")
            }
            GraphError::MalformedJson { line, column, detail } => write!(
                f,
                "Microsoft Graph's answer is not valid JSON (line {line}, column {column}: {detail}); nothing was \
                 read from it. Try again."
            ),
            GraphError::Truncated { received_bytes } => write!(
                f,
                "Microsoft Graph's answer was cut off after {received_bytes} bytes (the connection dropped); \
                 nothing was read from it. Try again."
            ),
            GraphError::BadShape { detail } => write!(
                f,
                "Microsoft Graph's answer has an unexpected shape ({detail}); nothing was read from it. Try again."
            ),
            GraphError::NotJson { status, title } => {
                write!(f, "Instead of Microsoft Graph, something else answered (HTTP {status}")?;
                if let Some(t) = title {
                    write!(f, ", page \"{t}\"")?;
                }
                f.write_str("): a proxy, firewall or captive portal may be in the way.")
            }
            GraphError::Network { timed_out: true, .. } => {
                f.write_str("Microsoft Graph did not answer in time. Check the network connection and try again.")
            }
            GraphError::Network { detail, .. } => {
                write!(f, "Could not reach Microsoft Graph ({detail}). Check the network connection and try again.")
            }
            GraphError::ForeignLink { url } => {
                let host = url.split('/').nth(2).unwrap_or(url);
                write!(
                    f,
                    "Microsoft Graph's next-page link points to another host ({host}); it was not followed, so the \
                     list is incomplete and nothing will be written."
                )
            }
            GraphError::WriteUnconfirmed { operation } => write!(
                f,
                "Could not confirm the outcome of {} and did not send it again, to avoid a duplicate. Check the \
                 {} in the portal before trying again.",
                operation.noun(),
                match operation {
                    Operation::CreateNamedLocation => "named locations",
                    _ => "Conditional Access policies",
                }
            ),
            GraphError::Unexpected { status, code, message } => {
                write!(f, "Microsoft Graph answered HTTP {status}")?;
                if !code.is_empty() {
                    write!(f, " ({code})")?;
                }
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for GraphError {}

/// "7 s", "2 min 5 s": a wait as the admin reads it.
pub fn seconds(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    if s < 60 {
        format!("{s} s")
    } else if s % 60 == 0 {
        format!("{} min", s / 60)
    } else {
        format!("{} min {} s", s / 60, s % 60)
    }
}
