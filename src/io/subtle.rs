//! The verification step through WebCrypto (`crypto.subtle`), bound by hand: two methods instead of
//! web-sys' whole `SubtleCrypto`.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine::{Input, Verification};
use crate::{Alg, ErrorCode, Param};

#[wasm_bindgen]
extern "C" {
    type Subtle;

    #[wasm_bindgen(method, catch, js_name = importKey)]
    fn import_key(
        this: &Subtle,
        format: &str,
        key: &Object,
        algorithm: &Object,
        extractable: bool,
        usages: &Array,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn sign(
        this: &Subtle,
        algorithm: &Object,
        key: &JsValue,
        data: &[u8],
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn verify(
        this: &Subtle,
        algorithm: &Object,
        key: &JsValue,
        signature: &[u8],
        data: &[u8],
    ) -> Result<Promise, JsValue>;
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn subtle() -> Option<Subtle> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok()?;
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    subtle.is_object().then(|| subtle.unchecked_into())
}

/// WebCrypto's parameters for the algorithm, as the engine gives them.
fn algorithm(alg: Alg) -> Object {
    let o = Object::new();
    for (name, value) in alg.webcrypto() {
        let value = match value {
            Param::Str(s) => JsValue::from_str(s),
            Param::Int(n) => JsValue::from_f64(f64::from(*n)),
        };
        set(&o, name, &value);
    }
    o
}

/// Imports the key and verifies the signature: `Verified(false)` when either throws or rejects,
/// `unsupported_environment` without WebCrypto.
pub(super) async fn verify(v: &Verification) -> Input {
    let Some(subtle) = subtle() else {
        return Input::Failed(ErrorCode::UnsupportedEnvironment);
    };
    Input::Verified(check(&subtle, v).await.unwrap_or(false))
}

async fn check(subtle: &Subtle, v: &Verification) -> Option<bool> {
    let jwk = Object::new();
    set(&jwk, "kty", &JsValue::from_str(v.key.kty));
    for (name, value) in &v.key.members {
        set(&jwk, name, &JsValue::from_str(value));
    }
    let params = algorithm(v.alg);
    let usages = Array::of1(&JsValue::from_str("verify"));
    let import = subtle
        .import_key("jwk", &jwk, &params, false, &usages)
        .ok()?;
    let key = JsFuture::from(import).await.ok()?;
    let check = subtle
        .verify(&params, &key, &v.signature, v.data.as_bytes())
        .ok()?;
    JsFuture::from(check).await.ok()?.as_bool()
}

std::thread_local! {
    /// The signing keys of this wasm instance's clients, by their slot ([`crate::OAuthClient::key_slot`]).
    static KEYS: core::cell::RefCell<alloc::vec::Vec<(alloc::string::String, JsValue)>> =
        const { core::cell::RefCell::new(alloc::vec::Vec::new()) };
}

/// Keeps `key` in slot `id` ([`crate::OAuthClient::key_slot`]).
pub(super) fn keep_key(id: alloc::string::String, key: JsValue) {
    KEYS.with_borrow_mut(|keys| {
        keys.retain(|(k, _)| *k != id);
        keys.push((id, key));
    });
}

/// Signs with the client's key: `Signed`, or `invalid_config` (no key, or WebCrypto refused it),
/// `unsupported_environment` without WebCrypto.
pub(super) async fn sign(id: &str, s: &crate::engine::Signing) -> Input {
    let Some(subtle) = subtle() else {
        return Input::Failed(ErrorCode::UnsupportedEnvironment);
    };
    let key = KEYS.with_borrow(|keys| keys.iter().find(|(k, _)| k == id).map(|(_, v)| v.clone()));
    let signed = match key {
        Some(key) => match subtle.sign(&algorithm(s.alg), &key, s.data.as_bytes()) {
            Ok(p) => JsFuture::from(p).await.ok(),
            Err(_) => None,
        },
        None => None,
    };
    match signed {
        Some(sig) => Input::Signed(js_sys::Uint8Array::new(&sig).to_vec()),
        None => Input::Failed(ErrorCode::InvalidConfig),
    }
}
