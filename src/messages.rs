//! Typed messages between the extension's contexts, and the few decisions taken on raw page facts.
//!
//! Who talks to whom:
//!
//! | From → to | Channel | Type |
//! |---|---|---|
//! | content script → panel frame | `window.postMessage` to the extension origin, once, carrying a private `MessagePort` | [`FrameHandshake`] |
//! | content script → panel frame | the private port | [`ToPanel`] |
//! | panel frame → content script | the private port | [`ToContentScript::Layout`] |
//! | popup → content script | `chrome.tabs.sendMessage` (top frame only); the reply is [`PageFacts`] | [`ToContentScript::PageFactsRequest`] |
//! | panel frame → background | `chrome.runtime.sendMessage`; the reply is [`BackgroundReply`] | [`ToBackground`] |
//! | options page → background | the same, sign-in and reads only ([`ToBackground::allowed_from`]) | [`ToBackground`] |
//! | options page → panel and background | `chrome.storage.sync`, key `settings` | [`ExtensionSettings`] |
//!
//! Graph calls travel as [`GraphCall`]s without a token: the background checks each against the
//! cloud's Graph host and the short list of calls the apply flow makes, then adds the token.
//!
//! Every message is decoded with unknown fields rejected and then [validated](PageFacts::validate)
//! (string lengths, viewport sizes) before anything acts on it. The content script stays dumb: it
//! reads raw facts and applies the frame size it is told; the light/dark theme, the account label
//! and the frame's placement are decided here.
//!
//! ```
//! use registration_guard::messages::ToPanel;
//!
//! let json = r#"{"type":"facts","facts":{"url":"https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
//!   "title":"Policies - Microsoft Entra admin center","lang":"en","bodyBackground":"rgb(255, 255, 255)",
//!   "rootBackground":"rgba(0, 0, 0, 0)","prefersDark":false,"account":{},"viewport":{"width":1280,"height":800}}}"#;
//! let ToPanel::Facts { facts } = ToPanel::from_json(json).unwrap();
//! assert_eq!(facts.context().unwrap().summary(), "Conditional Access › Policies · Global cloud");
//! ```

use crate::context::{parse_portal_url, Cloud, ContextError, PortalContext, Theme};
use crate::engine::model::PolicyState;
use crate::engine::presets::Preset;
use crate::graph::auth::{Account, SignInError};
use crate::graph::{GraphEndpoints, GraphVersion, HttpRequest, HttpResponse, Method, TransportFailure};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest page address accepted (portal deep links are far shorter).
pub const MAX_URL_CHARS: usize = 8192;
/// Longest title, language tag, colour or account text accepted.
pub const MAX_TEXT_CHARS: usize = 512;
/// The relay token is 16 random bytes written as 32 lower-case hex digits.
pub const TOKEN_HEX_CHARS: usize = 32;
/// Viewport sides above this are not a real window.
const MAX_VIEWPORT_PX: u32 = 100_000;

/// Why a message was refused. The text says what was wrong, for the console of whoever sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageError {
    /// Not JSON-shaped as expected: unknown type, unknown or missing field, wrong kind of value.
    Malformed(String),
    /// A text field is longer than the limit.
    TooLong { field: &'static str, max: usize },
    /// A number is outside the range a browser can report.
    OutOfRange { field: &'static str },
    /// The connect token is not 32 hex digits or is not this frame's token.
    WrongToken,
    /// The sender is not this extension's expected context.
    UntrustedSender(String),
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageError::Malformed(reason) => write!(f, "Registration Guard refused a malformed message: {reason}"),
            MessageError::TooLong { field, max } => {
                write!(f, "Registration Guard refused a message: {field} is longer than {max} characters")
            }
            MessageError::OutOfRange { field } => {
                write!(f, "Registration Guard refused a message: {field} is out of range")
            }
            MessageError::WrongToken => {
                write!(f, "Registration Guard refused a connection: the token does not belong to this panel")
            }
            MessageError::UntrustedSender(who) => {
                write!(f, "Registration Guard refused a message from an untrusted sender: {who}")
            }
        }
    }
}

impl std::error::Error for MessageError {}

/// A message that can be checked after decoding.
pub trait Validate {
    /// Checks lengths and ranges; decoding already rejected unknown fields and types.
    fn validate(&self) -> Result<(), MessageError>;
}

/// Decodes and validates a message from JSON text (tests, and any channel that carries text).
pub fn decode_json<T: DeserializeOwned + Validate>(json: &str) -> Result<T, MessageError> {
    let message: T = serde_json::from_str(json).map_err(|e| MessageError::Malformed(e.to_string()))?;
    message.validate()?;
    Ok(message)
}

fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), MessageError> {
    // Bytes bound chars from above: only count chars when the cheap test fails.
    if value.len() > max && value.chars().count() > max {
        return Err(MessageError::TooLong { field, max });
    }
    Ok(())
}

fn check_opt(field: &'static str, value: &Option<String>) -> Result<(), MessageError> {
    value.as_deref().map_or(Ok(()), |v| check_len(field, v, MAX_TEXT_CHARS))
}

/// Raw facts the content script reads from the portal page, as the page shows them; no decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageFacts {
    /// `location.href`.
    pub url: String,
    /// `document.title`.
    pub title: String,
    /// `document.documentElement.lang`.
    pub lang: String,
    /// Computed `background-color` of `<body>`.
    pub body_background: String,
    /// Computed `background-color` of `<html>`, used when the body is transparent.
    pub root_background: String,
    /// `matchMedia('(prefers-color-scheme: dark)').matches`, used when both are transparent.
    pub prefers_dark: bool,
    /// What the portal header shows about the signed-in account.
    pub account: AccountFacts,
    /// `innerWidth` × `innerHeight` of the portal window, to place the panel frame.
    pub viewport: Viewport,
}

/// Texts the portal header shows about the signed-in account; each absent when the element is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountFacts {
    /// Microsoft's account control, display name (`#mectrl_currentAccount_primary`).
    pub me_control_name: Option<String>,
    /// Microsoft's account control, sign-in name (`#mectrl_currentAccount_secondary`).
    pub me_control_email: Option<String>,
    /// The portal's avatar menu user name (`.fxs-avatarmenu-username`).
    pub avatar_user: Option<String>,
    /// `aria-label` of the header account button (`#mectrl_main_trigger`), e.g. "Account manager for Adele Vance".
    pub account_button_label: Option<String>,
}

