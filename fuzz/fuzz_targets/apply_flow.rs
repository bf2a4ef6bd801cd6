//! The apply flow driven by any sequence of Graph answers: preflight, review, create (with
//! throttling, outages, lost and garbled answers, read-backs), enforce and delete.
//!
//! The promise checked: a policy is never posted twice blindly. After a POST whose answer
//! leaves open whether Graph acted (no answer, 5xx, a garbled success), the next POST must
//! come after a successful read of the list; and requests only ever go to this cloud's Graph.
//!
//! Input layout: a sequence of answers, each `kind, len_lo, len_hi, body[len]`; `kind` picks
//! the status (or a timeout or a network failure).
#![no_main]

use libfuzzer_sys::fuzz_target;
use registration_guard::context::Cloud;
use registration_guard::engine::presets::{build_plan, PlanOptions, Preset};
use registration_guard::graph::apply::{ApplyFlow, ApplySettings, Step, Undo};
use registration_guard::graph::{GraphEndpoints, HttpResponse, Method, TransportFailure};

const STATUSES: [u16; 14] = [200, 201, 204, 200, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504];
const NOW_MS: u64 = 1_767_225_600_000;
const POLICIES: &str = "/identity/conditionalAccess/policies";

fuzz_target!(|data: &[u8]| {
    let mut answers = Answers(data);
    let mut flow = ApplyFlow::new(GraphEndpoints::for_cloud(Cloud::Global), ApplySettings::default(), 3);
    let mut step = flow.start();
    let mut now = NOW_MS;
    // Whether a POST of a policy may have been carried out without the flow having read the list since.
    let mut may_exist = false;
    let mut enforced = false;
    for _ in 0..60 {
        step = match step {
            Step::Send { request, wait } => {
                assert!(request.url.starts_with("https://graph.microsoft.com/"), "request leaves Graph: {}", request.url);
                let is_policy_post = request.method == Method::Post && request.url.ends_with(POLICIES);
                let is_policy_list = request.method == Method::Get && request.url.contains(POLICIES);
                if is_policy_post {
                    assert!(!may_exist, "a second POST of the policy without reading the list after an unclear answer");
                }
                let Some(outcome) = answers.next() else { return };
                if is_policy_post {
                    may_exist = match &outcome {
                        Err(_) => true,
                        Ok(r) => (200..300).contains(&r.status) || r.status >= 500,
                    };
                }
                if is_policy_list && matches!(&outcome, Ok(r) if r.status == 200 && r.body.contains("\"value\"")) {
                    may_exist = false;
                }
                now += wait.map_or(0, |w| w.ms) + 50;
                flow.on_response(outcome, now)
            }
            Step::Review => {
                let read = flow.review().expect("the review is showing").clone();
                // A profile whose id is not an object id is refused with an error the panel shows.
                let Ok(plan) = build_plan(&read.snapshot, Preset::BlockOutsideTrusted, &PlanOptions::default()) else {
                    return;
                };
                flow.confirm(&plan, None)
            }
            Step::SignInNeeded => flow.resume(),
            Step::Created { .. } if !enforced => {
                enforced = true;
                flow.enforce()
            }
            Step::StateChanged { .. } => flow.undo(Undo::Delete),
            Step::Created { .. } | Step::Deleted { .. } | Step::Blocked { .. } | Step::Ignored => return,
            Step::Failed { error } => {
                assert!(!error.to_string().is_empty());
                return;
            }
        };
    }
});

struct Answers<'a>(&'a [u8]);

impl Answers<'_> {
    fn next(&mut self) -> Option<Result<HttpResponse, TransportFailure>> {
        let [kind, lo, hi, rest @ ..] = self.0 else { return None };
        let len = usize::from(u16::from_le_bytes([*lo, *hi])).min(rest.len());
        let (body, rest) = rest.split_at(len);
        self.0 = rest;
        let body = String::from_utf8_lossy(body).into_owned();
        Some(match usize::from(*kind) % (STATUSES.len() + 2) {
            i if i < STATUSES.len() => {
                let response = HttpResponse::new(STATUSES[i], body);
                Ok(if STATUSES[i] == 429 { response.with_header("Retry-After", "2") } else { response })
            }
            i if i == STATUSES.len() => Err(TransportFailure::Timeout),
            _ => Err(TransportFailure::Network { message: body }),
        })
    }
}
