//! The local what-if engine: which Conditional Access policies apply to a sign-in, why, and
//! what the sign-in then needs (blocked, controls to satisfy, or allowed).
//!
//! Unlike Microsoft's What If (`POST /beta/identity/conditionalAccess/evaluate`), it runs
//! offline, evaluates **drafts** (a plan's policy, a trusted location about to be created) next
//! to saved policies, and combines the per-policy results into one decision.
//!
//! # How a sign-in is evaluated
//! A policy applies when **every** configured condition matches; exclusions win over inclusions.
//! - Users: `All`, ids, groups (the sign-in lists the user's groups, transitively), directory
//!   roles (role template ids), `GuestsOrExternalUsers` and the typed guest conditions.
//! - Target: an application (by id, or an application group such as `Office365` that the
//!   caller says the app belongs to — the engine carries no catalogue of Microsoft's apps), or a
//!   user action. Policies on *All resources* apply to user actions too, as Microsoft's What If
//!   reports; `excludeApplications` does not exclude a user action.
//! - Locations: IP named locations by address (exact CIDR edges), country locations by the
//!   country given (no country given = unknown country), `AllTrusted` = trusted IP locations plus
//!   the legacy MFA trusted IPs (IPv4). Compliant-network locations match only when the sign-in
//!   says it comes from a compliant network.
//! - Client app type, device platform (unknown platform matches only "all platforms"), sign-in
//!   and user risk (default: no risk), authentication flow (default: an ordinary sign-in, so
//!   device-code and transfer policies do not apply).
//! - Conditions the engine cannot judge from the sign-in (device filters, application filters,
//!   times, insider risk, …) make the result *undetermined* rather than guessed.
//!
//! # Combining
//! Disabled policies are ignored. Report-only policies are evaluated and reported apart; they
//! never change the decision. Among enforced policies that apply: any `block` wins
//! ([`Decision::Blocked`]); otherwise every policy with grant controls must be satisfied, each
//! by its own AND/OR ([`Decision::RequiresControls`]); otherwise the sign-in is allowed.
//!
//! # Speed
//! [`WhatIfEngine::new`] compiles policies once: ids are interned to integers, id lists become
//! sorted slices, named locations become merged integer ranges. A [`PreparedSignIn`] resolves the
//! sign-in's ids and locations once; evaluating one policy against it does not allocate.
//!
//! ```
//! use registration_guard::engine::model::TenantSnapshot;
//! use registration_guard::engine::whatif::{SignIn, SignInTarget, WhatIfEngine, Decision};
//! let engine = WhatIfEngine::new(&TenantSnapshot::default());
//! let sign_in = SignIn::new("user-1", SignInTarget::register_security_info());
//! assert!(matches!(engine.evaluate(&sign_in).unwrap().decision, Decision::Allowed));
//! ```

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::cidr::{IpAddress, RangeSet};
use crate::engine::coverage::is_configured;
use crate::engine::model::{
    BuiltInControl, ClientAppType, ConditionalAccessPolicy, DevicePlatform, GrantOperator,
    GuestOrExternalUserType, GuestsOrExternalUsers, NamedLocation, PolicyState, RiskLevel,
    TenantSnapshot, ALL, ALL_TRUSTED, GUESTS_OR_EXTERNAL_USERS, NONE, ROLE_GLOBAL_ADMINISTRATOR,
    USER_ACTION_REGISTER_SECURITY_INFO,
};

/// `@odata.type` of compliant-network named locations (Global Secure Access).
const ODATA_COMPLIANT_NETWORK_LOCATION: &str = "#microsoft.graph.compliantNetworkNamedLocation";

/// What the sign-in is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SignInTarget {
    /// Signing in to an application.
    #[serde(rename_all = "camelCase")]
    Application {
        /// Application (client) id.
        app_id: String,
        /// Application groups policies can target that this app belongs to, such as
        /// `Office365` or `MicrosoftAdminPortals`.
        #[serde(default)]
        app_groups: Vec<String>,
    },
    /// A user action such as `urn:user:registersecurityinfo`.
    #[serde(rename_all = "camelCase")]
    UserAction { action: String },
}

impl SignInTarget {
    /// Registering security information (MFA and SSPR methods).
    pub fn register_security_info() -> SignInTarget {
        SignInTarget::UserAction {
            action: USER_ACTION_REGISTER_SECURITY_INFO.to_string(),
        }
    }

    /// An application by id.
    pub fn application(app_id: &str) -> SignInTarget {
        SignInTarget::Application {
            app_id: app_id.to_string(),
            app_groups: Vec::new(),
        }
    }
}

/// A sign-in to evaluate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    /// Object id of the user.
    pub user_id: String,
    /// Object ids of the groups the user is a member of (directly or through nesting).
    #[serde(default)]
    pub group_ids: Vec<String>,
    /// Role template ids of the user's active directory roles.
    #[serde(default)]
    pub role_ids: Vec<String>,
    /// The guest or external kind of the user; `None` for a member of the tenant.
    #[serde(default)]
    pub guest_type: Option<GuestOrExternalUserType>,
    /// Home tenant of an external user (for policies that list external tenants).
    #[serde(default)]
    pub home_tenant_id: Option<String>,
    pub target: SignInTarget,
    /// Public IPv4 or IPv6 address the sign-in comes from.
    #[serde(default)]
    pub ip_address: Option<String>,
    /// ISO 3166-1 alpha-2 country of the sign-in; `None` means the country is unknown.
    #[serde(default)]
    pub country: Option<String>,
    /// Whether the sign-in comes through a compliant network (Global Secure Access).
    #[serde(default)]
    pub compliant_network: bool,
    #[serde(default = "default_client_app")]
    pub client_app: ClientAppType,
    /// `None` when the platform is unknown.
    #[serde(default)]
    pub platform: Option<DevicePlatform>,
    /// `None` means no risk.
    #[serde(default)]
    pub sign_in_risk: Option<RiskLevel>,
    /// `None` means no risk.
    #[serde(default)]
    pub user_risk: Option<RiskLevel>,
    /// Authentication transfer method (`deviceCodeFlow`, `authenticationTransfer`); `None` for
    /// an ordinary interactive sign-in.
    #[serde(default)]
    pub authentication_flow: Option<String>,
}

fn default_client_app() -> ClientAppType {
    ClientAppType::Browser
}

impl SignIn {
    /// A member signing in from a browser, no address, country or platform known.
    pub fn new(user_id: &str, target: SignInTarget) -> SignIn {
        SignIn {
            user_id: user_id.to_string(),
            group_ids: Vec::new(),
            role_ids: Vec::new(),
            guest_type: None,
            home_tenant_id: None,
            target,
            ip_address: None,
            country: None,
            compliant_network: false,
            client_app: ClientAppType::Browser,
            platform: None,
            sign_in_risk: None,
            user_risk: None,
            authentication_flow: None,
        }
    }
}

/// Why a sign-in could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum SignInError {
    InvalidIpAddress { input: String, message: String },
    MissingUser { message: String },
}

impl fmt::Display for SignInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignInError::InvalidIpAddress { message, .. }
            | SignInError::MissingUser { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for SignInError {}

/// A policy named in a result: saved (with its id) or a draft.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRef {
    pub id: Option<String>,
    pub display_name: String,
    /// A policy not yet created (from a plan).
    pub draft: bool,
}

