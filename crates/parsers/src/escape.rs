//! Undoing the escaping web servers apply to logged values.
//!
//! nginx (`escape=default`) writes `"`, `\` and bytes outside printable ASCII as
//! `\xHH`; Apache writes `\"`, `\\` and `\xhh`. Both are undone here so an event
//! holds what the client sent. Text without a backslash is borrowed as is.

use std::borrow::Cow;

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Unescapes a logged value; borrowed when there was nothing to undo.
pub(crate) fn unescape(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let Some(first) = crate::format::find_byte(bytes, b'\\') else {
        return Cow::Borrowed(text);
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..first]);
    let mut idx = first;
    while idx < bytes.len() {
        let byte = bytes[idx];
        if byte != b'\\' {
            out.push(byte);
            idx += 1;
            continue;
        }
        match bytes.get(idx + 1) {
            Some(b'x') => {
                let decoded = bytes
                    .get(idx + 2)
                    .and_then(|&high| hex_value(high))
                    .zip(bytes.get(idx + 3).and_then(|&low| hex_value(low)));
                if let Some((high, low)) = decoded {
                    out.push(high << 4 | low);
                    idx += 4;
                } else {
                    out.push(b'\\');
                    idx += 1;
                }
            }
            Some(&next @ (b'"' | b'\\')) => {
                out.push(next);
                idx += 2;
            }
            Some(b'n') => {
                out.push(b'\n');
                idx += 2;
            }
            Some(b't') => {
                out.push(b'\t');
                idx += 2;
            }
            Some(b'r') => {
                out.push(b'\r');
                idx += 2;
            }
            _ => {
                out.push(b'\\');
                idx += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(text) => Cow::Owned(text),
        Err(error) => Cow::Owned(String::from_utf8_lossy(error.as_bytes()).into_owned()),
    }
}
