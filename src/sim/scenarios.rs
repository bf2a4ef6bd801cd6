//! Ready-made tenants: the trainer demo's Contoso, and builders for the awkward tenants the
//! tests and the fault matrix need (security defaults on, no licence, no trusted location, a
//! registration policy already present, an admin without the role, consent missing, US
//! Government).
//!
//! Contoso's people are the fictitious users of Microsoft's own demo tenants; its addresses
//! come from the documentation ranges (RFC 5737, RFC 3849), so nothing points at a real network.

use super::{
    AppRegistration, ConsentScope, DirectoryRole, Persona, RedirectPlatform, RedirectUri,
    ServicePlan, SimGroup, SimTenant, SimUser, SubscribedSku, UserType,
    ROLE_HELPDESK_ADMINISTRATOR, ROLE_USER_ADMINISTRATOR,
};
use crate::context::Cloud;
use crate::engine::model::{
    ConditionalAccessPolicy, FromGraph, GuestOrExternalUserType, NamedLocation, PolicyState,
    ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR, ROLE_GLOBAL_ADMINISTRATOR, ROLE_SECURITY_ADMINISTRATOR,
    SERVICE_PLAN_ENTRA_ID_P1, USER_ACTION_REGISTER_SECURITY_INFO,
};
use serde_json::json;

/// Contoso's tenant id.
pub const CONTOSO_TENANT_ID: &str = "9c2f6a51-3b7e-4d0a-8f21-5e6c7d8a9b10";
/// Contoso's initial domain.
pub const CONTOSO_DOMAIN: &str = "contoso.onmicrosoft.com";
/// Patti Fernandez, Global Administrator: the admin at the keyboard in the demo.
pub const ADMIN_ID: &str = "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f601";
/// Adele Vance, office worker at headquarters.
pub const OFFICE_WORKER_ID: &str = "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f602";
/// Lee Gu, remote new hire working from home.
pub const REMOTE_NEW_HIRE_ID: &str = "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f603";
/// Alex Wilber, sales, travelling abroad.
pub const TRAVELLER_ID: &str = "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f604";
/// Lidia Holloway of Fabrikam, a B2B collaboration guest.
pub const GUEST_ID: &str = "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f605";
/// First emergency-access (break-glass) account.
pub const BREAK_GLASS_ID: &str = "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f606";
/// Second emergency-access account.
pub const BREAK_GLASS_2_ID: &str = "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f607";
/// Diego Siciliani, helpdesk (Helpdesk Administrator, no Conditional Access role).
pub const HELPDESK_ID: &str = "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f608";

/// Headquarters' trusted IP location.
pub const HQ_LOCATION_ID: &str = "7b3e9d2a-1c4f-4e8b-9a6d-0f5e2c7b8a01";
/// London office's trusted IP location.
pub const LONDON_LOCATION_ID: &str = "7b3e9d2a-1c4f-4e8b-9a6d-0f5e2c7b8a02";
/// Guest Wi-Fi at headquarters: a known but untrusted location.
pub const GUEST_WIFI_LOCATION_ID: &str = "7b3e9d2a-1c4f-4e8b-9a6d-0f5e2c7b8a03";
/// Countries Contoso blocks.
pub const EMBARGO_LOCATION_ID: &str = "7b3e9d2a-1c4f-4e8b-9a6d-0f5e2c7b8a04";

/// Client id of the "Registration Guard" app registration the builders add.
pub const REGISTRATION_GUARD_CLIENT_ID: &str = "3e5f7a9c-2b4d-4c6e-8f01-a2b3c4d5e6f7";

/// The permissions the extension's registration asks for.
pub const REGISTRATION_GUARD_PERMISSIONS: &[&str] = &[
    "User.Read",
    "Policy.Read.All",
    "Policy.ReadWrite.ConditionalAccess",
    "LicenseAssignment.Read.All",
    "User.ReadBasic.All",
];

