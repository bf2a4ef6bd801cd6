//! Block-page recognition: fixtures built at test time from the public captures in
//! `block-page-texts.json` (both wordings, contractions, details collapsed and expanded, a
//! localized rendering), negative pages, and hostile input.

use registration_guard::blockpage::{
    admin_steps, error_lookup_url, helpdesk_text, recognise, sign_in_logs_url, BlockCode,
    BlockPage, Confidence, Recognition, SignInPageFacts, Wording,
};
use registration_guard::context::Cloud;

#[path = "common/block_page_corpus.rs"]
mod block_page_corpus;
use block_page_corpus::{capture, corpus};

fn capture_text(id: &str) -> String {
    capture(id)["text"]
        .as_str()
        .unwrap_or_else(|| panic!("capture {id} has no text"))
        .to_string()
}

/// The expanded Teams capture: heading, body, link, "More details" and every troubleshooting field.
fn expanded_lines() -> Vec<String> {
    capture_text("teams-web-53003-text-capture")
        .lines()
        .map(str::to_string)
        .collect()
}

/// The part of the expanded capture before "More details" (what shows while the panel is collapsed).
fn card_lines() -> Vec<String> {
    expanded_lines()
        .into_iter()
        .take_while(|line| line != "More details")
        .collect()
}

/// The troubleshooting lines of the expanded capture.
fn detail_lines() -> Vec<String> {
    expanded_lines()
        .into_iter()
        .skip_while(|line| line != "More details")
        .skip(1)
        .filter(|l| !l.is_empty())
        .collect()
}

fn sign_in_page(heading: Option<&str>, texts: Vec<String>, panel: bool) -> SignInPageFacts {
    SignInPageFacts {
        host: "login.microsoftonline.com".into(),
        path: "/common/oauth2/v2.0/authorize".into(),
        lang: Some("en".into()),
        heading: heading.map(str::to_string),
        texts,
        has_error_details_panel: panel,
    }
}

fn block(recognition: Recognition) -> BlockPage {
    match recognition {
        Recognition::ConditionalAccessBlock(page) => page,
        other => panic!("expected a Conditional Access block page, got {other:?}"),
    }
}

const HEADING: &str = "You cannot access this right now";

#[test]
fn expanded_capture_is_a_confirmed_53003_with_every_troubleshooting_field() {
    let page = block(recognise(&sign_in_page(
        Some(HEADING),
        expanded_lines(),
        true,
    )));
    assert_eq!(
        (page.code, page.confidence, page.cloud),
        (
            BlockCode::BlockedByConditionalAccess,
            Confidence::Confirmed,
            Cloud::Global
        )
    );
    assert_eq!(page.wording, Wording::Classic);
    assert_eq!(page.heading.as_deref(), Some(HEADING));
    let d = &page.details;
    assert_eq!(d.error_code.as_deref(), Some("53003"));
    assert_eq!(
        d.request_id.as_deref(),
        Some("e967519f-4d98-4796-922e-0db042238a00")
    );
    assert_eq!(
        d.correlation_id.as_deref(),
        Some("019827f4-372b-7726-8110-db46f130cd8f")
    );
    assert_eq!(d.timestamp.as_deref(), Some("2025-07-20T13:20:49.231Z"));
    assert_eq!(d.app_name.as_deref(), Some("Microsoft Teams Web Client"));
    assert_eq!(
        d.app_id.as_deref(),
        Some("5e3ce6c0-2b1f-4285-8d4b-75ee78787346")
    );
    assert_eq!(d.ip_address.as_deref(), Some("<REDACTED-IP>"));
    assert_eq!(d.device_identifier.as_deref(), Some("<REDACTED-DEVICE-ID>"));
    assert_eq!(d.device_platform.as_deref(), Some("Windows 10"));
    assert_eq!(d.device_state.as_deref(), Some("DomainJoined"));
    assert_eq!(d.message, None);
    assert!(d.other_fields.is_empty(), "{:?}", d.other_fields);
}

