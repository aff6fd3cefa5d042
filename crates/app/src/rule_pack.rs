//! Loading rules: the pack shipped inside the binary, plus rule folders named
//! in the configuration or on the command line.
//!
//! A rule folder holds `*.yaml` rules (in any subfolder, except the
//! `*.tests` fixture folders) and `data/*.txt` word lists, which rules use by
//! file name (`{in_set: sensitive-paths}`). Folders given later may replace a
//! shipped word list of the same name.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rules::{RuleSet, Sets, Site};

include!(concat!(env!("OUT_DIR"), "/rule_pack.rs"));

/// Rules and word lists read from folders, as (origin, text).
#[derive(Debug, Default)]
pub(crate) struct RuleSources {
    pub(crate) rules: Vec<(String, String)>,
    pub(crate) data: Vec<(String, String)>,
    /// Rule files, for fixture runs.
    pub(crate) files: Vec<PathBuf>,
}

fn walk(dir: &Path, sources: &mut RuleSources) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading rule folder {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        if path.is_dir() {
            if !name.ends_with(".tests") {
                walk(&path, sources)?;
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading rule file {}", path.display()))?;
            sources.rules.push((path.display().to_string(), text));
            sources.files.push(path);
        } else if name.ends_with(".txt")
            && path.parent().is_some_and(|parent| parent.ends_with("data"))
        {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading word list {}", path.display()))?;
            let set = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or_default();
            sources.data.push((set.to_owned(), text));
        }
    }
    Ok(())
}

/// Reads the rule folders.
pub(crate) fn load_dirs(dirs: &[PathBuf]) -> anyhow::Result<RuleSources> {
    let mut sources = RuleSources::default();
    for dir in dirs {
        if !dir.is_dir() {
            anyhow::bail!("rule folder {} does not exist or is not a folder", dir.display());
        }
        walk(dir, &mut sources)?;
    }
    Ok(sources)
}

/// The shipped word lists, overridden by same-named lists from `extra`.
pub(crate) fn sets(extra: &RuleSources) -> Sets {
    let mut sets = Sets::new();
    for (name, text) in DATA_FILES {
        sets.insert(*name, rules::parse_set(text));
    }
    for (name, text) in &extra.data {
        sets.insert(name.clone(), rules::parse_set(text));
    }
    sets
}

/// Compiles the shipped pack (unless `with_builtin` is false) and the extra
/// folders' rules, minus the disabled ids, reporting every problem at once.
pub(crate) fn compile(
    extra: &RuleSources,
    with_builtin: bool,
    disabled: &[String],
    site: &Site,
) -> anyhow::Result<RuleSet> {
    let sets = sets(extra);
    let builtin = RULE_FILES.iter().filter(|_| with_builtin).map(|(origin, text)| (*origin, *text));
    let added = extra.rules.iter().map(|(origin, text)| (origin.as_str(), text.as_str()));
    let all: Vec<(&str, &str)> = builtin.chain(added).collect();
    let mut defs = Vec::new();
    let mut problems = Vec::new();
    for (origin, text) in all {
        match rules::parse_rule(text, origin) {
            Ok(def) if disabled.iter().any(|id| *id == def.id().0) => {}
            Ok(def) => defs.push(def),
            Err(mut found) => problems.append(&mut found),
        }
    }
    match RuleSet::compile(defs, &sets, site) {
        Ok(rule_set) if problems.is_empty() => Ok(rule_set),
        Ok(_) => Err(problems_error(&problems)),
        Err(mut found) => {
            problems.append(&mut found);
            Err(problems_error(&problems))
        }
    }
}

pub(crate) fn problems_error(problems: &[rules::Problem]) -> anyhow::Error {
    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
    anyhow::anyhow!(
        "{} problem{} in the rules:\n  {}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        list.join("\n  ")
    )
}
