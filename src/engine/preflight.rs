//! Preflight: the checks run on a tenant snapshot and a plan before anything is written.
//!
//! Each rule is a pure function of the snapshot (one Graph round trip), the plan and, when the
//! shell resolved them, the directory objects the plan names. A finding has a stable
//! [`FindingCode`], a [`Severity`] (a blocker stops the write), a title, a message the admin can
//! act on, and the related policy or named location id so the panel can offer "Enforce" or
//! "Open".
//!
//! # What the snapshot can know
//! - read: policies, named locations, security defaults, licences, the signed-in admin (and
//!   their roles), the configured break-glass ids;
//! - resolved on request ([`DirectoryLookup`]): the directory objects behind the ids the plan
//!   names (`POST /directoryObjects/getByIds` with every user and group id of the plan). Without
//!   a lookup, unknown ids cannot be detected and the preflight says so;
//! - never readable: the legacy MFA trusted IPs (unless the admin typed them), the members of a
//!   group (so the size of an excluded group is unknown).
//!
//! # Trusted ranges
//! The locations that count as trusted are measured with [`crate::engine::cidr`]: together they
//! must not cover half of the IPv4 space or of public IPv6 ([`CATCH_ALL_SHARE`]) — beyond that a
//! policy scoped to untrusted locations practically never applies — and each range should be no
//! wider than a /16 (IPv4) or /32 (IPv6). Graph refuses /8 and wider, yet a catch-all can still
//! be assembled from allowed ranges (256 × /9 cover half of IPv4), and imported data may hold
//! wider ones such as `0.0.0.0/1` + `128.0.0.0/1`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::cidr::{whole_percent, Cidr, RangeSet, CATCH_ALL_SHARE};
use crate::engine::coverage::{
    assess, assess_policy, ranges_of, Control, Counts, CoverageCode, Reach, Source, Verdict,
};
use crate::engine::model::{
    ClientAppType, NamedLocation, PolicyState, TenantSnapshot, GUESTS_OR_EXTERNAL_USERS,
    ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR, ROLE_GLOBAL_ADMINISTRATOR, ROLE_SECURITY_ADMINISTRATOR,
    TEMPLATE_CURRENT_ADMIN_PLACEHOLDER,
};
use crate::engine::presets::{Plan, Preset};

/// Most named locations a tenant may have (Entra limit).
pub const MAX_NAMED_LOCATIONS: usize = 195;

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// The policy must not be created (or enabled) until this is resolved.
    Blocker,
    /// The admin should read this before creating the policy.
    Warning,
    /// Worth knowing.
    Info,
}

/// Stable codes for preflight findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FindingCode {
    SecurityDefaultsOn,
    SecurityDefaultsUnknown,
    NoEntraIdP1,
    LicencesUnknown,
    AdminLacksRole,
    NoTrustedLocation,
    CatchAllTrustedRanges,
    BroadTrustedRange,
    TooManyNamedLocations,
    MfaTrustedIpsUnreadable,
    EquivalentPolicyEnabled,
    EquivalentPolicyReportOnly,
    EquivalentPolicyDisabled,
    SimilarPolicyExists,
    AlreadyProtected,
    DisplayNameClash,
    Renamed,
    LocationNameClash,
    AdminNotExcluded,
    AdminUnknown,
    BreakGlassNotExcluded,
    NoBreakGlass,
    UnknownId,
    WrongObjectKind,
    IdsNotChecked,
    ClientAppsNotAll,
    GuestsUnderMfaPreset,
    GuestsBlockedToo,
    PlaceholderInBody,
    EnforcedWithoutReportOnly,
}

/// One preflight finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreflightFinding {
    pub code: FindingCode,
    pub severity: Severity,
    pub title: String,
    /// What is wrong and what to do, in the admin's words.
    pub message: String,
    /// The existing policy concerned (for "Enforce" / "Open policy").
    pub policy_id: Option<String>,
    /// The named location concerned.
    pub location_id: Option<String>,
}

/// Kind of a directory object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DirectoryObjectKind {
    User,
    Group,
    Other,
}