/// A policy that is not saved yet, evaluated next to the tenant's policies.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub policy: ConditionalAccessPolicy,
    /// Evaluate as if the policy were on, whatever its state (to preview enforcement).
    pub as_enabled: bool,
}

/// Whether a policy applies to the sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Applicability {
    Applies,
    DoesNotApply,
    /// The policy depends on something the sign-in does not describe (a device filter, …).
    Undetermined,
}

/// The condition that decided a policy's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Condition {
    /// Every condition matched.
    AllMatched,
    Users,
    Applications,
    UserActions,
    Locations,
    ClientApps,
    Platforms,
    SignInRisk,
    UserRisk,
    AuthenticationFlows,
    Devices,
    /// A condition the engine does not evaluate (times, authentication flows, …).
    Other,
}

/// One grant control a policy asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "control", rename_all = "camelCase")]
pub enum GrantControl {
    Mfa,
    #[serde(rename_all = "camelCase")]
    AuthenticationStrength {
        name: String,
    },
    CompliantDevice,
    DomainJoinedDevice,
    ApprovedApplication,
    CompliantApplication,
    PasswordChange,
    #[serde(rename_all = "camelCase")]
    TermsOfUse {
        id: String,
    },
    #[serde(rename_all = "camelCase")]
    CustomFactor {
        id: String,
    },
    #[serde(rename_all = "camelCase")]
    Other {
        name: String,
    },
}

impl GrantControl {
    /// The name shown in the admin center.
    pub fn label(&self) -> String {
        match self {
            GrantControl::Mfa => "Require multifactor authentication".to_string(),
            GrantControl::AuthenticationStrength { name } => {
                format!("Require authentication strength ({name})")
            }
            GrantControl::CompliantDevice => "Require device to be marked as compliant".to_string(),
            GrantControl::DomainJoinedDevice => {
                "Require Microsoft Entra hybrid joined device".to_string()
            }
            GrantControl::ApprovedApplication => "Require approved client app".to_string(),
            GrantControl::CompliantApplication => "Require app protection policy".to_string(),
            GrantControl::PasswordChange => "Require password change".to_string(),
            GrantControl::TermsOfUse { id } => format!("Accept terms of use ({id})"),
            GrantControl::CustomFactor { id } => format!("Custom control ({id})"),
            GrantControl::Other { name } => name.clone(),
        }
    }
}

/// What one policy asks of a sign-in it applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    pub policy: PolicyRef,
    /// `AND`: every control; `OR`: any one of them.
    pub operator: GrantOperator,
    pub controls: Vec<GrantControl>,
}

/// The combined result for the sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "camelCase")]
pub enum Decision {
    /// At least one applying policy blocks; block wins over everything.
    Blocked { by: Vec<PolicyRef> },
    /// Every listed policy must be satisfied, each by its own operator.
    RequiresControls { requirements: Vec<Requirement> },
    /// No applying policy blocks or asks for anything.
    Allowed,
}

/// The result for one policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyEvaluation {
    pub policy: PolicyRef,
    /// The state the policy was evaluated in (a draft evaluated as enabled says `enabled`).
    pub state: PolicyState,
    pub result: Applicability,
    /// The condition that decided (the first that did not match, or [`Condition::AllMatched`]).
    pub condition: Condition,
    /// One sentence for the admin.
    pub explanation: String,
    /// Whether the policy blocks (when it applies).
    pub blocks: bool,
    /// Controls it asks for (when it applies and does not block).
    pub requirement: Option<Requirement>,
}

/// Everything the what-if engine says about one sign-in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfReport {
    /// The decision from enforced (On) policies.
    pub decision: Decision,
    /// Enforced policies, applying or not.
    pub enforced: Vec<PolicyEvaluation>,
    /// Report-only policies: what they would do; they do not change [`WhatIfReport::decision`].
    pub report_only: Vec<PolicyEvaluation>,
    /// The decision if the report-only policies were turned on too.
    pub decision_if_report_only_enforced: Decision,
    /// Disabled policies, ignored.
    pub ignored_disabled: Vec<PolicyRef>,
    /// Enforced policies whose result could not be determined; they might block or add controls.
    pub undetermined: Vec<PolicyRef>,
    /// Facts assumed or data skipped while evaluating.
    pub notes: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Compiled form
// ---------------------------------------------------------------------------------------------

/// Id that no interned id equals (an id only the sign-in knows can match nothing).
const UNKNOWN: u32 = u32::MAX;

/// Case-insensitive ids to integers.
#[derive(Default, Debug, Clone)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn intern(&mut self, id: &str) -> u32 {
        let key = id.trim().to_ascii_lowercase();
        if let Some(&n) = self.ids.get(&key) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(id.trim().to_string());
        self.ids.insert(key, n);
        n
    }

    fn lookup(&self, id: &str) -> u32 {
        self.ids
            .get(&id.trim().to_ascii_lowercase())
            .copied()
            .unwrap_or(UNKNOWN)
    }

    fn name(&self, n: u32) -> &str {
        self.names
            .get(n as usize)
            .map_or("(unknown)", String::as_str)
    }

    fn sorted(&mut self, ids: &[String]) -> Box<[u32]> {
        let mut v: Vec<u32> = ids.iter().map(|id| self.intern(id)).collect();
        v.sort_unstable();
        v.dedup();
        v.into_boxed_slice()
    }
}

const GUEST_MEMBER: u8 = 0;

fn guest_bit(t: &GuestOrExternalUserType) -> u8 {
    match t {
        GuestOrExternalUserType::NoGuests => 0,
        GuestOrExternalUserType::InternalGuest => 1 << 0,
        GuestOrExternalUserType::B2bCollaborationGuest => 1 << 1,
        GuestOrExternalUserType::B2bCollaborationMember => 1 << 2,
        GuestOrExternalUserType::B2bDirectConnectUser => 1 << 3,
        GuestOrExternalUserType::OtherExternalUser => 1 << 4,
        GuestOrExternalUserType::ServiceProvider => 1 << 5,
        GuestOrExternalUserType::Other(_) => 1 << 6,
    }
}

fn client_bit(c: &ClientAppType) -> u8 {
    match c {
        ClientAppType::All => 0xff,
        ClientAppType::Browser => 1,
        ClientAppType::MobileAppsAndDesktopClients => 2,
        ClientAppType::ExchangeActiveSync | ClientAppType::EasSupported => 4,
        ClientAppType::LegacyOther => 8,
        ClientAppType::Other(_) => 16,
    }
}

fn platform_bit(p: &DevicePlatform) -> u8 {
    match p {
        DevicePlatform::All => 0xff,
        DevicePlatform::Android => 1,
        DevicePlatform::IOS => 2,
        DevicePlatform::Windows => 4,
        DevicePlatform::WindowsPhone => 8,
        DevicePlatform::MacOS => 16,
        DevicePlatform::Linux => 32,
        DevicePlatform::Other(_) => 64,
    }
}

/// Key of the authentication flows condition, read here because the model carries it unparsed.
const AUTHENTICATION_FLOWS: &str = "authenticationFlows";

