//! MCP (Model Context Protocol) authorization, the client's duties of the 2025-03-26, 2025-06-18 and
//! 2025-11-25 revisions, as decisions of the engine ([`crate::engine::Flow::mcp`]):
//!
//! 1. the MCP server's `401` challenge ([`parse_www_authenticate`]) names its RFC 9728 protected resource
//!    metadata (`resource_metadata`), else the path-inserted well-known URL, then the root one, is
//!    fetched; the document's `resource` must be the server's URL or a parent of it on the same origin
//!    (`resource_mismatch`); its first authorization server is used;
//! 2. the authorization server's metadata, in the spec's order (RFC 8414 path-inserted, OpenID path-
//!    inserted, OpenID path-appended; for a path-less issuer RFC 8414, then OpenID); its `issuer` must be
//!    the one asked for exactly (`issuer_mismatch`) and it must list `S256` (`pkce_unsupported`);
//!    without protected resource metadata (a 2025-03-26 server) the metadata at the server's origin, and
//!    without that the default `/authorize`, `/token` and `/register`;
//! 3. the client: pre-registered credentials, else a Client ID Metadata Document URL where the server
//!    supports them, else credentials this client registered with that issuer before (kept in storage per
//!    issuer, never used with another), else RFC 7591 dynamic client registration;
//! 4. the scope: the configured one, else the challenge's, else the resource's `scopes_supported`, else
//!    none; `offline_access` added only where the authorization server advertises it;
//! 5. RFC 8707 `resource`, exactly as the metadata publishes it, in the authorization request and every
//!    token request (code exchange and refresh).
//!
//! A `403` with `insufficient_scope` asks for a step-up ([`crate::OAuthClient::step_up_scope`]): the union
//! of the old and new scopes, at most [`MAX_STEP_UPS`] times.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

mod challenge;

pub use challenge::{parse_www_authenticate, Challenge, MAX_CHALLENGE_BYTES};

use crate::config::{check_url, same_origin, UrlKind};
use crate::engine::Step;
use crate::http::{error_response, is_json_media_type, json_object, HttpRequest, HttpResponse};
use crate::json::{self, Json, ObjectWriter};
use crate::oidc::ProviderMetadata;
use crate::{ClientAuth, ClientConfig, ClientSecret, Error, ErrorCode, OAuthClient};

/// The most step-up authorizations for one request (so at most three authorizations in all).
pub const MAX_STEP_UPS: u32 = 2;

/// The prefix of the storage keys of dynamically registered credentials:
/// `pkce-wasm:mcp:client:<issuer>`.
pub const REGISTRATION_KEY_PREFIX: &str = "pkce-wasm:mcp:client:";

/// The client id of a client made for an MCP discovery without pre-registered credentials (see
/// [`OAuthClient::for_mcp`]); the discovery replaces it.
pub const UNREGISTERED: &str = "pkce-wasm:unregistered";

const PRM: &str = "/.well-known/oauth-protected-resource";
const OAUTH_AS: &str = "/.well-known/oauth-authorization-server";
const OPENID: &str = "/.well-known/openid-configuration";

/// How the client presents itself where it registers (RFC 7591 metadata) or names its metadata document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct McpOptions {
    /// The MCP server's `WWW-Authenticate` (its `401`), if there was one.
    pub challenge: Option<String>,
    /// `client_name` for dynamic registration.
    pub client_name: Option<String>,
    /// The client's Client ID Metadata Document URL (an `https:` URL with a path), used as its
    /// `client_id` where the authorization server supports them.
    pub client_metadata_url: Option<String>,
    /// `application_type` for dynamic registration (`web` or `native`); by default `native` for a
    /// loopback `http:` redirect URI, else `web`.
    pub application_type: Option<String>,
}

/// What an MCP discovery produced: the client for the authorization server, ready for
/// `start_authorization` / `login` (its scope and `resource` parameters set), and what it found.
#[derive(Debug)]
#[non_exhaustive]
pub struct McpAuthorization {
    /// The client.
    pub client: OAuthClient,
    /// The RFC 8707 resource (absent for a 2025-03-26 server without protected resource metadata).
    pub resource: Option<String>,
    /// How the client got its id: `pre-registered`, `metadata-document`, `stored` or `registered`.
    pub registration: &'static str,
}

