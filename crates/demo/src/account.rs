//! Made-up shop account names (e-mail addresses and mobile numbers, as
//! Taiwanese shops use either for login).
//!
//! Accounts never appear in the access log (the login form posts them in the
//! body); they are recorded in each episode's ground truth so the shop's
//! application login events, generated later, can name them.

use std::collections::BTreeSet;

use crate::rng::Rng;

const SURNAMES: &[&str] = &[
    "chen", "lin", "huang", "chang", "lee", "wang", "wu", "liu", "tsai", "yang", "hsu", "cheng",
    "hsieh", "hung", "kuo", "chiu", "tseng", "liao", "lai", "chou",
];

const GIVEN_NAMES: &[&str] = &[
    "yating", "jiahao", "weiting", "yuchen", "shuhui", "chihao", "meiling", "kaiwen", "hsinyi",
    "poyu", "tzuhan", "yuhsuan", "chunghan", "peiyu", "chiawei", "yiwen", "junjie", "ssuyu",
];

const DOMAINS: &[(u32, &str)] = &[
    (50, "gmail.com"),
    (20, "yahoo.com.tw"),
    (12, "hotmail.com"),
    (8, "outlook.com"),
    (10, "icloud.com"),
];

/// One account name.
pub(crate) fn account(rng: &mut Rng) -> String {
    let surname = rng.pick(SURNAMES);
    let given = rng.pick(GIVEN_NAMES);
    let domain = rng.choose(DOMAINS);
    match rng.below(5) {
        0 => format!("{given}.{surname}{}@{domain}", rng.range(1, 99)),
        1 => format!("{surname}{given}{}@{domain}", rng.range(70, 99)),
        2 => format!("{given}_{}@{domain}", rng.range(1975, 2008)),
        3 => format!("{surname}.{given}@{domain}"),
        _ => format!("09{:08}", rng.below(100_000_000)),
    }
}

/// `count` distinct account names.
pub(crate) fn distinct_accounts(rng: &mut Rng, count: usize) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut accounts = Vec::with_capacity(count);
    while accounts.len() < count {
        let name = account(rng);
        if seen.insert(name.clone()) {
            accounts.push(name);
        }
    }
    accounts
}
