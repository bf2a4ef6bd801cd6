//! Timing hook for `npm run bench`: runs the engine's fixed what-if workload in wasm so the
//! benchmark can compare it with the same workload natively (`examples/whatif_bench.rs`).

use crate::engine::whatif::BenchWorkload;
use wasm_bindgen::prelude::*;

/// Runs `evaluations` policy evaluations of the synthetic workload and returns how many ran.
/// The bench also calls it with 0 to subtract the cost of building the workload.
#[wasm_bindgen]
pub fn bench_whatif(evaluations: u32) -> f64 {
    BenchWorkload::synthetic().run(u64::from(evaluations)) as f64
}
