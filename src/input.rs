//! Reading input files with a size cap.
//!
//! Results files, CSV curves and other tools' exports come from anywhere; reading one must not be
//! able to exhaust memory (`measure fit /dev/zero`). Every input is read through [`read_text`],
//! which stops one byte past the limit and refuses the file with its name and the flag that raises
//! the limit. The default, [`InputLimit::DEFAULT`], is far above any real results file (a sweep of
//! 10^6 rounds at 16 thread counts is about 150 MiB).
//!
//! Only regular files are read ([`open_regular`]): a FIFO would block the command forever waiting
//! for a writer, and a device has no end. The file is opened non-blocking (so opening a FIFO
//! returns at once) and refused unless `fstat` says it is a regular file.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::error::{Error, Result};

/// The most bytes one input file may have (`--max-input`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimit(pub u64);

impl InputLimit {
    /// 256 MiB.
    pub const DEFAULT: InputLimit = InputLimit(256 << 20);

    /// Parses a size: bytes, or a number with `K`, `M`, `G` (powers of 1024; `KiB`, `MiB`, `GiB`
    /// and a trailing `B` are accepted too), e.g. `512MiB`, `1G` ([`crate::quantity::parse_bytes`]).
    pub fn parse(text: &str) -> Result<InputLimit> {
        crate::quantity::parse_bytes("--max-input", text).map(InputLimit)
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

/// Opens `path` for reading if it is a regular file, without ever blocking (a FIFO with no
/// writer, a device): `Ok(None)` when it is something else.
pub fn open_regular(path: &Path) -> std::io::Result<Option<File>> {
    let file = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    if !file.metadata()?.is_file() {
        return Ok(None);
    }
    // Regular files never block; reads go on as usual.
    Ok(Some(file))
}

/// Reads `path` as UTF-8 text of at most `limit` bytes; refuses anything but a regular file.
pub fn read_text(path: &Path, limit: InputLimit) -> Result<String> {
    let file = open_regular(path).map_err(|e| Error::io(path, "cannot read", e))?.ok_or_else(|| Error::Data {
        path: path.to_owned(),
        message: "is not a regular file (a FIFO, device, socket or folder); inputs are read only from regular files"
            .to_owned(),
    })?;
    let mut bytes = Vec::new();
    file.take(limit.0.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| Error::io(path, "cannot read", e))?;
    if bytes.len() as u64 > limit.0 {
        return Err(Error::Data {
            path: path.to_owned(),
            message: format!("is larger than {limit}, the limit for an input file; --max-input raises it"),
        });
    }
    String::from_utf8(bytes).map_err(|e| Error::Data { path: path.to_owned(), message: not_utf8(&e) })
}

/// Where text stops being UTF-8, by line and column (a byte offset means little in a text file),
/// and the usual causes: another encoding, or a UTF-16 surrogate written as bytes (WTF-8).
fn not_utf8(e: &std::string::FromUtf8Error) -> String {
    let bytes = e.as_bytes();
    let good = e.utf8_error().valid_up_to();
    let line = bytes[..good].iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = bytes[..good].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&bytes[line_start..good]).chars().count() + 1;
    let surrogate = bytes.get(good) == Some(&0xED) && bytes.get(good + 1).is_some_and(|b| (0xA0..=0xBF).contains(b));
    let why = if surrogate {
        "a UTF-16 surrogate (half of a character pair, alone) written as bytes"
    } else {
        "bytes of another encoding (save the file as UTF-8)"
    };
    format!("not UTF-8 text: line {line}, column {column} (byte {good}) holds {why}")
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
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b' '; 4097]).unwrap();
        let err = read_text(&big, InputLimit(4096)).unwrap_err();
        assert_eq!(err.exit_code(), 65);
        assert!(err.to_string().contains("is larger than 4096 bytes") && err.to_string().contains("--max-input"));
        assert_eq!(read_text(&big, InputLimit(4097)).unwrap().len(), 4097);
    }

    #[test]
    fn text_that_is_not_utf8_is_placed_by_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.csv");
        std::fs::write(&file, b"threads,seconds\n1,2\n2,\xed\xa0\x80\n").unwrap();
        let err = read_text(&file, InputLimit::DEFAULT).unwrap_err();
        assert_eq!(err.exit_code(), 65);
        assert!(err.to_string().contains("line 3, column 3 (byte 22) holds a UTF-16 surrogate"), "{err}");
        std::fs::write(&file, b"threads,s\xe9conds\n").unwrap();
        let err = read_text(&file, InputLimit::DEFAULT).unwrap_err().to_string();
        assert!(err.contains("line 1, column 10 (byte 9) holds bytes of another encoding"), "{err}");
    }

    #[test]
    fn fifos_devices_and_folders_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo on a NUL-terminated path in our temporary folder.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // No writer ever opens the FIFO: a blocking open would hang here.
        for path in [fifo.as_path(), Path::new("/dev/zero"), dir.path()] {
            let err = read_text(path, InputLimit::DEFAULT).unwrap_err();
            assert_eq!(err.exit_code(), 65);
            assert!(err.to_string().contains("is not a regular file"), "{err}");
        }
    }
}
