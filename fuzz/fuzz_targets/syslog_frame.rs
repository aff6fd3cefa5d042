//! The syslog TCP framer and message parser, on arbitrary bytes split at
//! arbitrary points: never panics, never returns a frame over the limit.
#![no_main]

use ingest::syslog::{TcpFramer, parse_message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, data)) = data.split_first() else {
        return;
    };
    let max_frame_bytes = usize::from(control % 64) + 1;
    let chunk = usize::from(control / 64) * 7 + 1;
    let mut framer = TcpFramer::new(max_frame_bytes);
    for piece in data.chunks(chunk) {
        framer.push(piece);
        while let Some(frame) = framer.next_frame() {
            if let Ok(frame) = frame {
                assert!(frame.len() <= max_frame_bytes);
                let _ = parse_message(frame);
            }
        }
    }
    let _ = framer.finish();
    let _ = parse_message(data);
});
