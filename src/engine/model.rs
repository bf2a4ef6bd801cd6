//! The tenant model: Conditional Access policies, named locations and the facts a
//! preflight reads, typed after Microsoft Graph and serialized back to exact Graph
//! camelCase JSON.
//!
//! Every object keeps the fields it does not model in an `extra` map, so a policy read
//! from Graph (or from a file) and written back loses nothing. Values Graph may extend
//! later (client app types, grant controls, platforms, …) parse into an `Other(String)`
//! variant instead of failing.
//!
//! Reading goes through [`FromGraph`], which tracks the JSON path of every field so a
//! wrong shape is reported as `$.conditions.users.includeUsers[2]: expected a string`,
//! not as a bare serde message. The model reads *normalized* Graph JSON (camelCase, no
//! `@odata` annotations); [`crate::engine::import`] turns real-world exports into that.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// User action "Register security information" (MFA and SSPR methods).
pub const USER_ACTION_REGISTER_SECURITY_INFO: &str = "urn:user:registersecurityinfo";
/// User action "Register or join devices".
pub const USER_ACTION_REGISTER_DEVICE: &str = "urn:user:registerdevice";
/// `includeUsers`/`includeApplications`/`includeLocations` value meaning everyone / everything.
pub const ALL: &str = "All";
/// `excludeLocations` value meaning every trusted location (trusted IP named locations
/// plus the legacy MFA trusted IPs).
pub const ALL_TRUSTED: &str = "AllTrusted";
/// `includeUsers` value that targets nobody.
pub const NONE: &str = "None";
/// Legacy `includeUsers`/`excludeUsers` value for every guest and external user.
pub const GUESTS_OR_EXTERNAL_USERS: &str = "GuestsOrExternalUsers";
/// Role template id of Global Administrator.
pub const ROLE_GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
/// Role template id of Conditional Access Administrator.
pub const ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR: &str = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9";
/// Role template id of Security Administrator.
pub const ROLE_SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
/// Id of Microsoft's Conditional Access template "Securing security info registration".
pub const TEMPLATE_SECURING_SECURITY_INFO_REGISTRATION: &str =
    "b8bda7f8-6584-4446-bce9-d871480e53fa";
/// Placeholder Microsoft's templates put in `excludeUsers`; it must be replaced by the
/// signed-in administrator's id and never be posted.
pub const TEMPLATE_CURRENT_ADMIN_PLACEHOLDER: &str = "Current administrator will be excluded";
/// Service plan id of Entra ID P1 (`AAD_PREMIUM`).
pub const SERVICE_PLAN_ENTRA_ID_P1: &str = "41781fb2-bc02-4b7c-bd55-b576c07bb09d";
/// Service plan id of Entra ID P2 (`AAD_PREMIUM_P2`).
pub const SERVICE_PLAN_ENTRA_ID_P2: &str = "eec0eb4f-6444-4f95-aba0-50c24d67f998";

/// A field of a Graph object had the wrong shape. `path` is a JSON path such as
/// `$.conditions.users.includeUsers[2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ShapeError {}

/// Reading a model type from normalized Graph JSON, with the JSON path of any error.
pub trait FromGraph: Sized {
    /// Reads `value` found at `path` (e.g. `$` or `$.value[3]`).
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError>;
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The fields of one JSON object, taken out one by one; what is left is `extra`.
pub(crate) struct Fields {
    map: Map<String, Value>,
    path: String,
}

impl Fields {
    pub(crate) fn new(value: Value, path: &str, what: &str) -> Result<Self, ShapeError> {
        match value {
            Value::Object(map) => Ok(Fields {
                map,
                path: path.to_owned(),
            }),
            other => Err(ShapeError {
                path: path.to_owned(),
                message: format!("expected {what} (a JSON object), found {}", kind_of(&other)),
            }),
        }
    }

    fn child(&self, key: &str) -> String {
        format!("{}.{}", self.path, key)
    }

    /// The value under `key`; a JSON `null` counts as absent.
    pub(crate) fn take(&mut self, key: &str) -> Option<Value> {
        match self.map.shift_remove(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    pub(crate) fn string(&mut self, key: &str) -> Result<Option<String>, ShapeError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ShapeError {
                path: self.child(key),
                message: format!("expected a string, found {}", kind_of(&other)),
            }),
        }
    }

    pub(crate) fn required_string(&mut self, key: &str) -> Result<String, ShapeError> {
        self.string(key)?.ok_or_else(|| ShapeError {
            path: self.child(key),
            message: "this field is required and is missing".to_owned(),
        })
    }

