//! The public captures of the sign-in block page (`block-page-texts.json`), read at test time
//! from `../shared/corpora`; shared by the recogniser's and the preview's tests.

use serde_json::Value;

pub const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpora/block-page-texts.json"
);

pub fn corpus() -> Value {
    let text = std::fs::read_to_string(CORPUS).unwrap_or_else(|e| {
        panic!("block-page corpus missing at {CORPUS} ({e}): these tests need ../shared/corpora beside the repository")
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{CORPUS} is not valid JSON: {e}"))
}

pub fn capture(id: &str) -> Value {
    corpus()["captures"]
        .as_array()
        .expect("captures array")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("capture {id} missing from {CORPUS}"))
        .clone()
}
