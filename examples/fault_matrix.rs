//! The fault matrix: every Graph step of the one-click apply, each hit by exactly one fault in
//! the simulated tenant, driven by the extension's own client (`graph::apply::ApplyFlow`).
//! Prints a Markdown table: `cargo run --example fault_matrix`.
//!
//! `tests/fault_matrix.rs` includes this file and asserts every cell: recovered (the policy
//! exists exactly once, as planned) or a clear error an admin can act on, never a duplicate
//! policy and never a lost plan.

use registration_guard::context::Cloud;
use registration_guard::engine::model::PolicyState;
use registration_guard::engine::presets::{build_plan, Plan, PlanOptions, Preset};
use registration_guard::graph::apply::{
    ApplyFlow, ApplySettings, LocationError, NewTrustedLocation, Step, Undo,
};
use registration_guard::graph::{GraphEndpoints, HttpRequest};
use registration_guard::messages::GraphCall;
use registration_guard::sim::{Fault, FaultRule, SimTenant};

#[path = "../tests/common/sim_client.rs"]
mod sim_client;
use sim_client::{sign_in, NOW, REDIRECT};

const POLICIES: &str = "/identity/conditionalAccess/policies";
const LOCATIONS: &str = "/identity/conditionalAccess/namedLocations";
/// The trusted location the admin types when the tenant has none.
const TYPED_LOCATION: (&str, &str) = ("Head office", "192.0.2.0/24\n2001:db8:20::/48");

/// A Graph step of the apply flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// The preflight's one `POST /beta/$batch`.
    Batch,
    /// The policy list read inside the batch.
    BatchInner,
    /// `POST …/namedLocations` (tenant without a trusted location; the admin typed ranges).
    LocationPost,
    /// `POST …/policies`.
    PolicyPost,
    /// `GET …/policies` reading back after the POST's answer was lost.
    ReadBack,
    /// `PATCH …/policies/{id}` to `enabled`.
    Enforce,
    /// `PATCH …/policies/{id}` to `disabled`.
    UndoDisable,
    /// `DELETE …/policies/{id}`.
    UndoDelete,
}

impl Row {
    pub const ALL: [Row; 8] = [
        Row::Batch,
        Row::BatchInner,
        Row::LocationPost,
        Row::PolicyPost,
        Row::ReadBack,
        Row::Enforce,
        Row::UndoDisable,
        Row::UndoDelete,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Row::Batch => "preflight `POST /beta/$batch`",
            Row::BatchInner => "preflight inner `GET …/policies`",
            Row::LocationPost => "trusted location `POST …/namedLocations`",
            Row::PolicyPost => "policy `POST …/policies`",
            Row::ReadBack => "read-back `GET …/policies` after a lost answer",
            Row::Enforce => "Enforce `PATCH …/policies/{id}`",
            Row::UndoDisable => "Undo: disable `PATCH …/policies/{id}`",
            Row::UndoDelete => "Undo: delete `DELETE …/policies/{id}`",
        }
    }

    /// The rule that hits this step once. The read-back row also needs a lost POST answer to
    /// make the read-back happen; its GET is the second one (the first is inside the batch).
    fn rules(self, fault: Fault, times: u32) -> Vec<FaultRule> {
        let rules = match self {
            Row::Batch => vec![FaultRule::graph("POST", "/$batch", fault)],
            Row::BatchInner => vec![FaultRule::graph("GET", POLICIES, fault)],
            Row::LocationPost => vec![FaultRule::graph("POST", LOCATIONS, fault)],
            Row::PolicyPost => vec![FaultRule::graph("POST", POLICIES, fault)],
            Row::ReadBack => vec![
                FaultRule::graph(
                    "POST",
                    POLICIES,
                    Fault::GatewayTimeout { after_commit: true },
                ),
                FaultRule::graph("GET", POLICIES, fault).on_occurrence(2),
            ],
            Row::Enforce | Row::UndoDisable => {
                vec![FaultRule::graph("PATCH", &format!("{POLICIES}/*"), fault)]
            }
            Row::UndoDelete => vec![FaultRule::graph("DELETE", &format!("{POLICIES}/*"), fault)],
        };
        // Only the step's own rule repeats (the read-back row's lost POST stays a single fault).
        let last = rules.len() - 1;
        rules
            .into_iter()
            .enumerate()
            .map(|(i, r)| if i == last { r.times(times) } else { r })
            .collect()
    }

    /// Whether a request the client sent belongs to this step (to count tries).
    fn is_step(self, req: &HttpRequest) -> bool {
        let path = req.url.split('?').next().unwrap_or_default();
        let method = req.method.as_str();
        match self {
            Row::Batch | Row::BatchInner => path.ends_with("/$batch"),
            Row::LocationPost => method == "POST" && path.ends_with(LOCATIONS),
            Row::PolicyPost => method == "POST" && path.ends_with(POLICIES),
            Row::ReadBack => method == "GET" && path.contains(POLICIES),
            Row::Enforce | Row::UndoDisable => method == "PATCH",
            Row::UndoDelete => method == "DELETE",
        }
    }
}

