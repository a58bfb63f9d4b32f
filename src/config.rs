//! Client configuration and its validation (the only place `invalid_config` comes from).

use alloc::string::String;
use alloc::vec::Vec;

use crate::encoding::{has_byte, split_byte};
use crate::error::{Error, ErrorCode};
use crate::types::ClientSecret;

/// Default token endpoint timeout, body included.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// Default clock tolerance for ID token `exp`, `iat` and `auth_time` checks.
pub const DEFAULT_CLOCK_TOLERANCE_SECONDS: u64 = 60;
/// Default time to live of a pending authorization.
pub const DEFAULT_PENDING_TTL_SECONDS: u64 = 600;

/// Authorization parameters that only the client sets; extra parameters may not name them.
pub const RESERVED_AUTHORIZATION_PARAMS: [&str; 9] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "dpop_jkt",
];

/// Token request parameters that only the client sets; `extra_token_params` may not name them.
pub const RESERVED_TOKEN_PARAMS: [&str; 9] = [
    "grant_type",
    "code",
    "code_verifier",
    "redirect_uri",
    "refresh_token",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];

/// How the client authenticates at the token endpoint (the same on every request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// A public client: `client_id` in the body.
    None,
    /// `Authorization: Basic` with the form-encoded id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic(ClientSecret),
    /// `client_id` and `client_secret` in the body.
    ClientSecretPost(ClientSecret),
    /// RFC 7523 `private_key_jwt`: a client assertion signed with a private key the driver holds
    /// (a non-extractable WebCrypto `CryptoKey`; it never enters the wasm), made fresh for every request
    /// (the `oidc` feature).
    #[cfg(feature = "oidc")]
    PrivateKeyJwt(ClientKey),
}

/// What the engine knows of a `private_key_jwt` client's key: its algorithm and key id (the key itself
/// stays with the driver).
#[cfg(feature = "oidc")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientKey {
    /// The JWS algorithm the key signs with.
    pub alg: crate::alg::Alg,
    /// The `kid` of the key at the authorization server, sent in the assertion's header.
    pub kid: Option<String>,
}

impl ClientAuth {
    /// The registered method name (`none`, `client_secret_basic`, `client_secret_post`).
    pub fn method(&self) -> &'static str {
        match self {
            ClientAuth::None => "none",
            ClientAuth::ClientSecretBasic(_) => "client_secret_basic",
            ClientAuth::ClientSecretPost(_) => "client_secret_post",
            #[cfg(feature = "oidc")]
            ClientAuth::PrivateKeyJwt(_) => "private_key_jwt",
        }
    }
}

/// Where the browser conveniences (`OAuthClient::login` and `OAuthClient::handle_redirect_callback` on
/// wasm32, `login()` and `handleCallback()` in JavaScript) keep pending authorizations. The low-level API
/// never uses it: there the caller keeps the [`PendingAuthorization`](crate::PendingAuthorization).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PendingStorage {
    /// `sessionStorage`: this tab only (the default).
    #[default]
    Session,
    /// `localStorage`: every tab of the origin.
    Local,
    /// Not persisted (lost on reload), so only for flows that stay in the page: per wasm instance (shared
    /// by the clients in it), in JavaScript and in Rust.
    Memory,
    /// The origin's IndexedDB (the JavaScript driver; managed sessions only): shared by every tab and
    /// worker of the origin, and consistent across them, which `Local` is not (Chromium hands
    /// `localStorage` writes to other tabs asynchronously, so a tab may read the session another tab
    /// just replaced). The one to use when several tabs refresh one session.
    Shared,
    /// The caller's own store (the JavaScript `session.storage` object: `get`, `set`, `remove`, each
    /// may return a promise). Managed sessions only; the Rust driver has none (`storage_unavailable`).
    Custom,
}

