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
    /// The last successful import. A failed one leaves it in place, so nothing is lost.
    pub loaded: Option<Loaded>,
    /// Why files of the last import could not be read or imported (the
    /// [`crate::engine::import::ImportError`] text, with line and column or JSON path), one per file.
    pub errors: Vec<String>,
}

/// A successful import.
pub struct Loaded {
    /// "name.json", or "3 files" when several were imported together.
    pub source: String,
    pub snapshot: TenantSnapshot,
    pub coverage: CoverageReport,
    pub warnings: Vec<String>,
    pub templates: usize,
}

/// One file brought in: its name and its bytes, or why the browser could not read it.
pub type Brought = (String, Result<Vec<u8>, String>);

impl OwnTenant {
    /// Imports files together (an export is often one file per policy plus one for the named
    /// locations); pasted text counts as a file named "the pasted text". Files that fail are
    /// listed; the others still count.
    pub fn import_files(&mut self, files: Vec<Brought>) {
        let mut combined: Option<Import> = None;
        let mut imported = Vec::new();
        self.errors.clear();
        for (name, bytes) in files {
            match bytes.and_then(|b| import_tenant(&b).map_err(|e| e.to_string())) {
                Ok(import) => {
                    imported.push(name);
                    match &mut combined {
                        Some(all) => all.merge(import),
                        None => combined = Some(import),
                    }
                }
                Err(e) => self.errors.push(format!("Could not import {name}: {e}")),
            }
        }
        let Some(import) = combined else { return };
        let warnings = import.warnings.iter().map(ToString::to_string).collect();
        let templates = import.templates.len();
        let snapshot = import.into_snapshot();
        self.loaded = Some(Loaded {
            source: match imported.as_slice() {
                [one] => one.clone(),
                many => format!("{} files", many.len()),
            },
            coverage: assess(&snapshot),
            snapshot,
            warnings,
            templates,
        });
    }
}

/// A file being read: its name and the pending `Blob.arrayBuffer()`.
pub type Reading = (String, JsFuture);

/// The files of a drop, being read.
pub fn read_dropped_files(event: &Event) -> Vec<Reading> {
    Reflect::get(event, &JsValue::from_str("dataTransfer"))
        .and_then(|transfer| Reflect::get(&transfer, &JsValue::from_str("files")))
        .map(|files| read_all(&files))
        .unwrap_or_default()
}

/// The files chosen in a file input, being read.
pub fn read_picked_files(input: &HtmlInputElement) -> Vec<Reading> {
    Reflect::get(input, &JsValue::from_str("files"))
        .map(|files| read_all(&files))
        .unwrap_or_default()
}

fn read_all(files: &JsValue) -> Vec<Reading> {
    let count = Reflect::get(files, &JsValue::from_str("length"))
        .ok()
        .and_then(|n| n.as_f64())
        .unwrap_or(0.0) as u32;
    (0..count)
        .filter_map(|i| Reflect::get(files, &JsValue::from_f64(f64::from(i))).ok())
        .filter(JsValue::is_object)
        .map(read_file)
        .collect()
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

/// Waits for every file's bytes.
pub async fn bytes_of(readings: Vec<Reading>) -> Vec<Brought> {
    let mut brought = Vec::with_capacity(readings.len());
    for (name, read) in readings {
        let bytes = read
            .await
            .map(|buffer| Uint8Array::new(&buffer).to_vec())
            .map_err(|e| {
                format!(
                    "the browser could not read it ({})",
                    e.as_string()
                        .unwrap_or_else(|| "no reason given".to_string())
                )
            });
        brought.push((name, bytes));
    }
    brought
}