/// Size of the portal window in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
}

impl Validate for PageFacts {
    fn validate(&self) -> Result<(), MessageError> {
        check_len("url", &self.url, MAX_URL_CHARS)?;
        check_len("title", &self.title, MAX_TEXT_CHARS)?;
        check_len("lang", &self.lang, MAX_TEXT_CHARS)?;
        check_len("bodyBackground", &self.body_background, MAX_TEXT_CHARS)?;
        check_len("rootBackground", &self.root_background, MAX_TEXT_CHARS)?;
        check_opt("account.meControlName", &self.account.me_control_name)?;
        check_opt("account.meControlEmail", &self.account.me_control_email)?;
        check_opt("account.avatarUser", &self.account.avatar_user)?;
        check_opt("account.accountButtonLabel", &self.account.account_button_label)?;
        if self.viewport.width > MAX_VIEWPORT_PX {
            return Err(MessageError::OutOfRange { field: "viewport.width" });
        }
        if self.viewport.height > MAX_VIEWPORT_PX {
            return Err(MessageError::OutOfRange { field: "viewport.height" });
        }
        Ok(())
    }
}

impl PageFacts {
    /// Where the admin is, read from the page address.
    pub fn context(&self) -> Result<PortalContext, ContextError> {
        parse_portal_url(&self.url)
    }

    /// The portal's theme: the body's painted colour, else the root's, else the browser preference.
    ///
    /// ```
    /// # use registration_guard::messages::{PageFacts, AccountFacts, Viewport};
    /// # use registration_guard::context::Theme;
    /// let facts = PageFacts {
    ///     url: String::new(), title: String::new(), lang: String::new(),
    ///     body_background: "rgba(0, 0, 0, 0)".into(), root_background: "rgb(27, 26, 25)".into(),
    ///     prefers_dark: false, account: AccountFacts::default(), viewport: Viewport { width: 1280, height: 800 },
    /// };
    /// assert_eq!(facts.theme(), Theme::Dark);
    /// ```
    pub fn theme(&self) -> Theme {
        // A colour that decides on its own gives the same answer whatever the fallback.
        let decided = |colour: &str| {
            let light_fallback = Theme::from_facts(Some(colour), false);
            (light_fallback == Theme::from_facts(Some(colour), true)).then_some(light_fallback)
        };
        decided(&self.body_background)
            .or_else(|| decided(&self.root_background))
            .unwrap_or(Theme::from_facts(None, self.prefers_dark))
    }
}

impl AccountFacts {
    /// The label to show for the signed-in account, e.g. "Adele Vance (adele@contoso.com)",
    /// or `None` when the header shows nothing usable. Whitespace is collapsed.
    pub fn label(&self) -> Option<String> {
        let clean = |value: &Option<String>| {
            value
                .as_deref()
                .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|v| !v.is_empty())
        };
        match (clean(&self.me_control_name), clean(&self.me_control_email)) {
            (Some(name), Some(email)) if name != email => Some(format!("{name} ({email})")),
            (Some(name), _) => Some(name),
            (None, Some(email)) => Some(email),
            (None, None) => clean(&self.avatar_user).or_else(|| clean(&self.account_button_label)),
        }
    }
}

/// Posted once by the content script to the panel frame (target origin: the extension), with the
/// private `MessagePort` in the transfer list. The panel knows its own token from its address
/// fragment, which page scripts cannot read: the frame lives in a closed shadow root and is
/// cross-origin to the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum FrameHandshake {
    #[serde(rename = "rg-connect")]
    Connect { token: String },
}

impl Validate for FrameHandshake {
    fn validate(&self) -> Result<(), MessageError> {
        let FrameHandshake::Connect { token } = self;
        if is_token(token) {
            Ok(())
        } else {
            Err(MessageError::WrongToken)
        }
    }
}

impl FrameHandshake {
    /// Accepts the handshake only when it carries `expected`, the token from the frame's own address
    /// (with or without the leading `#`).
    pub fn accept(&self, expected: &str) -> Result<(), MessageError> {
        self.validate()?;
        let FrameHandshake::Connect { token } = self;
        let expected = expected.strip_prefix('#').unwrap_or(expected);
        if is_token(expected) && constant_time_eq(token.as_bytes(), expected.as_bytes()) {
            Ok(())
        } else {
            Err(MessageError::WrongToken)
        }
    }
}

fn is_token(token: &str) -> bool {
    token.len() == TOKEN_HEX_CHARS && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Content script → panel, over the private port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ToPanel {
    /// The page as it is now: sent after connecting, after each navigation and window resize.
    Facts { facts: PageFacts },
}

impl Validate for ToPanel {
    fn validate(&self) -> Result<(), MessageError> {
        match self {
            ToPanel::Facts { facts } => facts.validate(),
        }
    }
}

impl ToPanel {
    /// Decodes and validates, e.g. a message captured in a test.
    pub fn from_json(json: &str) -> Result<ToPanel, MessageError> {
        decode_json(json)
    }
}

/// Messages the content script acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ToContentScript {
    /// Panel → content script (private port): size and place the frame. Applied as given.
    Layout { mode: PanelMode, width: u32, height: u32, right: u32, bottom: u32 },
    /// Popup → content script (`chrome.tabs.sendMessage`): reply with the current [`PageFacts`].
    PageFactsRequest,
}

/// Panel or options page → background (`chrome.runtime.sendMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ToBackground {
    /// The panel shows this page: the background names it in the toolbar button's tooltip for that tab.
    PanelShown { facts: PageFacts },
    /// Get a usable token for `cloud`: the stored one, a refresh, a silent sign-in, and (only when
    /// `interactive`) the sign-in window. `tenant` narrows the authority (id or domain from the portal
    /// address); `login_hint` is the account the portal header shows. `renew` after Graph refused the
    /// current access token (expired early or revoked): it is dropped and the refresh token used.
    #[serde(rename_all = "camelCase")]
    SignIn { cloud: Cloud, interactive: bool, renew: bool, tenant: Option<String>, login_hint: Option<String> },
    /// Forget every token. (A struct variant so that unknown fields are refused like elsewhere.)
    SignOut {},
    /// Perform one Graph request built by the pure client; the background adds the token.
    GraphSend { cloud: Cloud, request: GraphCall },
}