    pub(crate) fn bool(&mut self, key: &str) -> Result<Option<bool>, ShapeError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(ShapeError {
                path: self.child(key),
                message: format!("expected true or false, found {}", kind_of(&other)),
            }),
        }
    }

    pub(crate) fn strings(&mut self, key: &str) -> Result<Vec<String>, ShapeError> {
        self.list(key, |v, path| match v {
            Value::String(s) => Ok(s),
            other => Err(ShapeError {
                path: path.to_owned(),
                message: format!("expected a string, found {}", kind_of(&other)),
            }),
        })
    }

    pub(crate) fn list<T>(
        &mut self,
        key: &str,
        mut item: impl FnMut(Value, &str) -> Result<T, ShapeError>,
    ) -> Result<Vec<T>, ShapeError> {
        match self.take(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                let base = self.child(key);
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.into_iter().enumerate() {
                    out.push(item(v, &format!("{base}[{i}]"))?);
                }
                Ok(out)
            }
            Some(other) => Err(ShapeError {
                path: self.child(key),
                message: format!("expected an array, found {}", kind_of(&other)),
            }),
        }
    }

    pub(crate) fn object<T: FromGraph>(&mut self, key: &str) -> Result<Option<T>, ShapeError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => T::from_graph(v, &self.child(key)).map(Some),
        }
    }

    pub(crate) fn parsed<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ShapeError> {
        let path = self.child(key);
        match self.string(key)? {
            None => Ok(None),
            Some(s) => parse(&s)
                .map(Some)
                .map_err(|message| ShapeError { path, message }),
        }
    }

    pub(crate) fn rest(self) -> Map<String, Value> {
        self.map
    }
}

/// Model types deserialize through [`FromGraph`] so serde users get the same errors.
macro_rules! deserialize_via_from_graph {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = Value::deserialize(d)?;
                <$t as FromGraph>::from_graph(value, "$").map_err(serde::de::Error::custom)
            }
        }
    )*};
}

/// A Graph string enumeration: known values as variants, anything else kept verbatim in
/// `Other` so newer values survive a round trip.
macro_rules! graph_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version does not know, kept as Graph sent it.
            Other(String),
        }

        impl $name {
            /// The Graph spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(s) => s,
                }
            }

            /// Parses a Graph value; the case of known values is not significant
            /// (PowerShell exports vary it).
            pub fn parse(s: &str) -> Self {
                $(if s.eq_ignore_ascii_case($text) { return Self::$variant; })*
                Self::Other(s.to_owned())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<str>::deserialize(d)?;
                Ok(Self::parse(&s))
            }
        }
    };
}

graph_enum!(
    /// `conditions.clientAppTypes` values.
    ClientAppType {
        All => "all",
        Browser => "browser",
        MobileAppsAndDesktopClients => "mobileAppsAndDesktopClients",
        ExchangeActiveSync => "exchangeActiveSync",
        EasSupported => "easSupported",
        /// Other legacy clients (IMAP, POP, SMTP, …).
        LegacyOther => "other",
    }
);

graph_enum!(
    /// `grantControls.builtInControls` values.
    BuiltInControl {
        Block => "block",
        Mfa => "mfa",
        CompliantDevice => "compliantDevice",
        DomainJoinedDevice => "domainJoinedDevice",
        ApprovedApplication => "approvedApplication",
        CompliantApplication => "compliantApplication",
        PasswordChange => "passwordChange",
    }
);

graph_enum!(
    /// Sign-in and user risk levels.
    RiskLevel {
        Low => "low",
        Medium => "medium",
        High => "high",
        Hidden => "hidden",
        NoRisk => "none",
    }
);

graph_enum!(
    /// `conditions.platforms` values.
    DevicePlatform {
        All => "all",
        Android => "android",
        IOS => "iOS",
        Windows => "windows",
        WindowsPhone => "windowsPhone",
        MacOS => "macOS",
        Linux => "linux",
    }
);

graph_enum!(
    /// One of the guest or external user kinds listed in `guestOrExternalUserTypes`.
    GuestOrExternalUserType {
        NoGuests => "none",
        InternalGuest => "internalGuest",
        B2bCollaborationGuest => "b2bCollaborationGuest",
        B2bCollaborationMember => "b2bCollaborationMember",
        B2bDirectConnectUser => "b2bDirectConnectUser",
        OtherExternalUser => "otherExternalUser",
        ServiceProvider => "serviceProvider",
    }
);

impl GuestOrExternalUserType {
    /// Every guest or external user kind, in Graph's documented order.
    pub const ALL_KINDS: [GuestOrExternalUserType; 6] = [
        GuestOrExternalUserType::InternalGuest,
        GuestOrExternalUserType::B2bCollaborationGuest,
        GuestOrExternalUserType::B2bCollaborationMember,
        GuestOrExternalUserType::B2bDirectConnectUser,
        GuestOrExternalUserType::OtherExternalUser,
        GuestOrExternalUserType::ServiceProvider,
    ];
}

graph_enum!(
    /// How a country named location finds the country of a sign-in.
    CountryLookupMethod {
        ClientIpAddress => "clientIpAddress",
        AuthenticatorAppGps => "authenticatorAppGps",
    }
);

