//! The engine on any tenant an admin could import: coverage verdict, what-if and the three
//! presets must work on whatever import_tenant accepts, and the classic preset, once on, must
//! block registration from outside the trusted ranges for a member it does not exclude.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registration_guard::engine::cidr::{Cidr, IpAddress, RangeSet};
use registration_guard::engine::coverage::assess;
use registration_guard::engine::import::import_tenant;
use registration_guard::engine::model::{ConditionalAccessPolicy, FromGraph, NamedLocation};
use registration_guard::engine::presets::{build_plan, PlanOptions, Preset};
use registration_guard::engine::whatif::{Decision, Draft, SignIn, SignInTarget, WhatIfEngine};

/// A member no preset excludes (not the admin, not break-glass, not a guest).
const MEMBER: &str = "f0f0f0f0-0000-4000-8000-00000000beef";
/// TEST-NET-3: outside the trusted ranges unless a tenant trusts it.
const OUTSIDE_IP: &str = "203.0.113.7";

fuzz_target!(|data: &[u8]| {
    let Ok(import) = import_tenant(data) else { return };
    let snapshot = import.into_snapshot();
    let report = assess(&snapshot);
    assert!(!report.verdict.label().is_empty());

    let mut sign_in = SignIn::new(MEMBER, SignInTarget::register_security_info());
    sign_in.ip_address = Some(OUTSIDE_IP.into());
    if let Err(error) = WhatIfEngine::new(&snapshot).evaluate(&sign_in) {
        panic!("a well-formed sign-in was refused: {error}");
    }

    for preset in [Preset::BlockOutsideTrusted, Preset::RequireMfaOutsideTrusted, Preset::BlockGuestsOutsideTrusted] {
        let Ok(plan) = build_plan(&snapshot, preset, &PlanOptions::default()) else { continue };
        // The body we would POST must read back as the policy we planned.
        let back = ConditionalAccessPolicy::from_graph(plan.body.clone(), "$")
            .unwrap_or_else(|e| panic!("the {preset:?} body does not read back: {e:?}"));
        assert_eq!(back.to_graph_json(), plan.body);
        if preset != Preset::BlockOutsideTrusted || trusts(&snapshot.named_locations, &snapshot.mfa_trusted_ips) {
            continue;
        }
        let draft = Draft { policy: plan.policy.clone(), as_enabled: true };
        let engine = WhatIfEngine::with_drafts(&snapshot, &[draft], &[]);
        let result = engine.evaluate(&sign_in).expect("the sign-in was accepted above");
        assert!(
            matches!(result.decision, Decision::Blocked { .. }),
            "the classic preset, on, does not block {MEMBER} registering from {OUTSIDE_IP}: {:?}",
            result.decision
        );
    }
});

/// Whether any trusted range (named locations or legacy MFA trusted IPs) holds OUTSIDE_IP, or a
/// trusted location's ranges cannot be read (then the engine cannot know either).
fn trusts(locations: &[NamedLocation], mfa_trusted_ips: &Option<Vec<String>>) -> bool {
    let address = IpAddress::parse(OUTSIDE_IP).expect("a valid address");
    let mut ranges = Vec::new();
    for location in locations.iter().filter(|l| l.is_trusted()) {
        match location {
            NamedLocation::Ip { ip_ranges, .. } => {
                for text in ip_ranges {
                    match Cidr::parse(text) {
                        Ok(cidr) => ranges.push(cidr),
                        Err(_) => return true,
                    }
                }
            }
            // Compliant-network and other trusted kinds: the sign-in does not come from one.
            _ => {}
        }
    }
    for text in mfa_trusted_ips.iter().flatten() {
        match Cidr::parse(text) {
            Ok(cidr) => ranges.push(cidr),
            Err(_) => return true,
        }
    }
    RangeSet::new(&ranges).contains(address)
}