impl Validate for ToBackground {
    fn validate(&self) -> Result<(), MessageError> {
        match self {
            ToBackground::PanelShown { facts } => facts.validate(),
            ToBackground::SignIn { tenant, login_hint, .. } => {
                check_opt("tenant", tenant)?;
                check_opt("loginHint", login_hint)?;
                if let Some(tenant) = tenant {
                    if tenant.is_empty() || !tenant.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)) {
                        return Err(MessageError::Malformed("tenant must be a tenant id or domain".into()));
                    }
                }
                Ok(())
            }
            ToBackground::SignOut {} => Ok(()),
            ToBackground::GraphSend { cloud, request } => request.check(*cloud),
        }
    }
}

/// Longest Graph request body the background forwards (policy bodies are a few kilobytes).
pub const MAX_GRAPH_BODY_CHARS: usize = 64 * 1024;

/// One Graph request as the panel asks the background to perform it: no `Authorization` header
/// (the background adds the token), only the Graph host of the named cloud, and only the calls the
/// apply flow and the options page make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphCall {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// What the background may be asked to do on Graph, by method and path (after the version).
const GRAPH_CALLS: &[(Method, GraphVersion, &str)] = &[
    (Method::Post, GraphVersion::Beta, "/$batch"),
    (Method::Get, GraphVersion::V1, "/identity/conditionalAccess/policies"),
    (Method::Post, GraphVersion::V1, "/identity/conditionalAccess/policies"),
    (Method::Post, GraphVersion::V1, "/identity/conditionalAccess/namedLocations"),
    // Read back after a lost answer to the trusted location's POST (never a blind second POST).
    (Method::Get, GraphVersion::V1, "/identity/conditionalAccess/namedLocations"),
    (Method::Patch, GraphVersion::V1, "/identity/conditionalAccess/policies/*"),
    (Method::Delete, GraphVersion::V1, "/identity/conditionalAccess/policies/*"),
    (Method::Get, GraphVersion::V1, "/me"),
    (Method::Get, GraphVersion::V1, "/users"),
];

/// The one sign-in log query the background may make (v1.0), around a GUID correlation id.
pub const SIGN_IN_LOOKUP_PREFIX: &str = "/auditLogs/signIns?$filter=correlationId%20eq%20'";
/// See [`SIGN_IN_LOOKUP_PREFIX`].
pub const SIGN_IN_LOOKUP_SUFFIX: &str = "'&$top=1";

impl GraphCall {
    /// Checks the request against the cloud's Graph host, the allowed calls and the size limits.
    ///
    /// ```
    /// use registration_guard::context::Cloud;
    /// use registration_guard::graph::Method;
    /// use registration_guard::messages::GraphCall;
    /// let call = GraphCall { method: Method::Post, url: "https://graph.microsoft.us/beta/$batch".into(),
    ///     headers: vec![("Content-Type".into(), "application/json".into())], body: Some("{}".into()) };
    /// assert!(call.check(Cloud::UsGovernment).is_ok());
    /// assert!(call.check(Cloud::Global).is_err());
    /// ```
    pub fn check(&self, cloud: Cloud) -> Result<(), MessageError> {
        check_len("request.url", &self.url, MAX_URL_CHARS)?;
        if let Some(body) = &self.body {
            check_len("request.body", body, MAX_GRAPH_BODY_CHARS)?;
        }
        if self.headers.len() > 4 {
            return Err(MessageError::OutOfRange { field: "request.headers" });
        }
        for (name, value) in &self.headers {
            check_len("request.headers", value, MAX_TEXT_CHARS)?;
            let allowed = name.eq_ignore_ascii_case("Content-Type") || name.eq_ignore_ascii_case("ConsistencyLevel");
            if !allowed {
                return Err(MessageError::Malformed(format!("the header {name} may not be set by the panel")));
            }
        }
        let endpoints = GraphEndpoints::for_cloud(cloud);
        // The explainer's admin lookup: the query is part of what is allowed, so the filter can
        // only ever name one GUID correlation id.
        let sign_in_lookup = self.method == Method::Get
            && endpoints.own_path(&self.url, GraphVersion::V1).is_some_and(|path| {
                path.strip_prefix(SIGN_IN_LOOKUP_PREFIX)
                    .and_then(|rest| rest.strip_suffix(SIGN_IN_LOOKUP_SUFFIX))
                    .is_some_and(is_guid)
            });
        let allowed = sign_in_lookup || GRAPH_CALLS.iter().any(|(method, version, pattern)| {
            *method == self.method
                && endpoints.own_path(&self.url, *version).is_some_and(|path| {
                    let path = path.split('?').next().unwrap_or(path);
                    match pattern.strip_suffix("/*") {
                        Some(prefix) => path.strip_prefix(prefix).and_then(|rest| rest.strip_prefix('/')).is_some_and(
                            |id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'),
                        ),
                        None => path == *pattern,
                    }
                })
        });
        if allowed {
            Ok(())
        } else {
            Err(MessageError::Malformed(format!(
                "{} {} is not a Microsoft Graph call Registration Guard makes in the {}",
                self.method.as_str(),
                self.url.split('?').next().unwrap_or(""),
                cloud.label()
            )))
        }
    }

    /// Whether the call changes the tenant (only the panel may ask for those).
    pub fn writes(&self) -> bool {
        matches!(self.method, Method::Patch | Method::Delete)
            || (self.method == Method::Post && !self.url.ends_with("/$batch"))
    }
}

impl From<HttpRequest> for GraphCall {
    fn from(r: HttpRequest) -> Self {
        GraphCall { method: r.method, url: r.url, headers: r.headers, body: r.body }
    }
}

impl From<GraphCall> for HttpRequest {
    fn from(c: GraphCall) -> Self {
        HttpRequest { method: c.method, url: c.url, headers: c.headers, body: c.body }
    }
}

/// Background → sender, the reply to [`ToBackground`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum BackgroundReply {
    /// The toolbar tooltip of the sender's tab now reads `title`.
    TitleSet { title: String },
    /// A token is ready (never sent: it stays in the background). What the panel may know.
    #[serde(rename_all = "camelCase")]
    SignedIn {
        account: Option<Account>,
        granted_scopes: Vec<String>,
        admin_consent_url: Option<String>,
    },
    /// Signing in needs the admin: the sign-in window (after a silent attempt was not enough).
    InteractionNeeded,
    /// No Application (client) ID is set: the admin must finish the options first.
    #[serde(rename_all = "camelCase")]
    NotConfigured { redirect_uri: String },
    /// Sign-in failed; `error` says why and what to do. A cancellation is not an error to show.
    SignInFailed { error: SignInError },
    /// Every token is gone.
    SignedOut,
    /// Graph answered (any status).
    GraphResponse { response: HttpResponse },
    /// No usable answer arrived.
    GraphFailed { failure: TransportFailure },
    /// The message was refused; `reason` says why.
    Refused { reason: String },
}

