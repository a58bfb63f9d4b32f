//! Token endpoint requests through the global `fetch` (never `window`), so the same code runs in pages,
//! dedicated workers, Cloudflare Workers, Node, Deno and Bun.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, Headers, ReadableStreamDefaultReader, RequestCredentials, RequestInit,
    RequestRedirect, Response,
};

use crate::token::{parse_token_response, TokenRequest, TokenSet, DEFAULT_MAX_BODY_BYTES};
use crate::types::RefreshToken;
use crate::{Error, ErrorCode};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(input: &str, init: &RequestInit) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout, catch)]
    fn abort_signal_timeout(ms: u32) -> Result<AbortSignal, JsValue>;
}

/// A finished HTTP exchange.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// One request: `POST` with a form body, or `GET` without one.
pub(crate) struct Http<'a> {
    pub(crate) url: &'a str,
    pub(crate) authorization: Option<&'a str>,
    pub(crate) form: Option<&'a str>,
}

/// Sends a request and reads the answer.
///
/// `timeout_ms` covers the whole exchange, body included (an `AbortSignal.timeout`). Redirects are never
/// followed (`redirect: "manual"`): a 3xx, or a browser's opaque redirect (status 0), is `invalid_response`.
/// Bodies above 1 MiB are `invalid_response` without being read further. Credentials are omitted.
pub(crate) async fn http(request: &Http<'_>, timeout_ms: u32) -> Result<Reply, Error> {
    let signal = abort_signal_timeout(timeout_ms)
        .map_err(|_| Error::client(ErrorCode::UnsupportedEnvironment))?;
    exchange(request, &signal).await.map_err(|e| match e {
        Failure::Oauth(e) => e,
        // An aborted signal means our timeout fired, whatever the host called the rejection.
        Failure::Js if signal.aborted() => Error::client(ErrorCode::Timeout),
        Failure::Js => Error::client(ErrorCode::NetworkError),
    })
}

/// Sends a token request and validates the answer (see [`http`]).
pub(crate) async fn send(
    request: &TokenRequest,
    timeout_ms: u32,
    previous_refresh_token: Option<&RefreshToken>,
) -> Result<TokenSet, Error> {
    let reply = http(&request.as_http(), timeout_ms).await?;
    parse_token_response(
        reply.status,
        reply.content_type.as_deref(),
        &reply.body,
        super::now(),
        previous_refresh_token,
    )
}

impl TokenRequest {
    pub(crate) fn as_http(&self) -> Http<'_> {
        Http {
            url: &self.url,
            authorization: self.authorization.as_deref(),
            form: Some(&self.body),
        }
    }
}

enum Failure {
    Oauth(Error),
    Js,
}

impl From<JsValue> for Failure {
    fn from(_: JsValue) -> Self {
        Failure::Js
    }
}

async fn exchange(request: &Http<'_>, signal: &AbortSignal) -> Result<Reply, Failure> {
    let headers = Headers::new()?;
    headers.set("accept", "application/json")?;
    if let Some(auth) = request.authorization {
        headers.set("authorization", auth)?;
    }
    let init = RequestInit::new();
    if let Some(form) = request.form {
        headers.set(
            "content-type",
            "application/x-www-form-urlencoded;charset=UTF-8",
        )?;
        init.set_method("POST");
        init.set_body(&JsValue::from_str(form));
    }
    init.set_headers(&headers);
    init.set_redirect(RequestRedirect::Manual);
    // No cookies or HTTP authentication to the token endpoint. Besides hygiene: with credentials, a
    // browser answers a `401` + `WWW-Authenticate: Basic` (what RFC 6749 asks of an `invalid_client`) with
    // an HTTP-auth prompt, and the request hangs until the timeout instead of failing with the RFC error.
    init.set_credentials(RequestCredentials::Omit);
    init.set_signal(Some(signal));

    let response: Response = JsFuture::from(global_fetch(request.url, &init)?)
        .await?
        .dyn_into()?;
    let status = response.status();
    let invalid = || Failure::Oauth(Error::response(ErrorCode::InvalidResponse, status));
    // A browser reports a manual redirect as an opaque response with status 0.
    if (300..400).contains(&status) || status == 0 {
        if let Some(body) = response.body() {
            // Do not read it; release the connection.
            let _ = body.cancel();
        }
        return Err(invalid());
    }
    let content_type = response.headers().get("content-type").ok().flatten();
    let declared = response.headers().get("content-length").ok().flatten();
    if declared
        .and_then(|l| l.trim().parse::<u64>().ok())
        .is_some_and(|l| l > DEFAULT_MAX_BODY_BYTES as u64)
    {
        if let Some(body) = response.body() {
            let _ = body.cancel();
        }
        return Err(invalid());
    }
    let mut body = Vec::new();
    if let Some(stream) = response.body() {
        let reader = ReadableStreamDefaultReader::new(&stream)?;
        loop {
            let chunk = JsFuture::from(reader.read()).await?;
            if js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))?.is_truthy() {
                break;
            }
            let bytes: Uint8Array =
                js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))?.dyn_into()?;
            if body.len() + bytes.length() as usize > DEFAULT_MAX_BODY_BYTES {
                let _ = reader.cancel();
                return Err(invalid());
            }
            let start = body.len();
            body.resize(start + bytes.length() as usize, 0);
            if let Some(dst) = body.get_mut(start..) {
                bytes.copy_to(dst);
            }
        }
    }
    Ok(Reply {
        status,
        content_type,
        body,
    })
}
