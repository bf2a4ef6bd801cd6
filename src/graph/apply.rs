//! Apply, enforce and undo, as a state machine the shell drives one request at a time.
//!
//! ```text
//! start ─▶ Reading (one $batch; follow-ups only for throttling or paging)
//!        ─▶ Review (snapshot + notes; the admin builds a Plan from it)
//! confirm(plan, trusted location?) ─▶ engine preflight: a blocker ─▶ Blocked (nothing sent)
//!        ─▶ [CreatingLocation: POST namedLocations] ─▶ CreatingPolicy: POST policies
//!        ─▶ 201 ─▶ Live { policy id, portal link }
//!        ─▶ no answer / 5xx / garbled 201 ─▶ Reconciling: GET policies, look for ours
//!               ─▶ found ─▶ Live        ─▶ not found ─▶ POST once more (at most two POSTs in all)
//!               ─▶ not found after the second ─▶ Failed with the POST's own error: nothing was
//!                  saved, so trying again is safe ([`ApplyFlow::failure_note`] says so)
//! enforce ─▶ PATCH state enabled · undo ─▶ PATCH state disabled, or DELETE
//! ```
//!
//! The happy path is exactly two round trips: the batch and the POST. Every action arriving
//! while a request is in flight is [`Step::Ignored`], so a double click cannot post twice.
//! Requests come without `Authorization`; the shell adds the bearer token
//! ([`HttpRequest::with_bearer`]).

use super::batch::{Preflight, PreflightRead, PreflightStep};
use super::errors::{read_json, ErrorContext, GraphError, Operation};
use super::retry::{Attempts, Idempotency, Jitter, NextMove, RetryPolicy, Wait, WaitReason};
use super::{policy_portal_link, GraphEndpoints, GraphVersion, HttpRequest, Method, Outcome};
use crate::engine::cidr::{validate_trusted_ranges, RangeError, RangeWarning};
use crate::engine::model::{NamedLocation, PolicyState};
use crate::engine::preflight::{has_blockers, preflight_with, PreflightFinding, PreflightInput};
use crate::engine::presets::Plan;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::fmt;

/// Writes and the reads that check them use v1.0, the supported API.
const WRITE_VERSION: GraphVersion = GraphVersion::V1;
const POLICIES: &str = "/identity/conditionalAccess/policies";
const NAMED_LOCATIONS: &str = "/identity/conditionalAccess/namedLocations";
/// Time given to a write that may have happened to become visible before looking for it.
pub const RECONCILE_DELAY_MS: u64 = 5_000;

/// What the apply flow needs besides the cloud.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplySettings {
    /// The signed-in account's tenant id (from the id token).
    pub tenant_id: Option<String>,
    /// Emergency-access accounts configured in the options (object ids).
    pub break_glass: Vec<String>,
    /// Legacy MFA trusted IPs, when the admin supplied them.
    pub mfa_trusted_ips: Option<Vec<String>>,
    /// Granted scopes and consent link, for error messages.
    pub errors: ErrorContext,
    pub retry: RetryPolicy,
}

/// A trusted IP named location to create before the policy, from ranges the admin typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTrustedLocation {
    pub display_name: String,
    /// Normalised CIDR ranges.
    pub ranges: Vec<String>,
    /// What validation changed or noticed, for the review.
    pub warnings: Vec<RangeWarning>,
}

/// Why the typed location cannot be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocationError {
    EmptyName,
    /// A named location of the tenant already has this name.
    NameTaken { name: String },
    Ranges(Vec<RangeError>),
}

impl fmt::Display for LocationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocationError::EmptyName => f.write_str("Give the trusted location a name."),
            LocationError::NameTaken { name } => {
                write!(f, "A named location called \"{name}\" already exists; choose another name or use it.")
            }
            LocationError::Ranges(errors) => {
                let lines: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
                f.write_str(&lines.join("\n"))
            }
        }
    }
}

impl std::error::Error for LocationError {}

