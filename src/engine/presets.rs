//! The three ways to protect security-info registration, and the exact Graph body each
//! one posts.
//!
//! Every preset targets the user action [`USER_ACTION_REGISTER_SECURITY_INFO`] for all
//! client apps, in every location except the trusted ones, is created report-only unless
//! asked otherwise, and always excludes the signed-in administrator and the tenant's
//! emergency-access (break-glass) accounts.

use crate::engine::model::{
    BuiltInControl, ClientAppType, ConditionalAccessApplications, ConditionalAccessLocations,
    ConditionalAccessPolicy, ConditionalAccessUsers, Conditions, ExternalTenants, GrantControls,
    GrantOperator, GuestOrExternalUserType, GuestsOrExternalUsers, PolicyState, TenantSnapshot,
    ALL, ALL_TRUSTED, GUESTS_OR_EXTERNAL_USERS, ROLE_GLOBAL_ADMINISTRATOR,
    USER_ACTION_REGISTER_SECURITY_INFO,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// A ready-made policy for security-info registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Preset {
    /// The classic setting: block registration outside trusted locations.
    BlockOutsideTrusted,
    /// Microsoft's template "Securing security info registration": require MFA outside
    /// trusted locations, guests and the Global Administrator role excluded.
    RequireMfaOutsideTrusted,
    /// Microsoft's guest variant: block guests and external users outside trusted locations.
    BlockGuestsOutsideTrusted,
}

impl Preset {
    /// Every preset, in the order the panel offers them.
    pub const ALL: [Preset; 3] = [
        Preset::RequireMfaOutsideTrusted,
        Preset::BlockOutsideTrusted,
        Preset::BlockGuestsOutsideTrusted,
    ];

    /// Short name for the admin.
    pub fn label(self) -> &'static str {
        match self {
            Preset::BlockOutsideTrusted => "Block outside trusted locations",
            Preset::RequireMfaOutsideTrusted => "Require MFA outside trusted locations",
            Preset::BlockGuestsOutsideTrusted => "Block guests outside trusted locations",
        }
    }

    /// The trade-off, in one sentence.
    pub fn trade_off(self) -> &'static str {
        match self {
            Preset::BlockOutsideTrusted => {
                "Strongest: users outside trusted locations cannot register at all, not even with a Temporary Access Pass."
            }
            Preset::RequireMfaOutsideTrusted => {
                "Remote new hires can onboard with a Temporary Access Pass, which also makes it weaker if a pass leaks."
            }
            Preset::BlockGuestsOutsideTrusted => {
                "Microsoft's variant for guests, who cannot use a Temporary Access Pass: only guests and external users are blocked."
            }
        }
    }

    /// The display name a new policy gets unless the admin chooses one.
    pub fn default_display_name(self) -> &'static str {
        match self {
            Preset::BlockOutsideTrusted => {
                "Block security info registration outside trusted locations"
            }
            Preset::RequireMfaOutsideTrusted => {
                "Require MFA for security info registration outside trusted locations"
            }
            Preset::BlockGuestsOutsideTrusted => {
                "Block guest security info registration outside trusted locations"
            }
        }
    }

    /// The grant control the preset uses.
    pub fn grant(self) -> BuiltInControl {
        match self {
            Preset::RequireMfaOutsideTrusted => BuiltInControl::Mfa,
            Preset::BlockOutsideTrusted | Preset::BlockGuestsOutsideTrusted => {
                BuiltInControl::Block
            }
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Who the policy applies to (before exclusions).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum UserScope {
    /// Every user (for the guest preset: every guest and external user).
    #[default]
    AllUsers,
    /// Only these users and members of these groups (object ids).
    Selected {
        users: Vec<String>,
        groups: Vec<String>,
    },
}

/// The admin's choices for a plan. The signed-in admin and the snapshot's break-glass
/// accounts are excluded whatever these say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlanOptions {
    pub scope: UserScope,
    /// User object ids to leave out.
    pub exclude_users: Vec<String>,
    /// Group object ids to leave out.
    pub exclude_groups: Vec<String>,
    /// Directory role template ids to leave out.
    pub exclude_roles: Vec<String>,
    /// Leave out guests and external users (always so for the MFA preset, which follows
    /// Microsoft's template; refused for the guest preset).
    pub exclude_guests: bool,
    /// Report-only unless the admin chooses otherwise.
    pub state: PolicyState,
    /// `None` for the preset's default name.
    pub display_name: Option<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            scope: UserScope::AllUsers,
            exclude_users: Vec::new(),
            exclude_groups: Vec::new(),
            exclude_roles: Vec::new(),
            exclude_guests: false,
            state: PolicyState::EnabledForReportingButNotEnforced,
            display_name: None,
        }
    }
}

