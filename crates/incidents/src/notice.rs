//! Notices to the people affected and the public notice, from templates
//! (shipped in zh-TW and English, overridable by the user) with the content
//! PDPA Art. 12 and Enforcement Rules Art. 22 ask for, and the scam-call
//! warning.
//!
//! A template is text with `{{placeholder}}`s; lines starting with `##` are
//! comments (the shipped ones say the text must be reviewed by counsel); the
//! first line `Subject: …` is the subject.

use model::Timestamp;
use serde::Serialize;

use crate::calendar;
use crate::{Error, Result};

/// Which notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// One notice per person.
    Individual,
    /// One public notice (web, media).
    Public,
}

impl NoticeKind {
    /// The stable name (`individual`, `public`).
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Individual => "individual",
            NoticeKind::Public => "public",
        }
    }
}

/// The shipped template of a kind in a language (`zh-TW` or English).
pub fn builtin_template(kind: NoticeKind, zh_tw: bool) -> &'static str {
    match (kind, zh_tw) {
        (NoticeKind::Individual, true) => include_str!("../data/notice.zh-TW.txt"),
        (NoticeKind::Individual, false) => include_str!("../data/notice.en.txt"),
        (NoticeKind::Public, true) => include_str!("../data/public.zh-TW.txt"),
        (NoticeKind::Public, false) => include_str!("../data/public.en.txt"),
    }
}

/// Placeholders every template may use.
const SHARED: &[&str] = &[
    "company",
    "title",
    "discovered",
    "period",
    "people",
    "fields",
    "measures",
    "contact_phone",
    "contact_email",
    "contact_hours",
    "contact_after_hours",
    "notice_date",
];

/// Placeholders only an individual notice may use.
const PERSONAL: &[&str] = &["name", "your_fields"];

/// What the law asks a notice to state: a template must use these.
const REQUIRED: &[&str] = &["company", "discovered", "fields", "measures", "notice_date"];

/// The facts every notice of an incident states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeFacts {
    /// The shop's company name.
    pub company: String,
    /// The incident's title.
    pub title: String,
    /// When it was discovered.
    pub discovered_at: Timestamp,
    /// When it began, if known.
    pub occurred_from: Option<Timestamp>,
    /// When it ended, if known.
    pub occurred_to: Option<Timestamp>,
    /// People affected.
    pub people: u64,
    /// The kinds of data exposed, as labels in the notice's language.
    pub fields: Vec<String>,
    /// What the shop has done and is doing.
    pub measures: String,
    /// Customer-service phone.
    pub contact_phone: String,
    /// Customer-service e-mail.
    pub contact_email: String,
    /// Office hours.
    pub contact_hours: String,
    /// How to reach the shop outside office hours.
    pub contact_after_hours: String,
    /// The notice's date.
    pub notice_date: Timestamp,
    /// The site's offset from UTC (seconds), for every date shown.
    pub utc_offset_secs: i32,
}

/// One person's part of an individual notice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonalFacts {
    /// How to address them (their name, or a masked one in a preview).
    pub name: Option<String>,
    /// Their exposed data, as labels.
    pub fields: Vec<String>,
}

/// A checked template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    kind: NoticeKind,
    zh_tw: bool,
    subject: String,
    body: String,
}

/// A notice ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedNotice {
    /// The subject (e-mail) or first line.
    pub subject: String,
    /// The text.
    pub body: String,
}

fn placeholders(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    for (line_idx, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else { break };
            found.push((line_idx + 1, after[..end].trim()));
            rest = &after[end + 2..];
        }
    }
    found
}

