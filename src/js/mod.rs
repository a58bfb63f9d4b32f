//! The npm package's wasm core: the decision engine ([`crate::engine`]) behind one synchronous export,
//! driven by the package's JavaScript shell (`npm/client.js`). A managed call begins a flow
//! (`op::BEGIN`); the core answers with the flow's next step as JSON (a fetch with its complete
//! `RequestInit`, a WebCrypto verification, a storage read or write, a history replacement, a
//! navigation, or the result), the shell performs it and hands back what came of it (`op::STEP`).
//! The shell decides nothing. Arguments are JSON text (from `JSON.stringify`) and results are JSON text
//! (for `JSON.parse`). A failure comes back as the JSON text of the error (marked, see `Core::call`),
//! which the shell turns into a coded `Error` (one conversion, in `error_json`).
//!
//! Keeping promises, closures and `Reflect` out of the wasm is what keeps the package small: the
//! futures state machine and the JS-value conversions cost more bytes than the whole OAuth logic.
#![allow(unreachable_pub)] // `#[wasm_bindgen]` items are reachable from JavaScript.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

mod input;
#[cfg(feature = "mcp")]
mod mcp;
#[cfg(feature = "oidc")]
mod oidc;

use wasm_bindgen::prelude::*;

use crate::engine::{Flow, Input, Output, Step};
use crate::json::{self, Json, ObjectWriter};
use crate::{
    ClientConfig, Error, ErrorCode, HttpRequest, HttpResponse, IdToken, OAuthClient,
    PendingAuthorization, Pkce, CODE_CHALLENGE_METHOD,
};

/// What the shell throws on: the error's JSON text (`name`, `code`, `message`, and `status` and the RFC
/// fields where they apply). The message is static and never holds secrets or server text.
pub(crate) fn error_json(e: &Error) -> String {
    let mut o = ObjectWriter::new();
    o.str("name", e.name())
        .str("code", e.code())
        .str("message", e.message())
        .opt_uint("status", e.status().map(u64::from));
    if let Some(r) = e.error_response() {
        o.str("error", &r.error)
            .opt_str("error_description", r.error_description.as_deref())
            .opt_str("error_uri", r.error_uri.as_deref());
    }
    o.finish()
}

/// What [`Core::call`] returns: `+` and the result, or `!` and the error's JSON text. Nothing is thrown
/// across the boundary, which keeps the externref plumbing for thrown values out of the glue.
fn out(r: Result<String, Error>) -> String {
    let (mark, text) = match r {
        Ok(text) => ('+', text),
        Err(e) => ('!', error_json(&e)),
    };
    let mut s = String::with_capacity(text.len() + 1);
    s.push(mark);
    s.push_str(&text);
    s
}

/// The provider's issuer and endpoints, with a config's member names.
fn metadata<'a>(o: &'a mut ObjectWriter, c: &ClientConfig) -> &'a mut ObjectWriter {
    o.opt_str("issuer", c.issuer.as_deref())
        .str("authorizationEndpoint", &c.authorization_endpoint)
        .str("tokenEndpoint", &c.token_endpoint)
        .bool("requireIss", c.require_iss)
        .opt_str(
            "pushedAuthorizationRequestEndpoint",
            c.pushed_authorization_request_endpoint.as_deref(),
        )
        .bool(
            "requirePushedAuthorizationRequests",
            c.require_pushed_authorization_requests,
        );
    // Without the `oidc` feature the config refuses these members: they are always absent.
    #[cfg(feature = "oidc")]
    o.opt_str("jwksUri", c.jwks_uri.as_deref())
        .opt_str("userinfoEndpoint", c.userinfo_endpoint.as_deref())
        .opt_str("endSessionEndpoint", c.end_session_endpoint.as_deref())
        .opt_str("revocationEndpoint", c.revocation_endpoint.as_deref());
    o
}

