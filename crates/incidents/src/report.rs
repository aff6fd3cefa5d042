//! The regulator's report: the fields of 個人資料侵害事故通報與紀錄表,
//! filled from the incident, as printable HTML and as Markdown.

use model::Timestamp;
use serde::Serialize;

use crate::calendar;
use crate::incident::{Incident, IncidentKind};
use crate::scope::ScopeSummary;

/// Who files the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reporter {
    /// Name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Address.
    pub address: String,
}

/// Who reports to whom, when: the form's header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportHeader {
    /// Company name.
    pub company: String,
    /// Receiving agency.
    pub agency: String,
    /// Who files it.
    pub reporter: Reporter,
    /// When it is filed.
    pub report_time: Timestamp,
    /// The site's offset from UTC (seconds).
    pub utc_offset_secs: i32,
}

/// The form, filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegulatorReport {
    /// Company name.
    pub company: String,
    /// Receiving agency.
    pub agency: String,
    /// Report time.
    pub report_time: Timestamp,
    /// Reporter.
    pub reporter: Reporter,
    /// When it was discovered.
    pub discovered_at: Timestamp,
    /// When it began.
    pub occurred_from: Option<Timestamp>,
    /// When it ended.
    pub occurred_to: Option<Timestamp>,
    /// Type.
    pub kind: IncidentKind,
    /// People affected (when scoped).
    pub people: Option<u64>,
    /// Records of general data affected.
    pub general_records: Option<u64>,
    /// Records of special data affected.
    pub special_records: Option<u64>,
    /// Kinds of data exposed (labels) with the number of people per kind.
    pub fields: Vec<(String, u64)>,
    /// Cause and summary.
    pub cause: String,
    /// Damage.
    pub damage: String,
    /// Possible consequences for the people.
    pub consequences: String,
    /// Measures taken and planned.
    pub measures: String,
    /// When and how the people are (to be) notified.
    pub notification_plan: String,
    /// Reported within 72 hours of discovery (the report time counts).
    pub within_72h: bool,
    /// Why not, when not.
    pub late_reason: String,
    /// The site's offset from UTC (seconds) for the times shown.
    pub utc_offset_secs: i32,
}

impl RegulatorReport {
    /// Fills the form from an incident and its scope.
    /// `label` turns a data-kind name into its zh-TW label.
    pub fn build(
        incident: &Incident,
        scope: Option<&ScopeSummary>,
        label: &dyn Fn(&str) -> String,
        header: ReportHeader,
    ) -> RegulatorReport {
        let details = &incident.details;
        let ReportHeader { company, agency, reporter, report_time, utc_offset_secs } = header;
        RegulatorReport {
            company,
            agency,
            report_time,
            reporter,
            discovered_at: incident.discovered_at,
            occurred_from: incident.occurred_from,
            occurred_to: incident.occurred_to,
            kind: incident.kind,
            people: scope.map(|scope| scope.people),
            general_records: scope.map(|scope| scope.general_records),
            special_records: scope.map(|scope| scope.special_records),
            fields: scope
                .map(|scope| {
                    scope.people_per_field.iter().map(|(kind, n)| (label(kind), *n)).collect()
                })
                .unwrap_or_default(),
            cause: details.cause.clone(),
            damage: details.damage.clone(),
            consequences: details.consequences.clone(),
            measures: details.measures.clone(),
            notification_plan: details.notification_plan.clone(),
            within_72h: report_time <= incident.discovered_at.add_secs(72 * 3600),
            late_reason: details.late_reason.clone(),
            utc_offset_secs,
        }
    }

