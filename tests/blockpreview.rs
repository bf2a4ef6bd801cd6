//! "What your users will see", per preset: the block page matches the public captures of the real
//! page (read at test time from `block-page-texts.json`), every annotation points at a part of the
//! screen, example values are flagged, and the guidance says what each audience does.

use registration_guard::blockpage::{
    recognise, BlockCode, Confidence, Recognition, SignInPageFacts,
};
use registration_guard::blockpreview::{
    preview, Audience, BlockPreview, ScreenKind, EXAMPLE_NOTICE, PREVIEW_TITLE,
};
use registration_guard::engine::presets::Preset;

#[path = "common/block_page_corpus.rs"]
mod block_page_corpus;
use block_page_corpus::capture;

fn capture_lines(id: &str) -> Vec<String> {
    capture(id)["text"]
        .as_str()
        .expect("capture text")
        .lines()
        .map(str::to_string)
        .collect()
}

const BLOCK_PRESETS: [Preset; 2] = [
    Preset::BlockOutsideTrusted,
    Preset::BlockGuestsOutsideTrusted,
];

fn all_text(p: &BlockPreview) -> String {
    let mut text = vec![p.who_and_when.clone(), p.report_only.to_string()];
    text.extend(
        p.annotations
            .iter()
            .map(|a| format!("{} {}", a.title, a.text)),
    );
    text.extend(p.guidance.iter().flat_map(|g| g.steps.clone()));
    text.join("\n")
}

fn steps(p: &BlockPreview, audience: Audience) -> String {
    p.guidance
        .iter()
        .find(|g| g.audience == audience)
        .expect("guidance for the audience")
        .steps
        .join("\n")
}

#[test]
fn block_presets_show_the_block_page_words_users_really_see() {
    let captured = capture_lines("teams-web-53003-text-capture");
    let portal = capture_lines("azure-portal-text-capture");
    for preset in BLOCK_PRESETS {
        let screen = preview(preset).screen;
        assert_eq!(
            screen.kind,
            ScreenKind::Blocked {
                code: BlockCode::BlockedByConditionalAccess
            }
        );
        for lines in [&captured, &portal] {
            assert!(
                lines.iter().any(|l| l == screen.heading.text),
                "heading {:?} not in capture",
                screen.heading.text
            );
            assert!(
                lines.iter().any(|l| l == screen.body[0].text),
                "body not in capture"
            );
            assert!(
                lines.iter().any(|l| l == screen.links[0].text),
                "sign-out link not in capture"
            );
        }
        let details = screen.details.expect("block page has More details");
        assert!(captured.iter().any(|l| l == details.toggle.text));
    }
}

#[test]
fn troubleshooting_fields_are_the_captured_ones_in_page_order() {
    let expected: Vec<String> = capture("teams-web-53003-text-capture")["fields_in_more_details"]
        .as_array()
        .expect("field list")
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    for preset in BLOCK_PRESETS {
        let details = preview(preset).screen.details.unwrap();
        let labels: Vec<&str> = details.fields.iter().map(|f| f.label).collect();
        assert_eq!(labels, expected);
        assert_eq!(details.heading, "Troubleshooting details");
        assert!(details
            .footer
            .text
            .starts_with("Flag sign-in errors for review"));
    }
}

#[test]
fn every_sample_value_except_the_error_code_is_flagged_as_an_example() {
    for preset in BLOCK_PRESETS {
        for field in preview(preset).screen.details.unwrap().fields {
            if field.label == "Error Code" {
                assert_eq!(field.value, "53003");
                assert!(
                    !field.example,
                    "the code is what every blocked user sees, not an example"
                );
            } else {
                assert!(
                    field.example,
                    "{} value {:?} is not flagged as an example",
                    field.label, field.value
                );
            }
        }
    }
    assert!(EXAMPLE_NOTICE.starts_with("Example"));
    assert_eq!(PREVIEW_TITLE, "What your users will see");
}

#[test]
fn the_example_address_is_from_the_range_reserved_for_documentation() {
    let details = preview(Preset::BlockOutsideTrusted).screen.details.unwrap();
    let ip = details
        .fields
        .iter()
        .find(|f| f.label == "IP address")
        .unwrap();
    assert!(
        ip.value.starts_with("203.0.113."),
        "{} is not in 203.0.113.0/24 (RFC 5737)",
        ip.value
    );
}

#[test]
fn the_preview_page_is_recognised_as_the_block_it_depicts() {
    // What the preview draws must be what the live explainer recognises on the real page.
    let p = preview(Preset::BlockOutsideTrusted);
    let details = p.screen.details.clone().unwrap();
    let mut texts = vec![
        p.screen.account_example.to_string(),
        p.screen.body[0].text.to_string(),
    ];
    texts.extend(p.screen.links.iter().map(|l| l.text.to_string()));
    texts.push(details.toggle.text.to_string());
    texts.extend(
        details
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.label, f.value)),
    );
    let facts = SignInPageFacts {
        host: "login.microsoftonline.com".into(),
        path: "/common/oauth2/v2.0/authorize".into(),
        lang: Some("en".into()),
        heading: Some(p.screen.heading.text.to_string()),
        texts,
        has_error_details_panel: true,
    };
    let Recognition::ConditionalAccessBlock(page) = recognise(&facts) else {
        panic!("preview not recognised")
    };
    assert_eq!(page.code, BlockCode::BlockedByConditionalAccess);
    assert_eq!(page.confidence, Confidence::Confirmed);
    let correlation = details
        .fields
        .iter()
        .find(|f| f.label == "Correlation Id")
        .unwrap()
        .value;
    assert_eq!(page.details.correlation_id.as_deref(), Some(correlation));
}