/// The operations of [`Core::call`]. `npm/client.js` uses the same numbers (pinned by `tests/boundary.rs`).
pub mod op {
    /// `[]` → the configuration the shell needs (see `Core::info`).
    pub const INFO: u8 = 0;
    /// `[options, now]` → a new pending authorization (`options`: `AuthorizationOptions` JSON text).
    pub const START: u8 = 1;
    /// `[url, pending, now]` → `{ code, state, iss? }` (`pending`: its JSON text).
    pub const VALIDATE: u8 = 2;
    /// `[verifier?]` → `{ codeVerifier, codeChallenge, codeChallengeMethod }`. Needs no client.
    pub const PKCE: u8 = 3;
    /// `[code, status?]` → that error's JSON (returned, not thrown). Needs no client.
    pub const ERROR: u8 = 4;
    /// `[options]` → the logout URL (a bare string; `options`: `LogoutOptions` JSON text).
    pub const LOGOUT: u8 = 5;
    /// `[tokens]` → the key single-flight refresh shares a request by (a bare string; `tokens`: the
    /// refresh token or a token set, JSON text).
    pub const FLIGHT: u8 = 6;
    /// `[flow, now, ...]` → the flow's first step (see [`super::flow`] for each flow's arguments).
    pub const BEGIN: u8 = 7;
    /// `[id, now, input, ...]` + body → the flow's next step. `input`: `"response", status,
    /// contentType?, tooLarge, dpopNonce?, wwwAuthenticate?` + the body; `"failed", code`; `"verified",
    /// valid`; `"entries"` + the JSON array of `[key, value]` pairs; `"ok"`.
    pub const STEP: u8 = 8;
    /// `[challenge, attempts]` → the scope of a step-up authorization (a bare string), which becomes the
    /// client's (see [`crate::OAuthClient::step_up_scope`]).
    pub const STEP_UP: u8 = 9;
    /// `[name, alg]` → how to make and keep a DPoP key pair: `{ algorithm, usages, storageKey }` (the
    /// `generateKey` parameters and the IndexedDB key). Needs no client.
    pub const DPOP_KEY: u8 = 10;
    /// `[clientId, clientName, redirectUris]` (the URIs: a JSON array) → a Client ID Metadata Document
    /// (JSON text; see [`crate::mcp::client_metadata_document`]). Needs no client.
    pub const CLIENT_METADATA: u8 = 11;
}

/// The flows of [`op::BEGIN`] and their arguments (after `now`). `npm/client.js` uses the same numbers.
pub mod flow {
    /// `[code, pending]`: a code exchange.
    pub const EXCHANGE: u8 = 0;
    /// `[url, fromAddressBar, pending?]`: the callback (see [`crate::engine::Flow::callback`]).
    pub const CALLBACK: u8 = 1;
    /// `[tokens, options?]`: a refresh (`tokens`: the refresh token or a token set, JSON text).
    pub const REFRESH: u8 = 2;
    /// `[options?]`: sign-in with the pending authorization in storage, then the navigation.
    pub const LOGIN: u8 = 3;
    /// `[]`: discovery, on a core made for it; the core then holds the discovered client.
    pub const DISCOVER: u8 = 4;
    /// `[tokens, options?]`: userinfo (`tokens`: the access token or a token set, JSON text).
    pub const USERINFO: u8 = 5;
    /// `[token, options?]`: revocation.
    pub const REVOKE: u8 = 6;
    /// `[]`: the managed session's access token (see [`crate::engine::Flow::access_token`]).
    pub const SESSION: u8 = 7;
    /// `[]`: sign-out of the managed session.
    pub const SIGN_OUT: u8 = 8;
    /// `[]`: another tab signed out.
    pub const FORGET: u8 = 9;
    /// `[serverUrl, challenge?, options?]`: MCP authorization discovery, on a core made for it; the core
    /// then holds the client for the server's authorization server.
    pub const MCP: u8 = 10;
    /// `[options?]`: an authorization for the caller to keep, pushed first where configured (RFC 9126).
    pub const AUTHORIZE: u8 = 11;
    /// `[method, url, accessToken, options?]`: a DPoP proof for a resource request (a bare string in
    /// `value`; `options`: `{ nonce }`).
    pub const DPOP_PROOF: u8 = 12;
}