/// A directory object the shell resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryObject {
    pub id: String,
    pub kind: DirectoryObjectKind,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// The directory objects found for the ids the plan names. Every user and group id of the plan
/// must have been looked up: an id missing here is taken as not existing.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryLookup {
    pub found: Vec<DirectoryObject>,
}

impl DirectoryLookup {
    fn get(&self, id: &str) -> Option<&DirectoryObject> {
        self.found.iter().find(|o| o.id.eq_ignore_ascii_case(id))
    }
}

/// Everything the preflight looks at.
#[derive(Clone, Copy, Debug)]
pub struct PreflightInput<'a> {
    pub snapshot: &'a TenantSnapshot,
    pub plan: &'a Plan,
    /// Directory objects resolved for the plan's ids, when the shell looked them up.
    pub directory: Option<&'a DirectoryLookup>,
    /// A trusted IP location to be created with the policy (from ranges the admin typed).
    pub new_trusted_location: Option<&'a NamedLocation>,
}

/// Runs every rule on the snapshot and plan (no directory lookup, no new location).
pub fn preflight(snapshot: &TenantSnapshot, plan: &Plan) -> Vec<PreflightFinding> {
    preflight_with(&PreflightInput {
        snapshot,
        plan,
        directory: None,
        new_trusted_location: None,
    })
}

/// Runs every rule. Findings come sorted: blockers, then warnings, then information.
///
/// ```
/// use registration_guard::engine::model::TenantSnapshot;
/// use registration_guard::engine::presets::{build_plan, PlanOptions, Preset};
/// use registration_guard::engine::preflight::{preflight, has_blockers, FindingCode};
/// let snapshot = TenantSnapshot { security_defaults_enabled: Some(true), ..TenantSnapshot::default() };
/// let plan = build_plan(&snapshot, Preset::BlockOutsideTrusted, &PlanOptions::default()).unwrap();
/// let findings = preflight(&snapshot, &plan);
/// assert!(findings.iter().any(|f| f.code == FindingCode::NoTrustedLocation));
/// assert!(has_blockers(&findings));
/// ```
pub fn preflight_with(input: &PreflightInput) -> Vec<PreflightFinding> {
    let mut out = Findings(Vec::new());
    security_defaults(input, &mut out);
    licences(input, &mut out);
    admin_role(input, &mut out);
    trusted_locations(input, &mut out);
    equivalent_policies(input, &mut out);
    names(input, &mut out);
    exclusions(input, &mut out);
    directory_ids(input, &mut out);
    plan_shape(input, &mut out);
    let mut findings = out.0;
    findings.sort_by_key(|f| f.severity);
    findings
}

/// Whether any finding stops the write.
pub fn has_blockers(findings: &[PreflightFinding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Blocker)
}

struct Findings(Vec<PreflightFinding>);

impl Findings {
    fn add(
        &mut self,
        code: FindingCode,
        severity: Severity,
        title: &str,
        message: String,
    ) -> &mut PreflightFinding {
        self.0.push(PreflightFinding {
            code,
            severity,
            title: title.to_string(),
            message,
            policy_id: None,
            location_id: None,
        });
        self.0.last_mut().expect("just pushed")
    }
}

fn enforcing(plan: &Plan) -> bool {
    plan.policy.state == PolicyState::Enabled
}

fn security_defaults(input: &PreflightInput, out: &mut Findings) {
    match input.snapshot.security_defaults_enabled {
        Some(true) if enforcing(input.plan) => {
            out.add(
                FindingCode::SecurityDefaultsOn,
                Severity::Blocker,
                "Security defaults are on",
                "Security defaults are on in this tenant: turn them off under Entra ID > Overview > Properties > \
                 Manage security defaults before enabling the policy. Graph refuses to enable any Conditional Access \
                 policy while they are on."
                    .to_string(),
            );
        }
        Some(true) => {
            out.add(
                FindingCode::SecurityDefaultsOn,
                Severity::Warning,
                "Security defaults are on",
                "Security defaults are on in this tenant. The policy can be created report-only, but before turning it \
                 On you must turn security defaults off under Entra ID > Overview > Properties > Manage security defaults."
                    .to_string(),
            );
        }
        Some(false) => {}
        None => {
            out.add(
                FindingCode::SecurityDefaultsUnknown,
                Severity::Info,
                "Security defaults not checked",
                "Whether security defaults are on could not be read. If they are, Graph will refuse to enable the policy."
                    .to_string(),
            );
        }
    }
}