/// Whether a policy is on, off, or evaluated without being enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PolicyState {
    #[serde(rename = "enabled")]
    Enabled,
    #[serde(rename = "disabled")]
    Disabled,
    /// Report-only: evaluated and logged, never enforced.
    #[serde(rename = "enabledForReportingButNotEnforced")]
    EnabledForReportingButNotEnforced,
}

impl PolicyState {
    /// The Graph spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyState::Enabled => "enabled",
            PolicyState::Disabled => "disabled",
            PolicyState::EnabledForReportingButNotEnforced => "enabledForReportingButNotEnforced",
        }
    }

    /// The name the admin center shows: On, Off, Report-only.
    pub fn label(self) -> &'static str {
        match self {
            PolicyState::Enabled => "On",
            PolicyState::Disabled => "Off",
            PolicyState::EnabledForReportingButNotEnforced => "Report-only",
        }
    }

    /// Parses the Graph spelling (case-insensitive).
    pub fn parse(s: &str) -> Result<Self, String> {
        [PolicyState::Enabled, PolicyState::Disabled, PolicyState::EnabledForReportingButNotEnforced]
            .into_iter()
            .find(|state| state.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unknown policy state {s:?}; expected enabled, disabled or enabledForReportingButNotEnforced"
                )
            })
    }
}

/// How grant controls combine: all of them (`AND`) or any one (`OR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum GrantOperator {
    #[serde(rename = "AND")]
    And,
    #[default]
    #[serde(rename = "OR")]
    Or,
}

impl GrantOperator {
    /// Parses `AND`/`OR` (case-insensitive).
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("AND") {
            Ok(GrantOperator::And)
        } else if s.eq_ignore_ascii_case("OR") {
            Ok(GrantOperator::Or)
        } else {
            Err(format!("unknown grant operator {s:?}; expected AND or OR"))
        }
    }
}

fn parse_enum_list<T>(parse: fn(&str) -> T) -> impl FnMut(Value, &str) -> Result<T, ShapeError> {
    move |v, path| match v {
        Value::String(s) => Ok(parse(&s)),
        other => Err(ShapeError {
            path: path.to_owned(),
            message: format!("expected a string, found {}", kind_of(&other)),
        }),
    }
}

/// A Conditional Access policy (`#microsoft.graph.conditionalAccessPolicy`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessPolicy {
    /// Absent in a creation body; set by Graph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub display_name: String,
    pub state: PolicyState,
    pub conditions: Conditions,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_controls: Option<GrantControls>,
    /// Session controls are carried, not interpreted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_controls: Option<Value>,
    /// Fields not modelled (createdDateTime, templateId, …), kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromGraph for ConditionalAccessPolicy {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "a Conditional Access policy")?;
        let id = f.string("id")?;
        let display_name = f.required_string("displayName")?;
        let state = match f.parsed("state", PolicyState::parse)? {
            Some(state) => state,
            None => {
                return Err(ShapeError {
                    path: f.child("state"),
                    message: "this field is required and is missing".to_owned(),
                })
            }
        };
        let conditions = f.object("conditions")?.unwrap_or_default();
        let grant_controls = f.object("grantControls")?;
        let session_controls = f.take("sessionControls");
        Ok(ConditionalAccessPolicy {
            id,
            display_name,
            state,
            conditions,
            grant_controls,
            session_controls,
            extra: f.rest(),
        })
    }
}

impl ConditionalAccessPolicy {
    /// Whether the policy targets the given user action (e.g.
    /// [`USER_ACTION_REGISTER_SECURITY_INFO`]).
    pub fn targets_user_action(&self, action: &str) -> bool {
        self.conditions
            .applications
            .include_user_actions
            .iter()
            .any(|a| a.eq_ignore_ascii_case(action))
    }

    /// Whether the grant is a block.
    pub fn blocks(&self) -> bool {
        self.grant_controls
            .as_ref()
            .is_some_and(|g| g.built_in_controls.contains(&BuiltInControl::Block))
    }

    /// The Graph JSON of the policy.
    pub fn to_graph_json(&self) -> Value {
        serde_json::to_value(self).expect("the policy model serializes to JSON")
    }
}

/// `conditions` of a policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conditions {
    pub users: ConditionalAccessUsers,
    pub applications: ConditionalAccessApplications,
    pub client_app_types: Vec<ClientAppType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locations: Option<ConditionalAccessLocations>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platforms: Option<ConditionalAccessPlatforms>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sign_in_risk_levels: Vec<RiskLevel>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_risk_levels: Vec<RiskLevel>,
    /// Device filter and states, carried, not interpreted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub devices: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromGraph for Conditions {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "policy conditions")?;
        Ok(Conditions {
            users: f.object("users")?.unwrap_or_default(),
            applications: f.object("applications")?.unwrap_or_default(),
            client_app_types: f.list("clientAppTypes", parse_enum_list(ClientAppType::parse))?,
            locations: f.object("locations")?,
            platforms: f.object("platforms")?,
            sign_in_risk_levels: f.list("signInRiskLevels", parse_enum_list(RiskLevel::parse))?,
            user_risk_levels: f.list("userRiskLevels", parse_enum_list(RiskLevel::parse))?,
            devices: f.take("devices"),
            extra: f.rest(),
        })
    }
}

