//! Reading JavaScript values into Rust types and back, with `Reflect` and typed checks: no panics on any
//! input, and a wrong type is a typed error.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::{CodeVerifier, Error, ErrorCode, Nonce, PendingAuthorization, State, TokenSet};

pub(crate) fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub(crate) fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn set_str(obj: &Object, key: &str, value: &str) {
    set(obj, key, &JsValue::from_str(value));
}

fn set_opt_str(obj: &Object, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        set_str(obj, key, v);
    }
}

/// `undefined` or `null` → `None`; a string → `Some`; anything else → `code`.
pub(crate) fn opt_string(
    obj: &JsValue,
    key: &str,
    code: ErrorCode,
) -> Result<Option<String>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or(Error::client(code))
}

pub(crate) fn req_string(obj: &JsValue, key: &str, code: ErrorCode) -> Result<String, Error> {
    opt_string(obj, key, code)?.ok_or(Error::client(code))
}

pub(crate) fn opt_bool(obj: &JsValue, key: &str, code: ErrorCode) -> Result<Option<bool>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_bool().map(Some).ok_or(Error::client(code))
}

/// A non-negative integer number up to `max`.
pub(crate) fn opt_uint(
    obj: &JsValue,
    key: &str,
    max: f64,
    code: ErrorCode,
) -> Result<Option<u64>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        // `as` truncates; equal after the round trip means an integer (no `f64::fract` in core).
        Some(n) if n >= 0.0 && n <= max && (n as u64) as f64 == n => Ok(Some(n as u64)),
        _ => Err(Error::client(code)),
    }
}

/// A record of extra parameters: each value a string (one parameter) or an array of strings (the
/// parameter repeated); `undefined` values are skipped.
pub(crate) fn params(obj: &JsValue, key: &str) -> Result<Vec<(String, String)>, Error> {
    let bad = Error::client(ErrorCode::InvalidConfig);
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    if !v.is_object() || Array::is_array(&v) {
        return Err(bad);
    }
    let mut out = Vec::new();
    for entry in Object::entries(v.unchecked_ref::<Object>()).iter() {
        let name = Reflect::get_u32(&entry, 0)
            .ok()
            .and_then(|n| n.as_string())
            .ok_or(bad.clone())?;
        let value = Reflect::get_u32(&entry, 1).unwrap_or(JsValue::UNDEFINED);
        if let Some(s) = value.as_string() {
            out.push((name, s));
        } else if Array::is_array(&value) {
            for item in value.unchecked_ref::<Array>().iter() {
                out.push((name.clone(), item.as_string().ok_or(bad.clone())?));
            }
        } else if !value.is_undefined() {
            return Err(bad);
        }
    }
    Ok(out)
}

pub(crate) fn pending_to_js(p: &PendingAuthorization) -> JsValue {
    let o = Object::new();
    set_str(&o, "url", &p.url);
    set_str(&o, "state", p.state.secret());
    set_str(&o, "codeVerifier", p.code_verifier.secret());
    set_opt_str(&o, "nonce", p.nonce.as_ref().map(|n| n.secret()));
    set_str(&o, "redirectUri", &p.redirect_uri);
    set_opt_str(&o, "issuer", p.issuer.as_deref());
    set(&o, "createdAt", &JsValue::from_f64(p.created_at as f64));
    if let Some(m) = p.max_age {
        set(&o, "maxAge", &JsValue::from_f64(m as f64));
    }
    o.into()
}

/// A pending authorization from JavaScript; anything malformed is `invalid_pending`.
pub(crate) fn pending_from_js(v: &JsValue) -> Result<PendingAuthorization, Error> {
    let code = ErrorCode::InvalidPending;
    if !v.is_object() {
        return Err(Error::client(code));
    }
    let verifier = req_string(v, "codeVerifier", code)?;
    if !crate::is_valid_verifier(&verifier) {
        return Err(Error::client(code));
    }
    Ok(PendingAuthorization {
        url: opt_string(v, "url", code)?.unwrap_or_default(),
        state: State::new(req_string(v, "state", code)?),
        code_verifier: CodeVerifier::new(verifier),
        nonce: opt_string(v, "nonce", code)?.map(Nonce::new),
        redirect_uri: req_string(v, "redirectUri", code)?,
        issuer: opt_string(v, "issuer", code)?,
        created_at: opt_uint(v, "createdAt", 9_007_199_254_740_991.0, code)?
            .ok_or(Error::client(code))?,
        max_age: opt_uint(v, "maxAge", 9_999_999_999.0, code)?,
    })
}

pub(crate) fn token_set_to_js(t: &TokenSet) -> JsValue {
    let o = Object::new();
    set_str(&o, "access_token", t.access_token.secret());
    set_str(&o, "token_type", &t.token_type);
    if let Some(e) = t.expires_in {
        set(&o, "expires_in", &JsValue::from_f64(e as f64));
    }
    if let Some(e) = t.expires_at {
        set(&o, "expires_at", &JsValue::from_f64(e as f64));
    }
    set_opt_str(
        &o,
        "refresh_token",
        t.refresh_token.as_ref().map(|r| r.secret()),
    );
    set_opt_str(&o, "id_token", t.id_token.as_ref().map(|r| r.secret()));
    set_opt_str(&o, "scope", t.scope.as_deref());
    if let Some(claims) = &t.claims {
        if let Ok(v) = js_sys::JSON::parse(&claims.json) {
            set(&o, "claims", &v);
        }
    }
    o.into()
}