#[test]
fn every_field_the_corpus_lists_is_read() {
    let fields: Vec<String> = capture("teams-web-53003-text-capture")["fields_in_more_details"]
        .as_array()
        .expect("field list")
        .iter()
        .map(|f| f.as_str().expect("field name").to_string())
        .collect();
    let page = block(recognise(&sign_in_page(None, expanded_lines(), true)));
    let copy = helpdesk_text(&page);
    for field in &fields {
        let line = copy
            .lines()
            .find(|line| {
                line.to_lowercase()
                    .starts_with(&format!("{}:", field.to_lowercase()))
            })
            .unwrap_or_else(|| panic!("helpdesk text lacks {field}:\n{copy}"));
        assert!(!line.contains("not shown"), "{line}");
    }
    assert_eq!(fields.len(), 10);
}

#[test]
fn collapsed_capture_is_likely_53003_from_the_english_wording() {
    let texts: Vec<String> = capture_text("azure-portal-text-capture")
        .lines()
        .map(str::to_string)
        .collect();
    let page = block(recognise(&sign_in_page(None, texts, true)));
    assert_eq!(
        (page.code, page.confidence),
        (BlockCode::BlockedByConditionalAccess, Confidence::Likely)
    );
    assert_eq!(
        page.heading.as_deref(),
        Some(HEADING),
        "heading found among the texts"
    );
    assert_eq!(page.wording, Wording::Classic);
    assert!(page.details.is_empty());
    let copy = helpdesk_text(&page);
    assert!(copy.contains("the code was not shown"), "{copy}");
    assert!(
        copy.contains("Correlation ID: not shown (select “More details” on the sign-in page)"),
        "{copy}"
    );
}

#[test]
fn card_without_the_panel_is_the_same_as_the_collapsed_capture() {
    let page = block(recognise(&sign_in_page(Some(HEADING), card_lines(), false)));
    assert_eq!(page.confidence, Confidence::Likely);
    assert_eq!(page.details.correlation_id, None);
}

#[test]
fn contracted_wording_from_the_matchers_is_recognised() {
    let matchers: Vec<String> = capture("apostrophe-variants")["matchers"]
        .as_array()
        .expect("matchers")
        .iter()
        .map(|m| m.as_str().expect("matcher").to_string())
        .collect();
    let contracted_heading = matchers
        .iter()
        .find(|m| m.contains("can't"))
        .expect("contracted heading matcher");
    let contracted_body = matchers
        .iter()
        .find(|m| m.contains("doesn't"))
        .expect("contracted body matcher");
    // The page capitalises its heading; the matchers are lower-case.
    let heading = format!("Y{}", &contracted_heading[1..]);
    let body = format!("Your sign-in was successful but {contracted_body}.");

    let collapsed = block(recognise(&sign_in_page(
        Some(&heading),
        vec![body.clone()],
        true,
    )));
    assert_eq!(
        (collapsed.wording.clone(), collapsed.confidence),
        (Wording::Contracted, Confidence::Likely)
    );

    let mut expanded = vec![body];
    expanded.extend(detail_lines());
    let confirmed = block(recognise(&sign_in_page(Some(&heading), expanded, true)));
    assert_eq!(
        (confirmed.wording, confirmed.confidence),
        (Wording::Contracted, Confidence::Confirmed)
    );

    let typographic = block(recognise(&sign_in_page(
        Some("You can\u{2019}t access this right now"),
        vec![],
        false,
    )));
    assert_eq!(typographic.wording, Wording::Contracted);
}

