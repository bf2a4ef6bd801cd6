//! The apply state machine against a small in-test Graph tenant that can lose answers after
//! committing: two round trips when all goes well, never a duplicate policy when it does not.

use registration_guard::context::Cloud;
use registration_guard::engine::model::{PolicyState, ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR, SERVICE_PLAN_ENTRA_ID_P1};
use registration_guard::engine::preflight::{has_blockers, FindingCode, Severity};
use registration_guard::engine::presets::{build_plan, Plan, PlanOptions, Preset};
use registration_guard::graph::apply::{ApplyFlow, ApplySettings, LocationError, NewTrustedLocation, Step, Undo};
use registration_guard::graph::errors::{ErrorContext, GraphError, Operation};
use registration_guard::graph::retry::WaitReason;
use registration_guard::graph::{GraphEndpoints, HttpRequest, HttpResponse, Method, Outcome, TransportFailure};
use serde_json::{json, Value};
use std::collections::VecDeque;

const NOW: u64 = 1_700_000_000_000;
const ADMIN: &str = "4bd8e8a1-2b8c-4f3e-9d1a-6c3e2f1a0b9c";
const BREAK_GLASS: &str = "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f";

/// What goes wrong with the next write.
enum Fault {
    /// Graph saves it, then the connection drops before the answer arrives.
    CommitThenDrop,
    /// Graph saves it, but the gateway answers 504.
    CommitThen5xx,
    /// Graph saves it; the 201 body is cut off.
    CommitThenTruncate,
    /// Graph refuses with this status and error, saving nothing.
    Refuse(u16, &'static str, &'static str),
    /// A gateway fails before Graph sees the request.
    DropBeforeCommit,
    /// Someone else creates a policy with the same name but other conditions, then the
    /// request fails before Graph sees it.
    RivalThenDrop,
}

/// A tenant behind graph.microsoft.com, enough for the flow.
struct FakeGraph {
    policies: Vec<Value>,
    locations: Vec<Value>,
    security_defaults: bool,
    write_faults: VecDeque<Fault>,
    page_size: usize,
    log: Vec<(Method, String)>,
    next_id: u32,
}

impl FakeGraph {
    fn new() -> Self {
        FakeGraph {
            policies: Vec::new(),
            locations: vec![json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "0854951d-5fc0-4eb1-b392-9b2c9d7949c2",
                "displayName": "Head office", "isTrusted": true,
                "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}]})],
            security_defaults: false,
            write_faults: VecDeque::new(),
            page_size: 100,
            log: Vec::new(),
            next_id: 1,
        }
    }

    /// Every POST, the batch included.
    fn posts(&self) -> usize {
        self.log.iter().filter(|(m, _)| *m == Method::Post).count()
    }

    fn policy_posts(&self) -> usize {
        self.log.iter().filter(|(m, u)| *m == Method::Post && u.ends_with("/v1.0/identity/conditionalAccess/policies")).count()
    }

    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("7359d0e0-d8a9-4afa-8a93-{:012}", self.next_id)
    }

    fn page(&self, items: &[Value], path: &str) -> Value {
        let offset: usize = path.split("$skiptoken=").nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let end = (offset + self.page_size).min(items.len());
        let mut page = json!({"value": items[offset.min(items.len())..end]});
        if end < items.len() {
            page["@odata.nextLink"] = json!(format!("https://graph.microsoft.com{}?$skiptoken={end}", path.split('?').next().unwrap()));
        }
        page
    }

