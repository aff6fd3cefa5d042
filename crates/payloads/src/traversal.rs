//! Path traversal and local file inclusion: `../` in any encoding (decoding
//! already folded `%2e%2e%2f`, `%c0%af`, `..%5c`), sensitive Unix and Windows
//! files, PHP stream wrappers and `file:` URLs, null bytes after file names,
//! and (in the path) requests for dotfiles, backups, dumps, logs and keys a
//! shop never serves.

use std::sync::LazyLock;

use crate::lexicon;
use crate::patterns::PatternSet;
use crate::prefilter as class;
use crate::subject::{Findings, Origin, Subject};
use crate::{Confidence, Detector};

const CLASSES: u32 = class::DOT | class::SLASH | class::BACKSLASH | class::NUL | class::COLON;

/// Files and directories whose mention in a parameter, a path or a user
/// agent is a probe. Matched in the lowercased text with `\` read as `/`.
const SENSITIVE: &[(&[u8], Confidence)] = &[
    (b"/etc/passwd", Confidence::High),
    (b"/etc/shadow", Confidence::High),
    (b"/etc/group", Confidence::High),
    (b"/etc/hosts", Confidence::High),
    (b"/etc/issue", Confidence::High),
    (b"/etc/motd", Confidence::High),
    (b"/etc/crontab", Confidence::High),
    (b"/etc/sudoers", Confidence::High),
    (b"/etc/services", Confidence::High),
    (b"/etc/hostname", Confidence::High),
    (b"/etc/resolv.conf", Confidence::High),
    (b"/etc/apache", Confidence::High),
    (b"/etc/httpd", Confidence::High),
    (b"/etc/nginx", Confidence::High),
    (b"/etc/php", Confidence::High),
    (b"/etc/mysql", Confidence::High),
    (b"/etc/ssh", Confidence::High),
    (b"/etc/environment", Confidence::High),
    (b"/etc/profile", Confidence::High),
    (b"/etc/os-release", Confidence::High),
    (b"/proc/self/", Confidence::High),
    (b"/proc/version", Confidence::High),
    (b"/proc/cpuinfo", Confidence::High),
    (b"/proc/meminfo", Confidence::High),
    (b"/proc/net/", Confidence::High),
    (b"/proc/sys/", Confidence::High),
    (b"/proc/interrupts", Confidence::High),
    (b"/proc/mounts", Confidence::High),
    (b"/proc/cmdline", Confidence::High),
    (b"/proc/sched_debug", Confidence::High),
    (b"/proc/kcore", Confidence::High),
    (b"/proc/thread-self", Confidence::High),
    (b"/sys/class", Confidence::High),
    (b"/sys/kernel", Confidence::High),
    (b"/sys/devices", Confidence::High),
    (b"/sys/block", Confidence::High),
    (b"/sys/bus", Confidence::High),
    (b"/sys/firmware", Confidence::High),
    (b"/sys/module", Confidence::High),
    (b"/sys/fs/", Confidence::High),
    (b"/root/", Confidence::High),
    (b".ssh/", Confidence::High),
    (b"id_rsa", Confidence::High),
    (b"id_dsa", Confidence::High),
    (b"id_ecdsa", Confidence::High),
    (b"id_ed25519", Confidence::High),
    (b"authorized_keys", Confidence::High),
    (b".aws/", Confidence::High),
    (b".docker/", Confidence::High),
    (b".kube/", Confidence::High),
    (b".gnupg/", Confidence::High),
    (b".bash_history", Confidence::High),
    (b".mysql_history", Confidence::High),
    (b".git/config", Confidence::High),
    (b".git/head", Confidence::High),
    (b".htpasswd", Confidence::High),
    (b".htaccess", Confidence::Medium),
    (b"wp-config.php", Confidence::High),
    (b"web.config", Confidence::Medium),
    (b"localsettings.php", Confidence::Medium),
    (b"/var/log/", Confidence::High),
    (b"/var/www/", Confidence::Medium),
    (b"/var/lib/", Confidence::Medium),
    (b"/usr/local/", Confidence::Medium),
    (b"/opt/", Confidence::Medium),
    (b"httpd.conf", Confidence::High),
    (b"apache2.conf", Confidence::High),
    (b"nginx.conf", Confidence::High),
    (b"php.ini", Confidence::High),
    (b"my.cnf", Confidence::High),
    (b"boot.ini", Confidence::High),
    (b"win.ini", Confidence::High),
    (b"system.ini", Confidence::High),
    (b"/windows/system32", Confidence::High),
    (b"/winnt/", Confidence::High),
    (b"system32/", Confidence::High),
    (b"/inetpub/", Confidence::High),
    (b"/windows/repair", Confidence::High),
    (b"/windows/panther", Confidence::High),
    (b"/dev/tcp/", Confidence::High),
    (b"/dev/udp/", Confidence::High),
    (b"%systemroot%", Confidence::High),
    (b"web-inf/", Confidence::High),
    (b"meta-inf/", Confidence::Medium),
    (b"%windir%", Confidence::High),
];

