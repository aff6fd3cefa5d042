//! Resolving arguments into sources: globs, rotated sets, duplicates and
//! the messages for arguments that give nothing.

use std::path::Path;

use crate::{Source, SourceProblem, expand_sources};

/// Creates `files` (with a line each) in a new temporary directory.
fn dir_with(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in files {
        let path = dir.path().join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, b"line\n").unwrap();
    }
    dir
}

fn arg_in(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).display().to_string()
}

/// The sources' file names relative to `dir`, in order.
fn names(dir: &Path, sources: &[Source]) -> Vec<String> {
    sources
        .iter()
        .map(|source| match &source.path {
            Some(path) => path.strip_prefix(dir).unwrap_or(path).display().to_string(),
            None => "-".to_owned(),
        })
        .collect()
}

/// Creates `files`, expands `args` (relative to the directory, `-` as is)
/// and checks the order of the sources, and that nothing is a problem.
#[track_caller]
fn check_order(files: &[&str], args: &[&str], expect: &[&str]) {
    let dir = dir_with(files);
    let args: Vec<String> = args
        .iter()
        .map(|arg| if *arg == "-" { "-".to_owned() } else { arg_in(&dir, arg) })
        .collect();
    let (sources, problems) = expand_sources(&args);
    assert_eq!(problems, []);
    assert_eq!(names(dir.path(), &sources), expect);
}

#[test]
fn numbered_rotations_are_read_oldest_first() {
    check_order(
        &["access.log", "access.log.1", "access.log.2.gz", "access.log.3.gz", "access.log.10.gz"],
        &["access.log*"],
        &["access.log.10.gz", "access.log.3.gz", "access.log.2.gz", "access.log.1", "access.log"],
    );
}

#[test]
fn dated_rotations_are_read_in_date_order_before_the_live_file() {
    check_order(
        &["access.log", "access.log-20261120", "access.log-20261119.gz", "access.log-20261118.gz"],
        &["access.log*"],
        &["access.log-20261118.gz", "access.log-20261119.gz", "access.log-20261120", "access.log"],
    );
}

#[test]
fn dashed_dates_and_unix_times_are_dates() {
    check_order(
        &["shop.log.2026-11-20", "shop.log.2026-11-19", "app.log.1763596900", "app.log.1763596800"],
        &["shop.log*", "app.log*"],
        &["shop.log.2026-11-19", "shop.log.2026-11-20", "app.log.1763596800", "app.log.1763596900"],
    );
}

#[test]
fn savelog_zero_is_the_newest_rotation() {
    check_order(
        &["syslog", "syslog.0", "syslog.1.gz"],
        &["syslog*"],
        &["syslog.1.gz", "syslog.0", "syslog"],
    );
}

#[test]
fn numbered_rotations_come_before_dated_ones() {
    check_order(
        &["a.log", "a.log.1", "a.log-20261120"],
        &["a.log*"],
        &["a.log.1", "a.log-20261120", "a.log"],
    );
}

#[test]
fn sets_keep_the_order_in_which_they_first_appear() {
    check_order(
        &["access.log", "access.log.1", "error.log", "error.log.1.gz"],
        &["error.log", "access.log", "error.log.1.gz", "access.log.1"],
        &["error.log.1.gz", "error.log", "access.log.1", "access.log"],
    );
}

#[test]
fn one_glob_over_several_sets_orders_each_set() {
    check_order(
        &["access.log", "access.log.1", "access.log.2.gz", "error.log", "error.log.1"],
        &["*.log*"],
        &["access.log.2.gz", "access.log.1", "access.log", "error.log.1", "error.log"],
    );
}

#[test]
fn same_names_in_different_directories_are_different_sets() {
    check_order(
        &["shop1/access.log", "shop2/access.log.1", "shop1/access.log.1"],
        &["shop2/access.log.1", "shop1/access.log", "shop1/access.log.1"],
        &["shop2/access.log.1", "shop1/access.log.1", "shop1/access.log"],
    );
}

#[test]
fn files_outside_any_rotation_keep_the_users_order() {
    check_order(
        &["b.log", "a.log", "c-2026-11-19.log"],
        &["b.log", "c-2026-11-19.log", "a.log"],
        &["b.log", "c-2026-11-19.log", "a.log"],
    );
}

#[test]
fn stdin_is_a_source_of_its_own_in_the_users_order() {
    check_order(&["a.log", "a.log.1"], &["a.log", "-", "a.log.1"], &["a.log.1", "a.log", "-"]);
    let (sources, problems) = expand_sources(&["-".to_owned()]);
    assert_eq!((sources, problems), (vec![Source::stdin()], vec![]));
    assert!(Source::stdin().is_stdin());
    assert_eq!(Source::stdin().display, "<stdin>");
}

#[test]
fn stdin_named_twice_is_read_once() {
    let (sources, _) = expand_sources(&["-".to_owned(), "-".to_owned()]);
    assert_eq!(sources, [Source::stdin()]);
}