/// The Client ID Metadata Document a client publishes at `client_id` (an `https:` URL with a path, the
/// document's own address): `client_id`, `client_name`, `redirect_uris`, `grant_types`
/// (`authorization_code`, `refresh_token`), `response_types` (`code`) and `token_endpoint_auth_method`
/// `none` (a metadata-document client has no secret). `invalid_config` for a `client_id` that cannot be
/// one, no redirect URI or one that is not a valid redirect URI.
pub fn client_metadata_document(
    client_id: &str,
    client_name: &str,
    redirect_uris: &[&str],
) -> Result<String, Error> {
    let ok = is_metadata_document_url(client_id)
        && !client_name.is_empty()
        && !redirect_uris.is_empty()
        && redirect_uris
            .iter()
            .all(|u| check_url(u, UrlKind::RedirectUri));
    if !ok {
        return Err(Error::client(ErrorCode::InvalidConfig));
    }
    let mut o = ObjectWriter::new();
    o.str("client_id", client_id)
        .str("client_name", client_name)
        .raw(
            "redirect_uris",
            &json::string_array(redirect_uris.iter().copied()),
        )
        .raw(
            "grant_types",
            &json::string_array(["authorization_code", "refresh_token"]),
        )
        .raw("response_types", &json::string_array(["code"]))
        .str("token_endpoint_auth_method", "none");
    Ok(o.finish())
}

/// `scheme://authority` and the path (without query) of a URL that passed [`check_url`].
fn split(url: &str) -> (&str, &str) {
    let origin = crate::config::origin(url);
    let rest = url.get(origin.len()..).unwrap_or_default();
    let path = rest
        .bytes()
        .position(|c| c == b'?')
        .map_or(rest, |q| rest.get(..q).unwrap_or_default());
    (origin, path)
}

fn join(parts: &[&str]) -> String {
    parts.concat()
}

/// The path without its terminating slashes.
fn trimmed(path: &str) -> &str {
    let end = path.bytes().rposition(|b| b != b'/').map_or(0, |i| i + 1);
    path.get(..end).unwrap_or_default()
}

/// Whether a scope value names any scope (is not empty or only spaces).
fn any_scope(s: &&str) -> bool {
    s.bytes().any(|b| b != b' ')
}

/// The protected resource metadata URLs of `server` to try, in order (RFC 9728 §3.1, MCP 2025-11-25):
/// the path-inserted one (when the URL has a path), then the root one.
fn resource_metadata_urls(server: &str) -> Vec<String> {
    let (origin, path) = split(server);
    let path = trimmed(path);
    let mut urls = Vec::with_capacity(2);
    if !path.is_empty() {
        urls.push(join(&[origin, PRM, path]));
    }
    urls.push(join(&[origin, PRM]));
    urls
}

/// The authorization server metadata URLs of `issuer`, in the order MCP 2025-11-25 gives.
fn server_metadata_urls(issuer: &str) -> Vec<String> {
    let (origin, path) = split(issuer);
    let path = trimmed(path);
    if path.is_empty() {
        return alloc::vec![join(&[origin, OAUTH_AS]), join(&[origin, OPENID])];
    }
    alloc::vec![
        join(&[origin, OAUTH_AS, path]),
        join(&[origin, OPENID, path]),
        join(&[origin, path, OPENID]),
    ]
}