/// PHP stream wrappers and URL schemes that read local files or run code.
const WRAPPERS: &[&[u8]] = &[
    b"php://filter",
    b"php://input",
    b"php://stdin",
    b"php://memory",
    b"php://temp",
    b"php://fd",
    b"phar://",
    b"zip://",
    b"compress.zlib://",
    b"compress.bzip2://",
    b"glob://",
    b"expect://",
    b"ogg://",
    b"rar://",
    b"ssh2.shell://",
    b"ssh2.exec://",
];

/// Dotfiles and dot-directories whose request is always a probe.
const KNOWN_DOTFILES: &[&[u8]] = &[
    b".env",
    b".git",
    b".svn",
    b".hg",
    b".bzr",
    b".htaccess",
    b".htpasswd",
    b".ssh",
    b".aws",
    b".docker",
    b".kube",
    b".bash_history",
    b".ds_store",
    b".idea",
    b".vscode",
    b".npmrc",
    b".pgpass",
    b".netrc",
    b".gnupg",
    b".config",
    b".travis.yml",
    b".gitlab-ci.yml",
];

/// Extensions of backups and dumps.
const BACKUP_EXTENSIONS: &[&[u8]] = &[
    b"sql", b"bak", b"dump", b"dmp", b"swp", b"swo", b"backup", b"bkp", b"mdb", b"sqlite",
    b"sqlite3",
];

/// Extensions of archives, risky when named like a backup.
const ARCHIVE_EXTENSIONS: &[&[u8]] = &[b"zip", b"gz", b"tgz", b"tar", b"rar", b"7z", b"bz2", b"xz"];

/// Names that make an archive a backup of the site.
const BACKUP_NAMES: &[&[u8]] = &[
    b"backup",
    b"backups",
    b"db",
    b"database",
    b"dump",
    b"site",
    b"www",
    b"wwwroot",
    b"htdocs",
    b"public_html",
    b"html",
    b"data",
    b"sql",
    b"archive",
    b"old",
    b"src",
    b"source",
    b"web",
    b"website",
    b"home",
    b"root",
    b"shop",
    b"store",
    b"files",
    b"bak",
];

/// Extensions of key and secret files, risky whatever their name.
const SECRET_EXTENSIONS: &[&[u8]] = &[
    b"env",
    b"pem",
    b"key",
    b"ppk",
    b"p12",
    b"pfx",
    b"jks",
    b"kdbx",
    b"ovpn",
    b"passwd",
    b"htpasswd",
];

/// Log and configuration files that leak secrets when a site serves them by
/// mistake, by the words their names contain (`debug.log`, `php_errors.log`,
/// `nginx.conf`); a blog's `sample.log` is not one of them.
const LEAKY_NAMES: &[&[u8]] = &[
    b"debug",
    b"error",
    b"access",
    b"install",
    b"laravel",
    b"npm",
    b"yarn",
    b"php",
    b"sql",
    b"mysql",
    b"wp",
    b"config",
    b"settings",
    b"database",
    b"db",
    b"app",
    b"application",
    b"production",
    b"prod",
    b"secret",
    b"credentials",
    b"httpd",
    b"nginx",
    b"apache",
    b"web",
    b"site",
    b"server",
    b"local",
    b"parameters",
    b"env",
    b"docker",
    b"redis",
    b"smtp",
    b"mail",
];

/// Extensions of logs and configuration, risky with a [`LEAKY_NAMES`] name.
const LEAKY_EXTENSIONS: &[&[u8]] = &[
    b"log", b"conf", b"cnf", b"cfg", b"config", b"ini", b"old", b"orig", b"save", b"yml", b"yaml",
];

