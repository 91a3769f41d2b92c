//! `measure list`: the catalogue as text or JSON.

use amdahl_workloads::{ALL, ParamType};
use serde_json::json;

/// The catalogue as an aligned text listing.
pub fn text() -> String {
    let mut out = String::new();
    for w in ALL {
        out += &format!("{:<11} {:<13} {}\n", w.name(), w.kind().as_str(), w.description());
        for p in w.params() {
            out += &format!("    {:<8} default {:<12} range {:<22} {}\n", p.name, p.default, p.range_text(), p.help);
        }
    }
    out
}

/// The catalogue as a JSON array of `{name, kind, description, params}`.
pub fn json() -> serde_json::Value {
    ALL.iter()
        .map(|w| {
            let params: Vec<_> = w
                .params()
                .iter()
                .map(|p| {
                    json!({
                        "name": p.name,
                        "type": match p.ty { ParamType::Integer => "integer", ParamType::Float => "float" },
                        "default": p.default,
                        "min": p.min,
                        "max": p.max,
                        "help": p.help,
                    })
                })
                .collect();
            json!({"name": w.name(), "kind": w.kind().as_str(), "description": w.description(), "params": params})
        })
        .collect()
}