/// `conditions.users`: who the policy applies to.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessUsers {
    /// User ids, or `All`, `None`, `GuestsOrExternalUsers`.
    pub include_users: Vec<String>,
    pub exclude_users: Vec<String>,
    pub include_groups: Vec<String>,
    pub exclude_groups: Vec<String>,
    /// Directory role template ids.
    pub include_roles: Vec<String>,
    pub exclude_roles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_guests_or_external_users: Option<GuestsOrExternalUsers>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude_guests_or_external_users: Option<GuestsOrExternalUsers>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromGraph for ConditionalAccessUsers {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "the users condition")?;
        Ok(ConditionalAccessUsers {
            include_users: f.strings("includeUsers")?,
            exclude_users: f.strings("excludeUsers")?,
            include_groups: f.strings("includeGroups")?,
            exclude_groups: f.strings("excludeGroups")?,
            include_roles: f.strings("includeRoles")?,
            exclude_roles: f.strings("excludeRoles")?,
            include_guests_or_external_users: f.object("includeGuestsOrExternalUsers")?,
            exclude_guests_or_external_users: f.object("excludeGuestsOrExternalUsers")?,
            extra: f.rest(),
        })
    }
}

/// `includeGuestsOrExternalUsers` / `excludeGuestsOrExternalUsers`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuestsOrExternalUsers {
    /// Parsed from Graph's comma-separated string; serialized back the same way.
    #[serde(serialize_with = "serialize_guest_types")]
    pub guest_or_external_user_types: Vec<GuestOrExternalUserType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_tenants: Option<ExternalTenants>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn serialize_guest_types<S: Serializer>(
    types: &[GuestOrExternalUserType],
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut joined = String::new();
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            joined.push(',');
        }
        joined.push_str(t.as_str());
    }
    s.serialize_str(&joined)
}

impl FromGraph for GuestsOrExternalUsers {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "a guests or external users condition")?;
        let types = f.string("guestOrExternalUserTypes")?.unwrap_or_default();
        Ok(GuestsOrExternalUsers {
            guest_or_external_user_types: types
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(GuestOrExternalUserType::parse)
                .collect(),
            external_tenants: f.object("externalTenants")?,
            extra: f.rest(),
        })
    }
}

/// `externalTenants` of a guests condition: all external tenants, or an enumerated list.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalTenants {
    /// Graph needs the derived type (`#microsoft.graph.conditionalAccessAllExternalTenants`
    /// or `…EnumeratedExternalTenants`) on write, so it is kept.
    #[serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")]
    pub odata_type: Option<String>,
    /// `all` or `enumerated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership_kind: Option<String>,
    /// Tenant ids when `membershipKind` is `enumerated`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ExternalTenants {
    /// Every external tenant, in the form Graph accepts on write.
    pub fn all() -> Self {
        ExternalTenants {
            odata_type: Some("#microsoft.graph.conditionalAccessAllExternalTenants".to_owned()),
            membership_kind: Some("all".to_owned()),
            members: Vec::new(),
            extra: Map::new(),
        }
    }
}

impl FromGraph for ExternalTenants {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "an external tenants condition")?;
        Ok(ExternalTenants {
            odata_type: f.string("@odata.type")?,
            membership_kind: f.string("membershipKind")?,
            members: f.strings("members")?,
            extra: f.rest(),
        })
    }
}

/// `conditions.applications`: the resources or user actions the policy covers.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessApplications {
    /// Application ids, `All`, `None`, `Office365`, `MicrosoftAdminPortals`, …
    pub include_applications: Vec<String>,
    pub exclude_applications: Vec<String>,
    /// User actions such as [`USER_ACTION_REGISTER_SECURITY_INFO`].
    pub include_user_actions: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include_authentication_context_class_references: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_filter: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromGraph for ConditionalAccessApplications {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "the applications condition")?;
        Ok(ConditionalAccessApplications {
            include_applications: f.strings("includeApplications")?,
            exclude_applications: f.strings("excludeApplications")?,
            include_user_actions: f.strings("includeUserActions")?,
            include_authentication_context_class_references: f
                .strings("includeAuthenticationContextClassReferences")?,
            application_filter: f.take("applicationFilter"),
            extra: f.rest(),
        })
    }
}

/// `conditions.locations`: named location ids, or `All` / `AllTrusted`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessLocations {
    pub include_locations: Vec<String>,
    pub exclude_locations: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromGraph for ConditionalAccessLocations {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "the locations condition")?;
        Ok(ConditionalAccessLocations {
            include_locations: f.strings("includeLocations")?,
            exclude_locations: f.strings("excludeLocations")?,
            extra: f.rest(),
        })
    }
}

