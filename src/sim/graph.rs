//! Microsoft Graph as the simulated tenant answers it: routing, token checks, permissions,
//! paging, `$batch`, scripted faults and Graph's error shape
//! `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
//!
//! Served under `/v1.0` and `/beta` (paths are case-insensitive, as Graph's are):
//!
//! | Method | Path |
//! |---|---|
//! | GET, POST | `/identity/conditionalAccess/policies` (`$top`, `$skiptoken`, `$select`) |
//! | GET, PATCH, DELETE | `/identity/conditionalAccess/policies/{id}` |
//! | GET, POST | `/identity/conditionalAccess/namedLocations` |
//! | GET, PATCH, DELETE | `/identity/conditionalAccess/namedLocations/{id}` |
//! | GET, PATCH | `/policies/identitySecurityDefaultsEnforcementPolicy` |
//! | GET | `/subscribedSkus`, `/organization`, `/me`, `/me/memberOf`, `/me/transitiveMemberOf` (with the casts `/microsoft.graph.directoryRole`, `/microsoft.graph.group`, `$count`, `$select`) |
//! | GET | `/users` (`$search` with `ConsistencyLevel: eventual`, `$filter`, `$select`, `$top`, `$count`), `/users/{id or upn}` |
//! | GET | `/auditLogs/signIns` (`$filter=correlationId eq '<guid>'`, `$top`): the blocked registrations of the personas ([`SimTenant::sign_in_log`]) |
//! | POST | `/directoryObjects/getByIds`, `/$batch` (up to 20 requests, `dependsOn` honoured) |
//!
//! Checks run in Graph's order: version, access token (401), route (400), method (405),
//! delegated permission in the token (403), the signed-in user's directory role (403), then the
//! body (400).

use super::faults::{take_fault, Fault, FaultService};
use super::http::{inner_error_time, SimRequest, SimResponse, Transport};
use super::login::AccessGrant;
use super::SimTenant;
use crate::engine::model::{
    ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR, ROLE_GLOBAL_ADMINISTRATOR, ROLE_SECURITY_ADMINISTRATOR,
};
use serde_json::{json, Map, Value};

/// The most requests Graph accepts in one `$batch`.
pub const MAX_BATCH_REQUESTS: usize = 20;

const JSON_CONTENT_TYPE: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// An answer before it becomes HTTP: `$batch` embeds it, [`SimTenant::handle_graph`] sends it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Reply {
        Reply {
            status: 200,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub(crate) fn no_content() -> Reply {
        Reply {
            status: 204,
            headers: Vec::new(),
            body: None,
        }
    }

    fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// Per-request facts every handler needs.
pub(crate) struct Call<'a> {
    pub method: &'a str,
    /// `v1.0` or `beta`.
    pub version: &'a str,
    /// Path without the version, e.g. `/identity/conditionalAccess/policies`.
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub headers: &'a [(String, String)],
    pub body: Option<&'a str>,
    pub now: u64,
    /// `https://graph.microsoft.com/v1.0`: the base of `@odata.context`, links and `Location`.
    pub base: String,
    pub request_id: &'a str,
    pub client_request_id: &'a str,
}

impl Call<'_> {
    /// The value of a query option (e.g. `$top`), case-insensitive name.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A Graph error answer.
    pub(crate) fn error(&self, status: u16, code: &str, message: &str) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Some(json!({"error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": inner_error_time(self.now),
                    "request-id": self.request_id,
                    "client-request-id": self.client_request_id,
                }
            }})),
        }
    }

    /// The JSON body, or Graph's answer to a missing or unreadable one.
    pub(crate) fn json_body(&self) -> Result<Value, Reply> {
        let unreadable = || {
            self.error(
                400,
                "BadRequest",
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
            )
        };
        let is_json = self
            .header("content-type")
            .is_some_and(|t| t.to_ascii_lowercase().contains("application/json"));
        match self.body {
            Some(text) if is_json => serde_json::from_str(text).map_err(|_| unreadable()),
            _ => Err(unreadable()),
        }
    }
}

/// A route's handler: the tenant, the request, the caller's grant, the path segments.
type Handler = fn(&mut SimTenant, &Call, &AccessGrant, &[&str]) -> Reply;

/// What a route needs from the token.
#[derive(Clone, Copy)]
pub(crate) enum Permission {
    /// Conditional Access reads (policies, named locations).
    CaRead,
    /// Conditional Access writes.
    CaWrite,
    SecurityDefaultsRead,
    SecurityDefaultsWrite,
    /// Tenant licences.
    Licences,
    /// The caller's own profile and organization.
    Profile,
    /// The caller's group and role memberships.
    Memberships,
    /// Reading other users.
    Users,
    /// Reading any directory object by id.
    Directory,
    /// Reading the sign-in logs (the reader roles are checked by the handler, in the reporting
    /// service's words).
    SignInLogs,
}