/// The arguments of one call: a JSON array of strings, integers, booleans and `null`s, built by the
/// shell. A missing or wrongly typed argument reads as absent (the operations reject what they cannot
/// use); a required time is required.
struct Args(Vec<Json>);

impl Args {
    fn opt_str(&self, i: usize) -> Option<&str> {
        match self.0.get(i) {
            Some(Json::String(s)) => Some(s),
            _ => None,
        }
    }

    fn str(&self, i: usize) -> &str {
        self.opt_str(i).unwrap_or_default()
    }

    /// A JSON text argument (options, a token set); absent reads as `null`.
    fn json(&self, i: usize) -> &str {
        self.opt_str(i).unwrap_or("null")
    }

    fn bool(&self, i: usize) -> bool {
        matches!(self.0.get(i), Some(Json::Bool(true)))
    }

    fn opt_uint(&self, i: usize) -> Option<u64> {
        match self.0.get(i) {
            Some(Json::Number(n)) => json::parse_uint(n.as_bytes()),
            _ => None,
        }
    }

    /// A required time (unix seconds): missing or not an integer is `invalid_config`, never 0 (which would
    /// turn the pending-expiry and ID token `exp` checks off).
    fn now(&self, i: usize) -> Result<u64, Error> {
        self.opt_uint(i)
            .ok_or(Error::client(ErrorCode::InvalidConfig))
    }

    fn opt_status(&self, i: usize) -> Option<u16> {
        self.opt_uint(i).and_then(|n| u16::try_from(n).ok())
    }

    /// The pending authorization argument at `i` (its JSON text).
    fn pending(&self, i: usize) -> Result<PendingAuthorization, Error> {
        PendingAuthorization::from_json(self.str(i))
    }
}

/// The flows under way are bounded: a shell that abandons flows (it never should) cannot grow the map.
const MAX_FLOWS: usize = 64;

/// The npm package's core: one validated client configuration (`new OAuthClient(config)` holds one), or
/// none, for the operations that need no client, with the client's JWKS cache and its flows under way.
/// Everything goes through [`Core::call`]: one export keeps the generated glue and the wasm's export
/// shims small.
#[wasm_bindgen]
pub struct Core {
    /// The validated client, or why there is none (`invalid_config`, also for the client-less core). A
    /// discovery replaces it with the discovered one.
    client: RefCell<Result<OAuthClient, Error>>,
    /// The provider's last JWKS document.
    jwks: RefCell<Option<Vec<u8>>>,
    flows: RefCell<Vec<(u32, Flow)>>,
    next: Cell<u32>,
}

#[wasm_bindgen]
impl Core {
    /// Validates an `OAuthClientConfig` (UTF-8 JSON text). A rejected one makes a core whose client
    /// operations all fail with that error (the shell's first call, [`op::INFO`], reports it); `null` makes
    /// a core without a client, for the operations that need none. With `issuer` (JSON text of a
    /// string; `null` otherwise) the core is made for discovering that issuer ([`flow::DISCOVER`]).
    #[wasm_bindgen(constructor)]
    pub fn new(config: &[u8], issuer: &[u8]) -> Core {
        let target = json::parse(issuer);
        #[cfg(feature = "mcp")]
        let mcp = target.as_ref().and_then(|t| t.string("mcp"));
        #[cfg(not(feature = "mcp"))]
        let mcp: Option<String> = None;
        let issuer = match target {
            Some(Json::String(s)) => Some(s),
            _ => None,
        };
        let client = core::str::from_utf8(config)
            .ok()
            .filter(|text| *text != "null")
            .ok_or(Error::client(ErrorCode::InvalidConfig))
            .and_then(|text| {
                input::config(text, issuer.as_deref().or(mcp.as_deref()), mcp.is_some())
            })
            .and_then(|c| match (&issuer, &mcp) {
                #[cfg(feature = "mcp")]
                (_, Some(server)) => OAuthClient::for_mcp(server, c),
                #[cfg(feature = "oidc")]
                (Some(i), _) => OAuthClient::for_discovery(i, c),
                _ => OAuthClient::new(c),
            });
        Core {
            client: RefCell::new(client),
            jwks: RefCell::new(None),
            flows: RefCell::new(Vec::new()),
            next: Cell::new(0),
        }
    }

