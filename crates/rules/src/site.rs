//! Endpoint classes: which requests are a login, an order page, an export.
//!
//! That is site configuration, not rules: rules say `endpoint: member_login`
//! and the site says which paths that is and which statuses mean a login
//! succeeded. The defaults cover WordPress/WooCommerce, Magento, OpenCart,
//! Shopify-style and common custom (Taiwanese) shop layouts.

use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState;
use model::{Event, EventKind, LoginOutcome};
use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::facts::{MethodSet, method_bit};
use crate::pattern::{MAX_EXTENSION, PathPattern};

/// A kind of endpoint that rules can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EndpointClass {
    /// Customer login form and its POST target.
    MemberLogin,
    /// Staff (back-office) login.
    AdminLogin,
    /// The back office.
    AdminArea,
    /// Changing a password while logged in.
    PasswordChange,
    /// Asking for a password reset, and setting the new password.
    PasswordReset,
    /// The logged-in customer area.
    MemberArea,
    /// Order history and order details (customer data behind an id).
    OrderPages,
    /// Bulk exports and downloads of data files.
    Exports,
    /// Site search.
    Search,
    /// Static assets (stylesheets, scripts, images, fonts).
    Static,
}

impl EndpointClass {
    /// Every class, in a fixed order.
    pub const ALL: [EndpointClass; 10] = [
        EndpointClass::MemberLogin,
        EndpointClass::AdminLogin,
        EndpointClass::AdminArea,
        EndpointClass::PasswordChange,
        EndpointClass::PasswordReset,
        EndpointClass::MemberArea,
        EndpointClass::OrderPages,
        EndpointClass::Exports,
        EndpointClass::Search,
        EndpointClass::Static,
    ];

    /// The name used in rules and configuration (`member_login`).
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointClass::MemberLogin => "member_login",
            EndpointClass::AdminLogin => "admin_login",
            EndpointClass::AdminArea => "admin_area",
            EndpointClass::PasswordChange => "password_change",
            EndpointClass::PasswordReset => "password_reset",
            EndpointClass::MemberArea => "member_area",
            EndpointClass::OrderPages => "order_pages",
            EndpointClass::Exports => "exports",
            EndpointClass::Search => "search",
            EndpointClass::Static => "static",
        }
    }

    /// The class with this name.
    pub fn from_name(name: &str) -> Option<EndpointClass> {
        EndpointClass::ALL.into_iter().find(|class| class.as_str() == name)
    }

    /// Every class name, for messages.
    pub(crate) fn names() -> Vec<&'static str> {
        EndpointClass::ALL.iter().map(|class| class.as_str()).collect()
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of endpoint classes (a request can be in several: `/admin/login` is
/// both `admin_login` and `admin_area`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct EndpointSet(u16);

impl EndpointSet {
    /// No class.
    pub const EMPTY: EndpointSet = EndpointSet(0);

    /// Whether the set holds `class`.
    pub fn contains(self, class: EndpointClass) -> bool {
        self.0 & class.bit() != 0
    }

    /// Adds `class`.
    pub fn insert(&mut self, class: EndpointClass) {
        self.0 |= class.bit();
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The classes in the set, in `EndpointClass::ALL` order.
    pub fn iter(self) -> impl Iterator<Item = EndpointClass> {
        EndpointClass::ALL.into_iter().filter(move |class| self.contains(*class))
    }

    pub(crate) fn bits(self) -> u16 {
        self.0
    }
}

/// The endpoint classes of a site, as configured (`[site.endpoints]`).
///
/// Every class starts from built-in defaults; a class's `paths` replaces its
/// default paths and `extra_paths` adds to them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EndpointsConfig {
    /// Customer login.
    pub member_login: EndpointConfig,
    /// Staff login.
    pub admin_login: EndpointConfig,
    /// The back office.
    pub admin_area: EndpointConfig,
    /// Password change while logged in.
    pub password_change: EndpointConfig,
    /// Password reset.
    pub password_reset: EndpointConfig,
    /// The customer area.
    pub member_area: EndpointConfig,
    /// Order history and details.
    pub order_pages: EndpointConfig,
    /// Bulk exports and data-file downloads.
    pub exports: EndpointConfig,
    /// Site search.
    pub search: EndpointConfig,
    /// Static assets (`[site.endpoints.static]`).
    #[serde(rename = "static")]
    pub static_assets: EndpointConfig,
}

impl EndpointsConfig {
    fn class(&self, class: EndpointClass) -> &EndpointConfig {
        match class {
            EndpointClass::MemberLogin => &self.member_login,
            EndpointClass::AdminLogin => &self.admin_login,
            EndpointClass::AdminArea => &self.admin_area,
            EndpointClass::PasswordChange => &self.password_change,
            EndpointClass::PasswordReset => &self.password_reset,
            EndpointClass::MemberArea => &self.member_area,
            EndpointClass::OrderPages => &self.order_pages,
            EndpointClass::Exports => &self.exports,
            EndpointClass::Search => &self.search,
            EndpointClass::Static => &self.static_assets,
        }
    }
}

/// One endpoint class's paths and the statuses that mean success or failure there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EndpointConfig {
    /// Path patterns replacing the built-in ones (`/member/login`, `/admin/*`,
    /// `/member/orders/*`, `/index.php?route=account/login*`, `~regex`, `!exclusion`).
    pub paths: Option<Vec<String>>,
    /// Path patterns added to the built-in (or replacing) ones.
    pub extra_paths: Vec<String>,
    /// Methods whose answers have an outcome here (`["POST"]` for logins); empty means any.
    pub outcome_methods: Option<Vec<String>>,
    /// Statuses meaning success (`302`, `"2xx"`, `"200-299"`).
    pub success_statuses: Option<Vec<StatusEntry>>,
    /// Statuses meaning failure.
    pub failure_statuses: Option<Vec<StatusEntry>>,
}

