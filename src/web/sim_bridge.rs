//! The simulated tenant for JavaScript: the Node test emulator of the Microsoft hosts
//! (`tests/emulator/tenant.mjs`) and the trainer demo drive one [`SimTenant`] through this
//! binding. All behaviour lives in [`crate::sim`]; this file only carries JSON across the
//! boundary and turns unreadable input into errors JavaScript can show.
//!
//! ```js
//! const tenant = SimulatedTenant.from_options(JSON.stringify({
//!   scenario: 'contosoDemo',
//!   extensionApp: { redirectUri: `https://${id}.chromiumapp.org/`, consented: true },
//! }));
//! const answer = JSON.parse(tenant.handle(JSON.stringify({
//!   method: 'GET', host: 'graph.microsoft.com', pathAndQuery: '/v1.0/me',
//!   headers: [['Authorization', `Bearer ${token}`]],
//! }), Date.now()));
//! ```

use crate::engine::model::PolicyState;
use crate::sim::scenarios::REGISTRATION_GUARD_CLIENT_ID;
use crate::sim::{FaultRule, SimTenant};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// The tenant a scenario starts from.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Scenario {
    /// [`SimTenant::contoso_demo`].
    #[default]
    ContosoDemo,
    /// [`SimTenant::us_government_demo`].
    UsGovernmentDemo,
}

/// Where the extension's redirect URI is registered in its app registration.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Platform {
    #[default]
    Spa,
    Web,
}

/// The extension's app registration in the scenario.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ExtensionApp {
    redirect_uri: String,
    #[serde(default = "yes")]
    consented: bool,
    #[serde(default)]
    platform: Platform,
}

fn yes() -> bool {
    true
}

