//! "Your own tenant, offline": the trainer pastes or drops an export (any shape
//! [`import_tenant`] reads) and the demo shows the coverage verdict, the personas' what-if and a
//! plan for it. Files are read in the page as bytes; nothing is sent anywhere.

use crate::engine::coverage::{assess, CoverageReport};
use crate::engine::import::{import_tenant, Import};
use crate::engine::model::TenantSnapshot;
use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Event, HtmlInputElement};

/// What the trainer brought, and what came of it.
#[derive(Default)]
pub struct OwnTenant {
    /// The text area's content (kept across redraws).
    pub text: String,
    /// The last import: the file's name and its result. A failed import leaves the previous
    /// successful one in place, so nothing is lost.
    pub loaded: Option<Loaded>,
    /// Why the last file could not be imported (the [`crate::engine::import::ImportError`] text).
    pub error: Option<String>,
}

/// A successful import.
pub struct Loaded {
    pub source: String,
    pub snapshot: TenantSnapshot,
    pub coverage: CoverageReport,
    pub warnings: Vec<String>,
    pub templates: usize,
}

impl OwnTenant {
    /// Imports one file's bytes (pasted text counts as a file named "the pasted text").
    pub fn import_bytes(&mut self, source: &str, bytes: &[u8]) {
        match import_tenant(bytes) {
            Ok(import) => {
                let Import {
                    warnings,
                    templates,
                    ..
                } = &import;
                let warnings = warnings.iter().map(ToString::to_string).collect();
                let templates = templates.len();
                let snapshot = import.into_snapshot();
                let coverage = assess(&snapshot);
                self.loaded = Some(Loaded {
                    source: source.to_string(),
                    snapshot,
                    coverage,
                    warnings,
                    templates,
                });
                self.error = None;
            }
            Err(e) => self.error = Some(format!("Could not import {source}: {e}")),
        }
    }

    /// The browser could not read the file at all.
    pub fn failed_to_read(&mut self, message: String) {
        self.error = Some(message);
    }
}

/// A file being read: its name and the pending `Blob.arrayBuffer()`.
pub type Reading = (String, JsFuture);

/// The first file of a drop, being read.
pub fn read_dropped_file(event: &Event) -> Option<Reading> {
    let transfer = Reflect::get(event, &JsValue::from_str("dataTransfer")).ok()?;
    let files = Reflect::get(&transfer, &JsValue::from_str("files")).ok()?;
    first_file(&files).map(read_file)
}

/// The file chosen in a file input, being read.
pub fn read_picked_file(input: &HtmlInputElement) -> Option<Reading> {
    let files = Reflect::get(input, &JsValue::from_str("files")).ok()?;
    first_file(&files).map(read_file)
}

fn first_file(files: &JsValue) -> Option<JsValue> {
    Reflect::get(files, &JsValue::from_f64(0.0))
        .ok()
        .filter(|f| f.is_object())
}

fn read_file(file: JsValue) -> Reading {
    let name = Reflect::get(&file, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string());
    let promise = Reflect::get(&file, &JsValue::from_str("arrayBuffer"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call0(&file).ok())
        .and_then(|p| p.dyn_into::<Promise>().ok())
        .unwrap_or_else(|| {
            Promise::reject(&JsValue::from_str("this browser cannot read the file"))
        });
    (
        name.unwrap_or_else(|| "the file".to_string()),
        JsFuture::from(promise),
    )
}

/// The name and bytes of a file being read.
pub async fn bytes_of((name, read): Reading) -> Result<(String, Vec<u8>), String> {
    let buffer = read.await.map_err(|e| {
        format!(
            "Could not read {name}: {}.",
            e.as_string()
                .unwrap_or_else(|| "the browser refused".to_string())
        )
    })?;
    Ok((name, Uint8Array::new(&buffer).to_vec()))
}
