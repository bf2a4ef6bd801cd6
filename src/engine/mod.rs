//! The policy engine: tenant model and import, presets, preflight, coverage, what-if, exports.

pub mod cidr;
pub mod coverage;
pub mod export;
pub mod import;
pub mod model;
pub mod preflight;
pub mod presets;
pub mod whatif;
