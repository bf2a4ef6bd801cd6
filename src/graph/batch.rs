//! The preflight: everything the review needs, read in **one** `$batch` round trip.
//!
//! Six reads go in one batch (Graph allows 20): the admin's profile and directory roles,
//! security defaults, licences, named locations and policies. Each inner request is throttled
//! and fails on its own, so each is handled on its own: an inner `429` is sent again (alone,
//! in a follow-up batch, after its `Retry-After`), an inner `403` becomes the error naming the
//! missing role or consent, an unreadable inner body is read again, and what was already read
//! is kept. Further pages (`@odata.nextLink`) go in the same follow-up batches, after checking
//! that the link is on this cloud's Graph host and API version; a link elsewhere is never
//! followed.
//!
//! **Version.** The batch targets `beta`: Graph v1.0 can silently leave out policies that use
//! beta-only features, and a policy left out could be the very duplicate or the coverage gap
//! the review must show. Every read used exists unchanged in beta; unknown fields are kept by
//! the model. Writes go to v1.0 (see [`crate::graph::apply`]).
//!
//! Policies and named locations are required: without the complete lists nothing is written.
//! The other reads are optional; when they fail the snapshot says "unknown" and a
//! [`ReadNote`] says why.

use super::errors::{read_json, ErrorContext, GraphError, Operation};
use super::retry::{Attempts, Idempotency, Jitter, NextMove, RetryPolicy, Wait};
use super::{GraphEndpoints, GraphVersion, HttpRequest, Method, Outcome};
use crate::engine::model::{AdminIdentity, ConditionalAccessPolicy, FromGraph, Licences, NamedLocation, TenantSnapshot};
use crate::graph::retry::parse_retry_after;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::fmt;

/// API version of the preflight read (see the module documentation).
pub const PREFLIGHT_VERSION: GraphVersion = GraphVersion::Beta;
/// Most requests Graph accepts in one `$batch`.
pub const MAX_BATCH_REQUESTS: usize = 20;
/// Most pages followed for one list, against a link that loops.
const MAX_PAGES: u32 = 50;

/// One of the preflight reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Read {
    Profile,
    Roles,
    SecurityDefaults,
    Licences,
    NamedLocations,
    Policies,
}

impl Read {
    /// Every read, in batch order.
    pub const ALL: [Read; 6] =
        [Read::Profile, Read::Roles, Read::SecurityDefaults, Read::Licences, Read::NamedLocations, Read::Policies];

    fn id(self) -> &'static str {
        match self {
            Read::Profile => "profile",
            Read::Roles => "roles",
            Read::SecurityDefaults => "securityDefaults",
            Read::Licences => "licences",
            Read::NamedLocations => "namedLocations",
            Read::Policies => "policies",
        }
    }

    /// The first page's path (relative to the version).
    pub fn path(self) -> &'static str {
        match self {
            Read::Profile => "/me?$select=id,displayName,userPrincipalName",
            // The cast keeps only directory roles; with User.Read alone Graph may hide their
            // properties (limited information for inaccessible objects), which is reported.
            Read::Roles => "/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true&$select=id,displayName,roleTemplateId",
            Read::SecurityDefaults => "/policies/identitySecurityDefaultsEnforcementPolicy",
            Read::Licences => "/subscribedSkus?$select=capabilityStatus,servicePlans,skuPartNumber",
            Read::NamedLocations => "/identity/conditionalAccess/namedLocations",
            Read::Policies => "/identity/conditionalAccess/policies",
        }
    }

    /// What reading it is called in messages, and the permission it needs.
    pub fn operation(self) -> Operation {
        match self {
            Read::Profile => Operation::ReadProfile,
            Read::Roles => Operation::ReadRoles,
            Read::SecurityDefaults => Operation::ReadSecurityDefaults,
            Read::Licences => Operation::ReadLicences,
            Read::NamedLocations => Operation::ReadNamedLocations,
            Read::Policies => Operation::ReadPolicies,
        }
    }

    /// Without it the review cannot be trusted, so nothing may be written.
    pub fn is_required(self) -> bool {
        matches!(self, Read::NamedLocations | Read::Policies)
    }

    fn is_list(self) -> bool {
        !matches!(self, Read::Profile | Read::SecurityDefaults)
    }
}

