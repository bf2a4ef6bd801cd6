//! What-if throughput: evaluates every corpus policy against a set of sign-ins and prints one
//! JSON line, e.g. `{"whatif_native_evals_per_sec": 41000000, ...}`.
//!
//! Run with `cargo run --release --example whatif_bench` from the repository root; the corpora
//! are read from `../shared/corpora`. The synthetic workload (the one the WebAssembly build can
//! time through `BenchWorkload::synthetic`) is measured too, for comparison.

use registration_guard::engine::import::{import_tenant, Import};
use registration_guard::engine::model::{
    ClientAppType, DevicePlatform, GuestOrExternalUserType, RiskLevel,
};
use registration_guard::engine::whatif::{BenchWorkload, SignIn, SignInTarget};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Every corpus folder that holds policies or named locations.
const SETS: &[&str] = &[
    "j0eyv-ConditionalAccessBaseline/policies",
    "j0eyv-ConditionalAccessBaseline/namedLocations",
    "kennethvs-cabaseline202510/policies",
    "cisagov-ScubaGear",
    "jsa2-caOptics/demodata",
    "videor-AutoPilotConditionalAccess/graphapi-json",
    "microsoft-graph-docs",
];

fn import_folder(dir: &Path, into: &mut Import) -> Result<(), String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for path in paths.iter().filter(|p| p.is_file()) {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        // Files that hold no policy (migration tables, examples of other objects) are skipped.
        if let Ok(found) = import_tenant(&bytes) {
            into.merge(found);
        }
    }
    Ok(())
}

fn sign_ins() -> Vec<SignIn> {
    let mut all = Vec::new();
    let targets = [
        SignInTarget::register_security_info(),
        SignInTarget::Application {
            app_id: "00000002-0000-0ff1-ce00-000000000000".into(),
            app_groups: vec!["Office365".into()],
        },
        SignInTarget::application("797f4846-ba00-4fd7-ba43-dac1f8f63013"),
    ];
    let addresses = [
        "198.51.100.7",
        "203.0.113.20",
        "2001:db8::7",
        "40.77.182.32",
    ];
    let countries = ["NL", "US", "BE", "CA"];
    for (n, target) in targets.iter().cycle().take(12).enumerate() {
        let mut s = SignIn::new(
            &format!("{:08x}-0000-4000-8000-000000000001", n),
            target.clone(),
        );
        s.ip_address = Some(addresses[n % 4].to_string());
        s.country = Some(countries[n % 4].to_string());
        s.platform = Some(
            [
                DevicePlatform::Windows,
                DevicePlatform::IOS,
                DevicePlatform::MacOS,
            ][n % 3]
                .clone(),
        );
        s.client_app = if n % 2 == 0 {
            ClientAppType::Browser
        } else {
            ClientAppType::MobileAppsAndDesktopClients
        };
        if n % 4 == 3 {
            s.guest_type = Some(GuestOrExternalUserType::B2bCollaborationGuest);
        }
        if n % 5 == 4 {
            s.role_ids = vec!["62e90394-69f5-4237-9190-012177145e10".into()];
            s.user_risk = Some(RiskLevel::High);
        }
        all.push(s);
    }
    all
}

/// Evaluations per second over about `budget` of wall time, best of three rounds.
fn measure(workload: &BenchWorkload, budget: Duration) -> f64 {
    workload.run(1_000_000); // warm-up
    let mut best = 0f64;
    for _ in 0..3 {
        let start = Instant::now();
        let mut done = 0u64;
        while start.elapsed() < budget / 3 {
            done += workload.run(2_000_000);
        }
        best = best.max(done as f64 / start.elapsed().as_secs_f64());
    }
    best
}

fn main() -> ExitCode {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora"));
    if !root.is_dir() {
        eprintln!(
            "The corpora are missing at {}; the benchmark needs them.",
            root.display()
        );
        return ExitCode::FAILURE;
    }
    let mut import = Import::default();
    for set in SETS {
        if let Err(e) = import_folder(&root.join(set), &mut import) {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    }
    let snapshot = import.into_snapshot();
    let corpus = BenchWorkload::new(&snapshot, &sign_ins());
    let synthetic = BenchWorkload::synthetic();
    let corpus_rate = measure(&corpus, Duration::from_millis(1500));
    let synthetic_rate = measure(&synthetic, Duration::from_millis(1500));
    println!(
        "{{\"whatif_native_evals_per_sec\": {:.0}, \"policies\": {}, \"sign_ins\": {}, \"whatif_native_synthetic_evals_per_sec\": {:.0}}}",
        corpus_rate,
        corpus.policies(),
        corpus.sign_ins(),
        synthetic_rate
    );
    ExitCode::SUCCESS
}