fn flow_bit(method: &str) -> u8 {
    let m = method.trim();
    if m.eq_ignore_ascii_case("deviceCodeFlow") {
        1
    } else if m.eq_ignore_ascii_case("authenticationTransfer") {
        2
    } else if m.is_empty() || m.eq_ignore_ascii_case("none") {
        0
    } else {
        4
    }
}

fn risk_bit(r: &RiskLevel) -> u8 {
    match r {
        RiskLevel::Low => 1,
        RiskLevel::Medium => 2,
        RiskLevel::High => 4,
        RiskLevel::Hidden => 8,
        RiskLevel::NoRisk => 16,
        RiskLevel::Other(_) => 32,
    }
}

#[derive(Debug, Clone)]
enum Tenants {
    All,
    Listed(Box<[u32]>),
}

#[derive(Debug, Clone)]
struct GuestRule {
    kinds: u8,
    tenants: Tenants,
}

impl GuestRule {
    fn compile(g: &GuestsOrExternalUsers, interner: &mut Interner) -> GuestRule {
        let kinds = g
            .guest_or_external_user_types
            .iter()
            .fold(0, |m, t| m | guest_bit(t));
        let tenants = match &g.external_tenants {
            Some(t)
                if t.membership_kind
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case("enumerated")) =>
            {
                Tenants::Listed(interner.sorted(&t.members))
            }
            _ => Tenants::All,
        };
        GuestRule { kinds, tenants }
    }

    fn matches(&self, s: &PreparedSignIn) -> bool {
        s.guest & self.kinds != 0
            && match &self.tenants {
                Tenants::All => true,
                Tenants::Listed(list) => contains(list, s.home_tenant),
            }
    }
}

#[derive(Debug, Clone)]
struct UserRule {
    include_all: bool,
    include_any_guest: bool,
    include_users: Box<[u32]>,
    include_groups: Box<[u32]>,
    include_roles: Box<[u32]>,
    include_guests: Option<GuestRule>,
    exclude_any_guest: bool,
    exclude_users: Box<[u32]>,
    exclude_groups: Box<[u32]>,
    exclude_roles: Box<[u32]>,
    exclude_guests: Option<GuestRule>,
}

#[derive(Debug, Clone)]
struct AppRule {
    include_all: bool,
    include: Box<[u32]>,
    exclude: Box<[u32]>,
    actions: Box<[u32]>,
    /// Targets authentication contexts (requested by apps at run time, not modelled here).
    auth_contexts: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LocationRef {
    All,
    Trusted,
    Named(u32),
}

#[derive(Debug, Clone)]
struct LocationRule {
    include: Box<[LocationRef]>,
    exclude: Box<[LocationRef]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unevaluable {
    DeviceFilter,
    ApplicationFilter,
    /// Index into [`WhatIfEngine::condition_names`].
    Condition(u16),
    /// The policy names a location kind the sign-in cannot be placed in.
    LocationKind(u32),
}

#[derive(Debug, Clone)]
struct CompiledPolicy {
    reference: PolicyRef,
    state: PolicyState,
    users: UserRule,
    apps: AppRule,
    /// 0 = every client app type.
    client_apps: u8,
    /// (include mask, exclude mask); `None` when not configured.
    platforms: Option<(u8, u8)>,
    locations: Option<LocationRule>,
    sign_in_risk: u8,
    user_risk: u8,
    /// Transfer methods the policy is limited to; 0 = not configured.
    flows: u8,
    unevaluable: Option<Unevaluable>,
    blocks: bool,
    requirement: Option<(GrantOperator, Vec<GrantControl>)>,
}

#[derive(Debug, Clone)]
struct CompiledLocation {
    name: String,
    trusted: bool,
    kind: LocationKind,
}

#[derive(Debug, Clone)]
enum LocationKind {
    Ip(RangeSet),
    Country {
        countries: Box<[[u8; 2]]>,
        include_unknown: bool,
    },
    CompliantNetwork,
    Unsupported,
}

/// Why a policy does not apply, kept compact so evaluation never allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    NoUsersIncluded,
    UserNotIncluded,
    ExcludedUser,
    ExcludedGroup(u32),
    ExcludedRole(u32),
    ExcludedGuest,
    TargetsOtherApps,
    AppExcluded,
    AuthContextOnly,
    NotForUserAction,
    OtherUserAction,
    UserActionsOnly,
    LocationNotIncluded,
    LocationExcluded(LocationRef),
    ClientApp,
    PlatformNotIncluded,
    PlatformExcluded,
    SignInRisk,
    UserRisk,
    AuthenticationFlow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    Applies,
    Skipped(Miss),
    Undetermined(Unevaluable),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PreparedTarget {
    Action(u32),
    App { id: u32, groups: Box<[u32]> },
}

/// A sign-in resolved against one engine (ids interned, locations matched), reusable for any
/// number of evaluations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedSignIn {
    user: u32,
    groups: Box<[u32]>,
    roles: Box<[u32]>,
    guest: u8,
    home_tenant: u32,
    target: PreparedTarget,
    /// Indices of the named locations the sign-in is in, sorted.
    locations: Box<[u32]>,
    trusted: bool,
    client_app: u8,
    platform: u8,
    sign_in_risk: u8,
    user_risk: u8,
    flow: u8,
}

/// Policies and named locations compiled for fast evaluation.
#[derive(Debug, Clone)]
pub struct WhatIfEngine {
    interner: Interner,
    policies: Vec<CompiledPolicy>,
    locations: Vec<CompiledLocation>,
    location_index: HashMap<String, u32>,
    /// Trusted ranges: trusted IP locations plus MFA trusted IPs.
    trusted_ranges: RangeSet,
    condition_names: Vec<String>,
    notes: Vec<String>,
}

fn contains(sorted: &[u32], x: u32) -> bool {
    x != UNKNOWN && sorted.binary_search(&x).is_ok()
}

/// First element of `a` that is also in `b` (both sorted).
fn first_common(a: &[u32], b: &[u32]) -> Option<u32> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .copied()
        .find(|x| large.binary_search(x).is_ok())
}

impl WhatIfEngine {
    /// Compiles the tenant's policies and named locations.
    pub fn new(snapshot: &TenantSnapshot) -> WhatIfEngine {
        WhatIfEngine::with_drafts(snapshot, &[], &[])
    }

    /// Compiles the tenant's policies plus draft policies, and its named locations plus draft
    /// locations (e.g. the trusted location a plan will create; give it an id the draft policy
    /// references).
    pub fn with_drafts(
        snapshot: &TenantSnapshot,
        drafts: &[Draft],
        draft_locations: &[NamedLocation],
    ) -> WhatIfEngine {
        let mut engine = WhatIfEngine {
            interner: Interner::default(),
            policies: Vec::with_capacity(snapshot.policies.len() + drafts.len()),
            locations: Vec::new(),
            location_index: HashMap::new(),
            trusted_ranges: RangeSet::default(),
            condition_names: Vec::new(),
            notes: Vec::new(),
        };
        for location in snapshot.named_locations.iter().chain(draft_locations) {
            engine.add_location(location);
        }
        if let Some(ips) = &snapshot.mfa_trusted_ips {
            let mut ranges = Vec::new();
            for text in ips {
                match crate::engine::cidr::Cidr::parse(text) {
                    Ok(c) => ranges.push(c),
                    Err(e) => engine
                        .notes
                        .push(format!("An MFA trusted IP entry is ignored: {e}")),
                }
            }
            engine.trusted_ranges.extend(&ranges);
        }
        for policy in &snapshot.policies {
            let reference = PolicyRef {
                id: policy.id.clone(),
                display_name: policy.display_name.clone(),
                draft: false,
            };
            let compiled = engine.compile_policy(policy, reference, policy.state);
            engine.policies.push(compiled);
        }
        for draft in drafts {
            let reference = PolicyRef {
                id: draft.policy.id.clone(),
                display_name: draft.policy.display_name.clone(),
                draft: true,
            };
            let state = if draft.as_enabled {
                PolicyState::Enabled
            } else {
                draft.policy.state
            };
            let compiled = engine.compile_policy(&draft.policy, reference, state);
            engine.policies.push(compiled);
        }
        engine
    }

