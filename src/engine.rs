//! The decision engine: every managed flow (sign-in with the pending authorization kept in storage, the
//! callback, the code exchange, refresh, discovery, userinfo, revocation) as a state machine that asks
//! its driver for one piece of I/O at a time ([`Step`]) and is resumed with what came back ([`Input`]).
//!
//! The drivers (`npm/client.js` for the npm package, `src/io/` for Rust apps on wasm32, or your own,
//! e.g. on a native HTTP client) decide nothing: they send the request exactly as described, read the
//! storage entries asked for, call WebCrypto, move the window, and report failures by kind. Everything
//! else is decided here, once: which requests, in which order, with which headers, timeout and body cap;
//! what a response means; when the JWKS is refetched; which storage entries are stale; what an
//! unmatched `state` means; what the address bar keeps.
//!
//! ```
//! use pkce_wasm::engine::{Flow, Input, Step};
//! # use pkce_wasm::{ClientConfig, OAuthClient, HttpResponse};
//! # fn main() -> Result<(), pkce_wasm::Error> {
//! # let client = OAuthClient::new(ClientConfig::new("spa", "https://idp.example/authorize",
//! #     "https://idp.example/token", "https://app.example/cb"))?;
//! let mut jwks = None; // the client's JWKS cache, kept by the driver between flows
//! let (mut flow, mut step) = Flow::refresh(&client, "rt", None, None, None, 1_700_000_000)?;
//! let tokens = loop {
//!     let input = match step {
//!         Step::Fetch(request) => {
//!             assert_eq!(request.url, "https://idp.example/token");
//!             // Send `request` with your HTTP client; here, a canned answer.
//!             Input::Response(HttpResponse {
//!                 status: 200,
//!                 content_type: Some("application/json".into()),
//!                 body: br#"{"access_token":"at","token_type":"Bearer"}"#.to_vec(),
//!                 too_large: false,
//!                 dpop_nonce: None,
//!                 www_authenticate: None,
//!             })
//!         }
//!         Step::Done(output) => break output,
//!         _ => unreachable!("a refresh without OpenID Connect only fetches"),
//!     };
//!     step = flow.resume(&client, &mut jwks, 1_700_000_000, input)?;
//! };
//! # let _ = tokens;
//! # Ok(())
//! # }
//! ```

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::callback::{callback_state, strip_callback_params};
use crate::http::{HttpRequest, HttpResponse, Redacted};
use crate::token::{TokenRequest, DEFAULT_MAX_BODY_BYTES};
use crate::types::{IdTokenClaims, Nonce};
#[cfg(feature = "oidc")]
use crate::{
    oidc::{discovery_urls, parse_discovery, parse_jws, select_key, Jws},
    Alg, PublicJwk,
};
use crate::{
    AuthorizationCode, AuthorizationOptions, Error, ErrorCode, IdToken, OAuthClient,
    PendingAuthorization, PendingStorage, RefreshToken, TokenSet,
};

/// The prefix of the storage key of a managed session: `pkce-wasm:session:<client id>`.
pub const SESSION_KEY_PREFIX: &str = "pkce-wasm:session:";

/// The prefix of the storage keys of pending authorizations: `pkce-wasm:pending:<client id>:<state>`
/// (the npm package and the Rust API share them, so a page may start with one and finish with the other).
pub const PENDING_KEY_PREFIX: &str = "pkce-wasm:pending:";

/// How long a `private_key_jwt` client assertion is valid, in seconds (RFC 7523 wants it short; at most
/// five minutes here).
#[cfg(feature = "oidc")]
pub const ASSERTION_LIFETIME_SECONDS: u64 = 60;

/// What the engine asks its driver to do next. Its `Debug` never shows a secret: stored values and
/// signing inputs appear by their length.
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // one value per step, moved once: boxing would only add allocations
pub enum Step {
    /// Send this request (see [`HttpRequest`] for how); answer [`Input::Response`], or
    /// [`Input::Failed`] with `network_error`, `timeout` (the timeout fired) or `unsupported_environment`
    /// (the host cannot send it).
    Fetch(HttpRequest),
    /// Verify a signature with WebCrypto: import the key (`importKey("jwk", ..., extractable false,
    /// ["verify"])`) and `verify`; answer [`Input::Verified`] (`false` when either throws), or
    /// `unsupported_environment` without WebCrypto.
    #[cfg(feature = "oidc")]
    Verify(Verification),
    /// Sign `data` with the client's private key (`private_key_jwt`) through WebCrypto:
    /// `crypto.subtle.sign(alg's parameters, key, data)`; answer [`Input::Signed`] with the signature,
    /// or `invalid_config` when the key cannot sign (missing, public, of another algorithm: WebCrypto
    /// refused), `unsupported_environment` without WebCrypto.
    #[cfg(feature = "oidc")]
    Sign(Signing),
    /// Read the entries of `storage` whose keys start with `prefix`; answer [`Input::Entries`], or
    /// `storage_unavailable`.
    List {
        /// The storage.
        storage: PendingStorage,
        /// The key prefix.
        prefix: String,
    },
    /// Remove these keys of `storage`, in order, then set `set` if given; answer [`Input::Ok`], or
    /// `storage_unavailable` (at the first operation that fails).
    Store {
        /// The storage.
        storage: PendingStorage,
        /// The keys to remove.
        remove: Vec<String>,
        /// A key and value to set.
        set: Option<(String, String)>,
    },
    /// Read the entry `key` of `storage`; answer [`Input::Entries`] with it (none when absent), or
    /// `storage_unavailable`.
    Read {
        /// The storage.
        storage: PendingStorage,
        /// The key.
        key: String,
    },
    /// Take the lock `name`, shared by the origin's tabs (the Web Locks API), waiting at most
    /// `timeout_ms`; answer [`Input::Ok`] once held (also where the host has no such locks: then the
    /// driver's own single-flight is all there is), or `timeout`. Held until [`Step::Unlock`].
    Lock {
        /// The lock's name.
        name: String,
        /// The longest wait.
        timeout_ms: u32,
    },
    /// Release the lock of this flow's [`Step::Lock`]; answer [`Input::Ok`].
    Unlock,
    /// Tell the application (the client's event listeners); with `broadcast`, also this client in the
    /// origin's other tabs (a `BroadcastChannel` named by [`OAuthClient::channel`]), which answer with
    /// [`Flow::forget`]. Answer [`Input::Ok`].
    Emit {
        /// What happened.
        event: Event,
        /// Whether the other tabs hear it too.
        broadcast: bool,
    },
    /// Replace the current history entry's URL with this one (`history.replaceState`, keeping its
    /// state); answer [`Input::Ok`], or `unsupported_environment`.
    Replace(String),
    /// Send the window to this URL (`location.assign`); answer [`Input::Ok`], or
    /// `unsupported_environment`.
    Navigate(String),
    /// The flow is finished.
    Done(Output),
}

/// What a managed session tells the application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A sign-in completed and its session is kept.
    SignedIn,
    /// The access token was refreshed.
    Refreshed,
    /// A refresh failed (the session is kept, unless the grant is gone: then [`Event::SignedOut`]
    /// follows).
    RefreshFailed,
    /// The session ended (sign-out, or a grant the server no longer honours).
    SignedOut,
}

impl Event {
    /// The event's name (JavaScript: the `type` of the event the client dispatches).
    pub fn as_str(self) -> &'static str {
        match self {
            Event::SignedIn => "signedin",
            Event::Refreshed => "refreshed",
            Event::RefreshFailed => "refreshfailed",
            Event::SignedOut => "signedout",
        }
    }
}

/// A signature to verify through WebCrypto. Its `Debug` shows the signed data by its length (it is an ID
/// token without its signature).
#[cfg(feature = "oidc")]
pub struct Verification {
    /// The key, as the members of a JWK (`kty` and the public members).
    pub key: PublicJwk,
    /// The algorithm (see [`Alg`] for WebCrypto's parameters).
    pub alg: Alg,
    /// The signature bytes.
    pub signature: Vec<u8>,
    /// The signed data (the JWS signing input).
    pub data: String,
}