pub(crate) fn detect(subject: &Subject<'_>, findings: &mut Findings) {
    let words = lexicon::PATH_WORD;
    if !subject.scan.has(CLASSES) && !subject.scan.has_word(words) && !subject.scan.has_risky_dot {
        return;
    }
    let normalized = normalize_separators(subject.lower);
    dot_dot(&normalized, subject, findings);
    let found = find_markers(&normalized);
    sensitive_files(&normalized, &found, subject, findings);
    wrappers(&normalized, &found, subject, findings);
    if subject.scan.has(class::NUL) {
        null_byte(&normalized, findings);
    }
    if let Some(idx) = found.entity {
        external_entity(&normalized[idx..], findings);
    }
    match subject.origin {
        Origin::Path => path_probes(&normalized, findings),
        Origin::QueryValue | Origin::QueryName => value_file(&normalized, subject, findings),
        Origin::UserAgent | Origin::Referer | Origin::RefererPath => {}
    }
}

/// The text with `\` read as `/`, and the Unicode look-alikes of `/`, `\`
/// and `.` that best-fit decoders (IIS, .NET) turn into them folded too.
/// Look-alikes are replaced by one byte, so offsets shift; evidence is
/// taken from this text.
fn normalize_separators(lower: &[u8]) -> Vec<u8> {
    const LOOKALIKES: &[(&[u8], u8)] = &[
        ("\u{2215}".as_bytes(), b'/'),
        ("\u{2044}".as_bytes(), b'/'),
        ("\u{ff0f}".as_bytes(), b'/'),
        ("\u{2216}".as_bytes(), b'/'),
        ("\u{ff3c}".as_bytes(), b'/'),
        ("\u{fe68}".as_bytes(), b'/'),
        ("\u{ff0e}".as_bytes(), b'.'),
        ("\u{2024}".as_bytes(), b'.'),
        ("\u{fe52}".as_bytes(), b'.'),
    ];
    let mut out = Vec::with_capacity(lower.len());
    let mut idx = 0;
    while idx < lower.len() {
        let byte = lower[idx];
        if byte >= 0xe2
            && let Some((pattern, ascii)) =
                LOOKALIKES.iter().find(|(pattern, _)| lower[idx..].starts_with(pattern))
        {
            out.push(*ascii);
            idx += pattern.len();
            continue;
        }
        out.push(if byte == b'\\' { b'/' } else { byte });
        idx += 1;
    }
    out
}

/// Counts `..` segments: two or more dots between separators (`/`, `;`).
fn dot_dot(text: &[u8], subject: &Subject<'_>, findings: &mut Findings) {
    let mut n_segments = 0;
    let mut first = None;
    let mut idx = 0;
    while let Some(offset) = memchr::memchr(b'.', &text[idx..]) {
        let start = idx + offset;
        if text.get(start + 1) != Some(&b'.') {
            idx = start + 1;
            continue;
        }
        let mut end = start;
        while text.get(end) == Some(&b'.') {
            end += 1;
        }
        let left_ok = start == 0 || matches!(text[start - 1], b'/' | b';' | b'=' | b':');
        let right = text.get(end).copied();
        let right_ok = matches!(right, Some(b'/' | 0))
            || (right == Some(b';') && matches!(text.get(end + 1), Some(b'/' | b'.')));
        if left_ok && right_ok {
            n_segments += 1;
            first.get_or_insert(start);
        }
        idx = end;
    }
    let Some(first) = first else { return };
    let confidence = match subject.origin {
        Origin::Path => Confidence::High,
        _ if n_segments >= 2 => Confidence::High,
        // One `../` in prose or markup (`<a href="../">`) is a relative link;
        // at the start of a value (`../x`, `/../x`) it is a file name.
        _ if text[..first].iter().all(|b| *b == b'/' || *b == b'.') => Confidence::Medium,
        _ => return,
    };
    findings.add_excerpt(Detector::Traversal, confidence, "../ traversal", &text[first..]);
}