fn licences(input: &PreflightInput, out: &mut Findings) {
    match input.snapshot.licences {
        Some(l) if !l.p1 => {
            out.add(
                FindingCode::NoEntraIdP1,
                Severity::Blocker,
                "No Entra ID P1 licence",
                "Conditional Access needs Microsoft Entra ID P1 (or P2, or a suite that includes it, such as Microsoft \
                 365 E3/E5 or Business Premium). No enabled subscription in this tenant includes it."
                    .to_string(),
            );
        }
        Some(_) => {}
        None => {
            out.add(
                FindingCode::LicencesUnknown,
                Severity::Info,
                "Licences not checked",
                "The tenant's subscriptions could not be read; Conditional Access needs Microsoft Entra ID P1.".to_string(),
            );
        }
    }
}

fn admin_role(input: &PreflightInput, out: &mut Findings) {
    let Some(admin) = &input.snapshot.admin else {
        return;
    };
    // An empty list means the roles were not read; only a known list without a writing role is a problem.
    if admin.role_template_ids.is_empty() {
        return;
    }
    let writers = [
        ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR,
        ROLE_SECURITY_ADMINISTRATOR,
        ROLE_GLOBAL_ADMINISTRATOR,
    ];
    if !admin
        .role_template_ids
        .iter()
        .any(|r| writers.iter().any(|w| w.eq_ignore_ascii_case(r)))
    {
        out.add(
            FindingCode::AdminLacksRole,
            Severity::Blocker,
            "Your account cannot write Conditional Access policies",
            format!(
                "{} holds none of the roles that can create Conditional Access policies. Ask for the Conditional Access \
                 Administrator role (or activate it in Privileged Identity Management) and sign in again.",
                if admin.user_principal_name.is_empty() { "The signed-in account" } else { &admin.user_principal_name }
            ),
        );
    }
}

