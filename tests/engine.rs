//! The decision engine, natively: every flow stepped by a scripted driver, so each decision the drivers
//! used to make (request shape, storage keys and cleanup, unmatched `state`, the address bar, discovery
//! fallback, the JWKS cache and refetch) is pinned here once. The real drivers run the same flows
//! against real servers in `tests/js`, `tests/adversarial`, `tests/e2e` and the wasm suites.
#![cfg(not(target_arch = "wasm32"))]
#![cfg_attr(not(feature = "oidc"), allow(dead_code))]
#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unwrap_used
)]

use base64::Engine as _;
use pkce_wasm::engine::{Flow, Input, Output, Step, PENDING_KEY_PREFIX};
use pkce_wasm::{
    AuthorizationOptions, ClientConfig, Error, HttpRequest, HttpResponse, OAuthClient,
    PendingStorage,
};

mod fixture;
use fixture::{TestClient, ISSUER};

const NOW: u64 = 1_700_000_000;

fn config() -> ClientConfig {
    TestClient::new().with(|c| c.timeout_ms = 1234).config()
}

fn client() -> OAuthClient {
    OAuthClient::new(config()).unwrap()
}

fn oidc_client() -> OAuthClient {
    let mut c = config();
    c.jwks_uri = Some("https://idp.example/jwks".into());
    OAuthClient::new(c).unwrap()
}

fn code(e: Error) -> String {
    e.code().to_owned()
}

fn json(status: u16, body: &str) -> Input {
    Input::Response(HttpResponse {
        status,
        content_type: Some("application/json".into()),
        body: body.as_bytes().to_vec(),
        too_large: false,
        dpop_nonce: None,
        www_authenticate: None,
    })
}

fn fetch(step: Step) -> HttpRequest {
    match step {
        Step::Fetch(r) => r,
        other => panic!("expected a fetch, got {other:?}"),
    }
}

fn tokens(step: Step) -> pkce_wasm::TokenSet {
    match step {
        Step::Done(Output::Tokens(t)) => t,
        other => panic!("expected tokens, got {other:?}"),
    }
}

const TOKENS: &str =
    r#"{"access_token":"AT","token_type":"Bearer","expires_in":60,"refresh_token":"RT2"}"#;

#[test]
fn requests_are_described_completely() {
    let c = client();
    let (_, step) = Flow::refresh(&c, "RT", Some("a b"), None, None, NOW).unwrap();
    let r = fetch(step);
    assert_eq!(r.url, "https://idp.example/token");
    assert_eq!(r.method(), "POST");
    assert_eq!(r.timeout_ms, 1234);
    assert_eq!(r.max_bytes, 1 << 20);
    let form = r.form.as_deref().unwrap();
    assert!(form.starts_with("grant_type=refresh_token&refresh_token=RT&scope=a+b"));
    assert_eq!(
        r.headers(),
        [
            ("accept", "application/json"),
            (
                "content-type",
                "application/x-www-form-urlencoded;charset=UTF-8"
            )
        ]
    );
    assert!(!format!("{r:?}").contains("RT"), "Debug shows no secret");
    assert_eq!(
        code(Flow::refresh(&c, "", None, None, None, NOW).unwrap_err()),
        "invalid_config"
    );
}

#[test]
fn responses_a_flow_must_not_read() {
    let c = client();
    for (status, too_large) in [(302, false), (0, false), (200, true)] {
        let (mut flow, _) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap();
        let input = Input::Response(HttpResponse {
            status,
            content_type: Some("application/json".into()),
            body: TOKENS.as_bytes().to_vec(),
            too_large,
            dpop_nonce: None,
            www_authenticate: None,
        });
        let e = flow.resume(&c, &mut None, NOW, input).unwrap_err();
        assert_eq!(
            (code(e.clone()).as_str(), e.status()),
            ("invalid_response", Some(status))
        );
    }
    // A failure is reported by kind; the engine's error is that kind's.
    let (mut flow, _) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap();
    let e = flow
        .resume(
            &c,
            &mut None,
            NOW,
            Input::Failed(pkce_wasm::ErrorCode::Timeout),
        )
        .unwrap_err();
    assert_eq!(code(e), "timeout");
    // An input the step did not ask for is a driver bug, refused.
    let (mut flow, _) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap();
    let e = flow.resume(&c, &mut None, NOW, Input::Ok).unwrap_err();
    assert_eq!(code(e), "invalid_config");
    // A refresh keeps the refresh token the server did not rotate.
    let (mut flow, _) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap();
    let body = r#"{"access_token":"AT","token_type":"Bearer"}"#;
    let t = tokens(flow.resume(&c, &mut None, NOW, json(200, body)).unwrap());
    assert_eq!(t.refresh_token.unwrap().secret(), "RT");
}

/// Runs the storage steps of a flow against `store` (a list of entries), recording them.
fn storage(step: &Step, store: &mut Vec<(String, String)>, log: &mut Vec<String>) -> Option<Input> {
    match step {
        Step::List { storage, prefix } => {
            assert_eq!(*storage, PendingStorage::Session);
            log.push(format!("list {prefix}"));
            Some(Input::Entries(
                store
                    .iter()
                    .filter(|(k, _)| k.starts_with(prefix))
                    .cloned()
                    .collect(),
            ))
        }
        Step::Store { remove, set, .. } => {
            log.push(format!("store -{} +{}", remove.len(), set.is_some() as u8));
            store.retain(|(k, _)| !remove.contains(k));
            store.extend(set.clone());
            Some(Input::Ok)
        }
        _ => None,
    }
}

#[test]
fn sign_in_keeps_the_pending_authorization_and_cleans_stale_ones() {
    let c = client();
    let stale = client()
        .start_authorization(&AuthorizationOptions::default(), NOW - 601)
        .unwrap();
    let other_client = format!("{PENDING_KEY_PREFIX}other:x");
    let mut store = vec![
        (c.pending_key(stale.state.secret()), stale.to_json()),
        (c.pending_key("garbage"), "{".into()),
        (other_client.clone(), "{".into()),
        ("unrelated".into(), "x".into()),
    ];
    let mut log = Vec::new();
    let (mut flow, mut step) = Flow::login(&c, &AuthorizationOptions::default(), NOW).unwrap();
    let url = loop {
        if let Step::Navigate(url) = &step {
            break url.clone();
        }
        let input = storage(&step, &mut store, &mut log).expect("a storage step");
        step = flow.resume(&c, &mut None, NOW, input).unwrap();
    };
    assert_eq!(log, ["list pkce-wasm:pending:spa:", "store -2 +1"]);
    assert!(url.starts_with("https://idp.example/authorize?"));
    assert_eq!(
        store.len(),
        3,
        "the other client's entry and the unrelated one stay"
    );
    assert!(store.iter().any(|(k, _)| *k == other_client));
    let step = flow.resume(&c, &mut None, NOW, Input::Ok).unwrap();
    assert!(matches!(step, Step::Done(Output::Unit)));

    // A navigation the page may not make: what was stored goes again.
    let mut store = Vec::new();
    let (mut flow, mut step) = Flow::login(&c, &AuthorizationOptions::default(), NOW).unwrap();
    while !matches!(step, Step::Navigate(_)) {
        let input = storage(&step, &mut store, &mut log).unwrap();
        step = flow.resume(&c, &mut None, NOW, input).unwrap();
    }
    assert_eq!(store.len(), 1);
    let fail = Input::Failed(pkce_wasm::ErrorCode::UnsupportedEnvironment);
    let undo = flow.resume(&c, &mut None, NOW, fail).unwrap();
    storage(&undo, &mut store, &mut log).unwrap();
    assert!(store.is_empty());
    let e = flow.resume(&c, &mut None, NOW, Input::Ok).unwrap_err();
    assert_eq!(code(e), "unsupported_environment");

    // Storage that throws: nothing is navigated to.
    let (mut flow, _) = Flow::login(&c, &AuthorizationOptions::default(), NOW).unwrap();
    let fail = Input::Failed(pkce_wasm::ErrorCode::StorageUnavailable);
    assert_eq!(
        code(flow.resume(&c, &mut None, NOW, fail).unwrap_err()),
        "storage_unavailable"
    );
}