/// One pass finds every sensitive file, wrapper and marker of this module.
static MARKERS: LazyLock<PatternSet> = LazyLock::new(|| {
    let sensitive = SENSITIVE.iter().map(|(needle, _)| *needle);
    PatternSet::new(sensitive.chain(WRAPPERS.iter().copied()).chain(OTHER_MARKERS.iter().copied()))
});

/// Markers after [`SENSITIVE`] and [`WRAPPERS`] in [`MARKERS`].
const OTHER_MARKERS: &[&[u8]] = &[b"file:/", b"data:", b"<!entity"];

/// What [`MARKERS`] found in a text.
#[derive(Debug, Default)]
struct Found {
    sensitive: Option<(usize, Confidence)>,
    wrapper: Option<usize>,
    file_url: Option<usize>,
    data_url: Option<usize>,
    entity: Option<usize>,
}

fn find_markers(text: &[u8]) -> Found {
    let mut found = Found::default();
    for (pattern, start) in MARKERS.matches(text) {
        if let Some((needle, confidence)) = SENSITIVE.get(pattern) {
            // A file name counts when it starts a word (`my.cnf`, not
            // `dummy.cnf`); needles that start with `/` or `.` start at a
            // boundary anyway.
            let starts_word = !needle[0].is_ascii_alphanumeric()
                || start == 0
                || !text[start - 1].is_ascii_alphanumeric();
            let is_better = found.sensitive.is_none_or(|(_, known)| *confidence > known);
            if starts_word && is_better {
                found.sensitive = Some((start, *confidence));
            }
            continue;
        }
        let pattern = pattern - SENSITIVE.len();
        if pattern < WRAPPERS.len() {
            found.wrapper.get_or_insert(start);
            continue;
        }
        match OTHER_MARKERS[pattern - WRAPPERS.len()] {
            b"file:/" => {
                if start == 0 || !text[start - 1].is_ascii_alphanumeric() {
                    found.file_url.get_or_insert(start);
                }
            }
            b"data:" => {
                found.data_url.get_or_insert(start);
            }
            _ => {
                found.entity.get_or_insert(start);
            }
        }
    }
    found
}

fn sensitive_files(text: &[u8], found: &Found, subject: &Subject<'_>, findings: &mut Findings) {
    let Some((idx, confidence)) = found.sensitive else { return };
    let confidence = if subject.origin.is_referer() { Confidence::Medium } else { confidence };
    findings.add_excerpt(Detector::Traversal, confidence, "sensitive file", &text[idx..]);
}

fn wrappers(text: &[u8], found: &Found, subject: &Subject<'_>, findings: &mut Findings) {
    if let Some(idx) = found.wrapper {
        findings.add_excerpt(
            Detector::Traversal,
            Confidence::High,
            "PHP stream wrapper",
            &text[idx..],
        );
        return;
    }
    // A `file:` URL in a path is a broken link, not something the server
    // opens.
    if subject.origin == Origin::Path {
        return;
    }
    if let Some(idx) = found.file_url {
        findings.add_excerpt(Detector::Traversal, Confidence::High, "file: URL", &text[idx..]);
        return;
    }
    // `data://text/plain;base64,...` runs code when the payload is PHP.
    let same_offsets = text.len() == subject.text.len();
    if let Some(idx) = found.data_url.filter(|_| same_offsets)
        && let Some(comma) = memchr::memchr(b',', &text[idx..])
    {
        let header = &text[idx..idx + comma];
        let body = &subject.text[idx + comma + 1..];
        let decoded =
            if header.ends_with(b";base64") { decode_base64(body) } else { body.to_vec() };
        if decoded.windows(2).any(|pair| pair == b"<?") {
            findings.add_excerpt(
                Detector::Traversal,
                Confidence::High,
                "data: URL with PHP code",
                &subject.text[idx..],
            );
        }
    }
}

/// A null byte after a file name, to cut off an extension the application
/// appends (`../../etc/passwd%00.jpg`).
fn null_byte(text: &[u8], findings: &mut Findings) {
    let Some(idx) = memchr::memchr(0, text) else { return };
    let before = &text[..idx];
    let after = &text[idx + 1..];
    let names_file = before.iter().rev().take(12).any(|b| *b == b'.' || *b == b'/')
        || after.first() == Some(&b'.');
    let confidence = if names_file { Confidence::High } else { Confidence::Medium };
    findings.add_excerpt(
        Detector::Traversal,
        confidence,
        "null byte",
        &text[idx.saturating_sub(24)..],
    );
}

