//! Standard output: written through anstream (which drops styles the colour choice forbids), a
//! closed pipe ignored, a descriptor closed at start refused.

use std::io::Write;

use crate::error::Error;

/// Whether standard output was closed when the process started (`measure list >&-`). Rust's
/// runtime reopens a closed descriptor 0, 1 or 2 on `/dev/null` before `main`, so every write
/// would succeed unseen; this constructor runs before that and records the truth.
#[cfg(target_os = "linux")]
mod closed_at_start {
    use std::sync::atomic::{AtomicBool, Ordering};

    static CLOSED: AtomicBool = AtomicBool::new(false);

    extern "C" fn record() {
        // SAFETY: F_GETFD only asks whether descriptor 1 is open; it changes nothing.
        let closed = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFD) } == -1;
        CLOSED.store(closed, Ordering::Relaxed);
    }

    #[used]
    #[unsafe(link_section = ".init_array")]
    static RECORD: extern "C" fn() = record;

    /// Whether descriptor 1 was closed at start.
    pub fn closed() -> bool {
        CLOSED.load(Ordering::Relaxed)
    }
}

#[cfg(not(target_os = "linux"))]
mod closed_at_start {
    /// Not known here: std's reopening on `/dev/null` hides it.
    pub fn closed() -> bool {
        false
    }
}

/// Writes `text` (already printable) to standard output and flushes it.
pub(super) fn write(text: &str) -> Result<(), Error> {
    if !text.is_empty() && closed_at_start::closed() {
        return Err(Error::io(
            "<stdout>",
            "cannot write (standard output is closed)",
            std::io::Error::from_raw_os_error(libc::EBADF),
        ));
    }
    let mut stdout = anstream::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`measure list | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("<stdout>", "cannot write", e)),
    }
}