    fn add_location(&mut self, location: &NamedLocation) {
        let kind = match location {
            NamedLocation::Ip {
                ip_ranges,
                is_trusted,
                display_name,
                ..
            } => {
                let mut ranges = Vec::with_capacity(ip_ranges.len());
                for text in ip_ranges {
                    match crate::engine::cidr::Cidr::parse(text) {
                        Ok(c) => ranges.push(c),
                        Err(e) => self.notes.push(format!(
                            "Named location \"{display_name}\": a range is ignored: {e}"
                        )),
                    }
                }
                if *is_trusted {
                    self.trusted_ranges.extend(&ranges);
                }
                LocationKind::Ip(RangeSet::new(&ranges))
            }
            NamedLocation::Country {
                countries_and_regions,
                include_unknown,
                ..
            } => LocationKind::Country {
                countries: countries_and_regions
                    .iter()
                    .filter_map(|c| country_code(c))
                    .collect(),
                include_unknown: *include_unknown,
            },
            NamedLocation::Other { odata_type, .. }
                if odata_type.eq_ignore_ascii_case(ODATA_COMPLIANT_NETWORK_LOCATION) =>
            {
                LocationKind::CompliantNetwork
            }
            NamedLocation::Other { .. } => LocationKind::Unsupported,
        };
        let index = self.locations.len() as u32;
        if let Some(id) = location.id() {
            self.location_index.insert(id.to_ascii_lowercase(), index);
        }
        self.locations.push(CompiledLocation {
            name: location.display_name().to_string(),
            trusted: location.is_trusted(),
            kind,
        });
    }

    fn condition_index(&mut self, name: &str) -> u16 {
        if let Some(i) = self.condition_names.iter().position(|n| n == name) {
            return i as u16;
        }
        self.condition_names.push(name.to_string());
        (self.condition_names.len() - 1) as u16
    }

    fn compile_location_refs(&mut self, ids: &[String], policy_name: &str) -> Box<[LocationRef]> {
        ids.iter()
            .map(|id| {
                if id.eq_ignore_ascii_case(ALL) {
                    LocationRef::All
                } else if id.eq_ignore_ascii_case(ALL_TRUSTED) {
                    LocationRef::Trusted
                } else if let Some(&i) = self.location_index.get(&id.to_ascii_lowercase()) {
                    LocationRef::Named(i)
                } else {
                    self.notes.push(format!(
                        "Policy \"{policy_name}\" names location {id}, which is not among the named locations read; \
                         no sign-in is placed in it."
                    ));
                    LocationRef::Named(UNKNOWN)
                }
            })
            .collect()
    }

    fn compile_policy(
        &mut self,
        policy: &ConditionalAccessPolicy,
        reference: PolicyRef,
        state: PolicyState,
    ) -> CompiledPolicy {
        let c = &policy.conditions;
        let u = &c.users;
        let is = |list: &[String], word: &str| list.iter().any(|x| x.eq_ignore_ascii_case(word));
        let keep_ids = |list: &[String]| -> Vec<String> {
            list.iter()
                .filter(|x| {
                    ![ALL, NONE, GUESTS_OR_EXTERNAL_USERS]
                        .iter()
                        .any(|w| x.eq_ignore_ascii_case(w))
                })
                .cloned()
                .collect()
        };
        let users = UserRule {
            include_all: is(&u.include_users, ALL),
            include_any_guest: is(&u.include_users, GUESTS_OR_EXTERNAL_USERS),
            include_users: self.interner.sorted(&keep_ids(&u.include_users)),
            include_groups: self.interner.sorted(&u.include_groups),
            include_roles: self.interner.sorted(&u.include_roles),
            include_guests: u
                .include_guests_or_external_users
                .as_ref()
                .map(|g| GuestRule::compile(g, &mut self.interner)),
            exclude_any_guest: is(&u.exclude_users, GUESTS_OR_EXTERNAL_USERS),
            exclude_users: self.interner.sorted(&keep_ids(&u.exclude_users)),
            exclude_groups: self.interner.sorted(&u.exclude_groups),
            exclude_roles: self.interner.sorted(&u.exclude_roles),
            exclude_guests: u
                .exclude_guests_or_external_users
                .as_ref()
                .map(|g| GuestRule::compile(g, &mut self.interner)),
        };
        let a = &c.applications;
        let apps = AppRule {
            include_all: is(&a.include_applications, ALL),
            include: self.interner.sorted(&keep_ids(&a.include_applications)),
            exclude: self.interner.sorted(&a.exclude_applications),
            actions: self.interner.sorted(&a.include_user_actions),
            auth_contexts: !a.include_authentication_context_class_references.is_empty(),
        };
        let client_apps =
            if c.client_app_types.is_empty() || c.client_app_types.contains(&ClientAppType::All) {
                0
            } else {
                c.client_app_types.iter().fold(0, |m, t| m | client_bit(t))
            };
        let platforms = c.platforms.as_ref().and_then(|p| {
            let include = p
                .include_platforms
                .iter()
                .fold(0u8, |m, t| m | platform_bit(t));
            let exclude = p
                .exclude_platforms
                .iter()
                .fold(0u8, |m, t| m | platform_bit(t));
            (include != 0 || exclude != 0)
                .then_some((if include == 0 { 0xff } else { include }, exclude))
        });
        let locations = c.locations.as_ref().and_then(|l| {
            if l.include_locations.is_empty() && l.exclude_locations.is_empty() {
                return None;
            }
            let include = self.compile_location_refs(&l.include_locations, &policy.display_name);
            let exclude = self.compile_location_refs(&l.exclude_locations, &policy.display_name);
            Some(LocationRule { include, exclude })
        });
        let mut unevaluable = None;
        if c.devices.as_ref().is_some_and(is_configured) {
            unevaluable = Some(Unevaluable::DeviceFilter);
        } else if a.application_filter.as_ref().is_some_and(is_configured) {
            unevaluable = Some(Unevaluable::ApplicationFilter);
        } else if let Some((name, _)) = c.extra.iter().find(|(k, v)| {
            !k.starts_with('@') && k.as_str() != AUTHENTICATION_FLOWS && is_configured(v)
        }) {
            let name = name.clone();
            unevaluable = Some(Unevaluable::Condition(self.condition_index(&name)));
        }
        if unevaluable.is_none() {
            if let Some(rule) = &locations {
                let odd = rule
                    .include
                    .iter()
                    .chain(rule.exclude.iter())
                    .find_map(|r| match r {
                        LocationRef::Named(i) if *i != UNKNOWN => {
                            matches!(self.locations[*i as usize].kind, LocationKind::Unsupported)
                                .then_some(*i)
                        }
                        _ => None,
                    });
                unevaluable = odd.map(Unevaluable::LocationKind);
            }
        }
        let (blocks, requirement) = compile_grant(policy);
        CompiledPolicy {
            reference,
            state,
            users,
            apps,
            client_apps,
            platforms,
            locations,
            sign_in_risk: c.sign_in_risk_levels.iter().fold(0, |m, r| m | risk_bit(r)),
            user_risk: c.user_risk_levels.iter().fold(0, |m, r| m | risk_bit(r)),
            flows: c
                .extra
                .get(AUTHENTICATION_FLOWS)
                .and_then(|f| f.get("transferMethods"))
                .and_then(Value::as_str)
                .map_or(0, |text| text.split(',').fold(0, |m, t| m | flow_bit(t))),
            unevaluable,
            blocks,
            requirement,
        }
    }