/// When Contoso's existing objects were created (2023-03-14T09:30:00Z).
const CREATED_MS: u64 = 1_678_786_200_000;

/// Microsoft 365 Business Premium and its service plans that matter here.
fn business_premium() -> SubscribedSku {
    SubscribedSku {
        sku_id: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46".to_owned(),
        sku_part_number: "SPB".to_owned(),
        capability_status: "Enabled".to_owned(),
        enabled_units: 25,
        consumed_units: 9,
        service_plans: vec![
            plan(SERVICE_PLAN_ENTRA_ID_P1, "AAD_PREMIUM"),
            plan("8a256a2b-b617-496d-b51b-e76466e88db0", "MFA_PREMIUM"),
            plan("c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A"),
            plan(
                "efb87545-963c-4e0d-99df-69c6916d9eb0",
                "EXCHANGE_S_ENTERPRISE",
            ),
        ],
    }
}

/// Office 365 E3: mail and Office, no Entra ID P1.
fn office_e3() -> SubscribedSku {
    SubscribedSku {
        sku_id: "6fd2c87f-b296-42f0-b197-1e91e994b900".to_owned(),
        sku_part_number: "ENTERPRISEPACK".to_owned(),
        capability_status: "Enabled".to_owned(),
        enabled_units: 25,
        consumed_units: 9,
        service_plans: vec![plan(
            "efb87545-963c-4e0d-99df-69c6916d9eb0",
            "EXCHANGE_S_ENTERPRISE",
        )],
    }
}

fn plan(id: &str, name: &str) -> ServicePlan {
    ServicePlan {
        service_plan_id: id.to_owned(),
        service_plan_name: name.to_owned(),
    }
}

#[allow(clippy::too_many_arguments)]
fn user(
    id: &str,
    name: &str,
    upn: &str,
    job: Option<&str>,
    roles: &[&str],
    groups: &[&str],
) -> SimUser {
    SimUser {
        id: id.to_owned(),
        display_name: name.to_owned(),
        user_principal_name: upn.to_owned(),
        mail: Some(upn.to_owned()),
        job_title: job.map(str::to_owned),
        user_type: UserType::Member,
        guest_kind: None,
        role_template_ids: roles.iter().map(|r| (*r).to_owned()).collect(),
        group_ids: groups.iter().map(|g| (*g).to_owned()).collect(),
    }
}

const GROUP_ALL_STAFF: &str = "a1d2c3b4-0e1f-4a2b-9c3d-4e5f6a7b8c01";
const GROUP_SALES: &str = "a1d2c3b4-0e1f-4a2b-9c3d-4e5f6a7b8c02";
const GROUP_NEW_HIRES: &str = "a1d2c3b4-0e1f-4a2b-9c3d-4e5f6a7b8c03";
const GROUP_IT: &str = "a1d2c3b4-0e1f-4a2b-9c3d-4e5f6a7b8c04";
/// The group holding the emergency-access accounts.
pub const GROUP_EMERGENCY_ACCESS: &str = "a1d2c3b4-0e1f-4a2b-9c3d-4e5f6a7b8c05";

fn policy(body: serde_json::Value) -> ConditionalAccessPolicy {
    ConditionalAccessPolicy::from_graph(body, "$")
        .expect("the demo's policies are valid Graph JSON")
}

fn location(body: serde_json::Value) -> NamedLocation {
    NamedLocation::from_graph(body, "$").expect("the demo's named locations are valid Graph JSON")
}

fn stamp(mut body: serde_json::Value) -> serde_json::Value {
    let created = super::http::iso_time(CREATED_MS);
    body["createdDateTime"] = json!(created);
    body["modifiedDateTime"] = json!(created);
    body
}

