//! The corpus read from a folder the test writes, packed, and rendered.

use std::collections::HashSet;
use std::path::Path;

use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::{
    Corpus, Error, HashKind, MAX_PADDED_LINES, MIN_PADDED_LINES, Prefix, pack_directory,
    parse_hash, render_range,
};

/// SHA-1 of "password".
const PASSWORD_SHA1: &str = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8";

/// A folder corpus: the "password" hash, a few hashes under its prefix
/// (written unsorted, lower case, LF), a second prefix with CRLF lines, and
/// a third prefix with more real hashes than padding would reach.
fn write_corpus(dir: &Path) {
    std::fs::write(
        dir.join("5BAA6.txt"),
        "1E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\n\
         0018A45C4D1DEF81644B54AB7F969B88D65:21\n\
         ffff000000000000000000000000000000a:3\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("00000"),
        "0005AD76BD555C1D6D771DE417A4B87E4B4:10\r\n00A8DAE4228F821FB418F59826079BF3681:2\r\n",
    )
    .unwrap();
    let many: String = (0..1200).map(|idx| format!("{idx:035X}:{}\r\n", idx + 1)).collect();
    std::fs::write(dir.join("ABCDE.txt"), many).unwrap();
    std::fs::write(dir.join("README.md"), "not a prefix file").unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn unpadded(corpus: &Corpus, prefix: &str) -> String {
    let bucket = corpus.bucket(prefix.parse().unwrap()).unwrap();
    text(&render_range::<StdRng>(&bucket, None))
}

#[test]
fn prefixes_are_exactly_five_hex_digits() {
    assert_eq!("5baa6".parse::<Prefix>().unwrap().value(), 0x5BAA6);
    assert_eq!("FFFFF".parse::<Prefix>().unwrap().value(), 0xFFFFF);
    for bad in ["5BAA", "5BAA61", "5BAG6", "+BAA6", " 5BAA"] {
        let error = bad.parse::<Prefix>().unwrap_err();
        assert!(matches!(error, Error::InvalidPrefix { .. }), "{bad}");
        assert!(!error.to_string().contains(bad), "the message never echoes the prefix");
    }
    let hash = parse_hash(HashKind::Sha1, PASSWORD_SHA1).unwrap();
    assert_eq!(Prefix::of_hash(&hash).to_hex(), "5BAA6");
}

#[test]
fn a_folder_answers_sorted_upper_case_crlf_lines() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path());
    let corpus = Corpus::open(dir.path(), HashKind::Sha1).unwrap();
    assert_eq!(
        unpadded(&corpus, "5baa6"),
        "0018A45C4D1DEF81644B54AB7F969B88D65:21\r\n\
         1E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\r\n\
         FFFF000000000000000000000000000000A:3"
    );
    assert!(unpadded(&corpus, "00000").starts_with("0005AD76BD555C1D6D771DE417A4B87E4B4:10\r\n"));
    assert_eq!(unpadded(&corpus, "12345"), "", "an absent prefix file is an empty answer");
    let hash = parse_hash(HashKind::Sha1, PASSWORD_SHA1).unwrap();
    assert_eq!(corpus.count(&hash).unwrap(), 52_256_179);
    let mut other = hash.clone();
    other[19] ^= 1;
    assert_eq!(corpus.count(&other).unwrap(), 0);
}

#[test]
fn padding_brings_800_to_1000_lines_of_fakes_that_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path());
    let corpus = Corpus::open(dir.path(), HashKind::Sha1).unwrap();
    let bucket = corpus.bucket("5BAA6".parse().unwrap()).unwrap();
    let mut sizes = HashSet::new();
    for seed in 0..20 {
        let mut rng = StdRng::seed_from_u64(seed);
        let answer = text(&render_range(&bucket, Some(&mut rng)));
        let lines: Vec<&str> = answer.split("\r\n").collect();
        assert!((MIN_PADDED_LINES..=MAX_PADDED_LINES).contains(&lines.len()), "{}", lines.len());
        sizes.insert(lines.len());
        let suffixes: Vec<&str> = lines.iter().map(|line| &line[..35]).collect();
        let mut sorted = suffixes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, suffixes, "sorted and without repeats");
        for line in &lines {
            let (suffix, count) = line.split_once(':').unwrap();
            assert!(suffix.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'A'..=b'F')));
            let is_real = unpadded(&corpus, "5BAA6").contains(suffix);
            assert_eq!(is_real, count != "0", "{line}");
        }
        assert!(answer.contains("1E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\r\n"));
    }
    assert!(sizes.len() > 1, "the padded size varies");
    let full = corpus.bucket("ABCDE".parse().unwrap()).unwrap();
    let answer = render_range(&full, Some(&mut StdRng::seed_from_u64(1)));
    assert_eq!(
        text(&answer).split("\r\n").count(),
        1200,
        "more real lines than padding: none added"
    );
    let empty = corpus.bucket("12345".parse().unwrap()).unwrap();
    let answer = text(&render_range(&empty, Some(&mut StdRng::seed_from_u64(2))));
    assert!(answer.split("\r\n").all(|line| line.ends_with(":0") && line.len() == 37));
}