    /// Runs operation `op` (see [`op`]) on `args`, a JSON array (UTF-8 text), and `body`, a response body
    /// where the operation reads one, with `random`, the call's entropy (256 bytes from
    /// `crypto.getRandomValues`: the core imports nothing, and draws its random tokens from these).
    /// Returns `+` and the result (JSON text, or a bare string where [`op`] says so), or `!` and the
    /// error's JSON text. Arguments arrive as bytes (the shell's `TextEncoder`) so that the loader needs
    /// no string encoder of its own.
    pub fn call(&self, op: u8, args: &[u8], body: &[u8], random: &[u8]) -> String {
        crate::pkce::entropy::refill(random);
        let result = match json::parse(args) {
            Some(Json::Array(items)) => self.run(op, &Args(items), body),
            _ => Err(Error::client(ErrorCode::InvalidConfig)),
        };
        crate::pkce::entropy::refill(&[]);
        out(result)
    }
}

impl Core {
    fn run(&self, op: u8, a: &Args, body: &[u8]) -> Result<String, Error> {
        match op {
            op::PKCE => pkce(a.opt_str(0)),
            op::ERROR => Ok(error_of(a.str(0), a.opt_status(1))),
            #[cfg(feature = "oidc")]
            op::DPOP_KEY => oidc::dpop_key(a.str(0), a.str(1)),
            #[cfg(feature = "mcp")]
            op::CLIENT_METADATA => mcp::document(a),
            op::BEGIN => self.begin(a),
            op::STEP => self.step(a, body),
            #[cfg(feature = "mcp")]
            op::STEP_UP => {
                let mut client = self.client.borrow_mut();
                mcp::step_up(client.as_mut().map_err(|e| e.clone())?, a)
            }
            _ => {
                let client = self.client.borrow();
                let client = client.as_ref().map_err(Clone::clone)?;
                run_client(client, op, a)
            }
        }
    }

    /// Starts a flow and returns its first step.
    fn begin(&self, a: &Args) -> Result<String, Error> {
        let now = a.now(1)?;
        let first = {
            let client = self.client.borrow();
            let client = client.as_ref().map_err(Clone::clone)?;
            start(client, a.opt_uint(0), a, now)?
        };
        let id = self.next.get().wrapping_add(1);
        self.next.set(id);
        let (flow, step) = first;
        if !matches!(step, Step::Done(_)) {
            let mut flows = self.flows.borrow_mut();
            if flows.len() >= MAX_FLOWS {
                flows.remove(0);
            }
            flows.push((id, flow));
        }
        self.step_json(id, step)
    }

