//! Messages that carry what a page shows into the extension's frames: the portal page facts
//! (to the panel) and the sign-in page snapshot (to the block-page explainer). The page
//! controls every text in them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registration_guard::blockpage::recognise;
use registration_guard::explainer::{page_to_explain, placement, ToExplainer};
use registration_guard::messages::{decode_json, ToPanel};

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else { return };
    match ToPanel::from_json(json) {
        Ok(ToPanel::Facts { facts }) => {
            let _ = facts.context();
            facts.theme();
            if let Some(label) = facts.account.label() {
                assert!(!label.is_empty() && label.trim() == label, "account label {label:?} is not trimmed");
            }
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
    match decode_json::<ToExplainer>(json) {
        Ok(ToExplainer::SignInFacts { facts }) => {
            page_to_explain(recognise(&facts.page_facts()));
            for (content_height, open) in [(0, false), (640, true), (u32::MAX, true)] {
                let place = placement(facts.viewport, facts.card, content_height, open);
                assert!(
                    place.left.saturating_add(place.width) <= facts.viewport.width,
                    "explainer {place:?} overflows the window {:?}",
                    facts.viewport
                );
            }
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});