    fn handle(&mut self, request: &HttpRequest) -> Outcome {
        let path = request.url.strip_prefix("https://graph.microsoft.com").expect("only Graph is called").to_owned();
        self.log.push((request.method, request.url.clone()));
        let body: Value = request.body.as_deref().map(|b| serde_json::from_str(b).unwrap()).unwrap_or(Value::Null);
        let base = path.split('?').next().unwrap().to_owned();
        match (request.method, base.as_str()) {
            (Method::Post, "/beta/$batch") => {
                let responses: Vec<Value> = body["requests"].as_array().unwrap().iter().map(|r| self.inner(r)).collect();
                Ok(HttpResponse::new(200, json!({ "responses": responses }).to_string()))
            }
            (Method::Post, "/v1.0/identity/conditionalAccess/policies") => self.create(body, false),
            (Method::Post, "/v1.0/identity/conditionalAccess/namedLocations") => self.create(body, true),
            (Method::Get, "/v1.0/identity/conditionalAccess/policies") => Ok(HttpResponse::new(200, self.page(&self.policies, &path).to_string())),
            (Method::Get, "/v1.0/identity/conditionalAccess/namedLocations") => Ok(HttpResponse::new(200, self.page(&self.locations, &path).to_string())),
            (Method::Patch, p) => {
                let id = p.rsplit('/').next().unwrap();
                if self.security_defaults && body["state"] == "enabled" {
                    return Ok(error(400, "BadRequest", "Security Defaults is enabled in the tenant. You must disable Security defaults before enabling a Conditional Access policy."));
                }
                let fault = self.write_faults.pop_front();
                let Some(policy) = self.policies.iter_mut().find(|p| p["id"] == id) else { return Ok(error(404, "ResourceNotFound", "Policy not found")) };
                policy["state"] = body["state"].clone();
                match fault {
                    Some(Fault::CommitThenDrop) => Err(TransportFailure::Timeout),
                    _ => Ok(HttpResponse::new(204, "")),
                }
            }
            (Method::Delete, p) => {
                let id = p.rsplit('/').next().unwrap();
                let before = self.policies.len();
                self.policies.retain(|p| p["id"] != id);
                if before == self.policies.len() {
                    return Ok(error(404, "ResourceNotFound", "Policy not found"));
                }
                match self.write_faults.pop_front() {
                    Some(Fault::CommitThenDrop) => Err(TransportFailure::Network { message: "net::ERR_CONNECTION_RESET".into() }),
                    _ => Ok(HttpResponse::new(204, "")),
                }
            }
            other => panic!("the flow called something unexpected: {other:?}"),
        }
    }

    fn create(&mut self, mut body: Value, location: bool) -> Outcome {
        let fault = self.write_faults.pop_front();
        match fault {
            Some(Fault::Refuse(status, code, message)) => return Ok(error(status, code, message)),
            Some(Fault::DropBeforeCommit) => return Err(TransportFailure::Network { message: "net::ERR_CONNECTION_RESET".into() }),
            Some(Fault::RivalThenDrop) => {
                let mut rival = body.clone();
                rival["id"] = json!(self.new_id());
                rival["grantControls"] = json!({"operator": "OR", "builtInControls": ["mfa"]});
                self.policies.push(rival);
                return Err(TransportFailure::Timeout);
            }
            _ => {}
        }
        body["id"] = json!(self.new_id());
        body["createdDateTime"] = json!("2024-05-01T10:00:00Z");
        if location {
            self.locations.push(body.clone());
        } else {
            self.policies.push(body.clone());
        }
        match fault {
            Some(Fault::CommitThenDrop) => Err(TransportFailure::Timeout),
            Some(Fault::CommitThen5xx) => Ok(HttpResponse::new(504, "<html><title>504 Gateway Time-out</title></html>")),
            Some(Fault::CommitThenTruncate) => {
                let text = body.to_string();
                Ok(HttpResponse::new(201, &text[..text.len() / 3]))
            }
            _ => Ok(HttpResponse::new(201, body.to_string())),
        }
    }

    fn inner(&self, r: &Value) -> Value {
        let id = r["id"].as_str().unwrap();
        let body = match id {
            "profile" => json!({"id": ADMIN, "displayName": "Ada Admin", "userPrincipalName": "ada@contoso.com"}),
            "roles" => json!({"value": [{"id": "r", "roleTemplateId": ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR}]}),
            "securityDefaults" => json!({"isEnabled": self.security_defaults}),
            "licences" => json!({"value": [{"capabilityStatus": "Enabled", "servicePlans": [{"servicePlanId": SERVICE_PLAN_ENTRA_ID_P1}]}]}),
            "namedLocations" => json!({"value": self.locations}),
            "policies" => json!({"value": self.policies}),
            other => panic!("unexpected batch id {other}"),
        };
        json!({"id": id, "status": 200, "body": body})
    }
}