/// The faults of the matrix's columns.
pub const FAULTS: [(&str, Fault); 8] = [
    (
        "429 Retry-After",
        Fault::Throttle {
            retry_after_s: Some(3),
        },
    ),
    ("500", Fault::InternalError),
    (
        "503",
        Fault::ServiceUnavailable {
            retry_after_s: None,
        },
    ),
    ("504 timeout", Fault::GatewayTimeout { after_commit: true }),
    ("reset before write", Fault::ResetBeforeCommit),
    ("reset after write", Fault::ResetAfterCommit),
    ("malformed JSON", Fault::MalformedJson),
    ("truncated body", Fault::TruncatedBody),
];

/// How one cell ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The step succeeded after `tries` requests of that step.
    Recovered { tries: usize },
    /// The flow stopped with this message (the error and what the flow knows the tenant holds, as
    /// the panel shows them); `retry_worked` says whether the admin's reviewed
    /// plan, tried again, reached the tenant; `already_there` that the retry's fresh read found
    /// the policy the first attempt had created (and refused to create it twice).
    ClearError {
        message: String,
        retry_worked: bool,
        already_there: bool,
    },
    /// Anything else (a bug): what happened.
    Unexpected { what: String },
}

/// One cell's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub row: Row,
    pub fault: &'static str,
    pub outcome: Outcome,
    /// The most policies with the plan's display name seen in the tenant during the cell.
    pub most_copies: usize,
    /// Copies at the end of the cell (after a retry, if one was made).
    pub copies_at_end: usize,
    /// Whether the policy ended in the state the step aimed for (created report-only, enforced,
    /// disabled, or deleted).
    pub state_as_planned: bool,
}

impl Cell {
    /// The Markdown text of the cell.
    pub fn text(&self) -> String {
        match &self.outcome {
            Outcome::Recovered { tries: 1 } => "recovered (1 try)".to_owned(),
            Outcome::Recovered { tries } => format!("recovered ({tries} tries)"),
            Outcome::ClearError {
                message,
                retry_worked,
                already_there,
            } => {
                let words: Vec<&str> = message.split_whitespace().take(6).collect();
                let retry = match (retry_worked, already_there) {
                    (true, true) => "retry finds it created",
                    (true, false) => "retry OK",
                    (false, _) => "retry FAILED",
                };
                format!("clear error: {}… ({retry})", words.join(" "))
            }
            Outcome::Unexpected { what } => format!("UNEXPECTED: {what}"),
        }
    }
}

/// The client and the simulated tenant, with every request the client sent.
pub struct Harness {
    pub tenant: SimTenant,
    token: String,
    now: u64,
    sent: Vec<HttpRequest>,
    most_copies: usize,
    plan_name: String,
}

impl Harness {
    fn perform(&mut self, req: &HttpRequest) -> registration_guard::graph::Outcome {
        self.sent.push(req.clone());
        let outcome = sim_client::perform(&mut self.tenant, req, self.now);
        self.most_copies = self.most_copies.max(self.copies());
        outcome
    }

    /// Policies in the tenant with the plan's display name.
    fn copies(&self) -> usize {
        self.tenant
            .policies
            .iter()
            .filter(|p| p.display_name == self.plan_name)
            .count()
    }

    /// Performs the flow's requests (waits advance the clock, never sleep) until it needs the admin.
    pub fn drive(&mut self, flow: &mut ApplyFlow, mut step: Step) -> Step {
        for _ in 0..40 {
            match step {
                Step::Send { request, wait } => {
                    // The extension's background forwards only allow-listed calls: the matrix must
                    // not recover through a request the real extension would refuse.
                    if let Err(refused) = GraphCall::from(request.clone()).check(Cloud::Global) {
                        panic!("the background would refuse {} {}: {refused}", request.method.as_str(), request.url);
                    }
                    self.now += wait.map_or(0, |w| w.ms) + 100;
                    let outcome = self.perform(&request.with_bearer(&self.token.clone()));
                    step = flow.on_response(outcome, self.now);
                }
                other => return other,
            }
        }
        panic!("the apply flow did not settle in 40 requests");
    }

    fn tries(&self, row: Row, from: usize) -> usize {
        self.sent[from..].iter().filter(|r| row.is_step(r)).count()
    }
}

