//! A Zstandard decoder for whole files: every frame in turn, skippable
//! frames skipped, checksums checked.
//!
//! `ruzstd`'s own streaming decoder stops after one frame, but `zstd` writes
//! one frame per input when given several, and `pzstd` writes many.

use std::error::Error as _;
use std::io::{self, BufRead, Read};

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

pub(crate) struct ZstdDecoder<R> {
    source: R,
    frame: FrameDecoder,
    is_in_frame: bool,
}

impl<R: BufRead> ZstdDecoder<R> {
    pub(crate) fn new(source: R) -> Self {
        ZstdDecoder { source, frame: FrameDecoder::new(), is_in_frame: false }
    }

    /// Reads the next frame's header; false at the end of the input.
    fn start_frame(&mut self) -> io::Result<bool> {
        loop {
            if self.source.fill_buf()?.is_empty() {
                return Ok(false);
            }
            match self.frame.reset(&mut self.source) {
                Ok(()) => return Ok(true),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let length = u64::from(length);
                    let n_skipped =
                        io::copy(&mut (&mut self.source).take(length), &mut io::sink())?;
                    if n_skipped < length {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                }
                Err(error) => return Err(decoding_error(&error)),
            }
        }
    }

    fn check_checksum(&self) -> io::Result<()> {
        let expected = self.frame.get_checksum_from_data();
        let actual = self.frame.get_calculated_checksum();
        match (expected, actual) {
            (Some(expected), Some(actual)) if expected != actual => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "zstd checksum mismatch (the data is corrupt)",
            )),
            _ => Ok(()),
        }
    }
}

impl<R: BufRead> Read for ZstdDecoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.is_in_frame {
                if !self.start_frame()? {
                    return Ok(0);
                }
                self.is_in_frame = true;
            }
            // Decoding a block may give fewer bytes than can be collected
            // (the window is kept back), so decode until enough are ready.
            while self.frame.can_collect() < buf.len() && !self.frame.is_finished() {
                let wanted = buf.len() - self.frame.can_collect();
                self.frame
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBytes(wanted))
                    .map_err(|error| decoding_error(&error))?;
            }
            let n_read = self.frame.read(buf)?;
            if n_read > 0 {
                return Ok(n_read);
            }
            if !self.frame.is_finished() {
                return Err(io::Error::other("zstd decoder made no progress"));
            }
            self.check_checksum()?;
            self.is_in_frame = false;
        }
    }
}

/// Describes a decoding error in the crate's message style.
fn decoding_error(error: &FrameDecoderError) -> io::Error {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(inner) = cause {
        if let Some(io_error) = inner.downcast_ref::<io::Error>()
            && io_error.kind() == io::ErrorKind::UnexpectedEof
        {
            return io::ErrorKind::UnexpectedEof.into();
        }
        cause = inner.source();
    }
    let message = match error {
        FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::BadMagicNumber(_)) => {
            "invalid zstd frame header".to_owned()
        }
        _ => format!("corrupt zstd stream ({error})"),
    };
    io::Error::new(io::ErrorKind::InvalidData, message)
}
