//! Plain text and log files: every line scanned for spans.

use crate::file::LineReader;
use crate::report::{Problem, ScanOptions, SourceReport, SpanFinding, TextReport};

pub(crate) fn scan_text(lines: &mut LineReader, options: &ScanOptions, report: &mut SourceReport) {
    report.format = "text".to_owned();
    let mut text = TextReport::default();
    let mut is_sampled = false;
    while let Some(line) = lines.next_line() {
        let line = match line {
            Ok(line) => line,
            Err(message) => {
                report.problems.push(Problem::whole(message));
                break;
            }
        };
        if lines.n_lines > options.max_lines {
            is_sampled = true;
            break;
        }
        let spans = pii::find_spans(&line);
        if spans.is_empty() {
            continue;
        }
        text.lines_with_spans += 1;
        for span in spans {
            *text.counts.entry(span.kind).or_default() += 1;
            if pii::is_fingerprinted(span.kind) && text.fingerprints.len() < 4096 {
                text.fingerprints.insert(pii::fingerprint(&line[span.start..span.end], span.kind));
            }
            if text.spans.len() < options.max_spans_kept {
                text.spans.push(SpanFinding {
                    line: lines.n_lines,
                    start: span.start,
                    end: span.end,
                    kind: span.kind,
                    masked: pii::mask(&line[span.start..span.end]),
                });
            }
        }
    }
    text.lines = lines.n_lines.min(options.max_lines);
    report.sampling = if is_sampled {
        format!("first {} lines", options.max_lines)
    } else {
        "every line".to_owned()
    };
    report.text = Some(text);
}