#[test]
fn every_english_matcher_alone_is_enough_for_a_likely_block() {
    let matchers = capture("apostrophe-variants")["matchers"]
        .as_array()
        .expect("matchers")
        .clone();
    for matcher in matchers {
        let text = matcher.as_str().expect("matcher").to_string();
        let facts = sign_in_page(None, vec![text.clone()], false);
        match recognise(&facts) {
            Recognition::ConditionalAccessBlock(page) => {
                assert_eq!(page.confidence, Confidence::Likely, "{text}")
            }
            // "restricted by your admin" appears on other pages too: it is not evidence alone.
            Recognition::NotABlockPage => assert_eq!(text, "restricted by your admin"),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn authentication_flow_wording_is_told_apart() {
    let mut texts = vec![capture_text("auth-flow-variant")];
    texts.extend(detail_lines());
    let page = block(recognise(&sign_in_page(Some(HEADING), texts, true)));
    assert_eq!(
        (page.wording, page.confidence),
        (Wording::AuthenticationFlow, Confidence::Confirmed)
    );
}

/// The expanded capture as a German page would show it: translated heading and labels (our
/// translation), the same code, ids and values.
fn german_lines() -> Vec<String> {
    let labels = [
        ("Error Code", "Fehlercode"),
        ("Request Id", "Anforderungs-ID"),
        ("Correlation Id", "Korrelations-ID"),
        ("Timestamp", "Zeitstempel"),
        ("App name", "App-Name"),
        ("App id", "App-ID"),
        ("IP address", "IP-Adresse"),
        ("Device identifier", "Gerätebezeichner"),
        ("Device platform", "Geräteplattform"),
        ("Device state", "Gerätestatus"),
    ];
    let mut lines = vec![
        "Ihre Anmeldung war erfolgreich, erfüllt aber nicht die Kriterien für den Zugriff auf diese Ressource.".to_string(),
        "Weitere Details".to_string(),
    ];
    for line in detail_lines() {
        let (label, value) = line
            .split_once(": ")
            .expect("detail lines are label: value");
        let german = labels
            .iter()
            .find(|(en, _)| *en == label)
            .map(|(_, de)| *de)
            .expect("every label translated");
        lines.push(format!("{german}: {value}"));
    }
    lines
}

#[test]
fn german_page_is_confirmed_from_code_and_ids_despite_translated_labels() {
    let facts = SignInPageFacts {
        lang: Some("de".into()),
        ..sign_in_page(
            Some("Sie können zurzeit nicht darauf zugreifen"),
            german_lines(),
            true,
        )
    };
    let page = block(recognise(&facts));
    assert_eq!(
        (page.code, page.confidence),
        (BlockCode::BlockedByConditionalAccess, Confidence::Confirmed)
    );
    assert_eq!(
        page.wording,
        Wording::Localized {
            lang: Some("de".into())
        }
    );
    assert_eq!(
        page.heading.as_deref(),
        Some("Sie können zurzeit nicht darauf zugreifen")
    );
    let d = &page.details;
    assert_eq!(d.error_code.as_deref(), Some("53003"));
    assert_eq!(
        d.request_id.as_deref(),
        Some("e967519f-4d98-4796-922e-0db042238a00")
    );
    assert_eq!(
        d.correlation_id.as_deref(),
        Some("019827f4-372b-7726-8110-db46f130cd8f")
    );
    assert_eq!(
        d.app_id.as_deref(),
        Some("5e3ce6c0-2b1f-4285-8d4b-75ee78787346")
    );
    assert_eq!(d.timestamp.as_deref(), Some("2025-07-20T13:20:49.231Z"));
    // Values without a telling shape keep their translated label, verbatim.
    assert!(
        d.other_fields
            .contains(&("App-Name".into(), "Microsoft Teams Web Client".into())),
        "{:?}",
        d.other_fields
    );
    assert!(d
        .other_fields
        .contains(&("Gerätestatus".into(), "DomainJoined".into())));
    assert!(helpdesk_text(&page).contains("Geräteplattform: Windows 10\n"));
}

#[test]
fn localized_code_counts_with_ids_even_when_no_panel_was_reported() {
    let facts = SignInPageFacts {
        lang: Some("de".into()),
        ..sign_in_page(None, german_lines(), false)
    };
    assert_eq!(block(recognise(&facts)).confidence, Confidence::Confirmed);
}

#[test]
fn localized_number_without_troubleshooting_structure_is_not_a_code() {
    let facts = SignInPageFacts {
        lang: Some("de".into()),
        ..sign_in_page(Some("Anmelden"), vec!["Postleitzahl: 53003".into()], false)
    };
    assert_eq!(recognise(&facts), Recognition::NotABlockPage);
}

#[test]
fn a_details_container_alone_vouches_only_for_conditional_access_codes() {
    // A one-time passcode under a translated label, on a page whose (empty) details container exists.
    let passcode = SignInPageFacts {
        lang: Some("fr".into()),
        ..sign_in_page(Some("Entrer le code"), vec!["Code : 123456".into()], true)
    };
    assert_eq!(recognise(&passcode), Recognition::NotABlockPage);

    let blocked = SignInPageFacts {
        lang: Some("fr".into()),
        ..sign_in_page(
            Some("Vous ne pouvez pas y accéder pour l’instant"),
            vec!["Code d’erreur : 53003".into()],
            true,
        )
    };
    let page = block(recognise(&blocked));
    assert_eq!(
        (page.code, page.confidence),
        (BlockCode::BlockedByConditionalAccess, Confidence::Confirmed)
    );
    assert_eq!(page.details.error_code.as_deref(), Some("53003"));

    let other_with_ids = SignInPageFacts {
        lang: Some("fr".into()),
        ..sign_in_page(
            None,
            vec![
                "Code d’erreur : 50126".into(),
                "ID de corrélation : 019827f4-372b-7726-8110-db46f130cd8f".into(),
            ],
            true,
        )
    };
    assert!(
        matches!(recognise(&other_with_ids), Recognition::OtherSignInError { code: Some(c), .. } if c == "AADSTS50126")
    );
}

#[test]
fn full_width_colons_are_label_separators() {
    let facts = SignInPageFacts {
        lang: Some("ja".into()),
        ..sign_in_page(
            Some("現在、これにはアクセスできません"),
            vec![
                "エラー コード：53003".into(),
                "要求 ID：e967519f-4d98-4796-922e-0db042238a00".into(),
                "相関 ID：019827f4-372b-7726-8110-db46f130cd8f".into(),
            ],
            true,
        )
    };
    let page = block(recognise(&facts));
    assert_eq!(
        page.details.correlation_id.as_deref(),
        Some("019827f4-372b-7726-8110-db46f130cd8f")
    );
    assert_eq!(
        page.wording,
        Wording::Localized {
            lang: Some("ja".into())
        }
    );
}

#[test]
fn each_conditional_access_code_maps_to_its_name() {
    for (number, code, name) in [
        (53000, BlockCode::DeviceNotCompliant, "DeviceNotCompliant"),
        (
            53001,
            BlockCode::DeviceNotDomainJoined,
            "DeviceNotDomainJoined",
        ),
        (
            53002,
            BlockCode::ApplicationNotApproved,
            "ApplicationUsedIsNotAnApprovedApp",
        ),
        (
            53003,
            BlockCode::BlockedByConditionalAccess,
            "BlockedByConditionalAccess",
        ),
        (
            53004,
            BlockCode::ProofUpBlockedDueToRisk,
            "ProofUpBlockedDueToRisk",
        ),
        (
            53009,
            BlockCode::AppProtectionPolicyRequired,
            "Application needs to enforce Intune protection policies",
        ),
    ] {
        let facts = sign_in_page(
            None,
            vec![
                format!("Error Code: {number}"),
                "Correlation Id: 019827f4-372b-7726-8110-db46f130cd8f".into(),
            ],
            true,
        );
        let page = block(recognise(&facts));
        assert_eq!(
            (page.code, page.code.number(), page.code.microsoft_name()),
            (code, number, name)
        );
        assert!(
            !page.code.plain_explanation().is_empty() && !page.code.what_user_can_do().is_empty()
        );
        assert!(helpdesk_text(&page).starts_with(&format!(
            "Sign-in blocked by Conditional Access: error {number} ("
        )));
    }
}

#[test]
fn codes_agree_with_the_corpus_table() {
    let table = corpus()["error_codes"].clone();
    for code in [53000, 53001, 53002, 53003, 53004, 53009] {
        let name = table[code.to_string()]
            .as_str()
            .unwrap_or_else(|| panic!("{code} missing from the corpus table"));
        assert_eq!(
            BlockCode::from_number(code).map(BlockCode::microsoft_name),
            Some(name)
        );
    }
}

#[test]
fn message_line_with_aadsts_prefix_is_confirmed_and_kept() {
    let message = "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.";
    let facts = sign_in_page(
        None,
        vec![
            format!("Message: {message}"),
            "Request Id: e967519f-4d98-4796-922e-0db042238a00".into(),
        ],
        true,
    );
    let page = block(recognise(&facts));
    assert_eq!(
        (page.code, page.confidence),
        (BlockCode::BlockedByConditionalAccess, Confidence::Confirmed)
    );
    assert_eq!(page.details.message.as_deref(), Some(message));
    assert_eq!(page.details.error_code.as_deref(), Some("53003"));
}

#[test]
fn registration_block_advice_names_trusted_network_and_temporary_access_pass() {
    let advice = BlockCode::BlockedByConditionalAccess.what_user_can_do();
    assert!(
        advice.contains("trusted network") && advice.contains("Temporary Access Pass"),
        "{advice}"
    );
}

#[test]
fn other_sign_in_errors_are_named_not_called_blocks() {
    let wrong_password = sign_in_page(
        Some("Sign in"),
        vec![
            "Your account or password is incorrect. If you don't remember your password, reset it now.".into(),
            "Message: AADSTS50126: Error validating credentials due to invalid username or password.".into(),
        ],
        true,
    );
    assert_eq!(
        recognise(&wrong_password),
        Recognition::OtherSignInError {
            code: Some("AADSTS50126".into()),
            message: Some(
                "AADSTS50126: Error validating credentials due to invalid username or password."
                    .into()
            ),
        }
    );
    let unknown_app = sign_in_page(
        None,
        vec!["AADSTS700016: Application with identifier 'x' was not found in the directory 'contoso'.".into()],
        false,
    );
    assert_eq!(
        recognise(&unknown_app),
        Recognition::OtherSignInError {
            code: Some("AADSTS700016".into()),
            message: Some("AADSTS700016: Application with identifier 'x' was not found in the directory 'contoso'.".into()),
        }
    );
    let labelled = sign_in_page(None, vec!["Error Code: 50076".into()], true);
    assert_eq!(
        recognise(&labelled),
        Recognition::OtherSignInError {
            code: Some("AADSTS50076".into()),
            message: None
        }
    );
}

#[test]
fn ordinary_sign_in_steps_are_not_block_pages() {
    let pages = [
        sign_in_page(
            Some("Sign in"),
            vec![
                "Email, phone, or Skype".into(),
                "Can't access your account?".into(),
                "Next".into(),
            ],
            false,
        ),
        sign_in_page(
            Some("Enter password"),
            vec!["Forgot my password".into(), "Sign in".into()],
            false,
        ),
        sign_in_page(
            Some("Approve sign in request"),
            vec![
                "Open your Authenticator app, and enter the number shown to sign in.".into(),
                "42".into(),
            ],
            false,
        ),
        sign_in_page(
            Some("Stay signed in?"),
            vec!["Do this to reduce the number of times you are asked to sign in.".into()],
            false,
        ),
        sign_in_page(None, vec![], false),
    ];
    for facts in pages {
        assert_eq!(recognise(&facts), Recognition::NotABlockPage, "{facts:?}");
    }
}

#[test]
fn block_page_text_off_a_sign_in_host_is_ignored() {
    for host in [
        "learn.microsoft.com",
        "login.microsoftonline.com.evil.example",
        "example.com",
        "",
    ] {
        let facts = SignInPageFacts {
            host: host.into(),
            ..sign_in_page(Some(HEADING), expanded_lines(), true)
        };
        assert_eq!(recognise(&facts), Recognition::NotABlockPage, "{host}");
    }
    let docs = SignInPageFacts {
        host: "learn.microsoft.com".into(),
        ..sign_in_page(None, vec![capture_text("ms-docs-compliant-network")], false)
    };
    assert_eq!(recognise(&docs), Recognition::NotABlockPage);
    let lookup = SignInPageFacts {
        path: "/error".into(),
        ..sign_in_page(None, vec!["AADSTS53003".into()], false)
    };
    assert_eq!(recognise(&lookup), Recognition::NotABlockPage);
}

#[test]
fn every_clouds_sign_in_host_is_recognised() {
    for (host, cloud) in [
        ("login.microsoftonline.com", Cloud::Global),
        ("LOGIN.MICROSOFTONLINE.COM:443", Cloud::Global),
        ("login.microsoftonline.us", Cloud::UsGovernment),
        ("login.chinacloudapi.cn", Cloud::China),
        ("login.partner.microsoftonline.cn", Cloud::China),
    ] {
        let facts = SignInPageFacts {
            host: host.into(),
            ..sign_in_page(Some(HEADING), expanded_lines(), true)
        };
        assert_eq!(block(recognise(&facts)).cloud, cloud, "{host}");
    }
}

#[test]
fn admin_is_sent_to_the_sign_in_logs_of_the_right_cloud_with_the_correlation_id() {
    assert_eq!(
        sign_in_logs_url(Cloud::UsGovernment),
        "https://entra.microsoft.us/#view/Microsoft_AAD_IAM/SignInEventsV3Blade"
    );
    assert_eq!(
        sign_in_logs_url(Cloud::China),
        "https://portal.azure.cn/#view/Microsoft_AAD_IAM/SignInEventsV3Blade"
    );
    assert_eq!(
        error_lookup_url(53003),
        "https://login.microsoftonline.com/error?code=53003"
    );

    let page = block(recognise(&sign_in_page(
        Some(HEADING),
        expanded_lines(),
        true,
    )));
    let steps = admin_steps(&page);
    assert!(steps[0]
        .contains("https://entra.microsoft.com/#view/Microsoft_AAD_IAM/SignInEventsV3Blade"));
    assert!(steps[1].contains("019827f4-372b-7726-8110-db46f130cd8f"));
    assert!(steps.iter().any(|s| s.contains("Conditional Access tab")));

    let collapsed = block(recognise(&sign_in_page(Some(HEADING), card_lines(), true)));
    assert!(admin_steps(&collapsed)[1].contains("More details"));
}

#[test]
fn helpdesk_text_has_one_field_per_line_in_page_order() {
    let page = block(recognise(&sign_in_page(
        Some(HEADING),
        expanded_lines(),
        true,
    )));
    let copy = helpdesk_text(&page);
    let labels: Vec<&str> = copy
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(label, _)| label))
        .collect();
    assert_eq!(
        labels,
        [
            "Sign-in blocked by Conditional Access",
            "Page heading",
            "Error code",
            "Request ID",
            "Correlation ID",
            "Timestamp",
            "App name",
            "App ID",
            "IP address",
            "Device identifier",
            "Device platform",
            "Device state",
            "Message",
            "Cloud",
        ]
    );
    assert!(copy.contains("Correlation ID: 019827f4-372b-7726-8110-db46f130cd8f\n"));
    assert!(copy.starts_with(
        "Sign-in blocked by Conditional Access: error 53003 (BlockedByConditionalAccess)\n"
    ));
}

#[test]
fn hostile_strings_come_back_verbatim_and_never_panic() {
    let markup = "<img src=x onerror=alert(1)><script>alert(document.cookie)</script>";
    let long = "A".repeat(1_000_000);
    let facts = sign_in_page(
        Some(markup),
        vec![
            format!("App name: {markup}"),
            format!("Device platform: {long}"),
            "Error Code: 53003".into(),
            format!("Correlation Id: 019827f4-372b-7726-8110-db46f130cd8f{long}"),
            ":::::".into(),
            ": 53003".into(),
            "AADSTS".into(),
            "AADSTS99999999999999999999".into(),
            "\u{0}\u{202e}😀：：".into(),
        ],
        true,
    );
    let page = block(recognise(&facts));
    assert_eq!(page.heading.as_deref(), Some(markup));
    assert_eq!(page.details.app_name.as_deref(), Some(markup));
    assert_eq!(page.details.device_platform.as_deref(), Some(long.as_str()));
    assert!(page
        .details
        .correlation_id
        .as_deref()
        .is_some_and(|id| id.len() == 36 + long.len()));
    assert!(helpdesk_text(&page).contains(&format!("App name: {markup}\n")));

    let many_lines = sign_in_page(None, vec!["x: y\n".repeat(200_000)], true);
    assert_eq!(recognise(&many_lines), Recognition::NotABlockPage);
}

#[test]
fn truncated_and_mutated_capture_lines_never_panic() {
    let text = capture_text("teams-web-53003-text-capture")
        + "\nSie können zurzeit nicht darauf zugreifen：53003";
    let mut inputs = 0;
    for (at, _) in text.char_indices() {
        for variant in [
            text[..at].to_string(),
            text[at..].to_string(),
            format!("{}：{}", &text[..at], &text[at..]),
        ] {
            inputs += 1;
            let facts = sign_in_page(None, vec![variant], inputs % 2 == 0);
            if let Recognition::ConditionalAccessBlock(page) = recognise(&facts) {
                assert!(!helpdesk_text(&page).is_empty());
                assert!(!admin_steps(&page).is_empty());
            }
        }
    }
    assert!(inputs > 1000);
}

#[test]
fn facts_and_recognition_round_trip_through_json() {
    let facts = sign_in_page(Some(HEADING), expanded_lines(), true);
    let back: SignInPageFacts =
        serde_json::from_str(&serde_json::to_string(&facts).expect("facts serialise"))
            .expect("facts parse");
    assert_eq!(back, facts);
    let recognition = recognise(&facts);
    let json = serde_json::to_string(&recognition).expect("recognition serialises");
    assert_eq!(
        serde_json::from_str::<Recognition>(&json).expect("recognition parses"),
        recognition
    );
}