/// The location the admin typed, checked against the tenant as (re-)read. Once a first attempt
/// created it, the name is taken: the retry uses the existing location instead.
fn typed_location(flow: &ApplyFlow) -> Option<NewTrustedLocation> {
    let read = flow.review()?;
    match NewTrustedLocation::from_typed(TYPED_LOCATION.0, TYPED_LOCATION.1, read) {
        Ok(location) => Some(location),
        Err(LocationError::NameTaken { .. }) => None,
        Err(other) => panic!("the typed location is valid: {other:?}"),
    }
}

/// Reads the tenant and confirms `plan` (built on the first review unless given).
pub fn read_and_confirm(
    h: &mut Harness,
    flow: &mut ApplyFlow,
    plan: Option<&Plan>,
    with_location: bool,
) -> (Step, Option<Plan>) {
    let start = flow.start();
    let step = h.drive(flow, start);
    if step != Step::Review {
        return (step, None);
    }
    let plan = match plan {
        Some(plan) => plan.clone(),
        None => build_plan(
            &flow.review().expect("reviewing").snapshot,
            Preset::BlockOutsideTrusted,
            &PlanOptions::default(),
        )
        .expect("a plan for the demo tenant"),
    };
    let location = if with_location {
        typed_location(flow)
    } else {
        None
    };
    let confirmed = flow.confirm(&plan, location.as_ref());
    (h.drive(flow, confirmed), Some(plan))
}

/// The error sentence the panel shows after a creation stopped: the error, then what the flow
/// knows the tenant holds from it (src/web/flow_view.rs does the same).
fn panel_message(error: &registration_guard::graph::errors::GraphError, flow: &ApplyFlow) -> String {
    match flow.failure_note() {
        Some(note) => format!("{error} {note}"),
        None => error.to_string(),
    }
}

/// How long a fault lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duration {
    /// Exactly one request of the step is hit.
    Once,
    /// Every request of the step is hit (an outage longer than the client's patience, up to
    /// 12 requests); it is over when the admin presses the button again.
    Outage,
}

impl Duration {
    fn times(self) -> u32 {
        match self {
            Duration::Once => 1,
            Duration::Outage => 12,
        }
    }
}

/// A fresh demo tenant (without its trusted location when `without_locations`), the admin signed
/// in, and a flow for it; the plan's name is filled in by the caller.
pub fn start(without_locations: bool) -> (Harness, ApplyFlow) {
    let mut tenant = SimTenant::contoso_demo().with_extension_app(REDIRECT, true);
    if without_locations {
        tenant = tenant.without_trusted_locations();
    }
    let token = sign_in(&mut tenant, Cloud::Global).access_token;
    let h = Harness {
        tenant,
        token,
        now: NOW + 5_000,
        sent: Vec::new(),
        most_copies: 0,
        plan_name: String::new(),
    };
    let settings = ApplySettings {
        break_glass: h.tenant.break_glass.clone(),
        ..ApplySettings::default()
    };
    let flow = ApplyFlow::new(GraphEndpoints::for_cloud(Cloud::Global), settings, 11);
    (h, flow)
}