fn error(status: u16, code: &str, message: &str) -> HttpResponse {
    HttpResponse::new(status, json!({"error": {"code": code, "message": message}}).to_string())
}

fn settings() -> ApplySettings {
    ApplySettings {
        tenant_id: Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
        break_glass: vec![BREAK_GLASS.into()],
        errors: ErrorContext {
            granted_scopes: vec!["Policy.Read.All".into(), "Policy.ReadWrite.ConditionalAccess".into(), "User.Read".into()],
            admin_consent_url: None,
        },
        ..ApplySettings::default()
    }
}

fn flow() -> ApplyFlow {
    ApplyFlow::new(GraphEndpoints::for_cloud(Cloud::Global), settings(), 42)
}

/// Performs every request the flow asks for until it stops asking.
fn drive(flow: &mut ApplyFlow, mut step: Step, graph: &mut FakeGraph) -> Step {
    for _ in 0..50 {
        match step {
            Step::Send { request, .. } => step = flow.on_response(graph.handle(&request), NOW),
            other => return other,
        }
    }
    panic!("the flow did not settle in 50 requests");
}

/// Runs the preflight and returns the plan the admin would confirm.
fn reviewed(flow: &mut ApplyFlow, graph: &mut FakeGraph, preset: Preset) -> Plan {
    let start = flow.start();
    assert_eq!(drive(flow, start, graph), Step::Review);
    let read = flow.review().expect("the review is showing");
    build_plan(&read.snapshot, preset, &PlanOptions::default()).expect("a plan for this tenant")
}

fn created_id(step: &Step) -> String {
    match step {
        Step::Created { policy_id, .. } => policy_id.clone(),
        other => panic!("expected the policy to be created, got {other:?}"),
    }
}

#[test]
fn happy_apply_is_exactly_two_round_trips() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let review = flow.review().unwrap();
    assert_eq!(review.snapshot.break_glass, [BREAK_GLASS]);
    assert_eq!(review.snapshot.tenant_id.as_deref(), Some("72f988bf-86f1-41af-91ab-2d7cd011db47"));
    let step = flow.confirm(&plan, None);
    let Step::Send { request, wait } = &step else { panic!("{step:?}") };
    assert_eq!((request.method, request.url.as_str()), (Method::Post, "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies"));
    assert_eq!(*wait, None);
    let posted: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
    assert_eq!(posted, plan.body, "the body posted is the one reviewed");
    let done = drive(&mut flow, step, &mut graph);
    let Step::Created { policy_id, portal_link, state, confirmed_by_reread } = &done else { panic!("{done:?}") };
    assert_eq!(*state, PolicyState::EnabledForReportingButNotEnforced);
    assert!(!confirmed_by_reread);
    assert_eq!(portal_link, &format!("https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/{policy_id}"));
    assert_eq!(flow.round_trips(), 2);
    assert_eq!(graph.log.len(), 2, "one batch, one POST: {:?}", graph.log);
    assert_eq!(graph.policies.len(), 1);
    let excluded = &graph.policies[0]["conditions"]["users"]["excludeUsers"];
    assert!(excluded.as_array().unwrap().iter().any(|u| u == ADMIN) && excluded.as_array().unwrap().iter().any(|u| u == BREAK_GLASS));
}

#[test]
fn a_second_confirm_while_posting_is_ignored() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::RequireMfaOutsideTrusted);
    let step = flow.confirm(&plan, None);
    assert!(flow.is_busy());
    assert_eq!(flow.confirm(&plan, None), Step::Ignored);
    assert_eq!(flow.start(), Step::Ignored);
    assert_eq!(flow.enforce(), Step::Ignored);
    let done = drive(&mut flow, step, &mut graph);
    created_id(&done);
    assert_eq!(flow.confirm(&plan, None), Step::Ignored, "already created");
    assert_eq!(flow.on_response(Ok(HttpResponse::new(201, "{}")), NOW), Step::Ignored, "a late duplicate answer changes nothing");
    assert_eq!(graph.policy_posts(), 1);
    assert_eq!(graph.policies.len(), 1);
}