#[test]
fn markers_run_from_one_in_reading_order_and_each_has_its_note() {
    for preset in Preset::ALL {
        let p = preview(preset);
        let markers = p.screen.markers();
        let expected: Vec<u8> = (1..=p.annotations.len() as u8).collect();
        assert_eq!(markers, expected, "{preset}: markers on the screen");
        let notes: Vec<u8> = p.annotations.iter().map(|a| a.marker).collect();
        assert_eq!(notes, expected, "{preset}: annotation numbers");
        for note in &p.annotations {
            assert!(
                !note.title.is_empty() && note.text.len() > 40,
                "{preset}: thin note {note:?}"
            );
        }
    }
}

#[test]
fn block_annotations_explain_why_the_page_appears_and_what_each_key_field_is_for() {
    for preset in BLOCK_PRESETS {
        let p = preview(preset);
        let why = &p.annotations[0];
        assert_eq!(p.screen.heading.marker, Some(why.marker));
        assert!(
            why.text
                .contains("network your organisation does not trust"),
            "{}",
            why.text
        );
        assert!(
            why.text.contains(preset.default_display_name()),
            "names the policy: {}",
            why.text
        );
        let text = all_text(&p);
        for needle in [
            "filter the sign-in logs",
            "trusted named locations",
            "UTC",
            "BlockedByConditionalAccess",
            "https://login.microsoftonline.com/error?code=53003",
        ] {
            assert!(text.contains(needle), "{preset}: no {needle:?}");
        }
    }
}

#[test]
fn block_guidance_sends_users_to_a_trusted_network_and_admins_to_the_conditional_access_tab() {
    let p = preview(Preset::BlockOutsideTrusted);
    let audiences: Vec<Audience> = p.guidance.iter().map(|g| g.audience).collect();
    assert_eq!(
        audiences,
        [Audience::User, Audience::Helpdesk, Audience::Admin]
    );
    let user = steps(&p, Audience::User);
    assert!(
        user.contains("trusted network") && user.contains("VPN"),
        "{user}"
    );
    assert!(
        user.contains("Temporary Access Pass does not get past a block"),
        "{user}"
    );
    let helpdesk = steps(&p, Audience::Helpdesk);
    assert!(
        helpdesk.contains("Correlation Id") && helpdesk.contains("Sign-in logs"),
        "{helpdesk}"
    );
    let admin = steps(&p, Audience::Admin);
    assert!(
        admin.contains("Correlation ID") && admin.contains("Conditional Access tab"),
        "{admin}"
    );
    assert!(admin.contains("Register security information"), "{admin}");
}

#[test]
fn guest_preset_is_about_guests_who_cannot_use_a_temporary_access_pass() {
    let p = preview(Preset::BlockGuestsOutsideTrusted);
    assert!(
        p.who_and_when.starts_with("Guests and external users"),
        "{}",
        p.who_and_when
    );
    assert!(p.who_and_when.contains("Members are not affected"));
    assert!(steps(&p, Audience::User).contains("does not work for guests"));
    assert!(steps(&p, Audience::Helpdesk).contains("cross-tenant access settings"));
    let members = preview(Preset::BlockOutsideTrusted);
    assert!(
        !members.who_and_when.contains("Guests"),
        "{}",
        members.who_and_when
    );
}

#[test]
fn mfa_preset_shows_the_mfa_prompt_and_the_temporary_access_pass_path_instead_of_a_block() {
    let p = preview(Preset::RequireMfaOutsideTrusted);
    assert_eq!(p.screen.kind, ScreenKind::MfaChallenge);
    assert_eq!(p.screen.heading.text, "Verify your identity");
    assert!(
        p.screen.details.is_none(),
        "no troubleshooting panel: nothing is blocked"
    );
    assert_eq!(
        p.screen.alternative.as_ref().map(|t| t.text),
        Some("Enter Temporary Access Pass")
    );
    let text = all_text(&p);
    assert!(
        !text.contains("53003"),
        "the MFA preview must not talk about the block code"
    );
    assert!(p.annotations[0].text.contains("Nothing is blocked"));
    assert!(p.annotations[0]
        .text
        .contains(Preset::RequireMfaOutsideTrusted.default_display_name()));
    let helpdesk = steps(&p, Audience::Helpdesk);
    assert!(
        helpdesk.contains("Add authentication method › Temporary Access Pass"),
        "{helpdesk}"
    );
    assert!(steps(&p, Audience::User).contains("Temporary Access Pass"));
    assert!(steps(&p, Audience::Admin).contains("Authentication methods › Policies"));
}

#[test]
fn the_mfa_prompt_is_not_mistaken_for_a_block_page() {
    let p = preview(Preset::RequireMfaOutsideTrusted);
    let facts = SignInPageFacts {
        host: "login.microsoftonline.com".into(),
        path: "/common/login".into(),
        lang: Some("en".into()),
        heading: Some(p.screen.heading.text.to_string()),
        texts: p
            .screen
            .choices
            .iter()
            .map(|c| c.text.to_string())
            .collect(),
        has_error_details_panel: false,
    };
    assert_eq!(recognise(&facts), Recognition::NotABlockPage);
}

#[test]
fn every_preset_says_users_see_nothing_while_report_only() {
    for preset in Preset::ALL {
        let p = preview(preset);
        assert_eq!(p.preset, preset);
        assert!(
            p.report_only.contains("report-only") && p.report_only.contains("users see nothing")
        );
    }
}
