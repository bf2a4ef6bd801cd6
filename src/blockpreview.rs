//! "What your users will see": the annotated preview of the sign-in screen a user meets when a
//! preset's policy applies to them, with what the user, the helpdesk and the admin do about it.
//!
//! For the two Block presets that is the Conditional Access block page ("You cannot access this
//! right now", error 53003) with its "More details" troubleshooting panel; for the MFA preset it
//! is the multifactor prompt, where a Temporary Access Pass lets a user with no method yet through.
//!
//! This is pure data: the panel and the printable hand-out render it (`web::blockpreview_view`).
//! Texts on the sign-in screen are Microsoft's wording; values that differ for every sign-in
//! (ids, time, address) are examples, flagged [`PreviewField::example`], and every view must label
//! them as such: nothing here is a real sign-in.
//!
//! ```
//! use registration_guard::blockpreview::{preview, ScreenKind};
//! use registration_guard::engine::presets::Preset;
//!
//! let block = preview(Preset::BlockOutsideTrusted);
//! assert_eq!(block.screen.heading.text, "You cannot access this right now");
//! assert!(matches!(block.screen.kind, ScreenKind::Blocked { .. }));
//! let mfa = preview(Preset::RequireMfaOutsideTrusted);
//! assert!(matches!(mfa.screen.kind, ScreenKind::MfaChallenge));
//! ```

use crate::blockpage::{error_lookup_url, BlockCode};
use crate::engine::presets::Preset;

/// Heading of every preview, as the panel shows it.
pub const PREVIEW_TITLE: &str = "What your users will see";

/// Said once above the screen, so no example value passes for a real one.
pub const EXAMPLE_NOTICE: &str =
    "Example: the account, ids, time and address below are made up to show the layout. \
     Each user's page shows the values of their own sign-in.";

/// The annotated preview for one preset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockPreview {
    pub preset: Preset,
    /// Who meets this screen, and when.
    pub who_and_when: String,
    /// What happens while the policy is still report-only (users see nothing).
    pub report_only: &'static str,
    /// The sign-in screen, part by part; annotated parts carry a marker number.
    pub screen: SignInScreen,
    /// The notes the markers point to, in marker order (marker 1 first).
    pub annotations: Vec<Annotation>,
    /// What the user, the helpdesk and the admin do, in that order.
    pub guidance: Vec<Guidance>,
}

/// Which sign-in screen the preset leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenKind {
    /// The block page, with the code the policy produces.
    Blocked { code: BlockCode },
    /// The multifactor prompt.
    MfaChallenge,
}

/// One line of text on the screen, with the annotation marker that explains it (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenText {
    pub text: &'static str,
    pub marker: Option<u8>,
}

/// The sign-in card as Microsoft draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInScreen {
    pub kind: ScreenKind,
    /// The account line at the top of the card (always an example).
    pub account_example: &'static str,
    pub heading: ScreenText,
    /// Paragraphs under the heading.
    pub body: Vec<ScreenText>,
    /// Choices offered on the card (the sign-in methods of the MFA prompt; none on the block page).
    pub choices: Vec<ScreenText>,
    /// Links at the foot of the card.
    pub links: Vec<ScreenText>,
    /// The "More details" troubleshooting panel (block page only).
    pub details: Option<TroubleshootingPanel>,
    /// The heading of the other screen some users meet instead (MFA preset: the Temporary Access
    /// Pass sign-in of a user with no method yet).
    pub alternative: Option<ScreenText>,
}

/// The panel "More details" opens on the block page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TroubleshootingPanel {
    /// The link that opens it ("More details").
    pub toggle: ScreenText,
    pub heading: &'static str,
    pub fields: Vec<PreviewField>,
    /// The last line of the panel ("Flag sign-in errors for review: Enable flagging").
    pub footer: ScreenText,
}

/// One `label: value` line of the troubleshooting panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewField {
    /// The label as the English page prints it.
    pub label: &'static str,
    pub value: &'static str,
    /// Whether `value` is made up for the preview (ids, time, address) rather than what every
    /// user will see (the error code).
    pub example: bool,
    pub marker: Option<u8>,
}

/// A numbered note explaining one part of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub marker: u8,
    pub title: &'static str,
    pub text: String,
}

/// Who a block of guidance is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    User,
    Helpdesk,
    Admin,
}

