//! The fault matrix (issue 7): every Graph step of the one-click apply hit by each fault the
//! simulated tenant can act out, driven by the extension's own client. Each cell must recover
//! with the policy there exactly once, or stop with an error an admin can act on — never a
//! duplicate policy, never a lost plan. The cells are built by `examples/fault_matrix.rs`,
//! which prints the same matrix for the README.

#[allow(dead_code)] // `main` is the example's; the tests use the matrix functions.
#[path = "../examples/fault_matrix.rs"]
mod matrix;

use matrix::{markdown, run_matrix, Cell, Duration, Outcome, Row, FAULTS};
use registration_guard::graph::apply::Step;
use registration_guard::graph::errors::GraphError;
use registration_guard::sim::{Fault, FaultRule};

const POLICIES: &str = "/identity/conditionalAccess/policies";

/// Phrases that tell the admin what to do next.
const ACTIONS: [&str; 5] = ["try again", "check", "reload", "wait", "sign in"];

fn where_(cell: &Cell) -> String {
    format!("{:?} × {}", cell.row, cell.fault)
}

/// What every cell must hold, whatever its outcome.
fn assert_no_duplicate_and_as_planned(cell: &Cell) {
    assert!(
        cell.most_copies <= 1,
        "{}: {} copies of the policy at once",
        where_(cell),
        cell.most_copies
    );
    let expected = if cell.row == Row::UndoDelete { 0 } else { 1 };
    assert_eq!(
        cell.copies_at_end,
        expected,
        "{}: policies with the plan's name at the end",
        where_(cell)
    );
    assert!(
        cell.state_as_planned,
        "{}: the policy is not in the planned state",
        where_(cell)
    );
}

#[test]
fn one_fault_at_any_step_is_recovered_with_the_policy_there_exactly_once() {
    let cells = run_matrix(Duration::Once);
    assert_eq!(cells.len(), Row::ALL.len() * FAULTS.len());
    for cell in &cells {
        assert_no_duplicate_and_as_planned(cell);
        let Outcome::Recovered { tries } = cell.outcome else {
            panic!("{}: {:?}", where_(cell), cell.outcome)
        };
        assert!((1..=2).contains(&tries), "{}: {tries} tries", where_(cell));
    }
}

#[test]
fn a_lost_write_answer_is_settled_by_reading_back_not_by_writing_again() {
    let cells = run_matrix(Duration::Once);
    for cell in cells
        .iter()
        .filter(|c| matches!(c.row, Row::LocationPost | Row::PolicyPost))
    {
        if matches!(
            cell.fault,
            "504 timeout" | "reset after write" | "truncated body" | "malformed JSON"
        ) {
            assert_eq!(
                cell.outcome,
                Outcome::Recovered { tries: 1 },
                "{}: POSTed again",
                where_(cell)
            );
        }
    }
}

#[test]
fn an_outage_at_any_step_ends_in_an_actionable_error_and_the_reviewed_plan_succeeds_afterwards() {
    let cells = run_matrix(Duration::Outage);
    let mut errors = 0;
    for cell in &cells {
        assert_no_duplicate_and_as_planned(cell);
        match &cell.outcome {
            Outcome::Recovered { .. } => {}
            Outcome::ClearError {
                message,
                retry_worked,
                ..
            } => {
                errors += 1;
                let lower = message.to_lowercase();
                assert!(
                    message.split_whitespace().count() >= 6 && message.trim_end().ends_with('.'),
                    "{}: not a sentence: {message:?}",
                    where_(cell)
                );
                assert!(
                    ACTIONS.iter().any(|a| lower.contains(a)),
                    "{}: does not say what to do: {message:?}",
                    where_(cell)
                );
                assert!(
                    !lower.contains("error {") && !lower.contains("debug"),
                    "{}: {message:?}",
                    where_(cell)
                );
                assert!(
                    retry_worked,
                    "{}: the reviewed plan did not go through on retry",
                    where_(cell)
                );
            }
            Outcome::Unexpected { what } => panic!("{}: {what}", where_(cell)),
        }
    }
    // The outage outlasts the client's patience at most steps; a few writes still succeed
    // because the write commits and the read-back is not hit.
    assert!(errors >= 48, "only {errors} cells stopped with an error");
}

#[test]
fn the_printed_matrix_has_every_step_and_reports_no_duplicates() {
    let table = markdown(&run_matrix(Duration::Once));
    for row in Row::ALL {
        assert!(table.contains(&format!("| {} |", row.label())), "{table}");
    }
    for (label, _) in FAULTS {
        assert!(table.lines().next().unwrap().contains(label), "{table}");
    }
    assert!(table.contains("duplicates: 0 of 64 cells"), "{table}");
    assert!(!table.contains("UNEXPECTED"), "{table}");
}