/// A status or a status range in configuration: `302`, `"3xx"`, `"400-403"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StatusEntry {
    /// One status.
    Code(u16),
    /// `"4xx"` or `"400-403"`.
    Range(String),
}

impl StatusEntry {
    fn bounds(&self) -> Option<(u16, u16)> {
        let (low, high) = match self {
            StatusEntry::Code(code) => (*code, *code),
            StatusEntry::Range(text) => {
                if let Some(hundreds) = text.strip_suffix("xx") {
                    let digit: u16 = hundreds.parse().ok()?;
                    (digit * 100, digit * 100 + 99)
                } else if let Some((low, high)) = text.split_once('-') {
                    (low.trim().parse().ok()?, high.trim().parse().ok()?)
                } else {
                    let code = text.trim().parse().ok()?;
                    (code, code)
                }
            }
        };
        (100 <= low && low <= high && high <= 599).then_some((low, high))
    }
}

/// Classes whose outcome is decided first when a request is in several.
const OUTCOME_PRIORITY: [EndpointClass; 10] = [
    EndpointClass::AdminLogin,
    EndpointClass::MemberLogin,
    EndpointClass::PasswordReset,
    EndpointClass::PasswordChange,
    EndpointClass::Exports,
    EndpointClass::OrderPages,
    EndpointClass::AdminArea,
    EndpointClass::MemberArea,
    EndpointClass::Search,
    EndpointClass::Static,
];

