//! Nothing here: this crate exists for its bench, `benches/scaling.rs` (see its README).