/// A managed session (JavaScript `getAccessToken()`, Rust `OAuthClient::access_token`): the token set
/// kept by the client after the callback, and an access token refreshed shortly before it expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionConfig {
    /// Where the session is kept: [`PendingStorage::Memory`] by default (this page load); `Shared`
    /// (IndexedDB) shares it and its refreshes across the origin's tabs, at the risk of any script of
    /// the origin reading it (as with `Local`, which is not consistent across tabs, see `Shared`).
    pub storage: PendingStorage,
    /// How long before `expires_at` the access token counts as expired and is refreshed.
    pub leeway_seconds: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            storage: PendingStorage::Memory,
            leeway_seconds: DEFAULT_SESSION_LEEWAY_SECONDS,
        }
    }
}

/// The default [`SessionConfig::leeway_seconds`].
pub const DEFAULT_SESSION_LEEWAY_SECONDS: u64 = 30;

impl PendingStorage {
    /// The configuration spelling: `session`, `local` or `memory`.
    pub fn as_str(self) -> &'static str {
        match self {
            PendingStorage::Session => "session",
            PendingStorage::Local => "local",
            PendingStorage::Memory => "memory",
            PendingStorage::Shared => "shared",
            PendingStorage::Custom => "custom",
        }
    }
}

/// The configuration of an [`OAuthClient`](crate::OAuthClient). Build it with [`ClientConfig::new`] and the
/// public fields; [`OAuthClient::new`](crate::OAuthClient::new) validates it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The client identifier.
    pub client_id: String,
    /// The authorization endpoint; its own query is kept.
    pub authorization_endpoint: String,
    /// The token endpoint.
    pub token_endpoint: String,
    /// The exact registered redirect URI (no fragment).
    pub redirect_uri: String,
    /// The default scope, replaced by a per-call scope.
    pub scope: Option<String>,
    /// The issuer identifier; enables the RFC 9207 `iss` check.
    pub issuer: Option<String>,
    /// Reject callbacks without `iss` (needs `issuer`).
    pub require_iss: bool,
    /// Client authentication at the token endpoint.
    pub client_auth: ClientAuth,
    /// Added to every authorization URL (a name may repeat, e.g. several `resource`).
    pub extra_authorization_params: Vec<(String, String)>,
    /// Added to every token request.
    pub extra_token_params: Vec<(String, String)>,
    /// Token endpoint timeout in milliseconds, body included.
    pub timeout_ms: u32,
    /// How long a pending authorization stays valid.
    pub pending_ttl_seconds: u64,
    /// Where the browser conveniences keep pending authorizations.
    pub storage: PendingStorage,
    /// The provider's JWKS (`jwks_uri`). With it (it needs `issuer`) the client is an OpenID Connect
    /// client: ID tokens are verified on every code exchange and refresh, and an `openid` authorization
    /// must return one. Without it, `id_token` is passed through unverified.
    pub jwks_uri: Option<String>,
    /// The OpenID `userinfo_endpoint`.
    pub userinfo_endpoint: Option<String>,
    /// The RP-initiated logout `end_session_endpoint`.
    pub end_session_endpoint: Option<String>,
    /// The RFC 7009 `revocation_endpoint`.
    pub revocation_endpoint: Option<String>,
    /// Leeway for the ID token's `exp`, `iat` and `auth_time`, in seconds.
    pub clock_tolerance_seconds: u64,
    /// A managed session, when the client keeps one.
    pub session: Option<SessionConfig>,
    /// The RFC 9126 `pushed_authorization_request_endpoint`, on the token endpoint's origin. With it,
    /// every authorization is pushed there first (with the client's authentication) and the browser goes
    /// to the authorization endpoint with only `client_id` and `request_uri`.
    pub pushed_authorization_request_endpoint: Option<String>,
    /// Authorizations must be pushed (the provider's `require_pushed_authorization_requests`, or your
    /// choice): one without the endpoint is `invalid_config`. A discovery takes the provider's endpoint
    /// when its document or this flag requires pushing.
    pub require_pushed_authorization_requests: bool,
    /// RFC 9449 DPoP: the public half of the key pair that binds this client's tokens (the driver holds
    /// the private key). Every token request then carries a proof, the authorization request its
    /// `dpop_jkt`, and the token response must be of `token_type` `DPoP` (the `oidc` feature).
    #[cfg(feature = "oidc")]
    pub dpop: Option<DpopKey>,
    /// With `dpop`: accept a token response of `token_type` `Bearer` too (a server that does not do DPoP
    /// ignores the proof, RFC 9449 §5); such tokens are then used as Bearer tokens. Off by default: an
    /// unbound answer to a proof is `invalid_response`.
    #[cfg(feature = "oidc")]
    pub dpop_accept_bearer: bool,
}

