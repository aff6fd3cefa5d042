//! API keys of the shop's own code, in the conformance story.

use model::Timestamp;
use store::{Store, hash_api_key};

const T0: Timestamp = Timestamp::from_unix_secs(1_800_000_000);

pub(crate) async fn check_api_keys_story(store: &Store) {
    let key_hash = hash_api_key("login-key");
    let added = store.add_api_key("shop-web", &key_hash, "login", T0).await.expect("add api key");
    assert_eq!(
        (added.name.as_str(), added.scopes.as_str(), added.created_at),
        ("shop-web", "login", T0)
    );
    let duplicate = store.add_api_key("shop-web", &hash_api_key("other"), "login", T0).await;
    assert!(matches!(duplicate, Err(store::Error::DuplicateApiKey(_))), "{duplicate:?}");
    let found = store.api_key_by_hash(&key_hash).await.expect("lookup");
    assert_eq!(found.map(|found| found.id), Some(added.id));
    assert_eq!(store.api_key_by_hash(&hash_api_key("wrong")).await.expect("lookup"), None);
    assert_eq!(
        store.bouncer_by_key_hash(&key_hash).await.expect("bouncer lookup"),
        None,
        "not a bouncer"
    );
    store.add_api_key("another", &hash_api_key("another"), "login", T0).await.expect("add");
    let names: Vec<String> =
        store.api_keys().await.expect("list").into_iter().map(|key| key.name).collect();
    assert_eq!(names, ["another", "shop-web"]);
    assert!(store.delete_api_key("shop-web").await.expect("delete"));
    assert!(!store.delete_api_key("shop-web").await.expect("delete twice"));
    assert_eq!(store.api_key_by_hash(&key_hash).await.expect("lookup"), None);
}
