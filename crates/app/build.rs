//! Embeds the shipped rule pack (`rules/` at the workspace root) in the
//! binary, so `leakguard` works as one file: every `*.yaml` rule outside the
//! `*.tests` fixture folders, and every `data/*.txt` word list.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, rules: &mut Vec<PathBuf>, data: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> =
        entries.filter_map(|entry| entry.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default().to_owned();
        if path.is_dir() {
            if !name.ends_with(".tests") {
                collect(&path, rules, data);
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            rules.push(path);
        } else if name.ends_with(".txt")
            && path.parent().is_some_and(|parent| parent.ends_with("data"))
        {
            data.push(path);
        }
    }
}

// A build script reads the variables cargo sets for it.
#[allow(clippy::disallowed_methods)]
fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.join("../../rules");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut rules = Vec::new();
    let mut data = Vec::new();
    collect(&root, &mut rules, &mut data);
    let mut out = String::from(
        "/// Shipped rule files: (path under rules/, text).\npub(crate) const RULE_FILES: &[(&str, &str)] = &[\n",
    );
    for path in &rules {
        println!("cargo:rerun-if-changed={}", path.display());
        let shown = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        let _ = writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            format!("rules/{shown}"),
            path.display().to_string()
        );
    }
    out.push_str("];\n/// Shipped word lists: (set name, text).\npub(crate) const DATA_FILES: &[(&str, &str)] = &[\n");
    for path in &data {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or_default();
        let _ = writeln!(out, "    ({name:?}, include_str!({:?})),", path.display().to_string());
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out_dir.join("rule_pack.rs"), out).expect("writing the embedded rule pack");
}