/// The public key of a DPoP key pair: its algorithm and its public JWK members (`kty` included).
#[cfg(feature = "oidc")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpopKey {
    /// The JWS algorithm the private key signs with.
    pub alg: crate::alg::Alg,
    /// The public JWK's members (`kty`, and `crv`, `x`, `y` / `n`, `e` / `crv`, `x`).
    pub jwk: Vec<(String, String)>,
}

#[cfg(feature = "oidc")]
impl DpopKey {
    /// The members RFC 7638 hashes for this key type, in order.
    fn required(&self) -> &'static [&'static str] {
        match self.alg.key_type() {
            "EC" => &["crv", "kty", "x", "y"],
            "RSA" => &["e", "kty", "n"],
            _ => &["crv", "kty", "x"],
        }
    }

    fn member(&self, name: &str) -> Option<&str> {
        self.jwk
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the JWK has every required member, non-empty, and the algorithm's key type.
    pub(crate) fn valid(&self) -> bool {
        self.member("kty") == Some(self.alg.key_type())
            && self
                .required()
                .iter()
                .all(|m| self.member(m).is_some_and(|v| !v.is_empty()))
            && (self.alg != crate::alg::Alg::Es256 || self.member("crv") == Some("P-256"))
    }

    /// The public JWK with only its required members, as JSON (members in RFC 7638 order: this is also
    /// the thumbprint's input).
    pub fn public_jwk(&self) -> String {
        let mut o = crate::json::ObjectWriter::new();
        for m in self.required() {
            o.str(m, self.member(m).unwrap_or_default());
        }
        o.finish()
    }

    /// The RFC 7638 JWK SHA-256 thumbprint (base64url): the `dpop_jkt` and the tokens' `cnf.jkt`.
    pub fn thumbprint(&self) -> String {
        use sha2::Digest;
        crate::encoding::base64url(&sha2::Sha256::digest(self.public_jwk().as_bytes()))
    }
}

