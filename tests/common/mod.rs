//! Tests shared by the Node, browser and dedicated-worker suites: randomness and the token endpoint
//! through the host's `fetch`, against the test server that `scripts/test.sh` starts on 127.0.0.1
//! (its URL arrives at compile time in `PKCE_WASM_TEST_SERVER`).
#![allow(dead_code)]

use js_sys::{Array, Reflect};
use pkce_wasm::{AuthorizationOptions, Error, OAuthClient, Pkce, RefreshToken, TokenSet};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

pub const SERVER: Option<&str> = option_env!("PKCE_WASM_TEST_SERVER");
#[allow(unused_imports)] // not every suite names it
pub use fixture::ISSUER;

pub fn server() -> &'static str {
    SERVER.unwrap_or("http://127.0.0.1:9/PKCE_WASM_TEST_SERVER-was-not-set-run-scripts-test.sh")
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_url(url: &str) -> js_sys::Promise;
}

/// The requests the test server received for `id`.
pub async fn server_log(id: &str) -> Array {
    let url = format!("{}/log/{id}", server());
    let resp: web_sys::Response = JsFuture::from(fetch_url(&url))
        .await
        .expect("log fetch")
        .unchecked_into();
    let json = JsFuture::from(resp.json().expect("json"))
        .await
        .expect("log json");
    json.unchecked_into()
}

#[path = "../fixture/mod.rs"]
pub mod fixture;
use fixture::TestClient;

/// A client `id` whose token endpoint is the test server's `behaviour` for `id`.
pub fn test_client(id: &str, behaviour: &str) -> TestClient {
    let token = format!("{}/t/{id}/{behaviour}", server());
    TestClient::new()
        .client_id(id)
        .endpoints("https://idp.example/authorize", &token)
        .redirect_uri("https://app.example/callback")
}

pub fn client(id: &str, behaviour: &str, timeout_ms: u32) -> OAuthClient {
    test_client(id, behaviour)
        .client_id("spa")
        .with(|c| {
            c.scope = Some("openid offline_access".into());
            c.timeout_ms = timeout_ms;
        })
        .build()
}

fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

pub async fn run_flow(id: &str, behaviour: &str, timeout_ms: u32) -> Result<TokenSet, Error> {
    let c = client(id, behaviour, timeout_ms);
    let pending = c
        .start_authorization(&AuthorizationOptions::default(), now())
        .expect("start");
    let url = format!(
        "https://app.example/callback?code=CODE&state={}&iss=https%3A%2F%2Fidp.example",
        pending.state.secret()
    );
    c.handle_callback(&url, &pending).await
}

fn code(r: &Result<TokenSet, Error>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => e.code().into(),
    }
}

