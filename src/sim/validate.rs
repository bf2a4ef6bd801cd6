//! Validation of policy and named-location bodies, the way Graph rejects them (400).
//!
//! Confirmed texts (captured from Graph by third parties): unknown properties (the OData
//! library's message), unknown enumeration values (`Requested value 'x' was not found.`),
//! `1039` for P2 features. Every other message here is **assumed**: Graph rejects these bodies,
//! but no Microsoft document gives its exact words, so the simulation says plainly what is wrong.

use super::SimTenant;
use crate::context::is_guid;
use crate::engine::cidr::Cidr;
use crate::engine::model::{
    BuiltInControl, ClientAppType, ConditionalAccessPolicy, DevicePlatform, FromGraph,
    NamedLocation, RiskLevel, ALL, ALL_TRUSTED, GUESTS_OR_EXTERNAL_USERS, NONE,
    ODATA_COUNTRY_NAMED_LOCATION, ODATA_IP_NAMED_LOCATION, TEMPLATE_CURRENT_ADMIN_PLACEHOLDER,
    USER_ACTION_REGISTER_DEVICE, USER_ACTION_REGISTER_SECURITY_INFO,
};
use serde_json::Value;

/// Most named locations a tenant can hold.
pub const MAX_NAMED_LOCATIONS: usize = 195;
/// Most IP ranges in one named location.
pub const MAX_RANGES_PER_LOCATION: usize = 2000;
/// IP ranges must be narrower than this prefix length (`/8` and wider are refused).
pub const MIN_PREFIX_EXCLUSIVE: u8 = 8;

/// Properties of each Graph type the simulation knows, for the unknown-property check.
const POLICY: (&str, &[&str]) = (
    "microsoft.graph.conditionalAccessPolicy",
    &[
        "id",
        "templateId",
        "displayName",
        "createdDateTime",
        "modifiedDateTime",
        "state",
        "conditions",
        "grantControls",
        "sessionControls",
    ],
);
const CONDITIONS: (&str, &[&str]) = (
    "microsoft.graph.conditionalAccessConditionSet",
    &[
        "users",
        "applications",
        "clientApplications",
        "clientAppTypes",
        "locations",
        "platforms",
        "devices",
        "signInRiskLevels",
        "userRiskLevels",
        "servicePrincipalRiskLevels",
        "insiderRiskLevels",
        "authenticationFlows",
    ],
);
const USERS: (&str, &[&str]) = (
    "microsoft.graph.conditionalAccessUsers",
    &[
        "includeUsers",
        "excludeUsers",
        "includeGroups",
        "excludeGroups",
        "includeRoles",
        "excludeRoles",
        "includeGuestsOrExternalUsers",
        "excludeGuestsOrExternalUsers",
    ],
);
const APPLICATIONS: (&str, &[&str]) = (
    "microsoft.graph.conditionalAccessApplications",
    &[
        "includeApplications",
        "excludeApplications",
        "includeUserActions",
        "includeAuthenticationContextClassReferences",
        "applicationFilter",
        "globalSecureAccess",
        "networkAccess",
    ],
);
const LOCATIONS: (&str, &[&str]) = (
    "microsoft.graph.conditionalAccessLocations",
    &["includeLocations", "excludeLocations"],
);
const PLATFORMS: (&str, &[&str]) = (
    "microsoft.graph.conditionalAccessPlatforms",
    &["includePlatforms", "excludePlatforms"],
);
const GRANT: (&str, &[&str]) = (
    "microsoft.graph.conditionalAccessGrantControls",
    &[
        "operator",
        "builtInControls",
        "customAuthenticationFactors",
        "termsOfUse",
        "authenticationStrength",
    ],
);
const IP_LOCATION: (&str, &[&str]) = (
    "microsoft.graph.ipNamedLocation",
    &[
        "id",
        "displayName",
        "createdDateTime",
        "modifiedDateTime",
        "isTrusted",
        "ipRanges",
    ],
);
const COUNTRY_LOCATION: (&str, &[&str]) = (
    "microsoft.graph.countryNamedLocation",
    &[
        "id",
        "displayName",
        "createdDateTime",
        "modifiedDateTime",
        "countriesAndRegions",
        "includeUnknownCountriesAndRegions",
        "countryLookupMethod",
    ],
);
const IP_RANGE: (&str, &[&str]) = ("microsoft.graph.ipRange", &["cidrAddress"]);

