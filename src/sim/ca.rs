//! Conditional Access endpoints: policies, named locations, security defaults.

use super::graph::{collection, created, entity, page, select, selected, Call, Reply};
use super::http::iso_time;
use super::login::AccessGrant;
use super::validate;
use super::SimTenant;
use crate::engine::model::{ConditionalAccessPolicy, NamedLocation, PolicyState};
use serde_json::{json, Map, Value};

const POLICIES: &str = "/identity/conditionalAccess/policies";
const LOCATIONS: &str = "/identity/conditionalAccess/namedLocations";

/// Graph's text when security defaults block a policy (captured by third parties).
pub const SECURITY_DEFAULTS_ERROR: &str =
    "Security Defaults is enabled in the tenant. You must disable Security defaults before enabling a Conditional Access policy.";

/// Graph's text when a policy uses P2 features the tenant lacks (captured by third parties).
pub const P2_REQUIRED_ERROR: &str =
    "1039: Cannot create or update policies with premium P2 features. Upgrade to a premium P2 license and try again.";

/// **Assumed** text for a tenant without Entra ID P1: Microsoft documents that Conditional
/// Access needs P1 but not the error Graph returns. The shape follows the confirmed `1039`
/// error of the same service (400 `BadRequest`), without inventing a numeric code.
pub const P1_REQUIRED_ERROR: &str =
    "Cannot create or update Conditional Access policies without a Microsoft Entra ID P1 or P2 license. Upgrade to a premium license and try again.";

/// **Assumed** text when security defaults are turned on while policies are on (the admin
/// center refuses this; Graph's exact words are not documented).
pub const POLICIES_ENABLED_ERROR: &str =
    "Conditional Access policies are enabled in the tenant. Turn them off before enabling Security defaults.";

impl SimTenant {
    pub(crate) fn list_policies(&mut self, call: &Call, _: &AccessGrant, _: &[&str]) -> Reply {
        let items: Vec<Value> = self
            .policies
            .iter()
            .map(ConditionalAccessPolicy::to_graph_json)
            .collect();
        list(
            call,
            &items,
            self.page_size,
            POLICIES,
            "identity/conditionalAccess/policies",
        )
    }

    pub(crate) fn get_policy(&mut self, call: &Call, _: &AccessGrant, segments: &[&str]) -> Reply {
        match self.policy_index(segments[3]) {
            Some(i) => Reply::ok(entity(
                call,
                "identity/conditionalAccess/policies",
                select(self.policies[i].to_graph_json(), selected(call).as_deref()),
            )),
            None => not_found(call, segments[3]),
        }
    }

    pub(crate) fn create_policy(&mut self, call: &Call, _: &AccessGrant, _: &[&str]) -> Reply {
        let body = match call.json_body() {
            Ok(body) => body,
            Err(reply) => return reply,
        };
        if let Err(message) = validate::policy_properties(&body) {
            return call.error(400, "BadRequest", &message);
        }
        let mut policy = match self.checked_policy(call, &body) {
            Ok(policy) => policy,
            Err(reply) => return reply,
        };
        let id = self.new_id();
        policy.id = Some(id.clone());
        // Read-only properties are Graph's to set, whatever the body said.
        policy.extra.shift_remove("id");
        policy.extra.insert("templateId".to_owned(), Value::Null);
        policy.extra.insert(
            "createdDateTime".to_owned(),
            Value::String(iso_time(call.now)),
        );
        policy
            .extra
            .insert("modifiedDateTime".to_owned(), Value::Null);
        let json = policy.to_graph_json();
        self.policies.push(policy);
        created(
            call,
            POLICIES,
            &id,
            entity(call, "identity/conditionalAccess/policies", json),
        )
    }

    pub(crate) fn update_policy(
        &mut self,
        call: &Call,
        _: &AccessGrant,
        segments: &[&str],
    ) -> Reply {
        let Some(index) = self.policy_index(segments[3]) else {
            return not_found(call, segments[3]);
        };
        let patch = match call.json_body() {
            Ok(body) => body,
            Err(reply) => return reply,
        };
        if let Err(message) = validate::policy_properties(&patch) {
            return call.error(400, "BadRequest", &message);
        }
        let mut merged = self.policies[index].to_graph_json();
        merge(&mut merged, &patch);
        let mut policy = match self.checked_policy(call, &merged) {
            Ok(policy) => policy,
            Err(reply) => return reply,
        };
        let previous = &self.policies[index];
        policy.id = previous.id.clone();
        for key in ["templateId", "createdDateTime"] {
            policy.extra.insert(
                key.to_owned(),
                previous.extra.get(key).cloned().unwrap_or(Value::Null),
            );
        }
        policy.extra.insert(
            "modifiedDateTime".to_owned(),
            Value::String(iso_time(call.now)),
        );
        self.policies[index] = policy;
        Reply::no_content()
    }

