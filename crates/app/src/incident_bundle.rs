//! Evidence bundles: `leakguard incident export` writes the evidence of an
//! incident with a manifest (and a `sha256sum -c` list) to a folder or a
//! tar file; `leakguard incident verify` checks every hash again.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// The manifest's name inside a bundle.
pub(crate) const MANIFEST: &str = "manifest.json";
/// The `sha256sum -c` list's name inside a bundle.
pub(crate) const CHECKSUMS: &str = "SHA256SUMS";

/// One file of the bundle, as the manifest lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ManifestFile {
    pub(crate) path: String,
    pub(crate) sha256: String,
    pub(crate) size: u64,
    pub(crate) evidence_id: i64,
    pub(crate) kind: String,
    pub(crate) origin: String,
    pub(crate) added_by: String,
    pub(crate) added_at: String,
    pub(crate) note: String,
}

/// The manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub(crate) format: String,
    pub(crate) incident_id: i64,
    pub(crate) incident_title: String,
    pub(crate) exported_at: String,
    pub(crate) exported_by: String,
    pub(crate) files: Vec<ManifestFile>,
    pub(crate) custody: Vec<serde_json::Value>,
    pub(crate) timeline: Vec<serde_json::Value>,
}

/// A file name safe inside a bundle (no folders, no dots first).
pub(crate) fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() { "evidence".to_owned() } else { cleaned.to_owned() }
}

/// Writes the bundle: a folder, or a tar file when `out` ends in `.tar`.
pub(crate) fn write_bundle(
    out: &Path,
    manifest: &Manifest,
    contents: &[Vec<u8>],
) -> anyhow::Result<()> {
    let manifest_json = serde_json::to_vec_pretty(manifest)?;
    let mut entries: Vec<(String, &[u8])> = Vec::new();
    for (file, content) in manifest.files.iter().zip(contents) {
        entries.push((file.path.clone(), content));
    }
    let mut sums = String::new();
    for file in &manifest.files {
        sums.push_str(&format!("{}  {}\n", file.sha256, file.path));
    }
    sums.push_str(&format!("{}  {MANIFEST}\n", service::sha256_hex(&manifest_json)));
    entries.push((MANIFEST.to_owned(), &manifest_json));
    entries.push((CHECKSUMS.to_owned(), sums.as_bytes()));
    if is_tar(out) {
        let mut tar = Vec::new();
        for (path, content) in &entries {
            append_tar(&mut tar, path, content)?;
        }
        tar.extend_from_slice(&[0_u8; 1024]);
        write_new(out, &tar)
    } else {
        if out.exists()
            && std::fs::read_dir(out).map(|mut dir| dir.next().is_some()).unwrap_or(true)
        {
            bail!("{} exists and is not an empty folder; choose a new one", out.display());
        }
        for (path, content) in &entries {
            let target = out.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            write_new(&target, content)?;
        }
        Ok(())
    }
}

fn is_tar(path: &Path) -> bool {
    path.extension().is_some_and(|extension| extension.eq_ignore_ascii_case("tar"))
}

fn write_new(path: &Path, content: &[u8]) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("creating {} (it must not exist yet)", path.display()))?;
    file.write_all(content).with_context(|| format!("writing {}", path.display()))?;
    file.sync_all().with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Appends one file to a ustar archive.
fn append_tar(tar: &mut Vec<u8>, path: &str, content: &[u8]) -> anyhow::Result<()> {
    if path.len() > 100 {
        bail!("bundle path {path:?} is longer than 100 bytes");
    }
    let mut header = [0_u8; 512];
    header[..path.len()].copy_from_slice(path.as_bytes());
    let octal = |field: &mut [u8], value: u64| {
        let text = format!("{value:0width$o}", width = field.len() - 1);
        field[..text.len()].copy_from_slice(text.as_bytes());
    };
    octal(&mut header[100..108], 0o644);
    octal(&mut header[108..116], 0);
    octal(&mut header[116..124], 0);
    octal(&mut header[124..136], content.len() as u64);
    octal(&mut header[136..148], 0);
    header[156] = b'0';
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    header[148..156].copy_from_slice(b"        ");
    let checksum: u64 = header.iter().map(|&byte| u64::from(byte)).sum();
    let text = format!("{checksum:06o}\0 ");
    header[148..156].copy_from_slice(text.as_bytes());
    tar.extend_from_slice(&header);
    tar.extend_from_slice(content);
    let padding = (512 - content.len() % 512) % 512;
    tar.extend(std::iter::repeat_n(0_u8, padding));
    Ok(())
}