    /// Resolves a sign-in against this engine: parses the address, interns ids, finds the named
    /// locations it is in. Do this once per sign-in and evaluate as often as needed.
    pub fn prepare(&self, sign_in: &SignIn) -> Result<PreparedSignIn, SignInError> {
        if sign_in.user_id.trim().is_empty() {
            return Err(SignInError::MissingUser {
                message: "Choose the user who signs in (an object id) before running what-if."
                    .to_string(),
            });
        }
        let ip = match sign_in
            .ip_address
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(text) => {
                Some(
                    IpAddress::parse(text).map_err(|e| SignInError::InvalidIpAddress {
                        input: text.chars().take(80).collect(),
                        message: format!("{e}. Enter the public address the user signs in from."),
                    })?,
                )
            }
        };
        let lookup_sorted = |ids: &[String]| -> Box<[u32]> {
            let mut v: Vec<u32> = ids
                .iter()
                .map(|id| self.interner.lookup(id))
                .filter(|&n| n != UNKNOWN)
                .collect();
            v.sort_unstable();
            v.dedup();
            v.into_boxed_slice()
        };
        let country = sign_in.country.as_deref().and_then(country_code);
        let mut locations = Vec::new();
        for (i, location) in self.locations.iter().enumerate() {
            let inside = match &location.kind {
                LocationKind::Ip(set) => ip.is_some_and(|a| set.contains(a)),
                LocationKind::Country {
                    countries,
                    include_unknown,
                } => match country {
                    Some(code) => countries.contains(&code),
                    None => *include_unknown,
                },
                LocationKind::CompliantNetwork => sign_in.compliant_network,
                LocationKind::Unsupported => false,
            };
            if inside {
                locations.push(i as u32);
            }
        }
        // Trusted IP ranges are pre-merged; a trusted location of another kind (a compliant
        // network marked trusted) counts when the sign-in is in it.
        let trusted = ip.is_some_and(|a| self.trusted_ranges.contains(a))
            || locations
                .iter()
                .any(|&i| self.locations[i as usize].trusted);
        let target = match &sign_in.target {
            SignInTarget::UserAction { action } => {
                PreparedTarget::Action(self.interner.lookup(action))
            }
            SignInTarget::Application { app_id, app_groups } => PreparedTarget::App {
                id: self.interner.lookup(app_id),
                groups: lookup_sorted(app_groups),
            },
        };
        Ok(PreparedSignIn {
            user: self.interner.lookup(&sign_in.user_id),
            groups: lookup_sorted(&sign_in.group_ids),
            roles: lookup_sorted(&sign_in.role_ids),
            guest: sign_in.guest_type.as_ref().map_or(GUEST_MEMBER, guest_bit),
            home_tenant: sign_in
                .home_tenant_id
                .as_deref()
                .map_or(UNKNOWN, |t| self.interner.lookup(t)),
            target,
            locations: locations.into_boxed_slice(),
            trusted,
            client_app: client_bit(&sign_in.client_app),
            platform: sign_in.platform.as_ref().map_or(0, platform_bit),
            sign_in_risk: sign_in
                .sign_in_risk
                .as_ref()
                .map_or(risk_bit(&RiskLevel::NoRisk), risk_bit),
            user_risk: sign_in
                .user_risk
                .as_ref()
                .map_or(risk_bit(&RiskLevel::NoRisk), risk_bit),
            flow: sign_in.authentication_flow.as_deref().map_or(0, flow_bit),
        })
    }

    /// Number of compiled policies (saved and drafts, every state).
    pub fn policy_count(&self) -> usize {
        self.policies.len()
    }

    /// Notes about data the compilation skipped (unreadable ranges, unknown location ids).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// How many policies (of any state) apply to the prepared sign-in. Does not allocate; this is
    /// the operation the throughput benchmark measures.
    pub fn count_applying(&self, sign_in: &PreparedSignIn) -> usize {
        self.policies
            .iter()
            .filter(|p| matches!(evaluate(p, sign_in), Match::Applies))
            .count()
    }

    /// Evaluates a sign-in against every policy and combines the results.
    pub fn evaluate(&self, sign_in: &SignIn) -> Result<WhatIfReport, SignInError> {
        let prepared = self.prepare(sign_in)?;
        Ok(self.evaluate_prepared(&prepared))
    }

    /// [`WhatIfEngine::evaluate`] for a sign-in already prepared.
    pub fn evaluate_prepared(&self, sign_in: &PreparedSignIn) -> WhatIfReport {
        let mut enforced = Vec::new();
        let mut report_only = Vec::new();
        let mut ignored_disabled = Vec::new();
        let mut undetermined = Vec::new();
        for policy in &self.policies {
            if policy.state == PolicyState::Disabled {
                ignored_disabled.push(policy.reference.clone());
                continue;
            }
            let m = evaluate(policy, sign_in);
            let evaluation = self.describe(policy, m, sign_in);
            match policy.state {
                PolicyState::Enabled => {
                    if evaluation.result == Applicability::Undetermined {
                        undetermined.push(policy.reference.clone());
                    }
                    enforced.push(evaluation);
                }
                _ => report_only.push(evaluation),
            }
        }
        let decision = combine(enforced.iter());
        let decision_if_report_only_enforced = combine(enforced.iter().chain(report_only.iter()));
        let mut notes = self.notes.clone();
        if !undetermined.is_empty() {
            notes.push(format!(
                "{} enforced polic{} could not be evaluated from the sign-in alone and might also apply.",
                undetermined.len(),
                if undetermined.len() == 1 { "y" } else { "ies" }
            ));
        }
        WhatIfReport {
            decision,
            enforced,
            report_only,
            decision_if_report_only_enforced,
            ignored_disabled,
            undetermined,
            notes,
        }
    }

    fn describe(&self, policy: &CompiledPolicy, m: Match, s: &PreparedSignIn) -> PolicyEvaluation {
        let (result, condition, explanation) = match m {
            Match::Applies => {
                let what = if policy.blocks {
                    "it blocks access".to_string()
                } else if let Some((op, controls)) = &policy.requirement {
                    let joiner = if *op == GrantOperator::And {
                        " and "
                    } else {
                        " or "
                    };
                    let labels: Vec<String> = controls.iter().map(GrantControl::label).collect();
                    format!("it requires {}", labels.join(joiner))
                } else {
                    "it adds session controls only".to_string()
                };
                (
                    Applicability::Applies,
                    Condition::AllMatched,
                    format!("Every condition matches: {what}."),
                )
            }
            Match::Skipped(miss) => {
                let (condition, text) = self.explain_miss(policy, miss, s);
                (Applicability::DoesNotApply, condition, text)
            }
            Match::Undetermined(u) => {
                let (condition, text) = match u {
                    Unevaluable::DeviceFilter => (
                        Condition::Devices,
                        "Its device filter depends on device attributes the sign-in does not describe.".to_string(),
                    ),
                    Unevaluable::ApplicationFilter => (
                        Condition::Applications,
                        "Its application filter depends on custom security attributes of the app, not modelled here."
                            .to_string(),
                    ),
                    Unevaluable::Condition(i) => (
                        Condition::Other,
                        format!(
                            "It also sets the \"{}\" condition, which the sign-in does not describe.",
                            self.condition_names.get(i as usize).map_or("other", String::as_str)
                        ),
                    ),
                    Unevaluable::LocationKind(i) => (
                        Condition::Locations,
                        format!(
                            "It uses the location \"{}\", a kind of named location the engine cannot place a sign-in in.",
                            self.locations[i as usize].name
                        ),
                    ),
                };
                (Applicability::Undetermined, condition, text)
            }
        };
        let applies = result == Applicability::Applies;
        PolicyEvaluation {
            policy: policy.reference.clone(),
            state: policy.state,
            result,
            condition,
            explanation,
            blocks: policy.blocks,
            requirement: if applies && !policy.blocks {
                policy
                    .requirement
                    .as_ref()
                    .map(|(operator, controls)| Requirement {
                        policy: policy.reference.clone(),
                        operator: *operator,
                        controls: controls.clone(),
                    })
            } else {
                None
            },
        }
    }

    fn location_name(&self, r: LocationRef) -> String {
        match r {
            LocationRef::All => "any location".to_string(),
            LocationRef::Trusted => "a trusted location".to_string(),
            LocationRef::Named(UNKNOWN) => "a location missing from the snapshot".to_string(),
            LocationRef::Named(i) => format!("\"{}\"", self.locations[i as usize].name),
        }
    }

    fn explain_miss(
        &self,
        policy: &CompiledPolicy,
        miss: Miss,
        s: &PreparedSignIn,
    ) -> (Condition, String) {
        let name = |n: u32| self.interner.name(n).to_string();
        match miss {
            Miss::NoUsersIncluded => (Condition::Users, "It includes no users (None).".to_string()),
            Miss::UserNotIncluded => (Condition::Users, "The user is not among the users, groups, roles or guests it includes.".to_string()),
            Miss::ExcludedUser => (Condition::Users, "The user is excluded by name.".to_string()),
            Miss::ExcludedGroup(g) => (Condition::Users, format!("The user is a member of excluded group {}.", name(g))),
            Miss::ExcludedRole(r) => (Condition::Users, format!("The user holds excluded role {}.", name(r))),
            Miss::ExcludedGuest => (Condition::Users, "Guests and external users of this kind are excluded.".to_string()),
            Miss::TargetsOtherApps => (Condition::Applications, "It targets other applications.".to_string()),
            Miss::AppExcluded => (Condition::Applications, "The application is excluded.".to_string()),
            Miss::AuthContextOnly => (
                Condition::Applications,
                "It targets an authentication context, which an app requests at run time, not this sign-in.".to_string(),
            ),
            Miss::NotForUserAction => (
                Condition::UserActions,
                "It targets applications, not user actions (only policies on All resources or on this user action apply)."
                    .to_string(),
            ),
            Miss::OtherUserAction => {
                let actions: Vec<String> = policy.apps.actions.iter().map(|&a| name(a)).collect();
                let doing = match &s.target {
                    PreparedTarget::Action(a) if *a != UNKNOWN => name(*a),
                    _ => "this user action".to_string(),
                };
                (Condition::UserActions, format!("It targets the user action {}, not {doing}.", actions.join(", ")))
            }
            Miss::UserActionsOnly => {
                let actions: Vec<String> = policy.apps.actions.iter().map(|&a| name(a)).collect();
                (Condition::Applications, format!("It targets the user action {}, not applications.", actions.join(", ")))
            }
            Miss::LocationNotIncluded => {
                let names: Vec<String> = policy
                    .locations
                    .as_ref()
                    .map(|l| l.include.iter().map(|&r| self.location_name(r)).collect())
                    .unwrap_or_default();
                (Condition::Locations, format!("The sign-in is not from {}.", names.join(" or ")))
            }
            Miss::LocationExcluded(r) => {
                (Condition::Locations, format!("The sign-in comes from {}, which it excludes.", self.location_name(r)))
            }
            Miss::ClientApp => (Condition::ClientApps, "It covers other client app types.".to_string()),
            Miss::PlatformNotIncluded => (Condition::Platforms, "It covers other device platforms (or the platform is unknown).".to_string()),
            Miss::PlatformExcluded => (Condition::Platforms, "The device platform is excluded.".to_string()),
            Miss::SignInRisk => (Condition::SignInRisk, "It applies only at other sign-in risk levels.".to_string()),
            Miss::UserRisk => (Condition::UserRisk, "It applies only at other user risk levels.".to_string()),
            Miss::AuthenticationFlow => (
                Condition::AuthenticationFlows,
                "It applies only to device code or authentication transfer flows.".to_string(),
            ),
        }
    }
}

