//! Token-response parsing: any status, content type and body. Must never panic; a success always has a
//! non-empty access token and the `bearer` type.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pkce_wasm::{parse_token_response, RefreshToken};

fuzz_target!(|input: (u16, u8, &[u8])| {
    let (status, ct, body) = input;
    let content_type = match ct % 4 {
        0 => None,
        1 => Some("application/json"),
        2 => Some("application/json; charset=utf-8"),
        _ => Some("text/html"),
    };
    let status = if status % 3 == 0 { 200 } else { status };
    let previous = RefreshToken::new("old");
    if let Ok(t) = parse_token_response(status, content_type, body, 1_000, Some(&previous)) {
        assert_eq!(status, 200);
        assert!(!t.access_token.secret().is_empty());
        assert_eq!(t.token_type, "bearer");
        assert!(t.refresh_token.is_some());
    }
});
