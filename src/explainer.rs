//! The live explainer beside the sign-in block page: the typed messages between the thin content
//! script on the sign-in hosts (`content/signin.js`), the explainer frame (`explainer.html`) and the
//! background, what the frame agrees to explain, and where it docks so the page stays readable.
//!
//! | From → to | Channel | Type |
//! |---|---|---|
//! | content script → frame | `window.postMessage` to the extension origin, once, with a private `MessagePort` | [`FrameHandshake`](crate::messages::FrameHandshake) (same token rule as the panel) |
//! | content script → frame | the private port | [`ToExplainer`] |
//! | frame → content script | the private port | [`ToSignInScript`] |
//! | frame → background | `chrome.runtime.sendMessage`; the reply is [`AdminLookupReply`] | [`ExplainerToBackground`] |
//!
//! Restraint is part of the contract: the content script sends the page's error text only when cheap
//! structural hints suggest an error page, never input values; the frame shows itself only for a
//! Conditional Access block ([`page_to_explain`]) and asks the content script to remove it otherwise.
//!
//! ```
//! use registration_guard::explainer::{placement, Dock, CardBox};
//! use registration_guard::messages::Viewport;
//!
//! // A wide window: docked to the right, clear of Microsoft's centred 440 px sign-in card.
//! let wide = Viewport { width: 1280, height: 800 };
//! let card = CardBox { left: 420, top: 150, width: 440, height: 380 };
//! let place = placement(wide, Some(card), 600, true);
//! assert_eq!(place.dock, Dock::Side);
//! assert!(place.left >= 860 + 16);
//! // A phone-sized window: a bottom sheet, only its bar until the user opens it.
//! let narrow = Viewport { width: 390, height: 800 };
//! assert_eq!(placement(narrow, None, 600, false).dock, Dock::Sheet);
//! ```

use crate::blockpage::{BlockPage, Recognition, SignInPageFacts};
use crate::context::{is_guid, Cloud};
use crate::messages::{
    MessageError, MessageSender, Validate, Viewport, MAX_TEXT_CHARS, MAX_URL_CHARS, SIGN_IN_LOOKUP_PREFIX,
    SIGN_IN_LOOKUP_SUFFIX,
};
use serde::{Deserialize, Serialize};

/// Most text lines the content script sends (the block page's card has about twenty).
pub const MAX_LINES: usize = 120;
/// Longest line accepted (an `AADSTS…` message line can run to a few hundred characters).
pub const MAX_LINE_CHARS: usize = 1024;
/// Longest host name (DNS limit).
const MAX_HOST_CHARS: usize = 253;
/// Viewport sides above this are not a real window.
const MAX_VIEWPORT_PX: u32 = 100_000;

/// Width of Microsoft's sign-in card, centred on the page when the content script could not measure it.
pub const SIGN_IN_CARD_PX: u32 = 440;
/// Widest side-docked explainer.
pub const SIDE_MAX_WIDTH_PX: u32 = 360;
/// Narrowest side-docked explainer; below this the bottom sheet reads better.
pub const SIDE_MIN_WIDTH_PX: u32 = 300;
/// Gap between the explainer and the window edges (and the sign-in card).
pub const GAP_PX: u32 = 16;
/// Height of the bottom sheet's bar while closed.
pub const SHEET_BAR_PX: u32 = 56;
/// Widest bottom sheet.
pub const SHEET_MAX_WIDTH_PX: u32 = 640;
/// Share of the window height an open bottom sheet may take, in percent.
pub const SHEET_MAX_HEIGHT_PERCENT: u32 = 60;

/// Where the sign-in card sits, from `getBoundingClientRect()` rounded to whole pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardBox {
    pub left: i32,
    pub top: i32,
    pub width: u32,
    pub height: u32,
}

/// Raw facts the content script reads from a sign-in page that looks like an error page.
/// Visible text only: input values are never read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignInSnapshot {
    /// `location.host`.
    pub host: String,
    /// `location.pathname` (never the query, which can carry sign-in parameters).
    pub path: String,
    /// `<html lang>`, when set.
    pub lang: Option<String>,
    /// Text of the card's heading element, when one was found.
    pub heading: Option<String>,
    /// Visible text lines of the main card (`innerText`), in page order.
    pub lines: Vec<String>,
    /// Whether a troubleshooting-details container exists on the page, open or collapsed.
    pub has_details_container: bool,
    /// The window, to dock the explainer.
    pub viewport: Viewport,
    /// The sign-in card, when the content script found it.
    pub card: Option<CardBox>,
}

fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), MessageError> {
    if value.len() > max && value.chars().count() > max {
        return Err(MessageError::TooLong { field, max });
    }
    Ok(())
}

impl Validate for SignInSnapshot {
    fn validate(&self) -> Result<(), MessageError> {
        check_len("host", &self.host, MAX_HOST_CHARS)?;
        check_len("path", &self.path, MAX_URL_CHARS)?;
        if let Some(lang) = &self.lang {
            check_len("lang", lang, MAX_TEXT_CHARS)?;
        }
        if let Some(heading) = &self.heading {
            check_len("heading", heading, MAX_LINE_CHARS)?;
        }
        if self.lines.len() > MAX_LINES {
            return Err(MessageError::OutOfRange { field: "lines" });
        }
        for line in &self.lines {
            check_len("lines[]", line, MAX_LINE_CHARS)?;
        }
        if self.viewport.width > MAX_VIEWPORT_PX {
            return Err(MessageError::OutOfRange {
                field: "viewport.width",
            });
        }
        if self.viewport.height > MAX_VIEWPORT_PX {
            return Err(MessageError::OutOfRange {
                field: "viewport.height",
            });
        }
        if let Some(card) = self.card {
            let limit = MAX_VIEWPORT_PX as i32;
            if card.width > MAX_VIEWPORT_PX
                || card.height > MAX_VIEWPORT_PX
                || !(-limit..=limit).contains(&card.left)
                || !(-limit..=limit).contains(&card.top)
            {
                return Err(MessageError::OutOfRange { field: "card" });
            }
        }
        Ok(())
    }
}

impl SignInSnapshot {
    /// The facts the block-page recogniser reads.
    pub fn page_facts(&self) -> SignInPageFacts {
        SignInPageFacts {
            host: self.host.clone(),
            path: self.path.clone(),
            lang: self.lang.clone(),
            heading: self.heading.clone(),
            texts: self.lines.clone(),
            has_error_details_panel: self.has_details_container,
        }
    }
}

/// Content script → explainer frame, over the private port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ToExplainer {
    /// The page as it is now: sent after connecting, when the card's text changes and on resize.
    SignInFacts { facts: SignInSnapshot },
}

// Read as one flat, strict record rather than through serde's internally-tagged derive, which
// buffers the message and deserializes the snapshot a second time from that buffer (about 8 KB
// of wasm). Same shape and same refusals: `type` must be `sign-in-facts`, nothing else is allowed.
impl<'de> Deserialize<'de> for ToExplainer {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            #[serde(rename = "type")]
            kind: String,
            facts: SignInSnapshot,
        }
        let wire = Wire::deserialize(deserializer)?;
        if wire.kind != "sign-in-facts" {
            return Err(serde::de::Error::unknown_variant(&wire.kind, &["sign-in-facts"]));
        }
        Ok(ToExplainer::SignInFacts { facts: wire.facts })
    }
}

impl Validate for ToExplainer {
    fn validate(&self) -> Result<(), MessageError> {
        match self {
            ToExplainer::SignInFacts { facts } => facts.validate(),
        }
    }
}

/// How the explainer sits on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dock {
    /// A column at the right edge, beside the sign-in card.
    Side,
    /// A sheet at the bottom of narrow windows; only its bar shows until the user opens it.
    Sheet,
}

/// Explainer frame → content script, over the private port. Applied as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ToSignInScript {
    /// Show the frame at this rectangle of the window (CSS pixels).
    Place {
        dock: Dock,
        left: u32,
        top: u32,
        width: u32,
        height: u32,
    },
    /// Not a Conditional Access block: remove the frame, and look again only if the page's text changes.
    Remove,
    /// The user closed the explainer: remove the frame and leave this page alone.
    Dismissed,
}

/// A rectangle of the window for the explainer frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub dock: Dock,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
}

impl Placement {
    /// The message that tells the content script to apply this placement.
    pub fn message(self) -> ToSignInScript {
        ToSignInScript::Place {
            dock: self.dock,
            left: self.left,
            top: self.top,
            width: self.width,
            height: self.height,
        }
    }
}