/// `conditions.platforms`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessPlatforms {
    pub include_platforms: Vec<DevicePlatform>,
    pub exclude_platforms: Vec<DevicePlatform>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromGraph for ConditionalAccessPlatforms {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "the platforms condition")?;
        Ok(ConditionalAccessPlatforms {
            include_platforms: f
                .list("includePlatforms", parse_enum_list(DevicePlatform::parse))?,
            exclude_platforms: f
                .list("excludePlatforms", parse_enum_list(DevicePlatform::parse))?,
            extra: f.rest(),
        })
    }
}

/// `grantControls`: what a sign-in must satisfy (or `block`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantControls {
    pub operator: GrantOperator,
    pub built_in_controls: Vec<BuiltInControl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_strength: Option<AuthenticationStrength>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub terms_of_use: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub custom_authentication_factors: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromGraph for GrantControls {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "grant controls")?;
        Ok(GrantControls {
            operator: f
                .parsed("operator", GrantOperator::parse)?
                .unwrap_or_default(),
            built_in_controls: f.list("builtInControls", parse_enum_list(BuiltInControl::parse))?,
            authentication_strength: f.object("authenticationStrength")?,
            terms_of_use: f.strings("termsOfUse")?,
            custom_authentication_factors: f.strings("customAuthenticationFactors")?,
            extra: f.rest(),
        })
    }
}

/// The authentication strength a grant requires (reference by id; the rest is kept).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationStrength {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromGraph for AuthenticationStrength {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "an authentication strength")?;
        Ok(AuthenticationStrength {
            id: f.string("id")?,
            display_name: f.string("displayName")?,
            extra: f.rest(),
        })
    }
}

/// A named location: trusted or untrusted IP ranges, countries, or another kind Graph
/// defines (compliant network locations, …), kept as it came.
#[derive(Debug, Clone, PartialEq)]
pub enum NamedLocation {
    /// `#microsoft.graph.ipNamedLocation`.
    Ip {
        id: Option<String>,
        display_name: String,
        is_trusted: bool,
        /// CIDR strings (`cidrAddress`), IPv4 and IPv6, exactly as stored.
        ip_ranges: Vec<String>,
        extra: Map<String, Value>,
    },
    /// `#microsoft.graph.countryNamedLocation`; Graph never lets these be trusted.
    Country {
        id: Option<String>,
        display_name: String,
        /// ISO 3166-1 alpha-2 codes.
        countries_and_regions: Vec<String>,
        include_unknown: bool,
        lookup_method: Option<CountryLookupMethod>,
        extra: Map<String, Value>,
    },
    /// Another kind, e.g. `#microsoft.graph.compliantNetworkNamedLocation`.
    Other {
        odata_type: String,
        id: Option<String>,
        display_name: String,
        is_trusted: bool,
        extra: Map<String, Value>,
    },
}

/// `@odata.type` of IP named locations.
pub const ODATA_IP_NAMED_LOCATION: &str = "#microsoft.graph.ipNamedLocation";
/// `@odata.type` of country named locations.
pub const ODATA_COUNTRY_NAMED_LOCATION: &str = "#microsoft.graph.countryNamedLocation";

impl NamedLocation {
    pub fn id(&self) -> Option<&str> {
        match self {
            NamedLocation::Ip { id, .. }
            | NamedLocation::Country { id, .. }
            | NamedLocation::Other { id, .. } => id.as_deref(),
        }
    }

    pub fn display_name(&self) -> &str {
        match self {
            NamedLocation::Ip { display_name, .. }
            | NamedLocation::Country { display_name, .. }
            | NamedLocation::Other { display_name, .. } => display_name,
        }
    }

    /// Whether the location counts in `AllTrusted`.
    pub fn is_trusted(&self) -> bool {
        match self {
            NamedLocation::Ip { is_trusted, .. } | NamedLocation::Other { is_trusted, .. } => {
                *is_trusted
            }
            NamedLocation::Country { .. } => false,
        }
    }

    /// The Graph `@odata.type` of this location.
    pub fn odata_type(&self) -> &str {
        match self {
            NamedLocation::Ip { .. } => ODATA_IP_NAMED_LOCATION,
            NamedLocation::Country { .. } => ODATA_COUNTRY_NAMED_LOCATION,
            NamedLocation::Other { odata_type, .. } => odata_type,
        }
    }

    /// The Graph JSON of the location (a valid creation body when `id` is `None`).
    pub fn to_graph_json(&self) -> Value {
        serde_json::to_value(self).expect("the named location model serializes to JSON")
    }
}

