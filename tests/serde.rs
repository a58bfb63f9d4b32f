//! The `serde` feature: the public data types round-trip through a serde format, the token newtypes as
//! plain strings, so a Rust app can keep a session (or a pending authorization) its own way.
#![cfg(all(feature = "serde", not(target_arch = "wasm32")))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pkce_wasm::{AuthorizationOptions, ClientConfig, OAuthClient, PendingAuthorization, TokenSet};

#[test]
fn token_sets_and_pending_authorizations_round_trip() {
    let body = br#"{"access_token":"AT","token_type":"Bearer","expires_in":60,"refresh_token":"RT","scope":""}"#;
    let tokens =
        pkce_wasm::parse_token_response(200, Some("application/json"), body, 1_000, None).unwrap();
    let json = serde_json::to_string(&tokens).unwrap();
    assert!(json.contains(r#""access_token":"AT""#), "{json}");
    assert!(json.contains(r#""refresh_token":"RT""#));
    let back: TokenSet = serde_json::from_str(&json).unwrap();
    assert_eq!(back, tokens);

    let client = OAuthClient::new(ClientConfig::new(
        "spa",
        "https://idp.example/authorize",
        "https://idp.example/token",
        "https://app.example/cb",
    ))
    .unwrap();
    let pending = client
        .start_authorization(&AuthorizationOptions::default(), 1_000)
        .unwrap();
    let back: PendingAuthorization =
        serde_json::from_str(&serde_json::to_string(&pending).unwrap()).unwrap();
    assert_eq!(back, pending);
    // Debug stays redacted.
    assert!(!format!("{back:?}").contains(pending.code_verifier.secret()));
}