    /// Resumes flow `id` with what its last step came to.
    fn step(&self, a: &Args, body: &[u8]) -> Result<String, Error> {
        let id = a
            .opt_uint(0)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0);
        let now = a.now(1)?;
        let input = input_of(a, body);
        let mut flows = self.flows.borrow_mut();
        let at = flows
            .iter()
            .position(|(i, _)| *i == id)
            .ok_or(Error::client(ErrorCode::InvalidConfig))?;
        let result = {
            let client = self.client.borrow();
            let client = client.as_ref().map_err(Clone::clone)?;
            let mut jwks = self.jwks.borrow_mut();
            flows
                .get_mut(at)
                .map(|(_, flow)| flow.resume(client, &mut jwks, now, input))
        };
        let step = match result {
            Some(Ok(step)) => step,
            Some(Err(e)) => {
                flows.remove(at);
                return Err(e);
            }
            None => return Err(Error::client(ErrorCode::InvalidConfig)),
        };
        if matches!(step, Step::Done(_)) {
            flows.remove(at);
        }
        drop(flows);
        self.step_json(id, step)
    }

    /// A step as the shell reads it: `{ id, do, ... }`.
    fn step_json(&self, id: u32, step: Step) -> Result<String, Error> {
        let mut o = ObjectWriter::new();
        o.uint("id", u64::from(id));
        match step {
            Step::Fetch(r) => {
                o.str("do", "fetch")
                    .str("url", &r.url)
                    .raw("init", &init_json(&r))
                    .uint("timeoutMs", u64::from(r.timeout_ms))
                    .uint("maxBytes", r.max_bytes as u64);
            }
            #[cfg(feature = "oidc")]
            Step::Verify(v) => oidc::verification(&mut o, &v),
            #[cfg(feature = "oidc")]
            Step::Sign(s) => oidc::signing(&mut o, &s),
            Step::List { storage, prefix } => {
                o.str("do", "list")
                    .str("storage", storage.as_str())
                    .str("prefix", &prefix);
            }
            Step::Store {
                storage,
                remove,
                set,
            } => {
                o.str("do", "store").str("storage", storage.as_str()).raw(
                    "remove",
                    &json::string_array(remove.iter().map(String::as_str)),
                );
                if let Some((k, v)) = &set {
                    o.raw("set", &json::string_array([k.as_str(), v.as_str()]));
                }
            }
            Step::Read { storage, key } => {
                o.str("do", "read")
                    .str("storage", storage.as_str())
                    .str("key", &key);
            }
            Step::Lock { name, timeout_ms } => {
                o.str("do", "lock")
                    .str("name", &name)
                    .uint("timeoutMs", u64::from(timeout_ms));
            }
            Step::Unlock => {
                o.str("do", "unlock");
            }
            Step::Emit { event, broadcast } => {
                o.str("do", "emit")
                    .str("event", event.as_str())
                    .bool("broadcast", broadcast);
            }
            Step::Replace(url) => {
                o.str("do", "replace").str("url", &url);
            }
            Step::Navigate(url) => {
                o.str("do", "navigate").str("url", &url);
            }
            Step::Done(output) => {
                o.str("do", "done");
                let value = match output {
                    Output::Tokens(t) => t.to_json(),
                    Output::Userinfo(json) => json,
                    Output::Pending(p) => p.to_json(),
                    #[cfg(feature = "oidc")]
                    Output::Proof(p) => {
                        let mut s = String::new();
                        json::write_string(&mut s, &p);
                        s
                    }
                    Output::Client(c) => {
                        *self.client.borrow_mut() = Ok(*c);
                        self.info()?
                    }
                    #[cfg(feature = "mcp")]
                    Output::Mcp(a) => {
                        let found = mcp::found(&a);
                        let value = info(&a.client.config, Some(&found));
                        *self.client.borrow_mut() = Ok(a.client);
                        value
                    }
                    _ => String::from("null"),
                };
                o.raw("value", &value);
            }
            #[allow(unreachable_patterns)]
            _ => return Err(Error::client(ErrorCode::InvalidConfig)),
        }
        Ok(o.finish())
    }

    /// The configuration the shell needs: the provider metadata (the `metadata` getter) and `clientId`.
    fn info(&self) -> Result<String, Error> {
        let client = self.client.borrow();
        let c = &client.as_ref().map_err(Clone::clone)?.config;
        Ok(info(c, None))
    }
}

