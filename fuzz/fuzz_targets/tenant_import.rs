//! Tenant import on raw file bytes: any encoding, any JSON shape, garbage.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registration_guard::engine::import::import_tenant;
use registration_guard::engine::model::{ConditionalAccessPolicy, FromGraph, NamedLocation};

fuzz_target!(|data: &[u8]| {
    match import_tenant(data) {
        Ok(import) => {
            // Whatever was imported must be readable again from the Graph JSON we would send.
            for policy in &import.policies {
                let json = policy.to_graph_json();
                let back = ConditionalAccessPolicy::from_graph(json.clone(), "$")
                    .unwrap_or_else(|e| panic!("our own policy JSON does not read back: {e:?}\n{json}"));
                assert_eq!(back.to_graph_json(), json);
            }
            for location in &import.named_locations {
                let json = location.to_graph_json();
                let back = NamedLocation::from_graph(json.clone(), "$")
                    .unwrap_or_else(|e| panic!("our own named location JSON does not read back: {e:?}\n{json}"));
                assert_eq!(back.to_graph_json(), json);
            }
            import.into_snapshot();
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});