/// ISO alpha-2 code as two upper-case bytes.
fn country_code(text: &str) -> Option<[u8; 2]> {
    let b = text.trim().as_bytes();
    (b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic))
        .then(|| [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()])
}

fn compile_grant(
    policy: &ConditionalAccessPolicy,
) -> (bool, Option<(GrantOperator, Vec<GrantControl>)>) {
    let Some(g) = &policy.grant_controls else {
        return (false, None);
    };
    let blocks = g.built_in_controls.contains(&BuiltInControl::Block);
    let mut controls = Vec::new();
    for c in &g.built_in_controls {
        controls.push(match c {
            BuiltInControl::Block => continue,
            BuiltInControl::Mfa => GrantControl::Mfa,
            BuiltInControl::CompliantDevice => GrantControl::CompliantDevice,
            BuiltInControl::DomainJoinedDevice => GrantControl::DomainJoinedDevice,
            BuiltInControl::ApprovedApplication => GrantControl::ApprovedApplication,
            BuiltInControl::CompliantApplication => GrantControl::CompliantApplication,
            BuiltInControl::PasswordChange => GrantControl::PasswordChange,
            BuiltInControl::Other(name) => GrantControl::Other { name: name.clone() },
        });
    }
    if let Some(strength) = &g.authentication_strength {
        let name = strength
            .display_name
            .clone()
            .or_else(|| strength.id.clone())
            .unwrap_or_else(|| "unnamed".to_string());
        controls.push(GrantControl::AuthenticationStrength { name });
    }
    controls.extend(
        g.terms_of_use
            .iter()
            .map(|id| GrantControl::TermsOfUse { id: id.clone() }),
    );
    controls.extend(
        g.custom_authentication_factors
            .iter()
            .map(|id| GrantControl::CustomFactor { id: id.clone() }),
    );
    let requirement = (!controls.is_empty()).then_some((g.operator, controls));
    (blocks, requirement)
}

