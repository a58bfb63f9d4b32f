//! The one error type of the crate.
//!
//! Every failure is an [`Error`]. Its [`Error::code`] is a stable snake_case string, the same one the
//! JavaScript API puts on the thrown `Error`'s `code` property. Messages are static and never contain a
//! secret (code, verifier, tokens, client secret) nor any text that came from the server or the callback;
//! attacker-controlled text lives only in [`ErrorResponse`]'s fields.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

/// The longest `error`, `error_description` or `error_uri` value kept from a server or a callback, in bytes.
/// Longer values are cut at a character boundary (they are attacker-controlled and shown to people).
pub const MAX_ERROR_FIELD_LEN: usize = 1024;

/// The error-code table, written once: each row is a variant (with its documentation), its stable
/// snake_case code and its static message. The enum, [`ErrorCode::as_str`], [`ErrorCode::message`] and
/// [`ErrorCode::ALL`] are generated from it; `tests/boundary.rs` checks the JavaScript side against
/// [`ErrorCode::ALL`] (the codes it throws, and the TypeScript declarations).
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $message:literal;)*) => {
        /// This library's own error codes (the `code` of an `OAuthClientError` in JavaScript).
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// The stable snake_case code.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// A short static message. It never contains secrets or server-supplied text.
            pub const fn message(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $message,)*
                }
            }

            /// Every code, for documentation and tests.
            pub const ALL: [ErrorCode; [$($code),*].len()] = [$(ErrorCode::$variant,)*];
        }
    };
}