impl FromGraph for NamedLocation {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "a named location")?;
        let odata_type = f.string("@odata.type")?;
        // Exports without annotations (PowerShell, hand-written bodies) still say what they
        // are through their fields.
        let odata_type = match odata_type {
            Some(t) => t,
            None if f.map.contains_key("ipRanges") => ODATA_IP_NAMED_LOCATION.to_owned(),
            None if f.map.contains_key("countriesAndRegions") => {
                ODATA_COUNTRY_NAMED_LOCATION.to_owned()
            }
            None => {
                return Err(ShapeError {
                    path: path.to_owned(),
                    message: "a named location needs @odata.type, ipRanges or countriesAndRegions"
                        .to_owned(),
                })
            }
        };
        let id = f.string("id")?;
        let display_name = f.required_string("displayName")?;
        if odata_type.eq_ignore_ascii_case(ODATA_IP_NAMED_LOCATION) {
            let is_trusted = f.bool("isTrusted")?.unwrap_or(false);
            let ip_ranges = f.list("ipRanges", |v, p| {
                let mut range = Fields::new(v, p, "an IP range")?;
                range.required_string("cidrAddress")
            })?;
            Ok(NamedLocation::Ip {
                id,
                display_name,
                is_trusted,
                ip_ranges,
                extra: f.rest(),
            })
        } else if odata_type.eq_ignore_ascii_case(ODATA_COUNTRY_NAMED_LOCATION) {
            Ok(NamedLocation::Country {
                id,
                display_name,
                countries_and_regions: f.strings("countriesAndRegions")?,
                include_unknown: f
                    .bool("includeUnknownCountriesAndRegions")?
                    .unwrap_or(false),
                lookup_method: f
                    .string("countryLookupMethod")?
                    .map(|m| CountryLookupMethod::parse(&m)),
                extra: f.rest(),
            })
        } else {
            let is_trusted = f.bool("isTrusted")?.unwrap_or(false);
            Ok(NamedLocation::Other {
                odata_type,
                id,
                display_name,
                is_trusted,
                extra: f.rest(),
            })
        }
    }
}

impl Serialize for NamedLocation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Ranges<'a>(&'a [String]);
        impl Serialize for Ranges<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for cidr in self.0 {
                    let kind = if cidr.contains(':') {
                        "#microsoft.graph.iPv6CidrRange"
                    } else {
                        "#microsoft.graph.iPv4CidrRange"
                    };
                    let mut range = Map::with_capacity(2);
                    range.insert("@odata.type".to_owned(), Value::String(kind.to_owned()));
                    range.insert("cidrAddress".to_owned(), Value::String(cidr.clone()));
                    seq.serialize_element(&range)?;
                }
                seq.end()
            }
        }

        let mut map = s.serialize_map(None)?;
        map.serialize_entry("@odata.type", self.odata_type())?;
        if let Some(id) = self.id() {
            map.serialize_entry("id", id)?;
        }
        map.serialize_entry("displayName", self.display_name())?;
        let extra = match self {
            NamedLocation::Ip {
                is_trusted,
                ip_ranges,
                extra,
                ..
            } => {
                map.serialize_entry("isTrusted", is_trusted)?;
                map.serialize_entry("ipRanges", &Ranges(ip_ranges))?;
                extra
            }
            NamedLocation::Country {
                countries_and_regions,
                include_unknown,
                lookup_method,
                extra,
                ..
            } => {
                map.serialize_entry("countriesAndRegions", countries_and_regions)?;
                map.serialize_entry("includeUnknownCountriesAndRegions", include_unknown)?;
                if let Some(method) = lookup_method {
                    map.serialize_entry("countryLookupMethod", method)?;
                }
                extra
            }
            NamedLocation::Other {
                is_trusted, extra, ..
            } => {
                map.serialize_entry("isTrusted", is_trusted)?;
                extra
            }
        };
        for (k, v) in extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// One of Microsoft's built-in Conditional Access templates
/// (`GET /identity/conditionalAccess/templates`): a policy body without name or state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTemplate {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Comma-separated scenarios (`secureFoundation,zeroTrust,…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenarios: Option<String>,
    pub details: TemplateDetails,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromGraph for PolicyTemplate {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "a Conditional Access template")?;
        let id = f.required_string("id")?;
        let name = f.required_string("name")?;
        let description = f.string("description")?;
        let scenarios = f.string("scenarios")?;
        let details = match f.object("details")? {
            Some(details) => details,
            None => {
                return Err(ShapeError {
                    path: f.child("details"),
                    message: "this field is required and is missing".to_owned(),
                })
            }
        };
        Ok(PolicyTemplate {
            id,
            name,
            description,
            scenarios,
            details,
            extra: f.rest(),
        })
    }
}

/// The policy body of a template (`details`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateDetails {
    pub conditions: Conditions,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_controls: Option<GrantControls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_controls: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromGraph for TemplateDetails {
    fn from_graph(value: Value, path: &str) -> Result<Self, ShapeError> {
        let mut f = Fields::new(value, path, "template details")?;
        Ok(TemplateDetails {
            conditions: f.object("conditions")?.unwrap_or_default(),
            grant_controls: f.object("grantControls")?,
            session_controls: f.take("sessionControls"),
            extra: f.rest(),
        })
    }
}

/// Which Entra ID premium licences the tenant holds (Conditional Access needs P1; risk
/// conditions need P2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Licences {
    pub p1: bool,
    pub p2: bool,
}

