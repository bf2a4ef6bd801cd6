//! Performs one [`HttpRequest`] with the global `fetch`, in the service worker or a page, and
//! waits as told. Bound to globals (not `window`) so the same code runs in both.

use crate::graph::{HttpRequest, HttpResponse, Outcome, TransportFailure};
use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// A request that has not answered after this long counts as lost ([`TransportFailure::Timeout`]).
pub const REQUEST_TIMEOUT_MS: u32 = 60_000;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = AbortSignal, js_name = timeout)]
    fn abort_after(ms: u32) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: f64) -> JsValue;
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Performs `request` as described (the caller has added any token) and reads the whole answer.
pub async fn perform(request: &HttpRequest) -> Outcome {
    let init = Object::new();
    let headers = Object::new();
    let failure = |e: JsValue| TransportFailure::Network { message: describe(&e) };
    for (name, value) in &request.headers {
        Reflect::set(&headers, &JsValue::from_str(name), &JsValue::from_str(value)).map_err(failure)?;
    }
    Reflect::set(&init, &"method".into(), &request.method.as_str().into()).map_err(failure)?;
    Reflect::set(&init, &"headers".into(), &headers).map_err(failure)?;
    // Tokens and answers are never cached, and no cookies of the Microsoft hosts travel along.
    Reflect::set(&init, &"cache".into(), &"no-store".into()).map_err(failure)?;
    Reflect::set(&init, &"credentials".into(), &"omit".into()).map_err(failure)?;
    Reflect::set(&init, &"redirect".into(), &"error".into()).map_err(failure)?;
    if let Some(body) = &request.body {
        Reflect::set(&init, &"body".into(), &JsValue::from_str(body)).map_err(failure)?;
    }
    if let Ok(signal) = abort_after(REQUEST_TIMEOUT_MS) {
        Reflect::set(&init, &"signal".into(), &signal).map_err(failure)?;
    }
    let response = match global_fetch(&request.url, &init) {
        Ok(promise) => JsFuture::from(promise).await,
        Err(e) => Err(e),
    }
    .map_err(|e| classify(&e))?;
    let status = get(&response, "status").as_f64().unwrap_or(0.0) as u16;
    let mut answer = HttpResponse::new(status, String::new());
    if let Ok(Some(entries)) = js_sys::try_iter(&get(&response, "headers")) {
        for entry in entries.flatten() {
            let pair = Array::from(&entry);
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                answer.headers.push((name, value));
            }
        }
    }
    let text = Reflect::get(&response, &"text".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
        .and_then(|f| f.call0(&response))
        .and_then(|p| p.dyn_into::<Promise>())
        .map_err(failure)?;
    // A body cut off mid-way rejects here: the answer is lost, not garbled.
    answer.body = JsFuture::from(text).await.map_err(|e| classify(&e))?.as_string().unwrap_or_default();
    Ok(answer)
}

fn classify(error: &JsValue) -> TransportFailure {
    if get(error, "name").as_string().as_deref() == Some("TimeoutError") {
        TransportFailure::Timeout
    } else {
        TransportFailure::Network { message: describe(error) }
    }
}

/// The message of a JS error, or its string form.
pub fn describe(error: &JsValue) -> String {
    get(error, "message").as_string().or_else(|| error.as_string()).unwrap_or_else(|| format!("{error:?}"))
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u64) {
    let promise = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms as f64);
    });
    let _ = JsFuture::from(promise).await;
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
