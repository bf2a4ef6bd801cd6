//! Recognises the Conditional Access block page ("You cannot access this right now", error 53003
//! and its siblings) from the facts a thin content script reads off the sign-in page, and
//! explains it: what happened, what the user can do, what to give the helpdesk, where the
//! admin looks.
//!
//! The page is localized, so recognition rests on structure and codes, and English text is
//! only a weak hint. The rules, strongest first:
//!
//! 1. The page must be on a sign-in host of some cloud ([`Cloud::from_sign_in_host`]) and not on
//!    the public error-lookup page (`/error`); anywhere else nothing is recognised, whatever the text says.
//! 2. A code read from the page decides: an `AADSTS53003`-style token anywhere, or a value under
//!    the English "Error Code" label. Codes 53000–53004 and 53009 give
//!    [`Recognition::ConditionalAccessBlock`] with [`Confidence::Confirmed`]; any other code gives
//!    [`Recognition::OtherSignInError`].
//! 3. With localized labels, a bare five- or six-digit value on a `label: value` line (such as
//!    `Fehlercode: 53003`) counts as the error code only next to the troubleshooting structure:
//!    a GUID-shaped value on another line (Request Id, Correlation Id), or — for the Conditional
//!    Access codes only — a troubleshooting-details container on the page. A lone number in
//!    translated text is not enough.
//! 4. Without any code, the English heading or body wording ("cannot/can't access this right now",
//!    "does not/doesn't meet the criteria to access this resource") gives a block page with
//!    [`Confidence::Likely`] and code 53003, the only code that page text is known for.
//! 5. Otherwise: [`Recognition::NotABlockPage`].
//!
//! Everything read from the page comes back verbatim as data (trimmed of surrounding
//! whitespace only): views must render it as text, never as markup.

use crate::context::{is_guid, Cloud};
use serde::{Deserialize, Serialize};

/// What the content script reads from a sign-in page: no DOM, only text and two structural facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInPageFacts {
    /// `location.host` of the page.
    pub host: String,
    /// `location.pathname` of the page.
    pub path: String,
    /// The document language (`<html lang>`), when set.
    pub lang: Option<String>,
    /// The main heading of the sign-in card, when one was found.
    pub heading: Option<String>,
    /// Visible text of the main card, including the "More details" troubleshooting panel when
    /// present; an entry may hold several lines.
    pub texts: Vec<String>,
    /// Whether a troubleshooting-details container exists on the page, expanded or collapsed.
    pub has_error_details_panel: bool,
}

/// The result of looking at a sign-in page.
// One value per page view: boxing the large variant would only make matching clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recognition {
    /// Not a sign-in error page (a normal sign-in step, an MFA prompt, or not a sign-in host).
    NotABlockPage,
    /// Conditional Access stopped the sign-in.
    ConditionalAccessBlock(BlockPage),
    /// A sign-in error that is not a Conditional Access block, e.g. `AADSTS50126` (wrong password).
    OtherSignInError {
        /// The code as `AADSTS<number>`, when the page showed one.
        code: Option<String>,
        /// The page's `Message` line or the text carrying the code, verbatim.
        message: Option<String>,
    },
}

/// Codes of the sign-in errors Conditional Access produces
/// (Microsoft's "Troubleshoot Conditional Access" article).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockCode {
    /// 53000: the device is not compliant with the organisation's device policy.
    DeviceNotCompliant,
    /// 53001: the device is not joined to the organisation's domain.
    DeviceNotDomainJoined,
    /// 53002: the app used is not an approved client app.
    ApplicationNotApproved,
    /// 53003: a Conditional Access policy blocks the sign-in.
    BlockedByConditionalAccess,
    /// 53004: security-info registration is blocked because of the sign-in's risk.
    ProofUpBlockedDueToRisk,
    /// 53009: the app must enforce an Intune app protection policy.
    AppProtectionPolicyRequired,
}

impl BlockCode {
    const ALL: [BlockCode; 6] = [
        BlockCode::DeviceNotCompliant,
        BlockCode::DeviceNotDomainJoined,
        BlockCode::ApplicationNotApproved,
        BlockCode::BlockedByConditionalAccess,
        BlockCode::ProofUpBlockedDueToRisk,
        BlockCode::AppProtectionPolicyRequired,
    ];

