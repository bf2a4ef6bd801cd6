//! The coverage verdict: is security-info registration protected — **enforced, for all members,
//! from untrusted locations** — and if not, exactly why.
//!
//! The verdict reads what policies do, never their names. For every policy that bears on
//! registration it weighs:
//! - **state**: only On protects; report-only and Off are named, with the policy id so the panel
//!   can offer "Enforce";
//! - **target**: the user action `urn:user:registersecurityinfo`, or *All resources* (which
//!   Microsoft's What If reports as applying to the action). `urn:user:registerdevice` is a
//!   different action and never counts;
//! - **grant**: block, MFA or an authentication strength. On *All resources* only a block counts:
//!   a user with no method registered meets an MFA requirement by registering their first method
//!   inline, which is exactly what someone holding only a stolen password does — so a tenant-wide
//!   MFA policy does not protect registration (the user-action policy exists for that reason).
//!   Device, session-only and other controls are a different protection and do not count;
//! - **users**: All users, minus acceptable exclusions (guests, break-glass accounts, the admin,
//!   a handful of named accounts, directory roles — all named, none a gap) and minus groups
//!   (a gap: membership can grow without anyone touching the policy). Policies for selected
//!   users, groups or roles only, or for guests only, do not protect all members;
//! - **client apps**: only `all` (or every type listed) covers the native-app registration path;
//!   a policy for legacy clients only (Exchange ActiveSync, other) never meets registration;
//! - **locations**: no condition or *All* covers untrusted locations; *All minus AllTrusted* (or
//!   minus trusted IP locations) is the intended scope, unless the trusted ranges swallow most of
//!   the address space ([`crate::engine::cidr::CATCH_ALL_SHARE`]). Excluding a country location
//!   exempts whole countries (geography, not trust) and does not count; including only some
//!   locations, or only trusted ones, does not protect from untrusted locations;
//! - **other conditions**: risk levels and authentication flows limit a policy to rare sign-ins
//!   (it does not count); platforms and device filters narrow it (a gap).
//!
//! A policy **counts fully** when nothing above falls short, **partly** when only gaps remain,
//! and **not at all** otherwise. The tenant is [`Verdict::Protected`] when one policy counts
//! fully, [`Verdict::Partial`] when the best ones count partly, and
//! [`Verdict::NotProtected`] otherwise, with every reason named.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::cidr::{whole_percent, Cidr, RangeSet};
use crate::engine::model::{
    BuiltInControl, ClientAppType, ConditionalAccessPolicy, DevicePlatform, GrantOperator,
    GuestOrExternalUserType, NamedLocation, PolicyState, PolicyTemplate, TenantSnapshot, ALL,
    ALL_TRUSTED, GUESTS_OR_EXTERNAL_USERS, NONE, ROLE_GLOBAL_ADMINISTRATOR,
    TEMPLATE_CURRENT_ADMIN_PLACEHOLDER, USER_ACTION_REGISTER_DEVICE,
    USER_ACTION_REGISTER_SECURITY_INFO,
};

/// More individually excluded accounts than this is no longer "break-glass and admins".
pub const MAX_ACCEPTED_EXCLUDED_ACCOUNTS: usize = 5;

/// The answer to "is security-info registration protected from untrusted locations?".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "camelCase")]
pub enum Verdict {
    /// At least one enforced policy covers all members, every client app and every untrusted
    /// location with a block, MFA or an authentication strength.
    Protected { by: Vec<Protection> },
    /// Enforced policies protect registration, but with the named gaps.
    Partial {
        by: Vec<Protection>,
        gaps: Vec<Finding>,
    },
    /// Nothing enforced protects registration; each reason names its policy.
    NotProtected { reasons: Vec<Finding> },
}

impl Verdict {
    /// Short label for the panel: "Protected", "Partly protected", "Not protected".
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Protected { .. } => "Protected",
            Verdict::Partial { .. } => "Partly protected",
            Verdict::NotProtected { .. } => "Not protected",
        }
    }
}

/// How a protecting policy protects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "control", rename_all = "camelCase")]
pub enum Control {
    Block,
    Mfa,
    #[serde(rename_all = "camelCase")]
    AuthenticationStrength {
        name: String,
    },
}

/// How the policy reaches registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reach {
    /// Targets the user action `urn:user:registersecurityinfo`.
    UserAction,
    /// Targets All resources, which includes the user action.
    AllResources,
    /// Targets only `urn:user:registerdevice`, a different action.
    DeviceRegistration,
}

