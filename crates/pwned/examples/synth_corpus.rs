//! Run with: cargo run --release -p pwned --example synth_corpus -- OUT [FILLED_PREFIXES] [PER_PREFIX]
//!
//! Writes a packed SHA-1 corpus with random hashes for benchmarks: the full
//! 2^20-entry index, and PER_PREFIX hashes (950 by default, as in the real
//! corpus of about 1 billion) under FILLED_PREFIXES prefixes spread evenly
//! (16,384 by default, 15.6 million hashes, 340 MB). Every request for a
//! filled prefix then reads and writes as much as on the full corpus. It also
//! prints the filled prefixes' step, for the wrk script.

use std::path::PathBuf;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out =
        PathBuf::from(args.next().ok_or("usage: synth_corpus OUT [FILLED_PREFIXES] [PER_PREFIX]")?);
    let n_filled: u32 = args.next().map(|text| text.parse()).transpose()?.unwrap_or(16_384);
    let per_prefix: usize = args.next().map(|text| text.parse()).transpose()?.unwrap_or(950);
    let step = (pwned::N_PREFIXES / n_filled.max(1)).max(1);
    let mut rng = StdRng::seed_from_u64(7);
    let n_hashes = pwned::write_packed(&out, pwned::HashKind::Sha1, |prefix| {
        if prefix.value() % step != 0 {
            return Vec::new();
        }
        let value = prefix.value();
        (0..per_prefix)
            .map(|_| {
                let mut hash = vec![0u8; 20];
                rng.fill(hash.as_mut_slice());
                hash[0] = (value >> 12) as u8;
                hash[1] = (value >> 4) as u8;
                hash[2] = (((value & 0xF) as u8) << 4) | (hash[2] & 0x0F);
                (hash, rng.gen_range(1..100_000))
            })
            .collect()
    })?;
    let bytes = std::fs::metadata(&out)?.len();
    #[allow(clippy::print_stdout)]
    {
        println!("{n_hashes} hashes, {bytes} bytes, filled prefixes every {step}");
    }
    Ok(())
}