    /// The code for an error number, when it is a Conditional Access one.
    ///
    /// ```
    /// use registration_guard::blockpage::BlockCode;
    /// assert_eq!(BlockCode::from_number(53003), Some(BlockCode::BlockedByConditionalAccess));
    /// assert_eq!(BlockCode::from_number(50126), None);
    /// ```
    pub fn from_number(number: u32) -> Option<BlockCode> {
        BlockCode::ALL
            .into_iter()
            .find(|code| code.number() == number)
    }

    /// The number shown on the page (without the `AADSTS` prefix).
    pub fn number(self) -> u32 {
        match self {
            BlockCode::DeviceNotCompliant => 53000,
            BlockCode::DeviceNotDomainJoined => 53001,
            BlockCode::ApplicationNotApproved => 53002,
            BlockCode::BlockedByConditionalAccess => 53003,
            BlockCode::ProofUpBlockedDueToRisk => 53004,
            BlockCode::AppProtectionPolicyRequired => 53009,
        }
    }

    /// Microsoft's name for the error, as its troubleshooting article lists it.
    pub fn microsoft_name(self) -> &'static str {
        match self {
            BlockCode::DeviceNotCompliant => "DeviceNotCompliant",
            BlockCode::DeviceNotDomainJoined => "DeviceNotDomainJoined",
            BlockCode::ApplicationNotApproved => "ApplicationUsedIsNotAnApprovedApp",
            BlockCode::BlockedByConditionalAccess => "BlockedByConditionalAccess",
            BlockCode::ProofUpBlockedDueToRisk => "ProofUpBlockedDueToRisk",
            BlockCode::AppProtectionPolicyRequired => {
                "Application needs to enforce Intune protection policies"
            }
        }
    }

    /// What happened, in words a user understands.
    pub fn plain_explanation(self) -> &'static str {
        match self {
            BlockCode::DeviceNotCompliant => {
                "Your password was right, but your organisation only allows this from devices that meet its \
                 security rules (managed and compliant), and this device does not."
            }
            BlockCode::DeviceNotDomainJoined => {
                "Your password was right, but your organisation only allows this from its own devices \
                 (joined to the company network), and this device is not one of them."
            }
            BlockCode::ApplicationNotApproved => {
                "Your password was right, but your organisation only allows this from approved apps, \
                 and the app or browser you used is not one of them."
            }
            BlockCode::BlockedByConditionalAccess => {
                "Your password was right, but a rule set by your organisation (a Conditional Access policy) \
                 blocks this sign-in: usually because of where you are signing in from, the app, or the device."
            }
            BlockCode::ProofUpBlockedDueToRisk => {
                "Your organisation stopped you from setting up security info because this sign-in looked risky."
            }
            BlockCode::AppProtectionPolicyRequired => {
                "Your organisation only allows this from apps that protect its data with an app protection \
                 policy (Intune), and this app does not."
            }
        }
    }

    /// What the user can do next.
    pub fn what_user_can_do(self) -> &'static str {
        match self {
            BlockCode::DeviceNotCompliant => {
                "Use a company-managed device, or open the Company Portal app on this device and fix what it \
                 reports, then try again. If that does not help, send the details below to your helpdesk."
            }
            BlockCode::DeviceNotDomainJoined => {
                "Use a company device, or ask your helpdesk whether this device can be joined. Send them the \
                 details below."
            }
            BlockCode::ApplicationNotApproved => {
                "Use the approved app instead (for example Outlook or Microsoft Teams from your organisation's list), \
                 then sign in again."
            }
            BlockCode::BlockedByConditionalAccess => {
                "If you were setting up your security info (MFA or password reset methods), your organisation \
                 allows that only from a trusted network: try again from the office or over the company VPN, or \
                 ask your helpdesk for a Temporary Access Pass (it helps when the rule requires MFA, not when it \
                 blocks outright). Otherwise, send the details below to your helpdesk."
            }
            BlockCode::ProofUpBlockedDueToRisk => {
                "Contact your helpdesk: an admin has to review the risk on your account before you can set up \
                 security info. Send them the details below."
            }
            BlockCode::AppProtectionPolicyRequired => {
                "Install the app your organisation supports (with the Microsoft Authenticator or Company Portal \
                 app as its broker), sign in there, and try again."
            }
        }
    }
}

/// How sure the recognition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confidence {
    /// The page showed the error code.
    Confirmed,
    /// Only the English wording matched; the code (53003) is inferred and the details were not shown.
    Likely,
}