/// Where a policy came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    /// A policy of the tenant.
    Saved,
    /// A policy not created yet (a plan), assessed as if it were created.
    Draft,
    /// One of Microsoft's templates: a body, not a policy of the tenant.
    Template,
}

/// A policy that protects registration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Protection {
    pub policy_id: Option<String>,
    pub policy_name: String,
    pub control: Control,
    pub reach: Reach,
    /// Exclusions that are expected (guests, break-glass, the admin, roles), named.
    pub accepted_exclusions: Vec<Finding>,
}

/// One named fact about a policy (or the tenant): a reason it does not count, a gap, or an
/// accepted exclusion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub code: CoverageCode,
    /// The policy concerned, so the panel can link to it or offer "Enforce".
    pub policy_id: Option<String>,
    pub policy_name: Option<String>,
    /// One or two sentences for the admin, saying what to do where it can.
    pub message: String,
}

/// Stable codes for coverage findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CoverageCode {
    // The tenant
    /// No policy targets `urn:user:registersecurityinfo`.
    NoRegistrationPolicy,
    // Why a policy does not count
    TemplateNotCreated,
    ReportOnly,
    Disabled,
    DeviceRegistrationOnly,
    MfaOnAllResources,
    DeviceControlsOnly,
    NoBlockOrMfa,
    NoUsers,
    GuestsOnly,
    SelectedUsersOnly,
    TrustedLocationsOnly,
    SelectedLocationsOnly,
    CountriesExempted,
    NeverApplies,
    CatchAllTrustedRanges,
    RiskBasedOnly,
    AuthenticationFlowOnly,
    /// Only legacy clients (Exchange ActiveSync, other), which never register security info.
    LegacyClientsOnly,
    PlaceholderExclusion,
    /// Exempts a location missing from the snapshot, so the scope cannot be checked.
    UnknownLocationExempted,
    // Gaps (the policy counts partly)
    ClientAppsLimited,
    ExcludedGroups,
    ManyExcludedAccounts,
    UntrustedLocationExempted,
    PlatformsLimited,
    DeviceFilter,
    OtherCondition,
    WeakerAlternative,
    // Accepted exclusions (named, not gaps)
    GuestsExcluded,
    BreakGlassExcluded,
    AdminExcluded,
    AccountsExcluded,
    RolesExcluded,
}

/// Whether a policy counts toward the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Counts {
    Fully,
    Partly,
    No,
}

/// The assessment of one policy that bears on registration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyCoverage {
    pub policy_id: Option<String>,
    pub policy_name: String,
    pub source: Source,
    /// `None` for a template.
    pub state: Option<PolicyState>,
    pub reach: Reach,
    /// The protecting control, when the grant has one.
    pub control: Option<Control>,
    pub counts: Counts,
    /// Why it does not count (empty when it counts).
    pub shortfalls: Vec<Finding>,
    /// What it leaves uncovered.
    pub gaps: Vec<Finding>,
    /// Exclusions that are expected, named.
    pub accepted_exclusions: Vec<Finding>,
}

/// The tenant's verdict plus the assessment of every policy behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverageReport {
    pub verdict: Verdict,
    /// Policies that bear on registration, user-action policies first.
    pub policies: Vec<PolicyCoverage>,
    /// Assumptions the verdict rests on.
    pub notes: Vec<String>,
}

/// Assesses the tenant's saved policies.
///
/// ```
/// use registration_guard::engine::coverage::{assess, CoverageCode, Verdict};
/// use registration_guard::engine::model::TenantSnapshot;
/// let report = assess(&TenantSnapshot::default());
/// let Verdict::NotProtected { reasons } = report.verdict else { panic!() };
/// assert_eq!(reasons[0].code, CoverageCode::NoRegistrationPolicy);
/// ```
pub fn assess(snapshot: &TenantSnapshot) -> CoverageReport {
    let policies = snapshot
        .policies
        .iter()
        .filter_map(|p| assess_policy(p, Source::Saved, snapshot))
        .collect();
    report(policies, snapshot)
}

/// Assesses the tenant as it would be with a draft policy created (and, with `as_enabled`,
/// turned on): "what will this plan give?".
pub fn assess_with_draft(
    snapshot: &TenantSnapshot,
    draft: &ConditionalAccessPolicy,
    as_enabled: bool,
) -> CoverageReport {
    let mut draft = draft.clone();
    if as_enabled {
        draft.state = PolicyState::Enabled;
    }
    let mut policies: Vec<PolicyCoverage> = snapshot
        .policies
        .iter()
        .filter_map(|p| assess_policy(p, Source::Saved, snapshot))
        .collect();
    policies.extend(assess_policy(&draft, Source::Draft, snapshot));
    report(policies, snapshot)
}

