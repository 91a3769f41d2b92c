//! A command's addresses to functions, after the run: the frames of a command's samples are a
//! file of its mappings and an offset in it (`amdahl_workloads::command_samples`), named from
//! that file's ELF symbol table.
//!
//! # Method
//! The offset is turned into the file's virtual address through the loadable segment holding it
//! (`p_vaddr + offset - p_offset`), and the function is the function symbol whose range (address
//! and size) holds that address, from the static symbol table, else the dynamic one (a stripped
//! library's internal functions are then unknown rather than named for the exported symbol
//! before them), demangled (`rustc-demangle`; a C name is left as it is). No line: a command's
//! debug info is not read, so its functions have no location.
//!
//! The `object` crate (which `backtrace` already builds, so it adds no code to the tree) reads
//! the ELF: the `backtrace` crate names only the addresses of our own process, and a whole
//! DWARF reader (`addr2line`) is more than a function name needs.

use std::collections::HashMap;

use object::{Object, ObjectSegment, ObjectSymbol, SymbolKind};

use super::symbols::Symbol;
use amdahl_workloads::command_samples::{FILE_SHIFT, mapped_file};

/// One mapped file's loadable segments and functions; `None` when it cannot be read as ELF.
struct File {
    /// (file offset, file size, virtual address) of each loadable segment.
    segments: Vec<(u64, u64, u64)>,
    /// (address, size, name), by address.
    functions: Vec<(u64, u64, String)>,
}

impl File {
    fn read(path: &std::ffi::OsStr) -> Option<File> {
        let data = std::fs::read(path).ok()?;
        let elf = object::File::parse(&*data).ok()?;
        let segments = elf
            .segments()
            .filter_map(|s| {
                let (offset, size) = s.file_range();
                (size > 0).then_some((offset, size, s.address()))
            })
            .collect();
        let table = |symbols: object::SymbolIterator<'_, '_>| -> Vec<(u64, u64, String)> {
            symbols
                .filter(|s| s.kind() == SymbolKind::Text && s.is_definition() && s.size() > 0)
                .filter_map(|s| {
                    Some((s.address(), s.size(), format!("{:#}", rustc_demangle::demangle(s.name().ok()?))))
                })
                .collect()
        };
        let mut functions = table(elf.symbols());
        if functions.is_empty() {
            functions = table(elf.dynamic_symbols());
        }
        functions.sort_by_key(|f| f.0);
        Some(File { segments, functions })
    }

    fn function(&self, offset: u64) -> Option<&str> {
        let &(file_offset, _, vaddr) =
            self.segments.iter().find(|&&(o, size, _)| o <= offset && offset < o.saturating_add(size))?;
        let address = vaddr.checked_add(offset - file_offset)?;
        let after = self.functions.partition_point(|f| f.0 <= address);
        let (start, size, name) = &self.functions[after.checked_sub(1)?];
        (address < start.saturating_add(*size)).then_some(name.as_str())
    }
}

/// Names a command's frames, each file read once.
#[derive(Default)]
pub struct CommandSymbols {
    files: HashMap<usize, Option<File>>,
}

impl CommandSymbols {
    /// The function of frame `key` (`file << FILE_SHIFT | offset`), from its file's symbols.
    pub fn resolve(&mut self, key: usize) -> Option<Symbol> {
        let (index, offset) = (key >> FILE_SHIFT, (key & ((1 << FILE_SHIFT) - 1)) as u64);
        let file = self.files.entry(index).or_insert_with(|| mapped_file(index).and_then(|p| File::read(&p)));
        let function = file.as_ref()?.function(offset)?;
        Some(Symbol { function: function.to_owned(), location: None, inlined: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::Tally;
    use amdahl_workloads::command_samples::CommandSampler;
    use amdahl_workloads::{Source, perf_event_allowed};

    /// The work of the command in the test below: about 100 ms of CPU time in this function.
    #[inline(never)]
    fn command_spin_target() -> u64 {
        let start = std::time::Instant::now();
        let mut x = 1u64;
        while start.elapsed() < std::time::Duration::from_millis(100) {
            for _ in 0..10_000 {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
        }
        x
    }

    /// Not a test: the command that the test below runs (this test binary, filtered to it).
    #[test]
    #[ignore = "the command run by a_command_s_samples_are_named_from_its_own_binary"]
    fn spin_as_a_command() {
        std::hint::black_box(command_spin_target());
    }

    #[test]
    fn a_command_s_samples_are_named_from_its_own_binary() {
        if let Err(why) = perf_event_allowed() {
            eprintln!("skipped: perf_event cannot sample here ({why})");
            return;
        }
        let armed = CommandSampler::arm(1_000_000).expect("perf_event allowed, so the events open");
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "attribution::command_symbols::tests::spin_as_a_command",
                "--exact",
                "--ignored",
                "--test-threads=1",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let samples = armed.finish();
        assert_eq!((samples.source, samples.unavailable.as_deref()), (Source::PerfEvent, None));
        // About 100 ms of CPU time in the spin, a sample a millisecond of it (the harness's own
        // start and its threads add a few).
        assert!(samples.taken.len() >= 50, "{} samples", samples.taken.len());
        let mut tally = Tally::default();
        tally.add_samples(&samples, None);
        let mut symbols = CommandSymbols::default();
        let w = tally.attribute(&mut |key| symbols.resolve(key)).unwrap();
        assert_eq!(w.source, Some(Source::PerfEvent), "{w:?}");
        let top = &w.functions[0];
        assert!(top.function.ends_with("::command_spin_target"), "{w:?}");
        assert!(top.self_share >= 0.8, "{w:?}");
        // Walked by the kernel through our frame pointers (the callers, on every sample's stack,
        // are the run's roots, left out of the list).
        assert_eq!(w.frames, crate::attribution::Frames::Walked, "{w:?}");
    }
}