#[test]
fn a_packed_file_answers_like_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("corpus");
    std::fs::create_dir(&folder).unwrap();
    write_corpus(&folder);
    let out = dir.path().join("pwned.lgp");
    let report = pack_directory(&folder, &out, HashKind::Sha1).unwrap();
    assert_eq!((report.n_files, report.n_hashes, report.n_ignored), (3, 1205, 1));
    let packed = Corpus::open(&out, HashKind::Sha1).unwrap();
    let plain = Corpus::open(&folder, HashKind::Sha1).unwrap();
    assert!(packed.is_packed() && !plain.is_packed());
    assert_eq!(packed.n_hashes(), Some(1205));
    for prefix in ["5BAA6", "00000", "ABCDE", "12345", "FFFFF"] {
        assert_eq!(unpadded(&packed, prefix), unpadded(&plain, prefix), "{prefix}");
    }
    let hash = parse_hash(HashKind::Sha1, PASSWORD_SHA1).unwrap();
    assert_eq!(packed.count(&hash).unwrap(), 52_256_179);
    let error = Corpus::open(&out, HashKind::Ntlm).unwrap_err();
    assert_eq!(error.to_string(), format!("{} holds sha1 hashes, not ntlm", out.display()));
}

#[test]
fn damaged_input_is_named_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("5BAA6.txt"), "0018A45C4D1DEF81644B54AB7F969B88D65:21\nnope\n")
        .unwrap();
    let corpus = Corpus::open(dir.path(), HashKind::Sha1).unwrap();
    let error = corpus.bucket("5BAA6".parse().unwrap()).unwrap_err();
    let path = dir.path().join("5BAA6.txt");
    assert_eq!(
        error.to_string(),
        format!("{}:2: expected 35 hex digits, a colon and a count", path.display())
    );
    std::fs::write(
        &path,
        "FFFF000000000000000000000000000000A:3\nFFFF000000000000000000000000000000a:4\n",
    )
    .unwrap();
    let error = corpus.bucket("5BAA6".parse().unwrap()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{}:2: this suffix appeared on an earlier line", path.display())
    );
    std::fs::write(dir.path().join("5baa6"), "").unwrap();
    let error = pack_directory(dir.path(), &dir.path().join("out"), HashKind::Sha1).unwrap_err();
    assert!(matches!(error, Error::DuplicatePrefix { .. }), "{error}");
    let short = dir.path().join("short");
    std::fs::write(&short, "LGPWNED1").unwrap();
    let error = Corpus::open(&short, HashKind::Sha1).unwrap_err();
    assert!(error.to_string().contains("too short"), "{error}");
}

#[test]
fn ntlm_corpora_have_27_digit_suffixes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("8846F.txt"), "7EAEE8FB117AD06BDD830B7586C:2\n").unwrap();
    let corpus = Corpus::open(dir.path(), HashKind::Ntlm).unwrap();
    assert_eq!(unpadded(&corpus, "8846F"), "7EAEE8FB117AD06BDD830B7586C:2");
    // NTLM of "password".
    let hash = parse_hash(HashKind::Ntlm, "8846F7EAEE8FB117AD06BDD830B7586C").unwrap();
    assert_eq!(corpus.count(&hash).unwrap(), 2);
    let error = corpus.bucket("5BAA6".parse().unwrap());
    assert!(error.unwrap().is_empty());
}