/// Assesses one of Microsoft's templates as the only candidate: never protected (it is not a
/// policy), with what its body would give once created.
pub fn assess_template(template: &PolicyTemplate, snapshot: &TenantSnapshot) -> CoverageReport {
    let policy = ConditionalAccessPolicy {
        id: Some(template.id.clone()),
        display_name: template.name.clone(),
        state: PolicyState::Disabled,
        conditions: template.details.conditions.clone(),
        grant_controls: template.details.grant_controls.clone(),
        session_controls: template.details.session_controls.clone(),
        extra: Default::default(),
    };
    let policies = assess_policy(&policy, Source::Template, snapshot)
        .into_iter()
        .collect();
    report(policies, snapshot)
}

/// Assesses one policy; `None` when it has no bearing on registration (other apps, no users,
/// or a tenant-wide policy whose grant could not protect anything).
pub fn assess_policy(
    policy: &ConditionalAccessPolicy,
    source: Source,
    snapshot: &TenantSnapshot,
) -> Option<PolicyCoverage> {
    let c = &policy.conditions;
    let apps = &c.applications;
    let reach = if policy.targets_user_action(USER_ACTION_REGISTER_SECURITY_INFO) {
        Reach::UserAction
    } else if apps
        .include_applications
        .iter()
        .any(|a| a.eq_ignore_ascii_case(ALL))
    {
        Reach::AllResources
    } else if policy.targets_user_action(USER_ACTION_REGISTER_DEVICE) {
        Reach::DeviceRegistration
    } else {
        return None;
    };
    let u = &c.users;
    let includes_nobody = u.include_users.iter().all(|x| x.eq_ignore_ascii_case(NONE))
        && u.include_groups.is_empty()
        && u.include_roles.is_empty()
        && u.include_guests_or_external_users.is_none();
    let grant = GrantReading::of(policy);
    // Tenant-wide policies matter only when their grant looks like protection.
    if reach == Reach::AllResources
        && (includes_nobody || !(grant.block || grant.mfa_like.is_some()))
    {
        return None;
    }
    let mut a = Assessor {
        policy,
        snapshot,
        shortfalls: Vec::new(),
        gaps: Vec::new(),
        accepted: Vec::new(),
    };
    let name = &policy.display_name;

    let state = match source {
        Source::Template => {
            a.shortfall(
                CoverageCode::TemplateNotCreated,
                format!(
                    "\"{name}\" is one of Microsoft's templates, not a policy of this tenant: nothing is enforced until a \
                     policy is created from it."
                ),
            );
            None
        }
        Source::Saved | Source::Draft => {
            match policy.state {
                PolicyState::Enabled => {}
                PolicyState::EnabledForReportingButNotEnforced => a.shortfall(
                    CoverageCode::ReportOnly,
                    format!(
                        "\"{name}\" is report-only: it records what it would do but enforces nothing. Check its results \
                         in the sign-in logs, then turn it On."
                    ),
                ),
                PolicyState::Disabled => {
                    a.shortfall(CoverageCode::Disabled, format!("\"{name}\" is Off: it is not evaluated at all."))
                }
            }
            Some(policy.state)
        }
    };

    if reach == Reach::DeviceRegistration {
        a.shortfall(
            CoverageCode::DeviceRegistrationOnly,
            format!(
                "\"{name}\" targets the user action \"Register or join devices\" ({USER_ACTION_REGISTER_DEVICE}), a different \
                 action: it does not apply when users register security info."
            ),
        );
    }

    let control = a.grant(&grant, reach);
    a.users();
    a.client_apps();
    a.locations();
    a.other_conditions();

    let counts = if !a.shortfalls.is_empty() {
        Counts::No
    } else if !a.gaps.is_empty() {
        Counts::Partly
    } else {
        Counts::Fully
    };
    Some(PolicyCoverage {
        policy_id: policy.id.clone(),
        policy_name: policy.display_name.clone(),
        source,
        state,
        reach,
        control,
        counts,
        shortfalls: a.shortfalls,
        gaps: a.gaps,
        accepted_exclusions: a.accepted,
    })
}