/// Data to sign with one of the client's keys (see [`Step::Sign`]). Its `Debug` shows the data by its
/// length (a client assertion or a proof, once signed).
#[cfg(feature = "oidc")]
pub struct Signing {
    /// The algorithm (see [`Alg`] for WebCrypto's parameters).
    pub alg: Alg,
    /// The JWS signing input (`header.payload`, base64url).
    pub data: String,
    /// Which key signs.
    pub key: SigningKey,
}

/// The keys a driver signs with; both stay with the driver.
#[cfg(feature = "oidc")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningKey {
    /// The `private_key_jwt` client key (client assertions).
    Client,
    /// The DPoP key (RFC 9449 proofs).
    Dpop,
}

#[cfg(feature = "oidc")]
impl SigningKey {
    /// The key's name in the npm package's steps.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningKey::Client => "client",
            SigningKey::Dpop => "dpop",
        }
    }
}

/// The prefix of the (memory) storage keys of the DPoP nonces servers gave, per origin.
#[cfg(feature = "oidc")]
pub const DPOP_NONCE_KEY_PREFIX: &str = "pkce-wasm:dpop-nonce:";

/// A request being completed with a client assertion and a DPoP proof, then sent (and sent once more
/// with a server's fresh DPoP nonce when it asks for one).
#[cfg(feature = "oidc")]
#[derive(Debug)]
struct Sending {
    /// The request as built, before any assertion or proof (what a retry starts from).
    base: HttpRequest,
    request: HttpRequest,
    /// A resource request's access token (its hash is the proof's `ath`).
    access_token: Option<crate::AccessToken>,
    asserted: bool,
    nonce: Option<String>,
    retried: bool,
    stage: SendStage,
    next: State,
}

#[cfg(feature = "oidc")]
#[derive(Debug)]
enum SendStage {
    Nonce,
    Assertion(String),
    Proof(String),
    Sent,
    /// The server's new nonce is being kept; then a retry, or the response goes on.
    Remembering(Option<HttpResponse>),
}

/// What the driver hands back. Its `Debug` shows stored values and response bodies by their length.
#[non_exhaustive]
pub enum Input {
    /// The answer to a [`Step::Fetch`].
    Response(HttpResponse),
    /// The I/O failed: its kind (`network_error`, `timeout`, `unsupported_environment`,
    /// `storage_unavailable`).
    Failed(ErrorCode),
    /// Whether a [`Step::Verify`] signature verified.
    Verified(bool),
    /// The signature a [`Step::Sign`] made.
    Signed(Vec<u8>),
    /// The entries a [`Step::List`] found, keys and values.
    Entries(Vec<(String, String)>),
    /// A [`Step::Store`], [`Step::Replace`] or [`Step::Navigate`] was done.
    Ok,
}

/// What a finished flow produced. Its `Debug` shows a DPoP proof by its length (the tokens and the
/// pending authorization redact their secrets themselves).
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // one value per flow
pub enum Output {
    /// A validated token set (code exchange, callback, refresh).
    Tokens(TokenSet),
    /// The client built from a discovery document.
    Client(Box<OAuthClient>),
    /// The userinfo response's JSON text.
    Userinfo(String),
    /// A started authorization (pushed first where configured), for the caller to keep.
    Pending(Box<PendingAuthorization>),
    /// A DPoP proof for a resource request (the `DPoP` header's value).
    #[cfg(feature = "oidc")]
    Proof(String),
    /// The client an MCP discovery made for the server's authorization server.
    #[cfg(feature = "mcp")]
    Mcp(Box<crate::mcp::McpAuthorization>),
    /// Done, with nothing to return (revocation, sign-in's navigation).
    Unit,
}

/// A flow under way. Create one with a constructor, which also returns its first [`Step`], and feed
/// each step's outcome to [`Flow::resume`] with the same client, until a [`Step::Done`] or an error.
/// Its `Debug` is opaque (what it holds is the callback's code, the pending verifier, the tokens).
pub struct Flow(State, Guard);

impl fmt::Debug for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Flow { .. }")
    }
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entry =
            |e: &Option<(String, String)>| e.as_ref().map(|(k, v)| (k.clone(), Redacted(v.len())));
        match self {
            Step::Fetch(r) => f.debug_tuple("Fetch").field(r).finish(),
            #[cfg(feature = "oidc")]
            Step::Verify(v) => f.debug_tuple("Verify").field(v).finish(),
            #[cfg(feature = "oidc")]
            Step::Sign(s) => f.debug_tuple("Sign").field(s).finish(),
            Step::List { storage, prefix } => f
                .debug_struct("List")
                .field("storage", storage)
                .field("prefix", prefix)
                .finish(),
            Step::Store {
                storage,
                remove,
                set,
            } => f
                .debug_struct("Store")
                .field("storage", storage)
                .field("remove", remove)
                .field("set", &entry(set))
                .finish(),
            Step::Read { storage, key } => f
                .debug_struct("Read")
                .field("storage", storage)
                .field("key", key)
                .finish(),
            Step::Lock { name, timeout_ms } => f
                .debug_struct("Lock")
                .field("name", name)
                .field("timeout_ms", timeout_ms)
                .finish(),
            Step::Unlock => f.write_str("Unlock"),
            Step::Emit { event, broadcast } => f
                .debug_struct("Emit")
                .field("event", event)
                .field("broadcast", broadcast)
                .finish(),
            Step::Replace(url) => f.debug_tuple("Replace").field(url).finish(),
            Step::Navigate(url) => f.debug_tuple("Navigate").field(url).finish(),
            Step::Done(output) => f.debug_tuple("Done").field(output).finish(),
        }
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Output::Tokens(t) => f.debug_tuple("Tokens").field(t).finish(),
            Output::Client(c) => f.debug_tuple("Client").field(c).finish(),
            Output::Userinfo(u) => f.debug_tuple("Userinfo").field(u).finish(),
            Output::Pending(p) => f.debug_tuple("Pending").field(p).finish(),
            #[cfg(feature = "oidc")]
            Output::Proof(p) => f.debug_tuple("Proof").field(&Redacted(p.len())).finish(),
            #[cfg(feature = "mcp")]
            Output::Mcp(a) => f.debug_tuple("Mcp").field(a).finish(),
            Output::Unit => f.write_str("Unit"),
        }
    }
}

#[cfg(feature = "oidc")]
impl fmt::Debug for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verification")
            .field("key", &self.key)
            .field("alg", &self.alg)
            .field("signature", &Redacted(self.signature.len()))
            .field("data", &Redacted(self.data.len()))
            .finish()
    }
}

#[cfg(feature = "oidc")]
impl fmt::Debug for Signing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signing")
            .field("alg", &self.alg)
            .field("data", &Redacted(self.data.len()))
            .field("key", &self.key)
            .finish()
    }
}

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Response(r) => f.debug_tuple("Response").field(r).finish(),
            Input::Failed(code) => f.debug_tuple("Failed").field(code).finish(),
            Input::Verified(ok) => f.debug_tuple("Verified").field(ok).finish(),
            Input::Signed(s) => f.debug_tuple("Signed").field(&s.len()).finish(),
            Input::Entries(entries) => {
                let entries: Vec<_> = entries
                    .iter()
                    .map(|(k, v)| (k, Redacted(v.len())))
                    .collect();
                f.debug_tuple("Entries").field(&entries).finish()
            }
            Input::Ok => f.write_str("Ok"),
        }
    }
}

/// What a flow holds that an error must release first: the session lock (and the session key, for a
/// refresh whose grant is gone).
#[derive(Debug, Default, Clone, Copy)]
struct Guard {
    /// The session lock is held.
    locked: bool,
    /// The session's refresh request went out.
    refreshing: bool,
}

