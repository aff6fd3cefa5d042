//! Picks a format from a file's first lines.
//!
//! Every candidate parses the sample; the one that parses the most lines wins,
//! and among equals the one whose events carry the most fields (so `combined`
//! beats `common` on a combined log, and the nginx JSON preset beats the login
//! preset on nginx JSON lines). The caller reports what was picked and why.

use model::Event;

use crate::{FormatSpec, JsonMapping, Parser, ParserOptions};

/// The format picked for a sample, and how many of its lines it parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The chosen format.
    pub spec: FormatSpec,
    /// Lines of the sample that parsed with it.
    pub n_parsed: usize,
    /// Lines in the sample (blank lines excluded).
    pub n_sampled: usize,
}

fn candidates(sample: &[&str]) -> Vec<FormatSpec> {
    let mut specs = vec![
        FormatSpec::Combined,
        FormatSpec::Common,
        FormatSpec::NginxError,
        FormatSpec::ApacheError,
    ];
    if sample.iter().any(|line| line.trim_start().starts_with('{')) {
        for name in ["nginx", "caddy", "traefik", "login"] {
            if let Some(mapping) = JsonMapping::preset(name) {
                specs.push(FormatSpec::Json(mapping));
            }
        }
    }
    specs
}

fn richness(event: &Event<'_>) -> usize {
    [
        !event.method.is_empty(),
        !event.path.is_empty(),
        event.status.is_some(),
        !event.user_agent.is_empty(),
        !event.referer.is_empty(),
        !event.host.is_empty(),
        !event.account.is_empty(),
        event.outcome.is_some(),
        event.notice.is_some(),
        event.bytes.is_some(),
    ]
    .into_iter()
    .filter(|&is_set| is_set)
    .count()
}

/// Chooses the format that parses most of `sample`, or `None` if none parses any.
pub fn detect_format(sample: &[&str]) -> Option<Detection> {
    let lines: Vec<&str> = sample.iter().copied().filter(|line| !line.trim().is_empty()).collect();
    let options = ParserOptions::default();
    let mut best: Option<(usize, usize, FormatSpec)> = None;
    for spec in candidates(&lines) {
        let Ok(parser) = Parser::compile(&spec, &options) else { continue };
        let (mut n_parsed, mut n_fields) = (0, 0);
        for line in &lines {
            if let Ok(event) = parser.parse(line) {
                n_parsed += 1;
                n_fields += richness(&event);
            }
        }
        let is_better = match &best {
            None => n_parsed > 0,
            Some((best_parsed, best_fields, _)) => {
                n_parsed > *best_parsed || (n_parsed == *best_parsed && n_fields > *best_fields)
            }
        };
        if is_better {
            best = Some((n_parsed, n_fields, spec));
        }
    }
    best.map(|(n_parsed, _, spec)| Detection { spec, n_parsed, n_sampled: lines.len() })
}
