//! One model of a simulated Microsoft Entra tenant, answering Microsoft Graph and the Microsoft
//! identity platform the way the real services do.
//!
//! The same [`SimTenant`] serves two audiences:
//! - the **test emulator** of the Microsoft hosts (a Node HTTPS server calls [`SimTenant::handle`]
//!   through the wasm build for every request to `graph.microsoft.com`, `login.microsoftonline.com`
//!   and their US Government and China twins), so the production extension runs unchanged against it;
//! - the **trainer demo**, which runs the panel against [`SimTenant::contoso_demo`] in the browser.
//!
//! The model is pure and deterministic: it has no clock and no randomness. Every call takes
//! `now` (Unix milliseconds) and identifiers come from a counter hashed with the tenant id, so a
//! test can assert exact bodies. The whole state, issued tokens included, serializes with serde
//! so the demo can save and reset it.
//!
//! - [`graph`]: the Graph endpoints the extension uses, with Graph's validation and error shapes.
//! - [`login`]: `/authorize` and `/token` (authorization code + PKCE, refresh tokens, consent).
//! - [`faults`]: scripted throttling, outages, slowness, resets and broken bodies.
//! - [`scenarios`]: the demo tenant and the awkward tenants tests need.
//!
//! Where Microsoft's exact error for a case is not documented, the simulated answer is marked
//! *assumed* in the rustdoc of the code that produces it.

mod ca;
mod directory;
pub mod faults;
pub mod graph;
mod http;
pub mod login;
pub mod scenarios;
mod validate;

pub use faults::{Fault, FaultRule, FaultService};
pub use http::{SimRequest, SimResponse, Transport};

use crate::context::Cloud;
use crate::engine::model::{
    AdminIdentity, ConditionalAccessPolicy, GuestOrExternalUserType, Licences, NamedLocation,
    TenantSnapshot, SERVICE_PLAN_ENTRA_ID_P1, SERVICE_PLAN_ENTRA_ID_P2,
};
use crate::engine::whatif::{SignIn, SignInTarget};
use serde::{Deserialize, Serialize};

/// Whether a user belongs to the tenant or is a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserType {
    Member,
    Guest,
}

impl UserType {
    /// The Graph spelling (`userType`).
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Member => "Member",
            UserType::Guest => "Guest",
        }
    }
}

/// A user of the simulated directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimUser {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub mail: Option<String>,
    pub job_title: Option<String>,
    pub user_type: UserType,
    /// For guests and external users: which kind Conditional Access sees them as.
    pub guest_kind: Option<GuestOrExternalUserType>,
    /// Role template ids of the user's active directory roles.
    pub role_template_ids: Vec<String>,
    /// Object ids of the groups the user is a direct member of.
    pub group_ids: Vec<String>,
}

/// A security group of the simulated directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimGroup {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
}

/// An activated directory role: Graph lists it in `memberOf` with its own object id and the
/// role template id policies refer to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryRole {
    pub id: String,
    pub role_template_id: String,
    pub display_name: String,
}

/// One service plan of a subscribed SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePlan {
    pub service_plan_id: String,
    pub service_plan_name: String,
}

/// A licence subscription of the tenant (`GET /subscribedSkus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribedSku {
    pub sku_id: String,
    pub sku_part_number: String,
    /// `Enabled`, `Warning`, `Suspended`, `Deleted` or `LockedOut`.
    pub capability_status: String,
    pub enabled_units: u32,
    pub consumed_units: u32,
    pub service_plans: Vec<ServicePlan>,
}

/// Which platform of an app registration a redirect URI is registered under. Only
/// *Single-page application* redirects may redeem codes cross-origin, which is what a browser
/// extension does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RedirectPlatform {
    /// "Single-page application".
    Spa,
    /// "Web" (a confidential client; the usual mistake when registering an extension).
    Web,
}

/// A registered redirect URI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectUri {
    pub uri: String,
    pub platform: RedirectPlatform,
}

