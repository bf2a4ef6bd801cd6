//! Who the panel's apply flow talks to about the tenant. In the extension: the background worker,
//! by typed messages ([`ExtensionTransport`]); it holds the tokens and performs `fetch`. In the
//! trainer demo: a simulated tenant in the page (`SimTransport`, built with the `demo` feature).
//! The flow itself ([`crate::graph::apply::ApplyFlow`]) is the same in both.

use super::chrome;
use crate::context::Cloud;
use crate::graph::auth::{Account, SignInError};
use crate::graph::{HttpRequest, HttpResponse, Outcome, TransportFailure};
use crate::messages::{BackgroundReply, ExtensionSettings, ToBackground};
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::JsValue;

/// A future the panel awaits on its own thread.
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// What the panel may know about a sign-in (never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub account: Option<Account>,
    pub granted_scopes: Vec<String>,
    pub admin_consent_url: Option<String>,
}

/// Why no sign-in is available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInFailure {
    /// Only the sign-in window can help, and it was not asked for.
    InteractionNeeded,
    /// No Application (client) ID is set: the options page must be finished first.
    NotConfigured { redirect_uri: String },
    /// The identity platform or the browser refused; the error says what to do.
    Failed(SignInError),
    /// The background could not be reached or answered something else.
    Unavailable(String),
}

/// The tenant, as the panel's flow sees it.
pub trait TenantTransport {
    /// Signs in to `cloud` or reuses the session: only silently unless `interactive`. `renew`
    /// after Graph refused the current token.
    fn sign_in(&self, cloud: Cloud, interactive: bool, renew: bool, hints: SignInHints) -> LocalFuture<'_, Result<SignedIn, SignInFailure>>;
    /// Performs one request built by the flow (no `Authorization`: the implementation adds it).
    /// A missing sign-in answers HTTP 401, as Graph would.
    fn send(&self, cloud: Cloud, request: HttpRequest) -> LocalFuture<'_, Outcome>;
    /// Forgets the session.
    fn sign_out(&self) -> LocalFuture<'_, ()>;
    /// The options the flow uses (break-glass accounts, default preset and state).
    fn settings(&self) -> LocalFuture<'_, ExtensionSettings>;
}

/// What the portal page says about who is signed in where, for a smoother sign-in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInHints {
    /// Tenant id or domain from the portal address.
    pub tenant: Option<String>,
    /// The account the portal header shows (a sign-in name).
    pub login_hint: Option<String>,
}

/// The answer standing in for Graph's when there is no token to send: the flow then asks for a
/// sign-in ([`crate::graph::apply::Step::SignInNeeded`]) exactly as after an expired token.
pub fn not_signed_in() -> HttpResponse {
    HttpResponse::new(
        401,
        r#"{"error":{"code":"InvalidAuthenticationToken","message":"Registration Guard is not signed in to this tenant."}}"#,
    )
    .with_header("Content-Type", "application/json")
}

/// The extension: every call is a typed message to the background worker.
pub struct ExtensionTransport;

async fn ask(message: &ToBackground) -> Result<BackgroundReply, String> {
    let message = chrome::to_js(message).map_err(|e| describe(&e))?;
    let reply = chrome::send_to_background(&message).await.map_err(|e| describe(&e))?;
    chrome::from_js::<BackgroundReply>(reply)
}

fn describe(e: &JsValue) -> String {
    super::graph_fetch::describe(e)
}

impl TenantTransport for ExtensionTransport {
    fn sign_in(&self, cloud: Cloud, interactive: bool, renew: bool, hints: SignInHints) -> LocalFuture<'_, Result<SignedIn, SignInFailure>> {
        Box::pin(async move {
            let message = ToBackground::SignIn { cloud, interactive, renew, tenant: hints.tenant, login_hint: hints.login_hint };
            match ask(&message).await.map_err(SignInFailure::Unavailable)? {
                BackgroundReply::SignedIn { account, granted_scopes, admin_consent_url } => {
                    Ok(SignedIn { account, granted_scopes, admin_consent_url })
                }
                BackgroundReply::InteractionNeeded => Err(SignInFailure::InteractionNeeded),
                BackgroundReply::NotConfigured { redirect_uri } => Err(SignInFailure::NotConfigured { redirect_uri }),
                BackgroundReply::SignInFailed { error } => Err(SignInFailure::Failed(error)),
                BackgroundReply::Refused { reason } => Err(SignInFailure::Unavailable(reason)),
                other => Err(SignInFailure::Unavailable(format!("unexpected answer {other:?}"))),
            }
        })
    }

    fn send(&self, cloud: Cloud, request: HttpRequest) -> LocalFuture<'_, Outcome> {
        Box::pin(async move {
            match ask(&ToBackground::GraphSend { cloud, request: request.into() }).await {
                Ok(BackgroundReply::GraphResponse { response }) => Ok(response),
                Ok(BackgroundReply::GraphFailed { failure }) => Err(failure),
                Ok(BackgroundReply::InteractionNeeded) => Ok(not_signed_in()),
                Ok(BackgroundReply::Refused { reason }) => Err(TransportFailure::Network { message: reason }),
                Ok(other) => Err(TransportFailure::Network { message: format!("unexpected answer {other:?}") }),
                Err(message) => Err(TransportFailure::Network { message }),
            }
        })
    }

    fn sign_out(&self) -> LocalFuture<'_, ()> {
        Box::pin(async move {
            if let Err(e) = ask(&ToBackground::SignOut {}).await {
                super::dom::warn(&format!("Registration Guard could not sign out: {e}"));
            }
        })
    }

    fn settings(&self) -> LocalFuture<'_, ExtensionSettings> {
        Box::pin(super::signin::load_settings())
    }
}