    /// The rows of the form: (zh-TW label, English label, value).
    pub fn rows(&self) -> Vec<(&'static str, &'static str, String)> {
        let time = |time: Timestamp| {
            format!(
                "{}（{}）",
                calendar::roc_date_time(time, self.utc_offset_secs),
                calendar::local_date_time(time, self.utc_offset_secs)
            )
        };
        let optional_time =
            |value: Option<Timestamp>| value.map_or_else(|| "不明 unknown".to_owned(), time);
        let count = |value: Option<u64>| {
            value.map_or_else(|| "調查中 under investigation".to_owned(), |n| n.to_string())
        };
        let or_pending = |text: &str| {
            if text.trim().is_empty() {
                "（待補）(to be completed)".to_owned()
            } else {
                text.trim().to_owned()
            }
        };
        let kinds = IncidentKind::ALL
            .iter()
            .map(|kind| {
                let mark = if *kind == self.kind { "■" } else { "□" };
                format!("{mark}{}", kind.label_zh())
            })
            .collect::<Vec<_>>()
            .join(" ");
        let reporter = &self.reporter;
        let fields = if self.fields.is_empty() {
            "調查中 under investigation".to_owned()
        } else {
            self.fields
                .iter()
                .map(|(label, n)| format!("{label} {n}"))
                .collect::<Vec<_>>()
                .join("、")
        };
        vec![
            ("公司名稱", "Company", self.company.clone()),
            ("受通報機關", "Receiving agency", self.agency.clone()),
            ("通報時間", "Report time", time(self.report_time)),
            ("通報人姓名", "Reporter", or_pending(&reporter.name)),
            ("職稱", "Title", or_pending(&reporter.title)),
            ("電話", "Phone", or_pending(&reporter.phone)),
            ("電子郵件", "E-mail", or_pending(&reporter.email)),
            ("地址", "Address", or_pending(&reporter.address)),
            ("發生時間（起）", "Incident from", optional_time(self.occurred_from)),
            ("發生時間（迄）", "Incident to", optional_time(self.occurred_to)),
            ("知悉時間", "Discovered", time(self.discovered_at)),
            ("事故類型", "Type", kinds),
            ("受影響當事人數", "People affected", count(self.people)),
            ("一般個資筆數", "Records: general data", count(self.general_records)),
            ("特種個資筆數", "Records: special data", count(self.special_records)),
            ("外洩個資類別（人數）", "Data exposed (people)", fields),
            ("事故原因及摘要", "Cause and summary", or_pending(&self.cause)),
            ("損害狀況", "Damage", or_pending(&self.damage)),
            ("對當事人可能之影響", "Possible consequences", or_pending(&self.consequences)),
            ("已採取及擬採取之措施", "Measures", or_pending(&self.measures)),
            (
                "通知當事人之時間及方式",
                "Notification of the people",
                or_pending(&self.notification_plan),
            ),
            (
                "是否於72小時內通報",
                "Reported within 72 hours",
                if self.within_72h {
                    "■是 yes □否 no".to_owned()
                } else {
                    "□是 yes ■否 no".to_owned()
                },
            ),
            (
                "逾時通報理由",
                "Reason for the delay",
                if self.within_72h { "—".to_owned() } else { or_pending(&self.late_reason) },
            ),
        ]
    }

    /// Markdown (also readable as plain text).
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# 個人資料侵害事故通報與紀錄表\n\n");
        out.push_str("Personal data breach report and record (Taiwan)\n\n");
        out.push_str("> 本表由 leakguard 依事故紀錄自動填寫，送出前請交由法律顧問審閱。\n");
        out.push_str("> Filled by leakguard from the incident record; have it reviewed by your counsel before filing.\n\n");
        out.push_str("| 欄位 Field | 內容 Value |\n| --- | --- |\n");
        for (zh, en, value) in self.rows() {
            let value = value.replace('|', "\\|").replace('\n', "<br>");
            out.push_str(&format!("| {zh} {en} | {value} |\n"));
        }
        out
    }

    /// A printable HTML page (A4, no scripts, no external resources).
    pub fn to_html(&self) -> String {
        let mut out = String::from(
            "<!DOCTYPE html>\n<html lang=\"zh-Hant-TW\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>個人資料侵害事故通報與紀錄表</title>\n<style>\n\
             @page { size: A4; margin: 18mm; }\n\
             body { font-family: \"Noto Sans TC\", \"Microsoft JhengHei\", sans-serif; font-size: 11pt; }\n\
             table { border-collapse: collapse; width: 100%; }\n\
             th, td { border: 1px solid #000; padding: 4px 6px; vertical-align: top; text-align: left; }\n\
             th { width: 30%; background: #eee; }\n\
             .note { font-size: 9pt; }\n</style>\n</head>\n<body>\n\
             <h1>個人資料侵害事故通報與紀錄表</h1>\n\
             <p class=\"note\">本表由 leakguard 依事故紀錄自動填寫，送出前請交由法律顧問審閱。\
             Filled by leakguard from the incident record; have it reviewed by your counsel before filing.</p>\n\
             <table>\n",
        );
        for (zh, en, value) in self.rows() {
            out.push_str(&format!(
                "<tr><th>{}<br><small>{}</small></th><td>{}</td></tr>\n",
                escape_html(zh),
                escape_html(en),
                escape_html(&value).replace('\n', "<br>")
            ));
        }
        out.push_str("</table>\n</body>\n</html>\n");
        out
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}