#[derive(Debug)]
enum State {
    Finished,
    /// These steps (in reverse order), whatever each comes to, then this outcome.
    Sequence(Box<(Vec<Step>, Result<Output, Error>)>),
    /// Waiting for the stored session (`locked`: read again under the lock).
    SessionRead {
        locked: bool,
    },
    SessionLocking,
    LogoutRead,
    #[cfg(feature = "oidc")]
    LogoutRevoked,
    Tokens(TokenWait),
    #[cfg(feature = "oidc")]
    Jwks(Box<Signed>),
    #[cfg(feature = "oidc")]
    Signature(Box<Signed>),
    #[cfg(feature = "oidc")]
    Discovery {
        issuer: String,
        urls: [String; 2],
        tried: usize,
    },
    #[cfg(feature = "oidc")]
    Userinfo(String),
    #[cfg(feature = "oidc")]
    Revocation,
    #[cfg(feature = "mcp")]
    Mcp(Box<crate::mcp::McpFlow>),
    /// A request being signed and sent (client assertion, DPoP proof, nonce retry).
    #[cfg(feature = "oidc")]
    Sending(Box<Sending>),
    /// A resource request's DPoP proof, waiting for its origin's nonce (read, or kept when given).
    #[cfg(feature = "oidc")]
    ProofNonce(Box<ResourceProof>),
    /// Waiting for a resource request's DPoP proof signature.
    #[cfg(feature = "oidc")]
    Proof(String),
    /// Waiting for the pushed authorization request's answer (then sign-in goes on, or it is returned).
    Pushing {
        pending: Box<PendingAuthorization>,
        login: bool,
    },
    LoginListed(PendingAuthorization),
    LoginStored {
        key: String,
        url: String,
    },
    LoginNavigated(String),
    LoginUndone,
    CallbackReplaced(Callback),
    CallbackListed {
        href: String,
        state: String,
    },
    CallbackTaken {
        href: String,
        pending: PendingAuthorization,
        stale: Vec<String>,
    },
    CallbackCleaned(Result<(String, PendingAuthorization), Error>),
}

/// The callback page's inputs.
#[derive(Debug)]
struct Callback {
    href: String,
    pending: Option<PendingAuthorization>,
}

/// A resource request's DPoP proof to make.
#[cfg(feature = "oidc")]
#[derive(Debug)]
struct ResourceProof {
    method: String,
    url: String,
    access_token: crate::AccessToken,
    nonce: Option<String>,
}

/// What a token response is checked against.
#[derive(Debug)]
#[cfg_attr(not(feature = "oidc"), allow(dead_code))]
struct TokenWait {
    /// The refresh token sent (kept when the server does not rotate it).
    refresh_token: Option<RefreshToken>,
    nonce: Option<Nonce>,
    max_age: Option<u64>,
    /// The session's ID token and its claims (a refresh).
    kept: Option<(IdToken, Option<IdTokenClaims>)>,
    /// What to do with the tokens: return them, or keep them as the session first (and tell).
    save: Option<Event>,
}

/// A token set whose new ID token's claims passed, waiting for its signature.
#[cfg(feature = "oidc")]
#[derive(Debug)]
struct Signed {
    tokens: TokenSet,
    jws: Jws,
    claims: IdTokenClaims,
    save: Option<Event>,
}

fn fail<T>(code: ErrorCode) -> Result<T, Error> {
    Err(Error::client(code))
}

