//! The one conversion from [`Error`] to a JavaScript `Error` object.

use alloc::string::String;

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::Error;

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a fresh Error object cannot fail; ignore the impossible case rather than panic.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// `Error` with `name`, `code`, and the RFC fields (`error`, `error_description`, `error_uri`) and
/// `status` where they apply. The message is static and never holds secrets or server text.
impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        let js = js_sys::Error::new(e.message());
        js.set_name(e.name());
        let obj: &JsValue = js.as_ref();
        set(obj, "code", &JsValue::from_str(e.code()));
        if let Some(r) = e.error_response() {
            set(obj, "error", &JsValue::from_str(&r.error));
            let opt =
                |v: &Option<String>| v.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str);
            set(obj, "error_description", &opt(&r.error_description));
            set(obj, "error_uri", &opt(&r.error_uri));
        }
        if let Some(status) = e.status() {
            set(obj, "status", &JsValue::from(status));
        }
        js.into()
    }
}

/// Whether a value is an error thrown by this package.
pub(crate) fn is_oauth_error(value: &JsValue) -> bool {
    let Some(err) = value.dyn_ref::<js_sys::Error>() else {
        return false;
    };
    let name = String::from(err.name());
    let code = Reflect::get(value, &JsValue::from_str("code"))
        .ok()
        .and_then(|c| c.as_string());
    code.is_some()
        && matches!(
            name.as_str(),
            "OAuthClientError" | "AuthorizationResponseError" | "TokenResponseError"
        )
}

use wasm_bindgen::JsCast as _;