/// An application (client) the tenant knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRegistration {
    pub client_id: String,
    pub display_name: String,
    pub redirect_uris: Vec<RedirectUri>,
    /// The Graph permissions configured on the registration (what `.default` asks for), short
    /// names such as `Policy.Read.All`.
    pub api_permissions: Vec<String>,
}

/// Who a delegated consent covers, as in Graph's `oAuth2PermissionGrant.consentType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "userId", rename_all = "camelCase")]
pub enum ConsentScope {
    /// Admin consent on behalf of the organization (`AllPrincipals`).
    AllUsers,
    /// One user's consent (`Principal`).
    User(String),
}

/// Delegated Graph permissions granted to a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentGrant {
    pub client_id: String,
    pub scope: ConsentScope,
    /// Short scope names, e.g. `Policy.ReadWrite.ConditionalAccess`.
    pub scopes: Vec<String>,
}

/// A browser session with the sign-in service: silent (`prompt=none`) requests succeed for the
/// users who have one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrowserSession {
    pub user_id: String,
    /// The session exists but the service wants the user back on the page (MFA due, new
    /// location): silent requests get `interaction_required`.
    pub requires_interaction: bool,
}

/// How the simulated user answers the interactive sign-in and consent page. Tests never see
/// a page: an interactive `/authorize` is answered at once according to this setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ConsentAnswer {
    /// Accept for oneself (an administrator may consent to admin-only permissions for
    /// themselves).
    #[default]
    Accept,
    /// Accept and tick "Consent on behalf of your organization" (administrators only).
    AcceptForOrganization,
    /// Press "Cancel" (`AADSTS65004`).
    Decline,
}

/// A persona of the trainer demo: a user with a typical sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Persona {
    /// Stable key, e.g. `remote-new-hire`.
    pub key: String,
    /// What the class sees, e.g. "Remote new hire".
    pub label: String,
    pub user_id: String,
    /// One sentence on the situation.
    pub story: String,
    /// Public IP address the persona signs in from.
    pub ip_address: String,
    /// ISO 3166-1 alpha-2 country of that address.
    pub country: String,
}

/// A simulated Microsoft Entra tenant: directory, Conditional Access configuration, licences,
/// app registrations and consent, browser sessions, issued codes and tokens, scripted faults.
///
/// Fields are public so scenarios and tests can arrange any state; the handlers keep the
/// invariants Graph keeps (ids, timestamps, validation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimTenant {
    pub tenant_id: String,
    /// Organization name, e.g. "Contoso".
    pub display_name: String,
    /// The initial `*.onmicrosoft.com` domain.
    pub default_domain: String,
    pub cloud: Cloud,
    pub users: Vec<SimUser>,
    pub groups: Vec<SimGroup>,
    pub directory_roles: Vec<DirectoryRole>,
    pub policies: Vec<ConditionalAccessPolicy>,
    pub named_locations: Vec<NamedLocation>,
    pub security_defaults_enabled: bool,
    pub subscribed_skus: Vec<SubscribedSku>,
    pub apps: Vec<AppRegistration>,
    pub consents: Vec<ConsentGrant>,
    /// The administrator at the keyboard (interactive sign-ins without `login_hint` use them).
    pub signed_in_admin: Option<String>,
    /// Object ids of the emergency-access accounts.
    pub break_glass: Vec<String>,
    /// The legacy MFA service "trusted IPs": not readable through Graph, but part of `AllTrusted`.
    pub mfa_trusted_ips: Vec<String>,
    pub personas: Vec<Persona>,
    pub sessions: Vec<BrowserSession>,
    pub consent_answer: ConsentAnswer,
    /// Largest page Graph returns for collections without `$top`; `None` returns everything
    /// in one page, as Graph does for the small collections of a typical tenant.
    pub page_size: Option<usize>,
    /// Scripted faults, consumed as requests match them.
    pub faults: Vec<FaultRule>,
    #[serde(default)]
    pub(crate) issued: login::Issued,
    #[serde(default)]
    pub(crate) next_id: u64,
}