#[cfg(feature = "demo")]
pub use sim::SimTransport;

#[cfg(feature = "demo")]
mod sim {
    use super::*;
    use crate::sim::scenarios::REGISTRATION_GUARD_PERMISSIONS;
    use crate::sim::{SimRequest, SimTenant, Transport};
    use std::cell::RefCell;
    use std::rc::Rc;

    /// The trainer demo: the simulated tenant in the page answers, as the emulator does in tests.
    /// Sign-in mints the signed-in admin's token directly (there is no identity platform to visit).
    pub struct SimTransport {
        tenant: Rc<RefCell<SimTenant>>,
        token: RefCell<Option<String>>,
        settings: ExtensionSettings,
    }

    impl SimTransport {
        /// Answers from `tenant`; the demo keeps its own handle to reset it.
        pub fn new(tenant: Rc<RefCell<SimTenant>>) -> SimTransport {
            // The scenario's emergency-access accounts, as an admin would have chosen them in the options.
            let break_glass = {
                let sim = tenant.borrow();
                sim.break_glass
                    .iter()
                    .map(|id| {
                        let label = sim.user(id).map_or_else(
                            || id.clone(),
                            |u| format!("{} ({})", u.display_name, u.user_principal_name),
                        );
                        crate::messages::BreakGlassAccount { id: id.clone(), label }
                    })
                    .collect()
            };
            let settings = ExtensionSettings {
                client_id: crate::sim::scenarios::REGISTRATION_GUARD_CLIENT_ID.to_owned(),
                break_glass,
                ..ExtensionSettings::default()
            };
            SimTransport { tenant, token: RefCell::new(None), settings }
        }
    }

    impl TenantTransport for SimTransport {
        fn sign_in(&self, _cloud: Cloud, _interactive: bool, renew: bool, _hints: SignInHints) -> LocalFuture<'_, Result<SignedIn, SignInFailure>> {
            Box::pin(async move {
                let now = super::super::graph_fetch::now_ms();
                if renew || self.token.borrow().is_none() {
                    let token = self.tenant.borrow_mut().issue_access_token_for_admin(REGISTRATION_GUARD_PERMISSIONS, now);
                    *self.token.borrow_mut() = Some(token);
                }
                let tenant = self.tenant.borrow();
                let admin = tenant.signed_in_admin.as_deref().and_then(|id| tenant.user(id));
                Ok(SignedIn {
                    account: admin.map(|user| Account {
                        tenant_id: Some(tenant.tenant_id.clone()),
                        object_id: Some(user.id.clone()),
                        username: Some(user.user_principal_name.clone()),
                        display_name: Some(user.display_name.clone()),
                    }),
                    granted_scopes: REGISTRATION_GUARD_PERMISSIONS.iter().map(|s| s.to_string()).collect(),
                    admin_consent_url: None,
                })
            })
        }

        fn send(&self, _cloud: Cloud, request: HttpRequest) -> LocalFuture<'_, Outcome> {
            Box::pin(async move {
                let Some(token) = self.token.borrow().clone() else { return Ok(not_signed_in()) };
                let Some(mut sim) = SimRequest::from_url(request.method.as_str(), &request.url) else {
                    return Err(TransportFailure::Network { message: format!("not an address: {}", request.url) });
                };
                for (name, value) in &request.headers {
                    sim = sim.header(name, value);
                }
                sim = sim.bearer(&token);
                sim.body = request.body.clone();
                let answer = self.tenant.borrow_mut().handle(&sim, super::super::graph_fetch::now_ms());
                if answer.delay_ms > 0 {
                    super::super::graph_fetch::sleep(answer.delay_ms).await;
                }
                match answer.transport {
                    Transport::Normal => Ok(HttpResponse { status: answer.status, headers: answer.headers, body: answer.body }),
                    _ => Err(TransportFailure::Network { message: "the connection was closed before the answer ended".into() }),
                }
            })
        }

        fn sign_out(&self) -> LocalFuture<'_, ()> {
            Box::pin(async move {
                *self.token.borrow_mut() = None;
            })
        }

        fn settings(&self) -> LocalFuture<'_, ExtensionSettings> {
            Box::pin(std::future::ready(self.settings.clone()))
        }
    }
}