impl Permission {
    /// Delegated scopes that allow the call (any one suffices).
    fn scopes(self) -> &'static [&'static str] {
        match self {
            Permission::CaRead => &[
                "Policy.Read.All",
                "Policy.Read.ConditionalAccess",
                "Policy.ReadWrite.ConditionalAccess",
            ],
            Permission::CaWrite => &["Policy.ReadWrite.ConditionalAccess"],
            Permission::SecurityDefaultsRead => {
                &["Policy.Read.All", "Policy.ReadWrite.SecurityDefaults"]
            }
            Permission::SecurityDefaultsWrite => &["Policy.ReadWrite.SecurityDefaults"],
            Permission::Licences => &[
                "LicenseAssignment.Read.All",
                "Organization.Read.All",
                "Organization.ReadWrite.All",
                "Directory.Read.All",
                "Directory.ReadWrite.All",
            ],
            Permission::Profile => &[
                "User.Read",
                "User.ReadWrite",
                "User.ReadBasic.All",
                "User.Read.All",
                "User.ReadWrite.All",
                "Directory.Read.All",
                "Directory.ReadWrite.All",
            ],
            Permission::Memberships => &[
                "User.Read",
                "GroupMember.Read.All",
                "Directory.Read.All",
                "Directory.ReadWrite.All",
            ],
            Permission::Users => &[
                "User.ReadBasic.All",
                "User.Read.All",
                "User.ReadWrite.All",
                "Directory.Read.All",
                "Directory.ReadWrite.All",
            ],
            Permission::Directory => &["Directory.Read.All", "Directory.ReadWrite.All"],
            Permission::SignInLogs => &["AuditLog.Read.All"],
        }
    }

    /// Directory roles the signed-in user needs, with the role names Graph's message lists.
    fn roles(self) -> Option<(&'static [&'static str], &'static str)> {
        const READERS: &[&str] = &[
            ROLE_GLOBAL_ADMINISTRATOR,
            ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR,
            ROLE_SECURITY_ADMINISTRATOR,
            super::ROLE_SECURITY_READER,
            super::ROLE_GLOBAL_READER,
        ];
        const WRITERS: &[&str] = &[
            ROLE_GLOBAL_ADMINISTRATOR,
            ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR,
            ROLE_SECURITY_ADMINISTRATOR,
        ];
        match self {
            Permission::CaRead | Permission::SecurityDefaultsRead => Some((
                READERS,
                "Security Reader, Company Administrator, Security Administrator, Conditional Access Administrator, Global Reader, Devices Admin, Entra Network Access Administrator",
            )),
            Permission::CaWrite | Permission::SecurityDefaultsWrite => {
                Some((WRITERS, "Company Administrator, Security Administrator, Conditional Access Administrator"))
            }
            _ => None,
        }
    }

    /// The Conditional Access service answers in its own words; directory endpoints in the
    /// directory's.
    fn is_conditional_access(self) -> bool {
        matches!(self, Permission::CaRead | Permission::CaWrite)
    }
}

