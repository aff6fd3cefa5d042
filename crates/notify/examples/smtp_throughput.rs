//! Run with: cargo run -p notify --example smtp_throughput -- PORT [COUNT]
//!
//! Sends COUNT (default 2000) notice-sized messages (Chinese subject and
//! body) over one plain SMTP session to 127.0.0.1:PORT, e.g. a local
//! `python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c aiosmtpd.handlers.Sink`, and
//! prints messages per second.

use std::time::Instant;

use model::Timestamp;
use notify::email::{Email, message_id_for};
use notify::smtp::{SmtpConfig, SmtpSession};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().ok_or("usage: smtp_throughput PORT [COUNT]")?.parse()?;
    let count: usize = args.next().map_or(Ok(2000), |text| text.parse())?;
    let config = SmtpConfig::plain("127.0.0.1", port);
    let body = "親愛的會員您好：\n本公司於 2026 年 12 月 7 日發現會員資料遭未經授權存取……\n我們不會要求您操作 ATM；如接獲可疑電話，請撥 165 反詐騙專線。\n".repeat(4);
    let started = Instant::now();
    let mut session = SmtpSession::connect(&config).await?;
    for n in 0..count {
        let email = Email {
            from: "privacy@shop.example".to_owned(),
            from_name: "示範商店".to_owned(),
            to: vec![format!("person{n}@example.org")],
            subject: "【個資外洩通知】示範商店".to_owned(),
            text: body.clone(),
            message_id: message_id_for(&format!("bench/{n}"), "privacy@shop.example"),
            date: Timestamp::from_unix_secs(1_800_000_000),
            language: "zh-TW",
        };
        session.send(&email).await?;
    }
    session.quit().await;
    let seconds = started.elapsed().as_secs_f64();
    let rate = count as f64 / seconds;
    // An example reports on standard output.
    #[allow(clippy::print_stdout)]
    {
        println!("{count} messages in {seconds:.2}s: {rate:.0} messages/s");
    }
    Ok(())
}
