//! The fetch step through the global `fetch` (never `window`), so the same code runs in pages, dedicated
//! workers, Cloudflare Workers, Node, Deno and Bun. The request goes out exactly as the engine's
//! [`HttpRequest`] says.

use alloc::vec::Vec;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, ReadableStreamDefaultReader, RequestInit, Response};

use crate::engine::Input;
use crate::{ErrorCode, HttpRequest, HttpResponse};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(input: &str, init: &RequestInit) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout, catch)]
    fn abort_signal_timeout(ms: u32) -> Result<AbortSignal, JsValue>;
}

/// Sends the request and reads the answer, up to `max_bytes` of body: `Response`, or `Failed` with
/// `timeout` (the signal fired, whatever the host called the rejection), `network_error` or
/// `unsupported_environment` (no `AbortSignal.timeout`).
pub(super) async fn perform(request: &HttpRequest) -> Input {
    let Ok(signal) = abort_signal_timeout(request.timeout_ms) else {
        return Input::Failed(ErrorCode::UnsupportedEnvironment);
    };
    match exchange(request, &signal).await {
        Ok(r) => Input::Response(r),
        Err(_) if signal.aborted() => Input::Failed(ErrorCode::Timeout),
        Err(_) => Input::Failed(ErrorCode::NetworkError),
    }
}

async fn exchange(request: &HttpRequest, signal: &AbortSignal) -> Result<HttpResponse, JsValue> {
    let headers = Headers::new()?;
    for (name, value) in request.headers() {
        headers.set(name, value)?;
    }
    let init = RequestInit::new();
    init.set_method(request.method());
    if let Some(body) = request.body() {
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    for (member, value) in [
        ("redirect", HttpRequest::REDIRECT),
        ("credentials", HttpRequest::CREDENTIALS),
        ("referrerPolicy", HttpRequest::REFERRER_POLICY),
    ] {
        js_sys::Reflect::set(&init, &member.into(), &value.into())?;
    }
    init.set_signal(Some(signal));

    let response: Response = JsFuture::from(global_fetch(&request.url, &init)?)
        .await?
        .dyn_into()?;
    let max = request.max_bytes;
    let mut r = HttpResponse {
        status: response.status(),
        content_type: response.headers().get("content-type").ok().flatten(),
        body: Vec::new(),
        too_large: false,
        dpop_nonce: response.headers().get("dpop-nonce").ok().flatten(),
        www_authenticate: response.headers().get("www-authenticate").ok().flatten(),
    };
    let declared = response.headers().get("content-length").ok().flatten();
    r.too_large = declared
        .and_then(|l| l.trim().parse::<u64>().ok())
        .is_some_and(|l| l > max as u64);
    let Some(stream) = response.body() else {
        return Ok(r);
    };
    if r.too_large {
        let _ = stream.cancel();
        return Ok(r);
    }
    let reader = ReadableStreamDefaultReader::new(&stream)?;
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))?.is_truthy() {
            return Ok(r);
        }
        let bytes: Uint8Array =
            js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))?.dyn_into()?;
        let len = bytes.length() as usize;
        if r.body.len() + len > max {
            let _ = reader.cancel();
            r.too_large = true;
            r.body.clear();
            return Ok(r);
        }
        let start = r.body.len();
        r.body.resize(start + len, 0);
        if let Some(dst) = r.body.get_mut(start..) {
            bytes.copy_to(dst);
        }
    }
}