fn combine<'a>(evaluations: impl Iterator<Item = &'a PolicyEvaluation>) -> Decision {
    let mut blockers = Vec::new();
    let mut requirements = Vec::new();
    for e in evaluations {
        if e.result != Applicability::Applies {
            continue;
        }
        if e.blocks {
            blockers.push(e.policy.clone());
        } else if let Some(r) = &e.requirement {
            requirements.push(r.clone());
        }
    }
    if !blockers.is_empty() {
        Decision::Blocked { by: blockers }
    } else if !requirements.is_empty() {
        Decision::RequiresControls { requirements }
    } else {
        Decision::Allowed
    }
}

/// The hot path: conditions in a fixed order, first mismatch wins. No allocation.
fn evaluate(p: &CompiledPolicy, s: &PreparedSignIn) -> Match {
    if let Some(miss) = users_miss(&p.users, s) {
        return Match::Skipped(miss);
    }
    if let Some(miss) = target_miss(&p.apps, s) {
        return Match::Skipped(miss);
    }
    if let Some(rule) = &p.locations {
        if let Some(miss) = location_miss(rule, s) {
            return Match::Skipped(miss);
        }
    }
    if p.client_apps != 0 && p.client_apps & s.client_app == 0 {
        return Match::Skipped(Miss::ClientApp);
    }
    if let Some((include, exclude)) = p.platforms {
        if s.platform & exclude != 0 {
            return Match::Skipped(Miss::PlatformExcluded);
        }
        // "All platforms" also covers an unknown platform; a list needs a known one.
        if include != 0xff && s.platform & include == 0 {
            return Match::Skipped(Miss::PlatformNotIncluded);
        }
    }
    if p.sign_in_risk != 0 && p.sign_in_risk & s.sign_in_risk == 0 {
        return Match::Skipped(Miss::SignInRisk);
    }
    if p.user_risk != 0 && p.user_risk & s.user_risk == 0 {
        return Match::Skipped(Miss::UserRisk);
    }
    if p.flows != 0 && p.flows & s.flow == 0 {
        return Match::Skipped(Miss::AuthenticationFlow);
    }
    match p.unevaluable {
        Some(u) => Match::Undetermined(u),
        None => Match::Applies,
    }
}

fn users_miss(u: &UserRule, s: &PreparedSignIn) -> Option<Miss> {
    let is_guest = s.guest != GUEST_MEMBER;
    let included = u.include_all
        || (u.include_any_guest && is_guest)
        || contains(&u.include_users, s.user)
        || first_common(&u.include_groups, &s.groups).is_some()
        || first_common(&u.include_roles, &s.roles).is_some()
        || u.include_guests.as_ref().is_some_and(|g| g.matches(s));
    if !included {
        let targets_nobody = !u.include_all
            && !u.include_any_guest
            && u.include_users.is_empty()
            && u.include_groups.is_empty()
            && u.include_roles.is_empty()
            && u.include_guests.is_none();
        return Some(if targets_nobody {
            Miss::NoUsersIncluded
        } else {
            Miss::UserNotIncluded
        });
    }
    if contains(&u.exclude_users, s.user) {
        return Some(Miss::ExcludedUser);
    }
    if let Some(g) = first_common(&u.exclude_groups, &s.groups) {
        return Some(Miss::ExcludedGroup(g));
    }
    if let Some(r) = first_common(&u.exclude_roles, &s.roles) {
        return Some(Miss::ExcludedRole(r));
    }
    if (u.exclude_any_guest && is_guest) || u.exclude_guests.as_ref().is_some_and(|g| g.matches(s))
    {
        return Some(Miss::ExcludedGuest);
    }
    None
}

fn target_miss(a: &AppRule, s: &PreparedSignIn) -> Option<Miss> {
    match &s.target {
        PreparedTarget::Action(action) => {
            if a.include_all || contains(&a.actions, *action) {
                None
            } else if !a.actions.is_empty() {
                Some(Miss::OtherUserAction)
            } else if a.auth_contexts && a.include.is_empty() {
                Some(Miss::AuthContextOnly)
            } else {
                Some(Miss::NotForUserAction)
            }
        }
        PreparedTarget::App { id, groups } => {
            let included = a.include_all
                || contains(&a.include, *id)
                || first_common(&a.include, groups).is_some();
            if !included {
                return Some(if !a.actions.is_empty() {
                    Miss::UserActionsOnly
                } else if a.auth_contexts && a.include.is_empty() {
                    Miss::AuthContextOnly
                } else {
                    Miss::TargetsOtherApps
                });
            }
            if contains(&a.exclude, *id) || first_common(&a.exclude, groups).is_some() {
                return Some(Miss::AppExcluded);
            }
            None
        }
    }
}

fn location_matches(r: LocationRef, s: &PreparedSignIn) -> bool {
    match r {
        LocationRef::All => true,
        LocationRef::Trusted => s.trusted,
        LocationRef::Named(i) => contains(&s.locations, i),
    }
}

fn location_miss(rule: &LocationRule, s: &PreparedSignIn) -> Option<Miss> {
    let included = rule.include.is_empty() || rule.include.iter().any(|&r| location_matches(r, s));
    if !included {
        return Some(Miss::LocationNotIncluded);
    }
    rule.exclude
        .iter()
        .find(|&&r| location_matches(r, s))
        .map(|&r| Miss::LocationExcluded(r))
}

/// A fixed what-if workload for measuring throughput natively and in WebAssembly: compiled
/// policies and prepared sign-ins, evaluated round-robin.
#[derive(Debug, Clone)]
pub struct BenchWorkload {
    engine: WhatIfEngine,
    sign_ins: Vec<PreparedSignIn>,
}

impl BenchWorkload {
    /// A workload over the given tenant and sign-ins (sign-ins that fail to prepare are skipped).
    pub fn new(snapshot: &TenantSnapshot, sign_ins: &[SignIn]) -> BenchWorkload {
        let engine = WhatIfEngine::new(snapshot);
        let sign_ins = sign_ins
            .iter()
            .filter_map(|s| engine.prepare(s).ok())
            .collect();
        BenchWorkload { engine, sign_ins }
    }

    /// The built-in workload, needing no files: a synthetic tenant of 48 policies in the shapes
    /// real baselines use (registration presets, tenant-wide MFA and blocks, app-, role-, group-,
    /// guest-, platform-, risk- and location-scoped policies) over three trusted IP locations of
    /// 40 ranges each and two country locations, and 16 sign-ins across members, admins, guests,
    /// apps, user actions, addresses, countries and platforms. Synthetic by design: it exists to
    /// be timed, not to describe any tenant.
    pub fn synthetic() -> BenchWorkload {
        let (snapshot, sign_ins) = synthetic_tenant();
        BenchWorkload::new(&snapshot, &sign_ins)
    }

    /// Policies evaluated per pass over one sign-in.
    pub fn policies(&self) -> usize {
        self.engine.policy_count()
    }

    pub fn sign_ins(&self) -> usize {
        self.sign_ins.len()
    }