/// Where the explainer goes, given the window, the sign-in card (when measured), the height its
/// content wants and, for the bottom sheet, whether the user opened it.
///
/// The rule that keeps the page readable: beside the card when at least [`SIDE_MIN_WIDTH_PX`] fit
/// between the card's right edge and the window's (with [`GAP_PX`] on both sides) — which holds for
/// Microsoft's centred card from about 1110 px up, so always at 1280 px — else a bottom sheet that
/// shows only its [`SHEET_BAR_PX`] bar until opened.
pub fn placement(
    viewport: Viewport,
    card: Option<CardBox>,
    content_height: u32,
    sheet_open: bool,
) -> Placement {
    let card_right = match card {
        Some(card) if card.width > 0 => (card.left.max(0) as u32).saturating_add(card.width),
        _ => viewport.width.saturating_add(SIGN_IN_CARD_PX) / 2,
    };
    let room = viewport
        .width
        .saturating_sub(card_right)
        .saturating_sub(2 * GAP_PX);
    if room >= SIDE_MIN_WIDTH_PX {
        let width = room.min(SIDE_MAX_WIDTH_PX);
        let height = content_height.clamp(
            SHEET_BAR_PX,
            viewport.height.saturating_sub(2 * GAP_PX).max(SHEET_BAR_PX),
        );
        return Placement {
            dock: Dock::Side,
            left: viewport.width - GAP_PX - width,
            top: GAP_PX,
            width,
            height,
        };
    }
    let width = viewport.width.min(SHEET_MAX_WIDTH_PX);
    let height = if sheet_open {
        let most = viewport.height * SHEET_MAX_HEIGHT_PERCENT / 100;
        content_height.clamp(SHEET_BAR_PX, most.max(SHEET_BAR_PX))
    } else {
        SHEET_BAR_PX
    };
    Placement {
        dock: Dock::Sheet,
        left: (viewport.width - width) / 2,
        top: viewport.height.saturating_sub(height),
        width,
        height,
    }
}

/// The block page the explainer explains, if any.
///
/// Only Conditional Access blocks are explained. A wrong password (`AADSTS50126`) or any other
/// sign-in error gets nothing: the page's own message covers it, and an extension that appears on
/// every failed sign-in would teach users to ignore it.
pub fn page_to_explain(recognition: Recognition) -> Option<BlockPage> {
    match recognition {
        Recognition::ConditionalAccessBlock(page) => Some(page),
        Recognition::NotABlockPage | Recognition::OtherSignInError { .. } => None,
    }
}

/// Explainer frame → background (`chrome.runtime.sendMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ExplainerToBackground {
    /// An admin asks which policy blocked this sign-in. Sent only when the admin presses the button.
    #[serde(rename_all = "camelCase")]
    ExplainerAdminLookup {
        cloud: Cloud,
        correlation_id: String,
    },
}

impl Validate for ExplainerToBackground {
    fn validate(&self) -> Result<(), MessageError> {
        let ExplainerToBackground::ExplainerAdminLookup { correlation_id, .. } = self;
        if is_guid(correlation_id) {
            Ok(())
        } else {
            Err(MessageError::Malformed(
                "the correlation id is not a GUID".to_string(),
            ))
        }
    }
}

/// Background → explainer frame, the reply to [`ExplainerToBackground`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum AdminLookupReply {
    /// The extension holds no sign-in for this cloud, so it cannot read the sign-in logs.
    NotSignedIn { cloud: Cloud },
    /// The sign-in logs hold these events for the correlation id ([`read_sign_in_lookup`]).
    Found { records: Vec<SignInRecord> },
    /// The sign-in logs hold no event for the correlation id (yet).
    NotFound,
    /// The message was refused, or the lookup failed; `reason` says why.
    Refused { reason: String },
}

impl AdminLookupReply {
    /// What the explainer tells the admin.
    pub fn message(&self) -> String {
        match self {
            AdminLookupReply::NotSignedIn { cloud } => format!(
                "Sign in to Registration Guard from the admin center to look this up: it is not signed in to the {} \
                 yet. Until then, the steps above find the policy by hand.",
                cloud.label()
            ),
            AdminLookupReply::Found { records } => {
                let mut lines: Vec<String> = Vec::new();
                for record in records {
                    let stopped: Vec<String> = record
                        .policies
                        .iter()
                        .filter(|p| p.result == "failure")
                        .map(AppliedPolicy::label)
                        .collect();
                    let others: Vec<String> = record
                        .policies
                        .iter()
                        .filter(|p| p.result != "failure")
                        .map(|p| format!("{} — {}", p.label(), result_label(&p.result)))
                        .collect();
                    let when = record.created.as_deref().unwrap_or("time not recorded");
                    lines.push(if stopped.is_empty() {
                        format!("Sign-in at {when}: no policy stopped it.")
                    } else {
                        format!("Sign-in at {when}: stopped by {}.", stopped.join(", "))
                    });
                    if !others.is_empty() {
                        lines.push(format!("Also applied: {}.", others.join("; ")));
                    }
                }
                lines.join("\n")
            }
            AdminLookupReply::NotFound => "No sign-in record yet — records appear within a few minutes of the \
                 sign-in. Press the button again shortly."
                .to_string(),
            AdminLookupReply::Refused { reason } => format!("Registration Guard could not look this up: {reason}"),
        }
    }
}