#[test]
fn a_file_named_twice_is_read_once_at_its_first_place() {
    let dir = dir_with(&["a.log", "b.log"]);
    let args = [
        arg_in(&dir, "a.log"),
        arg_in(&dir, "b.log"),
        dir.path().join(".").join("a.log").display().to_string(),
        arg_in(&dir, "*.log"),
    ];
    let (sources, problems) = expand_sources(&args);
    assert_eq!(problems, []);
    assert_eq!(names(dir.path(), &sources), ["a.log", "b.log"]);
    assert_eq!(sources[0].display, args[0]);
}

#[test]
fn sources_carry_the_display_and_size() {
    let dir = dir_with(&["a.log"]);
    let (sources, _) = expand_sources(&[arg_in(&dir, "*.log")]);
    assert_eq!(sources[0].display, arg_in(&dir, "a.log"));
    assert_eq!(sources[0].size, Some(5));
}

#[test]
fn glob_skips_directories_and_hidden_files() {
    check_order(&["a.log", "old/b.log", ".hidden.log"], &["*"], &["a.log"]);
}

#[test]
fn a_literal_file_name_with_glob_characters_is_the_file() {
    check_order(&["shop[1].log", "shop1.log"], &["shop[1].log"], &["shop[1].log"]);
}

#[test]
fn missing_file_is_a_problem_and_the_rest_proceed() {
    let dir = dir_with(&["access.log"]);
    let missing = arg_in(&dir, "nothing-like-it.log");
    let (sources, problems) = expand_sources(&[missing.clone(), arg_in(&dir, "access.log")]);
    assert_eq!(names(dir.path(), &sources), ["access.log"]);
    let message = format!("no such file: {missing}");
    assert_eq!(problems, [SourceProblem { arg: missing, message }]);
}

#[test]
fn missing_file_with_a_typo_suggests_the_file() {
    let dir = dir_with(&["access.log"]);
    let typo = arg_in(&dir, "acess.log");
    let (_, problems) = expand_sources(std::slice::from_ref(&typo));
    let message = format!("no such file: {typo} (did you mean {}?)", arg_in(&dir, "access.log"));
    assert_eq!(problems, [SourceProblem { arg: typo, message }]);
}

#[test]
fn directory_is_a_problem_that_says_what_to_pass() {
    let dir = dir_with(&["logs/access.log"]);
    let logs = arg_in(&dir, "logs");
    let (sources, problems) = expand_sources(&[logs.clone(), format!("{logs}/")]);
    assert_eq!(sources, []);
    let messages: Vec<&str> = problems.iter().map(|problem| problem.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            format!("is a directory: {logs} (pass the files, e.g. {logs}/*.log)"),
            format!("is a directory: {logs}/ (pass the files, e.g. {logs}/*.log)"),
        ]
    );
}

#[test]
fn glob_matching_nothing_is_a_problem() {
    let dir = dir_with(&["access.log"]);
    let pattern = arg_in(&dir, "error.log*");
    let (sources, problems) = expand_sources(std::slice::from_ref(&pattern));
    assert_eq!(sources, []);
    let message = format!("glob \"{pattern}\" matched no files");
    assert_eq!(problems, [SourceProblem { arg: pattern, message }]);
}

#[test]
fn glob_matching_only_directories_is_a_problem() {
    let dir = dir_with(&["logs1/a.log", "logs2/b.log"]);
    let pattern = arg_in(&dir, "logs*");
    let (_, problems) = expand_sources(std::slice::from_ref(&pattern));
    assert_eq!(problems[0].message, format!("glob \"{pattern}\" matched no files"));
}

#[test]
fn empty_argument_is_a_problem() {
    let (sources, problems) = expand_sources(&[String::new()]);
    assert_eq!(sources, []);
    assert_eq!(problems[0].message, "empty file name given");
}

#[test]
fn invalid_glob_is_a_problem() {
    let (_, problems) = expand_sources(&["logs/[access.log".to_owned()]);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.starts_with("invalid glob \"logs/[access.log\": "),
        "{}",
        problems[0].message
    );
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_a_problem_unless_we_may_read_anything() {
    use std::os::unix::fs::PermissionsExt;
    let dir = dir_with(&["secret.log"]);
    let path = dir.path().join("secret.log");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let arg = arg_in(&dir, "secret.log");
    let (sources, problems) = expand_sources(std::slice::from_ref(&arg));
    // Root (as in some containers) may read the file anyway.
    if std::fs::File::open(&path).is_ok() {
        assert_eq!((sources.len(), problems), (1, vec![]));
    } else {
        assert_eq!(sources, []);
        let message = format!("cannot read {arg}: permission denied");
        assert_eq!(problems, [SourceProblem { arg, message }]);
    }
}

#[test]
fn problems_display_their_message() {
    let problem = SourceProblem { arg: "x".to_owned(), message: "no such file: x".to_owned() };
    assert_eq!(problem.to_string(), "no such file: x");
}