#[test]
fn connection_reset_after_graph_saved_the_policy_reconciles_to_exactly_one() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    graph.write_faults.push_back(Fault::CommitThenDrop);
    let post = flow.confirm(&plan, None);
    let Step::Send { request, .. } = &post else { panic!() };
    let check = flow.on_response(graph.handle(request), NOW);
    let Step::Send { request, wait } = &check else { panic!("{check:?}") };
    assert_eq!((request.method, request.url.as_str()), (Method::Get, "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies"));
    assert_eq!(wait.unwrap().reason, WaitReason::CheckingWrite);
    let done = drive(&mut flow, check, &mut graph);
    assert!(matches!(done, Step::Created { confirmed_by_reread: true, .. }));
    assert_eq!(created_id(&done), graph.policies[0]["id"].as_str().unwrap());
    assert_eq!(graph.policies.len(), 1, "exactly one policy");
    assert_eq!(graph.policy_posts(), 1, "no second POST");
}

#[test]
fn gateway_timeout_or_cut_off_201_after_saving_is_found_by_reading_back() {
    for fault in [Fault::CommitThen5xx, Fault::CommitThenTruncate] {
        let mut graph = FakeGraph::new();
        let mut flow = flow();
        let plan = reviewed(&mut flow, &mut graph, Preset::BlockGuestsOutsideTrusted);
        graph.write_faults.push_back(fault);
        let step = flow.confirm(&plan, None);
        let done = drive(&mut flow, step, &mut graph);
        assert!(matches!(done, Step::Created { confirmed_by_reread: true, .. }), "{done:?}");
        assert_eq!((graph.policies.len(), graph.policy_posts()), (1, 1));
    }
}

#[test]
fn failure_before_saving_reconciles_then_posts_once_more() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    graph.write_faults.push_back(Fault::DropBeforeCommit);
    let step = flow.confirm(&plan, None);
    let done = drive(&mut flow, step, &mut graph);
    assert!(matches!(done, Step::Created { confirmed_by_reread: false, .. }), "{done:?}");
    let methods: Vec<Method> = graph.log.iter().map(|(m, _)| *m).collect();
    assert_eq!(methods, [Method::Post, Method::Post, Method::Get, Method::Post], "batch, POST, read back, one safe retry");
    assert_eq!(graph.policies.len(), 1);
}

#[test]
fn two_lost_posts_stop_without_a_third() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    graph.write_faults.extend([Fault::DropBeforeCommit, Fault::DropBeforeCommit]);
    let step = flow.confirm(&plan, None);
    let done = drive(&mut flow, step, &mut graph);
    let Step::Failed { error } = &done else { panic!("{done:?}") };
    assert!(matches!(error, GraphError::Network { .. }), "the POST's own error comes first: {error:?}");
    assert_eq!(
        flow.failure_note().as_deref(),
        Some("Nothing was created: reading the policies back shows Microsoft Graph did not save it, so trying again is safe.")
    );
    assert_eq!(graph.policy_posts(), 2);
    assert!(graph.policies.is_empty());
}

fn done_text(step: &Step) -> String {
    match step {
        Step::Failed { error } => error.to_string(),
        other => format!("{other:?}"),
    }
}

#[test]
fn a_rival_policy_with_the_same_name_is_not_taken_for_ours() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    graph.write_faults.push_back(Fault::RivalThenDrop);
    let step = flow.confirm(&plan, None);
    let done = drive(&mut flow, step, &mut graph);
    let ours = created_id(&done);
    assert_eq!(graph.policies.len(), 2, "the rival and ours");
    let mine = graph.policies.iter().find(|p| p["id"] == ours.as_str()).unwrap();
    assert_eq!(mine["grantControls"]["builtInControls"], json!(["block"]));
}