/// The client's info, with what an MCP discovery found (`mcp`, JSON text) where there is that.
fn info(c: &ClientConfig, mcp: Option<&str>) -> String {
    let mut m = ObjectWriter::new();
    metadata(&mut m, c);
    let mut o = ObjectWriter::new();
    o.raw("metadata", &m.finish()).str("clientId", &c.client_id);
    // What the tokens of a DPoP client are bound to (their `cnf.jkt`), for apps that check or show it.
    #[cfg(feature = "oidc")]
    if let Some(key) = &c.dpop {
        o.str("dpopJkt", &key.thumbprint());
    }
    if c.session.is_some() {
        let mut channel = String::from(crate::engine::SESSION_KEY_PREFIX);
        channel.push_str(&c.client_id);
        o.str("channel", &channel);
        // What the page's concurrent `getSession()` calls share one flow by.
        let mut flight = String::from("session\n");
        flight.push_str(&channel);
        o.str("sessionFlight", &flight);
    }
    if let Some(found) = mcp {
        o.raw("mcp", found);
    }
    o.finish()
}

/// The `RequestInit` of a request, complete: the shell adds only the timeout's signal.
fn init_json(r: &HttpRequest) -> String {
    let mut h = ObjectWriter::new();
    for (name, value) in r.headers() {
        h.str(name, value);
    }
    let mut o = ObjectWriter::new();
    o.str("method", r.method())
        .opt_str("body", r.body())
        .raw("headers", &h.finish())
        .str("redirect", HttpRequest::REDIRECT)
        .str("credentials", HttpRequest::CREDENTIALS)
        .str("referrerPolicy", HttpRequest::REFERRER_POLICY);
    o.finish()
}

/// A step's outcome, from the shell's arguments (after `id` and `now`).
fn input_of(a: &Args, body: &[u8]) -> Input {
    match a.str(2) {
        "response" => Input::Response(HttpResponse {
            status: a.opt_status(3).unwrap_or_default(),
            content_type: a.opt_str(4).map(String::from),
            body: Vec::from(body),
            too_large: a.bool(5),
            dpop_nonce: a.opt_str(6).map(String::from),
            www_authenticate: a.opt_str(7).map(String::from),
        }),
        "failed" => Input::Failed(code_of(a.str(3))),
        "verified" => Input::Verified(a.bool(3)),
        "signed" => Input::Signed(Vec::from(body)),
        "entries" => Input::Entries(entries(body)),
        "ok" => Input::Ok,
        // A shell that answers what no step asks for: the flow fails rather than read it as done.
        _ => Input::Failed(ErrorCode::InvalidConfig),
    }
}