impl Audience {
    /// Heading of the guidance for this audience.
    pub fn label(self) -> &'static str {
        match self {
            Audience::User => "What the user can do",
            Audience::Helpdesk => "What the helpdesk does",
            Audience::Admin => "What the admin does",
        }
    }
}

/// Steps for one audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guidance {
    pub audience: Audience,
    pub steps: Vec<String>,
}

/// The block page wording (classic rendering; Microsoft also serves "can't"/"doesn't").
pub const BLOCK_HEADING: &str = "You cannot access this right now";
/// The block page body (classic rendering).
pub const BLOCK_BODY: &str = "Your sign-in was successful but does not meet the criteria to access this resource. \
     For example, you might be signing in from a browser, app, or location that is restricted by your admin.";
const SIGN_OUT_LINK: &str = "Sign out and sign in with a different account";
const MORE_DETAILS: &str = "More details";
const TROUBLESHOOTING: &str = "Troubleshooting details";
const FLAGGING: &str = "Flag sign-in errors for review: Enable flagging";
const ACCOUNT_EXAMPLE: &str = "adele@contoso.com";
/// Microsoft's heading on the multifactor prompt.
pub const MFA_HEADING: &str = "Verify your identity";

/// Where users register their methods.
const SECURITY_INFO_URL: &str = "https://aka.ms/mysecurityinfo";

/// Numbers annotations in the order their parts appear on the screen.
struct Notes(Vec<Annotation>);

impl Notes {
    fn mark(&mut self, title: &'static str, text: impl Into<String>) -> Option<u8> {
        let marker = u8::try_from(self.0.len() + 1).unwrap_or(u8::MAX);
        self.0.push(Annotation {
            marker,
            title,
            text: text.into(),
        });
        Some(marker)
    }

    fn text(
        &mut self,
        text: &'static str,
        title: &'static str,
        note: impl Into<String>,
    ) -> ScreenText {
        ScreenText {
            text,
            marker: self.mark(title, note),
        }
    }
}

fn plain(text: &'static str) -> ScreenText {
    ScreenText { text, marker: None }
}

/// Builds the preview for `preset`.
pub fn preview(preset: Preset) -> BlockPreview {
    match preset {
        Preset::BlockOutsideTrusted | Preset::BlockGuestsOutsideTrusted => block_preview(preset),
        Preset::RequireMfaOutsideTrusted => mfa_preview(),
    }
}

const REPORT_ONLY: &str = "While the policy is report-only (how Registration Guard creates it), users see nothing \
     and register as before: the sign-in logs record what would have happened (Report-only: Failure) so you can \
     check who would be stopped before you turn it on.";