/// The scenario builders of [`crate::sim::scenarios`] as one JSON options object; every field
/// is optional. Unknown fields are refused so a misspelt option cannot silently do nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScenarioOptions {
    #[serde(default)]
    scenario: Scenario,
    #[serde(default)]
    security_defaults: bool,
    #[serde(default)]
    without_premium_licence: bool,
    #[serde(default)]
    without_trusted_locations: bool,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced`.
    #[serde(default)]
    registration_policy: Option<PolicyState>,
    #[serde(default)]
    admin_lacking_role: bool,
    #[serde(default)]
    extension_app: Option<ExtensionApp>,
}

impl ScenarioOptions {
    fn build(self) -> SimTenant {
        let mut tenant = match self.scenario {
            Scenario::ContosoDemo => SimTenant::contoso_demo(),
            Scenario::UsGovernmentDemo => SimTenant::us_government_demo(),
        };
        if let Some(state) = self.registration_policy {
            tenant = tenant.with_registration_policy(state);
        }
        if self.without_trusted_locations {
            tenant = tenant.without_trusted_locations();
        }
        if self.without_premium_licence {
            tenant = tenant.without_premium_licence();
        }
        if self.admin_lacking_role {
            tenant = tenant.with_admin_lacking_role();
        }
        if let Some(app) = self.extension_app {
            tenant = match app.platform {
                Platform::Spa => tenant.with_extension_app(&app.redirect_uri, app.consented),
                Platform::Web => {
                    let mut t = tenant.with_extension_app_on_web_platform(&app.redirect_uri);
                    if !app.consented {
                        t.consents
                            .retain(|c| c.client_id != REGISTRATION_GUARD_CLIENT_ID);
                    }
                    t
                }
            };
        }
        // Last, so every policy of the scenario (the registration policy too) is Off, as in a
        // tenant that turned security defaults on.
        if self.security_defaults {
            tenant = tenant.with_security_defaults();
        }
        tenant
    }
}

/// A simulated Microsoft Entra tenant answering Graph and the sign-in service (see
/// [`crate::sim`]). Times are Unix milliseconds as JavaScript numbers (`Date.now()`).
#[wasm_bindgen]
pub struct SimulatedTenant {
    tenant: SimTenant,
}

#[wasm_bindgen]
impl SimulatedTenant {
    /// Contoso, the demo tenant ([`SimTenant::contoso_demo`]).
    pub fn contoso_demo() -> SimulatedTenant {
        SimulatedTenant {
            tenant: SimTenant::contoso_demo(),
        }
    }

    /// Fabrikam Government in the US Government cloud ([`SimTenant::us_government_demo`]).
    pub fn us_government_demo() -> SimulatedTenant {
        SimulatedTenant {
            tenant: SimTenant::us_government_demo(),
        }
    }

    /// A scenario from a JSON options object, every field optional:
    /// `{"scenario": "contosoDemo" | "usGovernmentDemo", "securityDefaults": bool,
    /// "withoutPremiumLicence": bool, "withoutTrustedLocations": bool,
    /// "registrationPolicy": "enabled" | "disabled" | "enabledForReportingButNotEnforced",
    /// "adminLackingRole": bool, "extensionApp": {"redirectUri": "https://<id>.chromiumapp.org/",
    /// "consented": bool (default true), "platform": "spa" (default) | "web"}}`.
    pub fn from_options(options_json: &str) -> Result<SimulatedTenant, JsError> {
        let options: ScenarioOptions = serde_json::from_str(options_json).map_err(|e| {
            JsError::new(&format!(
                "The simulated tenant's scenario options are not valid: {e}. Values: scenario \
                 contosoDemo | usGovernmentDemo; registrationPolicy enabled | disabled | \
                 enabledForReportingButNotEnforced; extensionApp {{redirectUri, consented, \
                 platform: spa | web}}; the rest true or false."
            ))
        })?;
        Ok(SimulatedTenant {
            tenant: options.build(),
        })
    }

    /// A tenant saved with [`SimulatedTenant::state_json`] (issued codes and tokens included).
    pub fn from_state_json(state_json: &str) -> Result<SimulatedTenant, JsError> {
        serde_json::from_str(state_json)
            .map(|tenant| SimulatedTenant { tenant })
            .map_err(|e| JsError::new(&format!("The saved simulated tenant cannot be read: {e}")))
    }

    /// Answers one HTTP request ([`SimTenant::handle_json`]): a `SimRequest` as JSON in, a
    /// `SimResponse` as JSON out (`status`, `headers`, `body`, `delayMs`, `transport`).
    pub fn handle(&mut self, request_json: &str, now_ms: f64) -> String {
        self.tenant.handle_json(request_json, unix_ms(now_ms))
    }

    /// What the engine's preflight would read from the tenant (`TenantSnapshot` as JSON).
    pub fn snapshot_json(&self) -> String {
        serde_json::to_string(&self.tenant.snapshot()).expect("snapshots serialize to JSON")
    }

    /// The whole state as JSON, for saving, resetting and inspecting.
    pub fn state_json(&self) -> String {
        serde_json::to_string(&self.tenant).expect("the simulated tenant serializes to JSON")
    }

    /// Queues a scripted fault: a `FaultRule` as JSON, e.g. `{"service": "Graph", "method":
    /// "POST", "path": "/identity/conditionalAccess/policies", "occurrence": 1, "times": 1,
    /// "fault": {"kind": "throttle", "retryAfterS": 7}}` (`method: null` matches any).
    pub fn add_fault(&mut self, rule_json: &str) -> Result<(), JsError> {
        let rule: FaultRule = serde_json::from_str(rule_json).map_err(|e| {
            JsError::new(&format!(
                "The fault rule is not valid: {e}. Expected {{service: Graph | Login, method, path, \
                 occurrence, times, fault: {{kind, …}}}}."
            ))
        })?;
        self.tenant.add_fault(rule);
        Ok(())
    }

    /// Opens a browser session for a user (object id or user principal name), so silent
    /// sign-ins (`prompt=none`) succeed for them.
    pub fn sign_in_browser(&mut self, user: &str) -> Result<(), JsError> {
        let id = self
            .tenant
            .user(user)
            .map(|u| u.id.clone())
            .ok_or_else(|| JsError::new(&format!("The simulated tenant has no user {user}.")))?;
        self.tenant.sign_in_browser(&id);
        Ok(())
    }

    /// Ends every browser session: the next silent sign-in needs interaction.
    pub fn sign_out_browsers(&mut self) {
        self.tenant.sign_out_browsers();
    }

    /// Mints an access token for the signed-in administrator without a browser; `scopes_json`
    /// is a JSON array of short Graph permission names such as `["Policy.Read.All"]`.
    pub fn issue_access_token_for_admin(
        &mut self,
        scopes_json: &str,
        now_ms: f64,
    ) -> Result<String, JsError> {
        let scopes: Vec<String> = serde_json::from_str(scopes_json).map_err(|e| {
            JsError::new(&format!(
                "The scopes must be a JSON array of permission names such as [\"Policy.Read.All\"]: {e}"
            ))
        })?;
        let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
        Ok(self
            .tenant
            .issue_access_token_for_admin(&scopes, unix_ms(now_ms)))
    }
}

/// A JavaScript time as the model's `u64`; `as` saturates, so NaN and times before 1970 read as 0.
fn unix_ms(now_ms: f64) -> u64 {
    now_ms as u64
}
