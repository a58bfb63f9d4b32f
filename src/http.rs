//! HTTP values and the checks every response goes through, shared by the token, OpenID Connect and
//! engine modules: the request a driver sends ([`HttpRequest`]), what it hands back ([`HttpResponse`]),
//! the media-type and RFC 6749 error-object rules.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::encoding::split_byte;
use crate::error::{Error, ErrorCode, ErrorResponse};
use crate::json::{self, Json};

/// Whether a `Content-Type` value is `application/json` or an `application/*+json` type such as
/// `application/jwk-set+json` (parameters and case ignored).
pub(crate) fn is_json_media_type(content_type: Option<&str>) -> bool {
    // The media type before any parameters, without the optional whitespace (RFC 9110 OWS: space, tab).
    let ct = content_type.unwrap_or_default();
    let m = split_byte(ct, b';').map_or(ct, |(m, _)| m).as_bytes();
    let ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = m.iter().position(|b| !ows(b)).unwrap_or(m.len());
    let end = m.iter().rposition(|b| !ows(b)).map_or(start, |i| i + 1);
    let m = m.get(start..end).unwrap_or_default();
    let prefix = |p: &[u8]| m.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    let suffix = |p: &[u8]| {
        m.len()
            .checked_sub(p.len())
            .and_then(|at| m.get(at..))
            .is_some_and(|t| t.eq_ignore_ascii_case(p))
    };
    m.eq_ignore_ascii_case(b"application/json") || (prefix(b"application/") && suffix(b"+json"))
}

/// A 200 `application/json` (or `+json`) object, or `invalid_response` with the status.
pub(crate) fn json_object(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Json, Error> {
    match json::parse(body) {
        Some(obj @ Json::Object(_)) if status == 200 && is_json_media_type(content_type) => Ok(obj),
        _ => Err(Error::response(ErrorCode::InvalidResponse, status)),
    }
}

/// An RFC 6749 §5.2 (or RFC 6750 §3) error object in a non-2xx response: `Err(TokenResponseError)`.
/// Anything else is `Ok` and left to the caller.
pub(crate) fn error_response(status: u16, body: &[u8]) -> Result<(), Error> {
    if status < 400 {
        return Ok(());
    }
    let Some(obj) = json::parse(body) else {
        return Ok(());
    };
    let text = |n| obj.str(n);
    match text("error") {
        // RFC 6749 §5.2: `error` is one or more of %x20-21 / %x23-5B / %x5D-7E. An empty or other value is
        // not an error response the client may report as the server's code.
        Some(error) if !is_error_code(error) => {
            Err(Error::response(ErrorCode::InvalidResponse, status))
        }
        Some(error) => Err(Error::TokenResponse {
            response: Box::new(ErrorResponse::new(
                error,
                text("error_description"),
                text("error_uri"),
            )),
            status,
        }),
        None => Ok(()),
    }
}

/// Whether `s` is an RFC 6749 `error` value: non-empty, printable ASCII without `"` and `\`.
pub(crate) fn is_error_code(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5b | 0x5d..=0x7e))
}

/// A request the engine asks a driver to send. Every request goes out the same way, which the driver
/// must follow exactly: `Accept: application/json`; with `form`, `POST` with `Content-Type:
/// application/x-www-form-urlencoded;charset=UTF-8`, with `json`, `POST` with `Content-Type:
/// application/json` (else `GET`); the body is [`HttpRequest::body`]; `authorization` as the `Authorization`
/// header; redirects not followed (a browser's `redirect: "manual"`); no credentials (cookies, HTTP
/// authentication: with them, a browser answers a `401` + `WWW-Authenticate: Basic` with a prompt); no
/// `Referer` (see [`HttpRequest::REDIRECT`] and the constants beside it for the `RequestInit` values);
/// the whole exchange, body included, within `timeout_ms`; the body read up to `max_bytes`. `Debug`
/// shows the URL only (the header and body hold secrets).
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The URL.
    pub url: String,
    /// The `Authorization` header value (`client_secret_basic`, a userinfo `Bearer`).
    pub authorization: Option<String>,
    /// The form-encoded body of a `POST`; `None` for a `GET`.
    pub form: Option<String>,
    /// The JSON body of a `POST` (dynamic client registration); never together with `form`.
    pub json: Option<String>,
    /// The `DPoP` header (RFC 9449): a proof for this request.
    pub dpop: Option<String>,
    /// The time the whole exchange may take.
    pub timeout_ms: u32,
    /// The largest body read; past it the driver stops reading and sets [`HttpResponse::too_large`].
    pub max_bytes: usize,
}

