//! Scripted faults: throttling, outages, slowness, connection resets and broken bodies, matched
//! to requests by service, method and path, and consumed as they fire.
//!
//! ```
//! use registration_guard::sim::{Fault, FaultRule, SimTenant};
//! let mut tenant = SimTenant::contoso_demo();
//! // The second POST of a policy is throttled for 7 seconds.
//! tenant.add_fault(FaultRule::graph("POST", "/identity/conditionalAccess/policies", Fault::Throttle { retry_after_s: Some(7) }).on_occurrence(2));
//! ```

use serde::{Deserialize, Serialize};

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Fault {
    /// `429 Too Many Requests`, with `Retry-After` when given (without it clients back off
    /// exponentially). Nothing is processed.
    #[serde(rename_all = "camelCase")]
    Throttle { retry_after_s: Option<u32> },
    /// `503 Service Unavailable`, optionally with `Retry-After`. Nothing is processed.
    #[serde(rename_all = "camelCase")]
    ServiceUnavailable { retry_after_s: Option<u32> },
    /// `504 Gateway Timeout`. With `after_commit` the request took effect before the gateway
    /// gave up — the case where a blind retry of a POST creates a duplicate.
    #[serde(rename_all = "camelCase")]
    GatewayTimeout { after_commit: bool },
    /// `500 Internal Server Error`. Nothing is processed.
    InternalError,
    /// The answer is correct but the server waits `ms` milliseconds before sending it.
    Slow { ms: u64 },
    /// The connection is reset before the request is processed.
    ResetBeforeCommit,
    /// The request is processed, then the connection is reset instead of answering.
    ResetAfterCommit,
    /// The request is processed; the body sent is not valid JSON.
    MalformedJson,
    /// The request is processed; the body is cut in the middle and the connection dropped.
    TruncatedBody,
    /// `401`: the access token is treated as expired for this request.
    TokenExpired,
}

/// Which simulated service a rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultService {
    /// Microsoft Graph; the path is matched without the `/v1.0` or `/beta` prefix. Requests
    /// inside a `$batch` are matched one by one, as Graph throttles them one by one.
    Graph,
    /// The sign-in service; the path is matched whole (e.g. `/*/oauth2/v2.0/token`).
    Login,
}

/// A fault waiting for its request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    pub service: FaultService,
    /// `None` matches every method.
    pub method: Option<String>,
    /// Path pattern, case-insensitive, compared segment by segment: `*` matches one segment,
    /// a final `**` matches any rest (including nothing).
    pub path: String,
    /// Which matching request fires first: 1 = the next one.
    pub occurrence: u32,
    /// How many consecutive matching requests fire from then on.
    pub times: u32,
    pub fault: Fault,
    /// Matching requests seen so far.
    #[serde(default)]
    pub seen: u32,
}

impl FaultRule {
    /// A rule for the next Graph request matching `method` (`"*"` for any) and `path`.
    pub fn graph(method: &str, path: &str, fault: Fault) -> FaultRule {
        FaultRule::new(FaultService::Graph, method, path, fault)
    }

    /// A rule for the next sign-in service request matching `method` and `path`.
    pub fn login(method: &str, path: &str, fault: Fault) -> FaultRule {
        FaultRule::new(FaultService::Login, method, path, fault)
    }

    fn new(service: FaultService, method: &str, path: &str, fault: Fault) -> FaultRule {
        FaultRule {
            service,
            method: (method != "*").then(|| method.to_ascii_uppercase()),
            path: path.to_owned(),
            occurrence: 1,
            times: 1,
            fault,
            seen: 0,
        }
    }

    /// Fires on the `n`-th matching request instead of the next one.
    pub fn on_occurrence(mut self, n: u32) -> FaultRule {
        self.occurrence = n.max(1);
        self
    }

    /// Fires on `n` consecutive matching requests.
    pub fn times(mut self, n: u32) -> FaultRule {
        self.times = n.max(1);
        self
    }

    fn matches(&self, service: FaultService, method: &str, path: &str) -> bool {
        self.service == service
            && self
                .method
                .as_deref()
                .map_or(true, |m| m.eq_ignore_ascii_case(method))
            && path_matches(&self.path, path)
    }
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty());
    let mut have = path.trim_matches('/').split('/').filter(|s| !s.is_empty());
    loop {
        match (want.next(), have.next()) {
            (Some("**"), _) => return true,
            (None, None) => return true,
            (Some(w), Some(h)) if w == "*" || w.eq_ignore_ascii_case(h) => continue,
            _ => return false,
        }
    }
}

/// The fault that fires for this request, if any; every matching rule counts the request, and
/// rules that have fired their last time are dropped.
pub(crate) fn take_fault(
    rules: &mut Vec<FaultRule>,
    service: FaultService,
    method: &str,
    path: &str,
) -> Option<Fault> {
    let mut fired = None;
    for rule in rules
        .iter_mut()
        .filter(|r| r.matches(service, method, path))
    {
        rule.seen += 1;
        let first = rule.occurrence;
        let last = rule.occurrence + rule.times - 1;
        if fired.is_none() && (first..=last).contains(&rule.seen) {
            fired = Some(rule.fault);
        }
    }
    // A rule waits until its last firing has happened.
    rules.retain(|r| r.seen < r.occurrence + r.times - 1);
    fired
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_segment_and_double_star_the_rest() {
        assert!(path_matches(
            "/identity/conditionalAccess/policies/*",
            "/identity/conditionalAccess/policies/abc"
        ));
        assert!(!path_matches(
            "/identity/conditionalAccess/policies/*",
            "/identity/conditionalAccess/policies"
        ));
        assert!(path_matches(
            "/identity/**",
            "/identity/conditionalAccess/namedLocations"
        ));
        assert!(path_matches("/**", "/me"));
        assert!(path_matches(
            "/IDENTITY/conditionalaccess/POLICIES",
            "/identity/conditionalAccess/policies"
        ));
        assert!(!path_matches("/me", "/me/memberOf"));
    }

    #[test]
    fn a_rule_fires_on_its_occurrence_for_its_count_then_disappears() {
        let mut rules = vec![FaultRule::graph("GET", "/me", Fault::InternalError)
            .on_occurrence(2)
            .times(2)];
        assert_eq!(
            take_fault(&mut rules, FaultService::Graph, "GET", "/me"),
            None
        );
        assert_eq!(
            take_fault(&mut rules, FaultService::Graph, "POST", "/me"),
            None,
            "other methods do not count"
        );
        assert_eq!(
            take_fault(&mut rules, FaultService::Graph, "GET", "/me"),
            Some(Fault::InternalError)
        );
        assert_eq!(
            take_fault(&mut rules, FaultService::Graph, "GET", "/me"),
            Some(Fault::InternalError)
        );
        assert!(rules.is_empty());
        assert_eq!(
            take_fault(&mut rules, FaultService::Graph, "GET", "/me"),
            None
        );
    }
}
