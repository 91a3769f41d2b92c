//! amdahl
