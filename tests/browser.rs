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
use pkce_wasm::js::{op, Core};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn member(json: &str, name: &str) -> JsValue {
    Reflect::get(&JSON::parse(json).unwrap(), &name.into()).unwrap()
}

/// What the core throws: the error's JSON text, whose `code` the shell puts on the `Error`.
fn thrown_code(e: JsValue) -> String {
    member(&e.as_string().expect("a string"), "code")
        .as_string()
        .unwrap()
}

/// A JSON string argument.
fn s(value: &str) -> String {
    JSON::stringify(&value.into()).unwrap().into()
}

fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

#[wasm_bindgen_test]
fn the_core_round_trips_json_and_throws_coded_errors() {
    assert_eq!(
        thrown_code(Core::new(r#"{"clientId":"spa"}"#).err().unwrap()),
        "invalid_config"
    );
    assert_eq!(
        thrown_code(Core::new("not json").err().unwrap()),
        "invalid_config"
    );
    let config = format!(
        r#"{{"clientId":"spa","authorizationEndpoint":"https://idp.example/authorize","tokenEndpoint":"{}/t/core/ok","redirectUri":"https://app.example/callback","issuer":"{ISSUER}","scope":"openid","storage":"memory"}}"#,
        server()
    );
    let core = Core::new(&config).map_err(thrown_code).unwrap();
    let free = Core::new("null").unwrap();
    // Arguments that are not a JSON array, and client operations on the client-less core, are refused.
    assert_eq!(
        thrown_code(core.call(op::INFO, "{}", &[]).unwrap_err()),
        "invalid_config"
    );
    assert_eq!(
        thrown_code(free.call(op::START, "[]", &[]).unwrap_err()),
        "invalid_config"
    );
    let info = core.call(op::INFO, "[]", &[]).unwrap();
    assert_eq!(
        member(&info, "storage").as_string().as_deref(),
        Some("memory")
    );
    let pending = core
        .call(op::START, &format!("[null,{}]", now()), &[])
        .map_err(thrown_code)
        .unwrap();
    let state = member(&pending, "state").as_string().unwrap();
    assert!(member(&pending, "nonce").is_string());
    let callback = format!("?code=C%2B1&state={state}&iss=https%3A%2F%2Fidp.example");
    assert_eq!(
        free.call(op::CALLBACK_STATE, &format!("[{}]", s(&callback)), &[])
            .map_err(thrown_code),
        Ok(state)
    );
    let validate = |url: &str| {
        core.call(
            op::VALIDATE,
            &format!("[{},{},{}]", s(url), s(&pending), now()),
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
        thrown_code(
            free.call(op::CALLBACK_STATE, r#"["?code=C&state=a&state=b"]"#, &[])
                .unwrap_err()
        ),
        "duplicate_parameter"
    );
    let request = core
        .call(op::EXCHANGE, &format!(r#"["C+1",{}]"#, s(&pending)), &[])
        .unwrap();
    let body = member(&request, "body").as_string().unwrap();
    assert!(body.starts_with("grant_type=authorization_code&code=C%2B1&"));
    assert!(member(&request, "authorization").is_undefined());
    // A token response without an ID token for an `openid` authorization is fine for a plain OAuth
    // client (no `jwksUri`): passed through, no claims.
    let tokens = core
        .call(
            op::TOKENS,
            &format!(r#"[200,"application/json",1000,null,{}]"#, s(&pending)),
            br#"{"access_token":"AT","token_type":"Bearer","expires_in":60}"#,
        )
        .unwrap();
    assert_eq!(member(&tokens, "expires_at").as_f64(), Some(1_060.0));
    assert!(member(&tokens, "claims").is_undefined());
    let html = core.call(op::TOKENS, r#"[500,"text/html",0]"#, b"<html>");
    let e = html.unwrap_err().as_string().unwrap();
    assert_eq!(member(&e, "status").as_f64(), Some(500.0));
    assert!(!e.contains("<html>"));
    // The error of a code the shell detects itself is returned, not thrown.
    let timeout = free.call(op::ERROR, r#"["timeout",null]"#, &[]).unwrap();
    assert_eq!(
        member(&timeout, "name").as_string().as_deref(),
        Some("OAuthClientError")
    );
    assert!(member(&timeout, "status").is_undefined());
    let redirect = free
        .call(op::ERROR, r#"["invalid_response",0]"#, &[])
        .unwrap();
    assert_eq!(member(&redirect, "status").as_f64(), Some(0.0));
}
