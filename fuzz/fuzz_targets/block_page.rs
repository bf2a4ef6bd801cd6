//! Block-page recognition on any sign-in page text.
//!
//! Input layout (so seeds stay readable): fields separated by U+0001 —
//! `host`, `path`, `lang`, `heading`, then one field per visible text; the first byte's low
//! bit says whether a troubleshooting-details container exists. Empty `lang`/`heading` are
//! absent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registration_guard::blockpage::{admin_steps, helpdesk_text, recognise, Recognition, SignInPageFacts};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let mut fields = text.split('\u{1}');
    let mut next = || fields.next().unwrap_or("").to_owned();
    let optional = |s: String| (!s.is_empty()).then_some(s);
    let host = next();
    let path = next();
    let lang = optional(next());
    let heading = optional(next());
    let texts: Vec<String> = fields.map(str::to_owned).collect();
    let facts = SignInPageFacts { host, path, lang, heading, texts, has_error_details_panel: flags & 1 == 1 };

    let recognition = recognise(&facts);
    match &recognition {
        Recognition::ConditionalAccessBlock(page) => {
            assert!(!helpdesk_text(page).is_empty());
            assert!(!admin_steps(page).is_empty());
        }
        Recognition::OtherSignInError { code: Some(code), .. } => {
            assert!(code.starts_with("AADSTS"), "code {code:?} is not an AADSTS code");
        }
        _ => {}
    }
    // Recognitions travel to the explainer frame as JSON: they must come back the same.
    let json = serde_json::to_string(&recognition).expect("a recognition serializes");
    let back: Recognition = serde_json::from_str(&json).expect("a serialized recognition reads back");
    assert_eq!(back, recognition);
    // Recognition is a pure function of the facts.
    assert_eq!(recognise(&facts), recognition);
});