#[wasm_bindgen_test]
fn randomness_comes_from_the_platform() {
    let a = Pkce::generate().expect("crypto.getRandomValues");
    let b = Pkce::generate().expect("crypto.getRandomValues");
    assert_eq!(a.code_verifier.secret().len(), 43);
    assert_ne!(a.code_verifier, b.code_verifier);
    let vector = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").expect("valid");
    assert_eq!(
        vector.code_challenge,
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[wasm_bindgen_test]
async fn code_exchange_succeeds_against_a_local_token_endpoint() {
    let id = format!("w-ok-{}", js_sys::Math::random());
    let tokens = run_flow(&id, "ok", 5_000).await.expect("tokens");
    assert_eq!(tokens.access_token.secret(), "AT-secret-1");
    assert_eq!(tokens.token_type, "bearer");
    assert_eq!(tokens.expires_in, Some(3600));
    assert_eq!(
        tokens.refresh_token.as_ref().map(|t| t.secret()),
        Some("RT-secret-1")
    );
    let log = server_log(&id).await;
    assert_eq!(log.length(), 1);
    let body = Reflect::get(&log.get(0), &"body".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(
        body.starts_with("grant_type=authorization_code&code=CODE&redirect_uri="),
        "{body}"
    );
    assert!(
        body.contains("&code_verifier=") && body.ends_with("&client_id=spa"),
        "{body}"
    );
    // No `Referer`: the page may be the callback, its URL the code (in Node there is none anyway).
    let headers = Reflect::get(&log.get(0), &"headers".into()).unwrap();
    let referer = Reflect::get(&headers, &"referer".into()).unwrap();
    assert!(referer.is_undefined(), "{referer:?}");
}

#[wasm_bindgen_test]
async fn rfc_errors_html_and_redirects_are_typed() {
    for (behaviour, expected, status) in [
        ("rfc-error", "invalid_grant", Some(400)),
        ("html500", "invalid_response", Some(500)),
        ("huge", "invalid_response", Some(200)),
        ("redirect302", "invalid_response", None),
        ("redirect307", "invalid_response", None),
    ] {
        let id = format!("w-{behaviour}-{}", js_sys::Math::random());
        let r = run_flow(&id, behaviour, 5_000).await;
        assert_eq!(code(&r), expected, "{behaviour}");
        let got_status = r.as_ref().err().and_then(|e| e.status());
        match status {
            Some(s) => assert_eq!(got_status, Some(s), "{behaviour}"),
            // Browsers report a manual redirect as status 0 (opaque); Node and Workers show the 3xx.
            None => assert!(
                matches!(got_status, Some(0 | 302 | 307)),
                "{behaviour}: {got_status:?}"
            ),
        }
        assert_eq!(server_log(&id).await.length(), 1, "{behaviour}");
        assert_eq!(
            server_log(&format!("{id}-attacker")).await.length(),
            0,
            "{behaviour}: redirect followed"
        );
    }
}

#[wasm_bindgen_test]
async fn a_slow_token_endpoint_times_out() {
    let id = format!("w-slow-{}", js_sys::Math::random());
    let t0 = js_sys::Date::now();
    let r = run_flow(&id, "slow", 300).await;
    assert_eq!(code(&r), "timeout");
    assert_eq!(r.err().and_then(|e| e.status()), None);
    assert!(js_sys::Date::now() - t0 < 2_500.0);
}

#[wasm_bindgen_test]
async fn refresh_keeps_or_rotates() {
    let id = format!("w-keep-{}", js_sys::Math::random());
    let kept = client(&id, "keep", 5_000)
        .refresh(&RefreshToken::new("RT-0"), None, None)
        .await
        .expect("refresh");
    assert_eq!(kept.refresh_token, Some(RefreshToken::new("RT-0")));
    let id = format!("w-rotate-{}", js_sys::Math::random());
    let rotated = client(&id, "rotate", 5_000)
        .refresh(&RefreshToken::new("RT-0"), Some("openid"), None)
        .await
        .expect("refresh");
    assert_eq!(
        rotated.refresh_token,
        Some(RefreshToken::new("RT-rotated-1"))
    );
}

#[wasm_bindgen_test]
async fn a_refresh_without_id_token_keeps_the_session_id_token_and_claims() {
    let id = format!("w-keep-id-{}", js_sys::Math::random());
    let c = client(&id, "keep", 5_000);
    let claims = pkce_wasm::IdTokenClaims {
        iss: "https://idp.example".into(),
        sub: "alice".into(),
        aud: vec!["spa".into()],
        azp: None,
        exp: 2_000_000_000,
        iat: 1_000,
        auth_time: None,
        nonce: None,
        json: r#"{"sub":"alice"}"#.into(),
    };
    let previous = TokenSet {
        access_token: pkce_wasm::AccessToken::new("AT-0"),
        token_type: "bearer".into(),
        expires_in: None,
        expires_at: None,
        refresh_token: Some(RefreshToken::new("RT-0")),
        id_token: Some(pkce_wasm::IdToken::new("h.p.s")),
        scope: None,
        claims: Some(claims.clone()),
    };
    let fresh = c
        .refresh(&RefreshToken::new("RT-0"), None, Some(&previous))
        .await
        .expect("refresh");
    assert_eq!(fresh.access_token.secret(), "AT-secret-1");
    assert_eq!(fresh.id_token, previous.id_token);
    assert_eq!(fresh.claims, Some(claims));
}

/// Waits `ms` milliseconds (the host's `setTimeout`, in a window, a worker or Node).
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .unwrap()
            .unchecked_into();
        set_timeout
            .call2(&JsValue::NULL, &resolve, &ms.into())
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Without a window (Node, a dedicated worker, Workers) the browser conveniences fail typed and touch
/// nothing: the low-level methods are the API there.
pub async fn browser_conveniences_need_a_window() {
    let id = format!("w-nowindow-{}", js_sys::Math::random());
    let c = client(&id, "ok", 5_000);
    let e = c.login(&AuthorizationOptions::default()).unwrap_err();
    assert_eq!(e.code(), "unsupported_environment");
    let e = c.handle_redirect_callback().await.unwrap_err();
    assert_eq!(e.code(), "unsupported_environment");
    assert_eq!(server_log(&id).await.length(), 0);
}

/// Polls a future once: it is then under way, and may be dropped mid-flight.
async fn poll_once<F: core::future::Future + ?Sized>(f: core::pin::Pin<&mut F>) {
    let mut f = Some(f);
    core::future::poll_fn(move |cx| {
        if let Some(f) = f.take() {
            let _ = f.poll(cx);
        }
        core::task::Poll::Ready(())
    })
    .await
}

/// Both futures, polled together (the tests' own `join`: no futures crate).
async fn join<A: core::future::Future, B: core::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    use core::task::Poll;
    let (mut a, mut b) = (core::pin::pin!(a), core::pin::pin!(b));
    let (mut ra, mut rb) = (None, None);
    core::future::poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready((ra.take().unwrap(), rb.take().unwrap()))
        } else {
            Poll::Pending
        }
    })
    .await
}

