//! Reading input files with a size cap.
//!
//! Results files, CSV curves and other tools' exports come from anywhere; reading one must not be
//! able to exhaust memory (`measure fit /dev/zero`). Every input is read through [`read_text`],
//! which stops one byte past the limit and refuses the file with its name and the flag that raises
//! the limit. The default, [`InputLimit::DEFAULT`], is far above any real results file (a sweep of
//! 10^6 rounds at 16 thread counts is about 150 MiB).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The most bytes one input file may have (`--max-input`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimit(pub u64);

impl InputLimit {
    /// 256 MiB.
    pub const DEFAULT: InputLimit = InputLimit(256 << 20);

    /// Parses a size: bytes, or a number with `K`, `M`, `G` (powers of 1024; `KiB`, `MiB`, `GiB`
    /// and a trailing `B` are accepted too), e.g. `512MiB`, `1G`.
    pub fn parse(text: &str) -> Result<InputLimit> {
        let bad =
            || Error::usage("--max-input", text, "is not a size (bytes, or a number with K, M or G such as 512MiB)");
        let t = text.trim();
        let t = t.strip_suffix(['B', 'b']).unwrap_or(t);
        let t = t.strip_suffix(['i', 'I']).unwrap_or(t);
        let (number, shift) = match t.char_indices().last() {
            Some((i, 'k' | 'K')) => (&t[..i], 10),
            Some((i, 'm' | 'M')) => (&t[..i], 20),
            Some((i, 'g' | 'G')) => (&t[..i], 30),
            _ => (t, 0),
        };
        let n: u64 = number.trim().parse().map_err(|_| bad())?;
        let bytes = n.checked_mul(1 << shift).filter(|b| *b > 0).ok_or_else(bad)?;
        Ok(InputLimit(bytes))
    }
}

impl Default for InputLimit {
    fn default() -> Self {
        InputLimit::DEFAULT
    }
}

impl std::fmt::Display for InputLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_multiple_of(1 << 20) { write!(f, "{} MiB", self.0 >> 20) } else { write!(f, "{} bytes", self.0) }
    }
}

/// Reads `path` as UTF-8 text of at most `limit` bytes.
pub fn read_text(path: &Path, limit: InputLimit) -> Result<String> {
    let file = File::open(path).map_err(|e| Error::io(path, "cannot read", e))?;
    let mut bytes = Vec::new();
    file.take(limit.0.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| Error::io(path, "cannot read", e))?;
    if bytes.len() as u64 > limit.0 {
        return Err(Error::Data {
            path: path.to_owned(),
            message: format!("is larger than {limit}, the limit for an input file; --max-input raises it"),
        });
    }
    String::from_utf8(bytes)
        .map_err(|e| Error::Data { path: path.to_owned(), message: format!("not UTF-8 text ({e})") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_endless_inputs_stop_at_the_limit() {
        assert_eq!(InputLimit::parse("512MiB").unwrap(), InputLimit(512 << 20));
        assert_eq!(InputLimit::parse("1G").unwrap(), InputLimit(1 << 30));
        assert_eq!(InputLimit::parse("2048").unwrap(), InputLimit(2048));
        for bad in ["", "0", "-1", "lots", "99999999999999999999G"] {
            assert!(InputLimit::parse(bad).unwrap_err().to_string().starts_with("--max-input"), "{bad}");
        }
        let err = read_text(Path::new("/dev/zero"), InputLimit(4096)).unwrap_err();
        assert_eq!(err.exit_code(), 65);
        assert!(
            err.to_string().contains("/dev/zero: is larger than 4096 bytes") && err.to_string().contains("--max-input")
        );
    }
}