error_codes! {
    /// The client configuration (or a per-call option) is invalid.
    InvalidConfig = "invalid_config", "invalid client configuration";
    /// A PKCE code verifier is not 43–128 characters of the unreserved set.
    InvalidVerifier = "invalid_verifier", "the code verifier must be 43-128 unreserved characters";
    /// The callback's `state` differs from the pending authorization's.
    StateMismatch = "state_mismatch", "the callback state does not match the pending authorization";
    /// The callback has no (or an empty) `state`.
    MissingState = "missing_state", "the callback has no state";
    /// The callback's `iss` differs from the configured issuer (RFC 9207), or a pending authorization was
    /// made for another issuer.
    IssuerMismatch = "issuer_mismatch", "the issuer does not match the expected issuer";
    /// The callback has no `iss` although the client requires one (RFC 9207).
    MissingIssuer = "missing_issuer", "the callback has no iss parameter but one is required";
    /// The callback has neither `code` nor `error`.
    MissingCode = "missing_code", "the callback has no authorization code";
    /// The callback repeats `code`, `state`, `iss` or `error`.
    DuplicateParameter = "duplicate_parameter", "the callback repeats a parameter";
    /// No pending authorization matches the callback (never started, already used, or cleaned up).
    NoPendingAuthorization = "no_pending_authorization", "no pending authorization matches this callback";
    /// The pending authorization is older than its time to live.
    PendingExpired = "pending_expired", "the pending authorization has expired";
    /// A pending authorization object is malformed, or belongs to another client configuration.
    InvalidPending = "invalid_pending", "the pending authorization is malformed or belongs to another client";
    /// The token endpoint's answer is not a valid token response (non-JSON, wrong types, a redirect, ...).
    InvalidResponse = "invalid_response", "the server response is invalid";
    /// The request did not reach the server or the connection failed.
    NetworkError = "network_error", "the request to the server failed";
    /// The token endpoint did not answer (body included) within `timeoutMs`.
    Timeout = "timeout", "the server did not answer in time";
    /// The chosen storage is missing or throws (disabled, quota, private mode).
    StorageUnavailable = "storage_unavailable", "the chosen storage is unavailable";
    /// The runtime lacks what a browser-only method needs (`window`, `location`, `history`).
    UnsupportedEnvironment = "unsupported_environment", "this method needs a browser window";
    /// The platform's random number generator failed.
    RandomUnavailable = "random_unavailable", "the platform random number generator failed";
    /// The ID token is malformed, lacks a required claim (`sub`, `iat`, `exp`), carries a `crit` header or
    /// a header that names its own key (`jku`, `x5u`, `jwk`, `x5c`), or changed `auth_time` on refresh.
    InvalidIdToken = "invalid_id_token", "the ID token is malformed or lacks a required claim";
    /// An `openid` authorization's token response has no `id_token`.
    MissingIdToken = "missing_id_token", "the token response has no ID token";
    /// The ID token's `alg` is not RS256, PS256, ES256 or EdDSA (`none` and HS* are always refused).
    UnsupportedAlgorithm = "unsupported_algorithm", "the ID token algorithm is not allowed";
    /// The ID token's signature does not verify with the provider's key.
    IdTokenSignature = "id_token_signature", "the ID token signature is invalid";
    /// No key of the provider's JWKS fits the ID token, even after refetching the JWKS once.
    KeyNotFound = "key_not_found", "no provider key matches the ID token";
    /// The ID token's `aud` lacks the client id or names another audience, or its `azp` is not the client
    /// id (or, on refresh, either changed).
    AudienceMismatch = "audience_mismatch", "the ID token audience does not match this client";
    /// The ID token's `nonce` is missing or differs from the pending authorization's.
    NonceMismatch = "nonce_mismatch", "the ID token nonce does not match";
    /// The `sub` changed: a refreshed ID token or a userinfo response names another user.
    SubjectMismatch = "subject_mismatch", "the subject does not match the ID token";
    /// The ID token's `exp` has passed (beyond the clock tolerance).
    IdTokenExpired = "id_token_expired", "the ID token has expired";
    /// The ID token's `iat` is in the future (beyond the clock tolerance).
    IdTokenIssuedInFuture = "id_token_issued_in_future", "the ID token was issued in the future";
    /// `max_age` was sent and the ID token's `auth_time` is older than that.
    AuthTimeTooOld = "auth_time_too_old", "the authentication is older than max_age";
    /// The discovery document does not list `S256` in `code_challenge_methods_supported`.
    PkceUnsupported = "pkce_unsupported", "the provider does not support PKCE with S256";
    /// The provider has no endpoint for this operation (JWKS, userinfo, end session, revocation).
    MissingEndpoint = "missing_endpoint", "the provider has no endpoint for this operation";
    /// A sealed value (`openPending`, `openSession` of the JavaScript sealing helpers) does not open:
    /// tampered, sealed with another secret or for another kind. Only the JavaScript helpers use it.
    InvalidSealedValue = "invalid_sealed_value", "the sealed value is invalid";
    /// A managed session can no longer give an access token (it expired without a refresh token), or a
    /// sealed session is past its lifetime or `maxAgeSeconds` (the JavaScript `openSession`).
    SessionExpired = "session_expired", "the session has expired";
    /// There is no managed session (`getAccessToken()` before a sign-in, or after a sign-out).
    NoSession = "no_session", "there is no session: sign in first";
    /// The stored session is malformed, of another version or of another client (it is removed).
    InvalidSession = "invalid_session", "the stored session is malformed or belongs to another client";
    /// A `WWW-Authenticate` value that is not RFC 9110 syntax or is too long, or a challenge that asks for
    /// nothing the client can do (a step-up without `insufficient_scope` or without a `scope`).
    InvalidChallenge = "invalid_challenge", "the WWW-Authenticate challenge is invalid";
    /// The protected resource metadata is for another resource than the server asked (RFC 9728 §3.3).
    ResourceMismatch = "resource_mismatch", "the protected resource metadata is for another resource";
    /// The client cannot register with the authorization server: no authentication method both support.
    RegistrationFailed = "registration_failed", "the client could not be registered";
    /// A step-up authorization was asked for more times than allowed (an endless `insufficient_scope`).
    StepUpLimit = "step_up_limit", "too many step-up authorizations";
}

/// An RFC 6749 error response (§4.1.2.1 from the authorization endpoint, §5.2 from the token endpoint).
///
/// All three fields are attacker-controlled text: show them as text, never as HTML, and never navigate to
/// `error_uri` automatically. Each is capped at [`MAX_ERROR_FIELD_LEN`] bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorResponse {
    /// The RFC error code, e.g. `access_denied` or `invalid_grant` (or an extension code).
    pub error: String,
    /// Human-readable text from the server.
    pub error_description: Option<String>,
    /// A URI with more information, as sent by the server.
    pub error_uri: Option<String>,
}

impl ErrorResponse {
    pub(crate) fn new(error: &str, description: Option<&str>, uri: Option<&str>) -> Self {
        ErrorResponse {
            error: capped(error),
            error_description: description.map(capped),
            error_uri: uri.map(capped),
        }
    }
}

fn capped(s: &str) -> String {
    if s.len() <= MAX_ERROR_FIELD_LEN {
        return String::from(s);
    }
    let mut end = MAX_ERROR_FIELD_LEN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    String::from(s.get(..end).unwrap_or_default())
}

