//! What each persona meets on "Register security info", as the what-if engine decides it on a
//! tenant's policies (and, for the presenter, on a draft preset next to them).
//!
//! The demo shows these outcomes in its tables and end-user view; the same values are written
//! into the page as JSON (`data-outcome`, `data-sign-in`, …) so end-to-end tests can check the UI
//! against the engine through [`demo_whatif`] instead of against numbers copied into the test.

use crate::engine::cidr::{Cidr, IpAddress};
use crate::engine::model::{NamedLocation, PolicyState, TenantSnapshot};
use crate::engine::presets::{build_plan, Plan, PlanOptions, Preset};
use crate::engine::whatif::{Decision, Draft, GrantControl, SignIn, SignInTarget, WhatIfEngine};
use crate::sim::{Persona, SimTenant};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The screen a persona reaches after choosing "Add sign-in method".
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Outcome {
    /// No policy stands in the way: the Security info page lets them add a method.
    RegistrationPage,
    /// A policy asks for multifactor authentication (or an authentication strength) first.
    MfaPrompt { policies: Vec<String> },
    /// A policy asks for something other than MFA (a compliant device, terms of use, …).
    OtherControls {
        controls: Vec<String>,
        policies: Vec<String>,
    },
    /// A policy blocks: the "You cannot access this right now" page (error 53003).
    Blocked { policies: Vec<String> },
}

impl Outcome {
    fn from_decision(decision: &Decision) -> Outcome {
        match decision {
            Decision::Allowed => Outcome::RegistrationPage,
            Decision::Blocked { by } => Outcome::Blocked {
                policies: by.iter().map(|p| p.display_name.clone()).collect(),
            },
            Decision::RequiresControls { requirements } => {
                let policies = requirements
                    .iter()
                    .map(|r| r.policy.display_name.clone())
                    .collect();
                let mfa = requirements.iter().all(|r| {
                    r.controls.iter().any(|c| {
                        matches!(
                            c,
                            GrantControl::Mfa | GrantControl::AuthenticationStrength { .. }
                        )
                    })
                });
                if mfa {
                    Outcome::MfaPrompt { policies }
                } else {
                    let controls = requirements
                        .iter()
                        .flat_map(|r| r.controls.iter().map(GrantControl::label))
                        .collect();
                    Outcome::OtherControls { controls, policies }
                }
            }
        }
    }

    /// Stable name used in `data-outcome` attributes and CSS.
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::RegistrationPage => "registrationPage",
            Outcome::MfaPrompt { .. } => "mfaPrompt",
            Outcome::OtherControls { .. } => "otherControls",
            Outcome::Blocked { .. } => "blocked",
        }
    }

    /// Short label for a table cell.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::RegistrationPage => "Registration page",
            Outcome::MfaPrompt { .. } => "MFA prompt",
            Outcome::OtherControls { .. } => "Other controls asked",
            Outcome::Blocked { .. } => "Blocked (53003)",
        }
    }

    /// The policies behind the outcome, for "by …".
    pub fn policies(&self) -> &[String] {
        match self {
            Outcome::RegistrationPage => &[],
            Outcome::MfaPrompt { policies }
            | Outcome::OtherControls { policies, .. }
            | Outcome::Blocked { policies } => policies,
        }
    }
}

/// A persona's result under one set of policies.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluated {
    /// What On policies do.
    pub outcome: Outcome,
    /// What would happen if the report-only policies were On too, when that differs: report-only
    /// policies only log it.
    pub if_report_only_enforced: Option<Outcome>,
}

impl Evaluated {
    fn of(engine: &WhatIfEngine, sign_in: &SignIn) -> Result<Evaluated, String> {
        let report = engine.evaluate(sign_in).map_err(|e| e.to_string())?;
        let outcome = Outcome::from_decision(&report.decision);
        let later = Outcome::from_decision(&report.decision_if_report_only_enforced);
        // Only a different screen is worth a note; more policies behind the same screen are not.
        Ok(Evaluated {
            if_report_only_enforced: (later.kind() != outcome.kind()).then_some(later),
            outcome,
        })
    }

    /// One sentence: what happens and because of which policies.
    pub fn sentence(&self) -> String {
        let mut text = match &self.outcome {
            Outcome::RegistrationPage => {
                "Reaches the Security info page and can add a method.".to_string()
            }
            Outcome::MfaPrompt { policies } => format!(
                "Asked for multifactor authentication first, by {}.",
                quoted(policies)
            ),
            Outcome::OtherControls { controls, policies } => {
                format!(
                    "Asked for {} by {}.",
                    controls.join(" and "),
                    quoted(policies)
                )
            }
            Outcome::Blocked { policies } => {
                format!("Blocked by {}: error 53003.", quoted(policies))
            }
        };
        if let Some(later) = &self.if_report_only_enforced {
            text.push_str(&format!(
                " Report-only: {} would make it “{}” once On; for now it is only logged.",
                quoted(later.policies()),
                later.label()
            ));
        }
        text
    }
}