fn block_preview(preset: Preset) -> BlockPreview {
    let guests = preset == Preset::BlockGuestsOutsideTrusted;
    let code = BlockCode::BlockedByConditionalAccess;
    let mut notes = Notes(Vec::new());

    let heading = notes.text(
        BLOCK_HEADING,
        "Why it appears",
        format!(
            "The user tried to add or change security info (an MFA or password-reset method) from a network your \
             organisation does not trust, and the policy “{}” blocks that. Their password was right: only the \
             registration is refused. Some pages say “can't” instead of “cannot”, and the page is translated into \
             the user's language.",
            preset.default_display_name()
        ),
    );
    let body = notes.text(
        BLOCK_BODY,
        "Microsoft's general wording",
        "The same text appears for every Conditional Access block, so it names neither the policy nor the location. \
         Users cannot tell from it that their network is the reason: that is what this hand-out is for.",
    );
    let sign_out = notes.text(
        SIGN_OUT_LINK,
        "Another account does not help",
        "This only helps someone signed in with the wrong account. Registering from a trusted network is what helps here.",
    );
    let toggle = notes.text(
        MORE_DETAILS,
        "More details",
        "Collapsed at first. Ask users to select it and copy what it shows (or take a photo) for the helpdesk.",
    );
    let field = |label: &'static str, value: &'static str, example: bool| PreviewField {
        label,
        value,
        example,
        marker: None,
    };
    let fields = vec![
        PreviewField {
            marker: notes.mark(
                "Error Code 53003",
                format!(
                    "{}: a Conditional Access policy applied Block. Every blocking policy gives this code, so it \
                     does not say which policy. Microsoft's description: {}",
                    code.microsoft_name(),
                    error_lookup_url(code.number())
                ),
            ),
            ..field("Error Code", "53003", false)
        },
        field("Request Id", "3f5a9c2e-7b41-4d8a-9e06-5c1b2a7d8f40", true),
        PreviewField {
            marker: notes.mark(
                "Correlation Id",
                "The key for the helpdesk and the admin: filter the sign-in logs by it to find this exact event and \
                 the policy that stopped it.",
            ),
            ..field("Correlation Id", "9b2e4f71-0c3d-4a5e-8f69-7d1c2b3a4e5f", true)
        },
        PreviewField {
            marker: notes.mark(
                "Timestamp",
                "When it happened, in UTC. With the user's name it finds the event when the correlation id is lost.",
            ),
            ..field("Timestamp", "2026-03-02T08:41:17.512Z", true)
        },
        PreviewField {
            marker: notes.mark(
                "App",
                "What the user was signing in to: My Sign-Ins when they register at aka.ms/mysecurityinfo, or the app \
                 that asked them to set up a method during its sign-in.",
            ),
            ..field("App name", "My Signins", true)
        },
        field("App id", "19db86c3-b2b9-44cc-b339-36da233a3be2", true),
        PreviewField {
            marker: notes.mark(
                "IP address",
                "The public address the policy judged: it is in none of your trusted named locations. If the user \
                 says they are in the office, this address is missing from your trusted locations (or their traffic \
                 leaves through another network, such as a split-tunnel VPN).",
            ),
            ..field("IP address", "203.0.113.24", true)
        },
        field("Device identifier", "Not available", true),
        PreviewField {
            marker: notes.mark(
                "Device fields",
                "Platform and state do not matter to this policy, which looks at the location only; they matter for \
                 device-based policies.",
            ),
            ..field("Device platform", "Windows 10", true)
        },
        field("Device state", "Unregistered", true),
    ];
    let footer = notes.text(
        FLAGGING,
        "Flag for review",
        "Lets the user flag this error; the admin then finds it in the sign-in logs under “Flagged for review”.",
    );

    let who_and_when = if guests {
        "Guests and external users who register security info in your tenant from outside your trusted locations \
         (for example when your tenant asks a new guest to set up MFA). Members are not affected."
            .to_string()
    } else {
        "Anyone the policy includes who tries to add or change security info (MFA or password-reset methods) from \
         outside your trusted locations: at aka.ms/mysecurityinfo, or when a sign-in asks them to set up a method."
            .to_string()
    };

    let user = if guests {
        vec![
            "Register from a network the inviting organisation trusts (their office or VPN), or ask your contact \
             there what to do."
                .to_string(),
            "A Temporary Access Pass does not work for guests, so the inviting organisation's helpdesk cannot give one."
                .to_string(),
            "If asked, open “More details” and send those lines to your contact.".to_string(),
        ]
    } else {
        vec![
            format!(
                "Set up security info from a trusted network: in the office, or connected to the company VPN \
                 ({SECURITY_INFO_URL})."
            ),
            "A Temporary Access Pass does not get past a block: only a trusted network does.".to_string(),
            "If you cannot reach a trusted network, open “More details”, copy the lines and send them to your helpdesk."
                .to_string(),
        ]
    };
    let helpdesk = vec![
        "Ask for the lines under “More details”: the Correlation Id and Timestamp matter most.".to_string(),
        "Find the event in Entra ID › Monitoring & health › Sign-in logs (filter by Correlation ID) and confirm in its \
         Conditional Access tab that the registration policy applied."
            .to_string(),
        if guests {
            "Guests cannot use a Temporary Access Pass: they register from a trusted network, or the admin trusts MFA \
             from their home tenant (cross-tenant access settings) so they register at home."
                .to_string()
        } else {
            "Tell the user to register from the office or over the VPN. A Temporary Access Pass does not help against \
             a block; if remote onboarding is common, the admin can use the Require MFA preset instead."
                .to_string()
        },
    ];
    let admin = vec![
        "Entra ID › Monitoring & health › Sign-in logs: filter by Correlation ID (or user and time), open the event, \
         and read its Conditional Access tab: it names the policy that applied Block."
            .to_string(),
        "If the IP address is one of yours, add it to a trusted named location (IP ranges marked trusted). \
         “All trusted locations” is what the policy exempts."
            .to_string(),
        "To check a case beforehand, run What If with the user action “Register security information” and the \
         user's IP address."
            .to_string(),
    ];

    BlockPreview {
        preset,
        who_and_when,
        report_only: REPORT_ONLY,
        screen: SignInScreen {
            kind: ScreenKind::Blocked { code },
            account_example: ACCOUNT_EXAMPLE,
            heading,
            body: vec![body],
            choices: Vec::new(),
            links: vec![sign_out],
            details: Some(TroubleshootingPanel {
                toggle,
                heading: TROUBLESHOOTING,
                fields,
                footer,
            }),
            alternative: None,
        },
        annotations: notes.0,
        guidance: vec![
            Guidance {
                audience: Audience::User,
                steps: user,
            },
            Guidance {
                audience: Audience::Helpdesk,
                steps: helpdesk,
            },
            Guidance {
                audience: Audience::Admin,
                steps: admin,
            },
        ],
    }
}