impl NewTrustedLocation {
    /// Validates a name and typed ranges against the tenant read in the preflight.
    pub fn from_typed(display_name: &str, ranges: &str, read: &PreflightRead) -> Result<Self, LocationError> {
        let name = display_name.trim();
        if name.is_empty() {
            return Err(LocationError::EmptyName);
        }
        if read.snapshot.named_locations.iter().any(|l| l.display_name().trim().eq_ignore_ascii_case(name)) {
            return Err(LocationError::NameTaken { name: name.to_owned() });
        }
        let valid = validate_trusted_ranges(ranges).map_err(LocationError::Ranges)?;
        Ok(NewTrustedLocation {
            display_name: name.to_owned(),
            ranges: valid.ranges.iter().map(ToString::to_string).collect(),
            warnings: valid.warnings,
        })
    }

    /// The location as the model knows it (no id yet).
    pub fn named_location(&self) -> NamedLocation {
        NamedLocation::Ip {
            id: None,
            display_name: self.display_name.clone(),
            is_trusted: true,
            ip_ranges: self.ranges.clone(),
            extra: Map::new(),
        }
    }

    /// The body of `POST /identity/conditionalAccess/namedLocations`.
    pub fn body(&self) -> Value {
        self.named_location().to_graph_json()
    }
}

/// How to undo a created policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Undo {
    /// Keep it, switched off.
    Disable,
    Delete,
}

/// What the shell does next.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum Step {
    /// Wait (showing [`Wait::message`]) when given, then perform the request and pass the
    /// outcome to [`ApplyFlow::on_response`].
    Send { request: HttpRequest, wait: Option<Wait> },
    /// Show the review ([`ApplyFlow::review`], [`ApplyFlow::findings`]) and wait for the
    /// admin's confirmation.
    Review,
    /// The confirmation was refused: the engine's preflight found blockers (all findings
    /// included, blockers first). Nothing was sent; the review stays open.
    Blocked { findings: Vec<PreflightFinding> },
    /// The policy exists. `confirmed_by_reread` when the POST's answer was lost and the
    /// policy was found by reading the list back.
    Created { policy_id: String, portal_link: String, state: PolicyState, confirmed_by_reread: bool },
    /// Enforce or disable done.
    StateChanged { policy_id: String, state: PolicyState },
    Deleted { policy_id: String },
    /// Get a fresh token (silently when possible), then call [`ApplyFlow::resume`].
    SignInNeeded,
    Failed { error: GraphError },
    /// The action does not fit now (a request is in flight, or it was already done).
    Ignored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Target {
    Location,
    Policy,
}

impl Target {
    fn collection(self) -> &'static str {
        match self {
            Target::Location => NAMED_LOCATIONS,
            Target::Policy => POLICIES,
        }
    }

    fn operation(self) -> Operation {
        match self {
            Target::Location => Operation::CreateNamedLocation,
            Target::Policy => Operation::CreatePolicy,
        }
    }
}

/// One creation, with its at-most-two POSTs and the reconciliation between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Creation {
    target: Target,
    body: Value,
    posts: u8,
    attempts: Attempts,
    /// Set while reading back: the path of the page being read.
    reconciling: Option<String>,
    /// Why the last POST's outcome was unclear: the error to show if reading back proves that
    /// nothing was saved.
    last_error: Option<GraphError>,
}

/// What a creation that stopped is known to have left in the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NotSaved {
    target: Target,
    /// Reading back proved it absent (otherwise Graph refused every attempt before acting).
    read_back: bool,
    /// The trusted location this apply created before the policy failed.
    location_created: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "camelCase")]
enum Phase {
    Idle,
    Reading { preflight: Box<Preflight> },
    Review { read: Box<PreflightRead> },
    /// `location_created`: the display name of the trusted location this apply created first.
    Creating { creation: Creation, policy_body: Value, state: PolicyState, location_created: Option<String> },
    Live { policy_id: String, state: PolicyState },
    Changing { policy_id: String, from: PolicyState, to: Option<PolicyState>, attempts: Attempts },
    Deleted { policy_id: String },
    /// `not_saved`: set when the failed creation is known to have written nothing.
    Failed { not_saved: Option<NotSaved> },
}

