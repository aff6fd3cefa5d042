//! The text report, in English or Traditional Chinese.

use std::fmt::Write;

use model::Timestamp;
use model::{Action, Alert, Severity};
use pipeline::{Counted, Summary};

use crate::analyze::Analysis;
use crate::config::{Config, Language};

/// Labels of the text report, per language.
struct Labels {
    title: &'static str,
    sources: &'static str,
    lines: &'static str,
    events: &'static str,
    events_title: &'static str,
    errors: &'static str,
    detected: &'static str,
    time_span: &'static str,
    no_events: &'static str,
    out_of_order: &'static str,
    distinct_ips: &'static str,
    approx: &'static str,
    parse_errors: &'static str,
    first_errors: &'static str,
    unusual: &'static str,
    too_long: &'static str,
    invalid_utf8: &'static str,
    nul: &'static str,
    no_newline: &'static str,
    blank: &'static str,
    top_ips: &'static str,
    top_paths: &'static str,
    statuses: &'static str,
    user_agents: &'static str,
    methods: &'static str,
    kinds: &'static str,
    speed: &'static str,
    problem: &'static str,
}

const ENGLISH: Labels = Labels {
    title: "leakguard analyze",
    sources: "Sources",
    lines: "lines",
    events: "events",
    events_title: "Events",
    errors: "errors",
    detected: "detected",
    time_span: "Time span",
    no_events: "no events",
    out_of_order: "out of order",
    distinct_ips: "Distinct client IPs",
    approx: "about",
    parse_errors: "Parse errors",
    first_errors: "first ones",
    unusual: "Unusual lines",
    too_long: "too long",
    invalid_utf8: "not UTF-8",
    nul: "with NUL bytes",
    no_newline: "last line without newline",
    blank: "blank",
    top_ips: "Top client IPs",
    top_paths: "Top paths",
    statuses: "Status codes",
    user_agents: "Top user agents",
    methods: "Methods",
    kinds: "Event kinds",
    speed: "Read",
    problem: "problem",
};

const CHINESE: Labels = Labels {
    title: "leakguard 日誌分析",
    sources: "來源",
    lines: "行",
    events: "事件",
    events_title: "事件",
    errors: "錯誤",
    detected: "自動判斷",
    time_span: "時間範圍",
    no_events: "沒有事件",
    out_of_order: "時間順序錯亂",
    distinct_ips: "不重複的來源 IP",
    approx: "約",
    parse_errors: "無法解析的行",
    first_errors: "前幾筆",
    unusual: "異常的行",
    too_long: "過長",
    invalid_utf8: "非 UTF-8",
    nul: "含 NUL 位元組",
    no_newline: "最後一行缺少換行",
    blank: "空白",
    top_ips: "請求最多的 IP",
    top_paths: "請求最多的路徑",
    statuses: "HTTP 狀態碼",
    user_agents: "最常見的 User-Agent",
    methods: "HTTP 方法",
    kinds: "事件種類",
    speed: "讀取",
    problem: "問題",
};

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (idx, ch) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A time in the site's zone, to the second: `2026-11-20 08:00:01 +08:00`.
pub(crate) fn local_time(time: Timestamp, offset: i32) -> String {
    let text = time
        .add_micros(-time.as_unix_micros().rem_euclid(1_000_000))
        .to_rfc3339_with_offset(offset);
    let (date_time, zone) = if let Some(stripped) = text.strip_suffix('Z') {
        (stripped.to_owned(), "+00:00".to_owned())
    } else {
        let split = text.len() - 6;
        (text[..split].to_owned(), text[split..].to_owned())
    };
    format!("{} {zone}", date_time.replacen('T', " ", 1))
}

