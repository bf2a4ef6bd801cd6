//! The extension's own Graph client and sign-in (`graph`) against the simulated tenant: the
//! two halves were written independently, so agreement here means each speaks the protocol.

use registration_guard::context::Cloud;
use registration_guard::engine::model::{PolicyState, USER_ACTION_REGISTER_SECURITY_INFO};
use registration_guard::engine::presets::{build_plan, PlanOptions, Preset};
use registration_guard::graph::apply::{ApplyFlow, ApplySettings, Step, Undo};
use registration_guard::graph::batch::{Preflight, PreflightStep};
use registration_guard::graph::errors::ErrorContext;
use registration_guard::graph::retry::RetryPolicy;
use registration_guard::graph::GraphEndpoints;
use registration_guard::sim::scenarios::*;
use registration_guard::sim::{Fault, FaultRule, SimTenant};

#[path = "common/sim_client.rs"]
mod sim_client;
use sim_client::{perform, sign_in, NOW, REDIRECT};

/// Runs the preflight to its end; returns the steps taken.
fn preflight(t: &mut SimTenant, token: &str, cloud: Cloud) -> (Preflight, PreflightStep) {
    let mut preflight = Preflight::new(
        GraphEndpoints::for_cloud(cloud),
        ErrorContext::default(),
        RetryPolicy::default(),
        7,
    );
    let mut step = preflight.start();
    let mut now = NOW + 2_000;
    for _ in 0..20 {
        match step {
            PreflightStep::Send { request, wait } => {
                now += wait.map_or(0, |w| w.ms);
                let outcome = perform(t, &request.with_bearer(token), now);
                step = preflight.on_response(outcome, now);
            }
            done => return (preflight, done),
        }
    }
    panic!("the preflight did not finish in 20 steps");
}

#[test]
fn the_extensions_sign_in_completes_against_the_simulated_tenant() {
    let mut t = SimTenant::contoso_demo().with_extension_app(REDIRECT, true);
    let tokens = sign_in(&mut t, Cloud::Global);
    assert!(t.knows_access_token(&tokens.access_token));
    assert!(tokens.refresh_token.is_some());
    assert_eq!(
        tokens.refresh_expires_at_ms,
        Some(NOW + 1_000 + 24 * 3_600_000)
    );
    assert!(
        tokens
            .scopes
            .iter()
            .any(|s| s.ends_with("/Policy.ReadWrite.ConditionalAccess")),
        "{:?}",
        tokens.scopes
    );
}

#[test]
fn the_preflight_reads_the_whole_tenant_in_one_batch() {
    let mut t = SimTenant::contoso_demo().with_extension_app(REDIRECT, true);
    let tokens = sign_in(&mut t, Cloud::Global);
    let (preflight, step) = preflight(&mut t, &tokens.access_token, Cloud::Global);
    let PreflightStep::Done { read } = step else {
        panic!("preflight failed: {step:?}")
    };
    assert_eq!(preflight.round_trips(), 1);
    assert!(read.notes.is_empty(), "{:?}", read.notes);
    assert!(read.roles_known);
    let expected = t.snapshot();
    assert_eq!(read.snapshot.policies, expected.policies);
    assert_eq!(read.snapshot.named_locations, expected.named_locations);
    assert_eq!(read.snapshot.security_defaults_enabled, Some(false));
    assert_eq!(read.snapshot.licences, expected.licences);
    let admin = read.snapshot.admin.as_ref().unwrap();
    assert_eq!(admin.id, ADMIN_ID);
    assert_eq!(
        admin.role_template_ids,
        [registration_guard::engine::model::ROLE_GLOBAL_ADMINISTRATOR]
    );
}

#[test]
fn the_preflight_retries_an_inner_throttle_and_follows_pages() {
    let mut t = SimTenant::contoso_demo()
        .with_extension_app(REDIRECT, true)
        .with_security_defaults();
    t.page_size = Some(2);
    t.add_fault(FaultRule::graph(
        "GET",
        "/identity/conditionalAccess/policies",
        Fault::Throttle {
            retry_after_s: Some(2),
        },
    ));
    let tokens = sign_in(&mut t, Cloud::Global);
    let (preflight, step) = preflight(&mut t, &tokens.access_token, Cloud::Global);
    let PreflightStep::Done { read } = step else {
        panic!("preflight failed: {step:?}")
    };
    assert!(preflight.round_trips() >= 2);
    assert_eq!(read.snapshot.policies, t.snapshot().policies);
    assert_eq!(read.snapshot.named_locations.len(), 4);
    assert_eq!(read.snapshot.security_defaults_enabled, Some(true));
}

#[test]
fn the_preflight_works_in_the_us_government_cloud() {
    let mut t = SimTenant::us_government_demo().with_extension_app(REDIRECT, true);
    let tokens = sign_in(&mut t, Cloud::UsGovernment);
    let (_, step) = preflight(&mut t, &tokens.access_token, Cloud::UsGovernment);
    let PreflightStep::Done { read } = step else {
        panic!("preflight failed: {step:?}")
    };
    assert_eq!(read.snapshot.policies.len(), 3);
}