/// Something the preflight could not read, or read only in part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ReadNote {
    /// An optional read failed; what it tells stays unknown.
    NotRead { read: Read, error: GraphError },
    /// One item of a list had an unexpected shape and is left out of the checks.
    Skipped { read: Read, name: Option<String>, problem: String },
    /// Graph listed the admin's directory roles without their role template ids.
    RolesHidden,
}

impl fmt::Display for ReadNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadNote::NotRead { read: Read::Licences, error } => {
                write!(f, "Licences not checked: {error}")
            }
            ReadNote::NotRead { read, error } => write!(f, "Not checked ({}): {error}", read.operation().noun()),
            ReadNote::Skipped { read, name, problem } => {
                let what = if *read == Read::Policies { "policy" } else { "named location" };
                match name {
                    Some(name) => write!(f, "The {what} \"{name}\" could not be read and is left out of the checks: {problem}"),
                    None => write!(f, "A {what} could not be read and is left out of the checks: {problem}"),
                }
            }
            ReadNote::RolesHidden => f.write_str(
                "Your directory roles could not be read with the permissions granted, so whether you hold the \
                 Conditional Access Administrator role shows only when the policy is created.",
            ),
        }
    }
}

/// The preflight's result: the tenant as read, and what could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreflightRead {
    pub snapshot: TenantSnapshot,
    pub notes: Vec<ReadNote>,
    /// Whether the admin's role template ids were read (when false, `admin.role_template_ids`
    /// is empty for lack of information, not for lack of roles).
    pub roles_known: bool,
}

/// What the preflight asks of the shell next.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum PreflightStep {
    /// Wait (when given), then perform the request and hand the outcome to `on_response`.
    Send { request: HttpRequest, wait: Option<Wait> },
    /// Get a fresh token (silently when possible), then call `resume`.
    SignInNeeded,
    Done { read: Box<PreflightRead> },
    Failed { error: GraphError },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Pending {
    read: Read,
    page: u32,
    path: String,
    attempts: Attempts,
}

impl Pending {
    fn batch_id(&self) -> String {
        if self.page == 1 {
            self.read.id().to_owned()
        } else {
            format!("{}-{}", self.read.id(), self.page)
        }
    }
}

/// The preflight as a state machine (serializable, so a background worker that is stopped
/// between requests can persist and resume it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preflight {
    endpoints: GraphEndpoints,
    errors: ErrorContext,
    retry: RetryPolicy,
    jitter: Jitter,
    pending: Vec<Pending>,
    /// Requests of the batch in flight (a prefix of `pending`).
    sent: usize,
    batch_attempts: Attempts,
    profile: Option<Value>,
    security_defaults: Option<Value>,
    lists: Map<String, Value>,
    failed: Vec<(Read, GraphError)>,
    round_trips: u32,
}

impl Preflight {
    /// A preflight for one cloud. `errors` carries the granted scopes and consent link used in
    /// messages; `seed` feeds the back-off jitter.
    pub fn new(endpoints: GraphEndpoints, errors: ErrorContext, retry: RetryPolicy, seed: u64) -> Self {
        Preflight {
            endpoints,
            errors,
            retry,
            jitter: Jitter::new(seed),
            pending: Read::ALL
                .iter()
                .map(|&read| Pending { read, page: 1, path: read.path().to_owned(), attempts: Attempts::default() })
                .collect(),
            sent: 0,
            batch_attempts: Attempts::default(),
            profile: None,
            security_defaults: None,
            lists: Map::new(),
            failed: Vec::new(),
            round_trips: 0,
        }
    }

    /// Requests sent so far (each batch counts once).
    pub fn round_trips(&self) -> u32 {
        self.round_trips
    }

    /// The first batch.
    pub fn start(&mut self) -> PreflightStep {
        self.send(None)
    }

    /// Sends the batch again after a new token.
    pub fn resume(&mut self) -> PreflightStep {
        self.send(None)
    }

    fn send(&mut self, wait: Option<Wait>) -> PreflightStep {
        self.sent = self.pending.len().min(MAX_BATCH_REQUESTS);
        let requests: Vec<Value> = self.pending[..self.sent]
            .iter_mut()
            .map(|p| {
                p.attempts.made += 1;
                let mut request = json!({"id": p.batch_id(), "method": "GET", "url": p.path});
                if p.read == Read::Roles {
                    // OData casts on membership lists are advanced queries.
                    request["headers"] = json!({"ConsistencyLevel": "eventual"});
                }
                request
            })
            .collect();
        self.batch_attempts.made += 1;
        self.round_trips += 1;
        let request = HttpRequest::json(
            Method::Post,
            self.endpoints.url(PREFLIGHT_VERSION, "/$batch"),
            &json!({ "requests": requests }),
        );
        PreflightStep::Send { request, wait }
    }