fn duration_text(secs: i64) -> String {
    let (days, hours, minutes, seconds) =
        (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if days > 0 {
        format!("{days}d {hours}h {minutes}m")
    } else if hours > 0 {
        format!("{hours}h {minutes}m")
    } else {
        format!("{minutes}m {seconds}s")
    }
}

/// Cuts text to a display width, marking the cut.
fn cut(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn table(out: &mut String, title: &str, rows: &[Counted], width: usize) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    let count_width = rows.iter().map(|row| thousands(row.count).len()).max().unwrap_or(1);
    for row in rows {
        let _ =
            writeln!(out, "  {:>count_width$}  {}", thousands(row.count), cut(&row.value, width));
    }
}

/// Renders the summary section shared by `analyze` and `demo`.
pub(crate) fn render(analysis: &Analysis, config: &Config, language: Language) -> String {
    let labels = match language {
        Language::English => &ENGLISH,
        Language::TraditionalChinese => &CHINESE,
    };
    let summary: &Summary = &analysis.summary;
    let mut out = String::new();
    let speed = if analysis.elapsed_secs > 0.0 {
        summary.lines as f64 / analysis.elapsed_secs
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "{} · {}\n{}: {} {} · {:.1} MB · {:.2} s · {} {}/s",
        labels.title,
        config.site_name,
        labels.speed,
        thousands(summary.lines),
        labels.lines,
        summary.bytes as f64 / 1e6,
        analysis.elapsed_secs,
        thousands(speed as u64),
        labels.lines,
    );
    let _ = writeln!(out, "\n{}", labels.sources);
    for source in &summary.sources {
        let detected =
            if source.detected { format!(" ({})", labels.detected) } else { String::new() };
        let _ = writeln!(
            out,
            "  {}  [{}{}]  {} {} · {} {} · {} {}",
            source.source,
            source.format,
            detected,
            thousands(source.lines),
            labels.lines,
            thousands(source.events),
            labels.events,
            thousands(source.parse_errors),
            labels.errors,
        );
        if let Some(problem) = &source.problem {
            let _ = writeln!(out, "    ! {}: {problem}", labels.problem);
        }
    }
    let offset = config.utc_offset_secs;
    match summary.time_span {
        Some(span) => {
            let _ = writeln!(
                out,
                "\n{}: {} → {} ({})",
                labels.time_span,
                local_time(span.first, offset),
                local_time(span.last, offset),
                duration_text(span.last.as_unix_secs() - span.first.as_unix_secs()),
            );
            if span.out_of_order > 0 {
                let _ = writeln!(out, "  {} {}", thousands(span.out_of_order), labels.out_of_order);
            }
        }
        None => {
            let _ = writeln!(out, "\n{}: {}", labels.time_span, labels.no_events);
        }
    }
    let approx = if summary.distinct_ips_exact { "" } else { labels.approx };
    let _ = writeln!(
        out,
        "{}: {} · {}: {}{}",
        labels.events_title,
        thousands(summary.events),
        labels.distinct_ips,
        if approx.is_empty() { String::new() } else { format!("{approx} ") },
        thousands(summary.distinct_ips),
    );
    if summary.parse_errors > 0 {
        let _ = writeln!(
            out,
            "\n{}: {} ({})",
            labels.parse_errors,
            thousands(summary.parse_errors),
            labels.first_errors
        );
        for sample in &summary.error_samples {
            let _ = writeln!(out, "  {}:{}: {}", sample.source, sample.line, sample.message);
            let _ = writeln!(out, "    | {}", cut(&sample.text, 100));
        }
    }
    let issues = &summary.issues;
    let unusual: Vec<String> = [
        (issues.too_long, labels.too_long),
        (issues.invalid_utf8, labels.invalid_utf8),
        (issues.contains_nul, labels.nul),
        (issues.no_trailing_newline, labels.no_newline),
        (issues.blank, labels.blank),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, label)| format!("{} {label}", thousands(count)))
    .collect();
    if !unusual.is_empty() {
        let _ = writeln!(out, "{}: {}", labels.unusual, unusual.join(" · "));
    }
    if summary.kinds.len() > 1 {
        table(&mut out, labels.kinds, &summary.kinds, 40);
    }
    table(&mut out, labels.top_ips, &summary.top_ips, 45);
    table(&mut out, labels.top_paths, &summary.top_paths, 80);
    table(&mut out, labels.statuses, &summary.top_statuses, 10);
    table(&mut out, labels.methods, &summary.top_methods, 20);
    table(&mut out, labels.user_agents, &summary.top_user_agents, 100);
    render_rises(&mut out, &analysis.baseline_rises, language);
    if analysis.detection.is_some() {
        out.push_str(&render_alerts(&analysis.alerts, config, language));
    }
    out
}

/// Pages (or other keys) above their usual count, spread over many visitors:
/// worth knowing, not an alert.
fn render_rises(out: &mut String, rises: &[crate::analyze::RiseReport], language: Language) {
    if rises.is_empty() {
        return;
    }
    let title = match language {
        Language::English => "Above their usual count (spread over many visitors, no alert)",
        Language::TraditionalChinese => "高於平常的流量（分散在許多訪客，未發出警示）",
    };
    let _ = writeln!(out, "\n{title}");
    for rise in rises.iter().take(20) {
        let percent = 100.0 * (rise.count as f64 - rise.baseline) / rise.baseline.max(1.0);
        let line = match language {
            Language::English => format!(
                "  {}: {} from {} (usual {:.0}, +{percent:.0}%)",
                rise.key, rise.count, rise.period_start, rise.baseline
            ),
            Language::TraditionalChinese => format!(
                "  {}：{} 起 {} 次（平常 {:.0}，+{percent:.0}%）",
                rise.key, rise.period_start, rise.count, rise.baseline
            ),
        };
        let _ = writeln!(out, "{line}");
    }
    if rises.len() > 20 {
        let _ = writeln!(out, "  … {}", rises.len() - 20);
    }
}