impl SimTenant {
    /// Answers one Microsoft Graph request at time `now` (Unix milliseconds).
    ///
    /// ```
    /// use registration_guard::sim::{SimRequest, SimTenant};
    /// let mut tenant = SimTenant::contoso_demo();
    /// let token = tenant.issue_access_token_for_admin(&["Policy.Read.All"], 0);
    /// let res = tenant.handle_graph(&SimRequest::new("GET", "/v1.0/identity/conditionalAccess/policies").bearer(&token), 1_000);
    /// assert_eq!(res.status, 200);
    /// assert!(res.json()["value"].as_array().unwrap().len() >= 3);
    /// ```
    pub fn handle_graph(&mut self, req: &SimRequest, now: u64) -> SimResponse {
        let request_id = self.new_id();
        let client_request_id = req
            .header_value("client-request-id")
            .map(str::to_owned)
            .unwrap_or_else(|| request_id.clone());
        let method = req.method.to_ascii_uppercase();
        let full_path = req.path().to_owned();
        let (version, path) = split_version(&full_path);
        let query = req.query();
        let host = req
            .host
            .clone()
            .unwrap_or_else(|| self.cloud.graph_host().to_owned());
        let call = Call {
            method: &method,
            version: version.unwrap_or(""),
            path,
            query: &query,
            headers: &req.headers,
            body: req.body.as_deref(),
            now,
            base: format!("https://{host}/{}", version.unwrap_or("v1.0")),
            request_id: &request_id,
            client_request_id: &client_request_id,
        };
        if version.is_none() {
            let segment = full_path
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("");
            let reply = call.error(400, "BadRequest", &format!("Invalid version: {segment}"));
            return self.send(reply, &call);
        }

        let fault = take_fault(&mut self.faults, FaultService::Graph, &method, path);
        if let Some(reply) = fault.and_then(|f| fault_before_commit(f, &call)) {
            let mut res = self.send(reply, &call);
            if fault == Some(Fault::ResetBeforeCommit) {
                res.transport = Transport::Reset;
            }
            return res;
        }

        let mut delay_ms = 0;
        let mut transport = Transport::Normal;
        let mut malformed = false;
        let reply = if path.eq_ignore_ascii_case("/$batch") {
            let outcome = self.batch(&call, req.host.as_deref());
            delay_ms += outcome.delay_ms;
            if outcome.reset {
                transport = Transport::Reset;
            }
            malformed |= outcome.malformed;
            if outcome.truncated {
                transport = Transport::TruncateAfter { bytes: 0 };
            }
            outcome.reply
        } else {
            self.dispatch(&call, req.host.as_deref())
        };

        let reply = match fault {
            Some(Fault::GatewayTimeout { after_commit: true }) => gateway_timeout(&call),
            _ => reply,
        };
        let mut res = self.send(reply, &call);
        match fault {
            Some(Fault::Slow { ms }) => delay_ms += ms,
            Some(Fault::ResetAfterCommit) => transport = Transport::Reset,
            Some(Fault::MalformedJson) => malformed = true,
            Some(Fault::TruncatedBody) => transport = Transport::TruncateAfter { bytes: 0 },
            _ => {}
        }
        if malformed {
            // A stray closing brace after the document: unmistakably not JSON, deterministic.
            res.body.push('}');
        }
        if let Transport::TruncateAfter { .. } = transport {
            transport = Transport::TruncateAfter {
                bytes: res.body.len() / 2,
            };
        }
        res.delay_ms = delay_ms;
        res.transport = transport;
        res
    }

    /// Turns a reply into HTTP with Graph's standard headers.
    fn send(&self, reply: Reply, call: &Call) -> SimResponse {
        let content_type = if reply.status >= 400 {
            "application/json"
        } else {
            JSON_CONTENT_TYPE
        };
        let body = reply
            .body
            .as_ref()
            .map(Value::to_string)
            .unwrap_or_default();
        let mut res = SimResponse::new(reply.status, content_type, body)
            .with_header("request-id", call.request_id)
            .with_header("client-request-id", call.client_request_id);
        if reply.body.is_none() {
            res.headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        }
        res.headers.extend(reply.headers);
        res
    }

    /// Routes an authenticated request (the outer request or one inside a `$batch`).
    pub(crate) fn dispatch(&mut self, call: &Call, host: Option<&str>) -> Reply {
        let grant = match self.authenticate(call, host) {
            Ok(grant) => grant,
            Err(reply) => return reply,
        };
        let segments: Vec<&str> = call.path.split('/').filter(|s| !s.is_empty()).collect();
        let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
        let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        let m = call.method;
        use Permission::*;
        let (permission, handler): (Permission, Handler) = match (lower.as_slice(), m) {
            (["identity", "conditionalaccess", "policies"], "GET") => {
                (CaRead, SimTenant::list_policies)
            }
            (["identity", "conditionalaccess", "policies"], "POST") => {
                (CaWrite, SimTenant::create_policy)
            }
            (["identity", "conditionalaccess", "policies", _], "GET") => {
                (CaRead, SimTenant::get_policy)
            }
            (["identity", "conditionalaccess", "policies", _], "PATCH") => {
                (CaWrite, SimTenant::update_policy)
            }
            (["identity", "conditionalaccess", "policies", _], "DELETE") => {
                (CaWrite, SimTenant::delete_policy)
            }
            (["identity", "conditionalaccess", "namedlocations"], "GET") => {
                (CaRead, SimTenant::list_locations)
            }
            (["identity", "conditionalaccess", "namedlocations"], "POST") => {
                (CaWrite, SimTenant::create_location)
            }
            (["identity", "conditionalaccess", "namedlocations", _], "GET") => {
                (CaRead, SimTenant::get_location)
            }
            (["identity", "conditionalaccess", "namedlocations", _], "PATCH") => {
                (CaWrite, SimTenant::update_location)
            }
            (["identity", "conditionalaccess", "namedlocations", _], "DELETE") => {
                (CaWrite, SimTenant::delete_location)
            }
            (["policies", "identitysecuritydefaultsenforcementpolicy"], "GET") => {
                (SecurityDefaultsRead, SimTenant::get_security_defaults)
            }
            (["policies", "identitysecuritydefaultsenforcementpolicy"], "PATCH") => {
                (SecurityDefaultsWrite, SimTenant::update_security_defaults)
            }
            (["subscribedskus"], "GET") => (Licences, SimTenant::list_skus),
            (["organization"], "GET") => (Profile, SimTenant::list_organization),
            (["me"], "GET") => (Profile, SimTenant::get_me),
            (["me", "memberof" | "transitivememberof"], "GET")
            | (
                ["me", "memberof" | "transitivememberof", "microsoft.graph.directoryrole" | "microsoft.graph.group"],
                "GET",
            ) => (Memberships, SimTenant::list_my_memberships),
            (["users"], "GET") => (Users, SimTenant::list_users),
            (["users", _], "GET") => (Users, SimTenant::get_user),
            (["directoryobjects", "getbyids"], "POST") => (Directory, SimTenant::get_by_ids),
            (["auditlogs", "signins"], "GET") => (SignInLogs, SimTenant::list_sign_ins),
            _ => return route_error(call, &lower),
        };
        if !grant.scopes.iter().any(|s| {
            permission
                .scopes()
                .iter()
                .any(|p| p.eq_ignore_ascii_case(s))
        }) {
            return if permission.is_conditional_access() {
                call.error(403, "AccessDenied", "You cannot perform the requested operation, required scopes are missing in the token.")
            } else {
                call.error(
                    403,
                    "Authorization_RequestDenied",
                    "Insufficient privileges to complete the operation.",
                )
            };
        }
        if let Some((roles, names)) = permission.roles() {
            if !self.has_any_role(&grant.user_id, roles) {
                // The Conditional Access service's answer (captured for reads; the list of roles
                // for writes is assumed from the roles documented as able to write).
                return call.error(
                    403,
                    "AccessDenied",
                    &format!("Your account does not have access to this report or data. Please contact your global administrator to request access. One of the following roles is required: {names}."),
                );
            }
        }
        handler(self, call, &grant, &segments)
    }