fn default_paths(class: EndpointClass) -> &'static [&'static str] {
    match class {
        EndpointClass::MemberLogin => &[
            // WooCommerce posts its customer login form to the account page itself.
            "/my-account",
            "/my-account/",
            "/customer/account/login*",
            "/index.php?route=account/login*",
            "/account/login*",
            "/member/login*",
            "/members/login*",
            "/user/login*",
            "/users/sign_in",
            "/login",
            "/signin",
            "/api/login",
            "/api/member/login*",
            "/api/auth/login*",
        ],
        EndpointClass::AdminLogin => &[
            "/wp-login.php",
            "!/wp-login.php?action=*",
            "/xmlrpc.php",
            "/admin/admin/index/index*",
            "/admin/admin/auth/login*",
            "/admin/index.php?route=common/login*",
            "/admin/login*",
            "/admin/signin",
            "/backend/login*",
            "/backend/admin/auth/login*",
            "/manage/login*",
            "/manager/login*",
            "/backstage/login*",
        ],
        EndpointClass::AdminArea => &[
            "/wp-admin",
            "/wp-admin/*",
            "!/wp-admin/admin-ajax.php",
            "!/wp-admin/admin-post.php",
            "/admin*",
            "/backend",
            "/backend/*",
            "/manage/*",
            "/manager/*",
            "/backstage/*",
        ],
        EndpointClass::PasswordChange => &[
            "/my-account/edit-account*",
            "/customer/account/editPost*",
            "/index.php?route=account/password*",
            "/member/password",
            "/member/password/change*",
            "/member/password/edit*",
            "/member/password/update*",
            "/member/change-password*",
            "/account/password*",
            "/api/member/password*",
        ],
        EndpointClass::PasswordReset => &[
            "/my-account/lost-password*",
            "/wp-login.php?action=lostpassword*",
            "/wp-login.php?action=rp",
            "/wp-login.php?action=resetpass",
            "/customer/account/forgotpassword*",
            "/customer/account/createPassword*",
            "/customer/account/resetpasswordpost*",
            "/index.php?route=account/forgotten*",
            "/index.php?route=account/reset*",
            "/account/recover*",
            "/account/reset/*",
            "/member/forgot*",
            "/member/reset*",
            "/member/password/forgot*",
            "/member/password/reset*",
            "/forgot-password*",
            "/password/reset*",
            "/api/member/forgot*",
        ],
        EndpointClass::MemberArea => &[
            "/my-account",
            "/my-account/*",
            "/customer/account",
            "/customer/account/*",
            "/sales/order/*",
            "/index.php?route=account/*",
            "/account",
            "/account/*",
            "/member",
            "/member/*",
            "/members/*",
            "/api/member/*",
        ],
        EndpointClass::OrderPages => &[
            "/my-account/orders*",
            "/my-account/view-order/*",
            "/checkout/order-received/*",
            "/sales/order/*",
            "/sales/guest/*",
            "/index.php?route=account/order*",
            "/account/orders*",
            "/member/orders*",
            "/member/order/*",
            "/api/orders/*",
            "/api/member/orders*",
        ],
        EndpointClass::Exports => &[
            "/admin/export*",
            "/admin/**/export*",
            "/admin/**.csv",
            "/admin/**.xlsx",
            "/admin/**.xls",
            "/admin/index.php?route=*export*",
            "/wp-admin/*?action=download_*",
            "/wp-content/uploads/**.csv",
            "/wp-content/uploads/**.xlsx",
            "/export*",
            "/api/**/export*",
        ],
        EndpointClass::Search => &[
            "/search*",
            "/?s=*",
            "/catalogsearch/*",
            "/index.php?route=product/search*",
            "/product/search*",
            "/products/search*",
            "/api/search*",
        ],
        EndpointClass::Static => &[
            "*.css",
            "*.js",
            "*.mjs",
            "*.map",
            "*.png",
            "*.jpg",
            "*.jpeg",
            "*.gif",
            "*.svg",
            "*.ico",
            "*.webp",
            "*.avif",
            "*.woff",
            "*.woff2",
            "*.ttf",
            "*.otf",
            "*.eot",
            "*.mp4",
            "*.webm",
            "/static/*",
            "/assets/*",
            "/images/*",
            "/img/*",
            "/fonts/*",
        ],
    }
}

struct DefaultOutcome {
    methods: &'static [&'static str],
    success: &'static [(u16, u16)],
    failure: &'static [(u16, u16)],
}