fn trusted_locations(input: &PreflightInput, out: &mut Findings) {
    let snapshot = input.snapshot;
    let trusted: Vec<&NamedLocation> = snapshot
        .trusted_locations()
        .chain(input.new_trusted_location)
        .collect();
    let mut all = RangeSet::default();
    for location in &trusted {
        let ranges = ranges_of(location);
        all.extend(&ranges);
        if let Some(broad) = ranges.iter().find(|c| c.is_broad()) {
            let f = out.add(
                FindingCode::BroadTrustedRange,
                Severity::Warning,
                "A trusted range is very broad",
                format!(
                    "The trusted location \"{}\" includes {broad}, wider than an organisation normally owns: everyone on \
                     that network counts as trusted and can register security info unchallenged. Keep only your \
                     offices' and VPN's public egress ranges.",
                    location.display_name()
                ),
            );
            f.location_id = location.id().map(str::to_string);
        }
    }
    let mfa_ips: Vec<Cidr> = snapshot
        .mfa_trusted_ips
        .iter()
        .flatten()
        .filter_map(|t| Cidr::parse(t).ok())
        .collect();
    all.extend(&mfa_ips);
    let has_ip_trust = !all.is_empty();
    let has_other_trust = trusted
        .iter()
        .any(|l| matches!(l, NamedLocation::Other { .. }));
    let blocks = input.plan.preset.grant() == crate::engine::model::BuiltInControl::Block;
    if !has_ip_trust {
        let (severity, message) = if has_other_trust {
            (
                Severity::Warning,
                "The only trusted location is not an IP range (a compliant network): sign-ins outside it are treated as \
                 untrusted. Add a trusted IP location for your offices if users register from there."
                    .to_string(),
            )
        } else if blocks {
            (
                Severity::Blocker,
                "No trusted IP location exists, so \"outside trusted locations\" means everywhere: this policy would \
                 block security-info registration for everyone, in every place. Create a trusted location from your \
                 offices' and VPN's public IP ranges first."
                    .to_string(),
            )
        } else {
            (
                Severity::Warning,
                "No trusted IP location exists, so every registration will require MFA — new users without a method \
                 will need a Temporary Access Pass from the helpdesk. Create a trusted location from your offices' \
                 public IP ranges if they should register there without it."
                    .to_string(),
            )
        };
        out.add(
            FindingCode::NoTrustedLocation,
            severity,
            "No trusted location",
            message,
        );
    }
    if all.is_catch_all() {
        out.add(
            FindingCode::CatchAllTrustedRanges,
            Severity::Blocker,
            "Trusted ranges cover almost every address",
            format!(
                "The trusted locations together cover {}% of IPv4 and {}% of public IPv6 addresses (the limit \
                 used here is {}%): nearly every sign-in counts as trusted, so a policy for untrusted locations would \
                 practically never apply. Narrow the trusted locations to your own public ranges first.",
                whole_percent(all.ipv4_share()),
                whole_percent(all.ipv6_global_share()),
                whole_percent(CATCH_ALL_SHARE)
            ),
        );
    }
    if input.new_trusted_location.is_some() && snapshot.named_locations.len() >= MAX_NAMED_LOCATIONS
    {
        out.add(
            FindingCode::TooManyNamedLocations,
            Severity::Blocker,
            "No room for another named location",
            format!(
                "The tenant already has {} named locations, the most Entra allows ({MAX_NAMED_LOCATIONS}). Add the \
                 ranges to an existing trusted location instead.",
                snapshot.named_locations.len()
            ),
        );
    }
    if let Some(new) = input.new_trusted_location {
        if let Some(existing) = snapshot.named_locations.iter().find(|l| {
            l.display_name()
                .trim()
                .eq_ignore_ascii_case(new.display_name().trim())
        }) {
            let f = out.add(
                FindingCode::LocationNameClash,
                Severity::Warning,
                "A named location has this name",
                format!(
                    "A named location called \"{}\" already exists; give the new one another name so the two are not \
                     confused.",
                    existing.display_name()
                ),
            );
            f.location_id = existing.id().map(str::to_string);
        }
    }
    if snapshot.mfa_trusted_ips.is_none() {
        out.add(
            FindingCode::MfaTrustedIpsUnreadable,
            Severity::Info,
            "Legacy MFA trusted IPs not known",
            "The legacy MFA service settings can list trusted IPs that also count as trusted locations, and Graph cannot \
             read them. Check them under Entra ID > Multifactor authentication > Additional cloud-based MFA settings."
                .to_string(),
        );
    }
}