/// Keys and shape of the options kept in `chrome.storage.sync` (no secrets: the client id is public).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExtensionSettings {
    /// Application (client) ID of the admin's app registration; empty until set.
    pub client_id: String,
    /// `None` = the cloud of the portal page (automatic).
    pub cloud: Option<Cloud>,
    pub default_preset: Preset,
    pub default_state: PolicyState,
    /// Emergency-access accounts, excluded from every policy.
    pub break_glass: Vec<BreakGlassAccount>,
}

impl Default for ExtensionSettings {
    fn default() -> Self {
        ExtensionSettings {
            client_id: String::new(),
            cloud: None,
            default_preset: Preset::BlockOutsideTrusted,
            default_state: PolicyState::EnabledForReportingButNotEnforced,
            break_glass: Vec::new(),
        }
    }
}

/// An emergency-access account chosen in the options: stored by object id, named for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BreakGlassAccount {
    pub id: String,
    pub label: String,
}

/// Most emergency-access accounts kept (Microsoft recommends two).
pub const MAX_BREAK_GLASS: usize = 10;

impl Validate for ExtensionSettings {
    fn validate(&self) -> Result<(), MessageError> {
        if !self.client_id.is_empty() && !is_guid(&self.client_id) {
            return Err(MessageError::Malformed(
                "The Application (client) ID is a GUID like 3e5f7a9c-2b4d-4c6e-8f01-a2b3c4d5e6f7: copy it from the                  app registration's Overview page."
                    .into(),
            ));
        }
        if self.break_glass.len() > MAX_BREAK_GLASS {
            return Err(MessageError::OutOfRange { field: "breakGlass" });
        }
        for account in &self.break_glass {
            if !is_guid(&account.id) {
                return Err(MessageError::Malformed(format!("{} is not an object id", account.id)));
            }
            check_len("breakGlass.label", &account.label, MAX_TEXT_CHARS)?;
        }
        Ok(())
    }
}

impl ExtensionSettings {
    /// The cloud to sign in to: the one chosen in the options, else the portal page's.
    pub fn cloud_for(&self, page_cloud: Cloud) -> Cloud {
        self.cloud.unwrap_or(page_cloud)
    }
}

/// Whether `value` is a GUID in its usual 8-4-4-4-12 hex form (either case).
///
/// ```
/// use registration_guard::messages::is_guid;
/// assert!(is_guid("3E5F7A9C-2b4d-4c6e-8f01-a2b3c4d5e6f7"));
/// assert!(!is_guid("3e5f7a9c2b4d4c6e8f01a2b3c4d5e6f7"));
/// ```
pub fn is_guid(value: &str) -> bool {
    crate::context::is_guid(value)
}

/// The parts of `chrome.runtime.MessageSender` the background checks (other fields are ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSender {
    pub id: Option<String>,
    pub url: Option<String>,
    pub tab: Option<SenderTab>,
    pub frame_id: Option<i64>,
}

/// The tab a message came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SenderTab {
    pub id: Option<i64>,
}

impl MessageSender {
    /// Checks that the sender is this extension's panel frame inside a browser tab, and returns that
    /// tab's id. Content scripts, other extensions and web pages are refused.
    ///
    /// ```
    /// use registration_guard::messages::{MessageSender, SenderTab};
    /// let sender = MessageSender {
    ///     id: Some("abcdefghijklmnopabcdefghijklmnop".into()),
    ///     url: Some("chrome-extension://abcdefghijklmnopabcdefghijklmnop/panel.html#0123".into()),
    ///     tab: Some(SenderTab { id: Some(7) }),
    ///     frame_id: Some(3),
    /// };
    /// assert_eq!(sender.panel_tab("abcdefghijklmnopabcdefghijklmnop"), Ok(7));
    /// ```
    pub fn panel_tab(&self, extension_id: &str) -> Result<i64, MessageError> {
        if extension_id.is_empty() || self.id.as_deref() != Some(extension_id) {
            return Err(MessageError::UntrustedSender("another extension or a web page".to_string()));
        }
        let panel = format!("chrome-extension://{extension_id}/panel.html");
        let from_panel = self.url.as_deref().is_some_and(|url| {
            url.strip_prefix(&panel).is_some_and(|rest| rest.is_empty() || rest.starts_with(['#', '?']))
        });
        if !from_panel {
            return Err(MessageError::UntrustedSender(format!(
                "{} is not the panel page",
                self.url.as_deref().unwrap_or("a sender without an address")
            )));
        }
        match self.tab.as_ref().and_then(|tab| tab.id) {
            Some(tab) if tab >= 0 && self.frame_id.is_some_and(|frame| frame > 0) => Ok(tab),
            _ => Err(MessageError::UntrustedSender("a panel page that is not framed in a portal tab".to_string())),
        }
    }
}

/// Which of this extension's pages sent a message, once checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustedSender {
    /// `panel.html` framed in a portal tab.
    Panel { tab: i64 },
    /// `options.html` (its own tab, or embedded in the browser's extensions page).
    Options,
}

impl MessageSender {
    /// The panel frame ([`MessageSender::panel_tab`]) or the options page; anything else is refused.
    pub fn trusted(&self, extension_id: &str) -> Result<TrustedSender, MessageError> {
        match self.panel_tab(extension_id) {
            Ok(tab) => Ok(TrustedSender::Panel { tab }),
            Err(panel_error) => {
                let options = format!("chrome-extension://{extension_id}/options.html");
                let from_options = !extension_id.is_empty()
                    && self.id.as_deref() == Some(extension_id)
                    && self.url.as_deref().is_some_and(|url| {
                        url.strip_prefix(&options).is_some_and(|rest| rest.is_empty() || rest.starts_with(['#', '?']))
                    });
                if from_options {
                    Ok(TrustedSender::Options)
                } else {
                    Err(panel_error)
                }
            }
        }
    }
}

