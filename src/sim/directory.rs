//! Directory endpoints: the signed-in user, memberships, user search, objects by id, the
//! organization and its licences.

use super::graph::{collection, entity, page, Call, Reply};
use super::login::AccessGrant;
use super::{SimGroup, SimTenant, SimUser, UserType};
use serde_json::{json, Value};

/// Properties of `microsoft.graph.user` the simulation serves.
const USER_PROPERTIES: &[&str] = &[
    "id",
    "displayName",
    "userPrincipalName",
    "mail",
    "jobTitle",
    "userType",
    "accountEnabled",
    "givenName",
    "surname",
    "businessPhones",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "creationType",
    "externalUserState",
];

/// What Graph returns for a user without `$select`.
const USER_DEFAULT: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Properties `$filter` and `$search` accept on users here.
const USER_QUERYABLE: &[&str] = &[
    "id",
    "displayName",
    "userPrincipalName",
    "mail",
    "userType",
    "givenName",
    "surname",
];

impl SimUser {
    fn property(&self, name: &str) -> Value {
        let guest = self.user_type == UserType::Guest;
        match name {
            "id" => json!(self.id),
            "displayName" => json!(self.display_name),
            "userPrincipalName" => json!(self.user_principal_name),
            "mail" => json!(self.mail),
            "jobTitle" => json!(self.job_title),
            "userType" => json!(self.user_type.as_str()),
            "accountEnabled" => json!(true),
            "businessPhones" => json!([]),
            "creationType" => json!(guest.then_some("Invitation")),
            "externalUserState" => json!(guest.then_some("Accepted")),
            _ => Value::Null,
        }
    }

    /// The user as Graph shows it, with the default or the `$select`ed properties.
    fn to_graph(&self, fields: Option<&[String]>) -> Value {
        let mut map = serde_json::Map::new();
        match fields {
            Some(fields) => {
                for f in fields {
                    if let Some(name) = USER_PROPERTIES.iter().find(|p| p.eq_ignore_ascii_case(f)) {
                        map.insert((*name).to_owned(), self.property(name));
                    }
                }
                map.insert("id".to_owned(), self.property("id"));
            }
            None => {
                for name in USER_DEFAULT {
                    map.insert((*name).to_owned(), self.property(name));
                }
            }
        }
        Value::Object(map)
    }