/// Drives the apply flow from `step` until it needs the admin again; returns that step.
fn drive(
    flow: &mut ApplyFlow,
    t: &mut SimTenant,
    token: &str,
    mut step: Step,
    now: &mut u64,
) -> Step {
    for _ in 0..30 {
        match step {
            Step::Send { request, wait } => {
                *now += wait.map_or(0, |w| w.ms) + 100;
                let outcome = perform(t, &request.with_bearer(token), *now);
                step = flow.on_response(outcome, *now);
            }
            other => return other,
        }
    }
    panic!("the apply flow did not settle in 30 requests");
}

/// Signs in, reads the tenant and confirms `preset` with the default options.
fn apply(t: &mut SimTenant, preset: Preset) -> (ApplyFlow, Step, String, u64) {
    let tokens = sign_in(t, Cloud::Global);
    let settings = ApplySettings {
        break_glass: t.break_glass.clone(),
        ..ApplySettings::default()
    };
    let mut flow = ApplyFlow::new(GraphEndpoints::for_cloud(Cloud::Global), settings, 11);
    let mut now = NOW + 5_000;
    let first = flow.start();
    let step = drive(&mut flow, t, &tokens.access_token, first, &mut now);
    assert_eq!(step, Step::Review);
    let plan = build_plan(
        &flow.review().unwrap().snapshot,
        preset,
        &PlanOptions::default(),
    )
    .expect("a plan");
    let confirmed = flow.confirm(&plan, None);
    let step = drive(&mut flow, t, &tokens.access_token, confirmed, &mut now);
    (flow, step, tokens.access_token, now)
}

#[test]
fn every_preset_is_accepted_by_graph_as_simulated() {
    for preset in Preset::ALL {
        let mut t = SimTenant::contoso_demo().with_extension_app(REDIRECT, true);
        let (_, step, _, _) = apply(&mut t, preset);
        let Step::Created {
            policy_id,
            state,
            confirmed_by_reread,
            ..
        } = step
        else {
            panic!("{preset:?}: {step:?}")
        };
        assert_eq!(state, PolicyState::EnabledForReportingButNotEnforced);
        assert!(!confirmed_by_reread);
        let created = t
            .snapshot()
            .policy(&policy_id)
            .cloned()
            .expect("the policy exists in the tenant");
        assert!(
            created.targets_user_action(USER_ACTION_REGISTER_SECURITY_INFO),
            "{preset:?}"
        );
        assert!(
            created
                .conditions
                .users
                .exclude_users
                .iter()
                .any(|u| u == ADMIN_ID),
            "{preset:?} excludes the admin"
        );
        assert_eq!(t.policies.len(), 4, "{preset:?} created exactly one policy");
    }
}

#[test]
fn enforce_and_undo_reach_the_tenant() {
    let mut t = SimTenant::contoso_demo().with_extension_app(REDIRECT, true);
    let (mut flow, step, token, mut now) = apply(&mut t, Preset::BlockOutsideTrusted);
    let Step::Created { policy_id, .. } = step else {
        panic!("{step:?}")
    };
    let enforce = flow.enforce();
    let step = drive(&mut flow, &mut t, &token, enforce, &mut now);
    assert_eq!(
        step,
        Step::StateChanged {
            policy_id: policy_id.clone(),
            state: PolicyState::Enabled
        }
    );
    assert_eq!(
        t.snapshot().policy(&policy_id).unwrap().state,
        PolicyState::Enabled
    );
    let undo = flow.undo(Undo::Delete);
    let step = drive(&mut flow, &mut t, &token, undo, &mut now);
    assert_eq!(
        step,
        Step::Deleted {
            policy_id: policy_id.clone()
        }
    );
    assert!(t.snapshot().policy(&policy_id).is_none());
}

#[test]
fn a_post_whose_answer_is_lost_after_the_write_creates_one_policy_only() {
    for fault in [
        Fault::GatewayTimeout { after_commit: true },
        Fault::ResetAfterCommit,
        Fault::TruncatedBody,
    ] {
        let mut t = SimTenant::contoso_demo().with_extension_app(REDIRECT, true);
        t.add_fault(FaultRule::graph(
            "POST",
            "/identity/conditionalAccess/policies",
            fault,
        ));
        let (_, step, _, _) = apply(&mut t, Preset::RequireMfaOutsideTrusted);
        let Step::Created {
            confirmed_by_reread,
            ..
        } = step
        else {
            panic!("{fault:?}: {step:?}")
        };
        assert!(confirmed_by_reread, "{fault:?}");
        assert_eq!(t.policies.len(), 4, "{fault:?}: no duplicate");
    }
}

#[test]
fn a_post_lost_before_the_write_is_posted_once_more() {
    let mut t = SimTenant::contoso_demo().with_extension_app(REDIRECT, true);
    t.add_fault(FaultRule::graph(
        "POST",
        "/identity/conditionalAccess/policies",
        Fault::ResetBeforeCommit,
    ));
    let (_, step, _, _) = apply(&mut t, Preset::BlockOutsideTrusted);
    assert!(matches!(step, Step::Created { .. }), "{step:?}");
    assert_eq!(t.policies.len(), 4);
}
