//! Authorization-URL building with arbitrary extra parameters: never panics, reserved names are refused,
//! and every other parameter comes back exactly (in order) through an independent form parser.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pkce_wasm::{AuthorizationOptions, ClientConfig, OAuthClient, RESERVED_AUTHORIZATION_PARAMS};

fuzz_target!(|input: (Vec<(String, String)>, Option<String>)| {
    let (extra, scope) = input;
    let config = ClientConfig::new("c", "https://idp.example/a?t=1", "https://idp.example/t", "https://app.example/cb");
    let Ok(client) = OAuthClient::new(config) else { return };
    let mut options = AuthorizationOptions::default();
    options.extra_params = extra.clone();
    options.scope = scope;
    let reserved = extra.iter().any(|(n, _)| n.is_empty() || RESERVED_AUTHORIZATION_PARAMS.contains(&n.as_str()));
    // `max_age` is checked against the ID token's `auth_time`, so it must be a plain integer (1-10 digits).
    let integer = |v: &str| (1..=10).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit());
    let bad_max_age = extra.iter().any(|(n, v)| n == "max_age" && !integer(v));
    let refused = reserved || bad_max_age;
    match client.start_authorization(&options, 0) {
        Err(e) => assert!(refused, "refused without a reserved name or a bad max_age: {}", e.code()),
        Ok(p) => {
            assert!(!refused);
            let query = p.url.split_once('?').map(|(_, q)| q).unwrap_or_default();
            let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            let names: Vec<&str> = extra.iter().map(|(n, _)| n.as_str()).collect();
            let back: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| names.contains(&k.as_str())).collect();
            // Names that collide with the fixed ones (t, response_type, ...) are checked by count only.
            let own: Vec<&(String, String)> = back.iter().filter(|(k, _)| !["t"].contains(&k.as_str())).collect();
            let sent: Vec<&(String, String)> = extra.iter().filter(|(k, _)| !["t"].contains(&k.as_str())).collect();
            assert_eq!(own, sent);
        }
    }
});