impl Licences {
    /// Reads the response of `GET /v1.0/subscribedSkus` (`{"value": [...]}` or the bare
    /// array): a SKU counts when its `capabilityStatus` is `Enabled` or `Warning` (the
    /// grace period, when features still work) and one of its service plans is
    /// [`SERVICE_PLAN_ENTRA_ID_P1`] or [`SERVICE_PLAN_ENTRA_ID_P2`]. P2 includes P1.
    pub fn from_subscribed_skus(response: &Value) -> Licences {
        let skus = match response {
            Value::Array(items) => items.as_slice(),
            Value::Object(map) => map
                .get("value")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice),
            _ => &[],
        };
        let mut licences = Licences::default();
        for sku in skus {
            let usable = matches!(
                sku.get("capabilityStatus").and_then(Value::as_str),
                Some("Enabled") | Some("Warning")
            );
            if !usable {
                continue;
            }
            let plans = sku
                .get("servicePlans")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            for plan in plans {
                match plan.get("servicePlanId").and_then(Value::as_str) {
                    Some(SERVICE_PLAN_ENTRA_ID_P1) => licences.p1 = true,
                    Some(SERVICE_PLAN_ENTRA_ID_P2) => {
                        licences.p1 = true;
                        licences.p2 = true;
                    }
                    _ => {}
                }
            }
        }
        licences
    }
}

/// The signed-in administrator.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminIdentity {
    /// Object id; always excluded from policies the extension creates.
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    /// Role template ids of the admin's active directory roles.
    #[serde(default)]
    pub role_template_ids: Vec<String>,
}

/// Everything the engine knows about one tenant: read once by the preflight, or loaded
/// from files / the trainer demo.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TenantSnapshot {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    pub policies: Vec<ConditionalAccessPolicy>,
    pub named_locations: Vec<NamedLocation>,
    /// `None` when not read (e.g. a snapshot imported from files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_defaults_enabled: Option<bool>,
    /// `None` when not read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licences: Option<Licences>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin: Option<AdminIdentity>,
    /// Object ids of the emergency-access (break-glass) accounts.
    pub break_glass: Vec<String>,
    /// The legacy MFA service "trusted IPs" (IPv4 CIDR), when the admin supplied them:
    /// Graph cannot read them, yet they count in `AllTrusted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_trusted_ips: Option<Vec<String>>,
}

impl TenantSnapshot {
    /// The named location with this id.
    pub fn named_location(&self, id: &str) -> Option<&NamedLocation> {
        self.named_locations
            .iter()
            .find(|l| l.id().is_some_and(|lid| lid.eq_ignore_ascii_case(id)))
    }

    /// The named locations that count in `AllTrusted`.
    pub fn trusted_locations(&self) -> impl Iterator<Item = &NamedLocation> {
        self.named_locations.iter().filter(|l| l.is_trusted())
    }

    /// The policy with this id.
    pub fn policy(&self, id: &str) -> Option<&ConditionalAccessPolicy> {
        self.policies.iter().find(|p| {
            p.id.as_deref()
                .is_some_and(|pid| pid.eq_ignore_ascii_case(id))
        })
    }
}

