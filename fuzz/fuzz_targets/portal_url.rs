//! Page-context parsing: any address the content script reports (the page controls it),
//! plus the computed background colour read for the theme.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registration_guard::context::{parse_portal_url, PortalContext, Theme};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Line 1 is the address; the rest doubles as the page's background colour.
    let (url, colour) = text.split_once('\n').unwrap_or((&text, ""));
    Theme::from_facts(Some(colour), false);
    Theme::from_facts(Some(url), true);
    match parse_portal_url(url) {
        Ok(context) => {
            let summary = context.summary();
            assert!(!summary.is_empty());
            context.wants_full_panel();
            context.area.is_conditional_access();
            // The panel links to policies with this: it must stay on a Microsoft portal host.
            if let Some(link) = context.policy_url("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0") {
                assert!(link.starts_with("https://"), "policy link {link} is not https");
                assert!(parse_portal_url(&link).is_ok(), "policy link {link} is not a portal address");
            }
            // The context crosses the message boundary as JSON: it must come back the same.
            let json = serde_json::to_string(&context).expect("a context serializes");
            let back: PortalContext = serde_json::from_str(&json).expect("a serialized context reads back");
            assert_eq!(back, context);
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});