fn mfa_preview() -> BlockPreview {
    let preset = Preset::RequireMfaOutsideTrusted;
    let mut notes = Notes(Vec::new());
    let heading = notes.text(
        MFA_HEADING,
        "Why it appears",
        format!(
            "The user is adding or changing security info from a network your organisation does not trust, so the \
             policy “{}” asks them to prove who they are first. Nothing is blocked: anyone who passes MFA carries on.",
            preset.default_display_name()
        ),
    );
    let choices = vec![
        notes.text(
            "Approve a request on my Microsoft Authenticator app",
            "The user's own methods",
            "The prompt lists the methods the user already has, so the exact screen varies from user to user.",
        ),
        plain("Use a verification code"),
    ];
    let tap = notes.text(
        "Enter Temporary Access Pass",
        "No method yet: Temporary Access Pass",
        "A new hire with no method never reaches this prompt: they sign in with the Temporary Access Pass the helpdesk \
         issued (“Enter Temporary Access Pass” instead of the password), which satisfies MFA, and then set up their \
         first method from home. Guests cannot use a Temporary Access Pass.",
    );
    let user = vec![
        "Approve the sign-in with a method you already have, then add the new one.".to_string(),
        format!(
            "New here and no method yet? Ask your helpdesk for a Temporary Access Pass, sign in with it and set up \
             your methods at {SECURITY_INFO_URL}."
        ),
        "In the office or on the company VPN, you are not asked for this.".to_string(),
    ];
    let helpdesk = vec![
        "Confirm who is asking (your identity-proofing process), then issue a Temporary Access Pass: Entra ID › Users \
         › the user › Authentication methods › Add authentication method › Temporary Access Pass."
            .to_string(),
        "Keep its lifetime short and one-time use where possible: anyone holding the pass can register methods as \
         that user."
            .to_string(),
        "If the user is stopped anyway, ask for the Correlation Id under “More details” and pass it to the admin."
            .to_string(),
    ];
    let admin = vec![
        "Make sure the Temporary Access Pass method is enabled for the users who onboard remotely (Entra ID › \
         Authentication methods › Policies)."
            .to_string(),
        "In Sign-in logs, each registration outside trusted locations shows the policy in the Conditional Access tab \
         with the result “Success” after MFA, or the reason it failed."
            .to_string(),
        "Guests cannot use a Temporary Access Pass: the Block guests preset covers them.".to_string(),
    ];
    BlockPreview {
        preset,
        who_and_when: "Users the policy includes (all users except guests and your emergency-access accounts) who add \
             or change security info from outside your trusted locations. They are asked for MFA instead of being \
             blocked."
            .to_string(),
        report_only: REPORT_ONLY,
        screen: SignInScreen {
            kind: ScreenKind::MfaChallenge,
            account_example: ACCOUNT_EXAMPLE,
            heading,
            body: Vec::new(),
            choices,
            links: Vec::new(),
            details: None,
            alternative: Some(tap),
        },
        annotations: notes.0,
        guidance: vec![
            Guidance { audience: Audience::User, steps: user },
            Guidance { audience: Audience::Helpdesk, steps: helpdesk },
            Guidance { audience: Audience::Admin, steps: admin },
        ],
    }
}

impl SignInScreen {
    /// Every marker on the screen, in reading order.
    pub fn markers(&self) -> Vec<u8> {
        let texts = std::iter::once(&self.heading)
            .chain(&self.body)
            .chain(&self.choices)
            .chain(&self.links);
        let mut markers: Vec<u8> = texts.filter_map(|t| t.marker).collect();
        if let Some(details) = &self.details {
            markers.extend(details.toggle.marker);
            markers.extend(details.fields.iter().filter_map(|f| f.marker));
            markers.extend(details.footer.marker);
        }
        markers.extend(self.alternative.as_ref().and_then(|t| t.marker));
        markers
    }
}