    pub(crate) fn delete_policy(
        &mut self,
        call: &Call,
        _: &AccessGrant,
        segments: &[&str],
    ) -> Reply {
        match self.policy_index(segments[3]) {
            Some(i) => {
                self.policies.remove(i);
                Reply::no_content()
            }
            None => not_found(call, segments[3]),
        }
    }

    /// Tenant-level checks (licences, security defaults) and body validation of a whole policy.
    fn checked_policy(&self, call: &Call, body: &Value) -> Result<ConditionalAccessPolicy, Reply> {
        let licences = self.licences();
        if !licences.p1 {
            return Err(call.error(400, "BadRequest", P1_REQUIRED_ERROR));
        }
        let policy = validate::policy(body, self)
            .map_err(|message| call.error(400, "BadRequest", &message))?;
        let c = &policy.conditions;
        if !licences.p2 && (!c.sign_in_risk_levels.is_empty() || !c.user_risk_levels.is_empty()) {
            return Err(call.error(400, "BadRequest", P2_REQUIRED_ERROR));
        }
        // Report-only policies are evaluated at every sign-in, so they count as enabling
        // Conditional Access; only Off policies can exist beside security defaults (assumed:
        // the captured text says "enabling", the admin center offers only Off).
        if self.security_defaults_enabled && policy.state != PolicyState::Disabled {
            return Err(call.error(400, "BadRequest", SECURITY_DEFAULTS_ERROR));
        }
        Ok(policy)
    }

    fn policy_index(&self, id: &str) -> Option<usize> {
        self.policies.iter().position(|p| {
            p.id.as_deref()
                .is_some_and(|pid| pid.eq_ignore_ascii_case(id))
        })
    }

    pub(crate) fn list_locations(&mut self, call: &Call, _: &AccessGrant, _: &[&str]) -> Reply {
        let items: Vec<Value> = self
            .named_locations
            .iter()
            .map(NamedLocation::to_graph_json)
            .collect();
        list(
            call,
            &items,
            self.page_size,
            LOCATIONS,
            "identity/conditionalAccess/namedLocations",
        )
    }

    pub(crate) fn get_location(
        &mut self,
        call: &Call,
        _: &AccessGrant,
        segments: &[&str],
    ) -> Reply {
        match self.location_index(segments[3]) {
            Some(i) => Reply::ok(entity(
                call,
                "identity/conditionalAccess/namedLocations",
                select(
                    self.named_locations[i].to_graph_json(),
                    selected(call).as_deref(),
                ),
            )),
            None => not_found(call, segments[3]),
        }
    }

    pub(crate) fn create_location(&mut self, call: &Call, _: &AccessGrant, _: &[&str]) -> Reply {
        let body = match call.json_body() {
            Ok(body) => body,
            Err(reply) => return reply,
        };
        let location = match validate::named_location(&body, self.named_locations.len()) {
            Ok(location) => location,
            Err(message) => return call.error(400, "BadRequest", &message),
        };
        let id = self.new_id();
        let location = stamp_location(location, &id, call.now, true);
        let json = location.to_graph_json();
        self.named_locations.push(location);
        created(
            call,
            LOCATIONS,
            &id,
            entity(call, "identity/conditionalAccess/namedLocations", json),
        )
    }

    pub(crate) fn update_location(
        &mut self,
        call: &Call,
        _: &AccessGrant,
        segments: &[&str],
    ) -> Reply {
        let Some(index) = self.location_index(segments[3]) else {
            return not_found(call, segments[3]);
        };
        let patch = match call.json_body() {
            Ok(body) => body,
            Err(reply) => return reply,
        };
        let mut merged = self.named_locations[index].to_graph_json();
        merge(&mut merged, &patch);
        let location = match validate::named_location(&merged, self.named_locations.len() - 1) {
            Ok(location) => location,
            Err(message) => return call.error(400, "BadRequest", &message),
        };
        let id = self.named_locations[index]
            .id()
            .unwrap_or_default()
            .to_owned();
        self.named_locations[index] = stamp_location(location, &id, call.now, false);
        Reply::no_content()
    }

    pub(crate) fn delete_location(
        &mut self,
        call: &Call,
        _: &AccessGrant,
        segments: &[&str],
    ) -> Reply {
        let Some(index) = self.location_index(segments[3]) else {
            return not_found(call, segments[3]);
        };
        let id = self.named_locations[index]
            .id()
            .unwrap_or_default()
            .to_owned();
        let users: Vec<&str> = self
            .policies
            .iter()
            .filter(|p| {
                p.conditions.locations.as_ref().is_some_and(|l| {
                    l.include_locations
                        .iter()
                        .chain(&l.exclude_locations)
                        .any(|x| x.eq_ignore_ascii_case(&id))
                })
            })
            .map(|p| p.display_name.as_str())
            .collect();
        if !users.is_empty() {
            // Assumed wording: the admin center refuses to delete a location in use.
            return call.error(
                400,
                "BadRequest",
                &format!(
                    "The named location is used by Conditional Access policies ({}); remove it from them before deleting it.",
                    users.join(", ")
                ),
            );
        }
        self.named_locations.remove(index);
        Reply::no_content()
    }

