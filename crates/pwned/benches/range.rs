//! The range answer and the full-hash lookup from a packed corpus sized like
//! a slice of the real one: 950 hashes under each of 4,096 prefixes (the
//! real corpus has about 1 billion hashes, some 950 per prefix), so each
//! request reads and writes as much as it would on the full corpus.
//!
//! Run with: cargo bench -p pwned --bench range

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const N_PER_PREFIX: usize = 950;
const N_FILLED: u32 = 4096;
/// Filled prefixes are spread over the whole range, one every this many.
const STRIDE: u32 = pwned::N_PREFIXES / N_FILLED;

fn main() {
    divan::main();
}

struct Fixture {
    corpus: pwned::Corpus,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.lgp");
    let mut rng = StdRng::seed_from_u64(7);
    pwned::write_packed(&path, pwned::HashKind::Sha1, |prefix| {
        if prefix.value() % STRIDE != 0 {
            return Vec::new();
        }
        (0..N_PER_PREFIX)
            .map(|_| {
                let mut hash = vec![0u8; 20];
                rng.fill(hash.as_mut_slice());
                let value = prefix.value();
                hash[0] = (value >> 12) as u8;
                hash[1] = (value >> 4) as u8;
                hash[2] = ((value & 0xF) as u8) << 4 | (hash[2] & 0xF);
                (hash, rng.gen_range(1..10_000))
            })
            .collect()
    })
    .expect("write the corpus");
    let corpus = pwned::Corpus::open(&path, pwned::HashKind::Sha1).expect("open");
    Fixture { corpus, _dir: dir }
}

fn prefixes() -> impl Iterator<Item = pwned::Prefix> {
    (0..).map(|idx: u32| pwned::Prefix::from_value((idx % N_FILLED) * STRIDE).expect("in range"))
}

#[divan::bench]
fn range_answer(bencher: divan::Bencher) {
    let fixture = fixture();
    let mut next = prefixes();
    bencher.bench_local(|| {
        let bucket = fixture.corpus.bucket(next.next().expect("endless")).expect("bucket");
        pwned::render_range::<StdRng>(&bucket, None)
    });
}

#[divan::bench]
fn range_answer_padded(bencher: divan::Bencher) {
    let fixture = fixture();
    let mut rng = StdRng::seed_from_u64(1);
    // Half-empty prefixes exercise the padding itself.
    let mut next = (0..).map(|idx: u32| {
        pwned::Prefix::from_value((idx % N_FILLED) * STRIDE + idx % 2).expect("in range")
    });
    bencher.bench_local(|| {
        let bucket = fixture.corpus.bucket(next.next().expect("endless")).expect("bucket");
        pwned::render_range(&bucket, Some(&mut rng))
    });
}

#[divan::bench]
fn full_hash_count(bencher: divan::Bencher) {
    let fixture = fixture();
    let mut next = prefixes();
    bencher.bench_local(|| {
        let prefix = next.next().expect("endless").value();
        let hash = [
            (prefix >> 12) as u8,
            (prefix >> 4) as u8,
            ((prefix & 0xF) as u8) << 4,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            9,
            10,
            11,
            12,
            13,
            14,
            15,
            16,
            17,
        ];
        fixture.corpus.count(&hash).expect("count")
    });
}