    /// Consumes the outcome of the last request sent, at `now_ms`.
    pub fn on_response(&mut self, outcome: Outcome, now_ms: u64) -> PreflightStep {
        let batch = match outcome {
            Err(failure) => Err(GraphError::from_transport(&failure)),
            Ok(r) if r.status == 200 => read_json(r.status, &r.body).and_then(|v| match v.get("responses") {
                Some(Value::Array(items)) => Ok(items.clone()),
                _ => Err(GraphError::BadShape { detail: "the $batch answer has no \"responses\" list".into() }),
            }),
            Ok(r) => Err(GraphError::from_response(&r, Operation::ReadPolicies, &self.errors, now_ms)),
        };
        let responses = match batch {
            Ok(responses) => responses,
            Err(GraphError::SignInExpired) => {
                self.unsend();
                return PreflightStep::SignInNeeded;
            }
            // The batch only reads, so sending it again is safe.
            Err(error) => {
                let jitter = self.jitter.next_u32();
                return match self.retry.next_move(Idempotency::Safe, &error, &mut self.batch_attempts, jitter) {
                    NextMove::Retry(wait) => {
                        self.unsend();
                        self.send(Some(wait))
                    }
                    _ => PreflightStep::Failed { error },
                };
            }
        };
        self.batch_attempts = Attempts::default();

        let sent: Vec<Pending> = self.pending.drain(..self.sent).collect();
        self.sent = 0;
        let mut longest_wait: Option<Wait> = None;
        let mut sign_in = false;
        for mut pending in sent {
            let id = pending.batch_id();
            let inner = responses.iter().find(|r| r.get("id").and_then(Value::as_str) == Some(id.as_str()));
            let result = match inner {
                None => Err(GraphError::BadShape { detail: format!("no answer for \"{id}\" in the $batch answer") }),
                Some(inner) => self.take_inner(&mut pending, inner, now_ms),
            };
            let error = match result {
                Ok(Some(next)) => {
                    self.pending.push(next);
                    continue;
                }
                Ok(None) => continue,
                Err(error) => error,
            };
            if error == GraphError::SignInExpired {
                pending.attempts.made = pending.attempts.made.saturating_sub(1);
                sign_in = true;
                self.pending.push(pending);
                continue;
            }
            let jitter = self.jitter.next_u32();
            match self.retry.next_move(Idempotency::Safe, &error, &mut pending.attempts, jitter) {
                NextMove::Retry(wait) => {
                    if longest_wait.map_or(true, |w| w.ms < wait.ms) {
                        longest_wait = Some(wait);
                    }
                    self.pending.push(pending);
                }
                _ if pending.read.is_required() => return PreflightStep::Failed { error },
                _ => self.failed.push((pending.read, error)),
            }
        }
        if sign_in {
            return PreflightStep::SignInNeeded;
        }
        if self.pending.is_empty() {
            PreflightStep::Done { read: Box::new(self.assemble()) }
        } else {
            self.send(longest_wait)
        }
    }

    /// Forgets the batch in flight when the whole batch failed: the inner reads were not
    /// answered, so their own attempts do not count (the batch's do).
    fn unsend(&mut self) {
        for p in &mut self.pending[..self.sent] {
            p.attempts.made = p.attempts.made.saturating_sub(1);
        }
        self.sent = 0;
    }