/// A callback through storage, from the address bar: the steps up to the first fetch (or the error).
fn callback(
    c: &OAuthClient,
    href: &str,
    store: &mut Vec<(String, String)>,
    log: &mut Vec<String>,
) -> Result<HttpRequest, Error> {
    let (mut flow, mut step) = Flow::callback(c, href, true, None, NOW)?;
    loop {
        let input = match &step {
            Step::Replace(url) => {
                log.push(format!("replace {url}"));
                Input::Ok
            }
            Step::Fetch(_) => return Ok(fetch(step)),
            other => storage(other, store, log).expect("a storage step"),
        };
        step = flow.resume(c, &mut None, NOW, input)?;
    }
}

#[test]
fn the_callback_takes_its_entry_once_and_leaves_the_others() {
    let c = client();
    let mine = c
        .start_authorization(&AuthorizationOptions::default(), NOW)
        .unwrap();
    let theirs = c
        .start_authorization(&AuthorizationOptions::default(), NOW)
        .unwrap();
    let stale = c
        .start_authorization(&AuthorizationOptions::default(), NOW - 601)
        .unwrap();
    let mut store: Vec<(String, String)> = [&mine, &theirs, &stale]
        .iter()
        .map(|p| (c.pending_key(p.state.secret()), p.to_json()))
        .collect();
    let mut log = Vec::new();

    // A forged state: `state_mismatch`; the sign-in under way elsewhere is kept, the stale entry goes.
    let forged = "https://app.example/cb?x=a%20b&code=C&state=forged";
    let e = callback(&c, forged, &mut store, &mut log).unwrap_err();
    assert_eq!(code(e), "state_mismatch");
    assert_eq!(
        log[0], "replace https://app.example/cb?x=a%20b",
        "the others as written"
    );
    assert_eq!(store.len(), 2);

    // The real callback: its entry goes first (single use), then the code exchange.
    log.clear();
    let href = format!(
        "https://app.example/cb?code=C&state={}&iss=https%3A%2F%2Fidp.example",
        mine.state.secret()
    );
    let request = callback(&c, &href, &mut store, &mut log).unwrap();
    assert!(request.form.unwrap().contains("code_verifier="));
    assert_eq!(log[1..], ["list pkce-wasm:pending:spa:", "store -1 +0"]);
    assert_eq!(store.len(), 1, "the other tab's sign-in stays");

    // A replay: the entry is gone, another is pending: forged or crossed.
    assert_eq!(
        code(callback(&c, &href, &mut store, &mut log).unwrap_err()),
        "state_mismatch"
    );
    store.clear();
    assert_eq!(
        code(callback(&c, &href, &mut store, &mut log).unwrap_err()),
        "no_pending_authorization"
    );

    // An expired entry matched by its state: taken out, then `pending_expired`, nothing sent.
    let mut store = vec![(c.pending_key(stale.state.secret()), stale.to_json())];
    let href = format!(
        "https://app.example/cb?code=C&state={}",
        stale.state.secret()
    );
    assert_eq!(
        code(callback(&c, &href, &mut store, &mut log).unwrap_err()),
        "pending_expired"
    );
    assert!(store.is_empty());

    // Storage that throws while cleaning up does not hide the outcome; while taking the entry it does.
    let fresh = c
        .start_authorization(&AuthorizationOptions::default(), NOW)
        .unwrap();
    let href = format!(
        "https://app.example/cb?code=C&state={}&iss=https%3A%2F%2Fidp.example",
        fresh.state.secret()
    );
    let entries = vec![
        (c.pending_key(fresh.state.secret()), fresh.to_json()),
        (c.pending_key("garbage"), "{".into()),
    ];
    let (mut flow, _) = Flow::callback(&c, &href, false, None, NOW).unwrap();
    let step = flow
        .resume(&c, &mut None, NOW, Input::Entries(entries.clone()))
        .unwrap();
    assert!(matches!(&step, Step::Store { remove, .. } if remove.len() == 1));
    let step = flow.resume(&c, &mut None, NOW, Input::Ok).unwrap();
    assert!(matches!(&step, Step::Store { .. }), "then the stale entry");
    let fail = || Input::Failed(pkce_wasm::ErrorCode::StorageUnavailable);
    assert!(matches!(
        flow.resume(&c, &mut None, NOW, fail()).unwrap(),
        Step::Fetch(_)
    ));
    let (mut flow, _) = Flow::callback(&c, &href, false, None, NOW).unwrap();
    flow.resume(&c, &mut None, NOW, Input::Entries(entries))
        .unwrap();
    assert_eq!(
        code(flow.resume(&c, &mut None, NOW, fail()).unwrap_err()),
        "storage_unavailable"
    );
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// RFC 7515 A.2's RSA modulus (2048 bits).
const N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

fn id_token(kid: &str, sub: &str) -> String {
    let header = format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#);
    let claims = format!(
        r#"{{"iss":"{ISSUER}","sub":"{sub}","aud":"spa","exp":{},"iat":{NOW}}}"#,
        NOW + 300
    );
    format!(
        "{}.{}.{}",
        b64(header.as_bytes()),
        b64(claims.as_bytes()),
        b64(&[7; 256])
    )
}

fn jwks(kid: &str) -> String {
    format!(r#"{{"keys":[{{"kty":"RSA","kid":"{kid}","n":"{N}","e":"AQAB"}}]}}"#)
}

#[test]
#[cfg(feature = "oidc")]
fn id_tokens_are_verified_with_the_cached_jwks_then_refetched_once() {
    let c = oidc_client();
    let mut cache = None;
    let response = |t: &str| {
        json(
            200,
            &format!(r#"{{"access_token":"AT","token_type":"Bearer","id_token":"{t}"}}"#),
        )
    };
    // The session's ID token, which a refreshed one is checked against (same `sub`).
    let session = id_token("k1", "u");
    let id = || Some(pkce_wasm::IdToken::new(&session));
    // No cache: the JWKS is fetched, kept, and the signature handed to WebCrypto.
    let (mut flow, _) = Flow::refresh(&c, "RT", None, id(), None, NOW).unwrap();
    let step = flow
        .resume(&c, &mut cache, NOW, response(&id_token("k1", "u")))
        .unwrap();
    let r = fetch(step);
    assert_eq!(
        (r.url.as_str(), r.method()),
        ("https://idp.example/jwks", "GET")
    );
    let step = flow
        .resume(&c, &mut cache, NOW, json(200, &jwks("k1")))
        .unwrap();
    let Step::Verify(v) = step else {
        panic!("{step:?}")
    };
    assert_eq!(v.signature, [7; 256]);
    assert_eq!(
        v.alg.webcrypto()[0],
        ("name", pkce_wasm::Param::Str("RSASSA-PKCS1-v1_5"))
    );
    assert!(cache.is_some());
    let t = tokens(
        flow.resume(&c, &mut cache, NOW, Input::Verified(true))
            .unwrap(),
    );
    assert_eq!(t.claims.unwrap().sub, "u");

    // Cached: straight to the signature.
    let (mut flow, _) = Flow::refresh(&c, "RT", None, id(), None, NOW).unwrap();
    let step = flow
        .resume(&c, &mut cache, NOW, response(&id_token("k1", "u")))
        .unwrap();
    assert!(matches!(step, Step::Verify(_)));
    let e = flow
        .resume(&c, &mut cache, NOW, Input::Verified(false))
        .unwrap_err();
    assert_eq!(code(e), "id_token_signature");

    // A rotated key: refetched once; still unknown there: `key_not_found`.
    let (mut flow, _) = Flow::refresh(&c, "RT", None, id(), None, NOW).unwrap();
    let step = flow
        .resume(&c, &mut cache, NOW, response(&id_token("k2", "u")))
        .unwrap();
    assert!(matches!(step, Step::Fetch(_)));
    let e = flow
        .resume(&c, &mut cache, NOW, json(200, &jwks("k1")))
        .unwrap_err();
    assert_eq!(code(e), "key_not_found");

    // A refresh without an ID token keeps the session's; with one for another subject, refused.
    let (mut flow, _) = Flow::refresh(&c, "RT", None, id(), None, NOW).unwrap();
    let t = tokens(flow.resume(&c, &mut cache, NOW, json(200, TOKENS)).unwrap());
    assert_eq!(t.id_token.unwrap().secret(), session);
    assert_eq!(t.claims.unwrap().sub, "u");
    let (mut flow, _) = Flow::refresh(&c, "RT", None, id(), None, NOW).unwrap();
    let e = flow
        .resume(&c, &mut cache, NOW, response(&id_token("k1", "v")))
        .unwrap_err();
    assert_eq!(code(e), "subject_mismatch");
    // A broken session ID token fails before anything is sent.
    let broken = Some(pkce_wasm::IdToken::new("x.y.z"));
    assert_eq!(
        code(Flow::refresh(&c, "RT", None, broken, None, NOW).unwrap_err()),
        "invalid_id_token"
    );
}

#[test]
#[cfg(feature = "oidc")]
fn discovery_checks_the_config_first_then_falls_back() {
    let mut bad = config();
    bad.redirect_uri = "http://app.example/cb".into();
    assert_eq!(
        code(OAuthClient::for_discovery(ISSUER, bad).unwrap_err()),
        "invalid_config"
    );

    let start = OAuthClient::for_discovery(ISSUER, config()).unwrap();
    let (mut flow, step) = Flow::discover(&start, ISSUER).unwrap();
    assert_eq!(
        fetch(step).url,
        "https://idp.example/.well-known/openid-configuration"
    );
    let step = flow
        .resume(&start, &mut None, NOW, json(404, "{}"))
        .unwrap();
    assert_eq!(
        fetch(step).url,
        "https://idp.example/.well-known/oauth-authorization-server"
    );
    let doc = format!(
        r#"{{"issuer":"{ISSUER}","authorization_endpoint":"https://idp.example/a","token_endpoint":"https://idp.example/t","code_challenge_methods_supported":["S256"],"authorization_response_iss_parameter_supported":true}}"#
    );
    let Step::Done(Output::Client(found)) = flow
        .resume(&start, &mut None, NOW, json(200, &doc))
        .unwrap()
    else {
        panic!("a client")
    };
    assert_eq!(found.config().token_endpoint, "https://idp.example/t");
    assert!(found.config().require_iss);
    assert_eq!(
        found.config().timeout_ms,
        1234,
        "the rest of the config kept"
    );

    // Both error statuses: the last one's; a redirect stops at once.
    let (mut flow, _) = Flow::discover(&start, ISSUER).unwrap();
    flow.resume(&start, &mut None, NOW, json(404, "{}"))
        .unwrap();
    let e = flow
        .resume(&start, &mut None, NOW, json(500, "{}"))
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    let (mut flow, _) = Flow::discover(&start, ISSUER).unwrap();
    let e = flow
        .resume(&start, &mut None, NOW, json(301, "{}"))
        .unwrap_err();
    assert_eq!(
        (code(e.clone()).as_str(), e.status()),
        ("invalid_response", Some(301))
    );
}

#[test]
fn single_flight_keys_name_the_endpoint_client_and_token() {
    let c = client();
    assert_eq!(c.flight_key("RT"), "https://idp.example/token\nspa\nRT\n");
    assert_ne!(c.flight_key("RT"), c.flight_key("RT2"));
}

mod session {
    use super::*;
    use pkce_wasm::engine::{Event, SESSION_KEY_PREFIX};
    use pkce_wasm::SessionConfig;

    fn client() -> OAuthClient {
        let mut c = config();
        c.session = Some(SessionConfig::default());
        OAuthClient::new(c).unwrap()
    }

    fn stored(expires_at: u64, rt: Option<&str>) -> String {
        let rt = rt.map_or(String::new(), |r| format!(r#","refresh_token":"{r}""#));
        format!(
            r#"{{"v":1,"client":"spa","tokens":{{"access_token":"AT1","token_type":"bearer","expires_at":{expires_at}{rt}}}}}"#
        )
    }

    /// Drives a flow: storage from `store`, fetches answered by `answers` in turn; returns the outcome
    /// and a log of the steps.
    fn drive(
        c: &OAuthClient,
        first: Result<(Flow, Step), Error>,
        store: &mut Vec<(String, String)>,
        answers: &mut Vec<Input>,
    ) -> (Result<Output, Error>, Vec<String>) {
        let mut log = Vec::new();
        let (mut flow, mut step) = match first {
            Ok(f) => f,
            Err(e) => return (Err(e), log),
        };
        loop {
            let input = match step {
                Step::Done(output) => return (Ok(output), log),
                Step::Read { key, .. } => {
                    log.push("read".to_owned());
                    Input::Entries(store.iter().filter(|(k, _)| *k == key).cloned().collect())
                }
                Step::Store { remove, set, .. } => {
                    log.push(format!("store -{} +{}", remove.len(), set.is_some() as u8));
                    store.retain(|(k, _)| {
                        !remove.contains(k) && set.as_ref().is_none_or(|(s, _)| s != k)
                    });
                    store.extend(set);
                    Input::Ok
                }
                Step::Lock { .. } => {
                    log.push("lock".to_owned());
                    Input::Ok
                }
                Step::Unlock => {
                    log.push("unlock".to_owned());
                    Input::Ok
                }
                Step::Emit { event, broadcast } => {
                    log.push(format!(
                        "emit {}{}",
                        event.as_str(),
                        if broadcast { "*" } else { "" }
                    ));
                    Input::Ok
                }
                Step::Fetch(r) => {
                    log.push(format!("fetch {}", r.url));
                    answers.remove(0)
                }
                #[cfg(feature = "oidc")]
                Step::Sign(_) => {
                    log.push("sign".to_owned());
                    Input::Signed(vec![1])
                }
                other => panic!("unexpected {other:?}"),
            };
            match flow.resume(c, &mut None, NOW, input) {
                Ok(next) => step = next,
                Err(e) => return (Err(e), log),
            }
        }
    }

    fn key() -> String {
        format!("{SESSION_KEY_PREFIX}spa")
    }

    fn access_token(out: Result<Output, Error>) -> Result<String, String> {
        match out {
            Ok(Output::Tokens(t)) => Ok(t.access_token.secret().to_owned()),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.code().to_owned()),
        }
    }

    #[test]
    fn the_callback_keeps_the_session_and_a_fresh_one_is_returned_as_is() {
        let c = client();
        let mut store = Vec::new();
        let pending = c
            .start_authorization(&AuthorizationOptions::default(), NOW)
            .unwrap();
        let href = format!(
            "https://app.example/cb?code=C&state={}&iss=https%3A%2F%2Fidp.example",
            pending.state.secret()
        );
        let first = Flow::callback(&c, &href, false, Some(pending), NOW);
        let (out, log) = drive(&c, first, &mut store, &mut vec![json(200, TOKENS)]);
        assert_eq!(access_token(out).unwrap(), "AT");
        assert_eq!(
            log,
            [
                "fetch https://idp.example/token",
                "store -0 +1",
                "emit signedin"
            ]
        );
        assert_eq!(store[0].0, key());
        // Fresh (60 s left, leeway 30): no lock, no request.
        let (out, log) = drive(&c, Flow::access_token(&c), &mut store, &mut vec![]);
        assert_eq!(access_token(out).unwrap(), "AT");
        assert_eq!(log, ["read"]);
        // Without a session configured, there is none to ask for.
        assert_eq!(
            code(Flow::access_token(&super::client()).unwrap_err()),
            "invalid_config"
        );
    }

    #[test]
    fn a_stale_token_is_refreshed_under_the_lock_after_reading_again() {
        let c = client();
        let mut store = vec![(key(), stored(NOW + 10, Some("RT1")))];
        let (out, log) = drive(
            &c,
            Flow::access_token(&c),
            &mut store,
            &mut vec![json(200, TOKENS)],
        );
        assert_eq!(access_token(out).unwrap(), "AT");
        assert_eq!(
            log,
            [
                "read",
                "lock",
                "read",
                "fetch https://idp.example/token",
                "store -0 +1",
                "emit refreshed",
                "unlock"
            ]
        );
        assert!(
            store[0].1.contains("RT2"),
            "the rotated refresh token is kept"
        );

        // Another tab refreshed while this one waited for the lock: no request.
        let mut store = [(key(), stored(NOW + 10, Some("RT1")))];
        let (mut flow, _) = Flow::access_token(&c).unwrap();
        let entries = |s: String| Input::Entries(vec![(key(), s)]);
        let lock = flow
            .resume(&c, &mut None, NOW, entries(stored(NOW + 10, Some("RT1"))))
            .unwrap();
        assert!(matches!(lock, Step::Lock { .. }));
        flow.resume(&c, &mut None, NOW, Input::Ok).unwrap();
        store[0].1 = stored(NOW + 3600, Some("RT2"));
        let unlock = flow
            .resume(&c, &mut None, NOW, entries(store[0].1.clone()))
            .unwrap();
        assert!(matches!(unlock, Step::Unlock));
        let done = flow.resume(&c, &mut None, NOW, Input::Ok).unwrap();
        assert!(matches!(done, Step::Done(Output::Tokens(_))));
    }

    #[test]
    fn a_refused_grant_ends_the_session_and_other_failures_keep_it() {
        let c = client();
        let mut store = vec![(key(), stored(NOW, Some("RT1")))];
        let refused = json(400, r#"{"error":"invalid_grant"}"#);
        let (out, log) = drive(&c, Flow::access_token(&c), &mut store, &mut vec![refused]);
        assert_eq!(access_token(out).unwrap_err(), "invalid_grant");
        assert_eq!(
            log,
            [
                "read",
                "lock",
                "read",
                "fetch https://idp.example/token",
                "store -1 +0",
                "emit refreshfailed",
                "emit signedout*",
                "unlock"
            ]
        );
        assert!(store.is_empty());

        let mut store = vec![(key(), stored(NOW, Some("RT1")))];
        let down = Input::Failed(pkce_wasm::ErrorCode::NetworkError);
        let (out, log) = drive(&c, Flow::access_token(&c), &mut store, &mut vec![down]);
        assert_eq!(access_token(out).unwrap_err(), "network_error");
        assert_eq!(log[4..], ["emit refreshfailed", "unlock"]);
        assert_eq!(store.len(), 1, "kept for a later try");

        // Expired without a refresh token: the session ends.
        let mut store = vec![(key(), stored(NOW, None))];
        let (out, log) = drive(&c, Flow::access_token(&c), &mut store, &mut vec![]);
        assert_eq!(access_token(out).unwrap_err(), "session_expired");
        assert_eq!(log, ["read", "store -1 +0", "emit signedout*"]);
    }

    #[test]
    fn a_garbage_or_foreign_session_is_a_typed_error_and_is_removed() {
        let c = client();
        for bad in [
            "{".to_owned(),
            stored(NOW + 999, None).replace(r#""v":1"#, r#""v":2"#),
            stored(NOW + 999, None).replace(r#""client":"spa""#, r#""client":"other""#),
            stored(NOW + 999, None).replace("AT1", ""),
        ] {
            let mut store = vec![(key(), bad.clone())];
            let (out, log) = drive(&c, Flow::access_token(&c), &mut store, &mut vec![]);
            assert_eq!(access_token(out).unwrap_err(), "invalid_session", "{bad}");
            assert_eq!(log, ["read", "store -1 +0"]);
            assert!(store.is_empty());
        }
        let (out, _) = drive(&c, Flow::access_token(&c), &mut Vec::new(), &mut vec![]);
        assert_eq!(access_token(out).unwrap_err(), "no_session");
    }

    #[test]
    #[cfg(feature = "oidc")]
    fn sign_out_is_best_effort_also_when_the_revocation_is_signed_and_sent() {
        // A DPoP client: its revocation goes through the signing steps; a network failure still ends
        // the session here.
        let mut cfg = client().config().clone();
        cfg.revocation_endpoint = Some("https://idp.example/revoke".into());
        cfg.dpop = Some(pkce_wasm::DpopKey {
            alg: pkce_wasm::Alg::Es256,
            jwk: [("kty", "EC"), ("crv", "P-256"), ("x", "X"), ("y", "Y")]
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .to_vec(),
        });
        let c = OAuthClient::new(cfg).unwrap();
        let mut store = vec![(key(), stored(NOW + 999, Some("RT1")))];
        let mut answers = vec![Input::Failed(pkce_wasm::ErrorCode::NetworkError)];
        let (out, log) = drive(&c, Flow::logout(&c), &mut store, &mut answers);
        assert!(matches!(out, Ok(Output::Unit)), "{out:?}");
        assert_eq!(
            log,
            [
                "read",
                "read",
                "sign",
                "fetch https://idp.example/revoke",
                "store -1 +0",
                "emit signedout*"
            ]
        );
        assert!(store.is_empty());
    }

    #[test]
    fn sign_out_removes_the_session_and_tells_every_tab() {
        let c = client();
        let mut store = vec![(key(), stored(NOW + 999, Some("RT1")))];
        let (out, log) = drive(&c, Flow::logout(&c), &mut store, &mut vec![]);
        assert!(matches!(out, Ok(Output::Unit)));
        assert_eq!(log, ["read", "store -1 +0", "emit signedout*"]);
        // The other tabs forget theirs, and tell their page only.
        let mut store = vec![(key(), stored(NOW + 999, Some("RT1")))];
        let (_, log) = drive(&c, Flow::forget(&c), &mut store, &mut vec![]);
        assert_eq!(log, ["store -1 +0", "emit signedout"]);
        assert!(store.is_empty());
        assert_eq!(Event::SignedOut.as_str(), "signedout");
    }
}

mod par {
    //! RFC 9126: the push's request, its answer, and sign-in around it.
    use super::*;

    fn par_client(auth: Option<&str>) -> OAuthClient {
        let mut c = config();
        c.pushed_authorization_request_endpoint = Some("https://idp.example/par".into());
        if let Some(secret) = auth {
            c.client_auth =
                pkce_wasm::ClientAuth::ClientSecretBasic(pkce_wasm::ClientSecret::new(secret));
        }
        OAuthClient::new(c).unwrap()
    }

    fn form(body: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect()
    }

    #[test]
    fn sign_in_pushes_first_then_stores_and_navigates_to_the_request_uri() {
        let c = par_client(None);
        assert_eq!(
            code(
                c.start_authorization(&AuthorizationOptions::default(), NOW)
                    .unwrap_err()
            ),
            "invalid_config"
        );
        // A driver that cannot wait for the push (the Rust API's synchronous `login`) is refused.
        let e = Flow::login_sync(&c, &AuthorizationOptions::default(), NOW).unwrap_err();
        assert_eq!(code(e), "invalid_config");
        let (mut flow, step) = Flow::login(&c, &AuthorizationOptions::default(), NOW).unwrap();
        let r = fetch(step);
        assert_eq!(
            (r.url.as_str(), r.method()),
            ("https://idp.example/par", "POST")
        );
        let f = form(r.form.as_deref().unwrap());
        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.iter().filter(|n| **n == "client_id").count(), 1);
        for n in [
            "response_type",
            "redirect_uri",
            "state",
            "code_challenge",
            "code_challenge_method",
        ] {
            assert!(names.contains(&n), "{n}");
        }
        let mut jwks = None;
        let step = flow
            .resume(
                &c,
                &mut jwks,
                NOW,
                json(
                    201,
                    r#"{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}"#,
                ),
            )
            .unwrap();
        assert!(matches!(step, Step::List { .. }), "{step:?}");
        let step = flow
            .resume(&c, &mut jwks, NOW, Input::Entries(vec![]))
            .unwrap();
        let Step::Store {
            set: Some((_, pending)),
            ..
        } = step
        else {
            panic!("{step:?}")
        };
        let url = "https://idp.example/authorize?client_id=spa&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc";
        assert!(
            pending.contains(&url.replace('&', "\\u0026")) || pending.contains(url),
            "{pending}"
        );
        let step = flow.resume(&c, &mut jwks, NOW, Input::Ok).unwrap();
        assert!(
            matches!(step, Step::Navigate(ref u) if u == url),
            "{step:?}"
        );
    }

    #[test]
    fn a_confidential_push_authenticates_with_basic_and_names_the_client() {
        let c = par_client(Some("s3cret"));
        let (_, step) = Flow::authorize(&c, &AuthorizationOptions::default(), NOW).unwrap();
        let r = fetch(step);
        assert!(r.authorization.as_deref().unwrap().starts_with("Basic "));
        let f = form(r.form.as_deref().unwrap());
        assert_eq!(f.iter().filter(|(n, _)| n == "client_id").count(), 1);
        assert!(!f.iter().any(|(n, _)| n == "client_secret"));
    }

    #[test]
    fn the_pushed_urls_lifetime_is_the_servers_expires_in() {
        let c = par_client(None);
        let (mut flow, _) = Flow::authorize(&c, &AuthorizationOptions::default(), NOW).unwrap();
        let body = r#"{"request_uri":"urn:x","expires_in":90}"#;
        let Step::Done(Output::Pending(p)) =
            flow.resume(&c, &mut None, NOW, json(201, body)).unwrap()
        else {
            panic!()
        };
        assert_eq!(p.url_expires_at, Some(NOW + 90));
        let back = pkce_wasm::PendingAuthorization::from_json(&p.to_json()).unwrap();
        assert_eq!(back, *p, "kept through storage");
        let plain = OAuthClient::new(config()).unwrap();
        let p = plain
            .start_authorization(&AuthorizationOptions::default(), NOW)
            .unwrap();
        assert_eq!(p.url_expires_at, None, "an unpushed URL has no such limit");
        assert!(!p.to_json().contains("urlExpiresAt"));
    }

    #[test]
    fn hostile_answers_store_nothing_and_navigate_nowhere() {
        for (status, body, expected) in [
            (201, r#"{"expires_in":60}"#, "invalid_response"),
            (
                201,
                r#"{"request_uri":"","expires_in":60}"#,
                "invalid_response",
            ),
            (201, r#"{"request_uri":"urn:x"}"#, "invalid_response"),
            (
                201,
                r#"{"request_uri":"urn:x","expires_in":0}"#,
                "invalid_response",
            ),
            (
                201,
                r#"{"request_uri":"urn:x","expires_in":86400}"#,
                "invalid_response",
            ),
            (
                201,
                r#"{"request_uri":"urn:x","expires_in":6e1}"#,
                "invalid_response",
            ),
            (302, "{}", "invalid_response"),
            (400, r#"{"error":"invalid_request"}"#, "invalid_request"),
            (500, "oops", "invalid_response"),
        ] {
            let c = par_client(None);
            let (mut flow, _) = Flow::login(&c, &AuthorizationOptions::default(), NOW).unwrap();
            let e = flow
                .resume(&c, &mut None, NOW, json(status, body))
                .unwrap_err();
            assert_eq!(code(e), expected, "{status} {body}");
        }
    }

    #[test]
    fn without_par_authorize_is_done_at_once_and_required_par_without_an_endpoint_fails() {
        let (_, step) = Flow::authorize(&client(), &AuthorizationOptions::default(), NOW).unwrap();
        assert!(
            matches!(step, Step::Done(Output::Pending(ref p)) if p.url.contains("code_challenge="))
        );
        let mut c = config();
        c.require_pushed_authorization_requests = true;
        let c = OAuthClient::new(c).unwrap();
        assert_eq!(
            code(Flow::login(&c, &AuthorizationOptions::default(), NOW).unwrap_err()),
            "invalid_config"
        );
        let mut c = config();
        c.pushed_authorization_request_endpoint = Some("https://evil.example/par".into());
        assert_eq!(code(OAuthClient::new(c).unwrap_err()), "invalid_config");
    }
}

#[test]
#[cfg(feature = "oidc")]
fn discovery_takes_par_only_where_required_and_only_on_the_token_endpoints_origin() {
    let doc = |par: &str, required: bool| {
        format!(
            r#"{{"issuer":"{ISSUER}","authorization_endpoint":"https://idp.example/a","token_endpoint":"https://idp.example/t","code_challenge_methods_supported":["S256"],"pushed_authorization_request_endpoint":"{par}","require_pushed_authorization_requests":{required}}}"#
        )
    };
    let found = |config: ClientConfig, body: &str| {
        let start = OAuthClient::for_discovery(ISSUER, config).unwrap();
        let (mut flow, _) = Flow::discover(&start, ISSUER).unwrap();
        match flow.resume(&start, &mut None, NOW, json(200, body)) {
            Ok(Step::Done(Output::Client(c))) => {
                Ok(c.config().pushed_authorization_request_endpoint.clone())
            }
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(code(e)),
        }
    };
    let par = "https://idp.example/par";
    assert_eq!(found(config(), &doc(par, true)), Ok(Some(par.into())));
    assert_eq!(
        found(config(), &doc(par, false)),
        Ok(None),
        "offered is not enough"
    );
    let mut opt_in = config();
    opt_in.require_pushed_authorization_requests = true;
    assert_eq!(found(opt_in, &doc(par, false)), Ok(Some(par.into())));
    assert_eq!(
        found(config(), &doc("https://evil.example/par", true)),
        Err("invalid_response".into())
    );
}

#[cfg(feature = "oidc")]
mod private_key_jwt {
    //! RFC 7523: every authenticated request waits for a signature of a fresh assertion.
    use super::*;
    use pkce_wasm::{Alg, ClientAuth, ClientKey};

    fn key_client(id: &str, kid: Option<&str>) -> OAuthClient {
        let mut c = config();
        c.client_id = id.into();
        c.client_auth = ClientAuth::PrivateKeyJwt(ClientKey {
            alg: Alg::Es256,
            kid: kid.map(String::from),
        });
        OAuthClient::new(c).unwrap()
    }

    fn decode(part: &str) -> serde_json::Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn the_assertion_is_signed_then_sent_with_the_request() {
        let c = key_client("svc", Some("k1"));
        let (mut flow, step) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap();
        let Step::Sign(s) = step else {
            panic!("{step:?}")
        };
        assert_eq!(s.alg, Alg::Es256);
        let (h, p) = s.data.split_once('.').unwrap();
        assert_eq!(
            decode(h),
            serde_json::json!({"alg": "ES256", "typ": "JWT", "kid": "k1"})
        );
        let claims = decode(p);
        assert_eq!(claims["iss"], "svc");
        assert_eq!(claims["sub"], "svc");
        assert_eq!(claims["aud"], ISSUER);
        assert_eq!(claims["iat"], NOW);
        assert!(claims["exp"].as_u64().unwrap() - NOW <= 300);
        assert_eq!(claims["jti"].as_str().unwrap().len(), 43);
        let r = fetch(
            flow.resume(&c, &mut None, NOW, Input::Signed(vec![1, 2, 3]))
                .unwrap(),
        );
        let form: Vec<(String, String)> = form_urlencoded::parse(r.form.unwrap().as_bytes())
            .into_owned()
            .collect();
        let get = |n: &str| form.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        assert_eq!(get("client_id").as_deref(), Some("svc"));
        assert_eq!(
            get("client_assertion_type").as_deref(),
            Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        );
        assert_eq!(get("client_assertion").unwrap(), format!("{}.AQID", s.data));
        assert_eq!(r.authorization, None);
        // Every assertion is new.
        let Step::Sign(again) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap().1 else {
            panic!()
        };
        assert_ne!(again.data, s.data);
    }

    #[test]
    fn a_key_that_cannot_sign_sends_nothing() {
        let c = key_client("svc", None);
        for input in [
            Input::Failed(pkce_wasm::ErrorCode::InvalidConfig),
            Input::Signed(vec![]),
        ] {
            let (mut flow, _) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap();
            assert_eq!(
                code(flow.resume(&c, &mut None, NOW, input).unwrap_err()),
                "invalid_config"
            );
        }
    }

    proptest::proptest! {
        /// Whatever the client id and key id, the assertion's parts are well-formed JSON with them, and
        /// no secret is there to leak (the key never is in the engine).
        #[test]
        fn assertions_are_always_well_formed(id in "\\PC{1,40}", kid in proptest::option::of("\\PC{1,20}")) {
            let mut c = config();
            c.client_id = id.clone();
            c.client_auth = ClientAuth::PrivateKeyJwt(ClientKey { alg: Alg::Ps256, kid: kid.clone() });
            let Ok(c) = OAuthClient::new(c) else { return Ok(()) };
            let Step::Sign(s) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap().1 else { panic!() };
            let (h, p) = s.data.split_once('.').unwrap();
            let h = decode(h);
            proptest::prop_assert_eq!(h["alg"].as_str(), Some("PS256"));
            proptest::prop_assert_eq!(h["kid"].as_str(), kid.as_deref());
            let claims = decode(p);
            proptest::prop_assert_eq!(claims["iss"].as_str(), Some(id.as_str()));
        }
    }

    #[test]
    fn userinfo_is_not_client_authenticated() {
        let c = key_client("spa", Some("k1"));
        let mut cfg = c.config().clone();
        cfg.userinfo_endpoint = Some("https://idp.example/userinfo".into());
        let c = OAuthClient::new(cfg).unwrap();
        let (_, step) = Flow::userinfo(&c, "AT", None, Some("alice"), None, NOW).unwrap();
        let r = fetch(step);
        assert_eq!(r.method(), "GET");
        assert_eq!(r.authorization.as_deref(), Some("Bearer AT"));
        assert!(r.form.is_none(), "no client assertion at a resource");
        // With DPoP too: a proof, still no assertion (also on the nonce retry).
        let mut cfg = c.config().clone();
        cfg.dpop = Some(pkce_wasm::DpopKey {
            alg: Alg::Es256,
            jwk: [("kty", "EC"), ("crv", "P-256"), ("x", "X"), ("y", "Y")]
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .to_vec(),
        });
        let c = OAuthClient::new(cfg).unwrap();
        let (mut flow, _) = Flow::userinfo(&c, "AT", None, Some("alice"), None, NOW).unwrap();
        for input in [Input::Entries(vec![]), Input::Ok] {
            let Step::Sign(s) = flow.resume(&c, &mut None, NOW, input).unwrap() else {
                panic!()
            };
            assert_eq!(s.key, pkce_wasm::engine::SigningKey::Dpop);
            let r = fetch(
                flow.resume(&c, &mut None, NOW, Input::Signed(vec![1]))
                    .unwrap(),
            );
            assert!(r.form.is_none() && r.method() == "GET");
            let mut challenge = HttpResponse {
                status: 401,
                ..Default::default()
            };
            challenge.dpop_nonce =
                Some(format!("n-{}", r.dpop.as_deref().unwrap_or_default().len()));
            challenge.www_authenticate = Some(r#"DPoP error="use_dpop_nonce""#.into());
            match flow.resume(&c, &mut None, NOW, Input::Response(challenge)) {
                Ok(Step::Store { .. }) => {}
                other => panic!("{other:?}"),
            }
        }
    }
}

#[cfg(feature = "oidc")]
mod dpop {
    //! RFC 9449: the proof's claims, the nonce's one retry, the binding check.
    use super::*;
    use pkce_wasm::{Alg, DpopKey};

    fn dpop_client() -> OAuthClient {
        let mut c = config();
        c.dpop = Some(DpopKey {
            alg: Alg::Es256,
            jwk: ["kty:EC", "crv:P-256", "x:XX", "y:YY"]
                .iter()
                .map(|m| {
                    let (n, v) = m.split_once(':').unwrap();
                    (n.into(), v.into())
                })
                .collect(),
        });
        OAuthClient::new(c).unwrap()
    }

    fn decode(part: &str) -> serde_json::Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    }

    fn with_nonce(status: u16, body: &str, nonce: &str) -> Input {
        let Input::Response(mut r) = json(status, body) else {
            unreachable!()
        };
        r.dpop_nonce = Some(nonce.into());
        Input::Response(r)
    }

    /// Steps to the fetch: the nonce read (answered with `stored`), the proof signed.
    fn to_fetch(c: &OAuthClient, flow: &mut Flow, step: Step, stored: Option<&str>) -> HttpRequest {
        let Step::Read {
            storage: PendingStorage::Memory,
            key,
        } = step
        else {
            panic!("{step:?}")
        };
        assert_eq!(key, "pkce-wasm:dpop-nonce:https://idp.example");
        let entries = stored.map(|n| (key, n.to_string())).into_iter().collect();
        let Step::Sign(s) = flow
            .resume(c, &mut None, NOW, Input::Entries(entries))
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(s.key, pkce_wasm::engine::SigningKey::Dpop);
        let (h, p) = s.data.split_once('.').unwrap();
        let h = decode(h);
        assert_eq!(
            (h["typ"].as_str(), h["alg"].as_str()),
            (Some("dpop+jwt"), Some("ES256"))
        );
        assert_eq!(
            h["jwk"],
            serde_json::json!({"crv": "P-256", "kty": "EC", "x": "XX", "y": "YY"})
        );
        let claims = decode(p);
        assert_eq!(
            (claims["htm"].as_str(), claims["htu"].as_str()),
            (Some("POST"), Some("https://idp.example/token"))
        );
        assert_eq!(claims["nonce"].as_str(), stored);
        fetch(
            flow.resume(c, &mut None, NOW, Input::Signed(vec![9]))
                .unwrap(),
        )
    }

    #[test]
    fn a_proof_per_request_and_one_retry_with_the_servers_nonce() {
        let c = dpop_client();
        let p = c
            .start_authorization(&AuthorizationOptions::default(), NOW)
            .unwrap();
        assert!(p.url.contains(&format!(
            "dpop_jkt={}",
            c.config().dpop.as_ref().unwrap().thumbprint()
        )));
        let (mut flow, step) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap();
        let r = to_fetch(&c, &mut flow, step, None);
        assert!(r
            .headers()
            .iter()
            .any(|(n, v)| *n == "dpop" && v.ends_with(".CQ")));
        // use_dpop_nonce: the nonce is kept, then the request goes once more with it.
        let step = flow
            .resume(
                &c,
                &mut None,
                NOW,
                with_nonce(400, r#"{"error":"use_dpop_nonce"}"#, "n1"),
            )
            .unwrap();
        let Step::Store {
            storage: PendingStorage::Memory,
            set: Some((_, n)),
            ..
        } = step
        else {
            panic!("{step:?}")
        };
        assert_eq!(n, "n1");
        let Step::Sign(s) = flow.resume(&c, &mut None, NOW, Input::Ok).unwrap() else {
            panic!()
        };
        assert_eq!(decode(s.data.split_once('.').unwrap().1)["nonce"], "n1");
        fetch(
            flow.resume(&c, &mut None, NOW, Input::Signed(vec![9]))
                .unwrap(),
        );
        // Asked again: no second retry, the server's error.
        let step = flow
            .resume(
                &c,
                &mut None,
                NOW,
                with_nonce(400, r#"{"error":"use_dpop_nonce"}"#, "n2"),
            )
            .unwrap();
        assert!(matches!(step, Step::Store { .. }));
        assert_eq!(
            code(flow.resume(&c, &mut None, NOW, Input::Ok).unwrap_err()),
            "use_dpop_nonce"
        );
    }

    #[test]
    fn only_a_bound_token_is_accepted() {
        let c = dpop_client();
        for (token_type, ok) in [("DPoP", true), ("dpop", true), ("Bearer", false)] {
            let (mut flow, step) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap();
            to_fetch(&c, &mut flow, step, Some("kept"));
            let body = format!(r#"{{"access_token":"AT","token_type":"{token_type}"}}"#);
            let r = flow.resume(&c, &mut None, NOW, json(200, &body));
            assert_eq!(r.is_ok(), ok, "{token_type}");
        }
        // A proof for a resource request: `ath`.
        let (mut flow, s) =
            resource_proof(&c, "GET", "https://api.example/x?q=1", "AT", None, None);
        let claims = decode(s.data.split_once('.').unwrap().1);
        assert_eq!(claims["htu"], "https://api.example/x");
        assert!(claims["ath"].is_string());
        let Step::Done(Output::Proof(p)) = flow
            .resume(&c, &mut None, NOW, Input::Signed(vec![1]))
            .unwrap()
        else {
            panic!()
        };
        assert!(p.starts_with(&s.data) && p.ends_with(".AQ"));
    }

    proptest::proptest! {
        /// Whatever the URL, method, token and nonce, a resource proof is well-formed JSON with them, and
        /// the access token appears only as its hash.
        #[test]
        fn proofs_are_always_well_formed(path in "[a-z0-9/._~-]{0,30}", method in "[A-Z]{1,7}", token in "\\PC{1,40}", nonce in proptest::option::of("\\PC{1,20}")) {
            let c = dpop_client();
            let url = format!("https://api.example/{path}");
            let (_, s) = resource_proof(&c, &method, &url, &token, nonce.as_deref(), None);
            let (_, p) = s.data.split_once('.').unwrap();
            let claims = decode(p);
            proptest::prop_assert_eq!(claims["htu"].as_str(), Some(url.as_str()));
            proptest::prop_assert_eq!(claims["htm"].as_str(), Some(method.as_str()));
            proptest::prop_assert_eq!(claims["nonce"].as_str(), nonce.as_deref());
            proptest::prop_assert!(!s.data.contains(&token) || token.len() < 8);
        }
    }

    /// A resource proof's steps to its signature: the origin's nonce kept (when given) or read (answered
    /// with `stored`).
    fn resource_proof(
        c: &OAuthClient,
        method: &str,
        url: &str,
        token: &str,
        nonce: Option<&str>,
        stored: Option<&str>,
    ) -> (Flow, pkce_wasm::engine::Signing) {
        let (mut flow, step) = Flow::dpop_proof(c, method, url, token, nonce).unwrap();
        let key = "pkce-wasm:dpop-nonce:https://api.example";
        let input = match (step, nonce) {
            (
                Step::Store {
                    set: Some((k, v)),
                    storage: PendingStorage::Memory,
                    ..
                },
                Some(n),
            ) => {
                assert_eq!((k.as_str(), v.as_str()), (key, n));
                Input::Ok
            }
            (
                Step::Read {
                    key: k,
                    storage: PendingStorage::Memory,
                },
                None,
            ) => {
                assert_eq!(k, key);
                Input::Entries(stored.map(|n| (k, n.to_string())).into_iter().collect())
            }
            (step, _) => panic!("{step:?}"),
        };
        let Step::Sign(s) = flow.resume(c, &mut None, NOW, input).unwrap() else {
            panic!()
        };
        assert_eq!(s.key, pkce_wasm::engine::SigningKey::Dpop);
        (flow, s)
    }

    #[test]
    fn a_bearer_answer_is_accepted_only_when_configured_and_then_used_as_bearer() {
        let mut cfg = dpop_client().config().clone();
        cfg.dpop_accept_bearer = true;
        cfg.userinfo_endpoint = Some("https://idp.example/userinfo".into());
        let c = OAuthClient::new(cfg).unwrap();
        let (mut flow, step) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap();
        to_fetch(&c, &mut flow, step, None);
        let body = r#"{"access_token":"AT","token_type":"Bearer"}"#;
        let Step::Done(Output::Tokens(t)) =
            flow.resume(&c, &mut None, NOW, json(200, body)).unwrap()
        else {
            panic!()
        };
        assert_eq!(t.token_type, "bearer");
        // Its userinfo request: Bearer, no proof; a bound one still gets DPoP.
        let (_, step) = Flow::userinfo(&c, "AT", Some("bearer"), Some("alice"), None, NOW).unwrap();
        let r = fetch(step);
        assert_eq!(
            (r.authorization.as_deref(), r.dpop.as_deref()),
            (Some("Bearer AT"), None)
        );
        let (_, step) = Flow::userinfo(&c, "AT", Some("DPoP"), Some("alice"), None, NOW).unwrap();
        assert!(
            matches!(step, Step::Read { .. }),
            "the nonce, then the proof"
        );
    }

    #[test]
    fn a_resource_servers_nonce_is_kept_for_its_origin() {
        let c = dpop_client();
        let nonce = |s: &pkce_wasm::engine::Signing| {
            decode(s.data.split_once('.').unwrap().1)["nonce"].clone()
        };
        let (_, s) = resource_proof(&c, "GET", "https://api.example/a", "AT", None, Some("kept"));
        assert_eq!(nonce(&s), "kept", "the origin's kept nonce");
        let (_, s) = resource_proof(&c, "GET", "https://api.example/a", "AT", Some("n2"), None);
        assert_eq!(nonce(&s), "n2", "the given nonce, kept");
        let (_, s) = resource_proof(&c, "GET", "https://api.example/a", "AT", None, None);
        assert!(nonce(&s).is_null());
        // Without a DPoP key there is no proof.
        let plain = OAuthClient::new(config()).unwrap();
        assert_eq!(
            code(Flow::dpop_proof(&plain, "GET", "https://api.example/a", "AT", None).unwrap_err()),
            "invalid_config"
        );
    }

    #[test]
    fn userinfo_sends_the_bound_token_with_a_proof_and_answers_a_nonce_challenge_once() {
        let mut cfg = dpop_client().config().clone();
        cfg.userinfo_endpoint = Some("https://idp.example/userinfo".into());
        let c = OAuthClient::new(cfg).unwrap();
        let (mut flow, step) = Flow::userinfo(&c, "AT", None, Some("alice"), None, NOW).unwrap();
        let Step::Read { key, .. } = step else {
            panic!("{step:?}")
        };
        assert_eq!(key, "pkce-wasm:dpop-nonce:https://idp.example");
        let sign = |flow: &mut Flow, input| {
            let Step::Sign(s) = flow.resume(&c, &mut None, NOW, input).unwrap() else {
                panic!()
            };
            let claims = decode(s.data.split_once('.').unwrap().1);
            assert_eq!(
                (claims["htm"].as_str(), claims["htu"].as_str()),
                (Some("GET"), Some("https://idp.example/userinfo"))
            );
            use sha2::Digest as _;
            let ath = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(b"AT"));
            assert_eq!(claims["ath"].as_str(), Some(ath.as_str()));
            assert!(!s.data.contains("AT."), "the token only as its hash");
            (
                fetch(
                    flow.resume(&c, &mut None, NOW, Input::Signed(vec![7]))
                        .unwrap(),
                ),
                claims,
            )
        };
        let (r, _) = sign(&mut flow, Input::Entries(vec![]));
        assert_eq!(r.method(), "GET");
        let headers = r.headers();
        assert!(headers
            .iter()
            .any(|(n, v)| *n == "authorization" && *v == "DPoP AT"));
        assert!(headers
            .iter()
            .any(|(n, v)| *n == "dpop" && v.ends_with(".Bw")));
        // RFC 9449 §9: a 401 challenge `use_dpop_nonce` with a nonce: kept, then one retry with it.
        let challenge = |n: &str| {
            let Input::Response(mut r) = with_nonce(401, "", n) else {
                unreachable!()
            };
            r.content_type = None;
            r.www_authenticate =
                Some(r#"DPoP error="use_dpop_nonce", error_description="fresh nonce""#.into());
            Input::Response(r)
        };
        let step = flow.resume(&c, &mut None, NOW, challenge("n1")).unwrap();
        assert!(matches!(&step, Step::Store { set: Some((_, n)), .. } if n == "n1"));
        let (_, claims) = sign(&mut flow, Input::Ok);
        assert_eq!(claims["nonce"], "n1");
        // A second challenge is not answered again: it is the endpoint's answer.
        let step = flow.resume(&c, &mut None, NOW, challenge("n2")).unwrap();
        assert!(matches!(step, Step::Store { .. }));
        assert!(flow.resume(&c, &mut None, NOW, Input::Ok).is_err());
        // And the answer, after a retry, is checked as any userinfo response.
        let (mut flow, step) = Flow::userinfo(&c, "AT", None, Some("alice"), None, NOW).unwrap();
        assert!(matches!(step, Step::Read { .. }));
        sign(&mut flow, Input::Entries(vec![]));
        let Step::Done(Output::Userinfo(j)) = flow
            .resume(&c, &mut None, NOW, json(200, r#"{"sub":"alice"}"#))
            .unwrap()
        else {
            panic!()
        };
        assert!(j.contains("alice"));
    }

    #[test]
    fn a_wrong_key_description_is_invalid_config() {
        let mut c = config();
        c.dpop = Some(DpopKey {
            alg: Alg::Es256,
            jwk: vec![("kty".into(), "RSA".into())],
        });
        assert_eq!(code(OAuthClient::new(c).unwrap_err()), "invalid_config");
    }
}

/// FC-5: a driver that logs the engine's values (`{:?}` of a flow, a step or an input) logs no secret:
/// not the callback's code, the pending verifier (stored and read back), nor the tokens.
#[test]
fn debug_output_shows_no_secret() {
    let c = client();
    let secrets = |p: &pkce_wasm::PendingAuthorization| {
        [
            "CODE-SECRET-1".to_owned(),
            p.code_verifier.secret().to_owned(),
            "AT-SECRET-1".to_owned(),
            "RT-SECRET-1".to_owned(),
        ]
    };
    let check = |text: String, secrets: &[String]| {
        for s in secrets {
            assert!(!text.contains(s.as_str()), "{text}");
        }
    };
    // Sign-in: the pending authorization goes to storage.
    let (mut flow, mut step) = Flow::login(&c, &AuthorizationOptions::default(), NOW).unwrap();
    let mut store = Vec::new();
    let mut log = Vec::new();
    while !matches!(step, Step::Navigate(_)) {
        let input = storage(&step, &mut store, &mut log).unwrap();
        let pending = pkce_wasm::PendingAuthorization::from_json(
            &store.last().map_or(String::new(), |(_, v)| v.clone()),
        );
        if let Ok(p) = pending {
            check(format!("{step:?} {flow:?}"), &secrets(&p));
        }
        step = flow.resume(&c, &mut None, NOW, input).unwrap();
    }
    let (_, stored) = store.last().unwrap().clone();
    let pending = pkce_wasm::PendingAuthorization::from_json(&stored).unwrap();
    let secrets = secrets(&pending);
    assert!(
        stored.contains(secrets[1].as_str()),
        "the verifier is stored"
    );
    // The callback: the stored entry read back, the code exchanged, the tokens returned.
    let href = format!(
        "https://app.example/cb?code=CODE-SECRET-1&state={}",
        pending.state.secret()
    );
    let (mut flow, mut step) = Flow::callback(&c, &href, true, None, NOW).unwrap();
    loop {
        check(format!("{step:?} {flow:?}"), &secrets);
        let input = match &step {
            Step::Done(_) => break,
            Step::Replace(_) => Input::Ok,
            Step::Fetch(_) => json(
                200,
                r#"{"access_token":"AT-SECRET-1","token_type":"Bearer","expires_in":60,"refresh_token":"RT-SECRET-1"}"#,
            ),
            other => storage(other, &mut store, &mut log).unwrap(),
        };
        check(format!("{input:?}"), &secrets);
        step = flow.resume(&c, &mut None, NOW, input).unwrap();
    }
    assert!(matches!(step, Step::Done(Output::Tokens(_))));
}

/// OIDC Core §12.2: a refreshed ID token is checked against the one it replaces. A refresh of a bare
/// refresh token has none, so a verifying client returns the access token without the new ID token
/// (and fetches no JWKS for it).
#[test]
#[cfg(feature = "oidc")]
fn a_bare_refresh_token_gets_no_unchecked_id_token() {
    let c = oidc_client();
    let (mut flow, _) = Flow::refresh(&c, "RT", None, None, None, NOW).unwrap();
    let body = format!(
        r#"{{"access_token":"AT","token_type":"Bearer","expires_in":60,"id_token":"{}"}}"#,
        id_token("k1", "mallory")
    );
    let t = tokens(flow.resume(&c, &mut None, NOW, json(200, &body)).unwrap());
    assert_eq!(t.access_token.secret(), "AT");
    assert!(t.id_token.is_none() && t.claims.is_none());
}
