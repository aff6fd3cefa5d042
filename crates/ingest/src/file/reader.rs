//! Opening a byte stream with the decoder its first bytes call for, counting
//! the raw bytes consumed.

use std::fmt;
use std::io::{self, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::zstd::ZstdDecoder;
use crate::{Error, Result, describe_io_error};

/// Bytes looked at to recognize a format (bzip2 needs ten).
const MAGIC_BYTES: usize = 10;

/// The read size of the compressed side of a decoder.
const COMPRESSED_BUFFER_BYTES: usize = 128 * 1024;

/// How a source's bytes are encoded, as recognized from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed (or in no format this crate recognizes).
    Plain,
    /// gzip, with any number of members.
    Gzip,
    /// Zstandard, with any number of frames.
    Zstd,
}

/// A source's decoded bytes, as an [`io::Read`].
///
/// Errors in the middle of the data (corrupt gzip or zstd, a disk error)
/// come out of `read`; [`LineReader`](crate::LineReader) turns them into
/// [`Error::Read`] with the line where they happened.
pub struct Reader {
    decoder: Decoder,
    compression: Compression,
    progress: Arc<AtomicU64>,
}

enum Decoder {
    Plain(Prefixed<Counted>),
    Gzip(Box<flate2::bufread::MultiGzDecoder<BufReader<Prefixed<Counted>>>>),
    Zstd(Box<ZstdDecoder<BufReader<Prefixed<Counted>>>>),
}

impl Reader {
    /// Reads `raw` through the decoder that its first bytes call for.
    ///
    /// `display` names the source in errors. Fails when the first bytes
    /// cannot be read, or show a compression this crate does not decode
    /// ([`Error::UnsupportedCompression`]).
    pub fn new(raw: impl Read + Send + 'static, display: &str) -> Result<Reader> {
        let progress = Arc::new(AtomicU64::new(0));
        let mut counted = Counted { inner: Box::new(raw), progress: Arc::clone(&progress) };
        let mut prefix = [0; MAGIC_BYTES];
        let len = read_prefix(&mut counted, &mut prefix).map_err(|error| Error::Open {
            source_display: display.to_owned(),
            message: describe_io_error(&error),
        })?;
        let magic = &prefix[..len];
        if let Some((format, command)) = unsupported_format(magic) {
            return Err(Error::UnsupportedCompression {
                source_display: display.to_owned(),
                format,
                command,
            });
        }
        let compression = compression_of(magic);
        let prefixed = Prefixed { prefix, pos: 0, len, inner: counted };
        let decoder = match compression {
            Compression::Plain => Decoder::Plain(prefixed),
            Compression::Gzip => {
                Decoder::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(buffered(prefixed))))
            }
            Compression::Zstd => Decoder::Zstd(Box::new(ZstdDecoder::new(buffered(prefixed)))),
        };
        Ok(Reader { decoder, compression, progress })
    }

    /// How the source is encoded.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The count of raw (for a compressed source, compressed) bytes consumed
    /// so far, to compare with [`Source::size`](crate::Source::size). It may
    /// be read from another thread, with [`Ordering::Relaxed`].
    pub fn progress(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.progress)
    }
}

impl Read for Reader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.decoder {
            Decoder::Plain(reader) => reader.read(buf),
            Decoder::Gzip(reader) => reader.read(buf),
            Decoder::Zstd(reader) => reader.read(buf),
        }
    }
}

impl fmt::Debug for Reader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("compression", &self.compression)
            .field("progress", &self.progress.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

fn buffered<R: Read>(reader: R) -> BufReader<R> {
    BufReader::with_capacity(COMPRESSED_BUFFER_BYTES, reader)
}

/// Reads until `prefix` is full or the input ends; pipes may return a few
/// bytes at a time.
fn read_prefix(reader: &mut impl Read, prefix: &mut [u8]) -> io::Result<usize> {
    let mut len = 0;
    while len < prefix.len() {
        match reader.read(&mut prefix[len..]) {
            Ok(0) => break,
            Ok(n_read) => len += n_read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(len)
}

fn compression_of(magic: &[u8]) -> Compression {
    match magic {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        // A skippable frame (magic 0x184D2A50 to 0x184D2A5F), which pzstd
        // writes first.
        [low, 0x2a, 0x4d, 0x18, ..] if low & 0xf0 == 0x50 => Compression::Zstd,
        _ => Compression::Plain,
    }
}

/// Formats recognized only to be refused: the format and a command that
/// decompresses it.
fn unsupported_format(magic: &[u8]) -> Option<(&'static str, &'static str)> {
    match magic {
        [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Some(("xz", "xz -dc")),
        [b'B', b'Z', b'h', b'1'..=b'9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59] => {
            Some(("bzip2", "bzip2 -dc"))
        }
        [0x04, 0x22, 0x4d, 0x18, ..] => Some(("lz4", "lz4 -dc")),
        _ => None,
    }
}

/// The raw input, counting what it hands out.
struct Counted {
    inner: Box<dyn Read + Send>,
    progress: Arc<AtomicU64>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n_read = self.inner.read(buf)?;
        self.progress.fetch_add(n_read as u64, Ordering::Relaxed);
        Ok(n_read)
    }
}

/// Gives back the bytes read to recognize the format, then the rest.
struct Prefixed<R> {
    prefix: [u8; MAGIC_BYTES],
    pos: usize,
    len: usize,
    inner: R,
}

impl<R: Read> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.len {
            return self.inner.read(buf);
        }
        let n_copied = buf.len().min(self.len - self.pos);
        buf[..n_copied].copy_from_slice(&self.prefix[self.pos..self.pos + n_copied]);
        self.pos += n_copied;
        Ok(n_copied)
    }
}
