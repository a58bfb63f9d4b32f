//! Property tests (native): round-trips against independent implementations, and no panics on any input.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::Engine as _;
use pkce_wasm::{
    callback_state, is_valid_verifier, parse_token_response, strip_callback_params,
    AuthorizationOptions, ClientConfig, OAuthClient, PendingAuthorization, Pkce, CALLBACK_PARAMS,
    RESERVED_AUTHORIZATION_PARAMS,
};
use proptest::prelude::*;
use sha2::Digest as _;

mod fixture;

fn client() -> OAuthClient {
    fixture::TestClient::new().client_id("client id").build()
}

fn param_name() -> impl Strategy<Value = String> {
    any::<String>().prop_filter("not reserved, not empty", |n| {
        !n.is_empty() && !RESERVED_AUTHORIZATION_PARAMS.contains(&n.as_str())
    })
}

proptest! {
    #[test]
    fn extra_parameters_survive_url_building_exactly(extra in proptest::collection::vec((param_name(), any::<String>()), 0..8)) {
        let mut options = AuthorizationOptions::default();
        options.extra_params = extra.clone();
        let pending = client().start_authorization(&options, 0).expect("start");
        let query = pending.url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let names: Vec<&str> = extra.iter().map(|(n, _)| n.as_str()).collect();
        let back: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| names.contains(&k.as_str()))
            .collect();
        prop_assert_eq!(back, extra);
    }

    #[test]
    fn any_valid_verifier_gives_the_rfc_challenge(verifier in "[A-Za-z0-9._~-]{43,128}") {
        prop_assert!(is_valid_verifier(&verifier));
        let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
        prop_assert_eq!(Pkce::from_verifier(&verifier).expect("valid").code_challenge, expected);
    }

    #[test]
    fn invalid_verifiers_are_refused(verifier in any::<String>()) {
        let valid = (43..=128).contains(&verifier.len())
            && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        prop_assert_eq!(Pkce::from_verifier(&verifier).is_ok(), valid);
    }

    #[test]
    fn no_callback_makes_validation_panic(url in any::<String>(), splice_state in any::<bool>()) {
        let c = client();
        let pending = c.start_authorization(&AuthorizationOptions::default(), 10).expect("start");
        let url = if splice_state { format!("https://app.example/cb?state={}&{url}", pending.state.secret()) } else { url };
        let _ = c.validate_callback(&url, &pending, 11);
    }

    #[test]
    fn no_token_response_makes_parsing_panic(status in any::<u16>(), body in proptest::collection::vec(any::<u8>(), 0..512), json in any::<bool>()) {
        let ct = json.then_some("application/json");
        if let Ok(t) = parse_token_response(status, ct, &body, 0, None) {
            prop_assert_eq!(status, 200);
            prop_assert!(!t.access_token.secret().is_empty());
        }
    }

    #[test]
    fn no_configuration_makes_the_constructor_panic(a in any::<String>(), b in any::<String>(), c in any::<String>(), d in any::<String>()) {
        let _ = OAuthClient::new(ClientConfig::new(a, b, c, d));
    }

    /// The address bar keeps everything but the callback parameters, in order and as written, and never
    /// keeps one of those (as the WHATWG parser reads the query).
    #[test]
    fn stripping_removes_exactly_the_callback_parameters(
        query in "([a-z_=&+%0-9]|code|state|iss|%63ode|error_uri){0,40}",
        fragment in proptest::option::of("[a-z=&#?]{0,8}"),
    ) {
        let url = format!("https://app.example/cb?{query}{}", fragment.as_deref().map(|f| format!("#{f}")).unwrap_or_default());
        let stripped = strip_callback_params(&url);
        let (rest, kept_fragment) = stripped.split_once('#').map_or((stripped.as_str(), None), |(r, f)| (r, Some(f)));
        prop_assert_eq!(kept_fragment, fragment.as_deref());
        let kept_query = rest.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let expected: Vec<&str> = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter(|pair| {
                let name = form_urlencoded::parse(pair.as_bytes()).next().map(|(n, _)| n.into_owned()).unwrap_or_default();
                !CALLBACK_PARAMS.contains(&name.as_str())
            })
            .collect();
        let kept: Vec<&str> = kept_query.split('&').filter(|p| !p.is_empty()).collect();
        prop_assert_eq!(kept, expected);
        let left = callback_state(&stripped).err();
        prop_assert_eq!(left.as_ref().map(|e| e.code()), Some("missing_state"));
    }

    #[test]
    fn no_stored_text_makes_reading_a_pending_authorization_panic(text in any::<String>()) {
        if let Ok(p) = PendingAuthorization::from_json(&text) {
            prop_assert!(is_valid_verifier(p.code_verifier.secret()));
        }
        let _ = strip_callback_params(&text);
        let _ = callback_state(&text);
    }

    #[test]
    fn pending_authorizations_round_trip(scope in "[ -~]{0,30}", created_at in 0u64..9_999_999_999) {
        let mut options = AuthorizationOptions::default();
        options.scope = Some(scope);
        let pending = client().start_authorization(&options, created_at).expect("start");
        prop_assert_eq!(PendingAuthorization::from_json(&pending.to_json()).ok(), Some(pending));
    }
}