fn default_outcome(class: EndpointClass) -> DefaultOutcome {
    match class {
        EndpointClass::MemberLogin | EndpointClass::AdminLogin => DefaultOutcome {
            methods: &["POST"],
            success: &[(302, 303)],
            failure: &[(200, 200), (401, 401), (403, 403), (422, 422)],
        },
        EndpointClass::PasswordChange | EndpointClass::PasswordReset => DefaultOutcome {
            methods: &["POST"],
            success: &[(302, 303)],
            failure: &[(200, 200), (400, 401), (403, 403), (422, 422)],
        },
        EndpointClass::Static => DefaultOutcome { methods: &[], success: &[], failure: &[] },
        _ => DefaultOutcome {
            methods: &[],
            success: &[(200, 299)],
            failure: &[(401, 401), (403, 403)],
        },
    }
}

/// Statuses 0..=639 as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct StatusSet([u64; 10]);

impl StatusSet {
    fn insert_range(&mut self, low: u16, high: u16) {
        for status in low..=high.min(639) {
            self.0[usize::from(status / 64)] |= 1 << (status % 64);
        }
    }

    fn contains(&self, status: u16) -> bool {
        status < 640 && self.0[usize::from(status / 64)] & (1 << (status % 64)) != 0
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|word| *word == 0)
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct OutcomeSpec {
    /// Empty means any method.
    methods: MethodSet,
    success: StatusSet,
    failure: StatusSet,
}

#[derive(Debug, Clone)]
struct Entry {
    pattern: PathPattern,
    class: EndpointClass,
}

type Map<K, V> = HashMap<K, V, RandomState>;

/// The patterns and exact paths whose first path segment is one literal.
#[derive(Debug, Default)]
struct Bucket {
    exact: Vec<(Box<str>, EndpointSet)>,
    patterns: Vec<Entry>,
}

#[derive(Debug)]
struct SiteInner {
    /// Indexed by first path segment: one hash lookup per event finds the few
    /// patterns that can apply.
    by_segment: Map<Box<[u8]>, Bucket>,
    /// Patterns whose first segment is not fixed (`/admin*`, `~regex`).
    general: Vec<Entry>,
    /// `*.ext` patterns: the lowercase extension packed in a `u64`, and its classes.
    extensions: Vec<(u64, EndpointSet)>,
    excludes: Vec<Entry>,
    exclude_classes: u16,
    outcomes: [OutcomeSpec; 10],
}

/// A site's compiled endpoint map: classifies each event (fast, no allocation).
///
/// Cheap to clone. `Site::default()` is the built-in layout.
#[derive(Debug, Clone)]
pub struct Site {
    inner: Arc<SiteInner>,
}

/// What the site says about one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Classification {
    /// The endpoint classes the request's path is in.
    pub endpoints: EndpointSet,
    /// For login events, their outcome; for requests, the outcome the answer's
    /// status means at the endpoint (success, failure, or neither).
    pub outcome: Option<LoginOutcome>,
    /// The method's bit, kept for the event's signature.
    pub(crate) method: MethodSet,
}

impl Default for Site {
    fn default() -> Site {
        Site::compile(&EndpointsConfig::default())
            .expect("the built-in endpoint defaults compile (tested)")
    }
}