#[wasm_bindgen_test]
async fn concurrent_refreshes_of_one_token_share_one_request() {
    // The server rotates on first use and answers any reuse with invalid_grant (reuse detection).
    let id = format!("w-single-{}", js_sys::Math::random());
    let (c, other) = (
        client(&id, "reuse-detect", 5_000),
        client(&id, "reuse-detect", 5_000),
    );
    let rt = RefreshToken::new("RT-0");
    let (a, b) = join(c.refresh(&rt, None, None), other.refresh(&rt, None, None)).await;
    let next = Some(RefreshToken::new("RT-next"));
    assert_eq!(a.expect("first").refresh_token, next);
    assert_eq!(
        b.expect("second, sharing the first's request")
            .refresh_token,
        next
    );
    assert_eq!(server_log(&id).await.length(), 1, "one request for both");
    // Once landed, a call is a new request: here the server sees a reuse.
    let again = c.refresh(&rt, None, None).await;
    assert_eq!(code(&again), "invalid_grant");
    assert_eq!(server_log(&id).await.length(), 2);
    // Different refresh tokens do not wait for each other.
    let id = format!("w-two-{}", js_sys::Math::random());
    let c = client(&id, "rotate", 5_000);
    let (x, y) = (RefreshToken::new("RT-x"), RefreshToken::new("RT-y"));
    let (a, b) = join(c.refresh(&x, None, None), c.refresh(&y, None, None)).await;
    assert!(a.is_ok() && b.is_ok());
    assert_eq!(server_log(&id).await.length(), 2);

    // A first call dropped before its answer (a component that went away) leaves the calls that waited
    // for it `network_error`, not a second request with the same token: the first may have reached the
    // server.
    let id = format!("w-dropped-{}", js_sys::Math::random());
    let c = client(&id, "slow", 5_000);
    let rt = RefreshToken::new("RT-d");
    let mut first = Box::pin(c.refresh(&rt, None, None));
    poll_once(first.as_mut()).await;
    let mut second = Box::pin(c.refresh(&rt, None, None));
    poll_once(second.as_mut()).await;
    drop(first);
    assert_eq!(code(&second.await), "network_error");
    sleep(100).await;
    assert_eq!(server_log(&id).await.length(), 1, "the token was sent once");
}

