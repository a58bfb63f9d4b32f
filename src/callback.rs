//! Callback (authorization response) validation, before anything is sent to the token endpoint.

use alloc::boxed::Box;
use alloc::string::String;

use crate::authorize::PendingAuthorization;
use crate::encoding::{form_decode, parse_form, split_byte};
use crate::error::{Error, ErrorCode, ErrorResponse};
use crate::types::{AuthorizationCode, State};
use crate::OAuthClient;

/// A callback that passed every check. Only [`OAuthClient::validate_callback`] makes one, and the code
/// exchange consumes it, so an unchecked code cannot reach the token endpoint through this type.
#[derive(Debug)]
pub struct ValidatedCallback {
    pub(crate) code: AuthorizationCode,
    pub(crate) state: State,
    pub(crate) iss: Option<String>,
}

impl ValidatedCallback {
    /// The authorization code.
    pub fn code(&self) -> &AuthorizationCode {
        &self.code
    }
    /// The callback's `state` (equal to the pending one).
    pub fn state(&self) -> &State {
        &self.state
    }
    /// The callback's `iss`, when it had one.
    pub fn iss(&self) -> Option<&str> {
        self.iss.as_deref()
    }
}

/// The parameters of interest in a callback URL, each present at most once.
#[derive(Debug, Default)]
pub(crate) struct CallbackParams {
    pub(crate) code: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) iss: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) error_description: Option<String>,
    pub(crate) error_uri: Option<String>,
}

/// The query of a URL or of a bare query string (with or without `?`), without the fragment.
pub(crate) fn query_of(callback_url: &str) -> &str {
    let bytes = callback_url.as_bytes();
    let end = bytes.iter().position(|&b| b == b'#').unwrap_or(bytes.len());
    let start = match bytes.iter().take(end).position(|&b| b == b'?') {
        Some(q) => q + 1,
        // No `?`: a bare query, unless it looks like a URL (has a scheme separator).
        None if !bytes.windows(3).take(end).any(|w| w == b"://") => 0,
        None => end,
    };
    callback_url.get(start..end).unwrap_or_default()
}

/// Step 1: parse, rejecting a repeated `code`, `state`, `iss` or `error`.
pub(crate) fn parse_callback(callback_url: &str) -> Result<CallbackParams, Error> {
    let mut p = CallbackParams::default();
    for (name, value) in parse_form(query_of(callback_url)) {
        let slot = match name.as_str() {
            "code" => &mut p.code,
            "state" => &mut p.state,
            "iss" => &mut p.iss,
            "error" => &mut p.error,
            "error_description" => &mut p.error_description,
            "error_uri" => &mut p.error_uri,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(Error::client(ErrorCode::DuplicateParameter));
        }
    }
    Ok(p)
}

/// The `state` of a callback URL (or query), to find its pending authorization in a store keyed by state
/// (a KV namespace, a session): `duplicate_parameter` when a callback parameter is repeated,
/// `missing_state` when `state` is absent or empty. It checks nothing else: validate the callback against
/// the pending authorization found ([`OAuthClient::validate_callback`]) before using it.
pub fn callback_state(callback_url: &str) -> Result<String, Error> {
    parse_callback(callback_url).and_then(|p| {
        p.state
            .filter(|s| !s.is_empty())
            .ok_or(Error::client(ErrorCode::MissingState))
    })
}

/// What [`strip_callback_params`] removes: the authorization response's parameters, the error ones too (a
/// reload must not show a stale error). The same list as the npm package's.
pub const CALLBACK_PARAMS: [&str; 7] = [
    "code",
    "state",
    "iss",
    "session_state",
    "error",
    "error_description",
    "error_uri",
];