impl OAuthClient {
    /// A GET or form POST with this client's timeout and the engine's body cap.
    pub(crate) fn http(
        &self,
        url: &str,
        authorization: Option<String>,
        form: Option<String>,
    ) -> HttpRequest {
        HttpRequest {
            url: String::from(url),
            authorization,
            form,
            json: None,
            dpop: None,
            timeout_ms: self.config.timeout_ms,
            max_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    fn post(&self, r: TokenRequest) -> HttpRequest {
        HttpRequest {
            authorization: r.authorization,
            form: Some(r.body),
            ..self.http(&r.url, None, None)
        }
    }

    /// An authenticated request (token, revocation, push), whose answer goes to `state`: sent at once, or
    /// for `private_key_jwt` once the driver has signed a fresh client assertion (RFC 7523: `iss` and
    /// `sub` the client id, `aud` the issuer, else the token endpoint, a random `jti`, `iat` now, `exp` a
    /// minute later, the key's `kid`).
    ///
    /// With DPoP, the request also carries a proof (with the server's last nonce for its origin, kept in
    /// memory storage); an answer `use_dpop_nonce` with a `DPoP-Nonce` is answered with exactly one retry
    /// with that nonce (and a new assertion and proof).
    fn send(&self, state: State, r: TokenRequest, now: u64) -> Result<(Flow, Step), Error> {
        self.dispatch(state, self.post(r), None, now)
    }

    /// `request`, sent as [`OAuthClient::send`] says; a resource request (userinfo) gives its
    /// `access_token`, which its DPoP proof's `ath` hashes.
    #[cfg_attr(not(feature = "oidc"), allow(unused_variables))]
    fn dispatch(
        &self,
        state: State,
        request: HttpRequest,
        access_token: Option<&str>,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        #[cfg(feature = "oidc")]
        {
            let jwt = access_token.is_none()
                && matches!(self.config.client_auth, crate::ClientAuth::PrivateKeyJwt(_));
            if jwt || self.config.dpop.is_some() {
                let s = Box::new(Sending {
                    base: request.clone(),
                    request,
                    access_token: access_token.map(crate::AccessToken::new),
                    asserted: false,
                    nonce: None,
                    retried: false,
                    stage: SendStage::Nonce,
                    next: state,
                });
                if self.config.dpop.is_some() {
                    let step = self.nonce_step(&s.request.url, None);
                    return then(State::Sending(s), step);
                }
                return s.proceed(self, now);
            }
        }
        then(state, Step::Fetch(request))
    }

    /// The step that reads the DPoP nonce kept for `url`'s origin (in memory storage), or with `keep`
    /// keeps that one for it.
    #[cfg(feature = "oidc")]
    fn nonce_step(&self, url: &str, keep: Option<String>) -> Step {
        let mut key = String::from(DPOP_NONCE_KEY_PREFIX);
        key.push_str(crate::config::origin(url));
        let storage = PendingStorage::Memory;
        match keep {
            Some(nonce) => Step::Store {
                storage,
                remove: Vec::new(),
                set: Some((key, nonce)),
            },
            None => Step::Read { storage, key },
        }
    }

    /// The signing input of a DPoP proof (RFC 9449 §4.2) for `method` `url`: header `typ` `dpop+jwt`,
    /// `alg` and the public `jwk`; claims a random `jti`, `htm`, `htu` (without query and fragment),
    /// `iat`, and the `nonce` and `ath` (the access token's SHA-256) where given. With the step that
    /// signs it.
    #[cfg(feature = "oidc")]
    fn proof_input(
        &self,
        method: &str,
        url: &str,
        nonce: Option<&str>,
        access_token: Option<&str>,
        now: u64,
    ) -> Result<(String, Step), Error> {
        use sha2::Digest;
        let key = self
            .config
            .dpop
            .as_ref()
            .ok_or(Error::client(ErrorCode::InvalidConfig))?;
        let end = url
            .bytes()
            .position(|b| b == b'?' || b == b'#')
            .unwrap_or(url.len());
        let mut header = crate::json::ObjectWriter::new();
        header
            .str("typ", "dpop+jwt")
            .str("alg", key.alg.name())
            .raw("jwk", &key.public_jwk());
        let ath =
            access_token.map(|t| crate::encoding::base64url(&sha2::Sha256::digest(t.as_bytes())));
        let mut claims = crate::json::ObjectWriter::new();
        claims
            .str("jti", &crate::pkce::random_token()?)
            .str("htm", method)
            .str("htu", url.get(..end).unwrap_or(url))
            .uint("iat", now)
            .opt_str("nonce", nonce)
            .opt_str("ath", ath.as_deref());
        let data = jws_input(header, claims);
        let step = Step::Sign(Signing {
            alg: key.alg,
            data: data.clone(),
            key: SigningKey::Dpop,
        });
        Ok((data, step))
    }

    /// The signing input of a client assertion (see [`OAuthClient::send`]).
    #[cfg(feature = "oidc")]
    fn assertion_input(&self, key: &crate::ClientKey, now: u64) -> Result<String, Error> {
        let c = &self.config;
        let mut header = crate::json::ObjectWriter::new();
        header
            .str("alg", key.alg.name())
            .str("typ", "JWT")
            .opt_str("kid", key.kid.as_deref());
        let mut claims = crate::json::ObjectWriter::new();
        claims
            .str("iss", &c.client_id)
            .str("sub", &c.client_id)
            .str("aud", c.issuer.as_deref().unwrap_or(&c.token_endpoint))
            .str("jti", &crate::pkce::random_token()?)
            .uint("iat", now)
            .uint("exp", now.saturating_add(ASSERTION_LIFETIME_SECONDS));
        Ok(jws_input(header, claims))
    }

    /// The key under which sign-in keeps the pending authorization of `state`.
    pub fn pending_key(&self, state: &str) -> String {
        let mut key = String::from(PENDING_KEY_PREFIX);
        key.push_str(&self.config.client_id);
        key.push(':');
        key.push_str(state);
        key
    }

    /// What single-flight refresh shares one request by: concurrent refreshes with the same key (this
    /// token endpoint, client id and refresh token) must get the first one's outcome, never a second
    /// request (A5.3: with rotation and reuse detection, presenting a refresh token twice revokes the
    /// grant). The drivers share per wasm instance.
    pub fn flight_key(&self, refresh_token: &str) -> String {
        let c = &self.config;
        let mut key = String::new();
        for part in [&c.token_endpoint, &c.client_id, refresh_token] {
            key.push_str(part);
            key.push('\n');
        }
        key
    }

    /// Where a driver that keeps signing keys for several clients (the Rust API's, per wasm instance)
    /// keeps this client's `key`: per client id and token endpoint, and a DPoP key also per its public
    /// key (the proofs carry that one, so two clients with other DPoP keys never share a private key).
    #[cfg(feature = "oidc")]
    pub fn key_slot(&self, key: SigningKey) -> String {
        let mut slot = String::from(key.as_str());
        slot.push('\n');
        slot.push_str(&self.flight_key(""));
        if let (SigningKey::Dpop, Some(dpop)) = (key, &self.config.dpop) {
            slot.push_str(&dpop.thumbprint());
        }
        slot
    }

    /// The stored entries (of this client) that are expired or unreadable, to remove.
    fn stale(&self, entries: &[(String, String)], now: u64) -> Vec<String> {
        let prefix = self.pending_key("");
        let ttl = self.config.pending_ttl_seconds;
        entries
            .iter()
            .filter(|(k, v)| {
                k.starts_with(&prefix)
                    && !PendingAuthorization::from_json(v)
                        .is_ok_and(|p| now < p.created_at.saturating_add(ttl))
            })
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// The key of the managed session (also its lock's and its broadcast channel's name).
    pub fn session_key(&self) -> String {
        let mut key = String::from(SESSION_KEY_PREFIX);
        key.push_str(&self.config.client_id);
        key
    }

    /// The `BroadcastChannel` this client's tabs tell each other a sign-out on.
    pub fn channel(&self) -> String {
        self.session_key()
    }

    fn session_config(&self) -> Result<crate::SessionConfig, Error> {
        self.config
            .session
            .ok_or(Error::client(ErrorCode::InvalidConfig))
    }

    fn read_session(&self) -> Result<Step, Error> {
        Ok(Step::Read {
            storage: self.session_config()?.storage,
            key: self.session_key(),
        })
    }

    fn forget_session(&self) -> Step {
        self.store(alloc::vec![self.session_key()], None)
            .with_storage(self.config.session)
    }

    /// A stored session, read back: this client's, of this version, a valid token set; an OpenID
    /// Connect client's claims decoded again from its ID token (never taken from storage).
    fn parse_session(&self, text: &str) -> Option<TokenSet> {
        let v = crate::json::parse(text.as_bytes())?;
        let version = matches!(v.get("v"), Some(crate::json::Json::Number(n)) if n == "1");
        if !version || v.str("client") != Some(self.config.client_id.as_str()) {
            return None;
        }
        #[allow(unused_mut)]
        let mut tokens = TokenSet::from_value(v.get("tokens")?)?;
        #[cfg(feature = "oidc")]
        if let (Some(t), Some(_)) = (&tokens.id_token, &self.config.jwks_uri) {
            tokens.claims = Some(IdTokenClaims::from_jws(&parse_jws(t).ok()?).ok()?);
        }
        Some(tokens)
    }

    fn session_json(&self, tokens: &TokenSet) -> String {
        let mut o = crate::json::ObjectWriter::new();
        o.uint("v", 1)
            .str("client", &self.config.client_id)
            .raw("tokens", &tokens.to_json());
        o.finish()
    }

    /// The tokens, returned, or first kept as the session (and told).
    fn keep(&self, tokens: TokenSet, save: Option<Event>) -> Result<(Flow, Step), Error> {
        let Some(event) = save else {
            return done(Output::Tokens(tokens));
        };
        let set = Some((self.session_key(), self.session_json(&tokens)));
        let store = self
            .store(Vec::new(), set)
            .with_storage(self.config.session);
        let tell = Step::Emit {
            event,
            broadcast: false,
        };
        let sequence = State::Sequence(Box::new((alloc::vec![tell], Ok(Output::Tokens(tokens)))));
        then(sequence, store)
    }

    /// The session removed and the sign-out told, here and in the other tabs.
    fn end_session(&self) -> Result<(Flow, Step), Error> {
        let tell = Step::Emit {
            event: Event::SignedOut,
            broadcast: true,
        };
        let sequence = State::Sequence(Box::new((alloc::vec![tell], Ok(Output::Unit))));
        then(sequence, self.forget_session())
    }

    fn list(&self) -> Step {
        Step::List {
            storage: self.config.storage,
            prefix: self.pending_key(""),
        }
    }

    fn store(&self, remove: Vec<String>, set: Option<(String, String)>) -> Step {
        Step::Store {
            storage: self.config.storage,
            remove,
            set,
        }
    }
}

impl OAuthClient {
    /// The client a discovery starts from: `config` with `issuer` as its issuer and stand-in endpoints,
    /// and without the members a discovery document provides (`jwks_uri`, `userinfo_endpoint`,
    /// `end_session_endpoint`, `revocation_endpoint`: the document decides them), validated like any
    /// configuration, so that a wrong one fails before any request.
    #[cfg(feature = "oidc")]
    pub fn for_discovery(issuer: &str, mut config: crate::ClientConfig) -> Result<Self, Error> {
        config.issuer = Some(String::from(issuer));
        config.authorization_endpoint = String::from(issuer);
        config.token_endpoint = String::from(issuer);
        config.jwks_uri = None;
        config.userinfo_endpoint = None;
        config.end_session_endpoint = None;
        config.revocation_endpoint = None;
        OAuthClient::new(config)
    }
}

impl Flow {
    /// Exchanges an authorization code (taken from a callback validated against `pending`) for tokens.
    /// `missing_code` for an empty code; nothing is sent for a pending authorization past its time to
    /// live (`pending_expired`) or made for another redirect URI (`invalid_pending`) or issuer
    /// (`issuer_mismatch`), as in the callback's validation.
    pub fn exchange(
        client: &OAuthClient,
        code: &str,
        pending: &PendingAuthorization,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        if code.is_empty() {
            return fail(ErrorCode::MissingCode);
        }
        client.check_pending(pending, now)?;
        Flow::exchange_checked(client, code, pending, now)
    }

    /// [`Flow::exchange`] of a code whose pending authorization is checked (by the callback's
    /// validation, or by [`Flow::exchange`]).
    fn exchange_checked(
        client: &OAuthClient,
        code: &str,
        pending: &PendingAuthorization,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        let request =
            client.code_exchange_request_unchecked(&AuthorizationCode::new(code), pending);
        let wait = State::Tokens(TokenWait {
            refresh_token: None,
            nonce: pending.nonce.clone(),
            max_age: pending.max_age,
            kept: None,
            save: None,
        });
        client.send(wait, request, now)
    }

    /// Refreshes. `id_token` and `claims` are the session's (its verified ID token's claims; with
    /// `claims` absent, an OpenID Connect client decodes them from `id_token`, which fails before
    /// anything is sent when it is broken). A new ID token must continue them; a response without one
    /// keeps them. `invalid_config` for an empty refresh token.
    pub fn refresh(
        client: &OAuthClient,
        refresh_token: &str,
        scope: Option<&str>,
        id_token: Option<IdToken>,
        claims: Option<IdTokenClaims>,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        if refresh_token.is_empty() {
            return fail(ErrorCode::InvalidConfig);
        }
        #[allow(unused_mut)]
        let mut claims = claims;
        #[cfg(feature = "oidc")]
        if let (None, Some(t), Some(_)) = (&claims, &id_token, &client.config.jwks_uri) {
            claims = Some(IdTokenClaims::from_jws(&parse_jws(t)?)?);
        }
        let rt = RefreshToken::new(refresh_token);
        let request = client.refresh_request(&rt, scope);
        let wait = State::Tokens(TokenWait {
            refresh_token: Some(rt),
            nonce: None,
            max_age: None,
            kept: id_token.map(|t| (t, claims)),
            save: None,
        });
        client.send(wait, request, now)
    }

    /// Sign-in: starts an authorization at `now`, keeps it in the configured storage under its `state`
    /// (removing this client's expired or unreadable ones), and navigates to the authorization URL. A
    /// navigation that fails removes what was stored.
    ///
    /// With a pushed authorization request endpoint (RFC 9126), the authorization is pushed first; its
    /// answer's `request_uri` makes the URL, and nothing is stored when the push fails.
    pub fn login(
        client: &OAuthClient,
        options: &AuthorizationOptions,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        if let Some(first) = Flow::push(client, options, now, true)? {
            return Ok(first);
        }
        Flow::login_listed(client, options, now)
    }

    /// [`Flow::login`] for a driver that cannot wait (web storage and the navigation are synchronous,
    /// a request is not): `invalid_config` where the configuration pushes the authorization (RFC 9126),
    /// since the push is a request.
    pub fn login_sync(
        client: &OAuthClient,
        options: &AuthorizationOptions,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        if client.pushes()?.is_some() {
            return fail(ErrorCode::InvalidConfig);
        }
        Flow::login_listed(client, options, now)
    }

    /// A sign-in without a push: started, then this client's stored entries listed (the stale ones go).
    fn login_listed(
        client: &OAuthClient,
        options: &AuthorizationOptions,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        let pending = client.start_authorization(options, now)?;
        Ok((Flow::at(State::LoginListed(pending)), client.list()))
    }

    /// Starts an authorization at `now` for the caller to keep: pushed first where configured (RFC
    /// 9126: the `request_uri` answer must be 1 to [`crate::MAX_REQUEST_URI_LIFETIME_SECONDS`] long, else
    /// `invalid_response`), otherwise at once. Ends with [`Output::Pending`].
    pub fn authorize(
        client: &OAuthClient,
        options: &AuthorizationOptions,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        if let Some(first) = Flow::push(client, options, now, false)? {
            return Ok(first);
        }
        done(Output::Pending(Box::new(
            client.start_authorization(options, now)?,
        )))
    }

    fn push(
        client: &OAuthClient,
        options: &AuthorizationOptions,
        now: u64,
        login: bool,
    ) -> Result<Option<(Flow, Step)>, Error> {
        let Some(endpoint) = client.pushes()? else {
            return Ok(None);
        };
        let pending = Box::new(client.authorization(options, now, true)?);
        let request = client.par_request(&pending, endpoint);
        client
            .send(State::Pushing { pending, login }, request, now)
            .map(Some)
    }

    /// The callback page. With `from_address_bar`, `href` is the window's URL and the address bar is
    /// cleaned first (the callback parameters removed, the others kept as written), whatever the
    /// outcome. Without `pending`, the pending authorization is taken out of storage by the callback's
    /// `state` (single use; expired entries are removed too): a `state` that matches none while this
    /// client has others pending is `state_mismatch` (forged or crossed; the others are kept, so that a
    /// forged link cannot cancel a sign-in under way in another tab), otherwise
    /// `no_pending_authorization`. Then the callback is validated and the code exchanged.
    pub fn callback(
        client: &OAuthClient,
        href: &str,
        from_address_bar: bool,
        pending: Option<PendingAuthorization>,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        let cb = Callback {
            href: String::from(href),
            pending,
        };
        if from_address_bar {
            let clean = strip_callback_params(href);
            return Ok((Flow::at(State::CallbackReplaced(cb)), Step::Replace(clean)));
        }
        Flow::after_replace(client, cb, now)
    }

    fn after_replace(client: &OAuthClient, cb: Callback, now: u64) -> Result<(Flow, Step), Error> {
        match cb.pending {
            Some(p) => Flow::validated(client, &cb.href, &p, now),
            None => {
                let state = callback_state(&cb.href)?;
                let flow = State::CallbackListed {
                    href: cb.href,
                    state,
                };
                Ok((Flow::at(flow), client.list()))
            }
        }
    }

    fn validated(
        client: &OAuthClient,
        href: &str,
        pending: &PendingAuthorization,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        let v = client.validate_callback(href, pending, now)?;
        let (mut flow, step) = Flow::exchange_checked(client, v.code().secret(), pending, now)?;
        if let (Some(w), Some(_)) = (flow.0.token_wait(), &client.config.session) {
            w.save = Some(Event::SignedIn);
        }
        Ok((flow, step))
    }

    /// The managed session's access token: the stored token set while its access token is fresh
    /// (`expires_at` more than the leeway away, or unknown), else refreshed under the session lock
    /// (shared by the origin's tabs), after reading the session again there (another tab may have
    /// refreshed it meanwhile). The refreshed set is stored (keeping the ID token and claims when the
    /// response has none) before it is returned. A refresh the server refuses with `invalid_grant` ends
    /// the session (signed out, in every tab); any other failure keeps it. `no_session` without one,
    /// `invalid_session` for a stored value that is not this client's session (it is removed),
    /// `session_expired` for an expired one that cannot be refreshed. Ends with [`Output::Tokens`].
    pub fn access_token(client: &OAuthClient) -> Result<(Flow, Step), Error> {
        let step = client.read_session()?;
        Ok((Flow::at(State::SessionRead { locked: false }), step))
    }

    /// Sign-out: the session's refresh token revoked where the provider has a revocation endpoint
    /// (best effort), the session removed, and [`Event::SignedOut`] told here and in the other tabs.
    pub fn logout(client: &OAuthClient) -> Result<(Flow, Step), Error> {
        let step = client.read_session()?;
        Ok((Flow::at(State::LogoutRead), step))
    }

    /// Another tab signed out: the session kept here goes too, and [`Event::SignedOut`] is told here.
    pub fn forget(client: &OAuthClient) -> Result<(Flow, Step), Error> {
        client.read_session()?;
        let tell = Step::Emit {
            event: Event::SignedOut,
            broadcast: false,
        };
        let sequence = State::Sequence(Box::new((alloc::vec![tell], Ok(Output::Unit))));
        Ok((Flow::at(sequence), client.forget_session()))
    }

    /// Discovers the provider at `issuer` for `client`, whose configuration (with stand-in endpoints,
    /// see [`OAuthClient::for_discovery`]) was validated before any request: OpenID Connect Discovery
    /// first, RFC 8414 when that answers with an error status. Ends with [`Output::Client`].
    #[cfg(feature = "oidc")]
    pub fn discover(client: &OAuthClient, issuer: &str) -> Result<(Flow, Step), Error> {
        let urls = discovery_urls(issuer)?;
        let first = client.http(&urls[0], None, None);
        Ok((
            Flow::at(State::Discovery {
                issuer: String::from(issuer),
                urls,
                tried: 1,
            }),
            Step::Fetch(first),
        ))
    }

    /// MCP authorization discovery for the MCP server at `server_url` (see [`crate::mcp`]) with `client`
    /// from [`OAuthClient::for_mcp`]: protected resource metadata, authorization server metadata, then
    /// the client's credentials (pre-registered, a metadata document, stored, or registered and stored).
    /// Ends with [`Output::Mcp`].
    #[cfg(feature = "mcp")]
    pub fn mcp(
        client: &OAuthClient,
        server_url: &str,
        options: crate::mcp::McpOptions,
    ) -> Result<(Flow, Step), Error> {
        let (m, step) = crate::mcp::McpFlow::start(client, server_url, options)?;
        Ok((Flow::at(State::Mcp(m)), step))
    }

    /// A DPoP proof (RFC 9449 §7) for a request to a resource server: `method` `url` with the access
    /// token (its hash is the proof's `ath`), and the `nonce` the resource server asked for (its
    /// `DPoP-Nonce` on a `401` with `error="use_dpop_nonce"`, for the one retry), which is then kept
    /// for the origin's next proofs; without one, the origin's kept nonce, if any. Ends with
    /// [`Output::Proof`], the `DPoP` header's value; send the token as `Authorization: DPoP <token>`.
    #[cfg(feature = "oidc")]
    pub fn dpop_proof(
        client: &OAuthClient,
        method: &str,
        url: &str,
        access_token: &str,
        nonce: Option<&str>,
    ) -> Result<(Flow, Step), Error> {
        if access_token.is_empty()
            || method.is_empty()
            || !crate::config::check_url(url, crate::config::UrlKind::Endpoint)
        {
            return fail(ErrorCode::InvalidConfig);
        }
        if client.config.dpop.is_none() {
            return fail(ErrorCode::InvalidConfig);
        }
        let step = client.nonce_step(url, nonce.map(String::from));
        let proof = ResourceProof {
            method: String::from(method),
            url: String::from(url),
            access_token: crate::AccessToken::new(access_token),
            nonce: nonce.map(String::from),
        };
        then(State::ProofNonce(Box::new(proof)), step)
    }

    /// Fetches the userinfo endpoint with the access token (`Authorization: Bearer`; a DPoP client's
    /// tokens are bound, so `Authorization: DPoP` with a proof, and one retry when the endpoint asks
    /// for a nonce, unless `token_type` says `Bearer`); its `sub` must be `subject`, or else the `sub`
    /// of the session's `id_token` (`invalid_config` with neither). Ends with [`Output::Userinfo`].
    #[cfg(feature = "oidc")]
    pub fn userinfo(
        client: &OAuthClient,
        access_token: &str,
        token_type: Option<&str>,
        subject: Option<&str>,
        id_token: Option<&IdToken>,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        let subject = match (subject, id_token) {
            (Some(s), _) => String::from(s),
            (None, Some(t)) if client.config.jwks_uri.is_some() => {
                IdTokenClaims::from_jws(&parse_jws(t)?)?.sub
            }
            _ => return fail(ErrorCode::InvalidConfig),
        };
        if access_token.is_empty() {
            return fail(ErrorCode::InvalidConfig);
        }
        let Some(url) = &client.config.userinfo_endpoint else {
            return fail(ErrorCode::MissingEndpoint);
        };
        let bearer = token_type.is_some_and(|t| t.eq_ignore_ascii_case("bearer"));
        let dpop = client.config.dpop.is_some() && !bearer;
        let mut authorization = String::from(if dpop { "DPoP " } else { "Bearer " });
        authorization.push_str(access_token);
        let request = client.http(url, Some(authorization), None);
        let state = State::Userinfo(subject);
        if !dpop {
            return then(state, Step::Fetch(request));
        }
        client.dispatch(state, request, Some(access_token), now)
    }

    /// Revokes a token (RFC 7009), authenticated like token requests. Ends with [`Output::Unit`].
    #[cfg(feature = "oidc")]
    pub fn revoke(
        client: &OAuthClient,
        token: &str,
        token_type_hint: Option<&str>,
        now: u64,
    ) -> Result<(Flow, Step), Error> {
        let request = client.revocation_request(token, token_type_hint)?;
        client.send(State::Revocation, request, now)
    }

    /// Resumes the flow with the outcome of its last step, at `now` (unix seconds). `jwks` is the
    /// client's JWKS cache (the last JWKS document fetched), which the flow reads and refreshes. An
    /// error ends the flow; so does [`Step::Done`].
    pub fn resume(
        &mut self,
        client: &OAuthClient,
        jwks: &mut Option<Vec<u8>>,
        now: u64,
        input: Input,
    ) -> Result<Step, Error> {
        let state = core::mem::replace(&mut self.0, State::Finished);
        let outcome = state.resume(client, jwks, now, input);
        self.settle(client, outcome)
    }

    fn at(state: State) -> Flow {
        Flow(state, Guard::default())
    }

    /// Takes the next state, and releases the session lock before the flow ends: a result waits for the
    /// unlock; an error after the refresh went out first tells (and, when the grant is gone, ends the
    /// session).
    fn settle(
        &mut self,
        client: &OAuthClient,
        outcome: Result<(Flow, Step), Error>,
    ) -> Result<Step, Error> {
        let result = match outcome {
            Ok((next, step)) => {
                self.0 = next.0;
                self.1.locked |= next.1.locked;
                self.1.refreshing |= next.1.refreshing;
                match step {
                    Step::Done(output) if self.1.locked => Ok(output),
                    step => return Ok(step),
                }
            }
            Err(e) if self.1.locked => Err(e),
            Err(e) => return Err(e),
        };
        let mut steps = alloc::vec![Step::Unlock];
        if let (Err(e), true) = (&result, self.1.refreshing) {
            if e.code() == "invalid_grant" {
                steps.push(Step::Emit {
                    event: Event::SignedOut,
                    broadcast: true,
                });
            }
            steps.push(Step::Emit {
                event: Event::RefreshFailed,
                broadcast: false,
            });
            if e.code() == "invalid_grant" {
                steps.push(client.forget_session());
            }
        }
        self.1 = Guard::default();
        let first = steps.pop().unwrap_or(Step::Unlock);
        self.0 = State::Sequence(Box::new((steps, result)));
        Ok(first)
    }
}

impl Step {
    /// A storage step on the session's storage instead of the pending authorizations'.
    fn with_storage(mut self, session: Option<crate::SessionConfig>) -> Step {
        if let (Step::Store { storage, .. }, Some(s)) = (&mut self, session) {
            *storage = s.storage;
        }
        self
    }
}

/// The stored session, read (under the lock when `locked`): fresh, refreshed, or why not.
fn session_read(
    client: &OAuthClient,
    now: u64,
    locked: bool,
    entries: &[(String, String)],
) -> Result<(Flow, Step), Error> {
    let key = client.session_key();
    let Some((_, text)) = entries.iter().find(|(k, _)| *k == key) else {
        return fail(ErrorCode::NoSession);
    };
    let Some(tokens) = client.parse_session(text) else {
        let e = Err(Error::client(ErrorCode::InvalidSession));
        return then(
            State::Sequence(Box::new((Vec::new(), e))),
            client.forget_session(),
        );
    };
    let leeway = client.session_config()?.leeway_seconds;
    if tokens
        .expires_at
        .is_none_or(|at| now.saturating_add(leeway) < at)
    {
        return done(Output::Tokens(tokens));
    }
    let Some(rt) = tokens.refresh_token.clone() else {
        return then(
            State::Sequence(Box::new((
                alloc::vec![Step::Emit {
                    event: Event::SignedOut,
                    broadcast: true,
                }],
                Err(Error::client(ErrorCode::SessionExpired)),
            ))),
            client.forget_session(),
        );
    };
    if !locked {
        let lock = Step::Lock {
            name: client.session_key(),
            timeout_ms: client.config.timeout_ms,
        };
        return then(State::SessionLocking, lock);
    }
    let (mut flow, step) = Flow::refresh(
        client,
        rt.secret(),
        None,
        tokens.id_token,
        tokens.claims,
        now,
    )?;
    if let Some(w) = flow.0.token_wait() {
        w.save = Some(Event::Refreshed);
    }
    flow.1.refreshing = true;
    Ok((flow, step))
}

/// The flow goes on with `state` after `step`.
fn then(state: State, step: Step) -> Result<(Flow, Step), Error> {
    Ok((Flow::at(state), step))
}

fn done(output: Output) -> Result<(Flow, Step), Error> {
    then(State::Finished, Step::Done(output))
}

#[cfg(feature = "oidc")]
impl Sending {
    /// The next signature the request needs, else the request itself.
    fn proceed(mut self: Box<Self>, client: &OAuthClient, now: u64) -> Result<(Flow, Step), Error> {
        // A resource request (userinfo) carries the access token, never the client's authentication.
        let resource = self.access_token.is_some();
        if let (crate::ClientAuth::PrivateKeyJwt(key), false) =
            (&client.config.client_auth, self.asserted || resource)
        {
            let data = client.assertion_input(key, now)?;
            let step = Step::Sign(Signing {
                alg: key.alg,
                data: data.clone(),
                key: SigningKey::Client,
            });
            self.stage = SendStage::Assertion(data);
            return then(State::Sending(self), step);
        }
        if let (Some(_), None) = (&client.config.dpop, &self.request.dpop) {
            let (data, step) = client.proof_input(
                self.request.method(),
                &self.request.url,
                self.nonce.as_deref(),
                self.access_token.as_ref().map(|t| t.secret()),
                now,
            )?;
            self.stage = SendStage::Proof(data);
            return then(State::Sending(self), step);
        }
        self.stage = SendStage::Sent;
        let step = Step::Fetch(self.request.clone());
        then(State::Sending(self), step)
    }

    fn resume(
        mut self: Box<Self>,
        client: &OAuthClient,
        jwks: &mut Option<Vec<u8>>,
        now: u64,
        input: Input,
    ) -> Result<(Flow, Step), Error> {
        if let Input::Failed(code) = input {
            return self.next.resume(client, jwks, now, Input::Failed(code));
        }
        let stage = core::mem::replace(&mut self.stage, SendStage::Sent);
        match (stage, input) {
            (SendStage::Nonce, Input::Entries(entries)) => {
                self.nonce = kept_nonce(entries);
                self.proceed(client, now)
            }
            (SendStage::Assertion(data), Input::Signed(signature)) => {
                let mut form = crate::encoding::FormSerializer::with_prefix(
                    self.request.form.take().unwrap_or_default(),
                );
                form.append(
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                )
                .append("client_assertion", &signed(data, &signature)?);
                self.request.form = Some(form.finish());
                self.asserted = true;
                self.proceed(client, now)
            }
            (SendStage::Proof(data), Input::Signed(signature)) => {
                self.request.dpop = Some(signed(data, &signature)?);
                self.proceed(client, now)
            }
            (SendStage::Sent, Input::Response(r)) => {
                let fresh = r.dpop_nonce.clone().filter(|n| {
                    client.config.dpop.is_some() && !n.is_empty() && Some(n) != self.nonce.as_ref()
                });
                let Some(nonce) = fresh else {
                    return self.next.resume(client, jwks, now, Input::Response(r));
                };
                // Kept for this origin's next requests; the request goes once more if the server asked.
                let retry = !self.retried && asks_for_nonce(&r);
                let step = client.nonce_step(&self.request.url, Some(nonce.clone()));
                self.nonce = Some(nonce);
                self.stage = SendStage::Remembering(if retry { None } else { Some(r) });
                then(State::Sending(self), step)
            }
            (SendStage::Remembering(None), _) => {
                self.retried = true;
                self.request = self.base.clone();
                self.asserted = false;
                self.proceed(client, now)
            }
            (SendStage::Remembering(Some(r)), _) => {
                self.next.resume(client, jwks, now, Input::Response(r))
            }
            _ => fail(ErrorCode::InvalidConfig),
        }
    }
}

/// A JWS signing input: the header and the claims, base64url, joined by a dot.
#[cfg(feature = "oidc")]
fn jws_input(header: crate::json::ObjectWriter, claims: crate::json::ObjectWriter) -> String {
    let mut data = crate::encoding::base64url(header.finish().as_bytes());
    data.push('.');
    data.push_str(&crate::encoding::base64url(claims.finish().as_bytes()));
    data
}

/// A compact JWS from its signing input and signature; no signature (a driver that made none) is
/// `invalid_config`.
#[cfg(feature = "oidc")]
fn signed(mut data: String, signature: &[u8]) -> Result<String, Error> {
    if signature.is_empty() {
        return fail(ErrorCode::InvalidConfig);
    }
    data.push('.');
    data.push_str(&crate::encoding::base64url(signature));
    Ok(data)
}

/// The nonce a nonce read found, if any.
#[cfg(feature = "oidc")]
fn kept_nonce(entries: Vec<(String, String)>) -> Option<String> {
    entries.into_iter().next().map(|(_, v)| v)
}

/// A `use_dpop_nonce` error: an authorization server's error object, or a resource server's `401`
/// challenge (RFC 9449 §9).
#[cfg(feature = "oidc")]
fn asks_for_nonce(r: &HttpResponse) -> bool {
    const CODE: &[u8] = b"use_dpop_nonce";
    let challenge = r.www_authenticate.as_deref().unwrap_or_default().as_bytes();
    matches!(r.status, 400 | 401)
        && (crate::json::parse(&r.body).is_some_and(|v| v.str("error") == Some("use_dpop_nonce"))
            || r.status == 401 && challenge.windows(CODE.len()).any(|w| w == CODE))
}

impl State {
    /// The token response this state waits for (also behind a client assertion's signature).
    fn token_wait(&mut self) -> Option<&mut TokenWait> {
        match self {
            State::Tokens(w) => Some(w),
            #[cfg(feature = "oidc")]
            State::Sending(s) => s.next.token_wait(),
            _ => None,
        }
    }

    #[allow(unused_variables)]
    fn resume(
        self,
        client: &OAuthClient,
        jwks: &mut Option<Vec<u8>>,
        now: u64,
        input: Input,
    ) -> Result<(Flow, Step), Error> {
        // A sequence goes on whatever each step came to (telling and cleaning up are housekeeping).
        if let State::Sequence(seq) = self {
            let (mut steps, result) = *seq;
            return match steps.pop() {
                Some(step) => then(State::Sequence(Box::new((steps, result))), step),
                None => done(result?),
            };
        }
        #[cfg(feature = "mcp")]
        if let State::Mcp(m) = self {
            return match m.resume(client, input)? {
                crate::mcp::Next::Go(m, step) => then(State::Mcp(m), step),
                crate::mcp::Next::Done(a) => done(Output::Mcp(a)),
            };
        }
        // A revocation on sign-out is best effort: the session ends locally whatever it came to.
        #[cfg(feature = "oidc")]
        if let State::LogoutRevoked = self {
            return client.end_session();
        }
        // A request being signed and sent hands a failure on to the state that waits for its answer,
        // which applies its own rule (the best-effort revocation above included).
        #[cfg(feature = "oidc")]
        if let State::Sending(s) = self {
            return s.resume(client, jwks, now, input);
        }
        // Cleaning up is housekeeping: its failure must not hide the real outcome.
        if let State::CallbackCleaned(outcome) = self {
            let (href, pending) = outcome?;
            return Flow::validated(client, &href, &pending, now);
        }
        // Undoing a failed navigation ends with the navigation's error, whatever the storage said.
        if let State::LoginUndone = self {
            return fail(ErrorCode::UnsupportedEnvironment);
        }
        let input = match input {
            Input::Failed(code) => {
                if let State::LoginNavigated(key) = self {
                    return then(State::LoginUndone, client.store(alloc::vec![key], None));
                }
                return fail(code);
            }
            other => other,
        };
        match (self, input) {
            (State::Tokens(w), Input::Response(r)) => tokens(client, jwks, now, w, r.check()?),
            #[cfg(feature = "oidc")]
            (State::ProofNonce(p), input) => {
                let nonce = match input {
                    Input::Entries(e) => kept_nonce(e),
                    _ => p.nonce,
                };
                let token = Some(p.access_token.secret());
                let (data, step) =
                    client.proof_input(&p.method, &p.url, nonce.as_deref(), token, now)?;
                then(State::Proof(data), step)
            }
            #[cfg(feature = "oidc")]
            (State::Proof(data), Input::Signed(signature)) => {
                done(Output::Proof(signed(data, &signature)?))
            }
            #[cfg(feature = "oidc")]
            (State::Jwks(s), Input::Response(r)) => {
                let r = r.check()?;
                if r.status != 200 || !crate::http::is_json_media_type(r.content_type()) {
                    return Err(Error::response(ErrorCode::InvalidResponse, r.status));
                }
                let key =
                    select_key(&r.body, &s.jws)?.ok_or(Error::client(ErrorCode::KeyNotFound))?;
                *jwks = Some(r.body.clone());
                verify(s, key)
            }
            #[cfg(feature = "oidc")]
            (State::Signature(s), Input::Verified(valid)) => {
                if !valid {
                    return fail(ErrorCode::IdTokenSignature);
                }
                let Signed {
                    mut tokens,
                    claims,
                    save,
                    ..
                } = *s;
                tokens.claims = Some(claims);
                client.keep(tokens, save)
            }
            #[cfg(feature = "oidc")]
            (
                State::Discovery {
                    issuer,
                    urls,
                    tried,
                },
                Input::Response(r),
            ) => {
                let r = r.check()?;
                if r.status >= 400 {
                    let Some(next) = urls.get(tried) else {
                        return Err(Error::response(ErrorCode::InvalidResponse, r.status));
                    };
                    let request = client.http(next, None, None);
                    let state = State::Discovery {
                        issuer,
                        urls,
                        tried: tried + 1,
                    };
                    return then(state, Step::Fetch(request));
                }
                let m = parse_discovery(r.status, r.content_type(), &r.body, &issuer)?;
                let mut config = client.config.clone();
                m.apply(&mut config);
                done(Output::Client(Box::new(OAuthClient::new(config)?)))
            }
            #[cfg(feature = "oidc")]
            (State::Userinfo(subject), Input::Response(r)) => {
                let r = r.check()?;
                let json = crate::parse_userinfo(r.status, r.content_type(), &r.body, &subject)?;
                done(Output::Userinfo(json))
            }
            #[cfg(feature = "oidc")]
            (State::Revocation, Input::Response(r)) => {
                let r = r.check()?;
                crate::parse_revocation_response(r.status, &r.body)?;
                done(Output::Unit)
            }
            (State::Pushing { mut pending, login }, Input::Response(r)) => {
                client.pushed(r.check()?, &mut pending)?;
                if login {
                    return then(State::LoginListed(*pending), client.list());
                }
                done(Output::Pending(pending))
            }
            (State::LoginListed(pending), Input::Entries(entries)) => {
                let key = client.pending_key(pending.state.secret());
                let url = pending.url.clone();
                let step = client.store(
                    client.stale(&entries, now),
                    Some((key.clone(), pending.to_json())),
                );
                then(State::LoginStored { key, url }, step)
            }
            (State::LoginStored { key, url }, Input::Ok) => {
                then(State::LoginNavigated(key), Step::Navigate(url))
            }
            (State::LoginNavigated(_), Input::Ok) => done(Output::Unit),
            (State::CallbackReplaced(cb), Input::Ok) => Flow::after_replace(client, cb, now),
            (State::CallbackListed { href, state }, Input::Entries(entries)) => {
                let key = client.pending_key(&state);
                let mut stale = client.stale(&entries, now);
                stale.retain(|k| *k != key);
                let Some((_, text)) = entries.iter().find(|(k, _)| *k == key) else {
                    return unmatched(client, &entries, stale);
                };
                // The entry goes first (single use), even when it cannot be read.
                let pending = PendingAuthorization::from_json(text);
                let step = client.store(alloc::vec![key], None);
                match pending {
                    Ok(pending) => then(
                        State::CallbackTaken {
                            href,
                            pending,
                            stale,
                        },
                        step,
                    ),
                    Err(e) => then(State::CallbackCleaned(Err(e)), step),
                }
            }
            (
                State::CallbackTaken {
                    href,
                    pending,
                    stale,
                },
                Input::Ok,
            ) => {
                if stale.is_empty() {
                    return Flow::validated(client, &href, &pending, now);
                }
                then(
                    State::CallbackCleaned(Ok((href, pending))),
                    client.store(stale, None),
                )
            }
            (State::SessionRead { locked }, Input::Entries(entries)) => {
                session_read(client, now, locked, &entries)
            }
            (State::SessionLocking, Input::Ok) => {
                let step = client.read_session()?;
                let flow = Flow(
                    State::SessionRead { locked: true },
                    Guard {
                        locked: true,
                        refreshing: false,
                    },
                );
                Ok((flow, step))
            }
            // Without OpenID Connect there is no revocation endpoint: the session just ends.
            #[cfg(not(feature = "oidc"))]
            (State::LogoutRead, Input::Entries(_)) => client.end_session(),
            #[cfg(feature = "oidc")]
            (State::LogoutRead, Input::Entries(entries)) => {
                let key = client.session_key();
                let tokens = entries
                    .iter()
                    .find(|(k, _)| *k == key)
                    .and_then(|(_, v)| client.parse_session(v));
                if let (Some(rt), Some(_)) = (
                    tokens.as_ref().and_then(|t| t.refresh_token.as_ref()),
                    &client.config.revocation_endpoint,
                ) {
                    let request = client.revocation_request(rt.secret(), Some("refresh_token"))?;
                    return client.send(State::LogoutRevoked, request, now);
                }
                client.end_session()
            }
            // An input the step did not ask for: a driver bug, refused.
            _ => fail(ErrorCode::InvalidConfig),
        }
    }
}

/// A callback `state` that matched no entry: `state_mismatch` when entries of this client stay pending
/// once the stale ones go (they are kept), else `no_pending_authorization`. The stale ones go first.
fn unmatched(
    client: &OAuthClient,
    entries: &[(String, String)],
    stale: Vec<String>,
) -> Result<(Flow, Step), Error> {
    let prefix = client.pending_key("");
    let others = entries
        .iter()
        .any(|(k, _)| k.starts_with(&prefix) && !stale.contains(k));
    let e = Error::client(if others {
        ErrorCode::StateMismatch
    } else {
        ErrorCode::NoPendingAuthorization
    });
    if stale.is_empty() {
        return Err(e);
    }
    then(State::CallbackCleaned(Err(e)), client.store(stale, None))
}

/// A token response, checked; for an OpenID Connect client a new ID token's claims are checked and its
/// signature is verified (with the cached JWKS, else the JWKS fetched once more: key rotation).
#[allow(unused_mut, unused_variables)]
fn tokens(
    client: &OAuthClient,
    jwks: &mut Option<Vec<u8>>,
    now: u64,
    w: TokenWait,
    r: &HttpResponse,
) -> Result<(Flow, Step), Error> {
    #[cfg(feature = "oidc")]
    let (dpop, bearer) = (
        client.config.dpop.is_some(),
        client.config.dpop_accept_bearer,
    );
    #[cfg(not(feature = "oidc"))]
    let (dpop, bearer) = (false, false);
    let mut tokens = crate::token::parse_tokens(
        r.status,
        r.content_type(),
        &r.body,
        now,
        w.refresh_token.as_ref(),
        dpop,
        bearer,
    )?;
    let (kept, kept_claims) = match w.kept {
        Some((t, c)) => (Some(t), c),
        None => (None, None),
    };
    // A refreshed ID token must name the user of the one it replaces (OIDC Core §12.2: the same `iss`,
    // `sub` and `aud`). A refresh of a bare refresh token has none to check it against, so a client that
    // verifies ID tokens does not return it (the access token it does; pass the token set to keep
    // ID tokens across refreshes).
    #[cfg(feature = "oidc")]
    if w.refresh_token.is_some() && kept.is_none() && client.config.jwks_uri.is_some() {
        tokens.id_token = None;
    }
    #[cfg(feature = "oidc")]
    {
        let ctx = crate::oidc::IdTokenContext {
            nonce: w.nonce.as_ref().map(|n| n.secret()),
            max_age: w.max_age,
            previous: kept_claims.as_ref(),
        };
        let signed = client
            .id_token_claims(&tokens, &ctx, now)
            .map_err(|e| e.at(r.status))?;
        if tokens.keep_id_token(kept.as_ref(), kept_claims) {
            if let Some((jws, claims)) = signed {
                let s = Box::new(Signed {
                    tokens,
                    jws,
                    claims,
                    save: w.save,
                });
                let cached = jwks
                    .as_deref()
                    .and_then(|body| select_key(body, &s.jws).ok().flatten());
                return match (cached, &client.config.jwks_uri) {
                    (Some(key), _) => verify(s, key),
                    (None, Some(uri)) => {
                        let request = client.http(uri, None, None);
                        then(State::Jwks(s), Step::Fetch(request))
                    }
                    (None, None) => fail(ErrorCode::KeyNotFound),
                };
            }
        }
    }
    #[cfg(not(feature = "oidc"))]
    tokens.keep_id_token(kept.as_ref(), kept_claims);
    client.keep(tokens, w.save)
}

#[cfg(feature = "oidc")]
fn verify(s: Box<Signed>, key: PublicJwk) -> Result<(Flow, Step), Error> {
    let v = Verification {
        key,
        alg: s.jws.alg,
        signature: s.jws.signature.clone(),
        data: s.jws.signing_input.clone(),
    };
    then(State::Signature(s), Step::Verify(v))
}