fn equivalent_policies(input: &PreflightInput, out: &mut Findings) {
    let snapshot = input.snapshot;
    let preset = input.plan.preset;
    for policy in &snapshot.policies {
        let Some(cov) = assess_policy(policy, Source::Saved, snapshot) else {
            continue;
        };
        if cov.reach != Reach::UserAction {
            continue;
        }
        let same_control = matches!(
            (preset, &cov.control),
            (
                Preset::BlockOutsideTrusted | Preset::BlockGuestsOutsideTrusted,
                Some(Control::Block)
            ) | (
                Preset::RequireMfaOutsideTrusted,
                Some(Control::Mfa | Control::AuthenticationStrength { .. })
            )
        );
        if !same_control {
            continue;
        }
        let codes: Vec<CoverageCode> = cov.shortfalls.iter().map(|f| f.code).collect();
        let scope_matches = if preset == Preset::BlockGuestsOutsideTrusted {
            codes.contains(&CoverageCode::GuestsOnly)
        } else {
            !codes.contains(&CoverageCode::GuestsOnly)
                && !codes.contains(&CoverageCode::SelectedUsersOnly)
                && !codes.contains(&CoverageCode::NoUsers)
        };
        // Apart from state (and, for the guest preset, guests-only scope) it must fall short of nothing.
        let state_or_guest_scope = |c: &CoverageCode| {
            matches!(c, CoverageCode::ReportOnly | CoverageCode::Disabled)
                || (preset == Preset::BlockGuestsOutsideTrusted && *c == CoverageCode::GuestsOnly)
        };
        let other_shortfalls = codes.iter().any(|c| !state_or_guest_scope(c));
        if !scope_matches || other_shortfalls {
            continue;
        }
        let name = &policy.display_name;
        // Exclusions are the admin's choice; narrower client apps, locations or platforms are not
        // the same protection, so such a policy is only "similar".
        let narrower: Vec<&str> = cov
            .gaps
            .iter()
            .filter(|g| {
                !matches!(
                    g.code,
                    CoverageCode::ExcludedGroups | CoverageCode::ManyExcludedAccounts
                )
            })
            .map(|g| g.message.as_str())
            .collect();
        if !narrower.is_empty() {
            let f = out.add(
                FindingCode::SimilarPolicyExists,
                Severity::Warning,
                "A similar policy exists",
                format!(
                    "\"{name}\" ({}) does much the same with narrower scope: {} Consider fixing and enforcing it \
                     instead of adding another policy.",
                    policy.state.label(),
                    narrower.join(" ")
                ),
            );
            f.policy_id = policy.id.clone();
            continue;
        }
        let f = match policy.state {
            PolicyState::Enabled => out.add(
                FindingCode::EquivalentPolicyEnabled,
                Severity::Blocker,
                "This protection already exists",
                format!(
                    "\"{name}\" is On and already does what this preset does{}. Nothing needs to be created.",
                    if cov.counts == Counts::Partly { " (its excluded groups are listed in its coverage)" } else { "" }
                ),
            ),
            PolicyState::EnabledForReportingButNotEnforced => out.add(
                FindingCode::EquivalentPolicyReportOnly,
                Severity::Blocker,
                "An equivalent policy is report-only",
                format!(
                    "\"{name}\" already does what this preset does, in report-only mode. Enforce it instead of creating \
                     a second policy: check its results in the sign-in logs, then turn it On."
                ),
            ),
            PolicyState::Disabled => out.add(
                FindingCode::EquivalentPolicyDisabled,
                Severity::Warning,
                "An equivalent policy is off",
                format!(
                    "\"{name}\" already does what this preset does but is Off. Consider turning it on (report-only first) \
                     instead of creating another policy."
                ),
            ),
        };
        f.policy_id = policy.id.clone();
    }
    let already = out
        .0
        .iter()
        .any(|f| f.code == FindingCode::EquivalentPolicyEnabled);
    if !already && preset != Preset::BlockGuestsOutsideTrusted {
        if let Verdict::Protected { by } = assess(snapshot).verdict {
            let names: Vec<String> = by
                .iter()
                .map(|p| format!("\"{}\"", p.policy_name))
                .collect();
            let f = out.add(
                FindingCode::AlreadyProtected,
                Severity::Warning,
                "Registration is already protected",
                format!(
                    "Security-info registration is already protected by {}. Another policy is only needed if you want \
                     a stricter control than it uses.",
                    names.join(", ")
                ),
            );
            f.policy_id = by.first().and_then(|p| p.policy_id.clone());
        }
    }
}

fn names(input: &PreflightInput, out: &mut Findings) {
    let wanted = input.plan.policy.display_name.trim();
    if let Some(existing) = input
        .snapshot
        .policies
        .iter()
        .find(|p| p.display_name.trim().eq_ignore_ascii_case(wanted))
    {
        let f = out.add(
            FindingCode::DisplayNameClash,
            Severity::Blocker,
            "A policy has this name",
            format!("A policy called \"{}\" already exists. Choose another name so the two cannot be confused.", existing.display_name),
        );
        f.policy_id = existing.id.clone();
    }
    if let Some(original) = &input.plan.renamed_from {
        out.add(
            FindingCode::Renamed,
            Severity::Info,
            "Name adjusted",
            format!(
                "A policy called \"{original}\" already exists, so the new one will be called \"{}\".",
                input.plan.policy.display_name
            ),
        );
    }
}

