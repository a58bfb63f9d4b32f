//! wasm-bindgen-test in headless Chromium: the shared suite (the Rust API's I/O), plus the npm package's
//! wasm core at its JavaScript boundary. The package's browser conveniences (storage, address bar) live in
//! its JavaScript shell and are tested in Chromium by `tests/adversarial` and `tests/e2e`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    unreachable_pub
)]
#![cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
mod common;

use common::{server, ISSUER};
use js_sys::{Reflect, JSON};
use pkce_wasm::js::{flow, op, Core};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn member(json: &str, name: &str) -> JsValue {
    Reflect::get(&JSON::parse(json).unwrap(), &name.into()).unwrap()
}

/// What the core answers: `+` and the result, or `!` and the error's JSON text (whose `code` the shell
/// puts on the `Error`).
fn answer(out: String) -> Result<String, String> {
    match out.split_at(1) {
        ("+", result) => Ok(result.into()),
        ("!", error) => Err(error.into()),
        _ => panic!("an unmarked answer"),
    }
}

fn thrown_code(error: String) -> String {
    member(&error, "code").as_string().unwrap()
}

/// A JSON string argument.
fn s(value: &str) -> String {
    JSON::stringify(&value.into()).unwrap().into()
}

fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

#[wasm_bindgen_test]
fn the_core_round_trips_json_and_answers_coded_errors() {
    let call = |c: &Core, op, args: &[u8], body: &[u8]| answer(c.call(op, args, body, &[0; 256]));
    assert_eq!(
        thrown_code(
            call(
                &Core::new(br#"{"clientId":"spa"}"#, b"null"),
                op::INFO,
                b"[]",
                &[]
            )
            .unwrap_err()
        ),
        "invalid_config"
    );
    assert_eq!(
        thrown_code(call(&Core::new(b"not json", b"null"), op::INFO, b"[]", &[]).unwrap_err()),
        "invalid_config"
    );
    let config = format!(
        r#"{{"clientId":"spa","authorizationEndpoint":"https://idp.example/authorize","tokenEndpoint":"{}/t/core/ok","redirectUri":"https://app.example/callback","issuer":"{ISSUER}","scope":"openid","storage":"memory"}}"#,
        server()
    );
    let core = Core::new(config.as_bytes(), b"null");
    let free = Core::new(b"null", b"null");
    // Arguments that are not a JSON array, and client operations on the client-less core, are refused.
    assert_eq!(
        thrown_code(call(&core, op::INFO, b"{}", &[]).unwrap_err()),
        "invalid_config"
    );
    assert_eq!(
        thrown_code(call(&free, op::START, b"[]", &[]).unwrap_err()),
        "invalid_config"
    );
    let info = call(&core, op::INFO, b"[]", &[]).unwrap();
    assert_eq!(
        member(&info, "clientId").as_string().as_deref(),
        Some("spa")
    );
    let pending = call(
        &core,
        op::START,
        format!("[null,{}]", now()).as_bytes(),
        &[],
    )
    .map_err(thrown_code)
    .unwrap();
    let state = member(&pending, "state").as_string().unwrap();
    assert!(member(&pending, "nonce").is_string());
    let callback = format!("?code=C%2B1&state={state}&iss=https%3A%2F%2Fidp.example");
    let validate = |url: &str| {
        call(
            &core,
            op::VALIDATE,
            format!("[{},{},{}]", s(url), s(&pending), now()).as_bytes(),
            &[],
        )
    };
    let validated = validate(&callback).unwrap();
    assert_eq!(
        member(&validated, "code").as_string().as_deref(),
        Some("C+1")
    );
    assert_eq!(
        thrown_code(validate("?code=C&state=forged").unwrap_err()),
        "state_mismatch"
    );
    assert_eq!(
        thrown_code(validate("?code=C&state=a&state=b").unwrap_err()),
        "duplicate_parameter"
    );
    // A code exchange is a flow: its first step is the fetch, described completely (the shell adds the
    // timeout's signal only).
    let begin = |args: String| call(&core, op::BEGIN, args.as_bytes(), &[]);
    let exchange = format!(r#"[{},1000,"C+1",{}]"#, flow::EXCHANGE, s(&pending));
    let step = begin(exchange.clone()).unwrap();
    assert_eq!(member(&step, "do").as_string().as_deref(), Some("fetch"));
    let init = member(&step, "init");
    let get = |v: &JsValue, k: &str| Reflect::get(v, &k.into()).unwrap();
    assert_eq!(get(&init, "method").as_string().as_deref(), Some("POST"));
    assert_eq!(
        get(&init, "redirect").as_string().as_deref(),
        Some("manual")
    );
    assert_eq!(
        get(&init, "credentials").as_string().as_deref(),
        Some("omit")
    );
    let headers = get(&init, "headers");
    assert_eq!(
        get(&headers, "accept").as_string().as_deref(),
        Some("application/json")
    );
    assert!(get(&headers, "authorization").is_undefined());
    let body = get(&init, "body").as_string().unwrap();
    assert!(body.starts_with("grant_type=authorization_code&code=C%2B1&"));
    assert_eq!(member(&step, "maxBytes").as_f64(), Some(1_048_576.0));
    let id = member(&step, "id").as_f64().unwrap() as u32;
    // A token response without an ID token for an `openid` authorization is fine for a plain OAuth
    // client (no `jwksUri`): passed through, no claims.
    let resume = |id: u32, input: &str, body: &[u8]| {
        call(
            &core,
            op::STEP,
            format!("[{id},1000,{input}]").as_bytes(),
            body,
        )
    };
    let done = resume(
        id,
        r#""response",200,"application/json",false"#,
        br#"{"access_token":"AT","token_type":"Bearer","expires_in":60}"#,
    )
    .unwrap();
    assert_eq!(member(&done, "do").as_string().as_deref(), Some("done"));
    let tokens = member(&done, "value");
    assert_eq!(get(&tokens, "expires_at").as_f64(), Some(1_060.0));
    assert!(get(&tokens, "claims").is_undefined());
    // A finished flow is gone.
    assert_eq!(
        thrown_code(resume(id, r#""ok""#, &[]).unwrap_err()),
        "invalid_config"
    );
    // The time is required: a missing one is an error, never 0 (which would turn the expiry checks off).
    let no_time = call(
        &core,
        op::BEGIN,
        format!("[{}]", flow::EXCHANGE).as_bytes(),
        &[],
    );
    assert_eq!(thrown_code(no_time.unwrap_err()), "invalid_config");
    let no_time = call(&core, op::START, b"[null]", &[]);
    assert_eq!(thrown_code(no_time.unwrap_err()), "invalid_config");
    let id = member(&begin(exchange.clone()).unwrap(), "id")
        .as_f64()
        .unwrap() as u32;
    let no_time = call(&core, op::STEP, format!("[{id}]").as_bytes(), &[]);
    assert_eq!(thrown_code(no_time.unwrap_err()), "invalid_config");
    // A server's error page: its status, none of its text.
    let id = member(&begin(exchange.clone()).unwrap(), "id")
        .as_f64()
        .unwrap() as u32;
    let e = resume(id, r#""response",500,"text/html",false"#, b"<html>").unwrap_err();
    assert_eq!(member(&e, "status").as_f64(), Some(500.0));
    assert!(!e.contains("<html>"));
    // A redirect, an oversized body and a transport failure, as the shell reports them.
    for (input, code, status) in [
        (
            r#""response",302,null,false"#,
            "invalid_response",
            Some(302.0),
        ),
        (r#""response",0,null,false"#, "invalid_response", Some(0.0)),
        (
            r#""response",200,"application/json",true"#,
            "invalid_response",
            Some(200.0),
        ),
        (r#""failed","timeout""#, "timeout", None),
        (r#""failed","network_error""#, "network_error", None),
    ] {
        let id = member(&begin(exchange.clone()).unwrap(), "id")
            .as_f64()
            .unwrap() as u32;
        let e = resume(id, input, &[]).unwrap_err();
        assert_eq!(thrown_code(e.clone()), code, "{input}");
        assert_eq!(member(&e, "status").as_f64(), status, "{input}");
    }
    // The error of a code the shell detects itself is the result, not a failure.
    let timeout = call(&free, op::ERROR, br#"["timeout",null]"#, &[]).unwrap();
    assert_eq!(
        member(&timeout, "name").as_string().as_deref(),
        Some("OAuthClientError")
    );
    assert!(member(&timeout, "status").is_undefined());
    let redirect = call(&free, op::ERROR, br#"["invalid_response",0]"#, &[]).unwrap();
    assert_eq!(member(&redirect, "status").as_f64(), Some(0.0));
}

// The Rust API's browser conveniences: `login` (storage + `location.assign`) and
// `handle_redirect_callback` (the address bar + storage + the exchange), in a real page. The authorization
// endpoint is the test server's `no-content` behaviour: the browser really navigates to the authorization
// URL, the server records the request, and its 204 leaves this page in place.

mod conveniences {
    use super::common::{server, server_log, sleep, test_client};
    use js_sys::Reflect;
    use pkce_wasm::{
        AuthorizationOptions, OAuthClient, PendingAuthorization, PendingStorage, Pkce,
    };
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn window() -> web_sys::Window {
        web_sys::window().unwrap()
    }

    fn storage(kind: PendingStorage) -> web_sys::Storage {
        match kind {
            PendingStorage::Local => window().local_storage(),
            _ => window().session_storage(),
        }
        .unwrap()
        .unwrap()
    }

    /// A client whose id is unique to the test, so storage keys never collide.
    fn client(id: &str, storage: PendingStorage) -> OAuthClient {
        let authorize = format!("{}/t/{id}-authorize/no-content?tenant=t1", server());
        let mut c = test_client(id, "ok").config();
        c.authorization_endpoint = authorize;
        c.scope = Some("openid offline_access".into());
        c.storage = storage;
        OAuthClient::new(c).unwrap()
    }

    fn unique(name: &str) -> String {
        format!("{name}-{}", js_sys::Math::random())
    }

    /// This client's entries in a web storage: (key, value).
    fn entries(kind: PendingStorage, client_id: &str) -> Vec<(String, String)> {
        let s = storage(kind);
        let prefix = format!("pkce-wasm:pending:{client_id}:");
        (0..s.length().unwrap())
            .filter_map(|i| s.key(i).unwrap())
            .filter(|k| k.starts_with(&prefix))
            .map(|k| {
                let v = s.get_item(&k).unwrap().unwrap();
                (k, v)
            })
            .collect()
    }

    /// The authorization request the browser sent after `login` (polled: navigation is asynchronous;
    /// at most 50 × 100 ms).
    async fn authorization_request(id: &str) -> String {
        for _ in 0..50 {
            let log = server_log(&format!("{id}-authorize")).await;
            if log.length() > 0 {
                assert_eq!(log.length(), 1, "one navigation");
                let entry = log.get(0);
                let method = Reflect::get(&entry, &"method".into()).unwrap();
                assert_eq!(method.as_string().as_deref(), Some("GET"));
                return Reflect::get(&entry, &"url".into())
                    .unwrap()
                    .as_string()
                    .unwrap();
            }
            sleep(100).await;
        }
        panic!("the browser never requested the authorization URL");
    }

    /// `login`, then the authorization request the browser sent: its URL and its `state`.
    async fn login(c: &OAuthClient, id: &str) -> (String, String) {
        c.login(&AuthorizationOptions::default()).unwrap();
        let url = authorization_request(id).await;
        let state = url
            .split("&state=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        let state = state.to_string();
        (url, state)
    }

    /// The provider's redirect back to this page with `query`, handled by the client.
    async fn callback(
        c: &OAuthClient,
        query: &str,
    ) -> Result<pkce_wasm::TokenSet, pkce_wasm::Error> {
        set_address(&format!("{}?{query}", page()));
        c.handle_redirect_callback().await
    }

    /// The page's URL without query or fragment (what the tests put a callback on).
    fn page() -> String {
        let l = window().location();
        format!("{}{}", l.origin().unwrap(), l.pathname().unwrap())
    }

    fn set_address(url: &str) {
        let h = window().history().unwrap();
        h.replace_state_with_url(&JsValue::NULL, "", Some(url))
            .unwrap();
    }

    fn address() -> String {
        window().location().href().unwrap()
    }

    fn token_requests(log: &js_sys::Array) -> Vec<String> {
        log.iter()
            .map(|e| {
                Reflect::get(&e, &"body".into())
                    .unwrap()
                    .as_string()
                    .unwrap()
            })
            .collect()
    }

    #[wasm_bindgen_test]
    async fn login_stores_and_navigates_and_the_callback_completes_once() {
        let id = unique("conv-session");
        let home = page();
        let c = client(&id, PendingStorage::Session);
        let (url, _) = login(&c, &id).await;

        // Stored under its state, in the JavaScript client's format.
        let stored = entries(PendingStorage::Session, &id);
        assert_eq!(stored.len(), 1);
        let pending = PendingAuthorization::from_json(&stored[0].1).unwrap();
        assert_eq!(
            stored[0].0,
            format!("pkce-wasm:pending:{id}:{}", pending.state.secret())
        );

        // The browser went to the authorization URL: the configured query kept, S256 of the stored verifier.
        let challenge = Pkce::from_verifier(pending.code_verifier.secret())
            .unwrap()
            .code_challenge;
        assert!(
            url.contains("/no-content?tenant=t1&response_type=code&"),
            "{url}"
        );
        assert!(
            url.contains(&format!("&state={}&", pending.state.secret())),
            "{url}"
        );
        assert!(
            url.contains(&format!(
                "&code_challenge={challenge}&code_challenge_method=S256"
            )),
            "{url}"
        );
        assert!(
            !url.contains(pending.code_verifier.secret()),
            "the verifier never leaves in a URL"
        );

        // The provider sends the browser back: the callback completes and the address bar is cleaned.
        let callback = format!(
            "{home}?keep=1&code=CODE&state={}&iss=https%3A%2F%2Fidp.example&session_state=s#frag",
            pending.state.secret()
        );
        set_address(&callback);
        let tokens = c.handle_redirect_callback().await.unwrap();
        assert_eq!(tokens.access_token.secret(), "AT-secret-1");
        assert_eq!(address(), format!("{home}?keep=1#frag"));
        assert!(
            entries(PendingStorage::Session, &id).is_empty(),
            "single use"
        );
        let sent = token_requests(&server_log(&id).await);
        assert_eq!(sent.len(), 1);
        assert!(sent[0].contains(&format!(
            "&code_verifier={}&",
            pending.code_verifier.secret()
        )));

        // Reloading the callback URL: nothing pending any more, nothing sent.
        set_address(&callback);
        let e = c.handle_redirect_callback().await.unwrap_err();
        assert_eq!(e.code(), "no_pending_authorization");
        assert_eq!(address(), format!("{home}?keep=1#frag"));
        assert_eq!(server_log(&id).await.length(), 1);
        set_address(&home);
    }

    #[wasm_bindgen_test]
    async fn a_forged_state_consumes_nothing_and_sends_nothing() {
        let id = unique("conv-local");
        let home = page();
        let c = client(&id, PendingStorage::Local);
        let (_, state) = login(&c, &id).await;
        assert_eq!(entries(PendingStorage::Local, &id).len(), 1);

        let e = callback(&c, "code=CODE&state=forged").await.unwrap_err();
        assert_eq!(e.code(), "state_mismatch");
        assert_eq!(address(), home);
        assert_eq!(
            entries(PendingStorage::Local, &id).len(),
            1,
            "a forged link does not cancel the sign-in under way"
        );
        // A callback without state, or with two: typed, still stripped.
        for (query, code) in [
            ("code=C", "missing_state"),
            ("code=C&state=a&state=b", "duplicate_parameter"),
        ] {
            let e = callback(&c, query).await.unwrap_err();
            assert_eq!(e.code(), code, "{query}");
            assert_eq!(address(), home, "{query}");
        }
        assert_eq!(server_log(&id).await.length(), 0, "no token request");

        // The genuine callback arriving later still completes, once.
        callback(&c, &format!("code=CODE&state={state}"))
            .await
            .expect("the genuine callback");
        assert!(entries(PendingStorage::Local, &id).is_empty());
        assert_eq!(server_log(&id).await.length(), 1);
        set_address(&home);
    }

    #[wasm_bindgen_test]
    async fn memory_storage_and_the_cleaning_of_stale_entries() {
        // Memory: nothing reaches the web storages, and the callback in the same page load completes.
        let id = unique("conv-memory");
        let home = page();
        let c = client(&id, PendingStorage::Memory);
        let (_, state) = login(&c, &id).await;
        assert!(entries(PendingStorage::Session, &id).is_empty());
        assert!(entries(PendingStorage::Local, &id).is_empty());
        assert!(callback(&c, &format!("code=CODE&state={state}"))
            .await
            .is_ok());
        assert_eq!(server_log(&id).await.length(), 1);

        // Expired and unreadable entries of this client go at the next login; other clients' stay.
        let id = unique("conv-clean");
        let s = storage(PendingStorage::Session);
        let c = client(&id, PendingStorage::Session);
        let old = c
            .start_authorization(&AuthorizationOptions::default(), 1_000)
            .unwrap();
        s.set_item(
            &format!("pkce-wasm:pending:{id}:{}", old.state.secret()),
            &old.to_json(),
        )
        .unwrap();
        s.set_item(&format!("pkce-wasm:pending:{id}:junk"), "not json")
            .unwrap();
        s.set_item("pkce-wasm:pending:someone-else:x", "not json")
            .unwrap();
        login(&c, &id).await;
        let left = entries(PendingStorage::Session, &id);
        assert_eq!(left.len(), 1);
        assert!(
            PendingAuthorization::from_json(&left[0].1)
                .unwrap()
                .created_at
                > 1_000
        );
        assert!(s
            .get_item("pkce-wasm:pending:someone-else:x")
            .unwrap()
            .is_some());
        s.remove_item("pkce-wasm:pending:someone-else:x").unwrap();
        s.remove_item(&left[0].0).unwrap();
        set_address(&home);
    }

    // Replaces `Storage.prototype[method]` with one that throws (as disabled storage, a full quota or a
    // private mode do), and puts the original back.
    #[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
        export function break_storage(method) {
            const original = Storage.prototype[method];
            Storage.prototype[method] = () => { throw new DOMException('quota', 'QuotaExceededError'); };
            return original;
        }
        export function restore(method, original) { Storage.prototype[method] = original; }
    ")]
    extern "C" {
        fn break_storage(method: &str) -> JsValue;
        fn restore(method: &str, original: &JsValue);
    }

    #[wasm_bindgen_test]
    async fn storage_that_throws_is_storage_unavailable_and_nothing_is_sent() {
        let id = unique("conv-broken");
        let home = page();
        let c = client(&id, PendingStorage::Session);

        let original = break_storage("setItem");
        let e = c.login(&AuthorizationOptions::default()).unwrap_err();
        restore("setItem", &original);
        assert_eq!(e.code(), "storage_unavailable");
        assert!(entries(PendingStorage::Session, &id).is_empty());
        sleep(300).await;
        assert_eq!(
            server_log(&format!("{id}-authorize")).await.length(),
            0,
            "no navigation"
        );

        let (_, state) = login(&c, &id).await;
        let original = break_storage("getItem");
        let e = callback(&c, &format!("code=CODE&state={state}"))
            .await
            .unwrap_err();
        restore("getItem", &original);
        assert_eq!(e.code(), "storage_unavailable");
        assert_eq!(address(), home, "the address bar is cleaned all the same");
        assert_eq!(server_log(&id).await.length(), 0, "no token request");
        for (k, _) in entries(PendingStorage::Session, &id) {
            storage(PendingStorage::Session).remove_item(&k).unwrap();
        }
        set_address(&home);
    }

    /// A managed session in the Rust API waits for the origin's session lock (held here as another tab
    /// would hold it mid-refresh), reads the session again once it has the lock, refreshes it once, and
    /// stores the rotated token set.
    #[wasm_bindgen_test]
    async fn the_session_refreshes_under_the_origins_lock() {
        use js_sys::{Function, Promise};
        use std::{cell::RefCell, rc::Rc};
        use wasm_bindgen::{closure::Closure, JsCast};
        use wasm_bindgen_futures::JsFuture;

        let id = unique("session");
        let mut c = test_client(&id, "session").config();
        let mut session = pkce_wasm::SessionConfig::default();
        session.storage = PendingStorage::Session;
        c.session = Some(session);
        let client = OAuthClient::new(c).unwrap();
        let key = client.session_key();
        let stale = format!(
            r#"{{"v":1,"client":"{id}","tokens":{{"access_token":"AT-1","token_type":"bearer","expires_at":1,"refresh_token":"RT-1"}}}}"#
        );
        storage(PendingStorage::Session)
            .set_item(&key, &stale)
            .unwrap();

        // "Another tab" takes the lock and holds it.
        let mut release = None;
        let held = Promise::new(&mut |resolve, _| release = Some(resolve));
        let mut granted = None;
        let acquired = Promise::new(&mut |resolve, _| granted = Some(resolve));
        let granted = granted.unwrap();
        let on_grant = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            granted.call0(&JsValue::UNDEFINED).unwrap();
            held.into()
        });
        let navigator = Reflect::get(&window(), &"navigator".into()).unwrap();
        let locks = Reflect::get(&navigator, &"locks".into()).unwrap();
        let request: Function = Reflect::get(&locks, &"request".into())
            .unwrap()
            .unchecked_into();
        request
            .call2(&locks, &key.clone().into(), &on_grant)
            .unwrap();
        JsFuture::from(acquired).await.unwrap();

        let out = Rc::new(RefCell::new(None));
        let slot = Rc::clone(&out);
        let c = client.clone();
        wasm_bindgen_futures::spawn_local(async move {
            *slot.borrow_mut() = Some(c.session().await);
        });
        sleep(300).await;
        assert!(out.borrow().is_none(), "waiting for the lock");
        assert_eq!(
            server_log(&id).await.length(),
            0,
            "nothing sent while another tab holds it"
        );
        release.unwrap().call0(&JsValue::UNDEFINED).unwrap();
        for _ in 0..100 {
            if out.borrow().is_some() {
                break;
            }
            sleep(50).await;
        }
        let tokens = out.borrow_mut().take().expect("done within 5 s").unwrap();
        assert_eq!(tokens.access_token.secret(), "AT-2");
        assert_eq!(server_log(&id).await.length(), 1, "one refresh");
        let kept = storage(PendingStorage::Session)
            .get_item(&key)
            .unwrap()
            .unwrap();
        assert!(kept.contains("RT-2"), "the rotated token set is kept");
        // Fresh now: no request, no lock.
        assert_eq!(client.access_token().await.unwrap().secret(), "AT-2");
        assert_eq!(server_log(&id).await.length(), 1);
        client.logout().await.unwrap();
        assert!(storage(PendingStorage::Session)
            .get_item(&key)
            .unwrap()
            .is_none());
        assert_eq!(
            client.access_token().await.unwrap_err().code(),
            "no_session"
        );
    }

    // The origin's IndexedDB as the npm package keeps it (database `pkce-wasm`, store `kv`), the DOM events
    // the Rust driver dispatches, and the client's BroadcastChannel as another tab sees it.
    #[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
        function kv(mode, op) {
            return new Promise((ok, fail) => {
                const open = indexedDB.open('pkce-wasm', 1);
                open.onupgradeneeded = () => open.result.createObjectStore('kv');
                open.onerror = () => fail(open.error);
                open.onsuccess = () => {
                    const tx = open.result.transaction('kv', mode);
                    const r = op(tx.objectStore('kv'));
                    tx.oncomplete = () => { open.result.close(); ok(r.result); };
                    tx.onerror = () => fail(tx.error);
                };
            });
        }
        export function idb_put(key, value) { return kv('readwrite', (s) => s.put(value, key)); }
        export function idb_get(key) { return kv('readonly', (s) => s.get(key)); }
        export function idb_delete() {
            return new Promise((ok) => {
                const r = indexedDB.deleteDatabase('pkce-wasm');
                r.onsuccess = () => ok('deleted');
                r.onblocked = () => ok('blocked');
                r.onerror = () => ok('error');
            });
        }
        export function count_opens() {
            const count = [0];
            const open = indexedDB.open;
            indexedDB.open = function (...args) { count[0]++; return open.apply(this, args); };
            return count;
        }
        export function record(prefix) {
            const seen = [];
            for (const t of ['signedin', 'refreshed', 'refreshfailed', 'signedout']) {
                globalThis.addEventListener(prefix + t, (e) => seen.push(t + ':' + e.detail));
            }
            return seen;
        }
        export function hear(name) { const heard = []; new BroadcastChannel(name).onmessage = (m) => heard.push(m.data); return heard; }
        export function say(name, data) { const c = new BroadcastChannel(name); c.postMessage(data); c.close(); }
    ")]
    extern "C" {
        fn idb_put(key: &str, value: &str) -> js_sys::Promise;
        fn idb_get(key: &str) -> js_sys::Promise;
        fn idb_delete() -> js_sys::Promise;
        fn count_opens() -> js_sys::Array;
        fn record(prefix: &str) -> js_sys::Array;
        fn hear(name: &str) -> js_sys::Array;
        fn say(name: &str, data: &str);
    }

    async fn idb(key: &str) -> Option<String> {
        wasm_bindgen_futures::JsFuture::from(idb_get(key))
            .await
            .unwrap()
            .as_string()
    }

    fn strings(a: &js_sys::Array) -> Vec<String> {
        a.iter().filter_map(|v| v.as_string()).collect()
    }

    /// `"shared"` session storage in the Rust API is the origin's IndexedDB (the npm package's store: a
    /// value written there is read here), every session event is a DOM event, a sign-out reaches the
    /// other tabs on the client's BroadcastChannel, and another tab's sign-out ends the session here.
    #[wasm_bindgen_test]
    async fn a_shared_session_in_indexeddb_with_events_here_and_across_tabs() {
        let id = unique("shared");
        let mut c = test_client(&id, "session").config();
        let mut session = pkce_wasm::SessionConfig::default();
        session.storage = PendingStorage::Shared;
        c.session = Some(session);
        let client = OAuthClient::new(c).unwrap();
        let key = client.session_key();
        let seen = record(pkce_wasm::EVENT_PREFIX);
        let heard = hear(&client.channel());
        let stale = format!(
            r#"{{"v":1,"client":"{id}","tokens":{{"access_token":"AT-1","token_type":"bearer","expires_at":1,"refresh_token":"RT-1"}}}}"#
        );
        wasm_bindgen_futures::JsFuture::from(idb_put(&key, &stale))
            .await
            .unwrap();

        let tokens = client.session().await.unwrap();
        assert_eq!(tokens.access_token.secret(), "AT-2");
        assert!(
            idb(&key).await.unwrap().contains("RT-2"),
            "kept in IndexedDB"
        );
        assert!(storage(PendingStorage::Session)
            .get_item(&key)
            .unwrap()
            .is_none());
        assert_eq!(server_log(&id).await.length(), 1);
        assert!(strings(&seen).contains(&format!("refreshed:{id}")));

        client.logout().await.unwrap();
        assert_eq!(idb(&key).await, None);
        assert!(strings(&seen).contains(&format!("signedout:{id}")));
        sleep(100).await;
        assert_eq!(
            strings(&heard),
            ["signedout"],
            "the other tabs hear the sign-out"
        );

        // Another tab signs out: the session kept here goes too, and the app is told.
        let fresh = format!(
            r#"{{"v":1,"client":"{id}","tokens":{{"access_token":"AT-9","token_type":"bearer","expires_at":4102444800}}}}"#
        );
        wasm_bindgen_futures::JsFuture::from(idb_put(&key, &fresh))
            .await
            .unwrap();
        assert_eq!(client.access_token().await.unwrap().secret(), "AT-9");
        say(&client.channel(), "signedout");
        for _ in 0..100 {
            if idb(&key).await.is_none() {
                break;
            }
            sleep(50).await;
        }
        assert_eq!(idb(&key).await, None, "removed within 5 s");
        let signed_out = strings(&seen)
            .iter()
            .filter(|e| **e == format!("signedout:{id}"))
            .count();
        assert_eq!(signed_out, 2);
        assert_eq!(
            client.access_token().await.unwrap_err().code(),
            "no_session"
        );
    }

    /// The Rust driver keeps one IndexedDB connection (as the npm shell does) instead of opening the
    /// database for every read, and lets it go when another page deletes (or upgrades) the database:
    /// the deletion is not blocked, and the next read opens it again.
    #[wasm_bindgen_test]
    async fn one_indexeddb_connection_let_go_for_another_pages_deletion() {
        let id = unique("idbconn");
        let mut c = test_client(&id, "session").config();
        let mut session = pkce_wasm::SessionConfig::default();
        session.storage = PendingStorage::Shared;
        c.session = Some(session);
        let client = OAuthClient::new(c).unwrap();
        let key = client.session_key();
        let kept = format!(
            r#"{{"v":1,"client":"{id}","tokens":{{"access_token":"AT-9","token_type":"bearer","expires_at":4102444800}}}}"#
        );
        let put = || wasm_bindgen_futures::JsFuture::from(idb_put(&key, &kept));
        put().await.unwrap();
        let opens = count_opens();
        for _ in 0..3 {
            assert_eq!(client.access_token().await.unwrap().secret(), "AT-9");
        }
        assert!(
            opens.get(0).as_f64().unwrap() <= 1.0,
            "one connection for three reads"
        );
        let deleted = wasm_bindgen_futures::JsFuture::from(idb_delete())
            .await
            .unwrap();
        assert_eq!(deleted.as_string().as_deref(), Some("deleted"));
        assert_eq!(
            client.access_token().await.unwrap_err().code(),
            "no_session"
        );
        put().await.unwrap();
        assert_eq!(client.access_token().await.unwrap().secret(), "AT-9");
    }
}
