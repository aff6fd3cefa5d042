//! The synchronous processor behind `analyze` and, later, the live daemon.

use detection::{Engine, EngineStats, Evidence};
use geoip::GeoLookup;
pub use ingest::LineIssue;
use model::{Alert, Event, Timestamp};
use parsers::{FormatSpec, Parser, ParserOptions, detect_format};

use crate::summary::{
    Counted, ErrorSample, IssueCounts, SourceSummary, Summary, SummaryBuilder, SummaryLimits,
    TimeSpan,
};

/// How a source's format is chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum FormatChoice {
    /// Always this format.
    Fixed(FormatSpec),
    /// Detected from the first lines of each source.
    Auto,
}

/// Index of a source in this processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceId(usize);

/// Lines sampled before a format is chosen for an auto-detected source.
const DETECTION_SAMPLE: usize = 64;
/// Characters of a bad line kept in an error sample.
const SAMPLE_CHARS: usize = 160;

#[derive(Debug)]
struct PendingLine {
    number: u64,
    text: String,
}

#[derive(Debug)]
struct SourceState {
    summary: SourceSummary,
    parser: Option<Parser>,
    pending: Vec<PendingLine>,
    last_time: Timestamp,
}

/// Turns lines into events and accumulates the summary.
#[derive(Debug)]
pub struct Processor {
    choice: FormatChoice,
    options: ParserOptions,
    sources: Vec<SourceState>,
    builder: SummaryBuilder,
    lines: u64,
    bytes: u64,
    events: u64,
    parse_errors: u64,
    error_samples: Vec<ErrorSample>,
    issues: IssueCounts,
    scratch: String,
    engine: Option<Engine>,
    geo: Option<Box<dyn GeoLookup>>,
}

impl Processor {
    /// A processor that reads every source with `choice`.
    pub fn new(choice: FormatChoice, options: ParserOptions, limits: SummaryLimits) -> Processor {
        Processor {
            choice,
            options,
            sources: Vec::new(),
            builder: SummaryBuilder::new(limits),
            lines: 0,
            bytes: 0,
            events: 0,
            parse_errors: 0,
            error_samples: Vec::new(),
            issues: IssueCounts::default(),
            scratch: String::new(),
            engine: None,
            geo: None,
        }
    }

    /// Sets each event's country and AS number from `geo` before the summary
    /// and the engine see it (enrichment; without it both stay unknown).
    pub fn with_geo(mut self, geo: Box<dyn GeoLookup>) -> Processor {
        self.geo = Some(geo);
        self
    }

    /// The enrichment, when there is one.
    pub fn geo(&self) -> Option<&dyn GeoLookup> {
        self.geo.as_deref()
    }

    /// Runs every event through a detection engine as well.
    pub fn with_engine(mut self, engine: Engine) -> Processor {
        self.engine = Some(engine);
        self
    }

    /// Closes the detection engine's open alerts and returns every alert
    /// raised (none without an engine).
    pub fn finish_alerts(&mut self) -> Vec<Alert> {
        self.engine.as_mut().map(Engine::finish).unwrap_or_default()
    }

    /// Snapshots of the alerts opened since the last call, in opening order
    /// (none without an engine): what the live daemon decides on at once.
    pub fn take_new_alerts(&mut self) -> Vec<Alert> {
        self.engine.as_mut().map(Engine::take_new_alerts).unwrap_or_default()
    }

    /// The alerts closed since the last call (none without an engine); the
    /// live daemon takes them so that they do not pile up.
    pub fn take_closed_alerts(&mut self) -> Vec<Alert> {
        self.engine.as_mut().map(Engine::take_closed_alerts).unwrap_or_default()
    }

    /// One source's counts so far.
    pub fn source_summary(&self, source: SourceId) -> &SourceSummary {
        &self.sources[source.0].summary
    }

    /// The latest event time seen on a source, if it had an event.
    pub fn source_last_time(&self, source: SourceId) -> Option<Timestamp> {
        let last = self.sources[source.0].last_time;
        (last != Timestamp::MIN).then_some(last)
    }

    /// The rules the detection engine runs, when there is one.
    pub fn rule_set(&self) -> Option<&rules::RuleSet> {
        self.engine.as_ref().map(Engine::rule_set)
    }

    /// Rules the detection engine runs (0 without one).
    pub fn n_rules(&self) -> usize {
        self.engine.as_ref().map_or(0, |engine| engine.rule_set().len())
    }