/// Graph's answer to a property its type does not define (instance annotations such as
/// `@odata.type` are always allowed).
fn known_properties(value: &Value, (type_name, allowed): (&str, &[&str])) -> Result<(), String> {
    let Value::Object(map) = value else {
        return Ok(());
    };
    match map.keys().find(|k| !k.contains('@') && !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(format!(
            "The property '{unknown}' does not exist on type '{type_name}'. Make sure to only use property names that are defined by the type or mark the type as open type."
        )),
        None => Ok(()),
    }
}

/// Checks the properties of a policy body and of the objects inside it.
pub(crate) fn policy_properties(body: &Value) -> Result<(), String> {
    known_properties(body, POLICY)?;
    if let Some(conditions) = body.get("conditions") {
        known_properties(conditions, CONDITIONS)?;
        for (key, schema) in [
            ("users", USERS),
            ("applications", APPLICATIONS),
            ("locations", LOCATIONS),
            ("platforms", PLATFORMS),
        ] {
            if let Some(part) = conditions.get(key) {
                known_properties(part, schema)?;
            }
        }
    }
    if let Some(grant) = body.get("grantControls") {
        known_properties(grant, GRANT)?;
    }
    Ok(())
}

fn not_found(value: &str) -> String {
    format!("Requested value '{value}' was not found.")
}