/// `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>`: an XML entity
/// that makes a parser read a file or fetch a URL.
fn external_entity(text: &[u8], findings: &mut Findings) {
    let declaration = &text[..text.len().min(256)];
    let is_external = [&b" system "[..], b" system\"", b" system'", b" public "]
        .iter()
        .any(|keyword| crate::patterns::find(declaration, keyword).is_some());
    let confidence = if is_external { Confidence::High } else { Confidence::Medium };
    let reason = if is_external { "XML external entity" } else { "XML entity declaration" };
    findings.add_excerpt(Detector::Traversal, confidence, reason, text);
}

/// Requests for files a shop never serves, judged on the path's segments.
fn path_probes(path: &[u8], findings: &mut Findings) {
    let is_directory = path.ends_with(b"/");
    let segments: Vec<&[u8]> = path.split(|b| *b == b'/').filter(|s| !s.is_empty()).collect();
    for (idx, segment) in segments.iter().enumerate() {
        let is_last = idx + 1 == segments.len();
        if segment.len() > 1 && segment[0] == b'.' && segment[1] != b'.' {
            if *segment == b".well-known" {
                return;
            }
            let name_end =
                segment[1..].iter().position(|b| *b == b'.').map_or(segment.len(), |p| p + 1);
            let is_known = KNOWN_DOTFILES.iter().any(|known| {
                segment.starts_with(known)
                    && (segment.len() == known.len()
                        || !segment[known.len()].is_ascii_alphanumeric())
            }) || KNOWN_DOTFILES.contains(&&segment[..name_end]);
            let confidence = if is_known { Confidence::High } else { Confidence::Medium };
            findings.add_excerpt(Detector::Traversal, confidence, "dotfile probe", segment);
            return;
        }
        if !is_last || is_directory {
            continue;
        }
        let parts: Vec<&[u8]> = segment.split(|b| *b == b'.').collect();
        if parts.len() < 2 {
            continue;
        }
        let extensions = &parts[1..];
        let stem = parts[0];
        let has = |list: &[&[u8]]| extensions.iter().any(|ext| list.contains(ext));
        if has(BACKUP_EXTENSIONS) {
            findings.add_excerpt(
                Detector::Traversal,
                Confidence::High,
                "backup or dump file",
                segment,
            );
        } else if has(ARCHIVE_EXTENSIONS) && BACKUP_NAMES.contains(&stem) {
            findings.add_excerpt(
                Detector::Traversal,
                Confidence::Medium,
                "backup archive",
                segment,
            );
        } else if extensions.last().is_some_and(|ext| SECRET_EXTENSIONS.contains(ext)) {
            findings.add_excerpt(
                Detector::Traversal,
                Confidence::Medium,
                "key or secret file",
                segment,
            );
        } else if extensions.last().is_some_and(|ext| LEAKY_EXTENSIONS.contains(ext)) {
            let is_leaky = stem
                .split(|b| !b.is_ascii_alphanumeric())
                .chain(std::iter::once(stem))
                .any(|word| LEAKY_NAMES.contains(&word));
            if is_leaky {
                findings.add_excerpt(
                    Detector::Traversal,
                    Confidence::Medium,
                    "configuration or log file",
                    segment,
                );
            }
        }
    }
}

/// A parameter whose value is a backup or dump file name (`backup.sql.zip`).
fn value_file(text: &[u8], subject: &Subject<'_>, findings: &mut Findings) {
    let value = text.trim_ascii();
    if value.is_empty() || value.iter().any(|b| b.is_ascii_whitespace()) {
        return;
    }
    let name = value.rsplit(|b| *b == b'/').next().unwrap_or(value);
    let parts: Vec<&[u8]> = name.split(|b| *b == b'.').collect();
    if parts.len() >= 2
        && !parts[0].is_empty()
        && parts[1..].iter().any(|ext| BACKUP_EXTENSIONS.contains(ext))
    {
        findings.add_excerpt(
            Detector::Traversal,
            Confidence::Medium,
            "backup or dump file",
            subject.text,
        );
    }
}

/// Standard base64 (or URL-safe), ignoring what does not decode.
pub(crate) fn decode_base64(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for &byte in text {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        buffer = buffer << 6 | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}