deserialize_via_from_graph!(
    ConditionalAccessPolicy,
    Conditions,
    ConditionalAccessUsers,
    GuestsOrExternalUsers,
    ExternalTenants,
    ConditionalAccessApplications,
    ConditionalAccessLocations,
    ConditionalAccessPlatforms,
    GrantControls,
    AuthenticationStrength,
    NamedLocation,
    PolicyTemplate,
    TemplateDetails
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn classic_body_round_trips_to_identical_json() {
        let body = json!({
            "displayName": "Block registration outside trusted locations",
            "state": "enabledForReportingButNotEnforced",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeUsers": ["a"], "includeGroups": [], "excludeGroups": [],
                          "includeRoles": [], "excludeRoles": []},
                "applications": {"includeApplications": [], "excludeApplications": [],
                                 "includeUserActions": [USER_ACTION_REGISTER_SECURITY_INFO]},
                "clientAppTypes": ["all"],
                "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}
        });
        let policy = ConditionalAccessPolicy::from_graph(body.clone(), "$").unwrap();
        assert!(policy.blocks());
        assert!(policy.targets_user_action(USER_ACTION_REGISTER_SECURITY_INFO));
        assert_eq!(policy.to_graph_json(), body);
    }

    #[test]
    fn unknown_fields_and_values_survive() {
        let body = json!({
            "displayName": "x", "state": "disabled", "templateId": null, "futureField": {"a": 1},
            "conditions": {"clientAppTypes": ["all", "quantumClients"], "times": null,
                           "users": {"includeUsers": ["All"], "includeFuture": [1]}},
            "grantControls": {"operator": "AND", "builtInControls": ["mfa", "riskRemediation"]}
        });
        let policy = ConditionalAccessPolicy::from_graph(body, "$").unwrap();
        assert_eq!(
            policy.conditions.client_app_types[1],
            ClientAppType::Other("quantumClients".into())
        );
        assert_eq!(
            policy.grant_controls.as_ref().unwrap().built_in_controls[1].as_str(),
            "riskRemediation"
        );
        let out = policy.to_graph_json();
        assert_eq!(out["futureField"], json!({"a": 1}));
        assert_eq!(out["templateId"], Value::Null);
        assert_eq!(out["conditions"]["users"]["includeFuture"], json!([1]));
        assert_eq!(out["conditions"]["times"], Value::Null);
        assert_eq!(
            ConditionalAccessPolicy::from_graph(out, "$").unwrap(),
            policy
        );
    }

    #[test]
    fn wrong_shape_names_the_field_path() {
        let body = json!({"displayName": "x", "state": "enabled",
                          "conditions": {"users": {"includeUsers": ["All", 7]}}});
        let err = ConditionalAccessPolicy::from_graph(body, "$.value[3]").unwrap_err();
        assert_eq!(err.path, "$.value[3].conditions.users.includeUsers[1]");
        assert!(err.message.contains("expected a string"), "{err}");
    }

    #[test]
    fn missing_state_is_reported_not_guessed() {
        let err =
            ConditionalAccessPolicy::from_graph(json!({"displayName": "x"}), "$").unwrap_err();
        assert_eq!(err.path, "$.state");
    }

    #[test]
    fn guest_types_parse_as_a_set_and_serialize_as_graph_string() {
        let users = json!({"includeGuestsOrExternalUsers": {
            "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
            "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
                                "membershipKind": "all"}}});
        let users = ConditionalAccessUsers::from_graph(users, "$").unwrap();
        let guests = users.include_guests_or_external_users.as_ref().unwrap();
        assert_eq!(
            guests.guest_or_external_user_types,
            vec![
                GuestOrExternalUserType::InternalGuest,
                GuestOrExternalUserType::B2bCollaborationGuest
            ]
        );
        let out = serde_json::to_value(&users).unwrap();
        assert_eq!(
            out["includeGuestsOrExternalUsers"]["guestOrExternalUserTypes"],
            "internalGuest,b2bCollaborationGuest"
        );
        assert_eq!(
            out["includeGuestsOrExternalUsers"]["externalTenants"],
            serde_json::to_value(ExternalTenants::all()).unwrap()
        );
    }

    #[test]
    fn named_locations_serialize_with_graph_types() {
        let ip = NamedLocation::from_graph(
            json!({"displayName": "Office", "isTrusted": true,
                   "ipRanges": [{"cidrAddress": "203.0.113.0/24"}, {"cidrAddress": "2001:db8::/48"}]}),
            "$",
        )
        .unwrap();
        assert!(ip.is_trusted());
        let out = ip.to_graph_json();
        assert_eq!(out["@odata.type"], ODATA_IP_NAMED_LOCATION);
        assert_eq!(
            out["ipRanges"][1]["@odata.type"],
            "#microsoft.graph.iPv6CidrRange"
        );
        assert_eq!(NamedLocation::from_graph(out, "$").unwrap(), ip);

        let country = NamedLocation::from_graph(
            json!({"@odata.type": ODATA_COUNTRY_NAMED_LOCATION, "displayName": "NL", "countriesAndRegions": ["NL"],
                   "includeUnknownCountriesAndRegions": false, "isTrusted": true}),
            "$",
        )
        .unwrap();
        assert!(
            !country.is_trusted(),
            "country locations never count as trusted"
        );
    }

    #[test]
    fn licences_come_from_enabled_skus_only() {
        let skus = json!({"value": [
            {"capabilityStatus": "Suspended", "servicePlans": [{"servicePlanId": SERVICE_PLAN_ENTRA_ID_P2}]},
            {"capabilityStatus": "Enabled", "servicePlans": [{"servicePlanId": SERVICE_PLAN_ENTRA_ID_P1}]}
        ]});
        assert_eq!(
            Licences::from_subscribed_skus(&skus),
            Licences {
                p1: true,
                p2: false
            }
        );
        assert_eq!(
            Licences::from_subscribed_skus(&json!({"value": []})),
            Licences::default()
        );
    }

    #[test]
    fn snapshot_round_trips_through_serde() {
        let snapshot = TenantSnapshot {
            tenant_id: Some("t".into()),
            named_locations: vec![NamedLocation::Country {
                id: Some("c".into()),
                display_name: "Home".into(),
                countries_and_regions: vec!["NL".into()],
                include_unknown: false,
                lookup_method: Some(CountryLookupMethod::ClientIpAddress),
                extra: Map::new(),
            }],
            break_glass: vec!["bg".into()],
            licences: Some(Licences {
                p1: true,
                p2: false,
            }),
            ..TenantSnapshot::default()
        };
        let text = serde_json::to_string(&snapshot).unwrap();
        assert_eq!(
            serde_json::from_str::<TenantSnapshot>(&text).unwrap(),
            snapshot
        );
    }
}