    /// The detection engine's counters, when there is one.
    pub fn engine_stats(&self) -> Option<EngineStats> {
        self.engine.as_ref().map(Engine::stats)
    }

    /// The detection engine, when there is one (per-rule state, rises).
    pub fn engine(&self) -> Option<&Engine> {
        self.engine.as_ref()
    }

    /// The pages (or other keys) of `baseline` rules that rose above their
    /// baseline without an alert, for the summary, and how many more were
    /// dropped past the bound. Call after [`finish_alerts`](Processor::finish_alerts).
    pub fn take_baseline_rises(&mut self) -> (Vec<detection::BaselineRise>, u64) {
        self.engine.as_mut().map(Engine::take_baseline_rises).unwrap_or_default()
    }

    /// Starts a source. Returns an error message when a fixed format does not compile.
    pub fn begin_source(&mut self, display: &str) -> Result<SourceId, parsers::CompileError> {
        let (parser, format, detected) = match &self.choice {
            FormatChoice::Fixed(spec) => {
                (Some(Parser::compile(spec, &self.options)?), spec.name(), false)
            }
            FormatChoice::Auto => (None, "auto".to_owned(), true),
        };
        self.sources.push(SourceState {
            summary: SourceSummary {
                source: display.to_owned(),
                format,
                detected,
                lines: 0,
                events: 0,
                parse_errors: 0,
                problem: None,
            },
            parser,
            pending: Vec::new(),
            last_time: Timestamp::MIN,
        });
        Ok(SourceId(self.sources.len() - 1))
    }

    /// Records a problem with a whole source (it could not be opened or read to the end).
    pub fn source_problem(&mut self, source: SourceId, problem: String) {
        self.sources[source.0].summary.problem = Some(problem);
    }