/// The apply flow. Serializable, so the background worker can keep it in session storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyFlow {
    endpoints: GraphEndpoints,
    settings: ApplySettings,
    jitter: Jitter,
    phase: Phase,
    /// The request the shell is performing; while set, actions are ignored.
    in_flight: Option<HttpRequest>,
    round_trips: u32,
    seed: u64,
}

impl ApplyFlow {
    /// A flow that starts with the preflight. `seed` (random) feeds the back-off jitter.
    pub fn new(endpoints: GraphEndpoints, settings: ApplySettings, seed: u64) -> Self {
        ApplyFlow { endpoints, settings, jitter: Jitter::new(seed), phase: Phase::Idle, in_flight: None, round_trips: 0, seed }
    }

    /// A flow for a policy that already exists (created earlier, or found in the tenant), to
    /// enforce or undo it.
    pub fn for_existing(endpoints: GraphEndpoints, settings: ApplySettings, seed: u64, policy_id: &str, state: PolicyState) -> Self {
        let mut flow = Self::new(endpoints, settings, seed);
        flow.phase = Phase::Live { policy_id: policy_id.to_owned(), state };
        flow
    }

    /// HTTP requests handed to the shell so far.
    pub fn round_trips(&self) -> u32 {
        self.round_trips
    }

    /// The preflight result while the review is shown.
    pub fn review(&self) -> Option<&PreflightRead> {
        match &self.phase {
            Phase::Review { read } => Some(read),
            _ => None,
        }
    }

    /// The policy once it exists: id and state.
    pub fn policy(&self) -> Option<(&str, PolicyState)> {
        match &self.phase {
            Phase::Live { policy_id, state } => Some((policy_id, *state)),
            _ => None,
        }
    }