impl ToBackground {
    /// Whether `sender` may ask for this: the toolbar title and every tenant write only from the panel
    /// frame; sign-in, sign-out and reads also from the options page.
    pub fn allowed_from(&self, sender: TrustedSender) -> Result<(), MessageError> {
        let panel_only = match self {
            ToBackground::PanelShown { .. } => true,
            ToBackground::GraphSend { request, .. } => request.writes(),
            ToBackground::SignIn { .. } | ToBackground::SignOut {} => false,
        };
        match sender {
            TrustedSender::Options if panel_only => Err(MessageError::UntrustedSender(
                "the options page cannot change the tenant or the toolbar; only the panel can".into(),
            )),
            _ => Ok(()),
        }
    }
}

/// How much of the panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PanelMode {
    /// The full panel.
    Full,
    /// Only the small round launcher button.
    Launcher,
}

impl PanelMode {
    /// `"full"` or `"launcher"`, as set on `data-mode`.
    pub fn as_str(self) -> &'static str {
        match self {
            PanelMode::Full => "full",
            PanelMode::Launcher => "launcher",
        }
    }
}

/// Where the panel frame sits and how big it is. The rule, which keeps the portal's own controls free:
///
/// * the frame is docked to the bottom-right corner, [`EDGE_GAP_PX`] from the right and bottom edges;
/// * the launcher is a [`LAUNCHER_PX`]-square button;
/// * the full panel is at most [`FULL_PANEL_WIDTH_PX`] wide and never reaches higher than
///   [`TOP_RESERVE_PX`] from the top of the window, which is where the portal keeps its header, breadcrumb,
///   blade title and command bar; content taller than that scrolls inside the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLayout {
    pub mode: PanelMode,
    pub width: u32,
    pub height: u32,
}

/// Side of the square launcher frame: a 48 px button plus room for its focus ring.
pub const LAUNCHER_PX: u32 = 64;
/// Widest full panel.
pub const FULL_PANEL_WIDTH_PX: u32 = 380;
/// Gap between the frame and the window's right and bottom edges.
pub const EDGE_GAP_PX: u32 = 16;
/// Band at the top of the window the full panel never covers (portal header, breadcrumb, blade title, command bar).
pub const TOP_RESERVE_PX: u32 = 176;

impl FrameLayout {
    /// Sizes the frame for `mode`, given the height the panel's content wants and the portal window.
    ///
    /// ```
    /// use registration_guard::messages::{FrameLayout, PanelMode, Viewport};
    /// let layout = FrameLayout::new(PanelMode::Full, 2000, Viewport { width: 1280, height: 800 });
    /// assert_eq!((layout.width, layout.height), (380, 800 - 176 - 16));
    /// ```
    pub fn new(mode: PanelMode, content_height: u32, viewport: Viewport) -> FrameLayout {
        match mode {
            PanelMode::Launcher => FrameLayout { mode, width: LAUNCHER_PX, height: LAUNCHER_PX },
            PanelMode::Full => {
                let room_wide = viewport.width.saturating_sub(2 * EDGE_GAP_PX);
                let room_high = viewport.height.saturating_sub(TOP_RESERVE_PX + EDGE_GAP_PX);
                FrameLayout {
                    mode,
                    width: FULL_PANEL_WIDTH_PX.min(room_wide).max(LAUNCHER_PX),
                    height: content_height.min(room_high).max(LAUNCHER_PX),
                }
            }
        }
    }

    /// The message that tells the content script to apply this layout.
    pub fn message(self) -> ToContentScript {
        ToContentScript::Layout {
            mode: self.mode,
            width: self.width,
            height: self.height,
            right: EDGE_GAP_PX,
            bottom: EDGE_GAP_PX,
        }
    }
}

