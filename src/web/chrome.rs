//! The few `chrome.*` extension APIs the shell uses, bound as globals so the same code runs in the
//! panel frame, the popup and the service worker. On the demo page there is no extension:
//! [`extension_id`] is `None` there and nothing else here is called.

use js_sys::{Object, Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = set)]
    fn storage_local_set(items: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = sendMessage)]
    fn runtime_send_message(message: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = getManifest)]
    fn runtime_get_manifest() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = query)]
    fn tabs_query(query: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = sendMessage)]
    fn tabs_send_message(tab_id: f64, message: &JsValue, options: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "action"], js_name = setTitle)]
    fn action_set_title(details: &JsValue) -> Result<Promise, JsValue>;
}

/// Plain JS objects (not `Map`s), as the extension APIs expect. The value crosses as JSON text:
/// serde_json is in the module anyway, and one deserializer per type keeps the wasm small.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::parse(&text)
}

/// Decodes a JS value into a typed message; the error text names what did not fit.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| "expected a JSON value, found something that cannot be written as JSON".to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

fn get_path(path: &[&str]) -> Option<JsValue> {
    let mut value: JsValue = js_sys::global().into();
    for key in path {
        if !value.is_object() {
            return None;
        }
        value = Reflect::get(&value, &JsValue::from_str(key)).ok()?;
    }
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

/// This extension's id, or `None` outside the extension (the demo page).
pub fn extension_id() -> Option<String> {
    get_path(&["chrome", "runtime", "id"]).and_then(|id| id.as_string())
}

/// The version from the manifest the browser loaded.
pub fn manifest_version() -> Option<String> {
    let manifest = runtime_get_manifest().ok()?;
    Reflect::get(&manifest, &JsValue::from_str("version")).ok()?.as_string()
}

/// Stores one boolean in `chrome.storage.local`.
pub async fn set_local_bool(key: &str, value: bool) -> Result<(), JsValue> {
    let items = Object::new();
    Reflect::set(&items, &JsValue::from_str(key), &JsValue::from_bool(value))?;
    JsFuture::from(storage_local_set(&items)?).await?;
    Ok(())
}

/// Sends a message to the background and waits for its reply.
pub async fn send_to_background(message: &JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(runtime_send_message(message)?).await
}

/// Id of the active tab in the window the admin last used: the one whose toolbar opened the popup
/// (ids need no `tabs` permission; addresses would).
pub async fn active_tab_id() -> Result<Option<f64>, JsValue> {
    let query = Object::new();
    Reflect::set(&query, &JsValue::from_str("active"), &JsValue::TRUE)?;
    Reflect::set(&query, &JsValue::from_str("lastFocusedWindow"), &JsValue::TRUE)?;
    let tabs: js_sys::Array = JsFuture::from(tabs_query(&query)?).await?.dyn_into()?;
    Ok(tabs.iter().next().and_then(|tab| Reflect::get(&tab, &JsValue::from_str("id")).ok()?.as_f64()))
}

/// Sends a message to the content script in a tab's top frame and waits for its reply.
pub async fn send_to_tab(tab_id: f64, message: &JsValue) -> Result<JsValue, JsValue> {
    let options = Object::new();
    Reflect::set(&options, &JsValue::from_str("frameId"), &JsValue::from_f64(0.0))?;
    JsFuture::from(tabs_send_message(tab_id, message, &options)?).await
}

/// Sets the toolbar button's tooltip for one tab only.
pub async fn set_action_title(tab_id: i64, title: &str) -> Result<(), JsValue> {
    let details = Object::new();
    Reflect::set(&details, &JsValue::from_str("tabId"), &JsValue::from_f64(tab_id as f64))?;
    Reflect::set(&details, &JsValue::from_str("title"), &JsValue::from_str(title))?;
    JsFuture::from(action_set_title(&details)?).await?;
    Ok(())
}