    /// The text a `$filter`/`$search` clause compares, `None` for properties without one.
    fn text(&self, name: &str) -> Option<String> {
        match self.property(name) {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl SimGroup {
    fn to_graph(&self) -> Value {
        json!({
            "@odata.type": "#microsoft.graph.group",
            "id": self.id,
            "displayName": self.display_name,
            "description": self.description,
            "securityEnabled": true,
            "mailEnabled": false,
            "groupTypes": [],
        })
    }
}

impl SimTenant {
    pub(crate) fn get_me(&mut self, call: &Call, grant: &AccessGrant, _: &[&str]) -> Reply {
        let fields = match user_select(call) {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        match self.user(&grant.user_id) {
            Some(user) => Reply::ok(entity(call, "users", user.to_graph(fields.as_deref()))),
            None => user_not_found(call, &grant.user_id),
        }
    }

    pub(crate) fn get_user(&mut self, call: &Call, _: &AccessGrant, segments: &[&str]) -> Reply {
        let fields = match user_select(call) {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        match self.user(segments[1]) {
            Some(user) => Reply::ok(entity(call, "users", user.to_graph(fields.as_deref()))),
            None => user_not_found(call, segments[1]),
        }
    }

    /// `/me/memberOf` and `/me/transitiveMemberOf` (the simulated directory has no nested
    /// groups, so both list the same objects): groups and activated directory roles, or only
    /// one kind with an OData cast (`/microsoft.graph.directoryRole`). `$count=true` needs
    /// `ConsistencyLevel: eventual`, as on `/users`.
    pub(crate) fn list_my_memberships(
        &mut self,
        call: &Call,
        grant: &AccessGrant,
        segments: &[&str],
    ) -> Reply {
        let Some(user) = self.user(&grant.user_id) else {
            return user_not_found(call, &grant.user_id);
        };
        let cast = segments.get(2).map(|s| s.to_ascii_lowercase());
        let wants = |kind: &str| cast.as_deref().map_or(true, |c| c == kind);
        let mut items: Vec<Value> = Vec::new();
        if wants("microsoft.graph.group") {
            items.extend(
                self.groups
                    .iter()
                    .filter(|g| {
                        user.group_ids
                            .iter()
                            .any(|id| id.eq_ignore_ascii_case(&g.id))
                    })
                    .map(SimGroup::to_graph),
            );
        }
        if wants("microsoft.graph.directoryrole") {
            items.extend(
                self.directory_roles
                    .iter()
                    .filter(|r| {
                        user.role_template_ids
                            .iter()
                            .any(|t| t.eq_ignore_ascii_case(&r.role_template_id))
                    })
                    .map(role_json),
            );
        }
        let count = match counted(call) {
            Ok(count) => count,
            Err(reply) => return reply,
        };
        let total = items.len();
        let fields = super::graph::selected(call);
        let context = match cast.as_deref() {
            Some("microsoft.graph.directoryrole") => "directoryRoles",
            Some(_) => "groups",
            None => "directoryObjects",
        };
        match page(call, &items, self.page_size, call.path) {
            Ok((items, next)) => {
                let items = items
                    .into_iter()
                    .map(|v| super::graph::select(v, fields.as_deref()))
                    .collect();
                with_count(
                    collection(call, context, items, next),
                    count.then_some(total),
                )
            }
            Err(reply) => reply,
        }
    }

    /// `/users` with `$search` (needs `ConsistencyLevel: eventual`), `$filter` (`startswith`,
    /// `eq`, joined by `and`/`or`), `$select`, `$top` and `$count`.
    pub(crate) fn list_users(&mut self, call: &Call, _: &AccessGrant, _: &[&str]) -> Reply {
        let eventual = call
            .header("ConsistencyLevel")
            .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
        let fields = match user_select(call) {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        let mut users: Vec<&SimUser> = self.users.iter().collect();
        if let Some(search) = call.query("$search") {
            if !eventual {
                return call.error(
                    400,
                    "Request_UnsupportedQuery",
                    "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
                );
            }
            let clauses = match parse_search(search) {
                Ok(clauses) => clauses,
                Err(message) => return call.error(400, "Request_UnsupportedQuery", &message),
            };
            users.retain(|u| {
                clauses.matches(|property, term| {
                    u.text(property).is_some_and(|v| search_matches(&v, term))
                })
            });
        }
        if let Some(filter) = call.query("$filter") {
            let clauses = match parse_filter(filter) {
                Ok(clauses) => clauses,
                Err(FilterError::Property(p)) => {
                    return call.error(
                        400,
                        "Request_UnsupportedQuery",
                        &format!("Unsupported or invalid query filter clause specified for property '{p}' of resource 'User'."),
                    )
                }
                Err(FilterError::Syntax) => return call.error(400, "BadRequest", "Invalid filter clause"),
            };
            users.retain(|u| {
                clauses.matches(|property, (op, value)| {
                    u.text(property).is_some_and(|v| match op {
                        Op::StartsWith => v.to_lowercase().starts_with(&value.to_lowercase()),
                        Op::Eq => v.eq_ignore_ascii_case(value),
                    })
                })
            });
        }
        let count = match counted(call) {
            Ok(count) => count,
            Err(reply) => return reply,
        };
        let total = users.len();
        let items: Vec<Value> = users
            .iter()
            .map(|u| u.to_graph(fields.as_deref()))
            .collect();
        match page(call, &items, self.page_size, "/users") {
            Ok((items, next)) => with_count(
                collection(call, "users", items, next),
                count.then_some(total),
            ),
            Err(reply) => reply,
        }
    }

    /// `POST /directoryObjects/getByIds`: the objects among `ids` that exist (users, groups,
    /// directory roles), optionally limited to `types`; unknown ids are left out silently.
    pub(crate) fn get_by_ids(&mut self, call: &Call, _: &AccessGrant, _: &[&str]) -> Reply {
        let body = match call.json_body() {
            Ok(body) => body,
            Err(reply) => return reply,
        };
        let Some(ids) = body.get("ids").and_then(Value::as_array) else {
            return call.error(
                400,
                "Request_BadRequest",
                "Invalid request: the ids parameter is required.",
            );
        };
        if ids.len() > 1000 {
            return call.error(
                400,
                "Request_BadRequest",
                "Too many ids: at most 1000 can be requested at once.",
            );
        }
        let types: Vec<String> = body
            .get("types")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        let wanted = |kind: &str| types.is_empty() || types.iter().any(|t| t == kind);
        let mut items = Vec::new();
        for id in ids.iter().filter_map(Value::as_str) {
            if let Some(user) = self
                .users
                .iter()
                .find(|u| u.id.eq_ignore_ascii_case(id))
                .filter(|_| wanted("user"))
            {
                let mut value = user.to_graph(None);
                if let Value::Object(map) = &mut value {
                    map.insert("userType".to_owned(), user.property("userType"));
                    map.shift_insert(0, "@odata.type".to_owned(), json!("#microsoft.graph.user"));
                }
                items.push(value);
            } else if let Some(group) = self
                .groups
                .iter()
                .find(|g| g.id.eq_ignore_ascii_case(id))
                .filter(|_| wanted("group"))
            {
                items.push(group.to_graph());
            } else if let Some(role) = self
                .directory_roles
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(id))
                .filter(|_| wanted("directoryrole"))
            {
                items.push(role_json(role));
            }
        }
        collection(call, "directoryObjects", items, None)
    }

    pub(crate) fn list_organization(&mut self, call: &Call, _: &AccessGrant, _: &[&str]) -> Reply {
        let org = json!({
            "id": self.tenant_id,
            "displayName": self.display_name,
            "tenantType": "AAD",
            "verifiedDomains": [{
                "capabilities": "Email, OfficeCommunicationsOnline",
                "isDefault": true,
                "isInitial": true,
                "name": self.default_domain,
                "type": "Managed",
            }],
        });
        collection(call, "organization", vec![org], None)
    }

    pub(crate) fn list_skus(&mut self, call: &Call, _: &AccessGrant, _: &[&str]) -> Reply {
        let items = self
            .subscribed_skus
            .iter()
            .map(|sku| {
                json!({
                    "accountId": self.tenant_id,
                    "appliesTo": "User",
                    "capabilityStatus": sku.capability_status,
                    "consumedUnits": sku.consumed_units,
                    "id": format!("{}_{}", self.tenant_id, sku.sku_id),
                    "skuId": sku.sku_id,
                    "skuPartNumber": sku.sku_part_number,
                    "subscriptionIds": [],
                    "prepaidUnits": {"enabled": sku.enabled_units, "suspended": 0, "warning": 0, "lockedOut": 0},
                    "servicePlans": sku.service_plans.iter().map(|p| json!({
                        "servicePlanId": p.service_plan_id,
                        "servicePlanName": p.service_plan_name,
                        "provisioningStatus": "Success",
                        "appliesTo": "User",
                    })).collect::<Vec<_>>(),
                })
            })
            .map(|sku| super::graph::select(sku, super::graph::selected(call).as_deref()))
            .collect();
        collection(call, "subscribedSkus", items, None)
    }
}

/// Whether `$count=true` was asked; directory objects count only as an advanced query
/// (`ConsistencyLevel: eventual`).
fn counted(call: &Call) -> Result<bool, Reply> {
    let count = call
        .query("$count")
        .is_some_and(|c| c.eq_ignore_ascii_case("true"));
    let eventual = call
        .header("ConsistencyLevel")
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
    if count && !eventual {
        return Err(call.error(
            400,
            "Request_BadRequest",
            "$count is not currently supported.",
        ));
    }
    Ok(count)
}

/// Adds `@odata.count` to a collection answer.
fn with_count(mut reply: Reply, total: Option<usize>) -> Reply {
    if let (Some(total), Some(Value::Object(body))) = (total, reply.body.as_mut()) {
        body.shift_insert(1, "@odata.count".to_owned(), json!(total));
    }
    reply
}

fn role_json(role: &super::DirectoryRole) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.directoryRole",
        "id": role.id,
        "displayName": role.display_name,
        "roleTemplateId": role.role_template_id,
    })
}

/// The directory's answer for an id that names no object.
fn user_not_found(call: &Call, id: &str) -> Reply {
    call.error(
        404,
        "Request_ResourceNotFound",
        &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
}

/// The `$select` list, refusing properties `microsoft.graph.user` does not have.
fn user_select(call: &Call) -> Result<Option<Vec<String>>, Reply> {
    let Some(fields) = super::graph::selected(call) else {
        return Ok(None);
    };
    match fields
        .iter()
        .find(|f| !USER_PROPERTIES.iter().any(|p| p.eq_ignore_ascii_case(f)))
    {
        Some(bad) => Err(call.error(
            400,
            "BadRequest",
            &format!("Could not find a property named '{bad}' on type 'microsoft.graph.user'."),
        )),
        None => Ok(Some(fields)),
    }
}

/// Clauses joined by one kind of connective, evaluated left to right.
struct Clauses<T> {
    items: Vec<(String, T)>,
    any: bool,
}

impl<T> Clauses<T> {
    fn matches(&self, mut test: impl FnMut(&str, &T) -> bool) -> bool {
        if self.any {
            self.items.iter().any(|(p, t)| test(p, t))
        } else {
            self.items.iter().all(|(p, t)| test(p, t))
        }
    }
}

fn canonical_property(name: &str) -> Option<&'static str> {
    USER_QUERYABLE
        .iter()
        .find(|p| p.eq_ignore_ascii_case(name.trim()))
        .copied()
}

/// `"displayName:ade" OR "mail:ade"` → clauses. Graph's search matches the start of any word.
fn parse_search(text: &str) -> Result<Clauses<String>, String> {
    let invalid = || {
        format!("Invalid $search value {text}: use \"property:text\" clauses joined by OR or AND, e.g. \"displayName:adele\".")
    };
    let mut items = Vec::new();
    let mut any = true;
    let mut rest = text.trim();
    loop {
        let inner = rest.strip_prefix('"').ok_or_else(invalid)?;
        let end = inner.find('"').ok_or_else(invalid)?;
        let (property, term) = inner[..end].split_once(':').ok_or_else(invalid)?;
        let property = canonical_property(property).ok_or_else(invalid)?;
        items.push((property.to_owned(), term.trim().to_lowercase()));
        rest = inner[end + 1..].trim();
        if rest.is_empty() {
            break;
        }
        let (word, tail) = rest.split_once(' ').ok_or_else(invalid)?;
        match word.to_ascii_uppercase().as_str() {
            "OR" if any || items.len() == 1 => any = true,
            "AND" if !any || items.len() == 1 => any = false,
            _ => return Err(invalid()),
        }
        rest = tail.trim();
    }
    Ok(Clauses { items, any })
}

fn search_matches(value: &str, term: &str) -> bool {
    let value = value.to_lowercase();
    value.starts_with(term)
        || value
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| word.starts_with(term))
}

enum Op {
    StartsWith,
    Eq,
}

enum FilterError {
    Syntax,
    Property(String),
}

/// `startswith(displayName,'ad') or userPrincipalName eq 'x@y'` → clauses.
fn parse_filter(text: &str) -> Result<Clauses<(Op, String)>, FilterError> {
    let mut items = Vec::new();
    let mut any: Option<bool> = None;
    let mut rest = text.trim();
    loop {
        let (property, op, tail) = if let Some(args) = strip_prefix_ci(rest, "startswith(") {
            let (property, after) = args.split_once(',').ok_or(FilterError::Syntax)?;
            (property.trim(), Op::StartsWith, after.trim_start())
        } else {
            let (property, after) = rest.split_once(' ').ok_or(FilterError::Syntax)?;
            let after = strip_prefix_ci(after.trim_start(), "eq ").ok_or(FilterError::Syntax)?;
            (property.trim(), Op::Eq, after.trim_start())
        };
        let (value, after) = quoted(tail).ok_or(FilterError::Syntax)?;
        let after = match op {
            Op::StartsWith => after
                .trim_start()
                .strip_prefix(')')
                .ok_or(FilterError::Syntax)?,
            Op::Eq => after,
        };
        let canonical = canonical_property(property)
            .ok_or_else(|| FilterError::Property(property.to_owned()))?;
        items.push((canonical.to_owned(), (op, value)));
        rest = after.trim();
        if rest.is_empty() {
            break;
        }
        let (connective, tail) = rest.split_once(' ').ok_or(FilterError::Syntax)?;
        let is_or = match connective.to_ascii_lowercase().as_str() {
            "or" => true,
            "and" => false,
            _ => return Err(FilterError::Syntax),
        };
        if any.is_some_and(|a| a != is_or) {
            return Err(FilterError::Syntax);
        }
        any = Some(is_or);
        rest = tail.trim();
    }
    Ok(Clauses {
        items,
        any: any.unwrap_or(false),
    })
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    (text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &text[prefix.len()..])
}

/// A single-quoted OData string (`''` escapes a quote) and what follows it.
fn quoted(text: &str) -> Option<(String, &str)> {
    let inner = text.strip_prefix('\'')?;
    let mut value = String::new();
    let mut chars = inner.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if let Some((_, '\'')) = chars.peek() {
                chars.next();
                value.push('\'');
            } else {
                return Some((value, &inner[i + 1..]));
            }
        } else {
            value.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_parses_startswith_and_eq_with_escaped_quotes() {
        let c =
            parse_filter("startswith(displayName,'O''Brien') or userPrincipalName eq 'a@b.com'")
                .ok()
                .unwrap();
        assert!(c.any);
        assert_eq!(c.items.len(), 2);
        assert_eq!(c.items[0].1 .1, "O'Brien");
        assert!(
            matches!(parse_filter("startswith(department,'x')"), Err(FilterError::Property(p)) if p == "department")
        );
        assert!(matches!(
            parse_filter("displayName gt 'a'"),
            Err(FilterError::Syntax)
        ));
        assert!(matches!(
            parse_filter("startswith(displayName,'a') or displayName eq 'b' and mail eq 'c'"),
            Err(FilterError::Syntax)
        ));
    }

    #[test]
    fn search_matches_the_start_of_any_word() {
        assert!(search_matches("Adele Vance", "van"));
        assert!(search_matches(
            "breakglass01@contoso.onmicrosoft.com",
            "contoso"
        ));
        assert!(!search_matches("Adele Vance", "ele"));
        let c = parse_search("\"displayName:ad\" OR \"mail:ad\"")
            .ok()
            .unwrap();
        assert_eq!(c.items.len(), 2);
        assert!(parse_search("adele").is_err());
    }
}
