//! The packed corpus: one file, read with one positioned read per prefix.
//!
//! Layout (integers little-endian):
//!
//! | bytes | content |
//! | --- | --- |
//! | 0..8 | magic `LGPWNED1` |
//! | 8 | hash kind: 1 SHA-1, 2 NTLM |
//! | 9 | record length in bytes (22 for SHA-1, 18 for NTLM) |
//! | 10..16 | zero |
//! | 16..24 | number of records, `u64` |
//! | 24..24 + 8 × (2²⁰ + 1) | the index: for each prefix, the number of the first record under it (`u64`), then the total |
//! | then | the records, sorted by hash: the hash's bytes after the first two, then the count (`u32`) |
//!
//! The index (8 MiB) is read into memory when the file is opened; a
//! prefix's records are one contiguous run, fetched with one `read_at`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::bucket::{Bucket, record_len};
use crate::directory::parse_prefix_file;
use crate::{Error, HashKind, N_PREFIXES, Prefix, Result};

const MAGIC: &[u8; 8] = b"LGPWNED1";
const HEADER_LEN: u64 = 24;
const N_OFFSETS: usize = N_PREFIXES as usize + 1;
const RECORDS_AT: u64 = HEADER_LEN + 8 * N_OFFSETS as u64;

/// An opened packed corpus.
#[derive(Debug)]
pub(crate) struct Packed {
    file: File,
    path: PathBuf,
    kind: HashKind,
    offsets: Vec<u64>,
}

impl Packed {
    pub(crate) fn open(path: &Path, kind: HashKind) -> Result<Packed> {
        let read_error = |source| Error::Read { path: path.to_path_buf(), source };
        let not_packed = |problem: &str| Error::NotPacked {
            path: path.to_path_buf(),
            problem: problem.to_owned(),
        };
        let file = File::open(path).map_err(read_error)?;
        let file_len = file.metadata().map_err(read_error)?.len();
        let mut header = [0u8; HEADER_LEN as usize];
        if file_len < RECORDS_AT {
            return Err(not_packed(
                "too short; give a folder of prefix files or a file written by `leakguard pwned import`",
            ));
        }
        file.read_exact_at(&mut header, 0).map_err(read_error)?;
        if &header[..8] != MAGIC {
            return Err(not_packed(
                "no LGPWNED1 header; give a folder of prefix files or a file written by `leakguard pwned import`",
            ));
        }
        let found = match header[8] {
            1 => HashKind::Sha1,
            2 => HashKind::Ntlm,
            _ => return Err(not_packed("unknown hash kind in the header")),
        };
        if found != kind {
            return Err(Error::WrongKind {
                path: path.to_path_buf(),
                found: found.as_str(),
                wanted: kind.as_str(),
            });
        }
        if usize::from(header[9]) != record_len(kind) {
            return Err(not_packed("the record length does not match the hash kind"));
        }
        let mut n_records = [0u8; 8];
        n_records.copy_from_slice(&header[16..24]);
        let n_records = u64::from_le_bytes(n_records);
        let mut table = vec![0u8; 8 * N_OFFSETS];
        file.read_exact_at(&mut table, HEADER_LEN).map_err(read_error)?;
        let offsets: Vec<u64> = table
            .chunks_exact(8)
            .map(|bytes| {
                u64::from_le_bytes([
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                ])
            })
            .collect();
        let is_monotonic = offsets.first() == Some(&0)
            && offsets.windows(2).all(|pair| pair[0] <= pair[1])
            && offsets.last() == Some(&n_records);
        if !is_monotonic {
            return Err(not_packed("the prefix index is damaged"));
        }
        let expected_len = n_records
            .checked_mul(record_len(kind) as u64)
            .and_then(|len| len.checked_add(RECORDS_AT));
        if expected_len != Some(file_len) {
            return Err(not_packed(
                "the file's length does not match its record count (truncated?)",
            ));
        }
        Ok(Packed { file, path: path.to_path_buf(), kind, offsets })
    }

    pub(crate) fn n_records(&self) -> u64 {
        self.offsets.last().copied().unwrap_or(0)
    }

    pub(crate) fn bucket(&self, prefix: Prefix) -> Result<Bucket> {
        let idx = prefix.value() as usize;
        let (start, end) = (self.offsets[idx], self.offsets[idx + 1]);
        let record_len = record_len(self.kind) as u64;
        let len = usize::try_from((end - start) * record_len).unwrap_or(0);
        let mut records = vec![0u8; len];
        if len > 0 {
            self.file
                .read_exact_at(&mut records, RECORDS_AT + start * record_len)
                .map_err(|source| Error::Read { path: self.path.clone(), source })?;
        }
        Ok(Bucket::from_sorted_records(self.kind, prefix, records))
    }
}

/// What [`pack_directory`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PackReport {
    /// Prefix files read.
    pub n_files: u64,
    /// Hashes written.
    pub n_hashes: u64,
    /// Other files in the folder, left alone.
    pub n_ignored: u64,
}

/// Writes a packed file: the header and a blank index, the records prefix
/// by prefix, then the index and the record count in place.
struct PackWriter {
    writer: BufWriter<File>,
    path: PathBuf,
    offsets: Vec<u64>,
    n_records: u64,
}