/// Reads a ustar archive's regular files.
fn read_tar(bytes: &[u8], shown: &str) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut offset = 0;
    while offset + 512 <= bytes.len() {
        let header = &bytes[offset..offset + 512];
        if header.iter().all(|&byte| byte == 0) {
            break;
        }
        let name_end = header[..100].iter().position(|&byte| byte == 0).unwrap_or(100);
        let name = String::from_utf8_lossy(&header[..name_end]).into_owned();
        let size_text = String::from_utf8_lossy(&header[124..136]);
        let size = u64::from_str_radix(size_text.trim_matches(|c: char| c == '\0' || c == ' '), 8)
            .with_context(|| format!("{shown}: bad size in the tar header of {name:?}"))?;
        let size = usize::try_from(size).context("entry too large")?;
        let start = offset + 512;
        let end = start.checked_add(size).filter(|end| *end <= bytes.len()).with_context(|| {
            format!("{shown}: {name:?} is cut short (the archive is truncated)")
        })?;
        files.insert(name, bytes[start..end].to_vec());
        offset = start + size.div_ceil(512) * 512;
    }
    Ok(files)
}

/// What `verify` found.
#[derive(Debug, Serialize)]
pub(crate) struct Verdict {
    pub(crate) incident_id: i64,
    pub(crate) files: usize,
    pub(crate) problems: Vec<String>,
}

/// Checks a bundle (folder or tar): the manifest's own hash, and every file's.
pub(crate) fn verify_bundle(bundle: &Path) -> anyhow::Result<Verdict> {
    let shown = bundle.display().to_string();
    let files: BTreeMap<String, Vec<u8>> = if bundle.is_dir() {
        let mut files = BTreeMap::new();
        collect_dir(bundle, bundle, &mut files)?;
        files
    } else {
        let mut bytes = Vec::new();
        std::fs::File::open(bundle)
            .with_context(|| format!("opening {shown}"))?
            .read_to_end(&mut bytes)
            .with_context(|| format!("reading {shown}"))?;
        read_tar(&bytes, &shown)?
    };
    let manifest_bytes =
        files.get(MANIFEST).with_context(|| format!("{shown} has no {MANIFEST}"))?;
    let manifest: Manifest = serde_json::from_slice(manifest_bytes)
        .with_context(|| format!("{shown}/{MANIFEST} is not a leakguard manifest"))?;
    let mut problems = Vec::new();
    let sums = files.get(CHECKSUMS).map(|bytes| String::from_utf8_lossy(bytes).into_owned());
    match sums.as_deref().and_then(|sums| {
        sums.lines().find_map(|line| line.strip_suffix(&format!("  {MANIFEST}")).map(str::to_owned))
    }) {
        Some(expected) if expected == service::sha256_hex(manifest_bytes) => {}
        Some(_) => problems.push(format!("{MANIFEST}: its hash does not match {CHECKSUMS}")),
        None => problems.push(format!("{CHECKSUMS}: missing or without the manifest's hash")),
    }
    for file in &manifest.files {
        match files.get(&file.path) {
            None => problems.push(format!("{}: missing", file.path)),
            Some(content) => {
                let actual = service::sha256_hex(content);
                if actual != file.sha256 {
                    problems.push(format!(
                        "{}: sha256 {actual}, the manifest says {}",
                        file.path, file.sha256
                    ));
                }
                if content.len() as u64 != file.size {
                    problems.push(format!(
                        "{}: {} bytes, the manifest says {}",
                        file.path,
                        content.len(),
                        file.size
                    ));
                }
            }
        }
    }
    let listed: Vec<&str> = manifest.files.iter().map(|file| file.path.as_str()).collect();
    for name in files.keys() {
        if name != MANIFEST && name != CHECKSUMS && !listed.contains(&name.as_str()) {
            problems.push(format!("{name}: not in the manifest"));
        }
    }
    Ok(Verdict { incident_id: manifest.incident_id, files: manifest.files.len(), problems })
}

fn collect_dir(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path: PathBuf = entry?.path();
        if path.is_dir() {
            collect_dir(root, &path, files)?;
        } else {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let name = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let content =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            files.insert(name, content);
        }
    }
    Ok(())
}