    /// Checks the bearer token: present, issued by this tenant, for this cloud's Graph, unexpired.
    fn authenticate(&self, call: &Call, host: Option<&str>) -> Result<AccessGrant, Reply> {
        let unauthenticated = |message: &str| {
            call.error(401, "InvalidAuthenticationToken", message).header(
                "WWW-Authenticate",
                &format!(
                    "Bearer realm=\"\", authorization_uri=\"https://{}/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                    self.cloud.login_host()
                ),
            )
        };
        let token = call
            .header("authorization")
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .unwrap_or("");
        if token.is_empty() {
            return Err(unauthenticated("Access token is empty."));
        }
        if token.split('.').count() < 3 {
            return Err(unauthenticated("IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'."));
        }
        let Some(grant) = self.issued.access_token(token) else {
            return Err(unauthenticated("Access token validation failure."));
        };
        let graph_host = host.unwrap_or(self.cloud.graph_host());
        if !grant.audience_host.eq_ignore_ascii_case(graph_host) {
            return Err(unauthenticated(
                "Access token validation failure. Invalid audience.",
            ));
        }
        if call.now >= grant.expires_at {
            return Err(unauthenticated(
                "Lifetime validation failed, the token is expired.",
            ));
        }
        Ok(grant.clone())
    }

    /// `POST /$batch`: each inner request runs as its own request (own faults, own status),
    /// in order; `dependsOn` makes a request wait for, and fail with, the ones it names.
    fn batch(&mut self, call: &Call, host: Option<&str>) -> BatchOutcome {
        let mut outcome = BatchOutcome::default();
        let fail = |reply: Reply| BatchOutcome {
            reply,
            ..BatchOutcome::default()
        };
        if call.method != "POST" {
            return fail(call.error(
                405,
                "BadRequest",
                "Specified HTTP method is not allowed for the request target.",
            ));
        }
        let body = match call.json_body() {
            Ok(body) => body,
            Err(reply) => return fail(reply),
        };
        let invalid = || call.error(400, "BadRequest", "Invalid batch payload format.");
        let Some(requests) = body.get("requests").and_then(Value::as_array) else {
            return fail(invalid());
        };
        if requests.len() > MAX_BATCH_REQUESTS {
            // Assumed wording: Graph documents the limit of 20, not the error text.
            return fail(call.error(
                400,
                "BadRequest",
                &format!(
                    "The batch contains {} requests; the limit is {MAX_BATCH_REQUESTS}.",
                    requests.len()
                ),
            ));
        }
        let mut ids: Vec<&str> = Vec::new();
        for r in requests {
            let (Some(id), Some(_), Some(url)) = (
                r.get("id").and_then(Value::as_str),
                r.get("method").and_then(Value::as_str),
                r.get("url").and_then(Value::as_str),
            ) else {
                return fail(invalid());
            };
            if ids.contains(&id) || url.starts_with("http") {
                return fail(invalid());
            }
            let has_content_type = r
                .get("headers")
                .and_then(Value::as_object)
                .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("content-type")));
            if r.get("body").is_some_and(|b| !b.is_null()) && !has_content_type {
                return fail(call.error(
                    400,
                    "BadRequest",
                    &format!(
                        "Write request id : {id} does not contain Content-Type header or body."
                    ),
                ));
            }
            ids.push(id);
        }
        for r in requests {
            for dep in r
                .get("dependsOn")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if !dep.as_str().is_some_and(|d| ids.contains(&d)) {
                    return fail(invalid());
                }
            }
        }

        let mut responses = Vec::with_capacity(requests.len());
        let mut statuses: Vec<(String, u16)> = Vec::new();
        for r in requests {
            let id = r["id"].as_str().unwrap_or_default().to_owned();
            let method = r["method"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_uppercase();
            let url = r["url"].as_str().unwrap_or_default();
            let url = if url.starts_with('/') {
                url.to_owned()
            } else {
                format!("/{url}")
            };
            let failed_dependency =
                r.get("dependsOn")
                    .and_then(Value::as_array)
                    .is_some_and(|deps| {
                        deps.iter().any(|d| {
                            statuses
                                .iter()
                                .any(|(sid, st)| Some(sid.as_str()) == d.as_str() && *st >= 400)
                        })
                    });
            let mut headers: Vec<(String, String)> = call
                .headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                .cloned()
                .collect();
            if let Some(h) = r.get("headers").and_then(Value::as_object) {
                headers.extend(
                    h.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))),
                );
            }
            let body_text = r.get("body").filter(|b| !b.is_null()).map(Value::to_string);
            let (path, query_text) = url.split_once('?').unwrap_or((&url, ""));
            let query = crate::graph::codec::parse_query(query_text);
            let inner = Call {
                method: &method,
                version: call.version,
                path,
                query: &query,
                headers: &headers,
                body: body_text.as_deref(),
                now: call.now,
                base: call.base.clone(),
                request_id: call.request_id,
                client_request_id: call.client_request_id,
            };
            let reply = if failed_dependency {
                inner.error(
                    424,
                    "FailedDependency",
                    "The request was not run because a request it depends on failed.",
                )
            } else {
                let fault = take_fault(&mut self.faults, FaultService::Graph, &method, path);
                match fault.and_then(|f| fault_before_commit(f, &inner)) {
                    Some(reply) => {
                        outcome.reset |= fault == Some(Fault::ResetBeforeCommit);
                        reply
                    }
                    None => {
                        let reply = self.dispatch(&inner, host);
                        match fault {
                            Some(Fault::GatewayTimeout { after_commit: true }) => {
                                gateway_timeout(&inner)
                            }
                            Some(Fault::Slow { ms }) => {
                                outcome.delay_ms += ms;
                                reply
                            }
                            Some(Fault::ResetAfterCommit) => {
                                outcome.reset = true;
                                reply
                            }
                            Some(Fault::MalformedJson) => {
                                outcome.malformed = true;
                                reply
                            }
                            Some(Fault::TruncatedBody) => {
                                outcome.truncated = true;
                                reply
                            }
                            _ => reply,
                        }
                    }
                }
            };
            statuses.push((id.clone(), reply.status));
            let mut entry = Map::new();
            entry.insert("id".to_owned(), Value::String(id));
            entry.insert("status".to_owned(), Value::from(reply.status));
            let mut inner_headers = Map::new();
            if reply.body.is_some() {
                let content_type = if reply.status >= 400 {
                    "application/json"
                } else {
                    JSON_CONTENT_TYPE
                };
                inner_headers.insert(
                    "Content-Type".to_owned(),
                    Value::String(content_type.to_owned()),
                );
            }
            for (k, v) in &reply.headers {
                inner_headers.insert(k.clone(), Value::String(v.clone()));
            }
            entry.insert("headers".to_owned(), Value::Object(inner_headers));
            if let Some(body) = reply.body {
                entry.insert("body".to_owned(), body);
            }
            responses.push(Value::Object(entry));
        }
        outcome.reply = Reply::ok(json!({ "responses": responses }));
        outcome
    }
}