/// Which wording of the page was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Wording {
    /// "You cannot access this right now … does not meet the criteria … browser, app, or location".
    Classic,
    /// The contracted rendering: "can't", "doesn't".
    Contracted,
    /// The newer body that adds "or an authentication flow" (device-code and similar blocks).
    AuthenticationFlow,
    /// No English wording matched on a page in another language.
    Localized { lang: Option<String> },
    /// No known wording matched and the page language is English or unknown.
    Unrecognised,
}

/// The "Troubleshooting details" of the page, field by field, verbatim.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TroubleshootingDetails {
    /// The error code as shown ("53003").
    pub error_code: Option<String>,
    pub request_id: Option<String>,
    /// The id the admin filters the sign-in logs by.
    pub correlation_id: Option<String>,
    pub timestamp: Option<String>,
    pub app_name: Option<String>,
    pub app_id: Option<String>,
    pub ip_address: Option<String>,
    pub device_identifier: Option<String>,
    pub device_platform: Option<String>,
    pub device_state: Option<String>,
    /// The `Message: AADSTS…` line some errors show instead of, or beside, the code.
    pub message: Option<String>,
    /// `label: value` lines of the panel whose label was not recognised (localized pages), in page order.
    pub other_fields: Vec<(String, String)>,
}

impl TroubleshootingDetails {
    /// Whether the page showed any troubleshooting detail.
    pub fn is_empty(&self) -> bool {
        self.fields().iter().all(|(_, value)| value.is_none()) && self.other_fields.is_empty()
    }

    /// Every named field with its English label, in page order.
    fn fields(&self) -> [(&'static str, &Option<String>); 11] {
        [
            ("Error code", &self.error_code),
            ("Request ID", &self.request_id),
            ("Correlation ID", &self.correlation_id),
            ("Timestamp", &self.timestamp),
            ("App name", &self.app_name),
            ("App ID", &self.app_id),
            ("IP address", &self.ip_address),
            ("Device identifier", &self.device_identifier),
            ("Device platform", &self.device_platform),
            ("Device state", &self.device_state),
            ("Message", &self.message),
        ]
    }
}

/// A recognised Conditional Access block page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockPage {
    pub code: BlockCode,
    pub confidence: Confidence,
    /// The cloud of the sign-in host, where the admin finds the sign-in logs.
    pub cloud: Cloud,
    pub details: TroubleshootingDetails,
    /// The page heading, verbatim.
    pub heading: Option<String>,
    pub wording: Wording,
}

/// Reads the facts of a sign-in page. Never panics; see the module documentation for the rules.
pub fn recognise(facts: &SignInPageFacts) -> Recognition {
    let Some(cloud) = Cloud::from_sign_in_host(&facts.host) else {
        return Recognition::NotABlockPage;
    };
    // `/error?code=…` is Microsoft's public lookup page describing a code, not a failed sign-in.
    if facts
        .path
        .trim_end_matches('/')
        .eq_ignore_ascii_case("/error")
    {
        return Recognition::NotABlockPage;
    }

    let lines: Vec<&str> = facts
        .heading
        .iter()
        .chain(facts.texts.iter())
        .flat_map(|text| text.lines())
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let reading = read_details(&lines, facts.has_error_details_panel);
    let wording = wording_of(&lines, facts.lang.as_deref());
    let heading = facts
        .heading
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .or_else(|| {
            lines
                .iter()
                .copied()
                .find(|line| is_english_heading(&normalise_text(line)))
        })
        .map(str::to_string);

    match reading.code {
        Some(number) => match BlockCode::from_number(number) {
            Some(code) => Recognition::ConditionalAccessBlock(BlockPage {
                code,
                confidence: Confidence::Confirmed,
                cloud,
                details: reading.details,
                heading,
                wording,
            }),
            None => Recognition::OtherSignInError {
                code: Some(format!("AADSTS{number}")),
                message: reading.details.message.or(reading.code_line),
            },
        },
        None if matches!(
            wording,
            Wording::Classic | Wording::Contracted | Wording::AuthenticationFlow
        ) =>
        {
            Recognition::ConditionalAccessBlock(BlockPage {
                code: BlockCode::BlockedByConditionalAccess,
                confidence: Confidence::Likely,
                cloud,
                details: reading.details,
                heading,
                wording,
            })
        }
        None => Recognition::NotABlockPage,
    }
}