#[test]
fn reading_back_follows_pages_on_the_same_host() {
    let mut graph = FakeGraph::new();
    for i in 0..5 {
        graph.policies.push(json!({"id": format!("p{i}"), "displayName": format!("Other {i}"), "state": "enabled",
            "conditions": {"applications": {"includeApplications": ["All"]}, "users": {"includeUsers": ["All"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}));
    }
    graph.page_size = 2;
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    graph.write_faults.push_back(Fault::CommitThenDrop);
    let step = flow.confirm(&plan, None);
    let done = drive(&mut flow, step, &mut graph);
    assert!(matches!(done, Step::Created { confirmed_by_reread: true, .. }));
    let reads = graph.log.iter().filter(|(m, _)| *m == Method::Get).count();
    assert_eq!(reads, 3, "six policies in pages of two");
    assert_eq!(graph.policies.len(), 6);
}

#[test]
fn a_refused_post_is_final_with_graphs_reason() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    graph.write_faults.push_back(Fault::Refuse(400, "BadRequest", "1038: The policy you are trying to create or update contains preview features."));
    let step = flow.confirm(&plan, None);
    let done = drive(&mut flow, step, &mut graph);
    assert!(matches!(done, Step::Failed { error: GraphError::PreviewFeatures { .. } }));
    assert_eq!(graph.policy_posts(), 1, "no reconcile or retry after a 4xx");
    assert_eq!(graph.log.len(), 2);
}

#[test]
fn a_missing_role_on_post_names_the_role() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    graph.write_faults.push_back(Fault::Refuse(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
    let step = flow.confirm(&plan, None);
    let done = drive(&mut flow, step, &mut graph);
    assert!(done_text(&done).starts_with("Your account needs the Conditional Access Administrator role"));
}

#[test]
fn a_throttled_post_waits_and_is_sent_again() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let post = flow.confirm(&plan, None);
    let Step::Send { request, .. } = post else { panic!() };
    let throttled = error(429, "TooManyRequests", "Too many requests").with_header("Retry-After", "3");
    let again = flow.on_response(Ok(throttled), NOW);
    let Step::Send { request: second, wait } = &again else { panic!("{again:?}") };
    assert_eq!(second, &request);
    assert_eq!(wait.unwrap().ms, 3_000);
    created_id(&drive(&mut flow, again, &mut graph));
    assert_eq!(graph.policies.len(), 1);
}

#[test]
fn an_expired_token_on_post_signs_in_and_posts_again() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    flow.confirm(&plan, None);
    let step = flow.on_response(Ok(error(401, "InvalidAuthenticationToken", "Access token has expired.")), NOW);
    assert_eq!(step, Step::SignInNeeded);
    let resumed = flow.resume();
    assert!(matches!(&resumed, Step::Send { request, .. } if request.method == Method::Post));
    created_id(&drive(&mut flow, resumed, &mut graph));
    assert_eq!(graph.policies.len(), 1);
}

#[test]
fn enforce_switches_the_created_policy_on() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let step = flow.confirm(&plan, None);
    let id = created_id(&drive(&mut flow, step, &mut graph));
    let step = flow.enforce();
    let Step::Send { request, .. } = &step else { panic!("{step:?}") };
    assert_eq!(request.method, Method::Patch);
    assert_eq!(request.url, format!("https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies/{id}"));
    assert_eq!(request.body.as_deref(), Some(r#"{"state":"enabled"}"#));
    assert_eq!(drive(&mut flow, step, &mut graph), Step::StateChanged { policy_id: id.clone(), state: PolicyState::Enabled });
    assert_eq!(graph.policies[0]["state"], "enabled");
    assert_eq!(flow.enforce(), Step::Ignored, "already on");
}

#[test]
fn enforcing_with_security_defaults_on_says_so_and_keeps_report_only() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let step = flow.confirm(&plan, None);
    let id = created_id(&drive(&mut flow, step, &mut graph));
    graph.security_defaults = true;
    let step = flow.enforce();
    let done = drive(&mut flow, step, &mut graph);
    assert_eq!(done, Step::Failed { error: GraphError::SecurityDefaultsOn });
    assert_eq!(flow.policy(), Some((id.as_str(), PolicyState::EnabledForReportingButNotEnforced)));
    assert_eq!(graph.policies[0]["state"], "enabledForReportingButNotEnforced");
}

#[test]
fn undo_disables_or_deletes() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let step = flow.confirm(&plan, None);
    let id = created_id(&drive(&mut flow, step, &mut graph));
    let step = flow.undo(Undo::Disable);
    assert_eq!(drive(&mut flow, step, &mut graph), Step::StateChanged { policy_id: id.clone(), state: PolicyState::Disabled });
    assert_eq!(graph.policies[0]["state"], "disabled");
    let step = flow.undo(Undo::Delete);
    let Step::Send { request, .. } = &step else { panic!() };
    assert_eq!(request.method, Method::Delete);
    assert_eq!(drive(&mut flow, step, &mut graph), Step::Deleted { policy_id: id });
    assert!(graph.policies.is_empty());
    assert_eq!(flow.undo(Undo::Delete), Step::Ignored);
}

