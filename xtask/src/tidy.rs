//! Structural checks on the source tree, run by `cargo test` (and `cargo xtask tidy`).
//!
//! They keep the invariants of ARCHITECTURE.md that a machine can check: the
//! crate dependency rules, a `//!` header on every Rust file, no banned module
//! names, no trailing whitespace, and every rule with fixtures of both kinds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The workspace root (the parent of this crate).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Which internal crates each crate may depend on (ARCHITECTURE.md, "Layers").
fn allowed_edges() -> BTreeMap<&'static str, &'static [&'static str]> {
    BTreeMap::from([
        ("model", &[][..]),
        ("parsers", &["model"][..]),
        ("rules", &["model"][..]),
        ("detection", &["model", "rules"][..]),
        ("decisions", &["model"][..]),
        ("incidents", &["model"][..]),
        ("pii", &["model"][..]),
        ("payloads", &["model"][..]),
        ("demo", &["model"][..]),
        ("store", &["model"][..]),
        ("ingest", &["model"][..]),
        ("geoip", &["model"][..]),
        ("pwned", &[][..]),
        ("notify", &["model"][..]),
        ("pii-scan", &["model", "pii"][..]),
        (
            "service",
            &["model", "rules", "decisions", "incidents", "store", "notify", "pii-scan", "pwned"][..],
        ),
        (
            "pipeline",
            &[
                "model",
                "ingest",
                "geoip",
                "parsers",
                "rules",
                "detection",
                "payloads",
                "decisions",
                "service",
            ][..],
        ),
        ("api", &["model", "service"][..]),
        ("dashboard", &["model", "service"][..]),
        ("testkit", &["model", "parsers", "demo"][..]),
    ])
}

const BANNED_MODULES: &[&str] = &["utils", "helpers", "common", "misc", "types", "traits"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Internal dependencies named in a crate's manifest (`name.workspace = true` or a path).
fn internal_dependencies(manifest: &str, crates: &[String]) -> Vec<String> {
    let mut section = String::new();
    let mut found = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line.to_owned();
            continue;
        }
        if section != "[dependencies]" {
            continue;
        }
        let name = line.split(['.', '=', ' ']).next().unwrap_or_default();
        if crates.iter().any(|known| known == name) {
            found.push(name.to_owned());
        }
    }
    found
}

/// Runs every check and returns the problems found.
pub(crate) fn check(root: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let crates_dir = root.join("crates");
    let mut crates: Vec<String> = std::fs::read_dir(&crates_dir)?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("Cargo.toml").exists())
        .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
        .collect();
    crates.sort();
    let edges = allowed_edges();
    for name in &crates {
        let manifest = std::fs::read_to_string(crates_dir.join(name).join("Cargo.toml"))?;
        if !manifest.contains(&format!("name = \"{name}\"")) {
            problems.push(format!("crates/{name}: the package must be named like its folder"));
        }
        if !manifest.contains("[lints]") || !manifest.contains("workspace = true") {
            problems.push(format!("crates/{name}/Cargo.toml: missing `[lints] workspace = true`"));
        }
        if name == "app" {
            continue;
        }
        let Some(allowed) = edges.get(name.as_str()) else {
            problems.push(format!(
                "crates/{name}: not in the layer table; add it to ARCHITECTURE.md and xtask/src/tidy.rs"
            ));
            continue;
        };
        for dependency in internal_dependencies(&manifest, &crates) {
            if !allowed.contains(&dependency.as_str()) {
                problems.push(format!(
                    "crates/{name} depends on {dependency}, which its layer may not use (ARCHITECTURE.md)"
                ));
            }
        }
    }
    let mut files = Vec::new();
    rust_files(&crates_dir, &mut files)?;
    rust_files(&root.join("xtask"), &mut files)?;
    if root.join("fuzz").exists() {
        rust_files(&root.join("fuzz"), &mut files)?;
    }
    for path in &files {
        let shown = path.strip_prefix(root).unwrap_or(path).display().to_string();
        let text = std::fs::read_to_string(path)?;
        if !text.starts_with("//!") {
            problems.push(format!("{shown}: must start with a `//!` doc comment"));
        }
        let stem = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or_default();
        if BANNED_MODULES.contains(&stem) {
            problems
                .push(format!("{shown}: module name {stem:?} says nothing; name the domain noun"));
        }
        for (idx, line) in text.lines().enumerate() {
            if line.ends_with(' ') || line.ends_with('\t') {
                problems.push(format!("{shown}:{}: trailing whitespace", idx + 1));
            }
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_tidy() {
        let problems = check(&workspace_root()).unwrap();
        assert!(problems.is_empty(), "tidy found problems:\n{}", problems.join("\n"));
    }

    #[test]
    fn flags_a_forbidden_dependency_edge() {
        let crates = vec!["model".to_owned(), "parsers".to_owned(), "store".to_owned()];
        let manifest = "[package]\nname = \"parsers\"\n[dependencies]\nmodel.workspace = true\nstore = { path = \"../store\" }\n[dev-dependencies]\nparsers.workspace = true\n";
        assert_eq!(internal_dependencies(manifest, &crates), vec!["model", "store"]);
    }
}