/// The message a cell's outage ended with (the panel's sentence), and whether the retry worked.
fn outage_message(row: Row, label: &str) -> (String, bool) {
    let (label, fault) = FAULTS.iter().copied().find(|(l, _)| *l == label).expect("a column of the matrix");
    match matrix::run_cell(row, label, fault, Duration::Outage).outcome {
        Outcome::ClearError { message, retry_worked, .. } => (message, retry_worked),
        other => panic!("{row:?} × {label}: {other:?}"),
    }
}

#[test]
fn a_post_outage_that_reading_back_proves_unsaved_says_nothing_was_created_and_trying_again_is_safe() {
    for (row, list) in [(Row::PolicyPost, "policies"), (Row::LocationPost, "named locations")] {
        for label in ["500", "503", "reset before write"] {
            let (message, retry_worked) = outage_message(row, label);
            let note = format!(
                "Nothing was created: reading the {list} back shows Microsoft Graph did not save it, so trying again is safe."
            );
            assert!(message.ends_with(&note), "{row:?} × {label}: {message}");
            assert!(!message.contains("Could not confirm"), "{row:?} × {label}: {message}");
            assert!(retry_worked, "{row:?} × {label}");
        }
    }
    // The POST's own error comes first: what went wrong, then what it left behind.
    let (message, _) = outage_message(Row::PolicyPost, "500");
    assert!(message.starts_with("Microsoft Graph had a server error (HTTP 500)"), "{message}");
}

#[test]
fn a_post_throttled_on_every_try_says_graph_refused_before_acting() {
    let (message, retry_worked) = outage_message(Row::PolicyPost, "429 Retry-After");
    assert!(message.starts_with("Microsoft Graph is throttling requests"), "{message}");
    assert!(
        message.ends_with("Nothing was created: Microsoft Graph refused every attempt before acting, so trying again is safe."),
        "{message}"
    );
    assert!(retry_worked);
}

#[test]
fn a_read_back_that_cannot_be_read_leaves_the_outcome_unknown_and_claims_nothing() {
    for label in ["500", "truncated body", "reset before write"] {
        let (message, retry_worked) = outage_message(Row::ReadBack, label);
        assert!(message.starts_with("Could not confirm the outcome of creating the Conditional Access policy"), "{label}: {message}");
        assert!(!message.contains("Nothing was created"), "{label}: {message}");
        assert!(retry_worked, "{label}: the fresh review finds the saved policy");
    }
}

#[test]
fn a_policy_that_fails_after_its_trusted_location_was_created_names_the_location_and_the_retry_reuses_it() {
    let (mut h, mut flow) = matrix::start(true);
    h.tenant.add_fault(FaultRule::graph("POST", POLICIES, Fault::InternalError).times(12));
    let (step, plan) = matrix::read_and_confirm(&mut h, &mut flow, None, true);
    assert!(matches!(step, Step::Failed { error: GraphError::ServerError { status: 500, .. } }), "{step:?}");
    assert_eq!(
        flow.failure_note().as_deref(),
        Some(
            "The trusted location “Head office” was created; the policy was not (reading the policies back shows \
             Microsoft Graph did not save it), so trying again is safe and uses that location."
        )
    );
    h.tenant.faults.clear();
    // Try again: the fresh read finds the location, so no second one is typed or created.
    let (retry, _) = matrix::read_and_confirm(&mut h, &mut flow, plan.as_ref(), true);
    assert!(matches!(retry, Step::Created { .. }), "{retry:?}");
    let named = |name: &str| h.tenant.named_locations.iter().filter(|l| l.display_name() == name).count();
    assert_eq!(named("Head office"), 1);
    assert_eq!(flow.failure_note(), None, "the note belongs to the failure it explains");
}

#[test]
fn only_a_creation_known_to_have_written_nothing_gets_a_note() {
    // Reading back was impossible: the outcome is unknown, and the error says to check.
    let (mut h, mut flow) = matrix::start(false);
    h.tenant.add_fault(FaultRule::graph("POST", POLICIES, Fault::GatewayTimeout { after_commit: true }));
    h.tenant.add_fault(FaultRule::graph("GET", POLICIES, Fault::TruncatedBody).on_occurrence(2).times(12));
    let (step, _) = matrix::read_and_confirm(&mut h, &mut flow, None, false);
    assert!(matches!(step, Step::Failed { error: GraphError::WriteUnconfirmed { .. } }), "{step:?}");
    assert_eq!(flow.failure_note(), None);

    // Enforce failing leaves the policy as it was: no creation note either.
    let (mut h, mut flow) = matrix::start(false);
    let (created, _) = matrix::read_and_confirm(&mut h, &mut flow, None, false);
    assert!(matches!(created, Step::Created { .. }), "{created:?}");
    h.tenant.add_fault(FaultRule::graph("PATCH", &format!("{POLICIES}/*"), Fault::InternalError).times(12));
    let first = flow.enforce();
    let failed = h.drive(&mut flow, first);
    assert!(matches!(failed, Step::Failed { .. }), "{failed:?}");
    assert_eq!(flow.failure_note(), None);
    assert!(flow.policy().is_some(), "the flow still holds the policy, so Enforce works again");
}
