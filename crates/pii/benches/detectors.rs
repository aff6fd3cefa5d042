//! Detector throughput in MB/s on CSV-like shop exports and on access-log lines.
//!
//! Run with `cargo bench -p pii`. Inputs are generated here, deterministically.

use divan::counter::BytesCount;

fn main() {
    divan::main();
}

/// A small deterministic generator (xorshift), so inputs are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + (self.next() % 10) as u8)).collect()
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const NAMES: &[&str] = &["陳美玲", "林志明", "黃淑芬", "張家豪", "李俊傑", "王雅婷"];
const ROADS: &[&str] = &["中山路", "民生東路二段", "自強街", "復興南路一段", "光復路"];
const CITIES: &[&str] = &["臺北市大安區", "新北市板橋區", "桃園市中壢區", "高雄市苓雅區"];

/// About `bytes` of CSV rows like a members export (mostly non-personal columns).
fn csv_text(bytes: usize) -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut text = String::with_capacity(bytes + 256);
    let mut member = 10_000;
    while text.len() < bytes {
        member += 1;
        let line = format!(
            "{member},{},09{},{}{}{}號,user{}@example.com,{},VIP,{},Y,2021-03-15 03:44:45,{}\n",
            rng.pick(NAMES),
            rng.digits(8),
            rng.pick(CITIES),
            rng.pick(ROADS),
            rng.next() % 400,
            rng.digits(4),
            rng.digits(6),
            rng.next() % 20_000,
            rng.digits(12),
        );
        text.push_str(&line);
    }
    text
}

/// About `bytes` of combined-format access-log lines.
fn log_text(bytes: usize) -> String {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut text = String::with_capacity(bytes + 512);
    while text.len() < bytes {
        let line = format!(
            "{}.{}.{}.{} - - [05/May/2023:20:20:58 +0800] \"GET /products/C{}?page={} HTTP/1.1\" 200 {} \"https://shop.example.com.tw/\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36\"\n",
            rng.next() % 256,
            rng.next() % 256,
            rng.next() % 256,
            rng.next() % 256,
            rng.digits(9),
            rng.next() % 10,
            rng.next() % 40_000,
        );
        text.push_str(&line);
    }
    text
}

const SIZE: usize = 4 << 20;

#[divan::bench]
fn find_spans_csv(bencher: divan::Bencher<'_, '_>) {
    let text = csv_text(SIZE);
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        text.lines().map(|line| pii::find_spans(divan::black_box(line)).len()).sum::<usize>()
    });
}

#[divan::bench]
fn find_spans_access_log(bencher: divan::Bencher<'_, '_>) {
    let text = log_text(SIZE);
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        text.lines().map(|line| pii::find_spans(divan::black_box(line)).len()).sum::<usize>()
    });
}

#[divan::bench]
fn classify_cells(bencher: divan::Bencher<'_, '_>) {
    let text = csv_text(SIZE);
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        text.lines()
            .flat_map(|line| line.split(','))
            .filter(|cell| pii::classify_value(divan::black_box(cell)).is_some())
            .count()
    });
}