/// `url` without the [`CALLBACK_PARAMS`] in its query, for the address bar of a callback page
/// (`history.replaceState`), so that the code and state stay neither in the history nor in a later
/// `Referer`. Every other parameter (as it was written), the path and the fragment stay.
pub fn strip_callback_params(url: &str) -> String {
    let (rest, fragment) = split_byte(url, b'#').unwrap_or((url, ""));
    let (base, mut query) = split_byte(rest, b'?').unwrap_or((rest, ""));
    let mut out = String::from(base);
    let mut first = true;
    while !query.is_empty() {
        let (pair, tail) = split_byte(query, b'&').unwrap_or((query, ""));
        query = tail;
        let name = split_byte(pair, b'=').map_or(pair, |(n, _)| n);
        if pair.is_empty() || CALLBACK_PARAMS.contains(&form_decode(name.as_bytes()).as_str()) {
            continue;
        }
        out.push(if first { '?' } else { '&' });
        out.push_str(pair);
        first = false;
    }
    if url.len() > rest.len() {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

impl OAuthClient {
    /// Validates a callback URL (or its query) against the pending authorization, in this order:
    /// repeated parameters, `state` (constant time), the pending authorization's expiry and issuer, RFC 9207
    /// `iss` (error responses too), `error=`, and finally the presence of `code`.
    ///
    /// `now` is the current time in unix seconds.
    pub fn validate_callback(
        &self,
        callback_url: &str,
        pending: &PendingAuthorization,
        now: u64,
    ) -> Result<ValidatedCallback, Error> {
        let p = parse_callback(callback_url)?;
        self.validate_params(p, pending, now)
    }

    /// What a pending authorization must be for its code to be exchanged: within its time to live
    /// (`pending_expired`), made for this client's redirect URI (`invalid_pending`) and issuer
    /// (`issuer_mismatch`; the code goes to the token endpoint of the issuer it came from, RFC 9207).
    pub(crate) fn check_pending(
        &self,
        pending: &PendingAuthorization,
        now: u64,
    ) -> Result<(), Error> {
        let c = &self.config;
        if now >= pending.created_at.saturating_add(c.pending_ttl_seconds) {
            return Err(Error::client(ErrorCode::PendingExpired));
        }
        if pending.redirect_uri != c.redirect_uri {
            return Err(Error::client(ErrorCode::InvalidPending));
        }
        if pending.issuer != c.issuer {
            return Err(Error::client(ErrorCode::IssuerMismatch));
        }
        Ok(())
    }

    pub(crate) fn validate_params(
        &self,
        p: CallbackParams,
        pending: &PendingAuthorization,
        now: u64,
    ) -> Result<ValidatedCallback, Error> {
        let c = &self.config;
        let state = p
            .state
            .filter(|s| !s.is_empty())
            .ok_or(Error::client(ErrorCode::MissingState))?;
        if !pending.state.ct_eq(&state) {
            return Err(Error::client(ErrorCode::StateMismatch));
        }
        self.check_pending(pending, now)?;
        if let Some(issuer) = &c.issuer {
            match &p.iss {
                Some(iss) if iss != issuer => return Err(Error::client(ErrorCode::IssuerMismatch)),
                None if c.require_iss => return Err(Error::client(ErrorCode::MissingIssuer)),
                _ => {}
            }
        }
        if let Some(error) = p.error {
            // RFC 6749 §4.1.2.1: `error` is an error code (%x20-21 / %x23-5B / %x5D-7E); other text
            // (empty, markup, quotes) is not reported as the server's code.
            if !crate::http::is_error_code(&error) {
                return Err(Error::client(ErrorCode::InvalidResponse));
            }
            return Err(Error::AuthorizationResponse(Box::new(ErrorResponse::new(
                &error,
                p.error_description.as_deref(),
                p.error_uri.as_deref(),
            ))));
        }
        let code = p
            .code
            .filter(|c| !c.is_empty())
            .ok_or(Error::client(ErrorCode::MissingCode))?;
        Ok(ValidatedCallback {
            code: AuthorizationCode::new(code),
            state: State::new(state),
            iss: p.iss,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthorizationOptions;
    use alloc::format;

    fn client(require_iss: bool) -> OAuthClient {
        crate::fixture::TestClient::new()
            .with(|c| c.require_iss = require_iss)
            .build()
    }

    fn pending(c: &OAuthClient) -> PendingAuthorization {
        c.start_authorization(&AuthorizationOptions::default(), 1_000)
            .unwrap()
    }

    fn check(
        c: &OAuthClient,
        p: &PendingAuthorization,
        query: &str,
    ) -> Result<ValidatedCallback, Error> {
        let q = query.replace("STATE", p.state.secret());
        c.validate_callback(&format!("https://app.example/cb?{q}#frag"), p, 1_010)
    }

    fn code_of(r: Result<ValidatedCallback, Error>) -> String {
        match r {
            Ok(_) => String::from("ok"),
            Err(e) => String::from(e.code()),
        }
    }

    #[test]
    fn callback_matrix() {
        let c = client(false);
        let strict = client(true);
        let p = pending(&c);
        let iss = "iss=https%3A%2F%2Fidp.example";
        let cases: &[(&OAuthClient, &str, &str)] = &[
            (&c, "code=abc&state=STATE", "ok"),
            (&c, &format!("code=abc&state=STATE&{iss}"), "ok"),
            (&c, "code=abc&state=STATE&unknown=1&session_state=x", "ok"),
            (&strict, &format!("code=abc&state=STATE&{iss}"), "ok"),
            // 1. duplicates come first, even before state
            (&c, "code=a&code=b&state=STATE", "duplicate_parameter"),
            (&c, "code=a&state=STATE&state=STATE", "duplicate_parameter"),
            (
                &c,
                &format!("code=a&state=STATE&{iss}&{iss}"),
                "duplicate_parameter",
            ),
            (&c, "error=x&error=y&state=STATE", "duplicate_parameter"),
            (&c, "code=a&code=b", "duplicate_parameter"),
            // 2. state
            (&c, "code=abc", "missing_state"),
            (&c, "code=abc&state=", "missing_state"),
            (&c, "code=abc&state=STATEx", "state_mismatch"),
            (&c, "code=abc&state=other", "state_mismatch"),
            (&c, "error=access_denied&state=other", "state_mismatch"),
            (&c, "error=access_denied", "missing_state"),
            // 3. iss, error responses included
            (
                &c,
                "code=abc&state=STATE&iss=https%3A%2F%2Fevil.example",
                "issuer_mismatch",
            ),
            (
                &c,
                "code=abc&state=STATE&iss=https%3A%2F%2Fidp.example%2F",
                "issuer_mismatch",
            ),
            (
                &c,
                "error=access_denied&state=STATE&iss=https%3A%2F%2Fevil.example",
                "issuer_mismatch",
            ),
            (&strict, "code=abc&state=STATE", "missing_issuer"),
            (&strict, "error=access_denied&state=STATE", "missing_issuer"),
            // 4. error
            (&c, "error=access_denied&state=STATE", "access_denied"),
            (
                &c,
                &format!("error=server_error&state=STATE&{iss}"),
                "server_error",
            ),
            (
                &c,
                "error=access_denied&code=abc&state=STATE",
                "access_denied",
            ),
            (&c, "error=%3Cscript%3E%22x&state=STATE", "invalid_response"),
            (&c, "error=&state=STATE", "invalid_response"),
            // 5. code
            (&c, "state=STATE", "missing_code"),
            (&c, "state=STATE&code=", "missing_code"),
        ];
        for (client, query, expected) in cases {
            assert_eq!(code_of(check(client, &p, query)), *expected, "{query}");
        }
    }

    #[test]
    fn returns_the_code_and_error_fields() {
        let c = client(false);
        let p = pending(&c);
        let v = check(&c, &p, "code=a%2Bb+c&state=STATE").unwrap();
        assert_eq!(v.code().secret(), "a+b c");
        assert_eq!(v.state(), &p.state);
        let e = check(&c, &p, "error=access_denied&error_description=%3Cscript%3Ex&error_uri=https%3A%2F%2Fe&state=STATE");
        let e = e.err().unwrap();
        assert_eq!(e.name(), "AuthorizationResponseError");
        let r = e.error_response().unwrap();
        assert_eq!(r.error_description.as_deref(), Some("<script>x"));
        assert_eq!(r.error_uri.as_deref(), Some("https://e"));
    }

    #[test]
    fn expiry_and_pending_binding() {
        let c = client(false);
        let p = pending(&c);
        let q = format!("code=a&state={}", p.state.secret());
        assert!(c.validate_callback(&q, &p, 1_599).is_ok());
        assert_eq!(
            code_of(c.validate_callback(&q, &p, 1_600)),
            "pending_expired"
        );
        let mut other = p.clone();
        other.issuer = Some(String::from("https://other.example"));
        assert_eq!(
            code_of(c.validate_callback(&q, &other, 1_001)),
            "issuer_mismatch"
        );
        let mut other = p.clone();
        other.redirect_uri = String::from("https://elsewhere.example/cb");
        assert_eq!(
            code_of(c.validate_callback(&q, &other, 1_001)),
            "invalid_pending"
        );
    }

    #[test]
    fn the_callback_parameters_leave_the_address_bar_and_nothing_else_does() {
        for (url, expected) in [
            (
                "https://app.example/cb?code=a&state=s&iss=https%3A%2F%2Fidp&session_state=x",
                "https://app.example/cb",
            ),
            (
                "https://app.example/cb?keep=%2F1&code=a&state=s&b+c=d#frag?code=x",
                "https://app.example/cb?keep=%2F1&b+c=d#frag?code=x",
            ),
            (
                "https://app.example/cb?error=access_denied&error_description=no&error_uri=u&x=1",
                "https://app.example/cb?x=1",
            ),
            // Names are compared decoded, as the form parser (and the validator) reads them.
            (
                "https://app.example/cb?%63ode=a&stat%65=s&&x",
                "https://app.example/cb?x",
            ),
            ("https://app.example/cb", "https://app.example/cb"),
            ("https://app.example/cb?", "https://app.example/cb"),
            (
                "https://app.example/cb#code=a",
                "https://app.example/cb#code=a",
            ),
        ] {
            assert_eq!(strip_callback_params(url), expected, "{url}");
        }
    }

    #[test]
    fn the_state_that_finds_a_pending_authorization() {
        assert_eq!(
            callback_state("https://a/cb?code=c&state=s%2B1").unwrap(),
            "s+1"
        );
        for (url, expected) in [
            ("https://a/cb?code=c", "missing_state"),
            ("https://a/cb?code=c&state=", "missing_state"),
            ("https://a/cb?state=a&state=b", "duplicate_parameter"),
            ("https://a/cb?state=a&code=1&code=2", "duplicate_parameter"),
        ] {
            assert_eq!(
                callback_state(url).err().as_ref().map(Error::code),
                Some(expected),
                "{url}"
            );
        }
    }

    #[test]
    fn query_extraction() {
        assert_eq!(query_of("https://a/cb?x=1#y=2"), "x=1");
        assert_eq!(query_of("?x=1"), "x=1");
        assert_eq!(query_of("x=1"), "x=1");
        assert_eq!(query_of("https://a/cb#code=1"), "");
    }
}
