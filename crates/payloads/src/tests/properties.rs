//! Property tests: `inspect` never panics, whatever it is given.

use proptest::prelude::*;

use crate::{Request, inspect};

/// Text made of the bytes payloads are made of, to reach deep code paths.
fn payloadish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            any::<char>().prop_map(String::from),
            Just("%".to_owned()),
            Just("%2".to_owned()),
            Just("%u".to_owned()),
            Just("%c0%af".to_owned()),
            Just("&#".to_owned()),
            Just("\\x".to_owned()),
            Just("\\u{".to_owned()),
            Just("'".to_owned()),
            Just("\"".to_owned()),
            Just("`".to_owned()),
            Just("${".to_owned()),
            Just("$(".to_owned()),
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just("(".to_owned()),
            Just(")".to_owned()),
            Just("/*".to_owned()),
            Just("*/".to_owned()),
            Just("<".to_owned()),
            Just("../".to_owned()),
            Just(" union select ".to_owned()),
            Just(" or 1=1".to_owned()),
            Just(";id".to_owned()),
            Just("<script>".to_owned()),
            Just("jndi:".to_owned()),
            Just("() {".to_owned()),
            Just("=".to_owned()),
            Just("&".to_owned()),
            Just("\0".to_owned()),
            Just(" ".to_owned()),
            Just("+".to_owned()),
            Just("/".to_owned()),
            Just(".".to_owned()),
            Just("1".to_owned()),
            Just("whoami".to_owned()),
            Just("time".to_owned()),
            Just("python3".to_owned()),
            Just("-c".to_owned()),
            Just("--version".to_owned()),
            Just("select".to_owned()),
            Just("or".to_owned()),
            Just("is".to_owned()),
            Just("not".to_owned()),
            Just("etc".to_owned()),
            Just("passwd".to_owned()),
            Just("proc".to_owned()),
            Just(".env".to_owned()),
            Just("sqlmap".to_owned()),
            Just("4294967296".to_owned()),
            Just("if".to_owned()),
            Just("exist".to_owned()),
            Just("bin".to_owned()),
            Just("http:".to_owned()),
            Just("?".to_owned()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// `inspect` with the prefilter turned off.
fn inspect_ungated(request: &Request<'_>) -> Vec<crate::Verdict> {
    crate::subject::UNGATED.with(|ungated| ungated.set(true));
    let verdicts = inspect(request);
    crate::subject::UNGATED.with(|ungated| ungated.set(false));
    verdicts
}

proptest! {
    #[test]
    fn prefilter_never_hides_a_verdict(
        path in payloadish(),
        query in payloadish(),
        user_agent in payloadish(),
        referer in payloadish(),
    ) {
        let request = Request { path: &path, query: &query, user_agent: &user_agent, referer: &referer };
        prop_assert_eq!(inspect(&request), inspect_ungated(&request));
    }

    #[test]
    fn inspect_never_panics_on_arbitrary_text(
        path in any::<String>(),
        query in any::<String>(),
        user_agent in any::<String>(),
        referer in any::<String>(),
    ) {
        let _ = inspect(&Request { path: &path, query: &query, user_agent: &user_agent, referer: &referer });
    }

    #[test]
    fn inspect_never_panics_on_payload_like_text(
        path in payloadish(),
        query in payloadish(),
        user_agent in payloadish(),
        referer in payloadish(),
    ) {
        let verdicts = inspect(&Request { path: &path, query: &query, user_agent: &user_agent, referer: &referer });
        for verdict in verdicts {
            prop_assert!(verdict.detail.len() <= 84);
        }
    }
}