    /// Runs at least `evaluations` policy evaluations (whole passes of one sign-in over every
    /// policy) and returns how many were run.
    pub fn run(&self, evaluations: u64) -> u64 {
        let per_pass = self.engine.policy_count() as u64;
        if per_pass == 0 || self.sign_ins.is_empty() {
            return 0;
        }
        let mut done = 0u64;
        let mut applying = 0usize;
        let mut i = 0;
        while done < evaluations {
            applying += self.engine.count_applying(&self.sign_ins[i]);
            i = (i + 1) % self.sign_ins.len();
            done += per_pass;
        }
        std::hint::black_box(applying);
        done
    }
}

fn synthetic_tenant() -> (TenantSnapshot, Vec<SignIn>) {
    use serde_json::json;
    let id = |kind: u32, n: u32| format!("{kind:08x}-0000-4000-8000-{n:012x}");
    let ranges = |base: u32| -> Vec<Value> {
        (0..40u32)
            .map(|i| json!({"cidrAddress": format!("{}.{}.{}.0/24", 20 + base, i, (i * 7) % 256)}))
            .collect()
    };
    let mut locations = vec![
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": id(1, 1), "displayName": "Offices", "isTrusted": true, "ipRanges": ranges(0)}),
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": id(1, 2), "displayName": "VPN", "isTrusted": true, "ipRanges": ranges(1)}),
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": id(1, 3), "displayName": "Datacentres", "isTrusted": true,
               "ipRanges": [{"cidrAddress": "2001:db8::/32"}, {"cidrAddress": "2001:db9:1::/48"}]}),
        json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": id(1, 4), "displayName": "Home countries",
               "countriesAndRegions": ["NL", "BE", "LU", "DE"], "includeUnknownCountriesAndRegions": false}),
        json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": id(1, 5), "displayName": "Blocked countries",
               "countriesAndRegions": ["KP", "IR"], "includeUnknownCountriesAndRegions": true}),
    ];
    locations.push(json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": id(1, 6), "displayName": "Partner", "isTrusted": false, "ipRanges": ranges(2)}));
    let groups: Vec<String> = (0..30).map(|n| id(2, n)).collect();
    let roles = [
        ROLE_GLOBAL_ADMINISTRATOR,
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    ];
    let apps: Vec<String> = (0..12).map(|n| id(3, n)).collect();
    let users: Vec<String> = (0..20).map(|n| id(4, n)).collect();
    let grants = [
        json!({"operator": "OR", "builtInControls": ["block"]}),
        json!({"operator": "OR", "builtInControls": ["mfa"]}),
        json!({"operator": "AND", "builtInControls": ["mfa", "compliantDevice"]}),
        json!({"operator": "OR", "builtInControls": ["compliantDevice", "domainJoinedDevice"]}),
    ];
    let states = [
        "enabled",
        "enabled",
        "enabledForReportingButNotEnforced",
        "disabled",
    ];
    let mut policies = Vec::new();
    for n in 0..48u32 {
        let k = n as usize;
        let users_condition = match n % 6 {
            0 => {
                json!({"includeUsers": ["All"], "excludeUsers": [users[k % 20]], "excludeGroups": [groups[k % 30], groups[(k + 7) % 30]]})
            }
            1 => {
                json!({"includeGroups": [groups[k % 30], groups[(k + 3) % 30], groups[(k + 11) % 30]], "excludeGroups": [groups[(k + 1) % 30]]})
            }
            2 => json!({"includeRoles": roles, "excludeUsers": [users[0]]}),
            3 => {
                json!({"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest,b2bCollaborationMember", "externalTenants": {"membershipKind": "all"}}})
            }
            4 => {
                json!({"includeUsers": ["All"], "excludeUsers": ["GuestsOrExternalUsers", users[1]], "excludeRoles": [ROLE_GLOBAL_ADMINISTRATOR]})
            }
            _ => json!({"includeUsers": [users[k % 20], users[(k + 5) % 20]]}),
        };
        let applications = match n % 4 {
            0 => json!({"includeUserActions": [USER_ACTION_REGISTER_SECURITY_INFO]}),
            1 => json!({"includeApplications": ["All"], "excludeApplications": [apps[k % 12]]}),
            2 => json!({"includeApplications": [apps[k % 12], apps[(k + 1) % 12], "Office365"]}),
            _ => json!({"includeApplications": ["All"]}),
        };
        let locations_condition = match n % 5 {
            0 => json!({"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}),
            1 => json!({"includeLocations": ["All"], "excludeLocations": [id(1, 4)]}),
            2 => json!({"includeLocations": [id(1, 5), id(1, 6)]}),
            _ => Value::Null,
        };
        let mut conditions = json!({"users": users_condition, "applications": applications, "locations": locations_condition,
            "clientAppTypes": if n % 3 == 0 { json!(["browser", "mobileAppsAndDesktopClients"]) } else { json!(["all"]) }});
        if n % 7 == 0 {
            conditions["platforms"] =
                json!({"includePlatforms": ["all"], "excludePlatforms": ["iOS", "android"]});
        }
        if n % 11 == 0 {
            conditions["signInRiskLevels"] = json!(["high", "medium"]);
        }
        policies.push(json!({"id": id(5, n), "displayName": format!("Synthetic policy {n}"), "state": states[k % 4],
            "conditions": conditions, "grantControls": grants[k % 4]}));
    }
    let snapshot = TenantSnapshot {
        policies: policies
            .into_iter()
            .map(|p| serde_json::from_value(p).expect("synthetic policy is valid"))
            .collect(),
        named_locations: locations
            .into_iter()
            .map(|l| serde_json::from_value(l).expect("synthetic location is valid"))
            .collect(),
        ..TenantSnapshot::default()
    };
    let mut sign_ins = Vec::new();
    for n in 0..16u32 {
        let k = n as usize;
        let target = match n % 3 {
            0 => SignInTarget::register_security_info(),
            1 => SignInTarget::Application {
                app_id: apps[k % 12].clone(),
                app_groups: vec!["Office365".into()],
            },
            _ => SignInTarget::application(&apps[(k + 5) % 12]),
        };
        let mut s = SignIn::new(&users[k % 20], target);
        s.group_ids = (0..(k % 8))
            .map(|g| groups[(k * 3 + g) % 30].clone())
            .collect();
        if n % 4 == 1 {
            s.role_ids = vec![roles[k % 4].to_string()];
        }
        if n % 5 == 2 {
            s.guest_type = Some(GuestOrExternalUserType::B2bCollaborationGuest);
        }
        s.ip_address = Some(match n % 4 {
            0 => format!("20.{}.{}.9", k % 40, (k % 40 * 7) % 256),
            1 => format!("198.51.100.{}", k + 1),
            2 => "2001:db8:5::1".to_string(),
            _ => format!("22.{}.{}.200", k, (k * 7) % 256),
        });
        s.country = Some(["NL", "US", "KP", "DE"][k % 4].to_string());
        s.platform = Some(
            [
                DevicePlatform::Windows,
                DevicePlatform::IOS,
                DevicePlatform::MacOS,
                DevicePlatform::Android,
            ][k % 4]
                .clone(),
        );
        s.client_app = if n % 3 == 0 {
            ClientAppType::MobileAppsAndDesktopClients
        } else {
            ClientAppType::Browser
        };
        sign_ins.push(s);
    }
    (snapshot, sign_ins)
}