/// Reads and checks a whole policy (a creation body, or the result of applying a PATCH).
pub(crate) fn policy(body: &Value, tenant: &SimTenant) -> Result<ConditionalAccessPolicy, String> {
    if !body.is_object() {
        return Err(
            "The request body must be a JSON object describing a conditionalAccessPolicy."
                .to_owned(),
        );
    }
    match body.get("displayName") {
        Some(Value::String(name)) if !name.trim().is_empty() => {}
        _ => return Err("The policy needs a displayName: a non-empty name.".to_owned()),
    }
    match body.get("state") {
        Some(Value::String(state)) => {
            if !["enabled", "disabled", "enabledForReportingButNotEnforced"]
                .contains(&state.as_str())
            {
                return Err(not_found(state));
            }
        }
        _ => {
            return Err(
                "The policy needs a state: enabled, disabled or enabledForReportingButNotEnforced."
                    .to_owned(),
            )
        }
    }
    let policy = ConditionalAccessPolicy::from_graph(body.clone(), "$")
        .map_err(|e| format!("The request body is not a valid conditionalAccessPolicy: {e}."))?;
    let c = &policy.conditions;

    if let Some(other) = c
        .client_app_types
        .iter()
        .find(|t| matches!(t, ClientAppType::Other(_)))
    {
        return Err(not_found(other.as_str()));
    }
    if c.client_app_types.is_empty() {
        return Err(
            "conditions.clientAppTypes must list at least one client app type (use \"all\")."
                .to_owned(),
        );
    }
    for risk in c.sign_in_risk_levels.iter().chain(&c.user_risk_levels) {
        if let RiskLevel::Other(v) = risk {
            return Err(not_found(v));
        }
    }
    if let Some(platforms) = &c.platforms {
        for p in platforms
            .include_platforms
            .iter()
            .chain(&platforms.exclude_platforms)
        {
            if let DevicePlatform::Other(v) = p {
                return Err(not_found(v));
            }
        }
    }

    let users = &c.users;
    if users.include_users.is_empty()
        && users.include_groups.is_empty()
        && users.include_roles.is_empty()
        && users.include_guests_or_external_users.is_none()
    {
        return Err("conditions.users must include someone: set includeUsers (an id, All or None), includeGroups, includeRoles or includeGuestsOrExternalUsers.".to_owned());
    }
    for (field, ids) in [
        ("includeUsers", &users.include_users),
        ("excludeUsers", &users.exclude_users),
    ] {
        for id in ids {
            if id == TEMPLATE_CURRENT_ADMIN_PLACEHOLDER {
                return Err(format!(
                    "conditions.users.{field} contains the template placeholder '{id}': replace it with the object id of the administrator to exclude."
                ));
            }
            if !(is_guid(id)
                || [ALL, NONE, GUESTS_OR_EXTERNAL_USERS]
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(id)))
            {
                return Err(format!(
                    "conditions.users.{field} contains '{id}', which is not a user object id (GUID), All, None or GuestsOrExternalUsers."
                ));
            }
        }
    }
    for (field, ids) in [
        ("includeGroups", &users.include_groups),
        ("excludeGroups", &users.exclude_groups),
        ("includeRoles", &users.include_roles),
        ("excludeRoles", &users.exclude_roles),
    ] {
        if let Some(bad) = ids.iter().find(|id| !is_guid(id)) {
            return Err(format!(
                "conditions.users.{field} contains '{bad}', which is not an object id (GUID)."
            ));
        }
    }

    let apps = &c.applications;
    let targets_apps = !apps.include_applications.is_empty();
    let targets_actions = !apps.include_user_actions.is_empty();
    if targets_apps && targets_actions {
        return Err("A policy targets either cloud apps or user actions: when includeUserActions is set, includeApplications must be empty.".to_owned());
    }
    if !targets_apps
        && !targets_actions
        && apps
            .include_authentication_context_class_references
            .is_empty()
    {
        return Err("conditions.applications must target something: includeApplications, includeUserActions or includeAuthenticationContextClassReferences.".to_owned());
    }
    if let Some(bad) = apps.include_user_actions.iter().find(|a| {
        !a.eq_ignore_ascii_case(USER_ACTION_REGISTER_SECURITY_INFO)
            && !a.eq_ignore_ascii_case(USER_ACTION_REGISTER_DEVICE)
    }) {
        return Err(format!(
            "'{bad}' is not a user action: use {USER_ACTION_REGISTER_SECURITY_INFO} or {USER_ACTION_REGISTER_DEVICE}."
        ));
    }

    if let Some(locations) = &c.locations {
        for id in locations
            .include_locations
            .iter()
            .chain(&locations.exclude_locations)
        {
            let keyword = id.eq_ignore_ascii_case(ALL) || id.eq_ignore_ascii_case(ALL_TRUSTED);
            let known = tenant
                .named_locations
                .iter()
                .any(|l| l.id().is_some_and(|lid| lid.eq_ignore_ascii_case(id)));
            if !keyword && !known {
                return Err(format!(
                    "The named location '{id}' does not exist in this tenant: create it first, or use All or AllTrusted."
                ));
            }
        }
    }

    match &policy.grant_controls {
        Some(grant) => {
            if let Some(BuiltInControl::Other(v)) = grant
                .built_in_controls
                .iter()
                .find(|b| matches!(b, BuiltInControl::Other(_)))
            {
                return Err(not_found(v));
            }
            if grant.built_in_controls.contains(&BuiltInControl::Block)
                && grant.built_in_controls.len() > 1
            {
                return Err("Block access cannot be combined with other grant controls.".to_owned());
            }
            let grants_something = !grant.built_in_controls.is_empty()
                || grant.authentication_strength.is_some()
                || !grant.terms_of_use.is_empty()
                || !grant.custom_authentication_factors.is_empty();
            if !grants_something && policy.session_controls.is_none() {
                return Err("The policy needs a grant control (builtInControls, authenticationStrength or termsOfUse) or session controls.".to_owned());
            }
        }
        None if policy.session_controls.is_none() => {
            return Err("The policy needs grantControls or sessionControls.".to_owned());
        }
        None => {}
    }
    Ok(policy)
}