impl Site {
    /// Compiles the configuration over the built-in defaults, reporting every
    /// problem with its key path (`site.endpoints.member_login.paths[2]`).
    pub fn compile(config: &EndpointsConfig) -> Result<Site, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut inner = SiteInner {
            by_segment: Map::default(),
            general: Vec::new(),
            extensions: Vec::new(),
            excludes: Vec::new(),
            exclude_classes: 0,
            outcomes: [OutcomeSpec::default(); 10],
        };
        for class in EndpointClass::ALL {
            let class_config = config.class(class);
            let key = format!("site.endpoints.{}", class.as_str());
            let mut sources: Vec<(String, &str)> = Vec::new();
            match &class_config.paths {
                Some(paths) => sources.extend(
                    paths.iter().enumerate().map(|(idx, p)| (format!("{key}.paths[{idx}]"), &**p)),
                ),
                None => sources.extend(default_paths(class).iter().map(|p| (key.clone(), *p))),
            }
            sources.extend(
                class_config
                    .extra_paths
                    .iter()
                    .enumerate()
                    .map(|(idx, p)| (format!("{key}.extra_paths[{idx}]"), &**p)),
            );
            for (origin, source) in sources {
                match PathPattern::parse(source) {
                    Ok(pattern) => inner.add(Entry { pattern, class }),
                    Err(message) => problems.push(Problem::new(&origin, 0, message)),
                }
            }
            match compile_outcome(class, class_config, &key) {
                Ok(spec) => inner.outcomes[class as usize] = spec,
                Err(mut found) => problems.append(&mut found),
            }
        }
        if problems.is_empty() { Ok(Site { inner: Arc::new(inner) }) } else { Err(problems) }
    }

    /// The endpoint classes of a request path (with its query).
    pub fn endpoints(&self, path: &str, query: &str) -> EndpointSet {
        self.inner.endpoints(path, query)
    }

    /// Classifies an event: its endpoint classes and its outcome.
    pub fn classify(&self, event: &Event<'_>) -> Classification {
        let endpoints = self.inner.endpoints(&event.path, &event.query);
        let method = method_bit(&event.method);
        let outcome = match event.kind {
            EventKind::Login => event.outcome,
            EventKind::ServerNotice => None,
            EventKind::Request => match event.status {
                Some(status) if !endpoints.is_empty() => {
                    self.inner.request_outcome(endpoints, method, status)
                }
                _ => None,
            },
        };
        Classification { endpoints, outcome, method }
    }
}

impl SiteInner {
    fn add(&mut self, entry: Entry) {
        if entry.pattern.is_exclude() {
            self.exclude_classes |= entry.class.bit();
            self.excludes.push(entry);
        } else if let Some(extension) = entry.pattern.extension() {
            let packed = pack_extension(extension.as_bytes());
            match self.extensions.iter_mut().find(|(known, _)| *known == packed) {
                Some((_, classes)) => classes.insert(entry.class),
                None => {
                    let mut classes = EndpointSet::EMPTY;
                    classes.insert(entry.class);
                    self.extensions.push((packed, classes));
                }
            }
        } else if let Some(segment) = entry.pattern.first_segment() {
            let bucket = self.by_segment.entry(segment.into()).or_default();
            match entry.pattern.exact_path() {
                Some(path) => match bucket.exact.iter_mut().find(|(known, _)| **known == *path) {
                    Some((_, classes)) => classes.insert(entry.class),
                    None => {
                        let mut classes = EndpointSet::EMPTY;
                        classes.insert(entry.class);
                        bucket.exact.push((path.into(), classes));
                    }
                },
                None => bucket.patterns.push(entry),
            }
        } else {
            self.general.push(entry);
        }
    }

    fn endpoints(&self, path: &str, query: &str) -> EndpointSet {
        if path.is_empty() {
            return EndpointSet::EMPTY;
        }
        let mut set = EndpointSet::EMPTY;
        if let Some(rest) = path.strip_prefix('/') {
            let segment = rest.split('/').next().unwrap_or_default();
            if let Some(bucket) = self.by_segment.get(segment.as_bytes()) {
                for (exact, classes) in &bucket.exact {
                    if **exact == *path {
                        set.0 |= classes.0;
                    }
                }
                add_matches(&mut set, &bucket.patterns, path, query);
            }
        }
        add_matches(&mut set, &self.general, path, query);
        if !self.extensions.is_empty()
            && let Some(extension) = path_extension(path)
        {
            let packed = pack_extension(extension);
            for (known, classes) in &self.extensions {
                if *known == packed {
                    set.0 |= classes.0;
                }
            }
        }
        if set.0 & self.exclude_classes != 0 {
            for entry in &self.excludes {
                if set.contains(entry.class) && entry.pattern.matches(path, query) {
                    set.0 &= !entry.class.bit();
                }
            }
        }
        set
    }