impl Evaluated {
    /// The short note under a table cell: which policies, and what report-only ones would change.
    pub fn table_note(&self) -> String {
        let mut parts = Vec::new();
        if !self.outcome.policies().is_empty() {
            parts.push(format!("By {}.", quoted(self.outcome.policies())));
        }
        if let Some(later) = &self.if_report_only_enforced {
            parts.push(format!(
                "Once report-only is On: {} (by {}).",
                later.label(),
                quoted(later.policies())
            ));
        }
        parts.join(" ")
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("“{n}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row of the personas × outcome table.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonaRow {
    pub persona: Persona,
    pub user_name: String,
    /// The sign-in evaluated (registration from the persona's address and country, in a browser).
    pub sign_in: SignIn,
    /// The trusted named location the address falls in, if any.
    pub trusted_location: Option<String>,
    /// On the policies as they are.
    pub today: Evaluated,
    /// With the trainer's draft added (absent when no draft is shown).
    pub with_draft: Option<Evaluated>,
}

/// The draft the presenter shows next to the tenant's policies.
#[derive(Clone, Debug)]
pub struct DraftChoice {
    pub preset: Preset,
    pub state: PolicyState,
}

impl DraftChoice {
    /// The plan the preset gives on this tenant, in the chosen state (the signed-in admin and
    /// the break-glass accounts are excluded, as for a real plan).
    pub fn plan(&self, snapshot: &TenantSnapshot) -> Result<Plan, String> {
        let options = PlanOptions {
            state: self.state,
            ..PlanOptions::default()
        };
        build_plan(snapshot, self.preset, &options).map_err(|e| e.to_string())
    }
}

/// The trusted IP named location (of the snapshot) that contains `ip`.
pub fn trusted_location_of(snapshot: &TenantSnapshot, ip: &str) -> Option<String> {
    let address = IpAddress::parse(ip).ok()?;
    snapshot
        .named_locations
        .iter()
        .find_map(|location| match location {
            NamedLocation::Ip {
                display_name,
                is_trusted: true,
                ip_ranges,
                ..
            } if ip_ranges
                .iter()
                .filter_map(|r| Cidr::parse(r).ok())
                .any(|c| c.contains(address)) =>
            {
                Some(display_name.clone())
            }
            _ => None,
        })
}

/// Evaluates every persona of `tenant` on its current policies and, when `draft` is given, with
/// the draft preset added.
pub fn persona_rows(
    tenant: &SimTenant,
    draft: Option<&DraftChoice>,
) -> Result<Vec<PersonaRow>, String> {
    let sign_ins = tenant
        .personas
        .iter()
        .map(|persona| {
            let sign_in = tenant
                .persona_sign_in(&persona.key, SignInTarget::register_security_info())
                .ok_or_else(|| {
                    format!("The persona “{}” has no user in the tenant.", persona.label)
                })?;
            let user_name = tenant
                .user(&persona.user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default();
            Ok((persona.clone(), user_name, sign_in))
        })
        .collect::<Result<Vec<_>, String>>()?;
    rows_for(&tenant.snapshot(), sign_ins, draft)
}

/// Evaluates the given personas' sign-ins against `snapshot` and, when `draft` is given, with
/// the draft preset added.
pub fn rows_for(
    snapshot: &TenantSnapshot,
    sign_ins: Vec<(Persona, String, SignIn)>,
    draft: Option<&DraftChoice>,
) -> Result<Vec<PersonaRow>, String> {
    let today = WhatIfEngine::new(snapshot);
    let drafted = match draft {
        Some(choice) => {
            let plan = choice.plan(snapshot)?;
            Some(WhatIfEngine::with_drafts(
                snapshot,
                &[Draft {
                    policy: plan.policy,
                    as_enabled: false,
                }],
                &[],
            ))
        }
        None => None,
    };
    sign_ins
        .into_iter()
        .map(|(persona, user_name, sign_in)| {
            Ok(PersonaRow {
                trusted_location: trusted_location_of(snapshot, &persona.ip_address),
                today: Evaluated::of(&today, &sign_in)?,
                with_draft: drafted
                    .as_ref()
                    .map(|engine| Evaluated::of(engine, &sign_in))
                    .transpose()?,
                persona,
                user_name,
                sign_in,
            })
        })
        .collect()
}

/// The what-if engine for JavaScript, used by the demo's end-to-end tests to check the outcome
/// the page shows: evaluates `sign_in_json` (a [`SignIn`]) against `snapshot_json` (a
/// [`TenantSnapshot`]) plus, when `draft_json` is not empty, that draft policy in its own state.
/// Returns the [`crate::engine::whatif::WhatIfReport`] as JSON.
#[wasm_bindgen]
pub fn demo_whatif(
    snapshot_json: &str,
    draft_json: &str,
    sign_in_json: &str,
) -> Result<String, JsError> {
    let snapshot: TenantSnapshot = serde_json::from_str(snapshot_json)
        .map_err(|e| JsError::new(&format!("The snapshot is not readable: {e}")))?;
    let sign_in: SignIn = serde_json::from_str(sign_in_json)
        .map_err(|e| JsError::new(&format!("The sign-in is not readable: {e}")))?;
    let drafts = if draft_json.trim().is_empty() {
        Vec::new()
    } else {
        let policy = serde_json::from_str(draft_json)
            .map_err(|e| JsError::new(&format!("The draft policy is not readable: {e}")))?;
        vec![Draft {
            policy,
            as_enabled: false,
        }]
    };
    let report = WhatIfEngine::with_drafts(&snapshot, &drafts, &[])
        .evaluate(&sign_in)
        .map_err(|e| JsError::new(&e.to_string()))?;
    serde_json::to_string(&report).map_err(|e| JsError::new(&e.to_string()))
}