impl PackWriter {
    fn create(path: &Path, kind: HashKind) -> Result<PackWriter> {
        let write_error = |source| Error::Write { path: path.to_path_buf(), source };
        let file = File::create(path).map_err(write_error)?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        let mut header = [0u8; HEADER_LEN as usize];
        header[..8].copy_from_slice(MAGIC);
        header[8] = kind.code();
        header[9] = u8::try_from(record_len(kind)).unwrap_or(0);
        writer.write_all(&header).map_err(write_error)?;
        writer.write_all(&vec![0u8; 8 * N_OFFSETS]).map_err(write_error)?;
        Ok(PackWriter {
            writer,
            path: path.to_path_buf(),
            offsets: Vec::with_capacity(N_OFFSETS),
            n_records: 0,
        })
    }

    fn write_error(&self, source: std::io::Error) -> Error {
        Error::Write { path: self.path.clone(), source }
    }

    /// The next prefix's records (prefixes must come in order, each once).
    fn push_bucket(&mut self, bucket: &Bucket) -> Result<()> {
        self.offsets.push(self.n_records);
        for (suffix, count) in bucket.entries() {
            self.writer.write_all(suffix).map_err(|error| self.write_error(error))?;
            self.writer.write_all(&count.to_le_bytes()).map_err(|error| self.write_error(error))?;
        }
        self.n_records += bucket.len() as u64;
        Ok(())
    }

    fn finish(mut self) -> Result<u64> {
        self.offsets.push(self.n_records);
        let file = self.writer.into_inner().map_err(|error| Error::Write {
            path: self.path.clone(),
            source: error.into_error(),
        })?;
        let write_error = |source| Error::Write { path: self.path.clone(), source };
        file.write_all_at(&self.n_records.to_le_bytes(), 16).map_err(write_error)?;
        let table: Vec<u8> = self.offsets.iter().flat_map(|offset| offset.to_le_bytes()).collect();
        file.write_all_at(&table, HEADER_LEN).map_err(write_error)?;
        file.sync_all().map_err(write_error)?;
        Ok(self.n_records)
    }
}

/// The prefix a file name stands for: `ABCDE.txt` or `ABCDE` (either case).
fn prefix_of_name(name: &str) -> Option<Prefix> {
    let stem = name.strip_suffix(".txt").unwrap_or(name);
    stem.parse().ok()
}

/// Packs the downloader's folder of prefix files into one indexed file at
/// `out` (written beside it under a temporary name, then renamed, so a
/// reader never sees half a file). Missing prefix files count as empty.
pub fn pack_directory(dir: &Path, out: &Path, kind: HashKind) -> Result<PackReport> {
    let read_error = |source| Error::Read { path: dir.to_path_buf(), source };
    let mut names: Vec<Option<String>> = vec![None; N_PREFIXES as usize];
    let mut report = PackReport::default();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(prefix) = prefix_of_name(&name) else {
            report.n_ignored += 1;
            continue;
        };
        let slot = &mut names[prefix.value() as usize];
        if let Some(first) = slot.take() {
            return Err(Error::DuplicatePrefix { path: dir.to_path_buf(), first, second: name });
        }
        *slot = Some(name);
    }
    let partial = {
        let mut name = out.file_name().unwrap_or_default().to_os_string();
        name.push(".partial");
        out.with_file_name(name)
    };
    let mut writer = PackWriter::create(&partial, kind)?;
    for (prefix, name) in (0..N_PREFIXES).map(Prefix).zip(&names) {
        let bucket = match name {
            Some(name) => {
                let path = dir.join(name);
                let bytes = std::fs::read(&path)
                    .map_err(|source| Error::Read { path: path.clone(), source })?;
                report.n_files += 1;
                parse_prefix_file(&path, kind, prefix, &bytes)?
            }
            None => Bucket::from_sorted_records(kind, prefix, Vec::new()),
        };
        writer.push_bucket(&bucket)?;
    }
    report.n_hashes = writer.finish()?;
    std::fs::rename(&partial, out)
        .map_err(|source| Error::Write { path: out.to_path_buf(), source })?;
    Ok(report)
}

/// Writes a packed corpus straight from full hashes given per prefix, in
/// prefix order (for benchmarks and tests that need a big corpus without a
/// folder of a million files). Hashes under the wrong prefix are skipped.
pub fn write_packed(
    out: &Path,
    kind: HashKind,
    mut hashes_of: impl FnMut(Prefix) -> Vec<(Vec<u8>, u32)>,
) -> Result<u64> {
    let mut writer = PackWriter::create(out, kind)?;
    for prefix in (0..N_PREFIXES).map(Prefix) {
        let mut entries = hashes_of(prefix);
        entries
            .retain(|(hash, _)| hash.len() == kind.hash_len() && Prefix::of_hash(hash) == prefix);
        entries.sort();
        entries.dedup_by(|left, right| left.0 == right.0);
        let mut records = Vec::with_capacity(entries.len() * record_len(kind));
        for (hash, count) in entries {
            records.extend_from_slice(&hash[2..]);
            records.extend_from_slice(&count.to_le_bytes());
        }
        writer.push_bucket(&Bucket::from_sorted_records(kind, prefix, records))?;
    }
    writer.finish()
}