    /// Feeds one line (without its newline).
    pub fn line(&mut self, source: SourceId, number: u64, bytes: &[u8], issue: Option<LineIssue>) {
        self.lines += 1;
        self.bytes += bytes.len() as u64 + 1;
        self.sources[source.0].summary.lines += 1;
        match issue {
            Some(LineIssue::TooLong { .. }) => self.issues.too_long += 1,
            Some(LineIssue::NoTrailingNewline) => {
                self.issues.no_trailing_newline += 1;
                self.bytes -= 1;
            }
            Some(LineIssue::ContainsNul) => self.issues.contains_nul += 1,
            None => {}
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            self.issues.blank += 1;
            return;
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        // simdutf8's check is several times faster than std's on long lines;
        // only a failure pays for std's detailed error.
        let text: &str = match simdutf8::basic::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                self.issues.invalid_utf8 += 1;
                scratch.clear();
                scratch.push_str(&String::from_utf8_lossy(bytes));
                &scratch
            }
        };
        if let Some(LineIssue::TooLong { length }) = issue {
            self.record_error(
                source,
                number,
                format!("line is {length} bytes, over the line-length limit; skipped"),
                text,
            );
        } else if self.sources[source.0].parser.is_some() {
            self.parse_line(source, number, text);
        } else {
            let state = &mut self.sources[source.0];
            state.pending.push(PendingLine { number, text: text.to_owned() });
            if state.pending.len() >= DETECTION_SAMPLE {
                self.choose_format(source);
            }
        }
        self.scratch = scratch;
    }

    /// Ends a source: a source too short to have filled the detection sample is detected now.
    pub fn end_source(&mut self, source: SourceId) {
        if self.sources[source.0].parser.is_none() && !self.sources[source.0].pending.is_empty() {
            self.choose_format(source);
        }
    }

    fn choose_format(&mut self, source: SourceId) {
        let pending = std::mem::take(&mut self.sources[source.0].pending);
        let sample: Vec<&str> = pending.iter().map(|line| line.text.as_str()).collect();
        let detection = detect_format(&sample);
        let state = &mut self.sources[source.0];
        let spec = match detection {
            Some(detection) => {
                state.summary.format = detection.spec.name();
                detection.spec
            }
            None => {
                state.summary.format = "unrecognised".to_owned();
                state.summary.problem = Some(format!(
                    "no supported format parses any of the first {} lines; \
                     name the format with --format (or --nginx-log-format for a custom log_format)",
                    pending.len()
                ));
                FormatSpec::Combined
            }
        };
        let parser = Parser::compile(&spec, &self.options)
            .expect("detected formats are built-ins that compile");
        state.parser = Some(parser);
        for line in &pending {
            self.parse_line(source, line.number, &line.text);
        }
    }

    fn parse_line(&mut self, source: SourceId, number: u64, text: &str) {
        let state = &mut self.sources[source.0];
        let parser = state.parser.as_ref().expect("parse_line runs once a parser is chosen");
        match parser.parse(text) {
            Ok(mut event) => {
                if let Some(geo) = &mut self.geo {
                    enrich(&mut **geo, &mut event);
                }
                state.summary.events += 1;
                self.events += 1;
                self.builder.add(&event, &mut state.last_time);
                if let Some(engine) = &mut self.engine {
                    let evidence = Evidence { source: &state.summary.source, line: number, text };
                    engine.feed(&event, &evidence);
                }
            }
            Err(error) => {
                let message = error.to_string();
                self.record_error(source, number, message, text);
            }
        }
    }

    fn record_error(&mut self, source: SourceId, number: u64, message: String, text: &str) {
        let state = &mut self.sources[source.0];
        state.summary.parse_errors += 1;
        self.parse_errors += 1;
        if self.error_samples.len() < self.builder.limits.error_samples {
            self.error_samples.push(ErrorSample {
                source: state.summary.source.clone(),
                line: number,
                message,
                text: text.chars().take(SAMPLE_CHARS).collect(),
            });
        }
    }

    /// Feeds an already-parsed event (from an intake that is not a log line).
    /// Enrichment fills its country and AS number unless it has them already.
    pub fn event(&mut self, source: SourceId, event: &Event<'_>, line: u64, text: &str) {
        let enriched;
        let event = match (&mut self.geo, event.client_ip) {
            (Some(geo), Some(_)) if event.country.is_none() && event.asn.is_none() => {
                let mut copy = event.clone();
                enrich(&mut **geo, &mut copy);
                enriched = copy;
                &enriched
            }
            _ => event,
        };
        let state = &mut self.sources[source.0];
        state.summary.events += 1;
        self.events += 1;
        self.builder.add(event, &mut state.last_time);
        if let Some(engine) = &mut self.engine {
            engine.feed(event, &Evidence { source: &state.summary.source, line, text });
        }
    }

    /// Events so far.
    pub fn n_events(&self) -> u64 {
        self.events
    }

    /// The summary of everything fed so far.
    pub fn summary(&self) -> Summary {
        let builder = &self.builder;
        let rows = builder.limits.top_rows;
        let time_span = (self.events > 0 && builder.first <= builder.last).then_some(TimeSpan {
            first: builder.first,
            last: builder.last,
            out_of_order: builder.out_of_order,
        });
        let (distinct_ips, distinct_ips_exact) = if builder.ips.is_pruned() {
            (builder.distinct.estimate(), false)
        } else {
            (builder.ips.len() as u64, true)
        };
        let mut top_statuses: Vec<Counted> = builder
            .statuses
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(status, count)| Counted { value: status.to_string(), count: *count })
            .collect();
        if builder.no_status > 0 {
            top_statuses.push(Counted { value: "-".to_owned(), count: builder.no_status });
        }
        top_statuses.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let kinds = ["request", "login", "server_notice"]
            .iter()
            .zip(builder.kinds)
            .filter(|(_, count)| *count > 0)
            .map(|(kind, count)| Counted { value: (*kind).to_owned(), count })
            .collect();
        Summary {
            sources: self.sources.iter().map(|state| state.summary.clone()).collect(),
            lines: self.lines,
            bytes: self.bytes,
            events: self.events,
            parse_errors: self.parse_errors,
            error_samples: self.error_samples.clone(),
            issues: self.issues,
            time_span,
            kinds,
            distinct_ips,
            distinct_ips_exact,
            top_ips: builder.ips.top(rows, ToString::to_string),
            top_paths: builder.paths.top(rows),
            top_statuses,
            top_user_agents: builder.user_agents.top(rows),
            top_methods: builder.methods.top(rows),
        }
    }
}

/// Sets the event's country and AS number from `geo`.
fn enrich(geo: &mut dyn GeoLookup, event: &mut Event<'_>) {
    if let Some(ip) = event.client_ip {
        let found = geo.lookup(ip);
        event.country = found.country;
        event.asn = found.asn;
    }
}
