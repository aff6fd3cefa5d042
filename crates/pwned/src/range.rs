//! The range API's answer: one prefix's `SUFFIX:COUNT` lines, optionally padded.

use std::collections::BTreeSet;

use rand::Rng;

use crate::Bucket;

/// The fewest lines a padded answer has.
pub const MIN_PADDED_LINES: usize = 800;
/// The most lines padding brings an answer to (a prefix with more real hashes keeps them all).
pub const MAX_PADDED_LINES: usize = 1000;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Writes a bucket as the range API does: `SUFFIX:COUNT` lines in suffix
/// order, upper-case hex, separated by CRLF (no line break after the last).
///
/// With `padding`, fake suffixes with count 0 bring the answer to a random
/// number of lines between [`MIN_PADDED_LINES`] and [`MAX_PADDED_LINES`], so
/// the response's size does not tell which prefix was asked; a fake suffix
/// is never one of the bucket's real ones, and never repeats.
pub fn render_range<R: Rng + ?Sized>(bucket: &Bucket, padding: Option<&mut R>) -> Vec<u8> {
    let line_len = bucket.kind().suffix_hex_len() + 1 + 10 + 2;
    let fakes = match padding {
        Some(rng) => fake_suffixes(bucket, rng),
        None => BTreeSet::new(),
    };
    let mut out = Vec::with_capacity((bucket.len() + fakes.len()) * line_len);
    let mut fakes = fakes.into_iter().peekable();
    for (suffix, count) in bucket.entries() {
        while let Some(fake) = fakes.next_if(|fake| fake.as_slice() < suffix) {
            write_line(&mut out, &fake, 0);
        }
        write_line(&mut out, suffix, count);
    }
    for fake in fakes {
        write_line(&mut out, &fake, 0);
    }
    if out.ends_with(b"\r\n") {
        out.truncate(out.len() - 2);
    }
    out
}

/// Fake suffixes for padding, sorted, none of them real.
fn fake_suffixes<R: Rng + ?Sized>(bucket: &Bucket, rng: &mut R) -> BTreeSet<Vec<u8>> {
    let target = rng.gen_range(MIN_PADDED_LINES..=MAX_PADDED_LINES);
    let n_fakes = target.saturating_sub(bucket.len());
    let suffix_len = bucket.kind().hash_len() - 2;
    // The first byte's high half is the prefix's last hex digit, as in real records.
    let last_digit = u8::try_from(bucket.prefix().value() & 0xF).unwrap_or(0);
    let mut fakes = BTreeSet::new();
    while fakes.len() < n_fakes {
        let mut suffix = vec![0u8; suffix_len];
        rng.fill(suffix.as_mut_slice());
        suffix[0] = (last_digit << 4) | (suffix[0] & 0x0F);
        if !bucket.contains_suffix(&suffix) {
            fakes.insert(suffix);
        }
    }
    fakes
}

/// Each byte's two upper-case hex digits.
const HEX_PAIRS: [[u8; 2]; 256] = {
    let mut pairs = [[0u8; 2]; 256];
    let mut byte = 0;
    while byte < 256 {
        pairs[byte] = [HEX[byte >> 4], HEX[byte & 0x0F]];
        byte += 1;
    }
    pairs
};

/// The longest line: 18 suffix bytes (35 digits), a colon, 10 count digits, CRLF.
const MAX_LINE: usize = 35 + 1 + 10 + 2;

/// One line: the suffix's hex without the prefix's digit, a colon, the count,
/// CRLF; built on the stack and appended at once.
fn write_line(out: &mut Vec<u8>, suffix: &[u8], count: u32) {
    let mut line = [0u8; MAX_LINE + 2];
    let mut at = 0;
    if let Some((first, rest)) = suffix.split_first() {
        line[0] = HEX[usize::from(first & 0x0F)];
        at = 1;
        for &byte in rest.iter().take(17) {
            line[at..at + 2].copy_from_slice(&HEX_PAIRS[usize::from(byte)]);
            at += 2;
        }
    }
    line[at] = b':';
    at += 1;
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    let mut value = count;
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    let n_digits = digits.len() - start;
    line[at..at + n_digits].copy_from_slice(&digits[start..]);
    at += n_digits;
    line[at..at + 2].copy_from_slice(b"\r\n");
    out.extend_from_slice(&line[..at + 2]);
}
