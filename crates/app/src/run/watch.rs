//! Reload on change: a fingerprint of the configuration file and the rule
//! folders, compared every [`WATCH_INTERVAL`] by `leakguard run`.
//!
//! Polling a hash of the contents needs no platform notification API and no
//! extra crate, sees edits that keep the modification time (a copy with
//! `cp -p`, a clock set back), and costs a few file reads a second: rule
//! folders hold kilobytes.

use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the files are looked at.
pub(super) const WATCH_INTERVAL: Duration = Duration::from_secs(1);

/// Files in one folder tree that are hashed, at most (a rule folder pointed
/// at `/` by mistake must not make every second expensive).
const MAX_FILES: usize = 10_000;

/// A hash of the configuration file's bytes and of every file under the
/// rule folders (names and bytes, in sorted order). A file that cannot be
/// read hashes as missing, so that its return is a change too.
pub(super) fn fingerprint(config_path: Option<&Path>, rule_dirs: &[PathBuf]) -> u64 {
    let mut hasher = DefaultHasher::new();
    if let Some(path) = config_path {
        std::fs::read(path).ok().hash(&mut hasher);
    }
    for dir in rule_dirs {
        dir.hash(&mut hasher);
        let mut n_files = 0;
        hash_tree(dir, &mut hasher, &mut n_files);
    }
    hasher.finish()
}

fn hash_tree(dir: &Path, hasher: &mut DefaultHasher, n_files: &mut usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        "unreadable folder".hash(hasher);
        return;
    };
    let mut paths: Vec<PathBuf> =
        entries.filter_map(|entry| entry.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if *n_files >= MAX_FILES {
            return;
        }
        *n_files += 1;
        path.hash(hasher);
        if path.is_dir() {
            hash_tree(&path, hasher, n_files);
        } else {
            std::fs::read(&path).ok().hash(hasher);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_changes_with_the_config_or_any_rule_file_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("leakguard.toml");
        let rules = dir.path().join("rules");
        std::fs::create_dir_all(rules.join("shop")).unwrap();
        std::fs::write(&config, "[logs]\n").unwrap();
        std::fs::write(rules.join("shop/a.yaml"), "id: a\n").unwrap();
        let dirs = [rules.clone()];
        let first = fingerprint(Some(&config), &dirs);
        assert_eq!(first, fingerprint(Some(&config), &dirs), "nothing changed");

        // Same size, same second: only the bytes differ.
        std::fs::write(rules.join("shop/a.yaml"), "id: b\n").unwrap();
        let edited = fingerprint(Some(&config), &dirs);
        assert_ne!(first, edited);
        std::fs::write(rules.join("shop/c.yaml"), "").unwrap();
        let added = fingerprint(Some(&config), &dirs);
        assert_ne!(edited, added);
        std::fs::write(&config, "[logs]\nformat = \"combined\"\n").unwrap();
        let configured = fingerprint(Some(&config), &dirs);
        assert_ne!(added, configured);
        std::fs::remove_file(&config).unwrap();
        assert_ne!(configured, fingerprint(Some(&config), &dirs), "a removed config is a change");
    }
}