/// The policy about to be created, for the admin to review.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub preset: Preset,
    /// The typed policy (no id yet).
    pub policy: ConditionalAccessPolicy,
    /// The exact body of `POST /identity/conditionalAccess/policies`.
    pub body: Value,
    /// Set when the chosen name was taken and a suffix was added: the name asked for.
    pub renamed_from: Option<String>,
    /// Things the admin should know before creating it.
    pub warnings: Vec<String>,
}

impl Plan {
    /// The body as indented JSON, as shown in the review.
    pub fn body_pretty(&self) -> String {
        serde_json::to_string_pretty(&self.body).expect("a JSON value always serializes")
    }
}

/// Why a plan cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The display name is empty or only spaces.
    EmptyDisplayName,
    /// Selected users and groups, but none given.
    EmptyScope,
    /// The guest preset targets every guest; a selection does not apply to it.
    GuestPresetIsForAllGuests,
    /// Excluding guests from the guest preset would leave nobody in the policy.
    GuestPresetCannotExcludeGuests,
    /// An id that is not an object id (GUID).
    InvalidId { field: &'static str, value: String },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::EmptyDisplayName => f.write_str("Give the policy a name."),
            PlanError::EmptyScope => f.write_str("Choose at least one user or group, or apply the policy to all users."),
            PlanError::GuestPresetIsForAllGuests => f.write_str(
                "The guest preset applies to every guest and external user. To limit the policy to chosen \
                 users or groups, use \"Block outside trusted locations\" with a selection instead.",
            ),
            PlanError::GuestPresetCannotExcludeGuests => f.write_str(
                "The guest preset applies only to guests and external users; excluding them would leave \
                 nobody in the policy. Turn off \"exclude guests\" or choose another preset.",
            ),
            PlanError::InvalidId { field, value } => write!(
                f,
                "{value:?} in {field} is not an object id (a GUID such as 00000000-0000-0000-0000-000000000000). \
                 Copy the Object ID from the user, group or role page in the admin center."
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// Whether `s` is a GUID in the 8-4-4-4-12 form Entra uses for object ids.
pub fn is_object_id(s: &str) -> bool {
    crate::context::is_guid(s)
}

fn push_unique(list: &mut Vec<String>, id: &str) {
    if !list
        .iter()
        .any(|existing| existing.eq_ignore_ascii_case(id))
    {
        list.push(id.to_owned());
    }
}

fn checked<'a>(field: &'static str, ids: &'a [String]) -> Result<&'a [String], PlanError> {
    match ids.iter().find(|id| !is_object_id(id)) {
        Some(bad) => Err(PlanError::InvalidId {
            field,
            value: bad.clone(),
        }),
        None => Ok(ids),
    }
}

/// A display name not used by any policy of the tenant (compared case-insensitively,
/// ignoring surrounding spaces): the wanted name, or it with " (2)", " (3)", … added.
pub fn unique_display_name(snapshot: &TenantSnapshot, wanted: &str) -> String {
    let taken = |name: &str| {
        snapshot
            .policies
            .iter()
            .any(|p| p.display_name.trim().to_lowercase() == name.trim().to_lowercase())
    };
    if !taken(wanted) {
        return wanted.to_owned();
    }
    (2..)
        .map(|n| format!("{wanted} ({n})"))
        .find(|candidate| !taken(candidate))
        .expect("an unbounded range always yields a free name")
}

/// Builds the policy a preset creates in this tenant.
///
/// ```
/// use registration_guard::engine::model::TenantSnapshot;
/// use registration_guard::engine::presets::{build_plan, PlanOptions, Preset};
/// let plan = build_plan(&TenantSnapshot::default(), Preset::BlockOutsideTrusted, &PlanOptions::default()).unwrap();
/// assert_eq!(plan.body["state"], "enabledForReportingButNotEnforced");
/// assert_eq!(plan.body["grantControls"]["builtInControls"][0], "block");
/// assert_eq!(plan.body["conditions"]["locations"]["excludeLocations"][0], "AllTrusted");
/// ```
pub fn build_plan(
    snapshot: &TenantSnapshot,
    preset: Preset,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let wanted = options
        .display_name
        .as_deref()
        .unwrap_or(preset.default_display_name());
    if wanted.trim().is_empty() {
        return Err(PlanError::EmptyDisplayName);
    }
    if preset == Preset::BlockGuestsOutsideTrusted && options.exclude_guests {
        return Err(PlanError::GuestPresetCannotExcludeGuests);
    }
    let mut warnings = Vec::new();
    let mut users = ConditionalAccessUsers::default();

    match (&options.scope, preset) {
        (UserScope::AllUsers, Preset::BlockGuestsOutsideTrusted) => {
            users.include_guests_or_external_users = Some(GuestsOrExternalUsers {
                guest_or_external_user_types: GuestOrExternalUserType::ALL_KINDS.to_vec(),
                external_tenants: Some(ExternalTenants::all()),
                extra: Map::new(),
            });
        }
        (UserScope::AllUsers, _) => users.include_users.push(ALL.to_owned()),
        (UserScope::Selected { .. }, Preset::BlockGuestsOutsideTrusted) => {
            return Err(PlanError::GuestPresetIsForAllGuests)
        }
        (UserScope::Selected { users: ids, groups }, _) => {
            if ids.is_empty() && groups.is_empty() {
                return Err(PlanError::EmptyScope);
            }
            for id in checked("the selected users", ids)? {
                push_unique(&mut users.include_users, id);
            }
            for id in checked("the selected groups", groups)? {
                push_unique(&mut users.include_groups, id);
            }
        }
    }

    match &snapshot.admin {
        Some(admin) => {
            checked("the signed-in administrator", std::slice::from_ref(&admin.id))?;
            push_unique(&mut users.exclude_users, &admin.id);
        }
        None => warnings.push(
            "The signed-in administrator is not known, so no administrator is excluded: add your own account \
             to the excluded users before creating the policy."
                .to_owned(),
        ),
    }
    for id in checked("the break-glass accounts", &snapshot.break_glass)? {
        push_unique(&mut users.exclude_users, id);
    }
    if snapshot.break_glass.is_empty() {
        warnings.push(
            "No emergency-access (break-glass) accounts are configured: add them in the options so the policy \
             always leaves them out."
                .to_owned(),
        );
    }
    for id in checked("the excluded users", &options.exclude_users)? {
        push_unique(&mut users.exclude_users, id);
    }
    for id in checked("the excluded groups", &options.exclude_groups)? {
        push_unique(&mut users.exclude_groups, id);
    }
    let excludes_guests = match preset {
        Preset::RequireMfaOutsideTrusted => true,
        Preset::BlockOutsideTrusted | Preset::BlockGuestsOutsideTrusted => options.exclude_guests,
    };
    if excludes_guests {
        push_unique(&mut users.exclude_users, GUESTS_OR_EXTERNAL_USERS);
    }
    if preset == Preset::RequireMfaOutsideTrusted {
        push_unique(&mut users.exclude_roles, ROLE_GLOBAL_ADMINISTRATOR);
    }
    for id in checked("the excluded roles", &options.exclude_roles)? {
        push_unique(&mut users.exclude_roles, id);
    }

    let display_name = unique_display_name(snapshot, wanted);
    let renamed_from = (display_name != wanted).then(|| wanted.to_owned());

    let policy = ConditionalAccessPolicy {
        id: None,
        display_name,
        state: options.state,
        conditions: Conditions {
            users,
            // With a user action the portal sends no applications; Graph treats the two as exclusive.
            applications: ConditionalAccessApplications {
                include_user_actions: vec![USER_ACTION_REGISTER_SECURITY_INFO.to_owned()],
                ..ConditionalAccessApplications::default()
            },
            // Registration also happens from native apps (Authenticator); only "all" covers them.
            client_app_types: vec![ClientAppType::All],
            locations: Some(ConditionalAccessLocations {
                include_locations: vec![ALL.to_owned()],
                exclude_locations: vec![ALL_TRUSTED.to_owned()],
                extra: Map::new(),
            }),
            ..Conditions::default()
        },
        grant_controls: Some(GrantControls {
            operator: GrantOperator::Or,
            built_in_controls: vec![preset.grant()],
            ..GrantControls::default()
        }),
        session_controls: None,
        extra: Map::new(),
    };
    let body = policy.to_graph_json();
    Ok(Plan {
        preset,
        policy,
        body,
        renamed_from,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_guids_only() {
        assert!(is_object_id("62e90394-69f5-4237-9190-012177145e10"));
        assert!(is_object_id("62E90394-69F5-4237-9190-012177145E10"));
        assert!(!is_object_id("Current administrator will be excluded"));
        assert!(!is_object_id("62e90394-69f5-4237-9190-012177145e1"));
        assert!(!is_object_id("62e90394x69f5-4237-9190-012177145e10"));
        assert!(!is_object_id("All"));
    }
}