#[test]
fn a_delete_whose_answer_was_lost_is_retried_and_gone_counts_as_done() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let step = flow.confirm(&plan, None);
    let id = created_id(&drive(&mut flow, step, &mut graph));
    graph.write_faults.push_back(Fault::CommitThenDrop);
    let step = flow.undo(Undo::Delete);
    assert_eq!(drive(&mut flow, step, &mut graph), Step::Deleted { policy_id: id });
    let deletes = graph.log.iter().filter(|(m, _)| *m == Method::Delete).count();
    assert_eq!(deletes, 2, "the retry met 404, which means done");
}

#[test]
fn an_existing_policy_can_be_enforced_without_the_preflight() {
    let mut graph = FakeGraph::new();
    graph.policies.push(json!({"id": "abc", "displayName": "Old", "state": "disabled"}));
    let mut flow = ApplyFlow::for_existing(GraphEndpoints::for_cloud(Cloud::Global), settings(), 1, "abc", PolicyState::Disabled);
    let step = flow.enforce();
    assert_eq!(drive(&mut flow, step, &mut graph), Step::StateChanged { policy_id: "abc".into(), state: PolicyState::Enabled });
}

#[test]
fn a_trusted_location_is_created_first_inside_the_same_flow() {
    let mut graph = FakeGraph::new();
    graph.locations.clear();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let location = NewTrustedLocation::from_typed(" Head office ", "198.51.100.7/24\n2001:db8::/48", flow.review().unwrap()).unwrap();
    assert_eq!(location.ranges, ["198.51.100.0/24", "2001:db8::/48"]);
    assert!(!location.warnings.is_empty(), "host bits cleared is reported");
    let step = flow.confirm(&plan, Some(&location));
    let Step::Send { request, .. } = &step else { panic!() };
    assert_eq!(request.url, "https://graph.microsoft.com/v1.0/identity/conditionalAccess/namedLocations");
    let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["@odata.type"], "#microsoft.graph.ipNamedLocation");
    assert_eq!(body["isTrusted"], true);
    assert_eq!(body["ipRanges"][1], json!({"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/48"}));
    created_id(&drive(&mut flow, step, &mut graph));
    assert_eq!(flow.round_trips(), 3);
    assert_eq!((graph.locations.len(), graph.policies.len()), (1, 1));
}

#[test]
fn a_lost_location_answer_is_reconciled_too() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let location = NewTrustedLocation::from_typed("Branch", "192.0.2.0/24", flow.review().unwrap()).unwrap();
    graph.write_faults.push_back(Fault::CommitThenDrop);
    let step = flow.confirm(&plan, Some(&location));
    created_id(&drive(&mut flow, step, &mut graph));
    assert_eq!(graph.locations.len(), 2, "the existing one and exactly one new");
    assert_eq!(graph.posts(), 3, "batch, location POST, policy POST");
}

#[test]
fn typed_locations_are_checked_before_anything_is_sent() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let read = flow.review().unwrap();
    assert_eq!(NewTrustedLocation::from_typed("  ", "192.0.2.0/24", read).unwrap_err(), LocationError::EmptyName);
    let taken = NewTrustedLocation::from_typed("head OFFICE", "192.0.2.0/24", read).unwrap_err();
    assert!(taken.to_string().contains("already exists"));
    let LocationError::Ranges(errors) = NewTrustedLocation::from_typed("New", "10.0.0.0/8, nonsense", read).unwrap_err() else { panic!() };
    assert_eq!(errors.len(), 2);
}

