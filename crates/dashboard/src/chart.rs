//! The overview's chart, drawn on the server as SVG: requests per hour as
//! bars, alerts per hour as a line with dots, hour labels in the site's zone.
//! Colours come from CSS classes (the policy forbids inline styles).

use std::fmt::Write as _;

use model::Timestamp;

use crate::html::{Lang, esc, thousands, time};

/// One hour's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Point {
    pub(crate) requests: i64,
    pub(crate) errors: i64,
    pub(crate) alerts: i64,
}

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 48.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// A round axis maximum at or above `value`.
fn nice_max(value: i64) -> i64 {
    if value <= 0 {
        return 1;
    }
    let mut step = 1;
    while step * 10 <= value {
        step *= 10;
    }
    for factor in [1, 2, 5, 10] {
        if step * factor >= value {
            return step * factor;
        }
    }
    step * 10
}

/// The chart for hours (hour numbers since the epoch, ascending) and their counts.
pub(crate) fn render(points: &[(i64, Point)], lang: Lang, offset: i32) -> String {
    if points.is_empty() {
        return format!(
            "<p class=\"muted\">{}</p>",
            lang.t("Nothing to chart yet.", "尚無資料可繪製圖表。")
        );
    }
    let first = points[0].0;
    let last = points[points.len() - 1].0;
    let hours = usize::try_from(last - first + 1).unwrap_or(1).clamp(1, 24 * 31);
    let mut series = vec![Point::default(); hours];
    for (hour, point) in points {
        if let Ok(index) = usize::try_from(hour - first)
            && index < hours
        {
            series[index] = *point;
        }
    }
    let max_requests = nice_max(series.iter().map(|p| p.requests).max().unwrap_or(0));
    let max_alerts = nice_max(series.iter().map(|p| p.alerts).max().unwrap_or(0));
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / hours as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" id=\"overview-chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\">",
        esc(lang.t("Requests and alerts per hour", "每小時請求與警報"))
    );
    // Grid and left axis (requests).
    for step in 0..=4 {
        let y = TOP + plot_h - plot_h * f64::from(step) / 4.0;
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>",
            WIDTH - RIGHT
        );
        let _ = write!(
            svg,
            "<text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LEFT - 8.0,
            y + 4.0,
            thousands(max_requests * i64::from(step) / 4)
        );
        let _ = write!(
            svg,
            "<text class=\"axis alerts\" x=\"{}\" y=\"{:.1}\">{}</text>",
            WIDTH - RIGHT + 8.0,
            y + 4.0,
            thousands(max_alerts * i64::from(step) / 4)
        );
    }
    // Bars: requests, with the error share darker at the bottom.
    for (index, point) in series.iter().enumerate() {
        let x = LEFT + slot * index as f64 + slot * 0.12;
        let w = (slot * 0.76).max(1.0);
        let h = plot_h * point.requests as f64 / max_requests as f64;
        let hour_start = Timestamp::from_unix_secs((first + index as i64) * 3600);
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{h:.1}\"><title>{} · {} {} · {} {}</title></rect>",
            TOP + plot_h - h,
            time(hour_start, offset),
            thousands(point.requests),
            lang.t("requests", "請求"),
            thousands(point.alerts),
            lang.t("alerts", "警報"),
        );
        if point.errors > 0 {
            let eh = plot_h * point.errors as f64 / max_requests as f64;
            let _ = write!(
                svg,
                "<rect class=\"bar errors\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{eh:.1}\"/>",
                TOP + plot_h - eh
            );
        }
    }
    // Alerts: a line over the bars, dots where there were any.
    let mut path = String::new();
    for (index, point) in series.iter().enumerate() {
        let x = LEFT + slot * (index as f64 + 0.5);
        let y = TOP + plot_h - plot_h * point.alerts as f64 / max_alerts as f64;
        let _ = write!(path, "{}{x:.1},{y:.1}", if index == 0 { "M" } else { " L" });
    }
    let _ = write!(svg, "<path class=\"alert-line\" d=\"{path}\"/>");
    for (index, point) in series.iter().enumerate().filter(|(_, point)| point.alerts > 0) {
        let x = LEFT + slot * (index as f64 + 0.5);
        let y = TOP + plot_h - plot_h * point.alerts as f64 / max_alerts as f64;
        let _ = write!(
            svg,
            "<circle class=\"alert-dot\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\"><title>{} {}</title></circle>",
            point.alerts,
            lang.t("alerts", "警報")
        );
    }
    // Hour labels: about eight along the axis.
    let every = hours.div_ceil(8).max(1);
    for index in (0..hours).step_by(every) {
        let x = LEFT + slot * (index as f64 + 0.5);
        let label = time(Timestamp::from_unix_secs((first + index as i64) * 3600), offset);
        let short = label.get(5..16).unwrap_or(&label);
        let _ = write!(
            svg,
            "<text class=\"axis\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            HEIGHT - BOTTOM + 18.0,
            esc(short)
        );
    }
    svg.push_str("</svg>");
    let _ = write!(
        svg,
        "<p class=\"legend\"><span><span class=\"key bar\"></span>{}</span><span><span class=\"key errors\"></span>{}</span><span><span class=\"key alert-line\"></span>{}</span></p>",
        lang.t("requests (left axis)", "請求（左軸）"),
        lang.t("errors", "錯誤"),
        lang.t("alerts (right axis)", "警報（右軸）"),
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(130), 200);
        assert_eq!(nice_max(4_100), 5_000);
        assert_eq!(nice_max(1_000), 1_000);
    }

    #[test]
    fn the_chart_has_a_bar_per_hour_and_no_inline_style() {
        let point = |requests, alerts| Point { requests, errors: requests / 10, alerts };
        let svg = render(&[(100, point(50, 0)), (102, point(120, 3))], Lang::En, 8 * 3600);
        assert_eq!(svg.matches("class=\"bar\"").count(), 3, "the empty hour between is drawn too");
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(!svg.contains("style="));
        assert!(render(&[], Lang::ZhTw, 0).contains("尚無資料"));
    }
}