#[derive(Default)]
struct BatchOutcome {
    reply: Reply,
    delay_ms: u64,
    reset: bool,
    malformed: bool,
    truncated: bool,
}

impl Default for Reply {
    fn default() -> Reply {
        Reply::no_content()
    }
}

/// `("v1.0", "/me")` from `/v1.0/me`; the version is `None` when it is neither `v1.0` nor `beta`.
fn split_version(path: &str) -> (Option<&'static str>, &str) {
    let rest = path.strip_prefix('/').unwrap_or(path);
    let (first, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if first.eq_ignore_ascii_case("v1.0") {
        (Some("v1.0"), tail)
    } else if first.eq_ignore_ascii_case("beta") {
        (Some("beta"), tail)
    } else {
        (None, path)
    }
}

/// The routes, by lower-case segment (`{}` = any id), to name the segment Graph cannot resolve.
const ROUTES: &[&[&str]] = &[
    &["identity", "conditionalaccess", "policies", "{}"],
    &["identity", "conditionalaccess", "namedlocations", "{}"],
    &["policies", "identitysecuritydefaultsenforcementpolicy"],
    &["subscribedskus"],
    &["organization"],
    &["me", "memberof", "microsoft.graph.directoryrole"],
    &["me", "memberof", "microsoft.graph.group"],
    &["me", "transitivememberof", "microsoft.graph.directoryrole"],
    &["me", "transitivememberof", "microsoft.graph.group"],
    &["users", "{}"],
    &["directoryobjects", "getbyids"],
];

fn route_error(call: &Call, lower: &[&str]) -> Reply {
    let known_path = ROUTES.iter().any(|route| {
        (lower.len() == route.len() || lower.len() + 1 == route.len() && !lower.is_empty())
            && lower
                .iter()
                .zip(route.iter())
                .all(|(s, r)| *r == "{}" || s == r)
    });
    if known_path {
        return call.error(
            405,
            "BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        );
    }
    let original: Vec<&str> = call.path.split('/').filter(|s| !s.is_empty()).collect();
    let bad = (0..lower.len())
        .find(|&i| {
            !ROUTES.iter().any(|route| {
                route.len() > i
                    && lower[..=i]
                        .iter()
                        .zip(route.iter())
                        .all(|(s, r)| *r == "{}" || s == r)
            })
        })
        .map_or("", |i| original[i]);
    call.error(
        400,
        "BadRequest",
        &format!("Resource not found for the segment '{bad}'."),
    )
}

/// The answer of a fault that stops the request before it is processed; `None` for faults
/// that let it through.
fn fault_before_commit(fault: Fault, call: &Call) -> Option<Reply> {
    let with_retry_after = |reply: Reply, seconds: Option<u32>| match seconds {
        Some(s) => reply.header("Retry-After", &s.to_string()),
        None => reply,
    };
    match fault {
        Fault::Throttle { retry_after_s } => Some(with_retry_after(
            call.error(
                429,
                "TooManyRequests",
                "Too many requests. Retry after the time given in the Retry-After header.",
            ),
            retry_after_s,
        )),
        Fault::ServiceUnavailable { retry_after_s } => Some(with_retry_after(
            call.error(
                503,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry later.",
            ),
            retry_after_s,
        )),
        Fault::GatewayTimeout {
            after_commit: false,
        } => Some(gateway_timeout(call)),
        Fault::InternalError => Some(call.error(
            500,
            "InternalServerError",
            "An internal server error occurred while processing the request.",
        )),
        Fault::TokenExpired => Some(call.error(
            401,
            "InvalidAuthenticationToken",
            "Lifetime validation failed, the token is expired.",
        )),
        // The client sees only the reset; the status is never sent.
        Fault::ResetBeforeCommit => {
            Some(call.error(503, "serviceNotAvailable", "The connection was reset."))
        }
        Fault::GatewayTimeout { after_commit: true }
        | Fault::Slow { .. }
        | Fault::ResetAfterCommit
        | Fault::MalformedJson
        | Fault::TruncatedBody => None,
    }
}

fn gateway_timeout(call: &Call) -> Reply {
    call.error(
        504,
        "GatewayTimeout",
        "The gateway did not receive a response from the service in time.",
    )
}

/// One page of a collection: `$top` (1–999) or the tenant's page size, continued with an
/// opaque `$skiptoken`. Returns the page and the `@odata.nextLink`, or Graph's error.
pub(crate) fn page<T: Clone>(
    call: &Call,
    items: &[T],
    default_size: Option<usize>,
    collection_path: &str,
) -> Result<(Vec<T>, Option<String>), Reply> {
    let top = match call.query("$top") {
        None => None,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=999).contains(&n) => Some(n),
            _ => return Err(call.error(
                400,
                "Request_BadRequest",
                &format!(
                    "Invalid page size specified: '{text}'. Must be between 1 and 999 inclusive."
                ),
            )),
        },
    };
    let offset = match call.query("$skiptoken") {
        None => 0,
        Some(token) => match decode_skiptoken(token) {
            Some(offset) if offset <= items.len() => offset,
            _ => {
                return Err(call.error(
                    400,
                    "Request_BadRequest",
                    "The $skiptoken value is not valid.",
                ))
            }
        },
    };
    let size = top.or(default_size).unwrap_or(usize::MAX);
    let end = offset.saturating_add(size).min(items.len());
    let next = (end < items.len()).then(|| {
        let token = encode_skiptoken(end);
        match top {
            Some(n) => format!("{}{collection_path}?$top={n}&$skiptoken={token}", call.base),
            None => format!("{}{collection_path}?$skiptoken={token}", call.base),
        }
    });
    Ok((items[offset..end].to_vec(), next))
}

