//! `leakguard rules list | lint DIR... | test DIR...`.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rules::{RuleSet, Site};

use crate::config::{Config, Language};
use crate::rule_pack::{self, RuleSources};

/// Lists the rules the configuration loads.
pub(crate) fn list(config: &Config, language: Language) -> anyhow::Result<ExitCode> {
    let extra = rule_pack::load_dirs(&config.rule_dirs)?;
    let rule_set =
        rule_pack::compile(&extra, config.builtin_rules, &config.disabled_rules, &config.site)?;
    let mut out = String::new();
    for rule in rule_set.rules() {
        let title = match language {
            Language::TraditionalChinese if !rule.title().zh_tw.is_empty() => &rule.title().zh_tw,
            _ => &rule.title().en,
        };
        let _ = writeln!(out, "{:<44} {:<9} {title}", rule.id(), rule.severity().as_str());
    }
    let _ = writeln!(out, "{} rules", rule_set.len());
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn sources_of(dirs: &[PathBuf]) -> anyhow::Result<RuleSources> {
    anyhow::ensure!(
        !dirs.is_empty(),
        "name at least one rule folder, e.g. leakguard rules lint rules/"
    );
    rule_pack::load_dirs(dirs)
}

/// Compiles the folders' rules (with the shipped word lists available) and
/// reports every problem with its file and line.
pub(crate) fn lint(dirs: &[PathBuf], config: &Config) -> anyhow::Result<ExitCode> {
    let sources = sources_of(dirs)?;
    let mut stdout = std::io::stdout().lock();
    match rule_pack::compile(&sources, false, &[], &config.site) {
        Ok(rule_set) => {
            writeln!(stdout, "{} rules, no problems", rule_set.len())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            writeln!(stdout, "{error}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

fn case_dirs(rule_file: &Path) -> Vec<PathBuf> {
    let dir = rules::cases_dir(rule_file);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    cases
}

/// Runs every fixture case of the folders' rules.
pub(crate) fn test(dirs: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let sources = sources_of(dirs)?;
    let sets = rule_pack::sets(&sources);
    let texts: Vec<(&str, &str)> =
        sources.rules.iter().map(|(origin, text)| (origin.as_str(), text.as_str())).collect();
    RuleSet::compile_sources(texts.iter().copied(), &sets, &Site::default())
        .map_err(|problems| rule_pack::problems_error(&problems))?;
    let mut out = String::new();
    let (mut n_passed, mut n_failed) = (0u32, 0u32);
    for (rule_file, (origin, text)) in sources.files.iter().zip(&sources.rules) {
        let def = rules::parse_rule(text, origin)
            .map_err(|problems| rule_pack::problems_error(&problems))?;
        let rule_id = def.id().0.clone();
        let cases = case_dirs(rule_file);
        if cases.is_empty() {
            let _ = writeln!(
                out,
                "FAIL {origin}: no fixture cases in {}",
                rules::cases_dir(rule_file).display()
            );
            n_failed += 1;
            continue;
        }
        let mut has_firing = false;
        let mut has_quiet = false;
        for case_dir in cases {
            let case_path = case_dir.join(rules::CASE_FILE);
            let case_text = std::fs::read_to_string(&case_path)
                .with_context(|| format!("reading {}", case_path.display()))?;
            let case = rules::parse_case(&case_text, &case_path.display().to_string())
                .map_err(|problems| rule_pack::problems_error(&problems))?;
            let input_path = case_dir.join(rules::INPUT_FILE);
            let input = std::fs::read_to_string(&input_path)
                .with_context(|| format!("reading {}", input_path.display()))?;
            let site = match &case.site {
                Some(endpoints) => Site::compile(endpoints)
                    .map_err(|problems| rule_pack::problems_error(&problems))?,
                None => Site::default(),
            };
            let rule_set = RuleSet::compile_sources(texts.iter().copied(), &sets, &site)
                .map_err(|problems| rule_pack::problems_error(&problems))?;
            let run = pipeline::fixtures::run_case(&rule_id, rule_set, &case, &input);
            if case.expect.iter().any(|expectation| expectation.rule == rule_id) {
                has_firing = true;
            } else {
                has_quiet = true;
            }
            let mut problems = run.parse_errors;
            problems.extend(run.mismatches);
            if problems.is_empty() {
                n_passed += 1;
                let _ = writeln!(
                    out,
                    "ok   {rule_id} / {}",
                    case_dir.file_name().unwrap_or_default().to_string_lossy()
                );
            } else {
                n_failed += 1;
                let _ = writeln!(out, "FAIL {rule_id} / {}", case_dir.display());
                for problem in problems {
                    let _ = writeln!(out, "       {problem}");
                }
            }
        }
        if !has_firing || !has_quiet {
            n_failed += 1;
            let _ = writeln!(
                out,
                "FAIL {rule_id}: needs at least one case where it fires and one where it does not"
            );
        }
    }
    let _ = writeln!(out, "\nrule fixtures: {n_passed} passed, {n_failed} failed");
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(if n_failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