/// Full panel or launcher: the full panel opens by itself on pages where protecting registration is
/// the task at hand, unless the admin collapsed it; everywhere else only the launcher shows until clicked.
pub fn initial_mode(context: Option<&PortalContext>, collapsed_by_admin: bool) -> PanelMode {
    match context {
        Some(ctx) if ctx.wants_full_panel() && !collapsed_by_admin => PanelMode::Full,
        _ => PanelMode::Launcher,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const POLICIES: &str =
        "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies";
    const TOKEN: &str = "0123456789abcdef0123456789abcdef";
    const EXT: &str = "abcdefghijklmnopabcdefghijklmnop";

    fn facts_json(url: &str) -> serde_json::Value {
        json!({
            "url": url, "title": "Policies - Microsoft Entra admin center", "lang": "en",
            "bodyBackground": "rgb(255, 255, 255)", "rootBackground": "rgba(0, 0, 0, 0)", "prefersDark": false,
            "account": {"meControlName": "Adele  Vance", "meControlEmail": "adele@contoso.onmicrosoft.com",
                        "avatarUser": null, "accountButtonLabel": "Account manager for Adele Vance"},
            "viewport": {"width": 1280, "height": 800}
        })
    }

    fn facts() -> PageFacts {
        serde_json::from_value(facts_json(POLICIES)).unwrap()
    }

    fn decode<T: DeserializeOwned + Validate>(value: serde_json::Value) -> Result<T, MessageError> {
        decode_json(&value.to_string())
    }

    #[test]
    fn facts_message_decodes_into_the_portal_context() {
        let msg: ToPanel = decode(json!({"type": "facts", "facts": facts_json(POLICIES)})).unwrap();
        let ToPanel::Facts { facts } = msg;
        let ctx = facts.context().unwrap();
        assert_eq!(ctx.summary(), "Conditional Access › Policies · Global cloud");
    }

    #[test]
    fn unknown_message_type_is_refused() {
        let err = decode::<ToPanel>(json!({"type": "run-script", "facts": facts_json(POLICIES)})).unwrap_err();
        assert!(matches!(err, MessageError::Malformed(ref m) if m.contains("run-script")), "{err}");
    }

    #[test]
    fn unknown_field_in_facts_is_refused() {
        let mut value = facts_json(POLICIES);
        value["html"] = json!("<img src=x onerror=alert(1)>");
        let err = decode::<ToPanel>(json!({"type": "facts", "facts": value})).unwrap_err();
        assert!(matches!(err, MessageError::Malformed(ref m) if m.contains("html")), "{err}");
    }

    #[test]
    fn missing_field_and_wrong_kind_are_refused() {
        let mut value = facts_json(POLICIES);
        value.as_object_mut().unwrap().remove("title");
        assert!(matches!(decode::<ToPanel>(json!({"type": "facts", "facts": value})), Err(MessageError::Malformed(_))));
        let mut value = facts_json(POLICIES);
        value["viewport"]["width"] = json!(-5);
        assert!(matches!(decode::<ToPanel>(json!({"type": "facts", "facts": value})), Err(MessageError::Malformed(_))));
        assert!(matches!(decode_json::<ToPanel>("not json"), Err(MessageError::Malformed(_))));
    }

    #[test]
    fn oversized_strings_are_refused_with_the_field_named() {
        let mut value = facts_json(POLICIES);
        value["title"] = json!("x".repeat(MAX_TEXT_CHARS + 1));
        let err = decode::<ToPanel>(json!({"type": "facts", "facts": value})).unwrap_err();
        assert_eq!(err, MessageError::TooLong { field: "title", max: MAX_TEXT_CHARS });
        assert!(err.to_string().contains("title is longer than 512 characters"));

        let mut value = facts_json(&format!("{POLICIES}/{}", "a".repeat(MAX_URL_CHARS)));
        value["account"]["meControlName"] = json!("ok");
        assert_eq!(
            decode::<ToPanel>(json!({"type": "facts", "facts": value})).unwrap_err(),
            MessageError::TooLong { field: "url", max: MAX_URL_CHARS }
        );

        let mut value = facts_json(POLICIES);
        value["account"]["meControlEmail"] = json!("é".repeat(MAX_TEXT_CHARS + 1));
        assert_eq!(
            decode::<ToPanel>(json!({"type": "facts", "facts": value})).unwrap_err(),
            MessageError::TooLong { field: "account.meControlEmail", max: MAX_TEXT_CHARS }
        );
    }

    #[test]
    fn multibyte_text_within_the_char_limit_is_accepted() {
        let mut value = facts_json(POLICIES);
        value["title"] = json!("条件付きアクセス".repeat(MAX_TEXT_CHARS / 8));
        assert!(decode::<ToPanel>(json!({"type": "facts", "facts": value})).is_ok());
    }

    #[test]
    fn absurd_viewport_is_refused() {
        let mut value = facts_json(POLICIES);
        value["viewport"]["height"] = json!(MAX_VIEWPORT_PX + 1);
        assert_eq!(
            decode::<ToPanel>(json!({"type": "facts", "facts": value})).unwrap_err(),
            MessageError::OutOfRange { field: "viewport.height" }
        );
    }

    #[test]
    fn handshake_accepts_only_the_frames_own_token() {
        let hello: FrameHandshake = decode(json!({"type": "rg-connect", "token": TOKEN})).unwrap();
        assert_eq!(hello.accept(&format!("#{TOKEN}")), Ok(()));
        assert_eq!(hello.accept(TOKEN), Ok(()));
        assert_eq!(hello.accept("#ffffffffffffffffffffffffffffffff"), Err(MessageError::WrongToken));
        assert_eq!(hello.accept(""), Err(MessageError::WrongToken));
    }

    #[test]
    fn handshake_with_a_malformed_token_is_refused() {
        for token in ["", "0123", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdeg"] {
            let err = decode::<FrameHandshake>(json!({"type": "rg-connect", "token": token})).unwrap_err();
            assert_eq!(err, MessageError::WrongToken, "token {token:?}");
        }
        assert!(matches!(
            decode::<FrameHandshake>(json!({"type": "rg-connect", "token": TOKEN, "port": 1})),
            Err(MessageError::Malformed(_))
        ));
    }

    #[test]
    fn theme_follows_the_painted_background() {
        let mut f = facts();
        assert_eq!(f.theme(), Theme::Light);
        f.body_background = "rgb(27, 26, 25)".into();
        assert_eq!(f.theme(), Theme::Dark);
    }

    #[test]
    fn theme_falls_back_to_root_then_browser_preference() {
        let mut f = facts();
        f.body_background = "rgba(0, 0, 0, 0)".into();
        f.root_background = "rgb(17, 17, 17)".into();
        assert_eq!(f.theme(), Theme::Dark);
        f.root_background = "transparent".into();
        f.prefers_dark = true;
        assert_eq!(f.theme(), Theme::Dark);
        f.prefers_dark = false;
        assert_eq!(f.theme(), Theme::Light);
    }

    #[test]
    fn account_label_prefers_name_and_sign_in_name() {
        assert_eq!(facts().account.label().as_deref(), Some("Adele Vance (adele@contoso.onmicrosoft.com)"));
        let only_email = AccountFacts { me_control_email: Some(" adele@contoso.com ".into()), ..Default::default() };
        assert_eq!(only_email.label().as_deref(), Some("adele@contoso.com"));
        let same = AccountFacts {
            me_control_name: Some("adele@contoso.com".into()),
            me_control_email: Some("adele@contoso.com".into()),
            ..Default::default()
        };
        assert_eq!(same.label().as_deref(), Some("adele@contoso.com"));
    }

    #[test]
    fn account_label_falls_back_to_portal_menu_then_button_label_and_is_absent_when_blank() {
        let avatar = AccountFacts {
            me_control_name: Some("   ".into()),
            avatar_user: Some("Adele Vance".into()),
            account_button_label: Some("Account manager for Adele Vance".into()),
            ..Default::default()
        };
        assert_eq!(avatar.label().as_deref(), Some("Adele Vance"));
        let button = AccountFacts { account_button_label: Some("Account manager for Adele Vance".into()), ..Default::default() };
        assert_eq!(button.label().as_deref(), Some("Account manager for Adele Vance"));
        assert_eq!(AccountFacts::default().label(), None);
    }

    #[test]
    fn full_panel_leaves_the_portal_header_and_command_bar_free() {
        let viewport = Viewport { width: 1280, height: 720 };
        let layout = FrameLayout::new(PanelMode::Full, 5000, viewport);
        let top = viewport.height - EDGE_GAP_PX - layout.height;
        assert!(top >= TOP_RESERVE_PX, "frame top {top}");
        assert_eq!(layout.width, FULL_PANEL_WIDTH_PX);
        let short = FrameLayout::new(PanelMode::Full, 300, viewport);
        assert_eq!(short.height, 300);
    }

    #[test]
    fn full_panel_narrows_in_small_windows_and_launcher_is_fixed() {
        let layout = FrameLayout::new(PanelMode::Full, 400, Viewport { width: 320, height: 500 });
        assert_eq!(layout.width, 320 - 2 * EDGE_GAP_PX);
        let launcher = FrameLayout::new(PanelMode::Launcher, 900, Viewport { width: 320, height: 500 });
        assert_eq!((launcher.width, launcher.height), (LAUNCHER_PX, LAUNCHER_PX));
        let tiny = FrameLayout::new(PanelMode::Full, 400, Viewport { width: 0, height: 0 });
        assert_eq!((tiny.width, tiny.height), (LAUNCHER_PX, LAUNCHER_PX));
    }

    #[test]
    fn layout_message_carries_the_placement() {
        let msg = FrameLayout::new(PanelMode::Launcher, 0, Viewport { width: 800, height: 600 }).message();
        assert_eq!(
            serde_json::to_value(msg).unwrap(),
            json!({"type": "layout", "mode": "launcher", "width": 64, "height": 64, "right": 16, "bottom": 16})
        );
        assert_eq!(serde_json::to_value(ToContentScript::PageFactsRequest).unwrap(), json!({"type": "page-facts-request"}));
    }

    #[test]
    fn full_panel_opens_on_conditional_access_unless_collapsed() {
        let policies = parse_portal_url(POLICIES).unwrap();
        let other = parse_portal_url("https://portal.azure.com/#home").unwrap();
        assert_eq!(initial_mode(Some(&policies), false), PanelMode::Full);
        assert_eq!(initial_mode(Some(&policies), true), PanelMode::Launcher);
        assert_eq!(initial_mode(Some(&other), false), PanelMode::Launcher);
        assert_eq!(initial_mode(None, false), PanelMode::Launcher);
    }

    fn sender(url: &str) -> MessageSender {
        MessageSender { id: Some(EXT.into()), url: Some(url.into()), tab: Some(SenderTab { id: Some(42) }), frame_id: Some(5) }
    }

    #[test]
    fn background_accepts_its_panel_frame_in_a_tab() {
        assert_eq!(sender(&format!("chrome-extension://{EXT}/panel.html#{TOKEN}")).panel_tab(EXT), Ok(42));
        assert_eq!(sender(&format!("chrome-extension://{EXT}/panel.html")).panel_tab(EXT), Ok(42));
    }

    #[test]
    fn background_refuses_other_senders() {
        let other_ext = MessageSender { id: Some("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz".into()), ..sender("chrome-extension://x/panel.html") };
        assert!(matches!(other_ext.panel_tab(EXT), Err(MessageError::UntrustedSender(_))));
        let content_script = sender(POLICIES);
        assert!(matches!(content_script.panel_tab(EXT), Err(MessageError::UntrustedSender(m)) if m.contains("not the panel")));
        let lookalike = sender(&format!("chrome-extension://{EXT}/panel.html.evil"));
        assert!(lookalike.panel_tab(EXT).is_err());
        let popup = MessageSender { tab: None, frame_id: Some(0), ..sender(&format!("chrome-extension://{EXT}/panel.html")) };
        assert!(popup.panel_tab(EXT).is_err());
        let top_level = MessageSender { frame_id: Some(0), ..sender(&format!("chrome-extension://{EXT}/panel.html")) };
        assert!(top_level.panel_tab(EXT).is_err());
        assert!(MessageSender::default().panel_tab(EXT).is_err());
        assert!(MessageSender::default().panel_tab("").is_err());
    }

    fn graph_call(method: Method, url: &str) -> GraphCall {
        GraphCall { method, url: url.into(), headers: vec![("Content-Type".into(), "application/json".into())], body: Some("{}".into()) }
    }

    #[test]
    fn graph_calls_of_the_apply_flow_are_accepted_on_their_clouds_graph_host() {
        let g = "https://graph.microsoft.com";
        for (method, url) in [
            (Method::Post, format!("{g}/beta/$batch")),
            (Method::Post, format!("{g}/v1.0/identity/conditionalAccess/policies")),
            (Method::Get, format!("{g}/v1.0/identity/conditionalAccess/policies?$top=999")),
            (Method::Post, format!("{g}/v1.0/identity/conditionalAccess/namedLocations")),
            (Method::Get, format!("{g}/v1.0/identity/conditionalAccess/namedLocations?$top=999")),
            (Method::Patch, format!("{g}/v1.0/identity/conditionalAccess/policies/0a1b2c3d-0000-4000-8000-000000000001")),
            (Method::Delete, format!("{g}/v1.0/identity/conditionalAccess/policies/0a1b2c3d-0000-4000-8000-000000000001")),
            (Method::Get, format!("{g}/v1.0/users?$search=%22displayName:break%22")),
        ] {
            assert_eq!(graph_call(method, &url).check(Cloud::Global), Ok(()), "{url}");
        }
        assert!(graph_call(Method::Post, "https://graph.microsoft.us/beta/$batch").check(Cloud::UsGovernment).is_ok());
    }

    #[test]
    fn the_sign_in_log_lookup_is_accepted_only_for_one_guid_correlation_id() {
        let g = "https://graph.microsoft.com/v1.0";
        let guid = "019827f4-372b-7726-8110-db46f130cd8f";
        let get = |url: String| GraphCall { method: Method::Get, url, headers: vec![], body: None };
        assert!(get(format!("{g}{SIGN_IN_LOOKUP_PREFIX}{guid}{SIGN_IN_LOOKUP_SUFFIX}")).check(Cloud::Global).is_ok());
        for url in [
            format!("{g}/auditLogs/signIns"),
            format!("{g}/auditLogs/signIns?$top=999"),
            format!("{g}{SIGN_IN_LOOKUP_PREFIX}' or true or '{SIGN_IN_LOOKUP_SUFFIX}"),
            format!("{g}{SIGN_IN_LOOKUP_PREFIX}{guid}'&$top=999"),
            format!("https://graph.microsoft.com/beta{SIGN_IN_LOOKUP_PREFIX}{guid}{SIGN_IN_LOOKUP_SUFFIX}"),
        ] {
            assert!(get(url.clone()).check(Cloud::Global).is_err(), "{url} was accepted");
        }
        let delete = GraphCall { method: Method::Delete, ..get(format!("{g}{SIGN_IN_LOOKUP_PREFIX}{guid}{SIGN_IN_LOOKUP_SUFFIX}")) };
        assert!(delete.check(Cloud::Global).is_err());
        assert!(get(format!("{g}{SIGN_IN_LOOKUP_PREFIX}{guid}{SIGN_IN_LOOKUP_SUFFIX}")).check(Cloud::UsGovernment).is_err());
    }

    #[test]
    fn graph_calls_elsewhere_or_beyond_the_flow_are_refused() {
        for (method, url) in [
            (Method::Post, "https://evil.example/beta/$batch"),
            (Method::Post, "https://graph.microsoft.us/beta/$batch"),
            (Method::Post, "http://graph.microsoft.com/beta/$batch"),
            (Method::Delete, "https://graph.microsoft.com/v1.0/users/0a1b2c3d-0000-4000-8000-000000000001"),
            (Method::Patch, "https://graph.microsoft.com/v1.0/policies/identitySecurityDefaultsEnforcementPolicy"),
            (Method::Patch, "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies/../../users"),
            (Method::Post, "https://graph.microsoft.com/v1.0/$batch"),
            (Method::Get, "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policiesX"),
        ] {
            assert!(graph_call(method, url).check(Cloud::Global).is_err(), "{method:?} {url}");
        }
        let mut with_token = graph_call(Method::Post, "https://graph.microsoft.com/beta/$batch");
        with_token.headers.push(("Authorization".into(), "Bearer stolen".into()));
        assert!(matches!(with_token.check(Cloud::Global), Err(MessageError::Malformed(m)) if m.contains("Authorization")));
        let mut huge = graph_call(Method::Post, "https://graph.microsoft.com/beta/$batch");
        huge.body = Some("x".repeat(MAX_GRAPH_BODY_CHARS + 1));
        assert!(matches!(huge.check(Cloud::Global), Err(MessageError::TooLong { .. })));
    }

    #[test]
    fn graph_send_decodes_strictly() {
        let ok = json!({"type": "graph-send", "cloud": "Global", "request": {"method": "POST",
            "url": "https://graph.microsoft.com/beta/$batch", "headers": [["Content-Type", "application/json"]], "body": "{}"}});
        assert!(decode::<ToBackground>(ok.clone()).is_ok());
        let mut extra = ok.clone();
        extra["request"]["token"] = json!("x");
        assert!(matches!(decode::<ToBackground>(extra), Err(MessageError::Malformed(_))));
        let mut cloud = ok;
        cloud["cloud"] = json!("Mars");
        assert!(matches!(decode::<ToBackground>(cloud), Err(MessageError::Malformed(_))));
    }

    #[test]
    fn sign_out_with_extra_fields_is_refused() {
        assert_eq!(decode::<ToBackground>(json!({"type": "sign-out"})), Ok(ToBackground::SignOut {}));
        assert!(matches!(decode::<ToBackground>(json!({"type": "sign-out", "everything": true})), Err(MessageError::Malformed(_))));
    }

    #[test]
    fn sign_in_tenant_hint_must_look_like_a_tenant() {
        let msg = |tenant: &str| json!({"type": "sign-in", "cloud": "Global", "interactive": true, "renew": false, "tenant": tenant, "loginHint": null});
        assert!(decode::<ToBackground>(msg("contoso.onmicrosoft.com")).is_ok());
        assert!(decode::<ToBackground>(msg("0a1b2c3d-0000-4000-8000-000000000001")).is_ok());
        assert!(decode::<ToBackground>(msg("contoso/../common?prompt=none")).is_err());
        assert!(decode::<ToBackground>(msg("")).is_err());
    }

    #[test]
    fn options_page_may_sign_in_and_read_but_never_write() {
        let options = MessageSender { tab: None, frame_id: Some(0), ..sender(&format!("chrome-extension://{EXT}/options.html")) };
        assert_eq!(options.trusted(EXT), Ok(TrustedSender::Options));
        assert_eq!(sender(&format!("chrome-extension://{EXT}/panel.html#{TOKEN}")).trusted(EXT), Ok(TrustedSender::Panel { tab: 42 }));
        let write = ToBackground::GraphSend {
            cloud: Cloud::Global,
            request: graph_call(Method::Post, "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies"),
        };
        assert!(write.allowed_from(TrustedSender::Options).is_err());
        assert!(write.allowed_from(TrustedSender::Panel { tab: 1 }).is_ok());
        let read = ToBackground::GraphSend { cloud: Cloud::Global, request: graph_call(Method::Get, "https://graph.microsoft.com/v1.0/users") };
        assert!(read.allowed_from(TrustedSender::Options).is_ok());
        assert!(ToBackground::SignOut {}.allowed_from(TrustedSender::Options).is_ok());
        assert!(sender(POLICIES).trusted(EXT).is_err());
        let other = MessageSender { id: Some("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz".into()), ..options.clone() };
        assert!(other.trusted(EXT).is_err());
        assert!(sender(&format!("chrome-extension://{EXT}/options.html.evil")).trusted(EXT).is_err());
    }

    #[test]
    fn settings_accept_a_guid_client_id_and_refuse_anything_else() {
        let mut settings = ExtensionSettings::default();
        assert_eq!(settings.validate(), Ok(()));
        settings.client_id = "3e5f7a9c-2b4d-4c6e-8f01-a2b3c4d5e6f7".into();
        assert_eq!(settings.validate(), Ok(()));
        settings.client_id = "my app".into();
        assert!(matches!(settings.validate(), Err(MessageError::Malformed(m)) if m.contains("Application (client) ID")));
        let stored: ExtensionSettings = serde_json::from_value(json!({"clientId": "3e5f7a9c-2b4d-4c6e-8f01-a2b3c4d5e6f7"})).unwrap();
        assert_eq!(stored.default_preset, Preset::BlockOutsideTrusted);
        assert_eq!(stored.default_state, PolicyState::EnabledForReportingButNotEnforced);
        assert_eq!(stored.cloud_for(Cloud::UsGovernment), Cloud::UsGovernment);
        let bad = ExtensionSettings { break_glass: vec![BreakGlassAccount { id: "x".into(), label: "BG".into() }], ..stored };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn panel_shown_is_validated_like_facts() {
        let mut value = facts_json(POLICIES);
        value["lang"] = json!("x".repeat(MAX_TEXT_CHARS + 1));
        let err = decode::<ToBackground>(json!({"type": "panel-shown", "facts": value})).unwrap_err();
        assert_eq!(err, MessageError::TooLong { field: "lang", max: MAX_TEXT_CHARS });
    }
}
