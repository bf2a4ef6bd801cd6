//! Sign-in in the background worker: authorization code + PKCE through
//! `chrome.identity.launchWebAuthFlow`, tokens kept only in `chrome.storage.session` (memory only,
//! and closed to content scripts: its access level stays `TRUSTED_CONTEXTS`).
//!
//! Order of attempts ([`crate::graph::auth::plan_sign_in`]): the stored access token, a refresh, a silent
//! sign-in (`prompt=none`), and only then — when the admin asked — the sign-in window.

use super::graph_fetch::{self, now_ms};
use crate::context::Cloud;
use crate::graph::auth::{
    admin_consent_url, plan_sign_in, refresh_request, scopes_for, Feature, Pkce, Prompt, SignInContext,
    SignInError, SignInPlan, SignInRequest, TokenSet,
};
use crate::graph::codec::base64url_encode;
use crate::graph::{GraphEndpoints, HttpRequest, Outcome};
use crate::messages::{BackgroundReply, ExtensionSettings, Validate};
use js_sys::{Object, Promise, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// `chrome.storage.sync` key of the options.
pub const SETTINGS_KEY: &str = "settings";
/// `chrome.storage.session` key of the session (tokens).
const SESSION_KEY: &str = "session";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "identity"], js_name = launchWebAuthFlow)]
    fn launch_web_auth_flow(details: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "identity"], js_name = getRedirectURL)]
    fn get_redirect_url() -> Result<String, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = get)]
    fn session_get(key: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = set)]
    fn session_set(items: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = remove)]
    fn session_remove(key: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "sync"], js_name = get)]
    fn sync_get(key: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "sync"], js_name = set)]
    fn sync_set(items: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buffer: &mut [u8]);
}

/// The tokens of one cloud and app registration. Never leaves the background.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    cloud: Cloud,
    client_id: String,
    tokens: TokenSet,
    admin_consent_url: Option<String>,
}

/// The Graph permissions asked for: the base ones, licences (the preflight reads them) and the
/// basic user list (choosing break-glass accounts in the options).
pub fn wanted_scopes(endpoints: &GraphEndpoints) -> Vec<String> {
    let mut scopes = scopes_for(endpoints, &[Feature::LicenceCheck]);
    scopes.push(format!("https://{}/User.ReadBasic.All", endpoints.graph_host));
    scopes
}

/// This extension's redirect URI, `https://<extension id>.chromiumapp.org/`.
pub fn redirect_uri() -> String {
    get_redirect_url().unwrap_or_default()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    get_random_values(&mut bytes);
    bytes
}

/// A random u64 (jitter seeds).
pub fn random_seed() -> u64 {
    u64::from_le_bytes(random_bytes::<8>())
}

async fn storage_read(promise: Result<Promise, JsValue>, key: &str) -> Result<JsValue, JsValue> {
    let items = JsFuture::from(promise?).await?;
    Reflect::get(&items, &JsValue::from_str(key))
}

/// The options; defaults when none were saved or they no longer validate.
pub async fn load_settings() -> ExtensionSettings {
    let Ok(value) = storage_read(sync_get(&JsValue::from_str(SETTINGS_KEY)), SETTINGS_KEY).await else {
        return ExtensionSettings::default();
    };
    if value.is_undefined() {
        return ExtensionSettings::default();
    }
    super::chrome::from_js::<ExtensionSettings>(value)
        .ok()
        .filter(|s| s.validate().is_ok())
        .unwrap_or_default()
}

/// Saves the options after validating them.
pub async fn save_settings(settings: &ExtensionSettings) -> Result<(), String> {
    settings.validate().map_err(|e| e.to_string())?;
    let items = Object::new();
    let value = super::chrome::to_js(settings).map_err(|e| graph_fetch::describe(&e))?;
    Reflect::set(&items, &JsValue::from_str(SETTINGS_KEY), &value).map_err(|e| graph_fetch::describe(&e))?;
    let promise = sync_set(&items).map_err(|e| graph_fetch::describe(&e))?;
    JsFuture::from(promise).await.map(|_| ()).map_err(|e| graph_fetch::describe(&e))
}

async fn load_session(cloud: Cloud, client_id: &str) -> Option<Session> {
    let value = storage_read(session_get(&JsValue::from_str(SESSION_KEY)), SESSION_KEY).await.ok()?;
    let session: Session = super::chrome::from_js(value).ok()?;
    (session.cloud == cloud && session.client_id == client_id).then_some(session)
}

