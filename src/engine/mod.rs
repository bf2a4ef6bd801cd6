//! The policy engine: see the submodules.