impl ClientConfig {
    /// A public client (`none` authentication) with default options.
    pub fn new(
        client_id: impl Into<String>,
        authorization_endpoint: impl Into<String>,
        token_endpoint: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        ClientConfig {
            client_id: client_id.into(),
            authorization_endpoint: authorization_endpoint.into(),
            token_endpoint: token_endpoint.into(),
            redirect_uri: redirect_uri.into(),
            scope: None,
            issuer: None,
            require_iss: false,
            client_auth: ClientAuth::None,
            extra_authorization_params: Vec::new(),
            extra_token_params: Vec::new(),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            pending_ttl_seconds: DEFAULT_PENDING_TTL_SECONDS,
            storage: PendingStorage::Session,
            jwks_uri: None,
            userinfo_endpoint: None,
            end_session_endpoint: None,
            revocation_endpoint: None,
            clock_tolerance_seconds: DEFAULT_CLOCK_TOLERANCE_SECONDS,
            session: None,
            pushed_authorization_request_endpoint: None,
            require_pushed_authorization_requests: false,
            #[cfg(feature = "oidc")]
            dpop: None,
            #[cfg(feature = "oidc")]
            dpop_accept_bearer: false,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        let bad = Error::client(ErrorCode::InvalidConfig);
        let secret_ok = match &self.client_auth {
            ClientAuth::None => true,
            ClientAuth::ClientSecretBasic(s) | ClientAuth::ClientSecretPost(s) => {
                !s.secret().is_empty()
            }
            #[cfg(feature = "oidc")]
            ClientAuth::PrivateKeyJwt(k) => k.kid.as_deref().is_none_or(|kid| !kid.is_empty()),
        };
        let ok = !self.client_id.is_empty()
            && secret_ok
            && check_url(&self.authorization_endpoint, UrlKind::Endpoint)
            && check_url(&self.token_endpoint, UrlKind::Endpoint)
            && check_url(&self.redirect_uri, UrlKind::RedirectUri)
            && self
                .issuer
                .as_deref()
                .is_none_or(|i| check_url(i, UrlKind::Issuer))
            && (!self.require_iss || self.issuer.is_some())
            && (self.jwks_uri.is_none() || self.issuer.is_some())
            && [
                &self.jwks_uri,
                &self.userinfo_endpoint,
                &self.end_session_endpoint,
                &self.revocation_endpoint,
            ]
            .iter()
            .all(|u| u.as_deref().is_none_or(|u| check_url(u, UrlKind::Endpoint)))
            && self
                .pushed_authorization_request_endpoint
                .as_deref()
                .is_none_or(|u| {
                    check_url(u, UrlKind::Endpoint) && same_origin(u, &self.token_endpoint)
                })
            && self.dpop_ok()
            && self.timeout_ms > 0
            && self.pending_ttl_seconds > 0
            && !matches!(
                self.storage,
                PendingStorage::Custom | PendingStorage::Shared
            )
            && check_extra(
                &self.extra_authorization_params,
                &RESERVED_AUTHORIZATION_PARAMS,
            )
            && check_extra(&self.extra_token_params, &RESERVED_TOKEN_PARAMS);
        if ok {
            Ok(())
        } else {
            Err(bad)
        }
    }
}

impl ClientConfig {
    #[cfg(feature = "oidc")]
    fn dpop_ok(&self) -> bool {
        self.dpop.as_ref().is_none_or(DpopKey::valid)
    }