fn report(mut policies: Vec<PolicyCoverage>, snapshot: &TenantSnapshot) -> CoverageReport {
    // Most relevant first: user-action policies, then tenant-wide ones, then device registration;
    // within each, enforced before report-only before off, then fewest shortfalls.
    policies.sort_by_key(|p| {
        let reach = match p.reach {
            Reach::UserAction => 0,
            Reach::AllResources => 1,
            Reach::DeviceRegistration => 2,
        };
        let state = match p.state {
            Some(PolicyState::Enabled) => 0,
            Some(PolicyState::EnabledForReportingButNotEnforced) | None => 1,
            Some(PolicyState::Disabled) => 2,
        };
        (reach, state, p.shortfalls.len())
    });
    let protection = |p: &PolicyCoverage| Protection {
        policy_id: p.policy_id.clone(),
        policy_name: p.policy_name.clone(),
        control: p
            .control
            .clone()
            .expect("a policy that counts has a protecting control"),
        reach: p.reach,
        accepted_exclusions: p.accepted_exclusions.clone(),
    };
    let full: Vec<Protection> = policies
        .iter()
        .filter(|p| p.counts == Counts::Fully)
        .map(protection)
        .collect();
    let partial: Vec<&PolicyCoverage> = policies
        .iter()
        .filter(|p| p.counts == Counts::Partly)
        .collect();
    let verdict = if !full.is_empty() {
        Verdict::Protected { by: full }
    } else if !partial.is_empty() {
        Verdict::Partial {
            by: partial.iter().map(|p| protection(p)).collect(),
            gaps: partial
                .iter()
                .flat_map(|p| p.gaps.iter().cloned())
                .collect(),
        }
    } else {
        let mut reasons = Vec::new();
        if !policies.iter().any(|p| p.reach == Reach::UserAction) {
            reasons.push(Finding {
                code: CoverageCode::NoRegistrationPolicy,
                policy_id: None,
                policy_name: None,
                message: format!(
                    "No policy targets the user action \"Register security information\" ({USER_ACTION_REGISTER_SECURITY_INFO}). \
                     Create one that blocks or requires MFA outside trusted locations."
                ),
            });
        }
        for p in &policies {
            reasons.extend(p.shortfalls.iter().cloned());
            reasons.extend(p.gaps.iter().cloned());
        }
        Verdict::NotProtected { reasons }
    };
    let mut notes = Vec::new();
    let uses_trusted = policies.iter().any(|p| p.counts != Counts::No);
    if uses_trusted && snapshot.mfa_trusted_ips.is_none() {
        notes.push(
            "The legacy MFA trusted IPs (multifactor authentication service settings) cannot be read through Graph; \
             if any are set, they also count as trusted locations."
                .to_string(),
        );
    }
    CoverageReport {
        verdict,
        policies,
        notes,
    }
}

/// What a grant amounts to for registration.
struct GrantReading {
    block: bool,
    /// MFA or an authentication strength, when the grant requires one.
    mfa_like: Option<Control>,
    /// Controls that can satisfy an OR grant instead of MFA.
    alternatives: Vec<String>,
    device_only: bool,
    session_only: bool,
    others: Vec<String>,
}

impl GrantReading {
    fn of(policy: &ConditionalAccessPolicy) -> GrantReading {
        let mut r = GrantReading {
            block: false,
            mfa_like: None,
            alternatives: Vec::new(),
            device_only: false,
            session_only: false,
            others: Vec::new(),
        };
        let Some(g) = &policy.grant_controls else {
            r.session_only = true;
            return r;
        };
        r.block = g.built_in_controls.contains(&BuiltInControl::Block);
        if let Some(strength) = &g.authentication_strength {
            let name = strength
                .display_name
                .clone()
                .or_else(|| strength.id.clone())
                .unwrap_or_else(|| "unnamed".into());
            r.mfa_like = Some(Control::AuthenticationStrength { name });
        } else if g.built_in_controls.contains(&BuiltInControl::Mfa) {
            r.mfa_like = Some(Control::Mfa);
        }
        let mut device = 0;
        for c in &g.built_in_controls {
            match c {
                BuiltInControl::Block | BuiltInControl::Mfa => {}
                BuiltInControl::CompliantDevice | BuiltInControl::DomainJoinedDevice => {
                    device += 1;
                    r.others.push(control_label(c));
                }
                other => r.others.push(control_label(other)),
            }
        }
        r.others.extend(
            g.terms_of_use
                .iter()
                .map(|_| "accept terms of use".to_string()),
        );
        r.others.extend(
            g.custom_authentication_factors
                .iter()
                .map(|id| format!("custom control {id}")),
        );
        if r.mfa_like.is_some() && g.operator == GrantOperator::Or {
            r.alternatives = r.others.clone();
        }
        r.device_only = !r.block && r.mfa_like.is_none() && device > 0 && device == r.others.len();
        r.session_only = !r.block && r.mfa_like.is_none() && r.others.is_empty();
        r
    }
}