fn excluded_users(plan: &Plan) -> &[String] {
    &plan.policy.conditions.users.exclude_users
}

fn excludes(plan: &Plan, id: &str) -> bool {
    let u = &plan.policy.conditions.users;
    u.exclude_users
        .iter()
        .chain(&u.exclude_groups)
        .any(|x| x.eq_ignore_ascii_case(id))
}

fn exclusions(input: &PreflightInput, out: &mut Findings) {
    let snapshot = input.snapshot;
    let plan = input.plan;
    let guests_only = plan.preset == Preset::BlockGuestsOutsideTrusted;
    match &snapshot.admin {
        Some(admin) if !excludes(plan, &admin.id) && !guests_only => {
            out.add(
                FindingCode::AdminNotExcluded,
                Severity::Blocker,
                "You are not excluded",
                "The signed-in administrator is not excluded from the policy: you could lock yourself out of \
                 registering security info. Add your account to the excluded users."
                    .to_string(),
            );
        }
        Some(_) => {}
        None => {
            out.add(
                FindingCode::AdminUnknown,
                Severity::Warning,
                "Signed-in administrator unknown",
                "The signed-in administrator could not be identified, so the policy may not exclude you. Add your own \
                 account to the excluded users."
                    .to_string(),
            );
        }
    }
    let missing: Vec<&String> = snapshot
        .break_glass
        .iter()
        .filter(|id| !excludes(plan, id))
        .collect();
    if !missing.is_empty() {
        out.add(
            FindingCode::BreakGlassNotExcluded,
            Severity::Blocker,
            "Break-glass accounts are not excluded",
            format!(
                "The emergency-access account(s) {} are not excluded: if sign-in goes wrong they could be locked out \
                 too. Exclude every break-glass account.",
                missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        );
    }
    if snapshot.break_glass.is_empty() {
        out.add(
            FindingCode::NoBreakGlass,
            Severity::Warning,
            "No break-glass accounts configured",
            "No emergency-access (break-glass) accounts are configured. Add their object ids in the options so every \
             policy leaves them out."
                .to_string(),
        );
    }
}

fn directory_ids(input: &PreflightInput, out: &mut Findings) {
    let u = &input.plan.policy.conditions.users;
    let named = |list: &[String]| -> Vec<String> {
        list.iter()
            .filter(|x| crate::engine::presets::is_object_id(x))
            .cloned()
            .collect()
    };
    let users: Vec<String> = named(&u.include_users)
        .into_iter()
        .chain(named(&u.exclude_users))
        .collect();
    let groups: Vec<String> = named(&u.include_groups)
        .into_iter()
        .chain(named(&u.exclude_groups))
        .collect();
    if users.is_empty() && groups.is_empty() {
        return;
    }
    let Some(directory) = input.directory else {
        out.add(
            FindingCode::IdsNotChecked,
            Severity::Info,
            "Ids not checked",
            "The user and group ids of the policy were not looked up in the directory; a mistyped id would exclude \
             nobody."
                .to_string(),
        );
        return;
    };
    let break_glass = |id: &str| {
        input
            .snapshot
            .break_glass
            .iter()
            .any(|b| b.eq_ignore_ascii_case(id))
    };
    let is_admin = |id: &str| {
        input
            .snapshot
            .admin
            .as_ref()
            .is_some_and(|a| a.id.eq_ignore_ascii_case(id))
    };
    for (ids, expected) in [
        (&users, DirectoryObjectKind::User),
        (&groups, DirectoryObjectKind::Group),
    ] {
        for id in ids.iter() {
            let critical = break_glass(id) || is_admin(id);
            let role = if break_glass(id) {
                "break-glass account"
            } else if is_admin(id) {
                "administrator account"
            } else if expected == DirectoryObjectKind::User {
                "user"
            } else {
                "group"
            };
            match directory.get(id) {
                None => {
                    out.add(
                        FindingCode::UnknownId,
                        if critical { Severity::Blocker } else { Severity::Warning },
                        "An id does not exist in this directory",
                        format!(
                            "The {role} id {id} was not found in this tenant's directory — mistyped, deleted, or from \
                             another tenant. {}",
                            if critical {
                                "The account this exclusion should protect would not be excluded: fix the id first."
                            } else {
                                "Check it against the Object ID shown on its page in the admin center."
                            }
                        ),
                    );
                }
                Some(found) if found.kind != expected => {
                    let name = found.display_name.as_deref().unwrap_or(id);
                    out.add(
                        FindingCode::WrongObjectKind,
                        if critical { Severity::Blocker } else { Severity::Warning },
                        "An id is of the wrong kind",
                        format!(
                            "\"{name}\" ({id}) is listed among the {}s but is a {}: Conditional Access ignores it there. \
                             Move it to the right list.",
                            if expected == DirectoryObjectKind::User { "user" } else { "group" },
                            match found.kind {
                                DirectoryObjectKind::User => "user",
                                DirectoryObjectKind::Group => "group",
                                DirectoryObjectKind::Other => "different kind of object",
                            }
                        ),
                    );
                }
                Some(_) => {}
            }
        }
    }
}

fn contains_string(value: &Value, needle: &str) -> bool {
    match value {
        Value::String(s) => s == needle,
        Value::Array(a) => a.iter().any(|v| contains_string(v, needle)),
        Value::Object(o) => o.values().any(|v| contains_string(v, needle)),
        _ => false,
    }
}

fn plan_shape(input: &PreflightInput, out: &mut Findings) {
    let plan = input.plan;
    let c = &plan.policy.conditions;
    if contains_string(&plan.body, TEMPLATE_CURRENT_ADMIN_PLACEHOLDER) {
        out.add(
            FindingCode::PlaceholderInBody,
            Severity::Blocker,
            "Template placeholder left in the policy",
            format!(
                "The policy still contains Microsoft's placeholder \"{TEMPLATE_CURRENT_ADMIN_PLACEHOLDER}\". Replace it \
                 with the administrator's object id; it must never be sent to Graph."
            ),
        );
    }
    if !(c.client_app_types.is_empty() || c.client_app_types.contains(&ClientAppType::All)) {
        out.add(
            FindingCode::ClientAppsNotAll,
            Severity::Warning,
            "Not every client app is covered",
            "The policy covers only some client app types. Registration also happens from native apps such as \
             Microsoft Authenticator; set client apps to all."
                .to_string(),
        );
    }
    let u = &c.users;
    let guests_excluded = excluded_users(plan)
        .iter()
        .any(|x| x.eq_ignore_ascii_case(GUESTS_OR_EXTERNAL_USERS))
        || u.exclude_guests_or_external_users
            .as_ref()
            .is_some_and(|g| !g.guest_or_external_user_types.is_empty());
    let includes_everyone = u
        .include_users
        .iter()
        .any(|x| x.eq_ignore_ascii_case(crate::engine::model::ALL));
    match plan.preset {
        Preset::RequireMfaOutsideTrusted if includes_everyone && !guests_excluded => {
            out.add(
                FindingCode::GuestsUnderMfaPreset,
                Severity::Warning,
                "Guests are included in an MFA registration policy",
                "Guests would have to satisfy MFA to register security info outside trusted locations, but a Temporary \
                 Access Pass does not work for guests and Google-federated guests are blocked outright. Exclude guests \
                 and external users, and cover them with the guest preset instead."
                    .to_string(),
            );
        }
        Preset::BlockOutsideTrusted if includes_everyone && !guests_excluded => {
            out.add(
                FindingCode::GuestsBlockedToo,
                Severity::Info,
                "Guests are blocked too",
                "Guests and external users are included, so they also cannot register security info outside trusted \
                 locations — Microsoft's guest variant does the same."
                    .to_string(),
            );
        }
        _ => {}
    }
    if enforcing(plan) {
        out.add(
            FindingCode::EnforcedWithoutReportOnly,
            Severity::Warning,
            "Created On, without report-only first",
            "Microsoft recommends creating the policy report-only and checking its effect in the sign-in logs before \
             turning it On."
                .to_string(),
        );
    }
}