/// Role template id of Security Reader.
pub const ROLE_SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
/// Role template id of Global Reader.
pub const ROLE_GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
/// Role template id of User Administrator.
pub const ROLE_USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
/// Role template id of Helpdesk Administrator.
pub const ROLE_HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
/// Role template id of Privileged Role Administrator.
pub const ROLE_PRIVILEGED_ROLE_ADMINISTRATOR: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";
/// Role template id of Cloud Application Administrator.
pub const ROLE_CLOUD_APPLICATION_ADMINISTRATOR: &str = "158c047a-c907-4556-b7ef-446551a6b5f7";
/// Role template id of Application Administrator.
pub const ROLE_APPLICATION_ADMINISTRATOR: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";

impl SimTenant {
    /// An empty tenant: no users, policies or licences, security defaults off.
    pub fn new(
        tenant_id: &str,
        display_name: &str,
        default_domain: &str,
        cloud: Cloud,
    ) -> SimTenant {
        SimTenant {
            tenant_id: tenant_id.to_owned(),
            display_name: display_name.to_owned(),
            default_domain: default_domain.to_owned(),
            cloud,
            users: Vec::new(),
            groups: Vec::new(),
            directory_roles: Vec::new(),
            policies: Vec::new(),
            named_locations: Vec::new(),
            security_defaults_enabled: false,
            subscribed_skus: Vec::new(),
            apps: Vec::new(),
            consents: Vec::new(),
            signed_in_admin: None,
            break_glass: Vec::new(),
            mfa_trusted_ips: Vec::new(),
            personas: Vec::new(),
            sessions: Vec::new(),
            consent_answer: ConsentAnswer::Accept,
            page_size: None,
            faults: Vec::new(),
            issued: login::Issued::default(),
            next_id: 0,
        }
    }

    /// Answers one request to any simulated host: the tenant's Graph host goes to
    /// [`SimTenant::handle_graph`], its sign-in host to [`SimTenant::handle_login`]; a request
    /// without a host is routed by its path (`/v1.0`, `/beta`, `/$batch` are Graph).
    pub fn handle(&mut self, req: &SimRequest, now: u64) -> SimResponse {
        let is_login = match req.host.as_deref() {
            Some(host) => Cloud::from_sign_in_host(host).is_some(),
            None => !(req.path().starts_with("/v1.0") || req.path().starts_with("/beta")),
        };
        if is_login {
            self.handle_login(req, now)
        } else {
            self.handle_graph(req, now)
        }
    }

    /// [`SimTenant::handle`] with JSON in and out, for the wasm binding the Node emulator
    /// calls: `request` is a [`SimRequest`] and the answer a [`SimResponse`], both camelCase
    /// JSON. A request the model cannot read is answered `400` with the reason, so a broken
    /// harness shows up as a failing test rather than a crash.
    ///
    /// ```
    /// use registration_guard::sim::SimTenant;
    /// let mut tenant = SimTenant::contoso_demo();
    /// let answer = tenant.handle_json(r#"{"method":"GET","host":"graph.microsoft.com","pathAndQuery":"/v1.0/me"}"#, 0);
    /// assert!(answer.contains(r#""status":401"#));
    /// ```
    pub fn handle_json(&mut self, request: &str, now: u64) -> String {
        let response = match serde_json::from_str::<SimRequest>(request) {
            Ok(req) => self.handle(&req, now),
            Err(e) => SimResponse::new(
                400,
                "text/plain; charset=utf-8",
                format!("The simulated tenant cannot read this request (expected a SimRequest as camelCase JSON): {e}"),
            ),
        };
        serde_json::to_string(&response).expect("responses serialize to JSON")
    }

    /// What the engine's preflight would read from this tenant through Graph, plus the facts
    /// Graph cannot tell (break-glass accounts, MFA trusted IPs).
    pub fn snapshot(&self) -> TenantSnapshot {
        let admin = self
            .signed_in_admin
            .as_deref()
            .and_then(|id| self.user(id))
            .map(|u| AdminIdentity {
                id: u.id.clone(),
                user_principal_name: u.user_principal_name.clone(),
                display_name: u.display_name.clone(),
                role_template_ids: u.role_template_ids.clone(),
            });
        TenantSnapshot {
            tenant_id: Some(self.tenant_id.clone()),
            policies: self.policies.clone(),
            named_locations: self.named_locations.clone(),
            security_defaults_enabled: Some(self.security_defaults_enabled),
            licences: Some(self.licences()),
            admin,
            break_glass: self.break_glass.clone(),
            mfa_trusted_ips: (!self.mfa_trusted_ips.is_empty())
                .then(|| self.mfa_trusted_ips.clone()),
        }
    }