#[wasm_bindgen(inline_js = "
    export async function es256() {
        const k = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
        return [k.privateKey, k.publicKey];
    }
    export async function public_jwk(publicKey) {
        const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', publicKey);
        return [kty, crv, x, y];
    }
    export async function verifies(publicKey, jwt) {
        const [h, p, s] = jwt.split('.');
        const b64 = (t) => Uint8Array.from(atob(t.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
        return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, b64(s), new TextEncoder().encode(h + '.' + p));
    }
")]
extern "C" {
    fn es256() -> js_sys::Promise;
    fn public_jwk(public_key: &JsValue) -> js_sys::Promise;
    fn verifies(public_key: &JsValue, jwt: &str) -> js_sys::Promise;
}

/// `private_key_jwt` in the Rust API: the driver signs each assertion with the client's WebCrypto key
/// (given with `set_client_key`, never in the wasm), and without a key nothing is sent.
#[wasm_bindgen_test]
async fn private_key_jwt_assertions_are_signed_with_the_clients_webcrypto_key() {
    use pkce_wasm::{Alg, ClientAuth, ClientKey};
    let id = format!("w-pkjwt-{}", js_sys::Math::random());
    let mut c = test_client(&id, "ok").config();
    c.client_auth = ClientAuth::PrivateKeyJwt(ClientKey {
        alg: Alg::Es256,
        kid: Some("k1".into()),
    });
    let client = OAuthClient::new(c).expect("valid config");
    let rt = RefreshToken::new("RT");
    let e = client.refresh(&rt, None, None).await.unwrap_err();
    assert_eq!(e.code(), "invalid_config", "no key yet");
    assert_eq!(server_log(&id).await.length(), 0, "nothing sent");

    let pair: Array = JsFuture::from(es256()).await.unwrap().unchecked_into();
    client.set_client_key(pair.get(0));
    client.refresh(&rt, None, None).await.expect("refreshed");
    let log = server_log(&id).await;
    assert_eq!(log.length(), 1);
    let body = Reflect::get(&log.get(0), &"body".into())
        .unwrap()
        .as_string()
        .unwrap();
    let assertion = body
        .split('&')
        .find_map(|kv| kv.strip_prefix("client_assertion="))
        .expect("an assertion");
    assert!(body.contains(
        "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
    ));
    let valid = JsFuture::from(verifies(&pair.get(1), assertion))
        .await
        .unwrap();
    assert_eq!(valid.as_bool(), Some(true), "signed by the key");
}

/// DPoP in the Rust API: the driver signs each proof with the client's DPoP key (given with
/// `set_dpop_key`), the proof names the public key, and a DPoP-bound answer is accepted.
#[wasm_bindgen_test]
async fn dpop_proofs_are_signed_with_the_clients_dpop_key() {
    use pkce_wasm::{Alg, DpopKey};
    let id = format!("w-dpop-{}", js_sys::Math::random());
    let pair: Array = JsFuture::from(es256()).await.unwrap().unchecked_into();
    let jwk: Array = JsFuture::from(public_jwk(&pair.get(1)))
        .await
        .unwrap()
        .unchecked_into();
    let member = |i: u32| jwk.get(i).as_string().unwrap();
    let mut c = test_client(&id, "dpop").client_id("spa").config();
    c.dpop = Some(DpopKey {
        alg: Alg::Es256,
        jwk: vec![
            ("kty".into(), member(0)),
            ("crv".into(), member(1)),
            ("x".into(), member(2)),
            ("y".into(), member(3)),
        ],
    });
    let client = OAuthClient::new(c).expect("valid config");
    let rt = RefreshToken::new("RT");
    assert_eq!(
        client.refresh(&rt, None, None).await.unwrap_err().code(),
        "invalid_config",
        "no key yet"
    );
    assert_eq!(server_log(&id).await.length(), 0, "nothing sent");
    client.set_dpop_key(pair.get(0));
    let tokens = client.refresh(&rt, None, None).await.expect("refreshed");
    assert_eq!(tokens.token_type, "DPoP");
    let log = server_log(&id).await;
    let headers = Reflect::get(&log.get(0), &"headers".into()).unwrap();
    let proof = Reflect::get(&headers, &"dpop".into())
        .unwrap()
        .as_string()
        .expect("a DPoP header");
    let valid = JsFuture::from(verifies(&pair.get(1), &proof))
        .await
        .unwrap();
    assert_eq!(valid.as_bool(), Some(true), "signed by the DPoP key");

    // Another client with the same client id and token endpoint but its own DPoP key: each signs with
    // its own key (the proofs carry the public key, so a shared slot would make the first one's invalid).
    let other: Array = JsFuture::from(es256()).await.unwrap().unchecked_into();
    let other_jwk: Array = JsFuture::from(public_jwk(&other.get(1)))
        .await
        .unwrap()
        .unchecked_into();
    let other_member = |i: u32| other_jwk.get(i).as_string().unwrap();
    let mut c = test_client(&id, "dpop").client_id("spa").config();
    c.dpop = Some(DpopKey {
        alg: Alg::Es256,
        jwk: vec![
            ("kty".into(), other_member(0)),
            ("crv".into(), other_member(1)),
            ("x".into(), other_member(2)),
            ("y".into(), other_member(3)),
        ],
    });
    let second = OAuthClient::new(c).expect("valid config");
    second.set_dpop_key(other.get(0));
    second.refresh(&rt, None, None).await.expect("refreshed");
    client.refresh(&rt, None, None).await.expect("refreshed");
    let log = server_log(&id).await;
    for (entry, public) in [(1, other.get(1)), (2, pair.get(1))] {
        let headers = Reflect::get(&log.get(entry), &"headers".into()).unwrap();
        let proof = Reflect::get(&headers, &"dpop".into())
            .unwrap()
            .as_string()
            .unwrap();
        let valid = JsFuture::from(verifies(&public, &proof)).await.unwrap();
        assert_eq!(
            valid.as_bool(),
            Some(true),
            "request {entry}: signed by its client's key"
        );
    }
}
