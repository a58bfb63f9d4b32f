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

/// This library's own error codes (the `code` of an `OAuthClientError` in JavaScript).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The client configuration (or a per-call option) is invalid.
    InvalidConfig,
    /// A PKCE code verifier is not 43–128 characters of the unreserved set.
    InvalidVerifier,
    /// The callback's `state` differs from the pending authorization's.
    StateMismatch,
    /// The callback has no (or an empty) `state`.
    MissingState,
    /// The callback's `iss` differs from the configured issuer (RFC 9207), or a pending authorization was
    /// made for another issuer.
    IssuerMismatch,
    /// The callback has no `iss` although the client requires one (RFC 9207).
    MissingIssuer,
    /// The callback has neither `code` nor `error`.
    MissingCode,
    /// The callback repeats `code`, `state`, `iss` or `error`.
    DuplicateParameter,
    /// No pending authorization matches the callback (never started, already used, or cleaned up).
    NoPendingAuthorization,
    /// The pending authorization is older than its time to live.
    PendingExpired,
    /// A pending authorization object is malformed, or belongs to another client configuration.
    InvalidPending,
    /// The token endpoint's answer is not a valid token response (non-JSON, wrong types, a redirect, ...).
    InvalidResponse,
    /// The request did not reach the server or the connection failed.
    NetworkError,
    /// The token endpoint did not answer (body included) within `timeoutMs`.
    Timeout,
    /// The chosen storage is missing or throws (disabled, quota, private mode).
    StorageUnavailable,
    /// The runtime lacks what a browser-only method needs (`window`, `location`, `history`).
    UnsupportedEnvironment,
    /// The platform's random number generator failed.
    RandomUnavailable,
    /// The ID token is malformed, lacks a required claim (`sub`, `iat`, `exp`), carries a `crit` header or
    /// a header that names its own key (`jku`, `x5u`, `jwk`, `x5c`), or changed `auth_time` on refresh.
    InvalidIdToken,
    /// An `openid` authorization's token response has no `id_token`.
    MissingIdToken,
    /// The ID token's `alg` is not RS256, PS256, ES256 or EdDSA (`none` and HS* are always refused).
    UnsupportedAlgorithm,
    /// The ID token's signature does not verify with the provider's key.
    IdTokenSignature,
    /// No key of the provider's JWKS fits the ID token, even after refetching the JWKS once.
    KeyNotFound,
    /// The ID token's `aud` lacks the client id or names another audience, or its `azp` is not the client
    /// id (or, on refresh, either changed).
    AudienceMismatch,
    /// The ID token's `nonce` is missing or differs from the pending authorization's.
    NonceMismatch,
    /// The `sub` changed: a refreshed ID token or a userinfo response names another user.
    SubjectMismatch,
    /// The ID token's `exp` has passed (beyond the clock tolerance).
    IdTokenExpired,
    /// The ID token's `iat` is in the future (beyond the clock tolerance).
    IdTokenIssuedInFuture,
    /// `max_age` was sent and the ID token's `auth_time` is older than that.
    AuthTimeTooOld,
    /// The discovery document does not list `S256` in `code_challenge_methods_supported`.
    PkceUnsupported,
    /// The provider has no endpoint for this operation (JWKS, userinfo, end session, revocation).
    MissingEndpoint,
}