impl HttpRequest {
    /// The `RequestInit.redirect` of every request: a redirect is not followed (the answer must be the
    /// endpoint's own; a 3xx, or a browser's opaque redirect, is then `invalid_response`).
    pub const REDIRECT: &'static str = "manual";
    /// The `RequestInit.credentials` of every request: no cookies or host-held HTTP credentials; the
    /// client authenticates itself, as its configuration says.
    pub const CREDENTIALS: &'static str = "omit";
    /// The `RequestInit.referrerPolicy` of every request: no `Referer` (the page may be the callback,
    /// its URL the code: RFC 9700 §4.2.4, FC-5).
    pub const REFERRER_POLICY: &'static str = "no-referrer";

    /// `POST` with a body, else `GET`.
    pub fn method(&self) -> &'static str {
        if self.body().is_some() {
            "POST"
        } else {
            "GET"
        }
    }

    /// The request's headers, names in lower case.
    pub fn headers(&self) -> Vec<(&'static str, &str)> {
        let mut h = Vec::with_capacity(3);
        h.push(("accept", "application/json"));
        if self.form.is_some() {
            h.push((
                "content-type",
                "application/x-www-form-urlencoded;charset=UTF-8",
            ));
        } else if self.json.is_some() {
            h.push(("content-type", "application/json"));
        }
        if let Some(a) = &self.authorization {
            h.push(("authorization", a.as_str()));
        }
        if let Some(p) = &self.dpop {
            h.push(("dpop", p.as_str()));
        }
        h
    }
}

impl HttpRequest {
    /// The body of a `POST`: the form, else the JSON.
    pub fn body(&self) -> Option<&str> {
        self.form.as_deref().or(self.json.as_deref())
    }
}

impl core::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("HttpRequest { url: ")?;
        f.write_str(&self.url)?;
        f.write_str(", .. }")
    }
}

/// What a driver hands back for an [`HttpRequest`] that got an answer. Its `Debug` shows the body's
/// length only (a token response's body is the tokens).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status (0 for a browser's opaque redirect).
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The body as read (at most `max_bytes` of it is looked at).
    pub body: Vec<u8>,
    /// The body was longer than `max_bytes` (declared or read), and reading stopped.
    pub too_large: bool,
    /// The `DPoP-Nonce` header (RFC 9449), if the response has one.
    pub dpop_nonce: Option<String>,
    /// The `WWW-Authenticate` header (a resource server's `401` challenge), if the response has one.
    pub www_authenticate: Option<String>,
}

impl core::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body", &Redacted(self.body.len()))
            .field("too_large", &self.too_large)
            .field("dpop_nonce", &self.dpop_nonce)
            .field("www_authenticate", &self.www_authenticate)
            .finish()
    }
}

/// In a `Debug`, a value that may hold a secret (a body, a stored entry, a signing input), by its length.
pub(crate) struct Redacted(pub(crate) usize);

impl core::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("[redacted, ")?;
        core::fmt::Debug::fmt(&self.0, f)?;
        f.write_str(" bytes]")
    }
}

impl HttpResponse {
    /// A response no flow reads further: a redirect (3xx, or status 0) or a body over the limit is
    /// `invalid_response`.
    pub(crate) fn check(&self) -> Result<&Self, Error> {
        if self.too_large || self.status == 0 || (300..400).contains(&self.status) {
            return Err(Error::response(ErrorCode::InvalidResponse, self.status));
        }
        Ok(self)
    }

    pub(crate) fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }
}