    #[cfg(not(feature = "oidc"))]
    fn dpop_ok(&self) -> bool {
        true
    }
}

/// `scheme://authority` of a URL that passed [`check_url`] (lower-cased comparison).
pub(crate) fn origin(url: &str) -> &str {
    let b = url.as_bytes();
    let after = b.iter().position(|&c| c == b':').map_or(0, |i| i + 3);
    let end = b
        .iter()
        .skip(after)
        .position(|&c| c == b'/' || c == b'?')
        .map_or(b.len(), |i| i + after);
    url.get(..end).unwrap_or_default()
}

/// Whether two URLs that passed [`check_url`] have the same origin.
pub(crate) fn same_origin(a: &str, b: &str) -> bool {
    origin(a).eq_ignore_ascii_case(origin(b))
}

/// Extra parameters need a non-empty name that is not reserved.
pub(crate) fn check_extra(params: &[(String, String)], reserved: &[&str]) -> bool {
    params
        .iter()
        .all(|(name, _)| !name.is_empty() && !reserved.contains(&name.as_str()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlKind {
    /// Authorization or token endpoint: a query is allowed.
    Endpoint,
    /// The redirect URI: a query is allowed.
    RedirectUri,
    /// An issuer identifier: no query (RFC 8414 §2).
    Issuer,
}

/// An absolute `https:` URL (or `http:` on a loopback host), ASCII without spaces or controls, with a host,
/// no userinfo and no fragment (RFC 6749 §3.1, §3.1.2).
pub(crate) fn check_url(url: &str, kind: UrlKind) -> bool {
    if url
        .bytes()
        .any(|b| b <= b' ' || b >= 0x7f || matches!(b, b'#' | b'\\' | b'<' | b'>' | b'"'))
    {
        return false;
    }
    let lower_starts = |p: &str| {
        url.get(..p.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(p))
    };
    let (https, rest) = if lower_starts("https://") {
        (true, url.get(8..).unwrap_or_default())
    } else if lower_starts("http://") {
        (false, url.get(7..).unwrap_or_default())
    } else {
        return false;
    };
    let authority_end = rest
        .bytes()
        .position(|b| b == b'/' || b == b'?')
        .unwrap_or(rest.len());
    let (authority, tail) = (
        rest.get(..authority_end).unwrap_or_default(),
        rest.get(authority_end..).unwrap_or_default(),
    );
    if has_byte(authority, b'@') || (kind == UrlKind::Issuer && has_byte(tail, b'?')) {
        return false;
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match split_byte(v6, b']') {
            Some((h, p))
                if !h.is_empty()
                    && h.bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') =>
            {
                (authority.get(..h.len() + 2).unwrap_or_default(), p)
            }
            _ => return false,
        }
    } else {
        match split_byte(authority, b':') {
            Some((h, p)) => (h, authority.get(h.len()..).unwrap_or(p)),
            None => (authority, ""),
        }
    };
    let port_ok = match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(digits) => {
            digits.is_empty()
                || (digits.len() <= 5
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && crate::json::parse_uint(digits.as_bytes()).is_some_and(|n| n <= 65535))
        }
    };
    let host_ok = !host.is_empty()
        && (host.starts_with('[')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'%')));
    port_ok && host_ok && (https || is_loopback(host))
}

/// `localhost`, `127.0.0.1` and `[::1]`, the loopback hosts where `http:` is allowed.
pub(crate) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "[::1]"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_rules() {
        use UrlKind::*;
        for ok in [
            "https://idp.example/authorize",
            "https://idp.example",
            "HTTPS://IDP.example:8443/a?b=c&d",
            "http://127.0.0.1:3000/cb",
            "http://localhost/cb",
            "http://[::1]:8080/cb",
            "https://[2001:db8::1]/x",
            "https://idp.example/oauth2/authorize?tenant=x",
            "https://idp.example:65535/",
            "https://idp.example:/",
        ] {
            assert!(check_url(ok, Endpoint), "{ok} should pass");
        }
        for bad in [
            "",
            "idp.example/authorize",
            "/authorize",
            "ftp://idp.example",
            "javascript:alert(1)",
            "http://idp.example/authorize",
            "http://127.0.0.2/cb",
            "http://localhost.evil.example/cb",
            "https://user:pw@idp.example/",
            "https://idp.example/cb#frag",
            "https://idp.example/cb#",
            "https:///path",
            "https://idp.example:99999/",
            "https://idp.example:65536/",
            "https://idp.example:123456/",
            "https://idp.example:8x/",
            "https://idp example/",
            "https://idp.example/\u{e9}",
            "https://[::1/",
            " https://idp.example/",
        ] {
            assert!(!check_url(bad, Endpoint), "{bad:?} should fail");
        }
        assert!(check_url("https://idp.example/tenant", Issuer));
        assert!(!check_url("https://idp.example/?x=1", Issuer));
    }

    #[test]
    fn config_validation() {
        let good = ClientConfig::new(
            "spa",
            "https://idp.example/authorize",
            "https://idp.example/token",
            "https://app.example/cb",
        );
        assert!(good.validate().is_ok());
        let mut c = good.clone();
        c.client_id = String::new();
        assert!(c.validate().is_err());
        let mut c = good.clone();
        c.require_iss = true;
        assert!(c.validate().is_err(), "requireIss without issuer");
        let mut c = good.clone();
        c.extra_authorization_params
            .push((String::from("state"), String::from("x")));
        assert!(c.validate().is_err());
        let mut c = good.clone();
        c.extra_token_params
            .push((String::from("code_verifier"), String::from("x")));
        assert!(c.validate().is_err());
        let mut c = good.clone();
        c.client_auth = ClientAuth::ClientSecretBasic(ClientSecret::new(""));
        assert!(c.validate().is_err());
        let mut c = good;
        c.redirect_uri = String::from("https://app.example/cb#x");
        assert_eq!(
            c.validate().err().and_then(|e| e.client_code()),
            Some(ErrorCode::InvalidConfig)
        );
    }
}