/// Skip tokens look opaque (as Graph's do) but carry the offset.
fn encode_skiptoken(offset: usize) -> String {
    format!(
        "RFNwdAIAAQAAA{}",
        crate::graph::codec::base64url_encode(format!("offset:{offset}").as_bytes())
    )
}

fn decode_skiptoken(token: &str) -> Option<usize> {
    let raw = crate::graph::codec::base64url_decode(token.strip_prefix("RFNwdAIAAQAAA")?)?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

/// Keeps `id`, annotations and the `$select`ed properties of an object.
pub(crate) fn select(value: Value, fields: Option<&[String]>) -> Value {
    let (Some(fields), Value::Object(map)) = (fields, &value) else {
        return value;
    };
    let kept: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| {
            k.as_str() == "id"
                || k.starts_with('@')
                || fields.iter().any(|f| f.eq_ignore_ascii_case(k))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(kept)
}

/// The `$select` list, if any.
pub(crate) fn selected(call: &Call) -> Option<Vec<String>> {
    call.query("$select").map(|s| {
        s.split(',')
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect()
    })
}

/// A collection answer with `@odata.context` and, when more remain, `@odata.nextLink`.
pub(crate) fn collection(
    call: &Call,
    context: &str,
    items: Vec<Value>,
    next: Option<String>,
) -> Reply {
    let mut body = Map::new();
    body.insert(
        "@odata.context".to_owned(),
        Value::String(format!("{}/$metadata#{context}", call.base)),
    );
    if let Some(next) = next {
        body.insert("@odata.nextLink".to_owned(), Value::String(next));
    }
    body.insert("value".to_owned(), Value::Array(items));
    Reply::ok(Value::Object(body))
}

/// An entity answer with its `@odata.context`.
pub(crate) fn entity(call: &Call, context: &str, value: Value) -> Value {
    let mut body = Map::new();
    body.insert(
        "@odata.context".to_owned(),
        Value::String(format!("{}/$metadata#{context}/$entity", call.base)),
    );
    if let Value::Object(map) = value {
        body.extend(map);
    }
    Value::Object(body)
}

/// `201 Created` with `Location`.
pub(crate) fn created(call: &Call, collection_path: &str, id: &str, body: Value) -> Reply {
    Reply {
        status: 201,
        headers: Vec::new(),
        body: Some(body),
    }
    .header("Location", &format!("{}{collection_path}/{id}", call.base))
}

/// Role template id of Reports Reader.
const ROLE_REPORTS_READER: &str = "4a5d8f65-41da-4de4-8968-e035b65339cf";
/// Role template id of Security Operator.
const ROLE_SECURITY_OPERATOR: &str = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f";
/// Roles that may read the sign-in logs.
const SIGN_IN_LOG_READERS: &[&str] = &[
    ROLE_GLOBAL_ADMINISTRATOR,
    ROLE_SECURITY_ADMINISTRATOR,
    ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR,
    super::ROLE_SECURITY_READER,
    super::ROLE_GLOBAL_READER,
    ROLE_REPORTS_READER,
    ROLE_SECURITY_OPERATOR,
];
/// The "My Sign-Ins" application, where users register security info.
const MY_SIGN_INS_APP_ID: &str = "19db86c3-b2b9-44cc-b339-36da233a3be2";

/// A GUID-shaped id hashed from `seed` (stable across runs, like the sim's other ids).
fn hashed_guid(seed: &str) -> String {
    let digest = crate::graph::codec::sha256(seed.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-4{}-a{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
}

/// Graph's name of a grant control in `enforcedGrantControls`.
fn grant_control_name(control: &crate::engine::whatif::GrantControl) -> String {
    use crate::engine::whatif::GrantControl::*;
    match control {
        Mfa => "Mfa".to_owned(),
        AuthenticationStrength { .. } => "RequireAuthenticationStrength".to_owned(),
        CompliantDevice => "RequireCompliantDevice".to_owned(),
        DomainJoinedDevice => "RequireDomainJoinedDevice".to_owned(),
        ApprovedApplication => "RequireApprovedApp".to_owned(),
        CompliantApplication => "RequireCompliantApp".to_owned(),
        PasswordChange => "PasswordChange".to_owned(),
        TermsOfUse { id } | CustomFactor { id } => id.clone(),
        Other { name } => name.clone(),
    }
}

impl SimTenant {
    /// The correlation id of persona `key`'s attempt to register security info, as its block page
    /// and the sign-in log show it.
    ///
    /// ```
    /// use registration_guard::sim::SimTenant;
    /// let tenant = SimTenant::contoso_demo();
    /// assert_eq!(tenant.registration_correlation_id("guest").len(), 36);
    /// ```
    pub fn registration_correlation_id(&self, key: &str) -> String {
        hashed_guid(&format!("{}#sign-in#{key}", self.tenant_id))
    }

    /// The tenant's sign-in log as `GET /auditLogs/signIns` lists it: each persona's attempt to
    /// register security info, decided by the what-if engine under the tenant's current policies,
    /// logged when Conditional Access blocked it (the events users meet as error 53003).
    pub fn sign_in_log(&self, now: u64) -> Vec<Value> {
        use crate::engine::whatif::{Applicability, Decision, SignInTarget, WhatIfEngine};
        let engine = WhatIfEngine::new(&self.snapshot());
        let mut events = Vec::new();
        for persona in &self.personas {
            let Some(sign_in) = self.persona_sign_in(&persona.key, SignInTarget::register_security_info()) else {
                continue;
            };
            let Ok(report) = engine.evaluate(&sign_in) else { continue };
            if !matches!(report.decision, Decision::Blocked { .. }) {
                continue;
            }
            let applied = |evaluation: &crate::engine::whatif::PolicyEvaluation, report_only: bool| {
                let applies = evaluation.result == Applicability::Applies;
                let result = match (report_only, applies, evaluation.blocks) {
                    (false, true, true) => "failure",
                    (false, true, false) => "success",
                    (false, false, _) => "notApplied",
                    (true, true, true) => "reportOnlyFailure",
                    (true, true, false) => "reportOnlySuccess",
                    (true, false, _) => "reportOnlyNotApplied",
                };
                let controls: Vec<String> = if !applies {
                    Vec::new()
                } else if evaluation.blocks {
                    vec!["Block".to_owned()]
                } else {
                    evaluation.requirement.iter().flat_map(|r| r.controls.iter().map(grant_control_name)).collect()
                };
                json!({
                    "id": evaluation.policy.id,
                    "displayName": evaluation.policy.display_name,
                    "enforcedGrantControls": controls,
                    "enforcedSessionControls": [],
                    "result": result,
                })
            };
            let mut policies: Vec<Value> = report.enforced.iter().map(|e| applied(e, false)).collect();
            policies.extend(report.report_only.iter().map(|e| applied(e, true)));
            policies.extend(report.ignored_disabled.iter().map(|p| {
                json!({"id": p.id, "displayName": p.display_name, "enforcedGrantControls": [],
                       "enforcedSessionControls": [], "result": "notEnabled"})
            }));
            let upn = self.user(&persona.user_id).map(|u| u.user_principal_name.clone());
            events.push(json!({
                "id": hashed_guid(&format!("{}#sign-in-event#{}", self.tenant_id, persona.key)),
                "createdDateTime": super::http::iso_time(now),
                "userDisplayName": self.user(&persona.user_id).map(|u| u.display_name.clone()),
                "userPrincipalName": upn,
                "userId": persona.user_id,
                "appId": MY_SIGN_INS_APP_ID,
                "appDisplayName": "My Signins",
                "correlationId": self.registration_correlation_id(&persona.key),
                "ipAddress": persona.ip_address,
                "clientAppUsed": "Browser",
                "conditionalAccessStatus": "failure",
                "isInteractive": true,
                "appliedConditionalAccessPolicies": policies,
                "status": {
                    "errorCode": 53003,
                    "failureReason": "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
                    "additionalDetails": null,
                },
            }));
        }
        events
    }

    /// `GET /auditLogs/signIns`: only `$filter=correlationId eq '<guid>'` (what Registration Guard
    /// asks) and `$top`; a reader role and an Entra ID P1/P2 licence are required, as in Graph.
    pub(crate) fn list_sign_ins(&mut self, call: &Call, grant: &AccessGrant, _: &[&str]) -> Reply {
        if !self.has_any_role(&grant.user_id, SIGN_IN_LOG_READERS) {
            return call.error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
        }
        if !self.licences().p1 {
            return call.error(
                403,
                "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                "Neither tenant is B2C or tenant doesn't have premium license",
            );
        }
        let mut events = self.sign_in_log(call.now);
        if let Some(filter) = call.query("$filter") {
            let wanted = filter
                .trim()
                .strip_prefix("correlationId eq '")
                .and_then(|rest| rest.strip_suffix('\''))
                .filter(|id| crate::messages::is_guid(id));
            let Some(wanted) = wanted else {
                return call.error(400, "Request_UnsupportedQuery", &format!("Invalid filter clause: {filter}"));
            };
            events.retain(|e| e["correlationId"].as_str().is_some_and(|c| c.eq_ignore_ascii_case(wanted)));
        }
        if let Some(top) = call.query("$top") {
            match top.parse::<usize>() {
                Ok(n) if (1..=1000).contains(&n) => events.truncate(n),
                _ => return call.error(400, "Request_BadRequest", &format!("Invalid $top value: {top}")),
            }
        }
        collection(call, "auditLogs/signIns", events, None)
    }
}