    fn request_outcome(
        &self,
        endpoints: EndpointSet,
        method: MethodSet,
        status: u16,
    ) -> Option<LoginOutcome> {
        for class in OUTCOME_PRIORITY {
            if !endpoints.contains(class) {
                continue;
            }
            let spec = &self.outcomes[class as usize];
            if spec.success.is_empty() && spec.failure.is_empty() {
                continue;
            }
            // The most specific class decides, even when its method does not
            // match: a GET of a login form is no outcome of the member area.
            if !spec.methods.is_empty() && spec.methods.0 & method.0 == 0 {
                return None;
            }
            if spec.success.contains(status) {
                return Some(LoginOutcome::Success);
            }
            if spec.failure.contains(status) {
                return Some(LoginOutcome::Failure);
            }
            return None;
        }
        None
    }
}

fn add_matches(set: &mut EndpointSet, entries: &[Entry], path: &str, query: &str) {
    for entry in entries {
        if !set.contains(entry.class) && entry.pattern.matches(path, query) {
            set.insert(entry.class);
        }
    }
}

/// The extension of the path's last segment, when it is short enough to index.
fn path_extension(path: &str) -> Option<&[u8]> {
    let bytes = path.as_bytes();
    let dot = bytes.iter().rposition(|&byte| byte == b'.' || byte == b'/')?;
    let extension = &bytes[dot + 1..];
    (bytes[dot] == b'.' && !extension.is_empty() && extension.len() <= MAX_EXTENSION)
        .then_some(extension)
}

/// An extension of at most 8 bytes, lowercased, as one number.
fn pack_extension(extension: &[u8]) -> u64 {
    extension.iter().fold(0, |packed, byte| packed << 8 | u64::from(byte.to_ascii_lowercase()))
}

fn compile_outcome(
    class: EndpointClass,
    config: &EndpointConfig,
    key: &str,
) -> Result<OutcomeSpec, Vec<Problem>> {
    let defaults = default_outcome(class);
    let mut problems = Vec::new();
    let mut spec = OutcomeSpec::default();
    match &config.outcome_methods {
        Some(methods) => {
            for (idx, method) in methods.iter().enumerate() {
                let bit = method_bit(method);
                if method.is_empty() || !method.bytes().all(|byte| byte.is_ascii_alphabetic()) {
                    problems.push(Problem::new(
                        &format!("{key}.outcome_methods[{idx}]"),
                        0,
                        format!("\"{method}\" is not an HTTP method"),
                    ));
                }
                spec.methods.0 |= bit.0;
            }
        }
        None => {
            for method in defaults.methods {
                spec.methods.0 |= method_bit(method).0;
            }
        }
    }
    for (name, entries, default, set) in [
        ("success_statuses", &config.success_statuses, defaults.success, &mut spec.success),
        ("failure_statuses", &config.failure_statuses, defaults.failure, &mut spec.failure),
    ] {
        match entries {
            Some(entries) => {
                for (idx, entry) in entries.iter().enumerate() {
                    match entry.bounds() {
                        Some((low, high)) => set.insert_range(low, high),
                        None => problems.push(Problem::new(
                            &format!("{key}.{name}[{idx}]"),
                            0,
                            format!(
                                "{entry:?} is not a status (write 302, \"3xx\" or \"300-303\")"
                            ),
                        )),
                    }
                }
            }
            None => {
                for &(low, high) in default {
                    set.insert_range(low, high);
                }
            }
        }
    }
    let overlap: Vec<String> = (100..600)
        .filter(|status| spec.success.contains(*status) && spec.failure.contains(*status))
        .map(|status| status.to_string())
        .collect();
    if !overlap.is_empty() {
        problems.push(Problem::new(
            key,
            0,
            format!("statuses {} mean both success and failure", overlap.join(", ")),
        ));
    }
    if problems.is_empty() { Ok(spec) } else { Err(problems) }
}