/// The "copy for the helpdesk" text: what happened, then every field on its own line; fields the
/// page did not show say so, so nobody hunts for them.
pub fn helpdesk_text(page: &BlockPage) -> String {
    const NOT_SHOWN: &str = "not shown (select “More details” on the sign-in page)";
    let mut text = format!(
        "Sign-in blocked by Conditional Access: error {} ({})",
        page.code.number(),
        page.code.microsoft_name()
    );
    if page.confidence == Confidence::Likely {
        text.push_str(", recognised from the page wording; the code was not shown");
    }
    text.push('\n');
    if let Some(heading) = &page.heading {
        text.push_str(&format!("Page heading: {heading}\n"));
    }
    for (label, value) in page.details.fields() {
        let value = value.as_deref().unwrap_or(NOT_SHOWN);
        text.push_str(&format!("{label}: {value}\n"));
    }
    for (label, value) in &page.details.other_fields {
        text.push_str(&format!("{label}: {value}\n"));
    }
    text.push_str(&format!("Cloud: {}\n", page.cloud.label()));
    text
}

/// The sign-in logs in the admin portal of `cloud`.
///
/// No public source confirms an address parameter that filters this blade by correlation id, so
/// the link opens the unfiltered logs: the admin adds the filter by hand (see [`admin_steps`]).
///
/// ```
/// use registration_guard::{blockpage::sign_in_logs_url, context::Cloud};
/// assert_eq!(
///     sign_in_logs_url(Cloud::Global),
///     "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/SignInEventsV3Blade"
/// );
/// ```
pub fn sign_in_logs_url(cloud: Cloud) -> String {
    let host = cloud
        .admin_center_host()
        .unwrap_or(cloud.azure_portal_host());
    format!("https://{host}/#view/Microsoft_AAD_IAM/SignInEventsV3Blade")
}

/// Microsoft's public description of a sign-in error code.
pub fn error_lookup_url(code_number: u32) -> String {
    format!("https://login.microsoftonline.com/error?code={code_number}")
}

/// Where the admin looks to see which policy blocked this sign-in, step by step.
pub fn admin_steps(page: &BlockPage) -> Vec<String> {
    let filter = match &page.details.correlation_id {
        Some(id) => format!("Add the filter Correlation ID = {id} (from the page's troubleshooting details)."),
        None => "Ask the user for the Correlation ID under “More details” on the page, and add it as a filter \
                 (or filter by user and time)."
            .to_string(),
    };
    vec![
        format!(
            "Open Entra ID › Monitoring & health › Sign-in logs: {}",
            sign_in_logs_url(page.cloud)
        ),
        filter,
        "Open the sign-in event and its Conditional Access tab: it lists the policy that interrupted the sign-in."
            .to_string(),
        "To reproduce, run the What If tool (or Registration Guard's what-if) with the same user, app and location."
            .to_string(),
    ]
}

/// What the troubleshooting lines gave.
struct DetailsReading {
    details: TroubleshootingDetails,
    code: Option<u32>,
    /// The line an `AADSTS…` code was read from, for errors without a `Message` line.
    code_line: Option<String>,
}