#[test]
fn the_flow_survives_being_stored_between_request_and_answer() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let Step::Send { request, .. } = flow.confirm(&plan, None) else { panic!() };
    let stored = serde_json::to_string(&flow).unwrap();
    let mut restored: ApplyFlow = serde_json::from_str(&stored).unwrap();
    assert!(restored.is_busy());
    let done = restored.on_response(graph.handle(&request), NOW);
    created_id(&done);
}

#[test]
fn china_links_open_the_azure_portal() {
    let mut flow = ApplyFlow::new(GraphEndpoints::for_cloud(Cloud::China), settings(), 3);
    let Step::Send { request, .. } = flow.start() else { panic!() };
    assert_eq!(request.url, "https://microsoftgraph.chinacloudapi.cn/beta/$batch");
    assert_eq!(
        registration_guard::graph::policy_portal_link(Cloud::China, "ABC"),
        "https://portal.azure.cn/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/abc"
    );
}

#[test]
fn confirm_is_refused_when_the_engine_preflight_finds_a_blocker() {
    let mut graph = FakeGraph::new();
    graph.locations.clear();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let step = flow.confirm(&plan, None);
    let Step::Blocked { findings } = &step else { panic!("{step:?}") };
    assert!(findings.iter().any(|f| f.code == FindingCode::NoTrustedLocation && f.severity == Severity::Blocker), "{findings:?}");
    assert_eq!(findings, &flow.findings(&plan, None));
    assert!(!flow.is_busy() && flow.review().is_some(), "the review stays open");
    assert_eq!(graph.log.len(), 1, "nothing was sent");
    // Offering a trusted location in the same confirmation lifts the blocker.
    let location = NewTrustedLocation::from_typed("Office", "192.0.2.0/24", flow.review().unwrap()).unwrap();
    assert!(!has_blockers(&flow.findings(&plan, Some(&location))));
}

#[test]
fn an_admin_without_a_writing_role_is_stopped_before_posting() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let start = flow.start();
    let Step::Send { request, .. } = start else { panic!() };
    let mut answer: Value = serde_json::from_str(&graph.handle(&request).unwrap().body).unwrap();
    for r in answer["responses"].as_array_mut().unwrap() {
        if r["id"] == "roles" {
            r["body"] = json!({"value": [{"id": "x", "roleTemplateId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"}]});
        }
    }
    assert_eq!(flow.on_response(Ok(HttpResponse::new(200, answer.to_string())), NOW), Step::Review);
    let plan = build_plan(&flow.review().unwrap().snapshot, Preset::BlockOutsideTrusted, &PlanOptions::default()).unwrap();
    let Step::Blocked { findings } = flow.confirm(&plan, None) else { panic!() };
    assert_eq!(findings[0].code, FindingCode::AdminLacksRole);
}

#[test]
fn when_reading_back_is_impossible_the_flow_stops_without_a_second_post() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    let Step::Send { .. } = flow.confirm(&plan, None) else { panic!() };
    let check = flow.on_response(Err(TransportFailure::Timeout), NOW);
    assert!(matches!(&check, Step::Send { request, .. } if request.method == Method::Get));
    let denied = error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    let done = flow.on_response(Ok(denied), NOW);
    assert_eq!(done, Step::Failed { error: GraphError::WriteUnconfirmed { operation: Operation::CreatePolicy } });
}

#[test]
fn reading_back_never_follows_a_link_to_another_host() {
    let mut graph = FakeGraph::new();
    let mut flow = flow();
    let plan = reviewed(&mut flow, &mut graph, Preset::BlockOutsideTrusted);
    flow.confirm(&plan, None);
    flow.on_response(Err(TransportFailure::Timeout), NOW);
    let page = json!({"value": [], "@odata.nextLink": "https://graph.microsoft.com.attacker.example/v1.0/identity/conditionalAccess/policies?$skiptoken=1"});
    let done = flow.on_response(Ok(HttpResponse::new(200, page.to_string())), NOW);
    assert!(matches!(done, Step::Failed { error: GraphError::ForeignLink { .. } }), "{done:?}");
    assert!(!flow.is_busy());
}