async fn save_session(session: &Session) -> Result<(), SignInError> {
    let failed = |e: JsValue| SignInError::Other { error: "storage".into(), description: graph_fetch::describe(&e) };
    let items = Object::new();
    let value = super::chrome::to_js(session).map_err(failed)?;
    Reflect::set(&items, &JsValue::from_str(SESSION_KEY), &value).map_err(failed)?;
    JsFuture::from(session_set(&items).map_err(failed)?).await.map_err(failed)?;
    Ok(())
}

/// Forgets every token.
pub async fn sign_out() -> Result<(), JsValue> {
    JsFuture::from(session_remove(&JsValue::from_str(SESSION_KEY))?).await.map(|_| ())
}

/// What the panel asked for.
pub struct SignInAsk {
    pub cloud: Cloud,
    pub interactive: bool,
    pub renew: bool,
    pub tenant: Option<String>,
    pub login_hint: Option<String>,
}

/// Gets a usable token, as far as `ask` allows, and says what the panel may know about it.
pub async fn sign_in(ask: SignInAsk) -> BackgroundReply {
    let settings = load_settings().await;
    if settings.client_id.is_empty() {
        return BackgroundReply::NotConfigured { redirect_uri: redirect_uri() };
    }
    let wanted = wanted_scopes(&GraphEndpoints::for_cloud(ask.cloud));
    match session_for(&settings, &ask, &wanted).await {
        Ok(Some(session)) => signed_in(&session),
        Ok(None) => BackgroundReply::InteractionNeeded,
        Err(error) => BackgroundReply::SignInFailed { error },
    }
}

fn signed_in(session: &Session) -> BackgroundReply {
    BackgroundReply::SignedIn {
        account: session.tokens.account.clone(),
        granted_scopes: session.tokens.scopes.clone(),
        admin_consent_url: session.admin_consent_url.clone(),
    }
}

/// The session to use: `Ok(None)` when only the sign-in window can help and `ask` is not interactive.
async fn session_for(
    settings: &ExtensionSettings,
    ask: &SignInAsk,
    wanted: &[String],
) -> Result<Option<Session>, SignInError> {
    let endpoints = GraphEndpoints::for_cloud(ask.cloud);
    let mut stored = load_session(ask.cloud, &settings.client_id).await;
    if ask.renew {
        if let Some(session) = stored.as_mut() {
            session.tokens.expires_at_ms = 0;
        }
    }
    let plan = plan_sign_in(stored.as_ref().map(|s| &s.tokens), now_ms(), wanted);
    let (tenant, hint) = match plan {
        SignInPlan::UseAccessToken => return Ok(stored),
        SignInPlan::Refresh { tenant } => match stored.as_ref() {
            Some(session) => match refresh(&endpoints, settings, &tenant, session, wanted).await {
                Ok(session) => return Ok(Some(session)),
                Err(_) => (Some(tenant), session.tokens.account.as_ref().and_then(|a| a.username.clone())),
            },
            None => (Some(tenant), None),
        },
        SignInPlan::SilentAuthorize { tenant, login_hint } => (Some(tenant), Some(login_hint)),
        SignInPlan::Interactive { tenant, login_hint } => {
            (tenant.or_else(|| ask.tenant.clone()), login_hint.or_else(|| ask.login_hint.clone()))
        }
    };
    let tenant = tenant.unwrap_or_else(|| "organizations".to_owned());
    if hint.is_some() {
        match authorize(&endpoints, settings, &tenant, hint.clone(), Some(Prompt::None), false, wanted).await {
            Ok(session) => return Ok(Some(session)),
            // Anything but "needs the window" is worth telling; the window may still fix it.
            Err(error) if !ask.interactive => {
                return match error {
                    SignInError::InteractionRequired | SignInError::Cancelled => Ok(None),
                    other => Err(other),
                }
            }
            Err(_) => {}
        }
    }
    if !ask.interactive {
        return Ok(None);
    }
    authorize(&endpoints, settings, &tenant, hint, None, true, wanted).await.map(Some)
}

async fn refresh(
    endpoints: &GraphEndpoints,
    settings: &ExtensionSettings,
    tenant: &str,
    session: &Session,
    wanted: &[String],
) -> Result<Session, SignInError> {
    let refresh_token = session.tokens.refresh_token.as_deref().unwrap_or_default();
    let request = refresh_request(endpoints, tenant, &settings.client_id, refresh_token, wanted);
    let context = SignInContext {
        redirect_uri: redirect_uri(),
        admin_consent_url: session.admin_consent_url.clone().unwrap_or_default(),
    };
    let tokens = redeem(&request, &context, session.tokens.account.clone()).await?;
    let session = Session { tokens, ..session.clone() };
    save_session(&session).await?;
    Ok(session)
}