/// The `[key, value]` pairs of a storage listing (anything else in it is skipped).
fn entries(body: &[u8]) -> Vec<(String, String)> {
    let Some(Json::Array(items)) = json::parse(body) else {
        return Vec::new();
    };
    items
        .into_iter()
        .filter_map(|item| match item {
            Json::Array(pair) => match <[Json; 2]>::try_from(pair) {
                Ok([Json::String(k), Json::String(v)]) => Some((k, v)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The members of a token set (or a bare token) argument: `member`, the ID token, and the set's
/// `token_type` (when it is a string).
fn token_set_arg(
    text: &str,
    member: &str,
) -> Result<(String, Option<IdToken>, Option<String>), Error> {
    let bad = Error::client(ErrorCode::InvalidConfig);
    match json::parse(text.as_bytes()) {
        Some(Json::String(s)) => Ok((s, None, None)),
        Some(o @ Json::Object(_)) => {
            if !o.strings_typed(&[member, "id_token"]) {
                return Err(bad);
            }
            Ok((
                o.string(member).unwrap_or_default(),
                o.string("id_token").map(IdToken::new),
                o.string("token_type"),
            ))
        }
        _ => Ok((String::new(), None, None)),
    }
}

/// A string member of an options argument (`null` or an object; anything else is `invalid_config`).
fn option(text: &str, name: &str) -> Result<Option<String>, Error> {
    let code = ErrorCode::InvalidConfig;
    let v = input::object(text, true, code)?;
    if !v.strings_typed(&[name]) {
        return Err(Error::client(code));
    }
    Ok(v.string(name))
}

/// The first step of flow `kind` (see [`flow`]).
fn start(
    client: &OAuthClient,
    kind: Option<u64>,
    a: &Args,
    now: u64,
) -> Result<(Flow, Step), Error> {
    match kind.and_then(|k| u8::try_from(k).ok()) {
        Some(flow::EXCHANGE) => {
            let pending = PendingAuthorization::from_json(a.str(3))?;
            Flow::exchange(client, a.str(2), &pending, now)
        }
        Some(flow::CALLBACK) => {
            let pending = match a.0.get(4) {
                Some(Json::String(_)) => Some(a.pending(4)?),
                _ => None,
            };
            Flow::callback(client, a.str(2), a.bool(3), pending, now)
        }
        Some(flow::REFRESH) => {
            let (rt, id_token, _) = token_set_arg(a.json(2), "refresh_token")?;
            let scope = option(a.json(3), "scope")?;
            Flow::refresh(client, &rt, scope.as_deref(), id_token, None, now)
        }
        Some(flow::LOGIN) => {
            let options = input::authorization_options(a.json(2))?;
            Flow::login(client, &options, now)
        }
        Some(flow::AUTHORIZE) => {
            let options = input::authorization_options(a.json(2))?;
            Flow::authorize(client, &options, now)
        }
        Some(flow::SESSION) => Flow::access_token(client),
        Some(flow::SIGN_OUT) => Flow::logout(client),
        Some(flow::FORGET) => Flow::forget(client),
        #[cfg(feature = "mcp")]
        Some(flow::MCP) => mcp::start(client, a),
        #[cfg(feature = "oidc")]
        Some(k) => oidc::start(client, k, a, now),
        _ => Err(Error::client(ErrorCode::InvalidConfig)),
    }
}

/// The operations on a client that are not flows.
fn run_client(client: &OAuthClient, op: u8, a: &Args) -> Result<String, Error> {
    match op {
        op::INFO => Ok(info(&client.config, None)),
        op::START => input::authorization_options(a.json(0))
            .and_then(|o| client.start_authorization(&o, a.now(1)?))
            .map(|p| p.to_json()),
        op::VALIDATE => {
            let p = a.pending(1)?;
            let v = client.validate_callback(a.str(0), &p, a.now(2)?)?;
            let mut o = ObjectWriter::new();
            o.str("code", v.code().secret())
                .str("state", v.state().secret())
                .opt_str("iss", v.iss());
            Ok(o.finish())
        }
        op::FLIGHT => {
            let (rt, ..) = token_set_arg(a.json(0), "refresh_token")?;
            Ok(client.flight_key(&rt))
        }
        #[cfg(feature = "oidc")]
        op::LOGOUT => oidc::logout(client, a),
        _ => Err(Error::client(ErrorCode::InvalidConfig)),
    }
}

/// A PKCE pair: a fresh verifier, or the challenge of a given one (`invalid_verifier`).
fn pkce(verifier: Option<&str>) -> Result<String, Error> {
    let pkce = match verifier {
        Some(v) => Pkce::from_verifier(v),
        None => Pkce::generate(),
    }?;
    let mut o = ObjectWriter::new();
    o.str("codeVerifier", pkce.code_verifier.secret())
        .str("codeChallenge", &pkce.code_challenge)
        .str("codeChallengeMethod", CODE_CHALLENGE_METHOD);
    Ok(o.finish())
}

/// One of this library's codes by name (`invalid_response` for any other).
fn code_of(code: &str) -> ErrorCode {
    ErrorCode::ALL
        .into_iter()
        .find(|c| c.as_str() == code)
        .unwrap_or(ErrorCode::InvalidResponse)
}

/// The error JSON of one of this library's codes, for failures the shell detects itself (an argument
/// it cannot pass, a missing window): the messages live in one place, [`Error::message`].
fn error_of(code: &str, status: Option<u16>) -> String {
    error_json(&Error::Client {
        code: code_of(code),
        status,
    })
}