fn severity_label(severity: Severity, language: Language) -> &'static str {
    match (severity, language) {
        (Severity::Critical, Language::English) => "CRITICAL",
        (Severity::High, Language::English) => "HIGH",
        (Severity::Medium, Language::English) => "MEDIUM",
        (Severity::Low, Language::English) => "LOW",
        (Severity::Info, Language::English) => "INFO",
        (Severity::Critical, Language::TraditionalChinese) => "嚴重",
        (Severity::High, Language::TraditionalChinese) => "高",
        (Severity::Medium, Language::TraditionalChinese) => "中",
        (Severity::Low, Language::TraditionalChinese) => "低",
        (Severity::Info, Language::TraditionalChinese) => "資訊",
    }
}

fn duration_words(secs: u64) -> String {
    match secs {
        0 => "0s".to_owned(),
        secs if secs % 86_400 == 0 => format!("{}d", secs / 86_400),
        secs if secs % 3600 == 0 => format!("{}h", secs / 3600),
        secs if secs % 60 == 0 => format!("{}m", secs / 60),
        secs => format!("{secs}s"),
    }
}

fn action_words(alert: &Alert, language: Language) -> Vec<String> {
    let zh = language == Language::TraditionalChinese;
    alert
        .response
        .iter()
        .map(|response| {
            let scope = response.scope.as_str();
            let value = &response.value;
            let duration = response.duration_secs.map(duration_words);
            match (response.action, zh) {
                (Action::Ban, false) => format!(
                    "ban {scope} {value}{}",
                    duration.map(|d| format!(" for {d}")).unwrap_or_default()
                ),
                (Action::Ban, true) => format!(
                    "封鎖 {scope} {value}{}",
                    duration.map(|d| format!("（{d}）")).unwrap_or_default()
                ),
                (Action::ForceReset, false) => format!("force a password reset for {value}"),
                (Action::ForceReset, true) => format!("強制 {value} 重設密碼"),
                (Action::RequireOtp, false) => format!("require a one-time password for {value}"),
                (Action::RequireOtp, true) => format!("要求 {value} 以一次性密碼驗證"),
                (Action::Notify, false) => "notify the operator".to_owned(),
                (Action::Notify, true) => "通知管理者".to_owned(),
            }
        })
        .collect()
}

/// Renders the alerts, grouped by severity, each with its evidence.
pub(crate) fn render_alerts(alerts: &[Alert], config: &Config, language: Language) -> String {
    let zh = language == Language::TraditionalChinese;
    let mut out = String::new();
    if alerts.is_empty() {
        let _ = writeln!(out, "\n{}", if zh { "警示：無" } else { "Alerts: none" });
        return out;
    }
    let _ = writeln!(
        out,
        "\n{} ({})",
        if zh { "警示" } else { "Alerts" },
        thousands(alerts.len() as u64)
    );
    let offset = config.utc_offset_secs;
    let mut current = None;
    for alert in alerts {
        if current != Some(alert.severity) {
            current = Some(alert.severity);
            let count = alerts.iter().filter(|other| other.severity == alert.severity).count();
            let _ = writeln!(out, "\n[{}] {}", severity_label(alert.severity, language), count);
        }
        let title =
            if zh && !alert.title.zh_tw.is_empty() { &alert.title.zh_tw } else { &alert.title.en };
        let _ = writeln!(out, "  {title}  ({})", alert.rule_id);
        let _ = writeln!(
            out,
            "    {} {} · {} {} · {} → {}",
            if zh { "對象" } else { "key" },
            alert.key,
            thousands(alert.count),
            if zh { "次" } else { "events" },
            local_time(alert.first_seen, offset),
            local_time(alert.last_seen, offset),
        );
        let _ = writeln!(out, "    {} {}", if zh { "原因" } else { "why" }, alert.reason);
        let actions = action_words(alert, language);
        if !actions.is_empty() {
            let _ = writeln!(out, "    {} {}", if zh { "建議" } else { "do" }, actions.join("; "));
        }
        for sample in alert.samples.iter().take(3) {
            let _ = writeln!(
                out,
                "    | {}:{}  {}",
                sample.source,
                sample.line,
                cut(&sample.text, 110)
            );
        }
        if alert.samples.len() > 3 {
            let _ = writeln!(
                out,
                "    | … {} {}",
                alert.samples.len() - 3,
                if zh {
                    "行證據（見 --output json）"
                } else {
                    "more evidence lines (see --output json)"
                }
            );
        }
    }
    out
}
