//! The `[pwned]` section: the breached-password corpora behind
//! `GET /range/{prefix}`, the login check's password test and
//! `leakguard password check`.

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::{ConfigProblem, Unknown, unknown_keys};

/// `[pwned]`: where the pwned-password corpora are.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawPwned {
    /// The SHA-1 corpus: the downloader's folder of prefix files, or a file
    /// packed by `leakguard pwned import`.
    corpus: Option<PathBuf>,
    /// The NTLM corpus (same forms), for `?mode=ntlm`.
    ntlm_corpus: Option<PathBuf>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// The validated `[pwned]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PwnedConfig {
    pub(crate) corpus: Option<PathBuf>,
    pub(crate) ntlm_corpus: Option<PathBuf>,
}

/// Validates `[pwned]`, adding every problem found (files are opened at start, not here).
pub(crate) fn validate(raw: RawPwned, problems: &mut Vec<ConfigProblem>) -> PwnedConfig {
    let is_blank =
        |path: &Option<PathBuf>| path.as_ref().is_some_and(|path| path.as_os_str().is_empty());
    if is_blank(&raw.corpus) {
        problems
            .push(ConfigProblem { key: "pwned.corpus".to_owned(), message: "is empty".to_owned() });
    }
    if is_blank(&raw.ntlm_corpus) {
        problems.push(ConfigProblem {
            key: "pwned.ntlm_corpus".to_owned(),
            message: "is empty".to_owned(),
        });
    }
    if raw.ntlm_corpus.is_some() && raw.corpus.is_none() {
        problems.push(ConfigProblem {
            key: "pwned.ntlm_corpus".to_owned(),
            message: "needs pwned.corpus (the SHA-1 corpus) too".to_owned(),
        });
    }
    unknown_keys("pwned", &raw.unknown, problems);
    PwnedConfig { corpus: raw.corpus, ntlm_corpus: raw.ntlm_corpus }
}

impl PwnedConfig {
    /// Opens the corpora when configured.
    pub(crate) fn open(&self) -> anyhow::Result<Option<std::sync::Arc<service::Passwords>>> {
        use anyhow::Context;
        let Some(corpus) = &self.corpus else { return Ok(None) };
        let passwords = service::Passwords::open(corpus, self.ntlm_corpus.as_deref())
            .context("opening the pwned-password corpus ([pwned] in the configuration)")?;
        Ok(Some(std::sync::Arc::new(passwords)))
    }
}