impl Template {
    /// Parses and checks a template: known placeholders only, the required
    /// content present, and (for every notice) the scam-call warning with
    /// the 165 line. `name` names the template in errors (a file path).
    pub fn parse(text: &str, kind: NoticeKind, zh_tw: bool, name: &str) -> Result<Template> {
        let mut problems = Vec::new();
        let kept: Vec<&str> = text.lines().filter(|line| !line.starts_with("##")).collect();
        let mut lines = kept.iter().skip_while(|line| line.trim().is_empty());
        let subject = match lines.next().and_then(|line| line.strip_prefix("Subject:")) {
            Some(subject) => subject.trim().to_owned(),
            None => {
                problems.push("the first line must be `Subject: …`".to_owned());
                String::new()
            }
        };
        let body = lines.copied().collect::<Vec<_>>().join("\n").trim().to_owned() + "\n";
        let whole = format!("{subject}\n{body}");
        let kept_text = kept.join("\n");
        let found = placeholders(&kept_text);
        for (line, placeholder) in &found {
            let known = SHARED.contains(placeholder)
                || (kind == NoticeKind::Individual && PERSONAL.contains(placeholder));
            if !known {
                problems.push(format!("line {line}: unknown placeholder {{{{{placeholder}}}}}"));
            }
        }
        for required in REQUIRED {
            if !found.iter().any(|(_, placeholder)| placeholder == required) {
                problems.push(format!("the required {{{{{required}}}}} is missing"));
            }
        }
        if !found.iter().any(|(_, placeholder)| {
            *placeholder == "contact_phone" || *placeholder == "contact_email"
        }) {
            problems.push(
                "a way to ask ({{contact_phone}} or {{contact_email}}) is missing".to_owned(),
            );
        }
        if !whole.contains("165") || !(whole.contains("ATM")) {
            problems.push(
                "the scam-call warning (never asks you to operate an ATM; call 165) is missing"
                    .to_owned(),
            );
        }
        if !problems.is_empty() {
            return Err(Error::Template { name: name.to_owned(), problems: problems.join("; ") });
        }
        Ok(Template { kind, zh_tw, subject, body })
    }

    /// The shipped template.
    pub fn builtin(kind: NoticeKind, zh_tw: bool) -> Template {
        Template::parse(builtin_template(kind, zh_tw), kind, zh_tw, "builtin")
            .expect("the shipped templates are valid (tested)")
    }

    /// Which notice it is.
    pub fn kind(&self) -> NoticeKind {
        self.kind
    }

    /// Fills the template.
    pub fn render(&self, facts: &NoticeFacts, person: Option<&PersonalFacts>) -> RenderedNotice {
        let zh = self.zh_tw;
        let offset = facts.utc_offset_secs;
        let date_time = |time: Timestamp| calendar::document_date_time(time, offset, zh);
        let period = match (facts.occurred_from, facts.occurred_to) {
            (Some(from), Some(to)) => {
                format!("{} {} {}", date_time(from), if zh { "至" } else { "to" }, date_time(to))
            }
            (Some(from), None) => {
                format!("{} {}", if zh { "自" } else { "from" }, date_time(from))
            }
            (None, Some(to)) => format!("{} {}", if zh { "至" } else { "until" }, date_time(to)),
            (None, None) => if zh { "調查中" } else { "under investigation" }.to_owned(),
        };
        let separator = if zh { "、" } else { ", " };
        let list = |fields: &[String]| {
            if fields.is_empty() {
                if zh { "（調查中）" } else { "(under investigation)" }.to_owned()
            } else {
                fields.join(separator)
            }
        };
        let people = facts.people.to_string();
        let fields = list(&facts.fields);
        let discovered = date_time(facts.discovered_at);
        let notice_date = calendar::document_date(facts.notice_date, offset, zh);
        let fallback_name = if zh { "會員" } else { "customer" };
        let name = person
            .and_then(|person| person.name.clone())
            .unwrap_or_else(|| fallback_name.to_owned());
        let your_fields = person.map_or_else(|| fields.clone(), |person| list(&person.fields));
        let value = |placeholder: &str| -> String {
            match placeholder {
                "company" => facts.company.clone(),
                "title" => facts.title.clone(),
                "discovered" => discovered.clone(),
                "period" => period.clone(),
                "people" => people.clone(),
                "fields" => fields.clone(),
                "measures" => facts.measures.trim().to_owned(),
                "contact_phone" => facts.contact_phone.clone(),
                "contact_email" => facts.contact_email.clone(),
                "contact_hours" => facts.contact_hours.clone(),
                "contact_after_hours" => facts.contact_after_hours.clone(),
                "notice_date" => notice_date.clone(),
                "name" => name.clone(),
                "your_fields" => your_fields.clone(),
                _ => String::new(),
            }
        };
        RenderedNotice { subject: fill(&self.subject, &value), body: fill(&self.body, &value) }
    }
}

fn fill(text: &str, value: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        out.push_str(&value(after[..end].trim()));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}
