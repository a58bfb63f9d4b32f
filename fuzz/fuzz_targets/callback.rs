//! Callback parsing and validation: any URL, any pending state. Must never panic; success only when the
//! state really matches, and the returned code is what the URL carried.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pkce_wasm::{AuthorizationOptions, ClientConfig, OAuthClient};

fuzz_target!(|input: (&str, bool, bool)| {
    let (query, with_state, require_iss) = input;
    let mut config = ClientConfig::new("c", "https://idp.example/a", "https://idp.example/t", "https://app.example/cb");
    config.issuer = Some("https://idp.example".into());
    config.require_iss = require_iss;
    let Ok(client) = OAuthClient::new(config) else { return };
    let Ok(pending) = client.start_authorization(&AuthorizationOptions::default(), 1_000) else { return };
    // Half the time, splice the real state in so validation gets past the state check.
    let url = if with_state { format!("https://app.example/cb?state={}&{query}", pending.state.secret()) } else { query.to_owned() };
    if let Ok(v) = client.validate_callback(&url, &pending, 1_001) {
        assert_eq!(v.state(), &pending.state);
        assert!(!v.code().secret().is_empty());
        let q = url.split_once('?').map_or(url.as_str(), |(_, q)| q);
        let q = q.split_once('#').map_or(q, |(q, _)| q);
        let codes: Vec<String> = form_urlencoded::parse(q.as_bytes()).filter(|(k, _)| k == "code").map(|(_, v)| v.into_owned()).collect();
        assert_eq!(codes, [v.code().secret()]);
    }
});