fn read_details(lines: &[&str], has_details_panel: bool) -> DetailsReading {
    let mut details = TroubleshootingDetails::default();
    let mut labelled_code: Option<(u32, &str)> = None;
    let mut token_code: Option<(u32, &str)> = None;
    let mut bare_code: Option<(u32, &str)> = None;
    let mut unlabelled_guids: Vec<&str> = Vec::new();
    let mut guid_seen = false;

    for &line in lines {
        if token_code.is_none() {
            if let Some(number) = aadsts_number(line) {
                token_code = Some((number, line));
            }
        }
        let Some((label, value)) = split_label(line) else {
            continue;
        };
        let key = normalise_label(label);
        guid_seen |= is_guid(value);
        let slot = match key.as_str() {
            "error code" => {
                if let Ok(number) = value.parse::<u32>() {
                    labelled_code.get_or_insert((number, line));
                }
                &mut details.error_code
            }
            "request id" => &mut details.request_id,
            "correlation id" => &mut details.correlation_id,
            "timestamp" => &mut details.timestamp,
            "app name" => &mut details.app_name,
            "app id" => &mut details.app_id,
            "ip address" => &mut details.ip_address,
            "device identifier" => &mut details.device_identifier,
            "device platform" => &mut details.device_platform,
            "device state" => &mut details.device_state,
            "message" => &mut details.message,
            // The page's own link text, not a detail.
            "flag sign-in errors for review" => continue,
            _ => {
                // Localized labels: recognise the values by their shape instead.
                if is_error_number(value) {
                    if let Ok(number) = value.parse::<u32>() {
                        bare_code.get_or_insert((number, line));
                    }
                } else if is_guid(value) {
                    unlabelled_guids.push(value);
                } else if aadsts_number(value).is_some() {
                    details.message.get_or_insert_with(|| value.to_string());
                } else if is_iso_timestamp(value) {
                    details.timestamp.get_or_insert_with(|| value.to_string());
                } else if value.parse::<std::net::IpAddr>().is_ok() {
                    details.ip_address.get_or_insert_with(|| value.to_string());
                } else if label.chars().count() <= 40 {
                    details
                        .other_fields
                        .push((label.to_string(), value.to_string()));
                }
                continue;
            }
        };
        slot.get_or_insert_with(|| value.to_string());
    }

    // The panel lists Request Id, Correlation Id and App id in this order in every language.
    let mut guids = unlabelled_guids.into_iter();
    for slot in [
        &mut details.request_id,
        &mut details.correlation_id,
        &mut details.app_id,
    ] {
        if slot.is_none() {
            if let Some(guid) = guids.next() {
                *slot = Some(guid.to_string());
            }
        }
    }

    // A GUID-valued line is the troubleshooting panel's signature; a container reported without
    // one might be an empty template, so it only vouches for the Conditional Access codes (a
    // one-time passcode under a translated label must not become an error code).
    let structural_evidence = guid_seen || has_details_panel;
    let bare_code = bare_code.filter(|(number, _)| {
        guid_seen || (has_details_panel && BlockCode::from_number(*number).is_some())
    });
    let chosen = labelled_code.or(token_code).or(bare_code);
    if details.error_code.is_none() {
        details.error_code = chosen.map(|(number, _)| number.to_string());
    }
    if !structural_evidence && chosen.is_none() {
        // Without any troubleshooting structure, `x: y` lines are ordinary page text.
        details.other_fields.clear();
    }
    // A line that merely labels the code says nothing more; a line carrying `AADSTS…` usually
    // carries the error's description too.
    let code_line = match (labelled_code, token_code) {
        (None, Some((_, line))) => Some(line.to_string()),
        _ => None,
    };
    DetailsReading {
        details,
        code: chosen.map(|(number, _)| number),
        code_line,
    }
}

/// `label: value` with an ASCII or full-width colon; both sides non-empty.
fn split_label(line: &str) -> Option<(&str, &str)> {
    let at = line.find([':', '：'])?;
    let colon_len = line[at..].chars().next().map_or(1, char::len_utf8);
    let label = line[..at].trim();
    let value = line[at + colon_len..].trim();
    (!label.is_empty() && !value.is_empty()).then_some((label, value))
}

fn normalise_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The number after the first `AADSTS` in `text` (5 to 7 digits, as sign-in error codes are).
fn aadsts_number(text: &str) -> Option<u32> {
    let upper = text.to_ascii_uppercase();
    let mut rest = upper.as_str();
    while let Some(at) = rest.find("AADSTS") {
        rest = &rest[at + 6..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if (5..=7).contains(&digits.len()) {
            return digits.parse().ok();
        }
    }
    None
}

/// Five or six digits: the shape of a sign-in error number.
fn is_error_number(value: &str) -> bool {
    (5..=6).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

/// `2025-07-20T13:20:49.231Z` and similar.
fn is_iso_timestamp(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() >= 16
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
}

/// Lower-case with typographic apostrophes straightened, for wording matches.
fn normalise_text(text: &str) -> String {
    text.to_lowercase().replace(['\u{2019}', '\u{2018}'], "'")
}

fn is_english_heading(normalised: &str) -> bool {
    normalised.contains("cannot access this right now")
        || normalised.contains("can't access this right now")
}

fn wording_of(lines: &[&str], lang: Option<&str>) -> Wording {
    let text = normalise_text(&lines.join("\n"));
    let contracted = text.contains("can't access this right now")
        || text.contains("doesn't meet the criteria to access this resource");
    let classic = text.contains("cannot access this right now")
        || text.contains("does not meet the criteria to access this resource");
    if text.contains("or an authentication flow that is restricted") {
        Wording::AuthenticationFlow
    } else if contracted {
        Wording::Contracted
    } else if classic {
        Wording::Classic
    } else {
        match lang.map(str::trim).filter(|l| !l.is_empty()) {
            Some(l) if !l.to_ascii_lowercase().starts_with("en") => Wording::Localized {
                lang: Some(l.to_string()),
            },
            _ => Wording::Unrecognised,
        }
    }
}
