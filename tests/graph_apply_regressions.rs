//! Regressions found by fuzzing the apply flow (fuzz/fuzz_targets/apply_flow.rs).

use registration_guard::context::Cloud;
use registration_guard::engine::presets::{build_plan, PlanOptions, Preset};
use registration_guard::graph::apply::{ApplyFlow, ApplySettings, Step};
use registration_guard::graph::{GraphEndpoints, HttpResponse, Method};
use serde_json::json;
const NOW: u64 = 1_767_225_600_000;
fn preflight_answer() -> String {
    let ok = |id: &str, body: serde_json::Value| json!({"id": id, "status": 200, "body": body});
    json!({"responses": [
        ok("profile", json!({"id": "6b1f0c4e-8f4e-4a59-9d3c-3f1a9a1e2b7d", "displayName": "Adele Vance", "userPrincipalName": "adele@contoso.example"})),
        ok("roles", json!({"value": [{"id": "r1", "displayName": "Conditional Access Administrator", "roleTemplateId": "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"}]})),
        ok("securityDefaults", json!({"isEnabled": false})),
        ok("licences", json!({"value": [{"capabilityStatus": "Enabled", "skuPartNumber": "AAD_PREMIUM", "servicePlans": [{"servicePlanId": "41781fb2-bc02-4b7c-bd55-b576c07bb09d"}]}]})),
        ok("namedLocations", json!({"value": [{"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "0a0a0a0a-0000-4000-8000-000000000001", "displayName": "Office", "isTrusted": true, "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "198.51.100.0/24"}]}]})),
        ok("policies", json!({"value": []})),
    ]}).to_string()
}
/// Found by the apply_flow fuzz target: a read-back without a policy list was taken for "not there".
#[test]
fn a_read_back_without_a_policy_list_never_leads_to_a_second_post() {
    let mut flow = ApplyFlow::new(
        GraphEndpoints::for_cloud(Cloud::Global),
        ApplySettings::default(),
        3,
    );
    assert!(matches!(flow.start(), Step::Send { .. }));
    assert_eq!(
        flow.on_response(Ok(HttpResponse::new(200, preflight_answer())), NOW),
        Step::Review
    );
    let read = flow.review().expect("review").clone();
    let plan = build_plan(
        &read.snapshot,
        Preset::BlockOutsideTrusted,
        &PlanOptions::default(),
    )
    .expect("plan");
    let Step::Send { request, .. } = flow.confirm(&plan, None) else {
        panic!("the confirmation posts the policy")
    };
    assert_eq!(request.method, Method::Post);
    let step = flow.on_response(
        Ok(HttpResponse::new(
            504,
            "<html><title>504 Gateway Timeout</title></html>",
        )),
        NOW + 100,
    );
    let Step::Send { request, .. } = step else {
        panic!("an unclear answer leads to a read-back, got {step:?}")
    };
    assert_eq!(
        request.method,
        Method::Get,
        "the flow reads the list back before anything else"
    );
    for garbled in [
        r#"{"val$e": []}"#,
        "{}",
        r#"{"error": {"code": "x"}}"#,
        r#"{"value": "not a list"}"#,
    ] {
        let mut flow = flow.clone();
        let step = flow.on_response(Ok(HttpResponse::new(200, garbled)), NOW + 6_000);
        if let Step::Send { request, .. } = &step {
            assert_ne!(
                request.method,
                Method::Post,
                "read-back {garbled} was taken for an empty list: the policy was posted again"
            );
        }
    }
}