    /// Takes one inner response: `Ok(Some(next page))`, `Ok(None)` when this read is complete.
    fn take_inner(&mut self, pending: &mut Pending, inner: &Value, now_ms: u64) -> Result<Option<Pending>, GraphError> {
        let Some(status) = inner.get("status").and_then(Value::as_u64).and_then(|s| u16::try_from(s).ok()) else {
            return Err(GraphError::BadShape { detail: format!("the answer for \"{}\" has no status", pending.batch_id()) });
        };
        let body = inner.get("body");
        if status != 200 {
            let retry_after = inner
                .get("headers")
                .and_then(Value::as_object)
                .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case("retry-after")))
                .and_then(|(_, v)| v.as_str().map(str::to_owned).or_else(|| v.as_u64().map(|n| n.to_string())))
                .and_then(|v| parse_retry_after(&v, now_ms));
            let body = body.filter(|b| b.is_object());
            return Err(GraphError::from_parts(status, retry_after, body, pending.read.operation(), &self.errors));
        }
        let Some(Value::Object(body)) = body else {
            return Err(GraphError::BadShape { detail: format!("the answer for \"{}\" has no JSON object", pending.batch_id()) });
        };
        let read = pending.read;
        if !read.is_list() {
            let slot = if read == Read::Profile { &mut self.profile } else { &mut self.security_defaults };
            *slot = Some(Value::Object(body.clone()));
            return Ok(None);
        }
        let Some(Value::Array(items)) = body.get("value") else {
            return Err(GraphError::BadShape { detail: format!("the answer for \"{}\" has no \"value\" list", pending.batch_id()) });
        };
        let next = match body.get("@odata.nextLink").and_then(Value::as_str) {
            None => None,
            Some(link) => match self.endpoints.own_path(link, PREFLIGHT_VERSION) {
                None => {
                    // Not retried: the same answer would come back.
                    pending.attempts.made = self.retry.max_attempts;
                    return Err(GraphError::ForeignLink { url: link.to_owned() });
                }
                Some(_) if pending.page >= MAX_PAGES => {
                    pending.attempts.made = self.retry.max_attempts;
                    return Err(GraphError::BadShape { detail: format!("more than {MAX_PAGES} pages of {}", read.id()) });
                }
                Some(path) => Some(Pending { read, page: pending.page + 1, path: path.to_owned(), attempts: Attempts::default() }),
            },
        };
        let list = self.lists.entry(read.id()).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(all) = list {
            all.extend(items.iter().cloned());
        }
        Ok(next)
    }

    fn list(&self, read: Read) -> Vec<Value> {
        match self.lists.get(read.id()) {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        }
    }

    fn assemble(&self) -> PreflightRead {
        let mut notes: Vec<ReadNote> =
            self.failed.iter().map(|(read, error)| ReadNote::NotRead { read: *read, error: error.clone() }).collect();
        let not_read = |read: Read| self.failed.iter().any(|(r, _)| *r == read);

        let roles = self.list(Read::Roles);
        let mut role_template_ids: Vec<String> = roles
            .iter()
            .filter_map(|r| r.get("roleTemplateId").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let roles_hidden = role_template_ids.len() < roles.len();
        if roles_hidden {
            // A partial list would read as "lacks the role"; empty means "not known" to the engine.
            role_template_ids.clear();
            notes.push(ReadNote::RolesHidden);
        }
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let admin = self.profile.as_ref().filter(|p| p.get("id").and_then(Value::as_str).is_some()).map(|p| {
            AdminIdentity {
                id: text(p, "id"),
                user_principal_name: text(p, "userPrincipalName"),
                display_name: text(p, "displayName"),
                role_template_ids,
            }
        });

        let mut snapshot = TenantSnapshot {
            admin,
            security_defaults_enabled: self.security_defaults.as_ref().and_then(|v| v.get("isEnabled")).and_then(Value::as_bool),
            licences: (!not_read(Read::Licences)).then(|| Licences::from_subscribed_skus(&Value::Array(self.list(Read::Licences)))),
            ..TenantSnapshot::default()
        };
        for (i, item) in self.list(Read::NamedLocations).into_iter().enumerate() {
            let name = item.get("displayName").and_then(Value::as_str).map(str::to_owned);
            match NamedLocation::from_graph(item, &format!("$.value[{i}]")) {
                Ok(location) => snapshot.named_locations.push(location),
                Err(e) => notes.push(ReadNote::Skipped { read: Read::NamedLocations, name, problem: e.to_string() }),
            }
        }
        for (i, item) in self.list(Read::Policies).into_iter().enumerate() {
            let name = item.get("displayName").and_then(Value::as_str).map(str::to_owned);
            match ConditionalAccessPolicy::from_graph(item, &format!("$.value[{i}]")) {
                Ok(policy) => snapshot.policies.push(policy),
                Err(e) => notes.push(ReadNote::Skipped { read: Read::Policies, name, problem: e.to_string() }),
            }
        }
        PreflightRead { snapshot, notes, roles_known: !not_read(Read::Roles) && !roles_hidden }
    }
}