/// One sign-in event, as the admin needs it, from `GET /v1.0/auditLogs/signIns` ([`sign_in_lookup_path`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignInRecord {
    /// `createdDateTime`.
    pub created: Option<String>,
    /// `userPrincipalName`.
    pub user: Option<String>,
    /// `appDisplayName`.
    pub app: Option<String>,
    /// `ipAddress`.
    pub ip_address: Option<String>,
    /// `status.errorCode` (53003 for a block).
    pub error_code: Option<i64>,
    /// The Conditional Access policies that applied to the event (those reported `notApplied` or
    /// `notEnabled` are left out), in the order Graph lists them.
    pub policies: Vec<AppliedPolicy>,
}

/// One entry of a sign-in event's `appliedConditionalAccessPolicies`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppliedPolicy {
    pub id: String,
    pub display_name: String,
    /// Graph's `result`: `failure` (stopped the sign-in), `success`, `reportOnlyFailure`, …
    pub result: String,
    /// `enforcedGrantControls`, e.g. `["Block"]`.
    pub grant_controls: Vec<String>,
}

impl AppliedPolicy {
    /// “Name” (Block).
    fn label(&self) -> String {
        if self.grant_controls.is_empty() {
            format!("“{}”", self.display_name)
        } else {
            format!(
                "“{}” ({})",
                self.display_name,
                self.grant_controls.join(", ")
            )
        }
    }
}

fn result_label(result: &str) -> &str {
    match result {
        "success" => "satisfied",
        "reportOnlyFailure" => "report-only: would have stopped it",
        "reportOnlySuccess" => "report-only: would have been satisfied",
        "reportOnlyInterrupted" => "report-only: would have asked for more",
        other => other,
    }
}

/// Results that mean the policy did not apply to the event.
const NOT_APPLIED: [&str; 3] = ["notApplied", "notEnabled", "reportOnlyNotApplied"];

/// The Microsoft Graph path (v1.0, needs `AuditLog.Read.All`) that finds the sign-in events of a
/// correlation id. The id must be a GUID, so nothing else can reach the filter.
///
/// ```
/// use registration_guard::explainer::sign_in_lookup_path;
/// assert_eq!(
///     sign_in_lookup_path("019827f4-372b-7726-8110-db46f130cd8f").unwrap(),
///     "/auditLogs/signIns?$filter=correlationId%20eq%20'019827f4-372b-7726-8110-db46f130cd8f'&$top=1"
/// );
/// assert!(sign_in_lookup_path("x' or true").is_err());
/// ```
pub fn sign_in_lookup_path(correlation_id: &str) -> Result<String, MessageError> {
    if !is_guid(correlation_id) {
        return Err(MessageError::Malformed(
            "the correlation id is not a GUID".to_string(),
        ));
    }
    Ok(format!("{SIGN_IN_LOOKUP_PREFIX}{correlation_id}{SIGN_IN_LOOKUP_SUFFIX}"))
}

/// What the explainer tells the admin after Microsoft Graph answered the lookup with `status` and
/// `body`: the events (or none yet), or an error that names the role, consent or licence missing.
pub fn admin_lookup_reply(status: u16, body: &str) -> AdminLookupReply {
    if (200..300).contains(&status) {
        return match read_sign_in_lookup(body) {
            Ok(records) if records.is_empty() => AdminLookupReply::NotFound,
            Ok(records) => AdminLookupReply::Found { records },
            Err(reason) => AdminLookupReply::Refused { reason },
        };
    }
    let error: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let code = error.pointer("/error/code").and_then(|c| c.as_str()).unwrap_or("");
    let said = error.pointer("/error/message").and_then(|c| c.as_str()).unwrap_or("");
    let reason = match (status, code) {
        (403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant") => {
            "Microsoft Graph serves sign-in logs only to tenants with Entra ID P1 or P2 licences; the              Entra admin center's Sign-in logs page still shows this event."
                .to_string()
        }
        (403, _) => format!(
            "Microsoft Graph refused to read the sign-in logs ({}). Your account needs a role that reads              them (Reports Reader, Security Reader, Global Reader or higher), and the app registration needs              the delegated permission AuditLog.Read.All with admin consent.",
            if code.is_empty() { "403 Forbidden" } else { code }
        ),
        (401, _) => "Microsoft Graph did not accept Registration Guard's sign-in. Sign in again from the                      admin center, then press the button again."
            .to_string(),
        (429, _) | (500..=599, _) => format!(
            "Microsoft Graph is busy or unavailable (HTTP {status}). Try again in a minute."
        ),
        _ if code.is_empty() => format!("Microsoft Graph answered HTTP {status}."),
        _ => format!("Microsoft Graph answered HTTP {status} ({code}: {said})."),
    };
    AdminLookupReply::Refused { reason }
}