/// Runs one cell: a fresh demo tenant, the fault at `row`, the flow driven to its end, and
/// after a clear error (the fault over) one retry of what the admin had reviewed.
pub fn run_cell(row: Row, label: &'static str, fault: Fault, duration: Duration) -> Cell {
    let (mut h, mut flow) = start(row == Row::LocationPost);
    let with_location = row == Row::LocationPost;
    let creating = matches!(
        row,
        Row::Batch | Row::BatchInner | Row::LocationPost | Row::PolicyPost | Row::ReadBack
    );

    if creating {
        for rule in row.rules(fault, duration.times()) {
            h.tenant.add_fault(rule);
        }
    }
    // The plan's name is known once reviewed; preview it on an unfaulted copy of the tenant.
    h.plan_name = build_plan(
        &h.tenant.snapshot(),
        Preset::BlockOutsideTrusted,
        &PlanOptions::default(),
    )
    .expect("a plan for the demo tenant")
    .policy
    .display_name;
    let from = h.sent.len();
    let (step, plan) = read_and_confirm(&mut h, &mut flow, None, with_location);

    if creating {
        let outcome = match step {
            Step::Created {
                state: PolicyState::EnabledForReportingButNotEnforced,
                ..
            } => Outcome::Recovered {
                tries: h.tries(row, from),
            },
            Step::Failed { error } => {
                let message = panel_message(&error, &flow);
                h.tenant.faults.clear();
                // The admin presses Apply again: the flow re-reads the tenant and the reviewed
                // plan is confirmed unchanged.
                let (retry, _) = read_and_confirm(&mut h, &mut flow, plan.as_ref(), with_location);
                // Refused because the first attempt did create it is fine too: the plan is in the tenant once.
                let already_there = matches!(retry, Step::Blocked { .. }) && h.copies() == 1;
                let retry_worked = matches!(retry, Step::Created { .. }) || already_there;
                Outcome::ClearError {
                    message,
                    retry_worked,
                    already_there,
                }
            }
            other => Outcome::Unexpected {
                what: format!("{other:?}"),
            },
        };
        let copies_at_end = h.copies();
        let state_as_planned = copies_at_end == 1
            && h.tenant.policies.iter().any(|p| {
                p.display_name == h.plan_name
                    && p.state == PolicyState::EnabledForReportingButNotEnforced
            });
        return Cell {
            row,
            fault: label,
            outcome,
            most_copies: h.most_copies,
            copies_at_end,
            state_as_planned,
        };
    }

    // Enforce and Undo act on a policy created without faults.
    let Step::Created { policy_id, .. } = step else {
        return Cell {
            row,
            fault: label,
            outcome: Outcome::Unexpected {
                what: format!("the fault-free apply ended with {step:?}"),
            },
            most_copies: h.most_copies,
            copies_at_end: h.copies(),
            state_as_planned: false,
        };
    };
    for rule in row.rules(fault, duration.times()) {
        h.tenant.add_fault(rule);
    }
    let (action, target): (fn(&mut ApplyFlow) -> Step, Option<PolicyState>) = match row {
        Row::Enforce => (|f| f.enforce(), Some(PolicyState::Enabled)),
        Row::UndoDisable => (|f| f.undo(Undo::Disable), Some(PolicyState::Disabled)),
        _ => (|f| f.undo(Undo::Delete), None),
    };
    let from = h.sent.len();
    let first = action(&mut flow);
    let step = h.drive(&mut flow, first);
    let done = |step: &Step| match (step, target) {
        (Step::StateChanged { state, .. }, Some(t)) => *state == t,
        (Step::Deleted { .. }, None) => true,
        _ => false,
    };
    let outcome = if done(&step) {
        Outcome::Recovered {
            tries: h.tries(row, from),
        }
    } else if let Step::Failed { error } = step {
        // The flow still holds the policy, so the same button works again.
        h.tenant.faults.clear();
        let kept = flow
            .policy()
            .map(|(id, _)| id == policy_id)
            .unwrap_or(false);
        let again = action(&mut flow);
        let retry = h.drive(&mut flow, again);
        Outcome::ClearError {
            message: error.to_string(),
            retry_worked: kept && done(&retry),
            already_there: false,
        }
    } else {
        Outcome::Unexpected {
            what: format!("{step:?}"),
        }
    };
    let live = h
        .tenant
        .policies
        .iter()
        .find(|p| p.id.as_deref() == Some(policy_id.as_str()));
    let state_as_planned = match target {
        Some(t) => live.map(|p| p.state) == Some(t),
        None => live.is_none(),
    };
    Cell {
        row,
        fault: label,
        outcome,
        most_copies: h.most_copies,
        copies_at_end: h.copies(),
        state_as_planned,
    }
}

/// Every cell, row by row.
pub fn run_matrix(duration: Duration) -> Vec<Cell> {
    Row::ALL
        .iter()
        .flat_map(|&row| {
            FAULTS
                .iter()
                .map(move |&(label, fault)| run_cell(row, label, fault, duration))
        })
        .collect()
}

/// The matrix as a Markdown table, with the duplicate count below it.
pub fn markdown(cells: &[Cell]) -> String {
    let mut out = String::from("| step |");
    for (label, _) in FAULTS {
        out.push_str(&format!(" {label} |"));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(FAULTS.len()));
    out.push('\n');
    for row in Row::ALL {
        out.push_str(&format!("| {} |", row.label()));
        for cell in cells.iter().filter(|c| c.row == row) {
            out.push_str(&format!(" {} |", cell.text()));
        }
        out.push('\n');
    }
    let duplicates = cells.iter().filter(|c| c.most_copies > 1).count();
    out.push_str(&format!(
        "\nduplicates: {duplicates} of {} cells\n",
        cells.len()
    ));
    out
}

#[allow(dead_code)] // Used by `cargo run --example`; the test includes this file for `run_matrix`.
fn main() {
    println!("One fault at one step:\n");
    print!("{}", markdown(&run_matrix(Duration::Once)));
    println!("\nThe fault persists at that step (outage), then the admin tries again:\n");
    print!("{}", markdown(&run_matrix(Duration::Outage)));
}