async fn redeem(request: &HttpRequest, context: &SignInContext, previous: Option<crate::graph::auth::Account>) -> Result<TokenSet, SignInError> {
    let outcome: Outcome = graph_fetch::perform(request).await;
    let response = outcome.map_err(|failure| SignInError::Other {
        error: "network".into(),
        description: format!("the sign-in service could not be reached ({failure:?})"),
    })?;
    TokenSet::from_token_response(response.status, &response.body, now_ms(), context, previous)
}

#[allow(clippy::too_many_arguments)]
async fn authorize(
    endpoints: &GraphEndpoints,
    settings: &ExtensionSettings,
    tenant: &str,
    login_hint: Option<String>,
    prompt: Option<Prompt>,
    interactive: bool,
    wanted: &[String],
) -> Result<Session, SignInError> {
    let request = SignInRequest {
        endpoints: endpoints.clone(),
        tenant: tenant.to_owned(),
        client_id: settings.client_id.clone(),
        redirect_uri: redirect_uri(),
        scopes: wanted.to_vec(),
        state: base64url_encode(&random_bytes::<16>()),
        pkce: Pkce::from_random(&random_bytes::<32>()),
        login_hint,
        prompt,
    };
    let details = Object::new();
    let fail = |e: JsValue| SignInError::from_flow_failure(&graph_fetch::describe(&e));
    Reflect::set(&details, &"url".into(), &JsValue::from_str(&request.authorize_url())).map_err(fail)?;
    Reflect::set(&details, &"interactive".into(), &JsValue::from_bool(interactive)).map_err(fail)?;
    let promise = launch_web_auth_flow(&details).map_err(fail)?;
    let redirected = JsFuture::from(promise).await.map_err(fail)?.as_string().unwrap_or_default();
    let code = request.parse_redirect(&redirected)?;
    let context = SignInContext::from(&request);
    let tokens = redeem(&request.token_request(&code), &context, None).await?;
    let consent_tenant = tokens.account.as_ref().and_then(|a| a.tenant_id.clone()).unwrap_or_else(|| tenant.to_owned());
    let session = Session {
        cloud: endpoints.cloud,
        client_id: settings.client_id.clone(),
        admin_consent_url: Some(admin_consent_url(endpoints, &consent_tenant, &settings.client_id, &request.redirect_uri, wanted)),
        tokens,
    };
    save_session(&session).await?;
    Ok(session)
}

/// The stored access token for a Graph call, refreshed when close to expiry; `None` when the
/// panel must sign in (silently or with the window) first.
pub async fn access_token(cloud: Cloud) -> Option<String> {
    let settings = load_settings().await;
    if settings.client_id.is_empty() {
        return None;
    }
    let ask = SignInAsk { cloud, interactive: false, renew: false, tenant: None, login_hint: None };
    let endpoints = GraphEndpoints::for_cloud(cloud);
    let stored = load_session(cloud, &settings.client_id).await?;
    let wanted = wanted_scopes(&endpoints);
    match plan_sign_in(Some(&stored.tokens), now_ms(), &wanted) {
        SignInPlan::UseAccessToken => Some(stored.tokens.access_token),
        SignInPlan::Refresh { .. } => {
            session_for(&settings, &ask, &wanted).await.ok().flatten().map(|s| s.tokens.access_token)
        }
        _ => None,
    }
}

/// A token that may read the sign-in logs (`AuditLog.Read.All`, asked for only now: incremental
/// consent), for the explainer's admin lookup. `Ok(None)` when the extension holds no sign-in for
/// `cloud` (nothing is attempted then). Otherwise the stored token, a refresh or a silent sign-in
/// first; the sign-in window opens only because the admin pressed the lookup button.
pub async fn sign_in_logs_token(cloud: Cloud) -> Result<Option<String>, SignInError> {
    let settings = load_settings().await;
    if settings.client_id.is_empty() || load_session(cloud, &settings.client_id).await.is_none() {
        return Ok(None);
    }
    let endpoints = GraphEndpoints::for_cloud(cloud);
    let mut wanted = wanted_scopes(&endpoints);
    for scope in scopes_for(&endpoints, &[Feature::SignInLogs]) {
        if !wanted.contains(&scope) {
            wanted.push(scope);
        }
    }
    let ask = SignInAsk { cloud, interactive: true, renew: false, tenant: None, login_hint: None };
    match session_for(&settings, &ask, &wanted).await? {
        Some(session) => Ok(Some(session.tokens.access_token)),
        None => Err(SignInError::InteractionRequired),
    }
}