    fn location_index(&self, id: &str) -> Option<usize> {
        self.named_locations
            .iter()
            .position(|l| l.id().is_some_and(|lid| lid.eq_ignore_ascii_case(id)))
    }

    pub(crate) fn get_security_defaults(
        &mut self,
        call: &Call,
        _: &AccessGrant,
        _: &[&str],
    ) -> Reply {
        Reply::ok(entity(
            call,
            "policies/identitySecurityDefaultsEnforcementPolicy",
            self.security_defaults_json(),
        ))
    }

    pub(crate) fn update_security_defaults(
        &mut self,
        call: &Call,
        _: &AccessGrant,
        _: &[&str],
    ) -> Reply {
        let patch = match call.json_body() {
            Ok(body) => body,
            Err(reply) => return reply,
        };
        let Some(map) = patch.as_object() else {
            return call.error(400, "BadRequest", "The request body must be a JSON object.");
        };
        if let Some(unknown) = map
            .keys()
            .find(|k| !k.contains('@') && k.as_str() != "isEnabled")
        {
            return call.error(
                400,
                "BadRequest",
                &format!("The property '{unknown}' does not exist on type 'microsoft.graph.identitySecurityDefaultsEnforcementPolicy'. Make sure to only use property names that are defined by the type or mark the type as open type."),
            );
        }
        match map.get("isEnabled") {
            Some(Value::Bool(enable)) => {
                if *enable
                    && self
                        .policies
                        .iter()
                        .any(|p| p.state != PolicyState::Disabled)
                {
                    return call.error(400, "BadRequest", POLICIES_ENABLED_ERROR);
                }
                self.security_defaults_enabled = *enable;
                Reply::no_content()
            }
            Some(other) => call.error(
                400,
                "BadRequest",
                &format!(
                    "Cannot convert the literal '{other}' to the expected type 'Edm.Boolean'."
                ),
            ),
            None => Reply::no_content(),
        }
    }

    fn security_defaults_json(&self) -> Value {
        json!({
            "id": "00000000-0000-0000-0000-000000000005",
            "displayName": "Security Defaults",
            "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft. When enabled, these recommendations will be automatically enforced in your organization. Administrators and users will be better protected from common identity related attacks.",
            "isEnabled": self.security_defaults_enabled,
        })
    }
}

fn list(
    call: &Call,
    items: &[Value],
    page_size: Option<usize>,
    path: &str,
    context: &str,
) -> Reply {
    match page(call, items, page_size, path) {
        Ok((items, next)) => {
            let fields = selected(call);
            let items = items
                .into_iter()
                .map(|v| select(v, fields.as_deref()))
                .collect();
            collection(call, context, items, next)
        }
        Err(reply) => reply,
    }
}

/// **Assumed** wording; the shape is Graph's.
fn not_found(call: &Call, id: &str) -> Reply {
    call.error(404, "ResourceNotFound", &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."))
}

/// Sets the id and Graph's timestamps of a named location.
fn stamp_location(location: NamedLocation, id: &str, now: u64, creating: bool) -> NamedLocation {
    let stamp = |mut extra: Map<String, Value>| {
        extra.shift_remove("id");
        if creating || !extra.contains_key("createdDateTime") {
            extra.insert("createdDateTime".to_owned(), Value::String(iso_time(now)));
        }
        extra.insert("modifiedDateTime".to_owned(), Value::String(iso_time(now)));
        extra
    };
    let id = Some(id.to_owned());
    match location {
        NamedLocation::Ip {
            display_name,
            is_trusted,
            ip_ranges,
            extra,
            ..
        } => NamedLocation::Ip {
            id,
            display_name,
            is_trusted,
            ip_ranges,
            extra: stamp(extra),
        },
        NamedLocation::Country {
            display_name,
            countries_and_regions,
            include_unknown,
            lookup_method,
            extra,
            ..
        } => NamedLocation::Country {
            id,
            display_name,
            countries_and_regions,
            include_unknown,
            lookup_method,
            extra: stamp(extra),
        },
        NamedLocation::Other {
            odata_type,
            display_name,
            is_trusted,
            extra,
            ..
        } => NamedLocation::Other {
            odata_type,
            id,
            display_name,
            is_trusted,
            extra: stamp(extra),
        },
    }
}

/// JSON merge of a PATCH body: objects merge key by key, anything else replaces.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}