fn control_label(c: &BuiltInControl) -> String {
    match c {
        BuiltInControl::CompliantDevice => "a compliant device".into(),
        BuiltInControl::DomainJoinedDevice => "a hybrid-joined device".into(),
        BuiltInControl::ApprovedApplication => "an approved client app".into(),
        BuiltInControl::CompliantApplication => "an app protection policy".into(),
        BuiltInControl::PasswordChange => "a password change".into(),
        other => other.as_str().to_string(),
    }
}

struct Assessor<'a> {
    policy: &'a ConditionalAccessPolicy,
    snapshot: &'a TenantSnapshot,
    shortfalls: Vec<Finding>,
    gaps: Vec<Finding>,
    accepted: Vec<Finding>,
}

impl Assessor<'_> {
    fn finding(&self, code: CoverageCode, message: String) -> Finding {
        Finding {
            code,
            policy_id: self.policy.id.clone(),
            policy_name: Some(self.policy.display_name.clone()),
            message,
        }
    }

    fn shortfall(&mut self, code: CoverageCode, message: String) {
        let f = self.finding(code, message);
        self.shortfalls.push(f);
    }

    fn gap(&mut self, code: CoverageCode, message: String) {
        let f = self.finding(code, message);
        self.gaps.push(f);
    }

    fn accept(&mut self, code: CoverageCode, message: String) {
        let f = self.finding(code, message);
        self.accepted.push(f);
    }

    fn name(&self) -> &str {
        &self.policy.display_name
    }

    fn grant(&mut self, g: &GrantReading, reach: Reach) -> Option<Control> {
        let name = self.name().to_string();
        if g.block {
            return Some(Control::Block);
        }
        if let Some(control) = &g.mfa_like {
            if reach == Reach::AllResources {
                self.shortfall(
                    CoverageCode::MfaOnAllResources,
                    format!(
                        "\"{name}\" requires MFA for all resources. That does not protect registration: a user with no \
                         method registered meets it by registering one inline, which is what someone holding only a \
                         stolen password does. Registration needs its own policy on the user action."
                    ),
                );
                return None;
            }
            if !g.alternatives.is_empty() {
                self.gap(
                    CoverageCode::WeakerAlternative,
                    format!(
                        "\"{name}\" can also be satisfied by {} instead of MFA.",
                        g.alternatives.join(" or ")
                    ),
                );
            }
            return Some(control.clone());
        }
        if g.device_only {
            self.shortfall(
                CoverageCode::DeviceControlsOnly,
                format!(
                    "\"{name}\" requires {} rather than blocking or requiring MFA: a device control, a different \
                     protection from the one assessed here.",
                    g.others.join(" or ")
                ),
            );
        } else if g.session_only {
            self.shortfall(
                CoverageCode::NoBlockOrMfa,
                format!(
                    "\"{name}\" sets session controls only: it neither blocks nor requires MFA."
                ),
            );
        } else {
            self.shortfall(
                CoverageCode::NoBlockOrMfa,
                format!(
                    "\"{name}\" requires {} — it neither blocks nor requires MFA.",
                    g.others.join(" or ")
                ),
            );
        }
        None
    }

    fn users(&mut self) {
        let u = &self.policy.conditions.users;
        let name = self.name().to_string();
        let is = |list: &[String], word: &str| list.iter().any(|x| x.eq_ignore_ascii_case(word));
        let all = is(&u.include_users, ALL);
        if !all {
            let guest_users = is(&u.include_users, GUESTS_OR_EXTERNAL_USERS)
                || u.include_guests_or_external_users.is_some();
            let named_users = u
                .include_users
                .iter()
                .filter(|x| {
                    !x.eq_ignore_ascii_case(NONE)
                        && !x.eq_ignore_ascii_case(GUESTS_OR_EXTERNAL_USERS)
                })
                .count();
            let (groups, roles) = (u.include_groups.len(), u.include_roles.len());
            if named_users + groups + roles > 0 {
                self.shortfall(
                    CoverageCode::SelectedUsersOnly,
                    format!(
                        "\"{name}\" applies only to {}, not to all users. Include All users (keeping break-glass \
                         accounts excluded) to protect everyone.",
                        scope_words(named_users, groups, roles)
                    ),
                );
            } else if guest_users {
                self.shortfall(
                    CoverageCode::GuestsOnly,
                    format!("\"{name}\" applies only to guests and external users; members are not covered."),
                );
            } else {
                self.shortfall(
                    CoverageCode::NoUsers,
                    format!("\"{name}\" includes no users."),
                );
            }
            return;
        }
        // Exclusions of an all-users policy.
        let typed_guests = u
            .exclude_guests_or_external_users
            .as_ref()
            .map(|g| g.guest_or_external_user_types.as_slice())
            .filter(|kinds| !kinds.is_empty());
        if is(&u.exclude_users, GUESTS_OR_EXTERNAL_USERS) || typed_guests.is_some() {
            let every_kind = is(&u.exclude_users, GUESTS_OR_EXTERNAL_USERS)
                || typed_guests.is_some_and(|kinds| {
                    GuestOrExternalUserType::ALL_KINDS
                        .iter()
                        .all(|k| kinds.contains(k))
                });
            let who = if every_kind {
                "guests and external users".to_string()
            } else {
                let kinds: Vec<&str> = typed_guests
                    .unwrap_or_default()
                    .iter()
                    .map(|k| k.as_str())
                    .collect();
                format!(
                    "these kinds of guests and external users: {}",
                    kinds.join(", ")
                )
            };
            self.accept(
                CoverageCode::GuestsExcluded,
                format!(
                    "\"{name}\" leaves out {who}, as Microsoft recommends for members' policies (guests cannot use a \
                     Temporary Access Pass). Microsoft's guest variant blocks them outside trusted locations instead."
                ),
            );
        }
        let admin = self.snapshot.admin.as_ref().map(|a| a.id.as_str());
        let is_break_glass = |id: &str| {
            self.snapshot
                .break_glass
                .iter()
                .any(|b| b.eq_ignore_ascii_case(id))
        };
        let mut break_glass = 0;
        let mut admin_excluded = false;
        let mut others = Vec::new();
        let mut placeholder = false;
        for id in &u.exclude_users {
            if id.eq_ignore_ascii_case(GUESTS_OR_EXTERNAL_USERS) {
                continue;
            } else if id == TEMPLATE_CURRENT_ADMIN_PLACEHOLDER {
                placeholder = true;
            } else if admin.is_some_and(|a| a.eq_ignore_ascii_case(id)) {
                admin_excluded = true;
            } else if is_break_glass(id) {
                break_glass += 1;
            } else {
                others.push(id.clone());
            }
        }
        let mut groups = Vec::new();
        for id in &u.exclude_groups {
            if is_break_glass(id) {
                break_glass += 1;
            } else {
                groups.push(id.clone());
            }
        }
        if placeholder {
            self.shortfall(
                CoverageCode::PlaceholderExclusion,
                format!(
                    "\"{name}\" excludes the placeholder \"{TEMPLATE_CURRENT_ADMIN_PLACEHOLDER}\", which must be replaced \
                     by the administrator's object id before a policy is created; it is never a valid id."
                ),
            );
        }
        if admin_excluded {
            self.accept(
                CoverageCode::AdminExcluded,
                format!("\"{name}\" leaves out the signed-in administrator."),
            );
        }
        if break_glass > 0 {
            self.accept(
                CoverageCode::BreakGlassExcluded,
                format!("\"{name}\" leaves out {break_glass} emergency-access (break-glass) account(s) or group(s), as it should."),
            );
        }
        if others.len() > MAX_ACCEPTED_EXCLUDED_ACCOUNTS {
            self.gap(
                CoverageCode::ManyExcludedAccounts,
                format!(
                    "\"{name}\" excludes {} individual accounts — more than break-glass and admin accounts explain. Each \
                     of them can register security info from anywhere.",
                    others.len()
                ),
            );
        } else if !others.is_empty() {
            self.accept(
                CoverageCode::AccountsExcluded,
                format!(
                    "\"{name}\" excludes {} individual account(s) ({}); expected for break-glass and admin accounts — \
                     check that is what they are.",
                    others.len(),
                    others.join(", ")
                ),
            );
        }
        if !groups.is_empty() {
            self.gap(
                CoverageCode::ExcludedGroups,
                format!(
                    "\"{name}\" excludes {} group(s) ({}): their members, however many the groups grow to, can register \
                     from anywhere. If a group holds only emergency-access accounts, add it to the break-glass list.",
                    groups.len(),
                    groups.join(", ")
                ),
            );
        }
        if !u.exclude_roles.is_empty() {
            let roles: Vec<&str> = u
                .exclude_roles
                .iter()
                .map(|r| {
                    if r.eq_ignore_ascii_case(ROLE_GLOBAL_ADMINISTRATOR) {
                        "Global Administrator"
                    } else {
                        r.as_str()
                    }
                })
                .collect();
            self.accept(
                CoverageCode::RolesExcluded,
                format!(
                    "\"{name}\" leaves out members of {} directory role(s) ({}) so administrators cannot lock themselves \
                     out, as Microsoft's template does; those accounts are not covered.",
                    roles.len(),
                    roles.join(", ")
                ),
            );
        }
    }

    fn client_apps(&mut self) {
        let types = &self.policy.conditions.client_app_types;
        if types.is_empty() || types.contains(&ClientAppType::All) {
            return;
        }
        let has = |t: ClientAppType| types.contains(&t);
        let every = [
            ClientAppType::Browser,
            ClientAppType::MobileAppsAndDesktopClients,
            ClientAppType::ExchangeActiveSync,
            ClientAppType::LegacyOther,
        ];
        if every.iter().all(|t| {
            has(t.clone())
                || (*t == ClientAppType::ExchangeActiveSync && has(ClientAppType::EasSupported))
        }) {
            return;
        }
        let listed: Vec<&str> = types.iter().map(ClientAppType::as_str).collect();
        let name = self.name().to_string();
        if !has(ClientAppType::Browser) && !has(ClientAppType::MobileAppsAndDesktopClients) {
            self.shortfall(
                CoverageCode::LegacyClientsOnly,
                format!(
                    "\"{name}\" applies only to the client apps {}: legacy clients that never register security info.",
                    listed.join(", ")
                ),
            );
            return;
        }
        self.gap(
            CoverageCode::ClientAppsLimited,
            format!(
                "\"{name}\" covers only the client apps {}; registration also happens from native apps such as \
                 Authenticator, and only \"all\" covers every path. Set client apps to all.",
                listed.join(", ")
            ),
        );
    }

    fn locations(&mut self) {
        let Some(l) = &self.policy.conditions.locations else {
            return;
        };
        let name = self.name().to_string();
        let is = |list: &[String], word: &str| list.iter().any(|x| x.eq_ignore_ascii_case(word));
        let include_all = l.include_locations.is_empty() || is(&l.include_locations, ALL);
        if !include_all {
            if l.include_locations
                .iter()
                .all(|x| x.eq_ignore_ascii_case(ALL_TRUSTED))
            {
                self.shortfall(
                    CoverageCode::TrustedLocationsOnly,
                    format!("\"{name}\" applies only at trusted locations, so it does nothing for untrusted ones."),
                );
            } else {
                let names: Vec<String> = l
                    .include_locations
                    .iter()
                    .map(|id| self.location_label(id))
                    .collect();
                self.shortfall(
                    CoverageCode::SelectedLocationsOnly,
                    format!(
                        "\"{name}\" applies only at {}; untrusted addresses elsewhere are not covered.",
                        names.join(", ")
                    ),
                );
            }
            return;
        }
        if is(&l.exclude_locations, ALL) {
            self.shortfall(
                CoverageCode::NeverApplies,
                format!("\"{name}\" excludes all locations, so it never applies."),
            );
            return;
        }
        let mut exempted = RangeSet::default();
        let mut exempt_ranges = Vec::new();
        let mut countries = Vec::new();
        for id in &l.exclude_locations {
            if id.eq_ignore_ascii_case(ALL_TRUSTED) {
                for loc in self.snapshot.trusted_locations() {
                    exempt_ranges.extend(ranges_of(loc));
                }
                if let Some(ips) = &self.snapshot.mfa_trusted_ips {
                    exempt_ranges.extend(ips.iter().filter_map(|t| Cidr::parse(t).ok()));
                }
                continue;
            }
            match self.snapshot.named_location(id) {
                Some(NamedLocation::Country { display_name, countries_and_regions, include_unknown, .. }) => {
                    let mut list = countries_and_regions.join(", ");
                    if *include_unknown {
                        list.push_str(", and unknown countries");
                    }
                    countries.push(format!("\"{display_name}\" ({list})"));
                }
                Some(loc @ NamedLocation::Ip { is_trusted: true, .. }) => exempt_ranges.extend(ranges_of(loc)),
                Some(NamedLocation::Ip { display_name, .. }) => {
                    let ranges: Vec<Cidr> = ranges_of(self.snapshot.named_location(id).expect("just found"));
                    exempt_ranges.extend(ranges);
                    self.gap(
                        CoverageCode::UntrustedLocationExempted,
                        format!(
                            "\"{name}\" also exempts \"{display_name}\", an IP location not marked trusted; sign-ins from \
                             it are not covered. Mark it trusted if it is yours, or remove the exclusion."
                        ),
                    );
                }
                Some(NamedLocation::Other { .. }) => {}
                // What cannot be checked is not claimed: it may be a country or a catch-all range.
                None => self.shortfall(
                    CoverageCode::UnknownLocationExempted,
                    format!(
                        "\"{name}\" exempts location {id}, which is not among the named locations read, so what it \
                         leaves uncovered cannot be checked. Reload the named locations, or check that location in the portal."
                    ),
                ),
            }
        }
        if !countries.is_empty() {
            self.shortfall(
                CoverageCode::CountriesExempted,
                format!(
                    "\"{name}\" exempts the country location(s) {}: countries are geography, not trusted networks — \
                     anyone there, or on a VPN exit there, can still register. Exclude trusted IP locations instead.",
                    countries.join(", ")
                ),
            );
        }
        exempted.extend(&exempt_ranges);
        if exempted.is_catch_all() {
            self.shortfall(
                CoverageCode::CatchAllTrustedRanges,
                format!(
                    "The locations \"{name}\" exempts cover {}% of IPv4 and {}% of public IPv6 addresses, so it \
                     practically never applies. Keep only your own offices' and VPN's public ranges trusted.",
                    whole_percent(exempted.ipv4_share()),
                    whole_percent(exempted.ipv6_global_share())
                ),
            );
        }
    }

    fn location_label(&self, id: &str) -> String {
        if id.eq_ignore_ascii_case(ALL_TRUSTED) {
            return "all trusted locations".to_string();
        }
        match self.snapshot.named_location(id) {
            Some(loc) => format!("\"{}\"", loc.display_name()),
            None => format!("location {id}"),
        }
    }

    fn other_conditions(&mut self) {
        let c = &self.policy.conditions;
        let name = self.name().to_string();
        let levels = |v: &[crate::engine::model::RiskLevel]| {
            v.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
        };
        if !c.sign_in_risk_levels.is_empty() || !c.user_risk_levels.is_empty() {
            let mut parts = Vec::new();
            if !c.sign_in_risk_levels.is_empty() {
                parts.push(format!(
                    "sign-in risk is {}",
                    levels(&c.sign_in_risk_levels)
                ));
            }
            if !c.user_risk_levels.is_empty() {
                parts.push(format!("user risk is {}", levels(&c.user_risk_levels)));
            }
            self.shortfall(
                CoverageCode::RiskBasedOnly,
                format!(
                    "\"{name}\" applies only when {}; ordinary sign-ins are not covered.",
                    parts.join(" or ")
                ),
            );
        }
        if c.extra
            .get("authenticationFlows")
            .is_some_and(is_configured)
        {
            self.shortfall(
                CoverageCode::AuthenticationFlowOnly,
                format!("\"{name}\" applies only to device code or authentication transfer flows."),
            );
        }
        if let Some(p) = &c.platforms {
            let all_included = p.include_platforms.is_empty()
                || p.include_platforms.contains(&DevicePlatform::All);
            if !all_included || !p.exclude_platforms.is_empty() {
                self.gap(
                    CoverageCode::PlatformsLimited,
                    format!("\"{name}\" is limited to some device platforms; sign-ins from the others are not covered."),
                );
            }
        }
        if c.devices.as_ref().is_some_and(is_configured) {
            self.gap(
                CoverageCode::DeviceFilter,
                format!("\"{name}\" has a device filter; devices it filters out are not covered."),
            );
        }
        let others: Vec<&str> = c
            .extra
            .iter()
            .filter(|(k, v)| {
                !k.starts_with('@') && k.as_str() != "authenticationFlows" && is_configured(v)
            })
            .map(|(k, _)| k.as_str())
            .collect();
        if !others.is_empty() {
            self.gap(
                CoverageCode::OtherCondition,
                format!(
                    "\"{name}\" also sets the condition(s) {}, which narrow when it applies.",
                    others.join(", ")
                ),
            );
        }
    }
}

fn scope_words(users: usize, groups: usize, roles: usize) -> String {
    let mut parts = Vec::new();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if users > 0 {
        parts.push(plural(users, "selected user", "selected users"));
    }
    if groups > 0 {
        parts.push(plural(groups, "group", "groups"));
    }
    if roles > 0 {
        parts.push(plural(roles, "directory role", "directory roles"));
    }
    parts.join(", ")
}

/// The ranges of an IP location, leaving out any that do not parse (none for other kinds).
pub(crate) fn ranges_of(location: &NamedLocation) -> Vec<Cidr> {
    match location {
        NamedLocation::Ip { ip_ranges, .. } => ip_ranges
            .iter()
            .filter_map(|r| Cidr::parse(r).ok())
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a JSON condition configures anything (null, empty lists and all-empty objects do not).
pub(crate) fn is_configured(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(_) | Value::Number(_) => true,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(is_configured),
        Value::Object(o) => o
            .iter()
            .any(|(k, v)| !k.starts_with('@') && is_configured(v)),
    }
}
