//! The policy engine: everything that decides, in plain Rust with no browser or network.
//!
//! | Module | What it does |
//! |---|---|
//! | [`model`] | Conditional Access policies, named locations, templates and the [`model::TenantSnapshot`], typed after Microsoft Graph; unknown fields kept for the round trip |
//! | [`import`] | Real-world exports (Graph JSON, PowerShell SDK, IntuneManagement UTF-16, templates) into the model |
//! | [`presets`] | The three registration presets as a reviewed [`presets::Plan`] holding the exact Graph body |
//! | [`preflight`] | The traps to check before writing (security defaults, licence, trusted locations, duplicates, role) |
//! | [`coverage`] | Whether registration is protected from untrusted locations, and the named gaps |
//! | [`whatif`] | Local What If: which policies (saved and drafts) apply to a sign-in, and the decision |
//! | [`cidr`] | IP ranges as exact intervals, for trusted locations and what-if |
//! | [`export`] | A policy as Graph JSON, Microsoft Graph PowerShell, Azure CLI or Terraform |
//!
//! Data flows one way: files or Graph reads → [`model::TenantSnapshot`] → plan → checks
//! (coverage, what-if) → one write or an export.
//!
//! # Example
//!
//! Import an export, plan the classic preset, check it, see what it changes, and export it:
//!
//! ```
//! use registration_guard::engine::coverage::{assess, assess_with_draft};
//! use registration_guard::engine::export::{export_plan, ExportFormat};
//! use registration_guard::engine::import::import_tenant;
//! use registration_guard::engine::model::AdminIdentity;
//! use registration_guard::engine::preflight::{has_blockers, preflight};
//! use registration_guard::engine::presets::{build_plan, PlanOptions, Preset};
//! use registration_guard::engine::whatif::{Decision, Draft, SignIn, SignInTarget, WhatIfEngine};
//!
//! // A named-location export, as `GET /identity/conditionalAccess/namedLocations` returns it.
//! let file = br##"{"value": [{"@odata.type": "#microsoft.graph.ipNamedLocation",
//!     "id": "0854951d-5fc0-4eb1-b392-9b2c9d7949c2", "displayName": "Head office",
//!     "isTrusted": true, "ipRanges": [{"cidrAddress": "203.0.113.0/24"}]}]}"##;
//! let mut tenant = import_tenant(file)?.into_snapshot();
//! tenant.admin = Some(AdminIdentity {
//!     id: "aaaaaaaa-0000-4000-8000-000000000001".into(),
//!     user_principal_name: "admin@contoso.onmicrosoft.com".into(),
//!     display_name: "Admin".into(),
//!     role_template_ids: vec![],
//! });
//! tenant.break_glass = vec!["bbbbbbbb-0000-4000-8000-000000000001".into()];
//!
//! // Report-only by default; the admin and the break-glass account are excluded.
//! let plan = build_plan(&tenant, Preset::BlockOutsideTrusted, &PlanOptions::default())?;
//! assert_eq!(plan.body["state"], "enabledForReportingButNotEnforced");
//!
//! // Preflight: a trusted location exists, nothing stands in the way of creating it.
//! let findings = preflight(&tenant, &plan);
//! assert!(!has_blockers(&findings), "{findings:?}");
//!
//! // Coverage: not protected today; protected once the plan is created and turned on.
//! assert_eq!(assess(&tenant).verdict.label(), "Not protected");
//! assert_eq!(assess_with_draft(&tenant, &plan.policy, true).verdict.label(), "Protected");
//!
//! // What if a user registers security info from home, or from the office?
//! let engine = WhatIfEngine::with_drafts(&tenant, &[Draft { policy: plan.policy.clone(), as_enabled: true }], &[]);
//! let mut sign_in = SignIn::new("cccccccc-0000-4000-8000-000000000001", SignInTarget::register_security_info());
//! sign_in.ip_address = Some("198.51.100.7".into());
//! assert!(matches!(engine.evaluate(&sign_in)?.decision, Decision::Blocked { .. }));
//! sign_in.ip_address = Some("203.0.113.9".into());
//! assert_eq!(engine.evaluate(&sign_in)?.decision, Decision::Allowed);
//!
//! // The same policy for a pipeline.
//! let terraform = export_plan(&plan, ExportFormat::Terraform, "graph.microsoft.com")?;
//! assert!(terraform.contains("resource \"azuread_conditional_access_policy\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod cidr;
pub mod coverage;
pub mod export;
pub mod import;
pub mod model;
pub mod preflight;
pub mod presets;
pub mod whatif;