impl SimTenant {
    /// Contoso, the trainer demo's tenant: Business Premium (Entra ID P1), security defaults
    /// off, trusted locations for headquarters (Seattle) and London, an untrusted guest Wi-Fi
    /// and a blocked-countries location, three everyday policies (block legacy
    /// authentication, MFA for administrators, block embargoed countries) and **no policy on
    /// security-info registration yet**. Patti Fernandez (Global Administrator) is signed in;
    /// two break-glass accounts exist. Personas: office worker, remote new hire, travelling
    /// employee, B2B guest, administrator, break-glass.
    pub fn contoso_demo() -> SimTenant {
        let mut t = SimTenant::new(CONTOSO_TENANT_ID, "Contoso", CONTOSO_DOMAIN, Cloud::Global);
        t.next_id = 100;
        t.groups = vec![
            group(GROUP_ALL_STAFF, "All Staff", "Every Contoso employee"),
            group(GROUP_SALES, "Sales", "Sales and account management"),
            group(
                GROUP_NEW_HIRES,
                "New hires",
                "Employees in their first 90 days",
            ),
            group(GROUP_IT, "IT Helpdesk", "First-line support"),
            group(
                GROUP_EMERGENCY_ACCESS,
                "Emergency access accounts",
                "Break-glass accounts excluded from every Conditional Access policy",
            ),
        ];
        t.directory_roles = vec![
            role(
                "0b4f1d2e-6a7c-4b8d-9e0f-1a2b3c4d5e01",
                ROLE_GLOBAL_ADMINISTRATOR,
                "Global Administrator",
            ),
            role(
                "0b4f1d2e-6a7c-4b8d-9e0f-1a2b3c4d5e02",
                ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR,
                "Conditional Access Administrator",
            ),
            role(
                "0b4f1d2e-6a7c-4b8d-9e0f-1a2b3c4d5e03",
                ROLE_SECURITY_ADMINISTRATOR,
                "Security Administrator",
            ),
            role(
                "0b4f1d2e-6a7c-4b8d-9e0f-1a2b3c4d5e04",
                ROLE_HELPDESK_ADMINISTRATOR,
                "Helpdesk Administrator",
            ),
            role(
                "0b4f1d2e-6a7c-4b8d-9e0f-1a2b3c4d5e05",
                ROLE_USER_ADMINISTRATOR,
                "User Administrator",
            ),
        ];
        let d = CONTOSO_DOMAIN;
        t.users = vec![
            user(
                ADMIN_ID,
                "Patti Fernandez",
                &format!("PattiF@{d}"),
                Some("IT Director"),
                &[ROLE_GLOBAL_ADMINISTRATOR],
                &[GROUP_ALL_STAFF, GROUP_IT],
            ),
            user(
                OFFICE_WORKER_ID,
                "Adele Vance",
                &format!("AdeleV@{d}"),
                Some("Marketing Specialist"),
                &[],
                &[GROUP_ALL_STAFF],
            ),
            user(
                REMOTE_NEW_HIRE_ID,
                "Lee Gu",
                &format!("LeeG@{d}"),
                Some("Software Engineer"),
                &[],
                &[GROUP_ALL_STAFF, GROUP_NEW_HIRES],
            ),
            user(
                TRAVELLER_ID,
                "Alex Wilber",
                &format!("AlexW@{d}"),
                Some("Account Manager"),
                &[],
                &[GROUP_ALL_STAFF, GROUP_SALES],
            ),
            SimUser {
                mail: Some("lidia.holloway@fabrikam.com".to_owned()),
                job_title: None,
                user_type: UserType::Guest,
                guest_kind: Some(GuestOrExternalUserType::B2bCollaborationGuest),
                ..user(
                    GUEST_ID,
                    "Lidia Holloway (Fabrikam)",
                    &format!("lidia.holloway_fabrikam.com#EXT#@{d}"),
                    None,
                    &[],
                    &[],
                )
            },
            SimUser {
                mail: None,
                ..user(
                    BREAK_GLASS_ID,
                    "Emergency Access 01",
                    &format!("breakglass01@{d}"),
                    None,
                    &[ROLE_GLOBAL_ADMINISTRATOR],
                    &[GROUP_EMERGENCY_ACCESS],
                )
            },
            SimUser {
                mail: None,
                ..user(
                    BREAK_GLASS_2_ID,
                    "Emergency Access 02",
                    &format!("breakglass02@{d}"),
                    None,
                    &[ROLE_GLOBAL_ADMINISTRATOR],
                    &[GROUP_EMERGENCY_ACCESS],
                )
            },
            user(
                HELPDESK_ID,
                "Diego Siciliani",
                &format!("DiegoS@{d}"),
                Some("Helpdesk Engineer"),
                &[ROLE_HELPDESK_ADMINISTRATOR],
                &[GROUP_ALL_STAFF, GROUP_IT],
            ),
            user(
                "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f609",
                "Megan Bowen",
                &format!("MeganB@{d}"),
                Some("Marketing Manager"),
                &[],
                &[GROUP_ALL_STAFF],
            ),
            user(
                "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f610",
                "Nestor Wilke",
                &format!("NestorW@{d}"),
                Some("Director of Operations"),
                &[],
                &[GROUP_ALL_STAFF],
            ),
            user(
                "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f611",
                "Isaiah Langer",
                &format!("IsaiahL@{d}"),
                Some("Sales Representative"),
                &[],
                &[GROUP_ALL_STAFF, GROUP_SALES],
            ),
            user(
                "4f1a2b3c-5d6e-4f70-8a91-b2c3d4e5f612",
                "Miriam Graham",
                &format!("MiriamG@{d}"),
                Some("Director of Marketing"),
                &[ROLE_SECURITY_ADMINISTRATOR],
                &[GROUP_ALL_STAFF],
            ),
        ];
        t.named_locations = vec![
            location(stamp(json!({
                "@odata.type": "#microsoft.graph.ipNamedLocation", "id": HQ_LOCATION_ID,
                "displayName": "Headquarters (Seattle)", "isTrusted": true,
                "ipRanges": [
                    {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/26"},
                    {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8:10::/48"}
                ]
            }))),
            location(stamp(json!({
                "@odata.type": "#microsoft.graph.ipNamedLocation", "id": LONDON_LOCATION_ID,
                "displayName": "London office", "isTrusted": true,
                "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "198.51.100.0/26"}]
            }))),
            location(stamp(json!({
                "@odata.type": "#microsoft.graph.ipNamedLocation", "id": GUEST_WIFI_LOCATION_ID,
                "displayName": "Headquarters guest Wi-Fi", "isTrusted": false,
                "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.64/27"}]
            }))),
            location(stamp(json!({
                "@odata.type": "#microsoft.graph.countryNamedLocation", "id": EMBARGO_LOCATION_ID,
                "displayName": "Embargoed countries", "countriesAndRegions": ["CU", "IR", "KP", "SY"],
                "includeUnknownCountriesAndRegions": false, "countryLookupMethod": "clientIpAddress"
            }))),
        ];
        let break_glass = [BREAK_GLASS_ID, BREAK_GLASS_2_ID];
        t.policies = vec![
            policy(stamp(json!({
                "id": "5d8c2f1e-9a7b-4c3d-8e2f-1a0b9c8d7e01", "templateId": null,
                "displayName": "Block legacy authentication", "state": "enabled",
                "conditions": {
                    "clientAppTypes": ["exchangeActiveSync", "other"],
                    "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": []},
                    "users": {"includeUsers": ["All"], "excludeUsers": break_glass, "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": []}
                },
                "grantControls": {"operator": "OR", "builtInControls": ["block"]}
            }))),
            policy(stamp(json!({
                "id": "5d8c2f1e-9a7b-4c3d-8e2f-1a0b9c8d7e02", "templateId": null,
                "displayName": "Require multifactor authentication for admins", "state": "enabled",
                "conditions": {
                    "clientAppTypes": ["all"],
                    "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": []},
                    "users": {"includeUsers": [], "excludeUsers": break_glass, "includeGroups": [], "excludeGroups": [],
                              "includeRoles": [ROLE_GLOBAL_ADMINISTRATOR, ROLE_CONDITIONAL_ACCESS_ADMINISTRATOR, ROLE_SECURITY_ADMINISTRATOR, ROLE_USER_ADMINISTRATOR, ROLE_HELPDESK_ADMINISTRATOR],
                              "excludeRoles": []}
                },
                "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
            }))),
            policy(stamp(json!({
                "id": "5d8c2f1e-9a7b-4c3d-8e2f-1a0b9c8d7e03", "templateId": null,
                "displayName": "Block access from embargoed countries", "state": "enabled",
                "conditions": {
                    "clientAppTypes": ["all"],
                    "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": []},
                    "users": {"includeUsers": ["All"], "excludeUsers": break_glass, "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
                    "locations": {"includeLocations": [EMBARGO_LOCATION_ID], "excludeLocations": []}
                },
                "grantControls": {"operator": "OR", "builtInControls": ["block"]}
            }))),
        ];
        t.subscribed_skus = vec![business_premium()];
        t.signed_in_admin = Some(ADMIN_ID.to_owned());
        t.break_glass = break_glass.iter().map(|s| (*s).to_owned()).collect();
        t.personas = vec![
            persona("office-worker", "Office worker", OFFICE_WORKER_ID, "Adele works at headquarters in Seattle and registers her authenticator from her desk.", "203.0.113.24", "US"),
            persona("remote-new-hire", "Remote new hire", REMOTE_NEW_HIRE_ID, "Lee started this week and works from home; he has never been to an office.", "192.0.2.44", "US"),
            persona("travelling-employee", "Travelling employee", TRAVELLER_ID, "Alex is at a customer in Tokyo and got a new phone.", "198.51.100.150", "JP"),
            persona("guest", "B2B guest", GUEST_ID, "Lidia from Fabrikam collaborates on a project from her own company's network.", "192.0.2.200", "DE"),
            persona("admin", "Administrator", ADMIN_ID, "Patti, Global Administrator, configures the policy from headquarters.", "203.0.113.10", "US"),
            persona("break-glass", "Break-glass account", BREAK_GLASS_ID, "The emergency account, used only when every admin is locked out, from anywhere.", "192.0.2.99", "US"),
        ];
        t
    }

    /// Turns security defaults on. Graph then refuses to enable any policy, so the everyday
    /// policies of the tenant are Off, as they would be in a tenant that enabled defaults.
    pub fn with_security_defaults(mut self) -> SimTenant {
        self.security_defaults_enabled = true;
        for p in &mut self.policies {
            p.state = PolicyState::Disabled;
        }
        self
    }

    /// Replaces the licences with Office 365 E3 only: no Entra ID P1.
    pub fn without_premium_licence(mut self) -> SimTenant {
        self.subscribed_skus = vec![office_e3()];
        self
    }

    /// Removes every trusted named location (untrusted ones stay).
    pub fn without_trusted_locations(mut self) -> SimTenant {
        let trusted: Vec<String> = self
            .named_locations
            .iter()
            .filter(|l| l.is_trusted())
            .filter_map(|l| l.id().map(str::to_owned))
            .collect();
        self.named_locations.retain(|l| !l.is_trusted());
        for p in &mut self.policies {
            if let Some(locations) = &mut p.conditions.locations {
                locations
                    .include_locations
                    .retain(|id| !trusted.contains(id));
                locations
                    .exclude_locations
                    .retain(|id| !trusted.contains(id));
            }
        }
        self
    }

    /// Adds the classic registration policy (all users minus the break-glass accounts,
    /// register security information, any location minus trusted ones, block) in `state`.
    pub fn with_registration_policy(mut self, state: PolicyState) -> SimTenant {
        self.policies.push(policy(stamp(json!({
            "id": "5d8c2f1e-9a7b-4c3d-8e2f-1a0b9c8d7e10", "templateId": null,
            "displayName": "Block security info registration outside trusted locations", "state": state.as_str(),
            "conditions": {
                "clientAppTypes": ["all"],
                "applications": {"includeApplications": [], "excludeApplications": [], "includeUserActions": [USER_ACTION_REGISTER_SECURITY_INFO]},
                "users": {"includeUsers": ["All"], "excludeUsers": self.break_glass, "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
                "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}
        }))));
        self
    }

    /// Makes Diego Siciliani (Helpdesk Administrator, no Conditional Access role) the
    /// signed-in admin: reads and writes of policies are refused.
    pub fn with_admin_lacking_role(mut self) -> SimTenant {
        self.signed_in_admin = Some(HELPDESK_ID.to_owned());
        self
    }

    /// Registers the extension as a single-page application with this redirect URI, with
    /// the organization's consent to its permissions when `consented`.
    pub fn with_extension_app(mut self, redirect_uri: &str, consented: bool) -> SimTenant {
        self.register_app(redirect_uri, RedirectPlatform::Spa, consented);
        self
    }

    /// Registers the extension's redirect URI under the **Web** platform by mistake (token
    /// redemption then fails with `AADSTS9002326`).
    pub fn with_extension_app_on_web_platform(mut self, redirect_uri: &str) -> SimTenant {
        self.register_app(redirect_uri, RedirectPlatform::Web, true);
        self
    }

    fn register_app(&mut self, redirect_uri: &str, platform: RedirectPlatform, consented: bool) {
        let permissions: Vec<String> = REGISTRATION_GUARD_PERMISSIONS
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        self.apps
            .retain(|a| a.client_id != REGISTRATION_GUARD_CLIENT_ID);
        self.apps.push(AppRegistration {
            client_id: REGISTRATION_GUARD_CLIENT_ID.to_owned(),
            display_name: "Registration Guard".to_owned(),
            redirect_uris: vec![RedirectUri {
                uri: redirect_uri.to_owned(),
                platform,
            }],
            api_permissions: permissions.clone(),
        });
        self.consents
            .retain(|c| c.client_id != REGISTRATION_GUARD_CLIENT_ID);
        if consented {
            self.grant_consent(
                REGISTRATION_GUARD_CLIENT_ID,
                ConsentScope::AllUsers,
                &permissions,
            );
        }
    }

    /// Fabrikam in the US Government cloud (GCC High): sign-in at `login.microsoftonline.us`,
    /// Graph at `graph.microsoft.us`, otherwise Contoso's configuration.
    pub fn us_government_demo() -> SimTenant {
        let mut t = SimTenant::contoso_demo();
        t.cloud = Cloud::UsGovernment;
        t.tenant_id = "2d7b4e19-8c3a-4f56-b0e1-7a9c3d5f2e80".to_owned();
        t.display_name = "Fabrikam Government".to_owned();
        t.default_domain = "fabrikamgov.onmicrosoft.us".to_owned();
        for u in &mut t.users {
            u.user_principal_name = u
                .user_principal_name
                .replace(CONTOSO_DOMAIN, "fabrikamgov.onmicrosoft.us");
            u.mail = u
                .mail
                .as_ref()
                .map(|m| m.replace(CONTOSO_DOMAIN, "fabrikamgov.onmicrosoft.us"));
        }
        t
    }
}

fn group(id: &str, name: &str, description: &str) -> SimGroup {
    SimGroup {
        id: id.to_owned(),
        display_name: name.to_owned(),
        description: Some(description.to_owned()),
    }
}

fn role(id: &str, template: &str, name: &str) -> DirectoryRole {
    DirectoryRole {
        id: id.to_owned(),
        role_template_id: template.to_owned(),
        display_name: name.to_owned(),
    }
}

fn persona(key: &str, label: &str, user_id: &str, story: &str, ip: &str, country: &str) -> Persona {
    Persona {
        key: key.to_owned(),
        label: label.to_owned(),
        user_id: user_id.to_owned(),
        story: story.to_owned(),
        ip_address: ip.to_owned(),
        country: country.to_owned(),
    }
}
