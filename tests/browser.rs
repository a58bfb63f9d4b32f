//! wasm-bindgen-test in headless Chromium: the shared suite, plus the browser convenience path
//! (storage, address bar) through the exported JS API.
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

use common::{server, server_log, ISSUER};
use js_sys::{Object, Reflect};
use pkce_wasm::js::JsOAuthClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

fn js_client(id: &str, storage: &str) -> JsOAuthClient {
    let config = obj(&[
        ("clientId", "spa".into()),
        (
            "authorizationEndpoint",
            "https://idp.example/authorize".into(),
        ),
        ("tokenEndpoint", format!("{}/t/{id}/ok", server()).into()),
        ("redirectUri", "https://app.example/callback".into()),
        ("issuer", ISSUER.into()),
        ("storage", storage.into()),
    ]);
    JsOAuthClient::new(config.unchecked_into())
        .map_err(|_| "config")
        .unwrap()
}

fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

fn set_query(query: &str) {
    let loc = window().location();
    let path = loc.pathname().unwrap();
    window()
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}?{query}")))
        .unwrap();
}

async fn error_code(p: js_sys::Promise) -> String {
    match JsFuture::from(p).await {
        Ok(_) => "ok".into(),
        Err(e) => Reflect::get(&e, &"code".into())
            .unwrap()
            .as_string()
            .unwrap(),
    }
}

#[wasm_bindgen_test]
async fn handle_callback_uses_session_storage_once_and_cleans_the_address_bar() {
    let id = format!("b-session-{}", js_sys::Math::random());
    let client = js_client(&id, "session");
    let pending = client
        .start_authorization(None)
        .map_err(|_| "start")
        .unwrap();
    let state = Reflect::get(&pending, &"state".into())
        .unwrap()
        .as_string()
        .unwrap();
    let storage = window().session_storage().unwrap().unwrap();
    let key = format!("pkce-wasm:pending:spa:{state}");
    storage
        .set_item(
            &key,
            &js_sys::JSON::stringify(&pending)
                .unwrap()
                .as_string()
                .unwrap(),
        )
        .unwrap();

    let callback =
        format!("keep=1&code=CODE&state={state}&iss=https%3A%2F%2Fidp.example&session_state=s");
    set_query(&callback);
    let tokens = JsFuture::from(client.handle_callback(None, None))
        .await
        .map_err(|_| "exchange")
        .unwrap();
    assert_eq!(
        Reflect::get(&tokens, &"access_token".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("AT-secret-1")
    );
    assert_eq!(
        window().location().search().unwrap(),
        "?keep=1",
        "code, state, iss, session_state stripped"
    );
    assert_eq!(storage.get_item(&key).unwrap(), None, "pending removed");

    // Reloading the callback (a replay) sends nothing.
    set_query(&callback);
    assert_eq!(
        error_code(client.handle_callback(None, None)).await,
        "no_pending_authorization"
    );
    assert_eq!(window().location().search().unwrap(), "?keep=1");
    assert_eq!(server_log(&id).await.length(), 1);

    // A forged state while nothing is pending finds nothing; expired entries are cleaned up on the way.
    let stale = js_sys::JSON::parse(
        &js_sys::JSON::stringify(&pending)
            .unwrap()
            .as_string()
            .unwrap(),
    )
    .unwrap();
    Reflect::set(&stale, &"createdAt".into(), &1.0.into()).unwrap();
    storage
        .set_item(
            "pkce-wasm:pending:spa:stale",
            &js_sys::JSON::stringify(&stale)
                .unwrap()
                .as_string()
                .unwrap(),
        )
        .unwrap();
    storage
        .set_item("pkce-wasm:pending:spa:garbage", "{not json")
        .unwrap();
    set_query("code=CODE&state=forged");
    assert_eq!(
        error_code(client.handle_callback(None, None)).await,
        "no_pending_authorization"
    );
    assert_eq!(
        storage.get_item("pkce-wasm:pending:spa:stale").unwrap(),
        None
    );
    assert_eq!(
        storage.get_item("pkce-wasm:pending:spa:garbage").unwrap(),
        None
    );
    assert_eq!(server_log(&id).await.length(), 1);
    set_query("");
}

#[wasm_bindgen_test]
async fn a_callback_without_state_is_rejected_before_storage() {
    let id = format!("b-nostate-{}", js_sys::Math::random());
    let client = js_client(&id, "local");
    set_query("code=CODE");
    assert_eq!(
        error_code(client.handle_callback(None, None)).await,
        "missing_state"
    );
    set_query("code=CODE&state=a&state=b");
    assert_eq!(
        error_code(client.handle_callback(None, None)).await,
        "duplicate_parameter"
    );
    assert_eq!(server_log(&id).await.length(), 0);
    set_query("");
}
