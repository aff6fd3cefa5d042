//! The breached-password corpora behind the range API, the login check and
//! `leakguard password check`.

use std::path::Path;

use pwned::{Corpus, HashKind, Prefix};

/// The SHA-1 corpus and, optionally, the NTLM one.
#[derive(Debug)]
pub struct Passwords {
    sha1: Corpus,
    ntlm: Option<Corpus>,
}

/// Why a range could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum RangeError {
    /// `mode=ntlm` without an NTLM corpus (a user error).
    #[error("no NTLM corpus is configured here; ask without mode=ntlm, or set [pwned] ntlm_corpus")]
    NoNtlm,
    /// A prefix that is not 5 hex digits, or a bad mode (a user error).
    #[error(transparent)]
    Invalid(pwned::Error),
    /// The corpus could not be read (internal).
    #[error(transparent)]
    Corpus(pwned::Error),
}

impl Passwords {
    /// Opens the corpora: a folder of prefix files or a packed file each.
    pub fn open(sha1: &Path, ntlm: Option<&Path>) -> pwned::Result<Passwords> {
        Ok(Passwords {
            sha1: Corpus::open(sha1, HashKind::Sha1)?,
            ntlm: ntlm.map(|path| Corpus::open(path, HashKind::Ntlm)).transpose()?,
        })
    }

    /// The SHA-1 corpus.
    pub fn sha1(&self) -> &Corpus {
        &self.sha1
    }

    /// The NTLM corpus, if any.
    pub fn ntlm(&self) -> Option<&Corpus> {
        self.ntlm.as_ref()
    }

    /// The range API's answer for a prefix: `SUFFIX:COUNT` lines, CRLF,
    /// padded with fake count-0 lines when `padded`.
    pub fn range(&self, prefix: &str, kind: HashKind, padded: bool) -> Result<Vec<u8>, RangeError> {
        let prefix: Prefix = prefix.parse().map_err(RangeError::Invalid)?;
        let corpus = match kind {
            HashKind::Sha1 => &self.sha1,
            HashKind::Ntlm => self.ntlm.as_ref().ok_or(RangeError::NoNtlm)?,
        };
        let bucket = corpus.bucket(prefix).map_err(RangeError::Corpus)?;
        Ok(if padded {
            pwned::render_range(&bucket, Some(&mut rand::thread_rng()))
        } else {
            pwned::render_range::<rand::rngs::ThreadRng>(&bucket, None)
        })
    }

    /// How many times the corpus saw a password's SHA-1 (0: never).
    pub fn count_sha1(&self, hash: &[u8; 20]) -> pwned::Result<u32> {
        self.sha1.count(hash)
    }
}
