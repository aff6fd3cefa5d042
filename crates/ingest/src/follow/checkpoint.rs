//! What identifies a followed file and where reading resumes: the
//! serialisable [`Checkpoint`] and [`FollowState`].

use std::io::Read;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How many leading bytes a [`Fingerprint`] covers at most.
pub const FINGERPRINT_BYTES: usize = 1024;

/// A hash of a file's first bytes (up to [`FINGERPRINT_BYTES`], whole lines
/// when fewer), taken on the decompressed content.
///
/// Device and inode numbers are reused once a file is deleted; the
/// fingerprint tells a reused inode from the file a checkpoint was taken
/// on, and finds a rotated file again after it was compressed (a new
/// inode, the same first bytes). Two fingerprints *match* when the longer
/// file's first [`bytes`](Self::bytes) hash to the shorter one's hash: a
/// file that grew keeps matching the fingerprint taken when it was small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// How many leading bytes were hashed (0 for an empty file, which has no
    /// identity and matches nothing).
    pub bytes: u32,
    /// The 64-bit FNV-1a hash of those bytes, as 16 lowercase hex digits (a
    /// string, so that JSON readers with 53-bit numbers keep it intact).
    #[serde(with = "hex_u64")]
    pub fnv1a: u64,
}

impl Fingerprint {
    /// The fingerprint of a file that starts with `prefix`: its first
    /// [`FINGERPRINT_BYTES`], or fewer when it is shorter, cut after its last
    /// newline. A partial first line (`192.168.`) is shared by too many
    /// files to identify one, so a file without a complete line yet has an
    /// empty fingerprint.
    pub fn of_prefix(prefix: &[u8]) -> Fingerprint {
        let prefix = if prefix.len() >= FINGERPRINT_BYTES {
            &prefix[..FINGERPRINT_BYTES]
        } else {
            match memchr::memrchr(b'\n', prefix) {
                Some(idx) => &prefix[..=idx],
                None => &prefix[..0],
            }
        };
        Fingerprint { bytes: prefix.len() as u32, fnv1a: fnv1a(prefix) }
    }

    /// Whether a file that starts with `prefix` is (a later state of) the
    /// file this fingerprint was taken on. Empty fingerprints match nothing.
    pub fn is_prefix_of(&self, prefix: &[u8]) -> bool {
        let len = self.bytes as usize;
        len > 0 && prefix.len() >= len && fnv1a(&prefix[..len]) == self.fnv1a
    }
}

/// A followed file as the follower knows it: device and inode numbers of the
/// file it read, and the fingerprint of its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileId {
    /// The device number (`st_dev`).
    pub device: u64,
    /// The inode number (`st_ino`).
    pub inode: u64,
    /// The first bytes, to detect inode reuse and compressed copies.
    pub fingerprint: Fingerprint,
}

/// Where reading of one followed file resumes: after the last line that
/// was delivered in full.
///
/// Serialised as JSON like this:
///
/// ```json
/// {"source":"/var/log/nginx/access.log*","path":"/var/log/nginx/access.log",
///  "file":{"device":2049,"inode":1311,
///  "fingerprint":{"bytes":1024,"fnv1a":"9f2c4d1e0a7b3c55"}},"offset":18231}
/// ```
///
/// `offset` counts decompressed bytes when the file has been compressed
/// since (it is found again by its fingerprint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The source as the user named it (the path or glob that found the
    /// file); empty in checkpoints written without one.
    #[serde(default)]
    pub source: String,
    /// Where the file was last seen; after a restart the follower looks
    /// there first, then among its rotated siblings (same directory, same
    /// base name).
    pub path: PathBuf,
    /// The file's identity.
    pub file: FileId,
    /// The byte offset just after the last fully delivered line.
    pub offset: u64,
}

/// Everything a follower needs to resume where it stopped: one checkpoint
/// per open file, and the fingerprints of rotated files that are already
/// read to their end (so that they are not read again, and so that a
/// rotated file that appeared while the follower was down is recognised as
/// new).
///
/// Commit it ([`Follower::state`](super::Follower::state)) after the lines
/// delivered before it have been processed; restarting from it then repeats
/// no line and loses none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowState {
    /// The files being read.
    pub checkpoints: Vec<Checkpoint>,
    /// Rotated files already read to their end, or skipped as history.
    pub finished: Vec<Fingerprint>,
}

/// 64-bit FNV-1a: tiny, stable across Rust releases (unlike `DefaultHasher`),
/// and good enough to tell log files apart (this is no defence against an
/// adversary who controls the first bytes of a log).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Reads up to [`FINGERPRINT_BYTES`] from `reader`.
pub(crate) fn read_prefix(reader: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(FINGERPRINT_BYTES);
    reader.take(FINGERPRINT_BYTES as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

mod hex_u64 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(super) fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{value:016x}"))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        let text = String::deserialize(deserializer)?;
        u64::from_str_radix(&text, 16)
            .map_err(|_| D::Error::custom(format!("invalid fingerprint hash \"{text}\"")))
    }
}