/// Whether the metadata's `resource` names `server`: the same URL, or a parent of it on the same origin
/// (a path prefix ending at a segment boundary), as RFC 8707 resources may be.
fn resource_matches(resource: &str, server: &str) -> bool {
    if resource == server {
        return true;
    }
    if !check_url(resource, UrlKind::Issuer) {
        return false;
    }
    let ((ro, rp), (so, sp)) = (split(resource), split(server));
    let rp = trimmed(rp);
    ro.eq_ignore_ascii_case(so)
        && sp
            .strip_prefix(rp)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// An array of strings member: absent is `None`; anything but an array of strings is `invalid_response`.
fn strings(doc: &Json, name: &str, status: u16) -> Result<Option<Vec<String>>, Error> {
    match doc.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| match i {
                Json::String(s) => Ok(s.clone()),
                _ => Err(Error::response(ErrorCode::InvalidResponse, status)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(Error::response(ErrorCode::InvalidResponse, status)),
    }
}

fn has(list: &Option<Vec<String>>, item: &str) -> bool {
    list.as_ref().is_some_and(|l| l.iter().any(|s| s == item))
}

/// The authorization server's members the MCP profile reads besides [`ProviderMetadata`].
#[derive(Debug, Default)]
struct ServerExtras {
    registration_endpoint: Option<String>,
    auth_methods: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
    grant_types: Option<Vec<String>>,
    metadata_documents: bool,
}

/// The protected resource's metadata, checked against the server asked.
fn parse_resource_metadata(
    r: &HttpResponse,
    server: &str,
) -> Result<(String, String, Option<Vec<String>>), Error> {
    let doc = json_object(r.status, r.content_type(), &r.body)?;
    let invalid = Error::response(ErrorCode::InvalidResponse, r.status);
    let resource = doc.string("resource").ok_or(invalid.clone())?;
    if !resource_matches(&resource, server) {
        return Err(Error::response(ErrorCode::ResourceMismatch, r.status));
    }
    let servers = strings(&doc, "authorization_servers", r.status)?.unwrap_or_default();
    let issuer = servers
        .into_iter()
        .find(|s| check_url(s, UrlKind::Issuer))
        .ok_or(invalid)?;
    let scopes = strings(&doc, "scopes_supported", r.status)?;
    Ok((resource, issuer, scopes))
}

/// The authorization server's metadata for `issuer` (`legacy`: a 2025-03-26 server's, found at its
/// origin, whose issuer need only be of that origin).
fn parse_server_metadata(
    r: &HttpResponse,
    issuer: &str,
    legacy: bool,
) -> Result<(ProviderMetadata, ServerExtras), Error> {
    let status = r.status;
    let doc = json_object(status, r.content_type(), &r.body)?;
    let invalid = Error::response(ErrorCode::InvalidResponse, status);
    let expected = match (legacy, doc.str("issuer")) {
        (true, Some(i)) if same_origin(i, issuer) && check_url(i, UrlKind::Issuer) => {
            String::from(i)
        }
        (true, Some(_)) => return Err(Error::response(ErrorCode::IssuerMismatch, status)),
        _ => String::from(issuer),
    };
    let meta = crate::oidc::metadata_of(&doc, status, &expected)?;
    let registration_endpoint = match doc.get("registration_endpoint") {
        None | Some(Json::Null) => None,
        Some(Json::String(u)) if check_url(u, UrlKind::Endpoint) && same_origin(u, &expected) => {
            Some(u.clone())
        }
        Some(_) => return Err(invalid),
    };
    let extras = ServerExtras {
        registration_endpoint,
        auth_methods: strings(&doc, "token_endpoint_auth_methods_supported", status)?,
        scopes: strings(&doc, "scopes_supported", status)?,
        grant_types: strings(&doc, "grant_types_supported", status)?,
        metadata_documents: matches!(
            doc.get("client_id_metadata_document_supported"),
            Some(Json::Bool(true))
        ),
    };
    Ok((meta, extras))
}

/// A Client ID Metadata Document URL: `https:`, with a path, no query.
fn is_metadata_document_url(url: &str) -> bool {
    let (_, path) = split(url);
    check_url(url, UrlKind::Issuer)
        && url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        && !trimmed(path).is_empty()
}

/// The credentials a client holds for an authorization server.
#[derive(Clone, Debug)]
struct Credentials {
    client_id: String,
    auth: ClientAuth,
}

impl Credentials {
    fn to_json(&self, issuer: &str, redirect_uri: &str) -> String {
        let mut o = ObjectWriter::new();
        o.uint("v", 1)
            .str("issuer", issuer)
            .str("redirect_uri", redirect_uri)
            .str("client_id", &self.client_id)
            .str("token_endpoint_auth_method", self.auth.method());
        if let ClientAuth::ClientSecretBasic(s) | ClientAuth::ClientSecretPost(s) = &self.auth {
            o.str("client_secret", s.secret());
        }
        o.finish()
    }

    /// Credentials as a registration response or a stored entry gives them (`client_id`, `client_secret`,
    /// `token_endpoint_auth_method`; without a method, RFC 7591's default: `client_secret_basic` when
    /// there is a secret).
    fn from_value(v: &Json) -> Option<Credentials> {
        let client_id = v.string("client_id").filter(|s| !s.is_empty())?;
        if !v.strings_typed(&["client_secret", "token_endpoint_auth_method"]) {
            return None;
        }
        let secret = v
            .str("client_secret")
            .filter(|s| !s.is_empty())
            .map(ClientSecret::new);
        let auth = match (v.str("token_endpoint_auth_method"), secret) {
            (None | Some("none"), None) => ClientAuth::None,
            (None | Some("client_secret_basic"), Some(s)) => ClientAuth::ClientSecretBasic(s),
            (Some("client_secret_post"), Some(s)) => ClientAuth::ClientSecretPost(s),
            (Some("none"), Some(_)) => ClientAuth::None,
            _ => return None,
        };
        Some(Credentials { client_id, auth })
    }
}

/// Everything known once the authorization server is.
#[derive(Debug)]
struct Found {
    config: ClientConfig,
    resource: Option<String>,
    extras: ServerExtras,
    /// The scope the resource asks for (challenge, else `scopes_supported`).
    scope: Option<String>,
    /// The registration key (per issuer).
    key: String,
}

#[derive(Debug)]
enum Stage {
    /// Waiting for protected resource metadata; the URLs left to try.
    Resource { urls: Vec<String> },
    /// Waiting for authorization server metadata.
    Server {
        issuer: String,
        resource: Option<String>,
        scopes: Option<Vec<String>>,
        urls: Vec<String>,
        legacy: bool,
    },
    /// Waiting for the stored registration.
    Stored(Box<Found>),
    /// Waiting for the registration response.
    Registered(Box<Found>),
    /// Waiting for the registration to be stored.
    Saved(Box<McpAuthorization>),
}

/// An MCP discovery under way (see the module documentation).
#[derive(Debug)]
pub(crate) struct McpFlow {
    server: String,
    challenge_scope: Option<String>,
    options: McpOptions,
    stage: Stage,
}

/// What a resumed discovery does next.
#[allow(clippy::large_enum_variant)] // one value per step, moved once (as `Step` itself)
pub(crate) enum Next {
    Go(Box<McpFlow>, Step),
    Done(Box<McpAuthorization>),
}

impl OAuthClient {
    /// The client an MCP discovery starts from: `config` with the MCP server as stand-in endpoints and
    /// without the members the discovery decides (the issuer and the provider's endpoints), validated
    /// like any configuration so that a wrong one fails before any request. An empty `client_id` means
    /// none is pre-registered ([`UNREGISTERED`] stands in).
    pub fn for_mcp(server_url: &str, mut config: ClientConfig) -> Result<Self, Error> {
        if !check_url(server_url, UrlKind::Endpoint) {
            return Err(Error::client(ErrorCode::InvalidConfig));
        }
        if config.client_id.is_empty() {
            config.client_id = String::from(UNREGISTERED);
            config.client_auth = ClientAuth::None;
        }
        config.issuer = None;
        config.authorization_endpoint = String::from(server_url);
        config.token_endpoint = String::from(server_url);
        config.jwks_uri = None;
        config.userinfo_endpoint = None;
        config.end_session_endpoint = None;
        config.revocation_endpoint = None;
        OAuthClient::new(config)
    }

    /// The scope of a step-up authorization: the union of this client's scope and the one the resource's
    /// `403` challenge (`www_authenticate`, with `error="insufficient_scope"`) asks for. `attempts` is how
    /// many step-ups this request already had: from [`MAX_STEP_UPS`] on, `step_up_limit`.
    /// `invalid_challenge` when the challenge does not ask for a scope.
    pub fn step_up_scope(&self, www_authenticate: &str, attempts: u32) -> Result<String, Error> {
        let challenges = parse_www_authenticate(www_authenticate)?;
        let wanted = challenges
            .iter()
            .find(|c| {
                (c.is("Bearer") || c.is("DPoP")) && c.param("error") == Some("insufficient_scope")
            })
            .and_then(|c| c.param("scope"))
            .filter(any_scope)
            .ok_or(Error::client(ErrorCode::InvalidChallenge))?;
        if attempts >= MAX_STEP_UPS {
            return Err(Error::client(ErrorCode::StepUpLimit));
        }
        let mut scope = String::new();
        let current = self.config.scope.as_deref().unwrap_or_default();
        for s in current.split(' ').chain(wanted.split(' ')) {
            if !s.is_empty() && !scope.split(' ').any(|t| t == s) {
                if !scope.is_empty() {
                    scope.push(' ');
                }
                scope.push_str(s);
            }
        }
        Ok(scope)
    }

    fn get(&self, url: &str) -> Step {
        Step::Fetch(self.http(url, None, None))
    }
}

impl McpFlow {
    /// Starts a discovery for the MCP server at `server` (see the module documentation) with `client`
    /// from [`OAuthClient::for_mcp`].
    pub(crate) fn start(
        client: &OAuthClient,
        server: &str,
        options: McpOptions,
    ) -> Result<(Box<McpFlow>, Step), Error> {
        if !check_url(server, UrlKind::Endpoint) {
            return Err(Error::client(ErrorCode::InvalidConfig));
        }
        if let Some(u) = &options.client_metadata_url {
            if !is_metadata_document_url(u) {
                return Err(Error::client(ErrorCode::InvalidConfig));
            }
        }
        let mut challenge_scope = None;
        let mut urls = resource_metadata_urls(server);
        if let Some(value) = &options.challenge {
            let challenges = parse_www_authenticate(value)?;
            if let Some(c) = challenges.iter().find(|c| c.is("Bearer") || c.is("DPoP")) {
                challenge_scope = c.param("scope").filter(any_scope).map(String::from);
                if let Some(u) = c.param("resource_metadata") {
                    if !check_url(u, UrlKind::Endpoint) {
                        return Err(Error::client(ErrorCode::InvalidChallenge));
                    }
                    urls = alloc::vec![String::from(u)];
                }
            }
        }
        urls.reverse();
        let first = urls.pop().unwrap_or_default();
        let flow = McpFlow {
            server: String::from(server),
            challenge_scope,
            options,
            stage: Stage::Resource { urls },
        };
        Ok((Box::new(flow), client.get(&first)))
    }

    /// Goes on with what the last step came to. Storage failures are not fatal here: a registration that
    /// cannot be read is made again, one that cannot be kept is used once.
    pub(crate) fn resume(
        mut self: Box<Self>,
        client: &OAuthClient,
        input: crate::engine::Input,
    ) -> Result<Next, Error> {
        use crate::engine::Input;
        let stage = core::mem::replace(&mut self.stage, Stage::Resource { urls: Vec::new() });
        match (stage, input) {
            (Stage::Stored(found), Input::Failed(ErrorCode::StorageUnavailable)) => {
                self.register(client, found)
            }
            (Stage::Saved(out), Input::Failed(ErrorCode::StorageUnavailable) | Input::Ok) => {
                Ok(Next::Done(out))
            }
            (_, Input::Failed(code)) => Err(Error::client(code)),
            (Stage::Resource { mut urls }, Input::Response(r)) => {
                let r = r.check()?;
                if (400..500).contains(&r.status) {
                    if let Some(next) = urls.pop() {
                        let step = client.get(&next);
                        self.stage = Stage::Resource { urls };
                        return Ok(Next::Go(self, step));
                    }
                    // No protected resource metadata: a 2025-03-26 server, its own authorization server.
                    let (origin, _) = split(&self.server);
                    let issuer = String::from(origin);
                    let urls = alloc::vec![join(&[origin, OAUTH_AS])];
                    return self.server_metadata(client, issuer, None, None, urls, true);
                }
                let (resource, issuer, scopes) = parse_resource_metadata(r, &self.server)?;
                let mut urls = server_metadata_urls(&issuer);
                urls.reverse();
                self.server_metadata(client, issuer, Some(resource), scopes, urls, false)
            }
            (
                Stage::Server {
                    issuer,
                    resource,
                    scopes,
                    urls,
                    legacy,
                },
                Input::Response(r),
            ) => {
                let r = r.check()?;
                if (400..500).contains(&r.status) {
                    if !urls.is_empty() {
                        return self
                            .server_metadata(client, issuer, resource, scopes, urls, legacy);
                    }
                    if !legacy {
                        return Err(Error::response(ErrorCode::InvalidResponse, r.status));
                    }
                    // 2025-03-26: no metadata at all; the default endpoints at the server's origin.
                    let mut config = client.config.clone();
                    config.authorization_endpoint = join(&[&issuer, "/authorize"]);
                    config.token_endpoint = join(&[&issuer, "/token"]);
                    let extras = ServerExtras {
                        registration_endpoint: Some(join(&[&issuer, "/register"])),
                        ..ServerExtras::default()
                    };
                    return self.found(client, config, &issuer, None, None, extras);
                }
                let (meta, extras) = parse_server_metadata(r, &issuer, legacy)?;
                let mut config = client.config.clone();
                meta.apply(&mut config);
                self.found(client, config, &meta.issuer, resource, scopes, extras)
            }
            (Stage::Stored(found), Input::Entries(entries)) => {
                let stored = entries
                    .iter()
                    .find(|(k, _)| *k == found.key)
                    .and_then(|(_, v)| json::parse(v.as_bytes()))
                    .filter(|v| {
                        matches!(v.get("v"), Some(Json::Number(n)) if n == "1")
                            && v.str("issuer") == found.key.strip_prefix(REGISTRATION_KEY_PREFIX)
                            && v.str("redirect_uri") == Some(found.config.redirect_uri.as_str())
                    })
                    .and_then(|v| Credentials::from_value(&v));
                match stored {
                    Some(c) => self.finish(found, c, "stored").map(Next::Done),
                    None => self.register(client, found),
                }
            }
            (Stage::Registered(found), Input::Response(r)) => {
                let r = r.check()?;
                error_response(r.status, &r.body)?;
                let invalid = Error::response(ErrorCode::InvalidResponse, r.status);
                let doc = match json::parse(&r.body) {
                    Some(doc @ Json::Object(_))
                        if matches!(r.status, 200 | 201)
                            && is_json_media_type(r.content_type()) =>
                    {
                        doc
                    }
                    _ => return Err(invalid),
                };
                let creds = Credentials::from_value(&doc).ok_or(invalid)?;
                let set = (
                    found.key.clone(),
                    creds.to_json(
                        found
                            .key
                            .get(REGISTRATION_KEY_PREFIX.len()..)
                            .unwrap_or_default(),
                        &found.config.redirect_uri,
                    ),
                );
                let out = self.finish(found, creds, "registered")?;
                let step = Step::Store {
                    storage: out.client.config.storage,
                    remove: Vec::new(),
                    set: Some(set),
                };
                self.stage = Stage::Saved(out);
                Ok(Next::Go(self, step))
            }
            _ => Err(Error::client(ErrorCode::InvalidConfig)),
        }
    }

    fn server_metadata(
        mut self: Box<Self>,
        client: &OAuthClient,
        issuer: String,
        resource: Option<String>,
        scopes: Option<Vec<String>>,
        mut urls: Vec<String>,
        legacy: bool,
    ) -> Result<Next, Error> {
        let next = urls.pop().unwrap_or_default();
        let step = client.get(&next);
        self.stage = Stage::Server {
            issuer,
            resource,
            scopes,
            urls,
            legacy,
        };
        Ok(Next::Go(self, step))
    }

    /// The authorization server is known: pick the client credentials.
    fn found(
        mut self: Box<Self>,
        client: &OAuthClient,
        config: ClientConfig,
        issuer: &str,
        resource: Option<String>,
        scopes: Option<Vec<String>>,
        extras: ServerExtras,
    ) -> Result<Next, Error> {
        let scope = self
            .challenge_scope
            .take()
            .or_else(|| scopes.map(|s| s.join(" ")))
            .filter(|s| !s.is_empty());
        let found = Box::new(Found {
            key: join(&[REGISTRATION_KEY_PREFIX, issuer]),
            config,
            resource,
            extras,
            scope,
        });
        if client.config.client_id != UNREGISTERED {
            let creds = Credentials {
                client_id: client.config.client_id.clone(),
                auth: client.config.client_auth.clone(),
            };
            return self.finish(found, creds, "pre-registered").map(Next::Done);
        }
        if let (Some(url), true) = (
            &self.options.client_metadata_url,
            found.extras.metadata_documents,
        ) {
            let creds = Credentials {
                client_id: url.clone(),
                auth: ClientAuth::None,
            };
            return self
                .finish(found, creds, "metadata-document")
                .map(Next::Done);
        }
        let step = Step::Read {
            storage: client.config.storage,
            key: found.key.clone(),
        };
        self.stage = Stage::Stored(found);
        Ok(Next::Go(self, step))
    }

    /// RFC 7591 dynamic client registration, with an authentication method the server supports (`none`
    /// first: these clients keep no secret well).
    fn register(
        mut self: Box<Self>,
        client: &OAuthClient,
        found: Box<Found>,
    ) -> Result<Next, Error> {
        let Some(endpoint) = found.extras.registration_endpoint.clone() else {
            return Err(Error::client(ErrorCode::MissingEndpoint));
        };
        let methods = &found.extras.auth_methods;
        let method = match methods {
            None => "none",
            Some(_) if has(methods, "none") => "none",
            Some(_) if has(methods, "client_secret_basic") => "client_secret_basic",
            Some(_) if has(methods, "client_secret_post") => "client_secret_post",
            Some(_) => return Err(Error::client(ErrorCode::RegistrationFailed)),
        };
        let redirect = &found.config.redirect_uri;
        let native = redirect
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
        let application_type = self
            .options
            .application_type
            .as_deref()
            .unwrap_or(if native { "native" } else { "web" });
        let mut body = ObjectWriter::new();
        body.str(
            "client_name",
            self.options.client_name.as_deref().unwrap_or("pkce-wasm"),
        )
        .raw("redirect_uris", &json::string_array([redirect.as_str()]))
        .raw(
            "grant_types",
            &json::string_array(["authorization_code", "refresh_token"]),
        )
        .raw("response_types", &json::string_array(["code"]))
        .str("token_endpoint_auth_method", method)
        .str("application_type", application_type);
        let request = HttpRequest {
            json: Some(body.finish()),
            ..client.http(&endpoint, None, None)
        };
        self.stage = Stage::Registered(found);
        Ok(Next::Go(self, Step::Fetch(request)))
    }

    /// The client for the authorization server: its credentials, the scope and the `resource`.
    fn finish(
        &self,
        found: Box<Found>,
        creds: Credentials,
        registration: &'static str,
    ) -> Result<Box<McpAuthorization>, Error> {
        let Found {
            mut config,
            resource,
            extras,
            scope,
            ..
        } = *found;
        let mut scope = config.scope.take().or(scope);
        if let Some(s) = &mut scope {
            let refresh = extras.grant_types.is_none() || has(&extras.grant_types, "refresh_token");
            if has(&extras.scopes, "offline_access")
                && refresh
                && !s.split(' ').any(|t| t == "offline_access")
            {
                s.push_str(" offline_access");
            }
        }
        config.scope = scope;
        config.client_id = creds.client_id;
        config.client_auth = creds.auth;
        if let Some(r) = &resource {
            for params in [
                &mut config.extra_authorization_params,
                &mut config.extra_token_params,
            ] {
                params.retain(|(n, _)| n != "resource");
                params.push((String::from("resource"), r.clone()));
            }
        }
        Ok(Box::new(McpAuthorization {
            client: OAuthClient::new(config)?,
            resource,
            registration,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            resource_metadata_urls("https://mcp.example/mcp/"),
            [
                "https://mcp.example/.well-known/oauth-protected-resource/mcp",
                "https://mcp.example/.well-known/oauth-protected-resource"
            ]
        );
        assert_eq!(
            resource_metadata_urls("http://localhost:3000?x=1"),
            ["http://localhost:3000/.well-known/oauth-protected-resource"]
        );
        assert_eq!(
            server_metadata_urls("https://auth.example/tenant1"),
            [
                "https://auth.example/.well-known/oauth-authorization-server/tenant1",
                "https://auth.example/.well-known/openid-configuration/tenant1",
                "https://auth.example/tenant1/.well-known/openid-configuration"
            ]
        );
        assert_eq!(
            server_metadata_urls("https://auth.example/"),
            [
                "https://auth.example/.well-known/oauth-authorization-server",
                "https://auth.example/.well-known/openid-configuration"
            ]
        );
    }

    #[test]
    fn resources() {
        let s = "https://mcp.example/a/mcp";
        for ok in [
            s,
            "https://mcp.example",
            "https://mcp.example/",
            "https://MCP.example/a",
            "https://mcp.example/a/",
        ] {
            assert!(resource_matches(ok, s), "{ok}");
        }
        for bad in [
            "https://evil.example/a/mcp",
            "https://mcp.example/a/mc",
            "https://mcp.example/b",
            "http://mcp.example/a/mcp",
            "https://mcp.example:444/a/mcp",
            "https://mcp.example/a/mcp/x",
            "https://mcp.example/a?x",
        ] {
            assert!(!resource_matches(bad, s), "{bad}");
        }
    }
}