/// Reads the answer to [`sign_in_lookup_path`] (`{"value": [signIn, …]}`). Unknown fields are
/// ignored; a body that is not that shape gives an error naming what was wrong.
pub fn read_sign_in_lookup(body: &str) -> Result<Vec<SignInRecord>, String> {
    let value: serde_json::Value = serde_json::from_str(body)
        .map_err(|e| format!("the sign-in logs answered with something that is not JSON ({e})"))?;
    let events = value
        .get("value")
        .and_then(|v| v.as_array())
        .ok_or("the sign-in logs answer has no \"value\" list")?;
    let text =
        |v: &serde_json::Value, key: &str| v.get(key).and_then(|x| x.as_str()).map(str::to_string);
    Ok(events
        .iter()
        .map(|event| SignInRecord {
            created: text(event, "createdDateTime"),
            user: text(event, "userPrincipalName"),
            app: text(event, "appDisplayName"),
            ip_address: text(event, "ipAddress"),
            error_code: event.pointer("/status/errorCode").and_then(|c| c.as_i64()),
            policies: event
                .get("appliedConditionalAccessPolicies")
                .and_then(|p| p.as_array())
                .map(|list| {
                    list.iter()
                        .filter_map(|p| {
                            let result = text(p, "result").unwrap_or_else(|| "unknown".to_string());
                            (!NOT_APPLIED.contains(&result.as_str())).then(|| AppliedPolicy {
                                id: text(p, "id").unwrap_or_default(),
                                display_name: text(p, "displayName")
                                    .unwrap_or_else(|| "(policy without a name)".to_string()),
                                result,
                                grant_controls: p
                                    .get("enforcedGrantControls")
                                    .and_then(|g| g.as_array())
                                    .map(|g| {
                                        g.iter()
                                            .filter_map(|c| c.as_str().map(str::to_string))
                                            .collect()
                                    })
                                    .unwrap_or_default(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect())
}

/// Checks that a message to the background comes from this extension's explainer frame inside a
/// browser tab, and returns that tab's id. Content scripts, other extensions and pages are refused.
///
/// ```
/// use registration_guard::explainer::explainer_tab;
/// use registration_guard::messages::{MessageSender, SenderTab};
/// let id = "abcdefghijklmnopabcdefghijklmnop";
/// let sender = MessageSender {
///     id: Some(id.into()),
///     url: Some(format!("chrome-extension://{id}/explainer.html#0123")),
///     tab: Some(SenderTab { id: Some(7) }),
///     frame_id: Some(2),
/// };
/// assert_eq!(explainer_tab(&sender, id), Ok(7));
/// ```
pub fn explainer_tab(sender: &MessageSender, extension_id: &str) -> Result<i64, MessageError> {
    if extension_id.is_empty() || sender.id.as_deref() != Some(extension_id) {
        return Err(MessageError::UntrustedSender(
            "another extension or a web page".to_string(),
        ));
    }
    let page = format!("chrome-extension://{extension_id}/explainer.html");
    let from_explainer = sender.url.as_deref().is_some_and(|url| {
        url.strip_prefix(&page)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['#', '?']))
    });
    if !from_explainer {
        return Err(MessageError::UntrustedSender(format!(
            "{} is not the explainer page",
            sender
                .url
                .as_deref()
                .unwrap_or("a sender without an address")
        )));
    }
    match sender.tab.as_ref().and_then(|tab| tab.id) {
        Some(tab) if tab >= 0 && sender.frame_id.is_some_and(|frame| frame > 0) => Ok(tab),
        _ => Err(MessageError::UntrustedSender(
            "an explainer page that is not framed in a sign-in tab".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blockpage::recognise;
    use crate::messages::{decode_json, SenderTab};
    use serde_json::json;

    const EXT: &str = "abcdefghijklmnopabcdefghijklmnop";
    const CORRELATION: &str = "019827f4-372b-7726-8110-db46f130cd8f";

    fn snapshot_json() -> serde_json::Value {
        json!({
            "host": "login.microsoftonline.com", "path": "/common/oauth2/v2.0/authorize", "lang": "en",
            "heading": "You cannot access this right now",
            "lines": ["Your sign-in was successful but does not meet the criteria to access this resource.",
                      "More details", "Error Code: 53003", format!("Correlation Id: {CORRELATION}")],
            "hasDetailsContainer": true, "viewport": {"width": 1280, "height": 800},
            "card": {"left": 420, "top": 160, "width": 440, "height": 420}
        })
    }

    fn decode(value: serde_json::Value) -> Result<ToExplainer, MessageError> {
        decode_json(&value.to_string())
    }

    #[test]
    fn facts_from_the_content_script_decode_and_are_recognised_as_a_block() {
        let ToExplainer::SignInFacts { facts } =
            decode(json!({"type": "sign-in-facts", "facts": snapshot_json()})).unwrap();
        let page = page_to_explain(recognise(&facts.page_facts())).expect("a block page");
        assert_eq!(page.details.correlation_id.as_deref(), Some(CORRELATION));
    }

    #[test]
    fn the_facts_message_keeps_its_envelope_and_refuses_anything_around_it() {
        let message = decode(json!({"type": "sign-in-facts", "facts": snapshot_json()})).unwrap();
        assert_eq!(decode(serde_json::to_value(&message).unwrap()).unwrap(), message);
        let with_extra = json!({"type": "sign-in-facts", "facts": snapshot_json(), "password": "x"});
        assert!(matches!(decode(with_extra), Err(MessageError::Malformed(m)) if m.contains("password")));
        let other_type = json!({"type": "place", "facts": snapshot_json()});
        assert!(matches!(decode(other_type), Err(MessageError::Malformed(m)) if m.contains("place")));
        let untyped = json!({"facts": snapshot_json()});
        assert!(matches!(decode(untyped), Err(MessageError::Malformed(m)) if m.contains("type")));
        assert!(decode(json!({"type": "sign-in-facts"})).is_err());
    }

    #[test]
    fn unknown_fields_such_as_input_values_are_refused() {
        let mut facts = snapshot_json();
        facts["password"] = json!("hunter2");
        let err = decode(json!({"type": "sign-in-facts", "facts": facts})).unwrap_err();
        assert!(
            matches!(err, MessageError::Malformed(ref m) if m.contains("password")),
            "{err}"
        );
    }

    #[test]
    fn too_many_or_too_long_lines_are_refused_with_the_field_named() {
        let mut facts = snapshot_json();
        facts["lines"] = json!(vec!["x"; MAX_LINES + 1]);
        assert_eq!(
            decode(json!({"type": "sign-in-facts", "facts": facts})).unwrap_err(),
            MessageError::OutOfRange { field: "lines" }
        );
        let mut facts = snapshot_json();
        facts["lines"] = json!(["y".repeat(MAX_LINE_CHARS + 1)]);
        assert_eq!(
            decode(json!({"type": "sign-in-facts", "facts": facts})).unwrap_err(),
            MessageError::TooLong {
                field: "lines[]",
                max: MAX_LINE_CHARS
            }
        );
        let mut facts = snapshot_json();
        facts["card"]["left"] = json!(-200_000);
        assert_eq!(
            decode(json!({"type": "sign-in-facts", "facts": facts})).unwrap_err(),
            MessageError::OutOfRange { field: "card" }
        );
    }

    #[test]
    fn wrong_password_and_ordinary_pages_are_not_explained() {
        let mut facts = serde_json::from_value::<SignInSnapshot>(snapshot_json()).unwrap();
        facts.heading = Some("Enter password".into());
        facts.lines = vec![
            "AADSTS50126: Error validating credentials due to invalid username or password.".into(),
        ];
        assert!(matches!(
            recognise(&facts.page_facts()),
            Recognition::OtherSignInError { .. }
        ));
        assert_eq!(page_to_explain(recognise(&facts.page_facts())), None);
        facts.lines = vec!["Sign in".into(), "Can't access your account?".into()];
        facts.has_details_container = false;
        assert_eq!(page_to_explain(recognise(&facts.page_facts())), None);
    }

    #[test]
    fn at_1280_pixels_the_explainer_docks_beside_the_centred_card_without_covering_it() {
        let viewport = Viewport {
            width: 1280,
            height: 800,
        };
        for card in [
            None,
            Some(CardBox {
                left: 420,
                top: 160,
                width: 440,
                height: 420,
            }),
        ] {
            let place = placement(viewport, card, 2000, false);
            assert_eq!(place.dock, Dock::Side);
            assert!(
                place.left >= 860 + GAP_PX,
                "explainer starts at {} over the card",
                place.left
            );
            assert_eq!(place.left + place.width + GAP_PX, 1280);
            assert_eq!(
                place.height,
                800 - 2 * GAP_PX,
                "tall content scrolls inside the frame"
            );
            assert_eq!(place.top, GAP_PX);
        }
        assert_eq!(placement(viewport, None, 300, false).height, 300);
    }

    #[test]
    fn a_card_pushed_right_sends_the_explainer_to_the_bottom_sheet() {
        let viewport = Viewport {
            width: 1280,
            height: 800,
        };
        let card = CardBox {
            left: 700,
            top: 100,
            width: 440,
            height: 400,
        };
        assert_eq!(
            placement(viewport, Some(card), 500, false).dock,
            Dock::Sheet
        );
    }

    #[test]
    fn narrow_windows_get_a_bottom_sheet_that_is_only_a_bar_until_opened() {
        let viewport = Viewport {
            width: 390,
            height: 844,
        };
        let closed = placement(viewport, None, 900, false);
        assert_eq!(
            (closed.dock, closed.height, closed.top),
            (Dock::Sheet, SHEET_BAR_PX, 844 - SHEET_BAR_PX)
        );
        assert_eq!((closed.left, closed.width), (0, 390));
        let open = placement(viewport, None, 900, true);
        assert_eq!(open.height, 844 * SHEET_MAX_HEIGHT_PERCENT / 100);
        assert_eq!(open.top + open.height, 844);
        let wide_sheet = placement(
            Viewport {
                width: 1000,
                height: 700,
            },
            None,
            200,
            true,
        );
        assert_eq!(
            (wide_sheet.width, wide_sheet.left, wide_sheet.height),
            (SHEET_MAX_WIDTH_PX, 180, 200)
        );
        let tiny = placement(
            Viewport {
                width: 0,
                height: 0,
            },
            None,
            0,
            true,
        );
        assert_eq!((tiny.width, tiny.height, tiny.top), (0, SHEET_BAR_PX, 0));
    }

    #[test]
    fn placement_and_remove_messages_have_the_shape_the_content_script_applies() {
        let msg = placement(
            Viewport {
                width: 1280,
                height: 800,
            },
            None,
            400,
            false,
        )
        .message();
        assert_eq!(
            serde_json::to_value(msg).unwrap(),
            json!({"type": "place", "dock": "side", "left": 904, "top": 16, "width": 360, "height": 400})
        );
        assert_eq!(
            serde_json::to_value(ToSignInScript::Remove).unwrap(),
            json!({"type": "remove"})
        );
        assert_eq!(
            serde_json::to_value(ToSignInScript::Dismissed).unwrap(),
            json!({"type": "dismissed"})
        );
    }

    #[test]
    fn admin_lookup_needs_a_guid_correlation_id() {
        let ok: ExplainerToBackground =
            decode_json(&json!({"type": "explainer-admin-lookup", "cloud": "Global", "correlationId": CORRELATION}).to_string())
                .unwrap();
        assert_eq!(
            ok,
            ExplainerToBackground::ExplainerAdminLookup {
                cloud: Cloud::Global,
                correlation_id: CORRELATION.into()
            }
        );
        let bad = decode_json::<ExplainerToBackground>(
            &json!({"type": "explainer-admin-lookup", "cloud": "Global", "correlationId": "' or 1 eq 1"}).to_string(),
        );
        assert!(
            matches!(bad, Err(MessageError::Malformed(ref m)) if m.contains("GUID")),
            "{bad:?}"
        );
    }

    #[test]
    fn not_signed_in_reply_tells_the_admin_where_to_sign_in() {
        let text = AdminLookupReply::NotSignedIn {
            cloud: Cloud::UsGovernment,
        }
        .message();
        assert!(
            text.starts_with("Sign in to Registration Guard from the admin center to look this up"),
            "{text}"
        );
        assert!(text.contains("US Government cloud"));
    }

    #[test]
    fn the_sign_in_record_names_the_policy_that_blocked_it() {
        let body = json!({"value": [{
            "id": "66ea54eb-6301-4ee5-be62-ff5a759b0100", "createdDateTime": "2025-07-20T13:20:49Z",
            "userPrincipalName": "adele@contoso.com", "appDisplayName": "My Signins", "ipAddress": "203.0.113.24",
            "correlationId": CORRELATION, "conditionalAccessStatus": "failure",
            "status": {"errorCode": 53003, "failureReason": "Access has been blocked by Conditional Access policies."},
            "appliedConditionalAccessPolicies": [
                {"id": "1", "displayName": "Block security info registration outside trusted locations",
                 "enforcedGrantControls": ["Block"], "enforcedSessionControls": [], "result": "failure"},
                {"id": "2", "displayName": "Require MFA for admins", "enforcedGrantControls": ["Mfa"], "result": "notApplied"},
                {"id": "3", "displayName": "Pilot: block legacy auth", "enforcedGrantControls": ["Block"], "result": "reportOnlyFailure"}
            ]
        }]})
        .to_string();
        let records = read_sign_in_lookup(&body).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].error_code, Some(53003));
        assert_eq!(
            records[0]
                .policies
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>(),
            ["1", "3"]
        );
        let text = AdminLookupReply::Found { records }.message();
        assert_eq!(
            text,
            "Sign-in at 2025-07-20T13:20:49Z: stopped by “Block security info registration outside trusted locations” (Block).\n\
             Also applied: “Pilot: block legacy auth” (Block) — report-only: would have stopped it."
        );
    }

    #[test]
    fn graph_answers_to_the_lookup_become_what_the_admin_reads() {
        let empty = admin_lookup_reply(200, "{\"value\": []}");
        assert_eq!(empty, AdminLookupReply::NotFound);
        let found = admin_lookup_reply(
            200,
            &json!({"value": [{"createdDateTime": "2026-11-25T10:00:00Z", "appliedConditionalAccessPolicies": [
                {"id": "1", "displayName": "Registration Guard: security info from trusted locations",
                 "enforcedGrantControls": ["Block"], "result": "failure"}]}]})
            .to_string(),
        );
        assert!(found.message().contains("stopped by “Registration Guard: security info from trusted locations” (Block)"));
        let denied = admin_lookup_reply(
            403,
            &json!({"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}).to_string(),
        );
        let text = denied.message();
        assert!(text.contains("Reports Reader") && text.contains("AuditLog.Read.All") && text.contains("Authorization_RequestDenied"), "{text}");
        let unlicensed = admin_lookup_reply(
            403,
            &json!({"error": {"code": "Authentication_RequestFromNonPremiumTenantOrB2CTenant", "message": "x"}}).to_string(),
        );
        assert!(unlicensed.message().contains("P1 or P2"));
        assert!(admin_lookup_reply(401, "").message().contains("Sign in again"));
        assert!(admin_lookup_reply(503, "<html>").message().contains("HTTP 503"));
        assert!(matches!(admin_lookup_reply(200, "<html>"), AdminLookupReply::Refused { .. }));
    }

    #[test]
    fn a_lookup_answer_of_the_wrong_shape_is_an_error_not_an_empty_result() {
        assert!(read_sign_in_lookup("<html>")
            .unwrap_err()
            .contains("not JSON"));
        assert!(read_sign_in_lookup("{\"error\": {}}")
            .unwrap_err()
            .contains("\"value\""));
        assert_eq!(read_sign_in_lookup("{\"value\": []}").unwrap(), vec![]);
        assert!(AdminLookupReply::NotFound.message().contains("few minutes"));
    }

    fn sender(url: &str) -> MessageSender {
        MessageSender {
            id: Some(EXT.into()),
            url: Some(url.into()),
            tab: Some(SenderTab { id: Some(9) }),
            frame_id: Some(4),
        }
    }

    #[test]
    fn background_accepts_only_the_explainer_frame_in_a_tab() {
        assert_eq!(
            explainer_tab(
                &sender(&format!(
                    "chrome-extension://{EXT}/explainer.html#{}",
                    "a".repeat(32)
                )),
                EXT
            ),
            Ok(9)
        );
        for url in [
            format!("chrome-extension://{EXT}/panel.html"),
            format!("chrome-extension://{EXT}/explainer.html.evil"),
            "https://login.microsoftonline.com/common/login".to_string(),
        ] {
            assert!(explainer_tab(&sender(&url), EXT).is_err(), "{url}");
        }
        let top_level = MessageSender {
            frame_id: Some(0),
            ..sender(&format!("chrome-extension://{EXT}/explainer.html"))
        };
        assert!(explainer_tab(&top_level, EXT).is_err());
        let other = MessageSender {
            id: Some("z".repeat(32)),
            ..sender(&format!("chrome-extension://{EXT}/explainer.html"))
        };
        assert!(explainer_tab(&other, EXT).is_err());
        assert!(explainer_tab(&MessageSender::default(), "").is_err());
    }
}
