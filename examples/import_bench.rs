//! Import time for the whole public corpus: every JSON file under `../shared/corpora` (UTF-16
//! exports, PowerShell shapes, Graph wrappers, templates) imported from bytes already in memory,
//! merged into one tenant snapshot, many times over. Prints one JSON line, e.g.
//! `{"corpus_import_ms_median": 9.1, "corpus_import_ms_p95": 9.8, "files": 130, ...}`.
//!
//! Run with `cargo run --release --example import_bench [runs]` from the repository root.

use registration_guard::engine::import::{import_tenant, Import};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const CORPORA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora");
/// Files in the corpus folder that describe it rather than hold tenant data.
const NOT_TENANT_DATA: &[&str] = &["manifest.json", "block-page-texts.json"];

fn json_files(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            json_files(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "json")
            && !NOT_TENANT_DATA.iter().any(|n| path.file_name().is_some_and(|f| f == *n))
        {
            found.push(path);
        }
    }
    Ok(())
}

/// One full import of every file; returns the merged import and how many files were refused.
fn import_all(files: &[Vec<u8>]) -> (Import, usize) {
    let mut all = Import::default();
    let mut refused = 0;
    for bytes in files {
        match import_tenant(bytes) {
            Ok(found) => all.merge(found),
            // Migration tables and examples of other objects hold no policy: still timed.
            Err(_) => refused += 1,
        }
    }
    (all, refused)
}

fn main() -> ExitCode {
    let runs: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 50,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: import_bench [runs]   (runs: a positive whole number)");
            return ExitCode::FAILURE;
        }
    };
    let mut paths = Vec::new();
    if let Err(e) = json_files(Path::new(CORPORA), &mut paths) {
        eprintln!("The shared corpora are missing at {CORPORA} ({e}): the import benchmark reads ../shared/corpora beside the repository.");
        return ExitCode::FAILURE;
    }
    paths.sort();
    let files: Vec<Vec<u8>> = match paths.iter().map(std::fs::read).collect() {
        Ok(files) => files,
        Err(e) => {
            eprintln!("A corpus file could not be read: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bytes: usize = files.iter().map(Vec::len).sum();

    // One untimed pass warms caches and gives the counts.
    let (first, refused) = import_all(&files);
    let snapshot = first.into_snapshot();
    let mut times_ms: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let (import, _) = import_all(&files);
            let snapshot = import.into_snapshot();
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            std::hint::black_box(snapshot);
            elapsed
        })
        .collect();
    times_ms.sort_by(f64::total_cmp);
    let median = if runs % 2 == 1 {
        times_ms[runs / 2]
    } else {
        (times_ms[runs / 2 - 1] + times_ms[runs / 2]) / 2.0
    };
    // Nearest-rank percentile.
    let p95 = times_ms[((runs as f64 * 0.95).ceil() as usize).clamp(1, runs) - 1];
    let round = |ms: f64| (ms * 100.0).round() / 100.0;
    println!(
        "{{\"corpus_import_ms_median\": {}, \"corpus_import_ms_p95\": {}, \"runs\": {runs}, \"files\": {}, \"files_without_tenant_data\": {refused}, \"bytes\": {bytes}, \"policies\": {}, \"named_locations\": {}}}",
        round(median),
        round(p95),
        files.len(),
        snapshot.policies.len(),
        snapshot.named_locations.len(),
    );
    ExitCode::SUCCESS
}