impl ErrorCode {
    /// The stable snake_case code.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidConfig => "invalid_config",
            ErrorCode::InvalidVerifier => "invalid_verifier",
            ErrorCode::StateMismatch => "state_mismatch",
            ErrorCode::MissingState => "missing_state",
            ErrorCode::IssuerMismatch => "issuer_mismatch",
            ErrorCode::MissingIssuer => "missing_issuer",
            ErrorCode::MissingCode => "missing_code",
            ErrorCode::DuplicateParameter => "duplicate_parameter",
            ErrorCode::NoPendingAuthorization => "no_pending_authorization",
            ErrorCode::PendingExpired => "pending_expired",
            ErrorCode::InvalidPending => "invalid_pending",
            ErrorCode::InvalidResponse => "invalid_response",
            ErrorCode::NetworkError => "network_error",
            ErrorCode::Timeout => "timeout",
            ErrorCode::StorageUnavailable => "storage_unavailable",
            ErrorCode::UnsupportedEnvironment => "unsupported_environment",
            ErrorCode::RandomUnavailable => "random_unavailable",
            ErrorCode::InvalidIdToken => "invalid_id_token",
            ErrorCode::MissingIdToken => "missing_id_token",
            ErrorCode::UnsupportedAlgorithm => "unsupported_algorithm",
            ErrorCode::IdTokenSignature => "id_token_signature",
            ErrorCode::KeyNotFound => "key_not_found",
            ErrorCode::AudienceMismatch => "audience_mismatch",
            ErrorCode::NonceMismatch => "nonce_mismatch",
            ErrorCode::SubjectMismatch => "subject_mismatch",
            ErrorCode::IdTokenExpired => "id_token_expired",
            ErrorCode::IdTokenIssuedInFuture => "id_token_issued_in_future",
            ErrorCode::AuthTimeTooOld => "auth_time_too_old",
            ErrorCode::PkceUnsupported => "pkce_unsupported",
            ErrorCode::MissingEndpoint => "missing_endpoint",
        }
    }

    /// Every code, for documentation and tests.
    pub const ALL: [ErrorCode; 30] = [
        ErrorCode::InvalidConfig,
        ErrorCode::InvalidVerifier,
        ErrorCode::StateMismatch,
        ErrorCode::MissingState,
        ErrorCode::IssuerMismatch,
        ErrorCode::MissingIssuer,
        ErrorCode::MissingCode,
        ErrorCode::DuplicateParameter,
        ErrorCode::NoPendingAuthorization,
        ErrorCode::PendingExpired,
        ErrorCode::InvalidPending,
        ErrorCode::InvalidResponse,
        ErrorCode::NetworkError,
        ErrorCode::Timeout,
        ErrorCode::StorageUnavailable,
        ErrorCode::UnsupportedEnvironment,
        ErrorCode::RandomUnavailable,
        ErrorCode::InvalidIdToken,
        ErrorCode::MissingIdToken,
        ErrorCode::UnsupportedAlgorithm,
        ErrorCode::IdTokenSignature,
        ErrorCode::KeyNotFound,
        ErrorCode::AudienceMismatch,
        ErrorCode::NonceMismatch,
        ErrorCode::SubjectMismatch,
        ErrorCode::IdTokenExpired,
        ErrorCode::IdTokenIssuedInFuture,
        ErrorCode::AuthTimeTooOld,
        ErrorCode::PkceUnsupported,
        ErrorCode::MissingEndpoint,
    ];
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
            Error::Client { code, .. } => match code {
                ErrorCode::InvalidConfig => "invalid client configuration",
                ErrorCode::InvalidVerifier => {
                    "the code verifier must be 43-128 unreserved characters"
                }
                ErrorCode::StateMismatch => {
                    "the callback state does not match the pending authorization"
                }
                ErrorCode::MissingState => "the callback has no state",
                ErrorCode::IssuerMismatch => "the issuer does not match the expected issuer",
                ErrorCode::MissingIssuer => "the callback has no iss parameter but one is required",
                ErrorCode::MissingCode => "the callback has no authorization code",
                ErrorCode::DuplicateParameter => "the callback repeats a parameter",
                ErrorCode::NoPendingAuthorization => {
                    "no pending authorization matches this callback"
                }
                ErrorCode::PendingExpired => "the pending authorization has expired",
                ErrorCode::InvalidPending => {
                    "the pending authorization is malformed or belongs to another client"
                }
                ErrorCode::InvalidResponse => "the server response is invalid",
                ErrorCode::NetworkError => "the request to the server failed",
                ErrorCode::Timeout => "the server did not answer in time",
                ErrorCode::StorageUnavailable => "the chosen storage is unavailable",
                ErrorCode::UnsupportedEnvironment => "this method needs a browser window",
                ErrorCode::RandomUnavailable => "the platform random number generator failed",
                ErrorCode::InvalidIdToken => "the ID token is malformed or lacks a required claim",
                ErrorCode::MissingIdToken => "the token response has no ID token",
                ErrorCode::UnsupportedAlgorithm => "the ID token algorithm is not allowed",
                ErrorCode::IdTokenSignature => "the ID token signature is invalid",
                ErrorCode::KeyNotFound => "no provider key matches the ID token",
                ErrorCode::AudienceMismatch => "the ID token audience does not match this client",
                ErrorCode::NonceMismatch => "the ID token nonce does not match",
                ErrorCode::SubjectMismatch => "the subject does not match the ID token",
                ErrorCode::IdTokenExpired => "the ID token has expired",
                ErrorCode::IdTokenIssuedInFuture => "the ID token was issued in the future",
                ErrorCode::AuthTimeTooOld => "the authentication is older than max_age",
                ErrorCode::PkceUnsupported => "the provider does not support PKCE with S256",
                ErrorCode::MissingEndpoint => "the provider has no endpoint for this operation",
            },
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