/// Reads and checks a named location body; `others` is how many locations the tenant already
/// holds besides this one.
pub(crate) fn named_location(body: &Value, others: usize) -> Result<NamedLocation, String> {
    let odata_type = body
        .get("@odata.type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let schema = if odata_type.eq_ignore_ascii_case(ODATA_IP_NAMED_LOCATION) {
        IP_LOCATION
    } else if odata_type.eq_ignore_ascii_case(ODATA_COUNTRY_NAMED_LOCATION) {
        COUNTRY_LOCATION
    } else {
        return Err(format!(
            "@odata.type must be {ODATA_IP_NAMED_LOCATION} or {ODATA_COUNTRY_NAMED_LOCATION}; a named location of another kind cannot be created here."
        ));
    };
    known_properties(body, schema)?;
    if others >= MAX_NAMED_LOCATIONS {
        return Err(format!("The tenant already has {others} named locations, the most Conditional Access allows ({MAX_NAMED_LOCATIONS})."));
    }
    match body.get("displayName") {
        Some(Value::String(name)) if !name.trim().is_empty() => {}
        _ => return Err("The named location needs a displayName: a non-empty name.".to_owned()),
    }
    if schema.0 == IP_LOCATION.0 {
        let ranges = body
            .get("ipRanges")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if ranges.is_empty() {
            return Err("An IP named location needs at least one range in ipRanges.".to_owned());
        }
        if ranges.len() > MAX_RANGES_PER_LOCATION {
            return Err(format!(
                "An IP named location holds at most {MAX_RANGES_PER_LOCATION} ranges; this one has {}.",
                ranges.len()
            ));
        }
        for range in ranges {
            known_properties(range, IP_RANGE)?;
            let text = range
                .get("cidrAddress")
                .and_then(Value::as_str)
                .unwrap_or("");
            let cidr = Cidr::parse(text).map_err(|e| format!("ipRanges: {e}."))?;
            if !text.contains('/') {
                return Err(format!(
                    "ipRanges: '{text}' needs a prefix length, e.g. {text}/32."
                ));
            }
            if cidr.prefix() <= MIN_PREFIX_EXCLUSIVE {
                return Err(format!(
                    "ipRanges: '{text}' is too wide: prefixes must be longer than /{MIN_PREFIX_EXCLUSIVE}."
                ));
            }
            let kind = range
                .get("@odata.type")
                .and_then(Value::as_str)
                .unwrap_or("");
            let expected = if cidr.is_ipv4() {
                "#microsoft.graph.iPv4CidrRange"
            } else {
                "#microsoft.graph.iPv6CidrRange"
            };
            if !kind.eq_ignore_ascii_case(expected) {
                return Err(format!(
                    "ipRanges: '{text}' must be given with @odata.type {expected}."
                ));
            }
        }
    } else {
        if body.get("isTrusted").is_some() {
            return Err(format!(
                "The property 'isTrusted' does not exist on type '{}'. Make sure to only use property names that are defined by the type or mark the type as open type.",
                COUNTRY_LOCATION.0
            ));
        }
        let countries = body
            .get("countriesAndRegions")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let include_unknown = body
            .get("includeUnknownCountriesAndRegions")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if countries.is_empty() && !include_unknown {
            return Err(
                "A country named location needs at least one country in countriesAndRegions."
                    .to_owned(),
            );
        }
        if let Some(bad) = countries.iter().find(|c| {
            !c.as_str()
                .is_some_and(|s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()))
        }) {
            return Err(format!("countriesAndRegions: {bad} is not a two-letter ISO 3166 country code such as \"FR\"."));
        }
        if let Some(method) = body.get("countryLookupMethod").and_then(Value::as_str) {
            if !["clientIpAddress", "authenticatorAppGps"].contains(&method) {
                return Err(not_found(method));
            }
        }
    }
    NamedLocation::from_graph(body.clone(), "$")
        .map_err(|e| format!("The request body is not a valid named location: {e}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_recognised_strictly() {
        assert!(is_guid("62e90394-69f5-4237-9190-012177145e10"));
        assert!(!is_guid("62e90394-69f5-4237-9190-012177145e1"));
        assert!(!is_guid("Current administrator will be excluded"));
        assert!(!is_guid("62e90394_69f5-4237-9190-012177145e10"));
    }
}