    /// The Entra ID premium licences the subscribed SKUs give.
    pub fn licences(&self) -> Licences {
        let mut licences = Licences::default();
        for sku in self
            .subscribed_skus
            .iter()
            .filter(|s| matches!(s.capability_status.as_str(), "Enabled" | "Warning"))
        {
            for plan in &sku.service_plans {
                if plan.service_plan_id == SERVICE_PLAN_ENTRA_ID_P2 {
                    licences.p1 = true;
                    licences.p2 = true;
                } else if plan.service_plan_id == SERVICE_PLAN_ENTRA_ID_P1 {
                    licences.p1 = true;
                }
            }
        }
        licences
    }

    /// The user with this object id or user principal name (case-insensitive).
    pub fn user(&self, id_or_upn: &str) -> Option<&SimUser> {
        self.users.iter().find(|u| {
            u.id.eq_ignore_ascii_case(id_or_upn)
                || u.user_principal_name.eq_ignore_ascii_case(id_or_upn)
        })
    }

    /// The persona with this key.
    pub fn persona(&self, key: &str) -> Option<&Persona> {
        self.personas.iter().find(|p| p.key == key)
    }

    /// The sign-in of a persona for the what-if engine: their groups, roles, guest kind,
    /// address and country, from a browser.
    pub fn persona_sign_in(&self, key: &str, target: SignInTarget) -> Option<SignIn> {
        let persona = self.persona(key)?;
        let user = self.user(&persona.user_id)?;
        let mut sign_in = SignIn::new(&user.id, target);
        sign_in.group_ids = user.group_ids.clone();
        sign_in.role_ids = user.role_template_ids.clone();
        sign_in.guest_type = match user.user_type {
            UserType::Guest => Some(
                user.guest_kind
                    .clone()
                    .unwrap_or(GuestOrExternalUserType::B2bCollaborationGuest),
            ),
            UserType::Member => user.guest_kind.clone(),
        };
        sign_in.ip_address = Some(persona.ip_address.clone());
        sign_in.country = Some(persona.country.clone());
        Some(sign_in)
    }

    /// Opens (or refreshes) a browser session for a user, so silent sign-ins succeed.
    pub fn sign_in_browser(&mut self, user_id: &str) {
        self.sessions.retain(|s| s.user_id != user_id);
        self.sessions.push(BrowserSession {
            user_id: user_id.to_owned(),
            requires_interaction: false,
        });
    }

    /// Ends every browser session (the user signed out or closed the browser).
    pub fn sign_out_browsers(&mut self) {
        self.sessions.clear();
    }

    /// Queues a scripted fault.
    pub fn add_fault(&mut self, rule: FaultRule) {
        self.faults.push(rule);
    }

    /// The next identifier: a version-4-shaped GUID derived from the tenant id and a counter,
    /// so runs are reproducible and ids look like Graph's.
    pub(crate) fn new_id(&mut self) -> String {
        self.next_id += 1;
        let digest =
            crate::graph::codec::sha256(format!("{}#{}", self.tenant_id, self.next_id).as_bytes());
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-4{}-{:x}{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            8 + (u8::from_str_radix(&hex[16..17], 16).unwrap_or(0) & 3),
            &hex[17..20],
            &hex[20..32]
        )
    }

    /// Whether a user holds any of these directory roles (template ids).
    pub(crate) fn has_any_role(&self, user_id: &str, roles: &[&str]) -> bool {
        self.user(user_id).is_some_and(|u| {
            u.role_template_ids
                .iter()
                .any(|r| roles.iter().any(|want| r.eq_ignore_ascii_case(want)))
        })
    }
}