/// Every failure of the crate.
///
/// The server's error objects are boxed, so that an `Error` is two words and every `Result<_, Error>`
/// stays small: moving the unboxed three-`String` payload through each fallible call cost 1.7 KB of the
/// npm package's wasm. Read them with [`Error::error_response`] (or match and deref the box).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The callback carried `error=` (JS name `AuthorizationResponseError`).
    AuthorizationResponse(Box<ErrorResponse>),
    /// The token endpoint answered with an RFC 6749 §5.2 error object (JS name `TokenResponseError`).
    TokenResponse {
        /// The server's error object.
        response: Box<ErrorResponse>,
        /// The HTTP status of the response.
        status: u16,
    },
    /// Any other failure (JS name `OAuthClientError`).
    Client {
        /// The stable code.
        code: ErrorCode,
        /// The HTTP status, when an HTTP response was involved.
        status: Option<u16>,
    },
}

impl Error {
    pub(crate) const fn client(code: ErrorCode) -> Self {
        Error::Client { code, status: None }
    }

    pub(crate) const fn response(code: ErrorCode, status: u16) -> Self {
        Error::Client {
            code,
            status: Some(status),
        }
    }

    /// This error with `status` where it is the client's own and has none: a check that failed on the
    /// body of a response with that status (API.md: `status` is set on every error after a response).
    #[cfg(feature = "oidc")]
    pub(crate) fn at(self, status: u16) -> Self {
        match self {
            Error::Client { code, status: None } => Error::response(code, status),
            e => e,
        }
    }

    /// The JavaScript `name` of this error.
    pub fn name(&self) -> &'static str {
        match self {
            Error::AuthorizationResponse(_) => "AuthorizationResponseError",
            Error::TokenResponse { .. } => "TokenResponseError",
            Error::Client { .. } => "OAuthClientError",
        }
    }

    /// The stable code: the RFC `error` for server errors, an [`ErrorCode`] otherwise.
    pub fn code(&self) -> &str {
        match self {
            Error::AuthorizationResponse(r) | Error::TokenResponse { response: r, .. } => &r.error,
            Error::Client { code, .. } => code.as_str(),
        }
    }

    /// This library's code, for [`Error::Client`].
    pub fn client_code(&self) -> Option<ErrorCode> {
        match self {
            Error::Client { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status, where an HTTP response was involved.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::TokenResponse { status, .. } => Some(*status),
            Error::Client { status, .. } => *status,
            Error::AuthorizationResponse(_) => None,
        }
    }

    /// The server's error object, for the two server-error variants.
    pub fn error_response(&self) -> Option<&ErrorResponse> {
        match self {
            Error::AuthorizationResponse(r) | Error::TokenResponse { response: r, .. } => Some(r),
            Error::Client { .. } => None,
        }
    }

    /// A short static message. It never contains secrets or server-supplied text.
    pub fn message(&self) -> &'static str {
        match self {
            Error::AuthorizationResponse(_) => {
                "the authorization server returned an error to the callback"
            }
            Error::TokenResponse { .. } => "the token endpoint returned an error",
            Error::Client { code, .. } => code.message(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        f.write_str(" (")?;
        match self {
            // The server's code is attacker text: keep Display free of it, like the message.
            Error::Client { code, .. } => f.write_str(code.as_str())?,
            _ => f.write_str("see error_response()")?,
        }
        f.write_str("): ")?;
        f.write_str(self.message())
    }
}

impl core::error::Error for Error {}

impl From<ErrorCode> for Error {
    fn from(code: ErrorCode) -> Self {
        Error::client(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn codes_are_unique_snake_case() {
        for (i, a) in ErrorCode::ALL.iter().enumerate() {
            assert!(a
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            for b in ErrorCode::ALL.iter().skip(i + 1) {
                assert_ne!(a.as_str(), b.as_str());
            }
        }
    }

    #[test]
    fn an_error_is_two_words() {
        // The server's error objects stay boxed: every `Result<_, Error>` moves this much.
        assert!(core::mem::size_of::<Error>() <= 2 * core::mem::size_of::<usize>());
    }

    #[test]
    fn server_text_is_capped_at_a_char_boundary() {
        let long = "é".repeat(MAX_ERROR_FIELD_LEN);
        let r = ErrorResponse::new("x", Some(&long), None);
        let d = r.error_description.unwrap_or_default();
        assert!(d.len() <= MAX_ERROR_FIELD_LEN && d.len() >= MAX_ERROR_FIELD_LEN - 1);
    }

    #[test]
    fn display_never_contains_server_text() {
        let e = Error::TokenResponse {
            response: Box::new(ErrorResponse::new(
                "<script>",
                Some("<b>secret-ish</b>"),
                None,
            )),
            status: 400,
        };
        let s = e.to_string();
        assert!(!s.contains("<script>") && !s.contains("secret-ish"));
        assert_eq!(e.code(), "<script>");
        assert_eq!(e.status(), Some(400));
    }
}