    /// Whether a request is being performed.
    pub fn is_busy(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Starts the preflight read.
    pub fn start(&mut self) -> Step {
        if self.in_flight.is_some() || !matches!(self.phase, Phase::Idle | Phase::Review { .. } | Phase::Failed { .. }) {
            return Step::Ignored;
        }
        let mut preflight =
            Preflight::new(self.endpoints.clone(), self.settings.errors.clone(), self.settings.retry, self.seed);
        let step = preflight.start();
        self.phase = Phase::Reading { preflight: Box::new(preflight) };
        self.preflight_step(step)
    }

    /// The engine's preflight findings for `plan` (and the location to create) on the tenant
    /// as read; empty before the review.
    pub fn findings(&self, plan: &Plan, location: Option<&NewTrustedLocation>) -> Vec<PreflightFinding> {
        let Some(read) = self.review() else { return Vec::new() };
        let new_location = location.map(NewTrustedLocation::named_location);
        preflight_with(&PreflightInput {
            snapshot: &read.snapshot,
            plan,
            directory: None,
            new_trusted_location: new_location.as_ref(),
        })
    }

    /// The admin confirmed the reviewed plan (and, optionally, a trusted location to create
    /// first). Ignored unless the review is showing and nothing is in flight; refused with
    /// [`Step::Blocked`] when the preflight finds a blocker.
    pub fn confirm(&mut self, plan: &Plan, location: Option<&NewTrustedLocation>) -> Step {
        if self.in_flight.is_some() || !matches!(self.phase, Phase::Review { .. }) {
            return Step::Ignored;
        }
        let findings = self.findings(plan, location);
        if has_blockers(&findings) {
            return Step::Blocked { findings };
        }
        let policy_body = plan.body.clone();
        let state = plan.policy.state;
        let creation = match location {
            Some(location) => Creation::new(Target::Location, location.body()),
            None => Creation::new(Target::Policy, policy_body.clone()),
        };
        self.phase = Phase::Creating { creation, policy_body, state, location_created: None };
        self.post_creation(None)
    }

    /// Switches the created policy from report-only (or off) to on.
    pub fn enforce(&mut self) -> Step {
        self.change(Some(PolicyState::Enabled))
    }

    /// Disables or deletes the created policy.
    pub fn undo(&mut self, how: Undo) -> Step {
        match how {
            Undo::Disable => self.change(Some(PolicyState::Disabled)),
            Undo::Delete => self.change(None),
        }
    }

    fn change(&mut self, to: Option<PolicyState>) -> Step {
        let Phase::Live { policy_id, state } = &self.phase else { return Step::Ignored };
        if self.in_flight.is_some() || to == Some(*state) {
            return Step::Ignored;
        }
        self.phase = Phase::Changing { policy_id: policy_id.clone(), from: *state, to, attempts: Attempts::default() };
        self.send_change(None)
    }

    fn send_change(&mut self, wait: Option<Wait>) -> Step {
        let Phase::Changing { policy_id, to, attempts, .. } = &mut self.phase else { return Step::Ignored };
        attempts.made += 1;
        let url = self.endpoints.url(WRITE_VERSION, &format!("{POLICIES}/{}", super::codec::percent_encode(policy_id)));
        let request = match to {
            Some(state) => HttpRequest::json(Method::Patch, url, &json!({"state": state.as_str()})),
            None => HttpRequest { method: Method::Delete, url, headers: Vec::new(), body: None },
        };
        self.emit(request, wait)
    }

    /// Sends the last request again after the shell got a fresh token.
    pub fn resume(&mut self) -> Step {
        if self.in_flight.is_some() {
            return Step::Ignored;
        }
        match &mut self.phase {
            Phase::Reading { preflight } => {
                let step = preflight.resume();
                self.preflight_step(step)
            }
            Phase::Creating { creation, .. } if creation.reconciling.is_some() => self.send_reconcile(None),
            // A 401 means Graph refused before acting: posting again is safe.
            Phase::Creating { creation, .. } => {
                creation.posts = creation.posts.saturating_sub(1);
                self.post_creation(None)
            }
            Phase::Changing { .. } => self.send_change(None),
            _ => Step::Ignored,
        }
    }

    fn emit(&mut self, request: HttpRequest, wait: Option<Wait>) -> Step {
        self.in_flight = Some(request.clone());
        self.round_trips += 1;
        Step::Send { request, wait }
    }

    fn fail(&mut self, error: GraphError) -> Step {
        self.phase = Phase::Failed { not_saved: None };
        Step::Failed { error }
    }

    /// Stops a creation that is known to have written nothing (see [`ApplyFlow::failure_note`]).
    fn fail_unsaved(&mut self, error: GraphError, read_back: bool) -> Step {
        let not_saved = match &self.phase {
            Phase::Creating { creation, location_created, .. } => {
                Some(NotSaved { target: creation.target, read_back, location_created: location_created.clone() })
            }
            _ => None,
        };
        self.phase = Phase::Failed { not_saved };
        Step::Failed { error }
    }

    /// After a creation stopped with [`Step::Failed`]: a sentence saying what the tenant holds
    /// from it when that is known — nothing (so the admin can retry without fear of a duplicate),
    /// or only the trusted location created first. `None` otherwise; an unclear outcome is the
    /// error's own message ([`GraphError::WriteUnconfirmed`]).
    pub fn failure_note(&self) -> Option<String> {
        let Phase::Failed { not_saved: Some(n) } = &self.phase else { return None };
        let how = if n.read_back {
            match n.target {
                Target::Location => "reading the named locations back shows Microsoft Graph did not save it",
                Target::Policy => "reading the policies back shows Microsoft Graph did not save it",
            }
        } else {
            "Microsoft Graph refused every attempt before acting"
        };
        Some(match (n.target, &n.location_created) {
            (Target::Location, _) | (Target::Policy, None) => {
                format!("Nothing was created: {how}, so trying again is safe.")
            }
            (Target::Policy, Some(location)) => format!(
                "The trusted location “{location}” was created; the policy was not ({how}), so trying again is \
                 safe and uses that location."
            ),
        })
    }

    fn preflight_step(&mut self, step: PreflightStep) -> Step {
        match step {
            PreflightStep::Send { request, wait } => self.emit(request, wait),
            PreflightStep::SignInNeeded => Step::SignInNeeded,
            PreflightStep::Failed { error } => self.fail(error),
            PreflightStep::Done { mut read } => {
                read.snapshot.tenant_id = self.settings.tenant_id.clone();
                read.snapshot.break_glass = self.settings.break_glass.clone();
                read.snapshot.mfa_trusted_ips = self.settings.mfa_trusted_ips.clone();
                self.phase = Phase::Review { read };
                Step::Review
            }
        }
    }

    /// Consumes the outcome of the request in flight, at `now_ms`. An outcome with nothing in
    /// flight (a late duplicate) is ignored.
    pub fn on_response(&mut self, outcome: Outcome, now_ms: u64) -> Step {
        if self.in_flight.take().is_none() {
            return Step::Ignored;
        }
        match &mut self.phase {
            Phase::Reading { preflight } => {
                let step = preflight.on_response(outcome, now_ms);
                self.preflight_step(step)
            }
            Phase::Creating { creation, .. } if creation.reconciling.is_some() => self.on_reconcile(outcome, now_ms),
            Phase::Creating { .. } => self.on_created(outcome, now_ms),
            Phase::Changing { .. } => self.on_changed(outcome, now_ms),
            _ => Step::Ignored,
        }
    }

    /// The creation in progress. Only called from the `Creating` arms of `confirm`,
    /// `resume`, `on_response` and `created`, so the phase always matches.
    fn creation(&mut self) -> &mut Creation {
        match &mut self.phase {
            Phase::Creating { creation, .. } => creation,
            _ => unreachable!("creation() is only called in the Creating phase"),
        }
    }

    fn post_creation(&mut self, wait: Option<Wait>) -> Step {
        let url_path;
        let body;
        {
            let creation = self.creation();
            creation.posts += 1;
            creation.attempts.made += 1;
            creation.reconciling = None;
            url_path = creation.target.collection();
            body = creation.body.clone();
        }
        let request = HttpRequest::json(Method::Post, self.endpoints.url(WRITE_VERSION, url_path), &body);
        self.emit(request, wait)
    }

    fn on_created(&mut self, outcome: Outcome, now_ms: u64) -> Step {
        let target = self.creation().target;
        let result = match outcome {
            Err(failure) => Err(GraphError::from_transport(&failure)),
            Ok(r) if (200..300).contains(&r.status) => read_json(r.status, &r.body).and_then(|v| {
                v.get("id").and_then(Value::as_str).filter(|id| !id.is_empty()).map(str::to_owned).ok_or_else(|| {
                    GraphError::BadShape { detail: "the created object came back without an id".into() }
                })
            }),
            Ok(r) => Err(GraphError::from_response(&r, target.operation(), &self.settings.errors, now_ms)),
        };
        match result {
            Ok(id) => self.created(id, false),
            Err(GraphError::SignInExpired) => Step::SignInNeeded,
            Err(error) => {
                let jitter = self.jitter.next_u32();
                let retry = self.settings.retry;
                let creation = self.creation();
                match retry.next_move(Idempotency::Create, &error, &mut creation.attempts, jitter) {
                    NextMove::Retry(wait) => {
                        // Throttled: Graph refused before acting, so this is not a second write.
                        creation.posts = creation.posts.saturating_sub(1);
                        self.post_creation(Some(wait))
                    }
                    NextMove::Reconcile => {
                        creation.attempts = Attempts::default();
                        creation.reconciling = Some(target.collection().to_owned());
                        creation.last_error = Some(error);
                        self.send_reconcile(Some(Wait { ms: RECONCILE_DELAY_MS, reason: WaitReason::CheckingWrite }))
                    }
                    // Still throttled after every wait: refused each time, so nothing was written.
                    NextMove::GiveUp if matches!(error, GraphError::Throttled { .. }) => self.fail_unsaved(error, false),
                    NextMove::GiveUp => self.fail(error),
                }
            }
        }
    }

    fn send_reconcile(&mut self, wait: Option<Wait>) -> Step {
        let creation = self.creation();
        creation.attempts.made += 1;
        let path = creation.reconciling.clone().unwrap_or_default();
        let request = HttpRequest::get(self.endpoints.url(WRITE_VERSION, &path));
        self.emit(request, wait)
    }

    fn on_reconcile(&mut self, outcome: Outcome, now_ms: u64) -> Step {
        let creation = self.creation().clone();
        let operation =
            if creation.target == Target::Policy { Operation::ReadPolicies } else { Operation::ReadNamedLocations };
        let page = match outcome {
            Err(failure) => Err(GraphError::from_transport(&failure)),
            Ok(r) if r.status == 200 => read_json(r.status, &r.body),
            Ok(r) => Err(GraphError::from_response(&r, operation, &self.settings.errors, now_ms)),
        };
        // A page without a policy list is unreadable, not empty: taking it for "not there" would
        // post the policy a second time (found by the apply_flow fuzz target).
        let page = page.and_then(|page| match page.get("value") {
            Some(Value::Array(_)) => Ok(page),
            _ => Err(GraphError::BadShape { detail: "the read-back answer has no \"value\" list".into() }),
        });
        let page = match page {
            Ok(page) => page,
            Err(GraphError::SignInExpired) => return Step::SignInNeeded,
            Err(error) => {
                let jitter = self.jitter.next_u32();
                let retry = self.settings.retry;
                let c = self.creation();
                return match retry.next_move(Idempotency::Safe, &error, &mut c.attempts, jitter) {
                    NextMove::Retry(wait) => self.send_reconcile(Some(wait)),
                    // Unknown whether the write happened, and no way to find out: stop.
                    _ => self.fail(GraphError::WriteUnconfirmed { operation: creation.target.operation() }),
                };
            }
        };
        let items = page.get("value").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        if let Some(id) = items
            .iter()
            .find(|item| is_ours(creation.target, item, &creation.body))
            .and_then(|item| item.get("id").and_then(Value::as_str))
        {
            return self.created(id.to_owned(), true);
        }
        match page.get("@odata.nextLink").and_then(Value::as_str) {
            Some(link) => match self.endpoints.own_path(link, WRITE_VERSION) {
                Some(path) => {
                    let c = self.creation();
                    c.reconciling = Some(path.to_owned());
                    c.attempts = Attempts::default();
                    self.send_reconcile(None)
                }
                None => self.fail(GraphError::ForeignLink { url: link.to_owned() }),
            },
            // Not there: the first POST did not take effect, so one more is safe.
            None if creation.posts < 2 => {
                self.creation().attempts = Attempts::default();
                self.post_creation(None)
            }
            // Not there after the second POST either: nothing was saved, so the POST's own error
            // is the news, and trying again later cannot make a duplicate.
            None => {
                let error = creation
                    .last_error
                    .unwrap_or(GraphError::WriteUnconfirmed { operation: creation.target.operation() });
                self.fail_unsaved(error, true)
            }
        }
    }

    fn created(&mut self, id: String, confirmed_by_reread: bool) -> Step {
        let Phase::Creating { creation, policy_body, state, .. } = &self.phase else { return Step::Ignored };
        match creation.target {
            // The location exists; the policy (which excludes AllTrusted) comes next.
            Target::Location => {
                let next = Creation::new(Target::Policy, policy_body.clone());
                let location = creation.body.get("displayName").and_then(Value::as_str).map(str::to_owned);
                let (policy_body, state) = (policy_body.clone(), *state);
                self.phase = Phase::Creating { creation: next, policy_body, state, location_created: location };
                self.post_creation(None)
            }
            Target::Policy => {
                let state = *state;
                self.phase = Phase::Live { policy_id: id.clone(), state };
                Step::Created {
                    portal_link: policy_portal_link(self.endpoints.cloud, &id),
                    policy_id: id,
                    state,
                    confirmed_by_reread,
                }
            }
        }
    }

    fn on_changed(&mut self, outcome: Outcome, now_ms: u64) -> Step {
        let Phase::Changing { policy_id, from, to, .. } = &self.phase else { return Step::Ignored };
        let (policy_id, from, to) = (policy_id.clone(), *from, *to);
        let operation = if to.is_some() { Operation::UpdatePolicy } else { Operation::DeletePolicy };
        let error = match outcome {
            Ok(r) if (200..300).contains(&r.status) => None,
            // Deleting what is already gone (e.g. a retry after a lost answer) is success.
            Ok(r) if r.status == 404 && to.is_none() => None,
            Ok(r) => Some(GraphError::from_response(&r, operation, &self.settings.errors, now_ms)),
            Err(failure) => Some(GraphError::from_transport(&failure)),
        };
        let Some(error) = error else {
            return match to {
                Some(state) => {
                    self.phase = Phase::Live { policy_id: policy_id.clone(), state };
                    Step::StateChanged { policy_id, state }
                }
                None => {
                    self.phase = Phase::Deleted { policy_id: policy_id.clone() };
                    Step::Deleted { policy_id }
                }
            };
        };
        if error == GraphError::SignInExpired {
            if let Phase::Changing { attempts, .. } = &mut self.phase {
                attempts.made = attempts.made.saturating_sub(1);
            }
            return Step::SignInNeeded;
        }
        let jitter = self.jitter.next_u32();
        let retry = self.settings.retry;
        let Phase::Changing { attempts, .. } = &mut self.phase else { return Step::Ignored };
        // Setting a state and deleting are idempotent: repeating them is safe.
        match retry.next_move(Idempotency::Safe, &error, attempts, jitter) {
            NextMove::Retry(wait) => self.send_change(Some(wait)),
            _ => {
                // As far as anyone knows, the policy is still there in the state it had.
                self.phase = Phase::Live { policy_id, state: from };
                Step::Failed { error }
            }
        }
    }
}

impl Creation {
    fn new(target: Target, body: Value) -> Self {
        Creation { target, body, posts: 0, attempts: Attempts::default(), reconciling: None, last_error: None }
    }
}

/// Whether `item` (from a list read back) is the object `body` created: same display name and
/// the same defining fields. The display name alone is not enough (someone may have created a
/// same-named object meanwhile); the conditions alone are not either (an older equivalent
/// policy is not ours).
fn is_ours(target: Target, item: &Value, body: &Value) -> bool {
    let name = |v: &Value| v.get("displayName").and_then(Value::as_str).map(|s| s.trim().to_lowercase());
    if name(item).is_none() || name(item) != name(body) {
        return false;
    }
    let fields: &[&str] = match target {
        Target::Location => &["/ipRanges"],
        Target::Policy => &[
            "/conditions/applications/includeUserActions",
            "/conditions/applications/includeApplications",
            "/conditions/users/includeUsers",
            "/conditions/users/includeGroups",
            "/conditions/users/includeGuestsOrExternalUsers/guestOrExternalUserTypes",
            "/conditions/locations/includeLocations",
            "/conditions/locations/excludeLocations",
            "/grantControls/builtInControls",
        ],
    };
    fields.iter().all(|f| as_set(item.pointer(f)) == as_set(body.pointer(f)))
}

/// A field as a sorted set of lower-case strings: arrays of strings, IP ranges (their
/// `cidrAddress`), or a comma-separated string; absent and null are the empty set.
fn as_set(value: Option<&Value>) -> Vec<String> {
    let mut set: Vec<String> = match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().or_else(|| v.get("cidrAddress").and_then(Value::as_str)))
            .map(|s| s.trim().to_lowercase())
            .collect(),
        Some(Value::String(s)) => s.split(',').map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()).collect(),
        _ => Vec::new(),
    };
    set.sort();
    set.dedup();
    set
}
