//! The authorization request: a URL plus the pending authorization the caller keeps until the callback.

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{check_extra, RESERVED_AUTHORIZATION_PARAMS};
use crate::encoding::{endpoint_query, FormSerializer};
use crate::error::{Error, ErrorCode};
use crate::json::{object, opt_uint, ObjectWriter};
use crate::pkce::{is_valid_verifier, random_token, s256, CODE_CHALLENGE_METHOD};
use crate::types::{CodeVerifier, Nonce, State};
use crate::OAuthClient;

/// Per-call options of [`OAuthClient::start_authorization`].
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct AuthorizationOptions {
    /// Replaces the configured default scope.
    pub scope: Option<String>,
    /// Added to the configured extra parameters; a name given here replaces all configured values of it.
    pub extra_params: Vec<(String, String)>,
    /// `prompt` (e.g. `consent`, `login`); replaces an extra `prompt`.
    pub prompt: Option<String>,
    /// `login_hint`; replaces an extra `login_hint`.
    pub login_hint: Option<String>,
}

/// A started authorization: send the user to `url`, keep the rest until the callback.
///
/// It holds secrets (the verifier): keep it where only this user agent can read it (sessionStorage, an
/// encrypted cookie, server-side session), never in a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PendingAuthorization {
    /// The authorization URL.
    pub url: String,
    /// The `state` sent.
    pub state: State,
    /// The PKCE verifier.
    pub code_verifier: CodeVerifier,
    /// The `nonce` sent, when the scope contains `openid`.
    pub nonce: Option<Nonce>,
    /// The redirect URI sent (must equal the client's at the callback).
    pub redirect_uri: String,
    /// The issuer the request was sent to (mix-up defence, RFC 9700 §4.4).
    pub issuer: Option<String>,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// The `max_age` sent (an extra parameter), in seconds: the ID token's `auth_time` is checked against it.
    pub max_age: Option<u64>,
    /// When `url` stops working, unix seconds: a pushed request's `request_uri` lives `expires_in`
    /// seconds (RFC 9126). Send the user there before then, or start again. `None`: no such limit.
    #[cfg_attr(feature = "serde", serde(default))]
    pub url_expires_at: Option<u64>,
}

impl PendingAuthorization {
    /// The JSON text of the pending authorization, with the member names of the JavaScript API's object
    /// (`url`, `state`, `codeVerifier`, `nonce`, `redirectUri`, `issuer`, `createdAt`, `maxAge`,
    /// `urlExpiresAt`): what
    /// the browser conveniences store, and a form to keep it in (an encrypted cookie, a KV store) that the
    /// JavaScript client reads too. It holds the verifier: never put it in a URL.
    pub fn to_json(&self) -> String {
        let mut o = ObjectWriter::new();
        o.str("url", &self.url)
            .str("state", self.state.secret())
            .str("codeVerifier", self.code_verifier.secret())
            .opt_str("nonce", self.nonce.as_ref().map(|n| n.secret()))
            .str("redirectUri", &self.redirect_uri)
            .opt_str("issuer", self.issuer.as_deref())
            .uint("createdAt", self.created_at)
            .opt_uint("maxAge", self.max_age)
            .opt_uint("urlExpiresAt", self.url_expires_at);
        o.finish()
    }

    /// Reads what [`PendingAuthorization::to_json`] (or the JavaScript client) wrote. Anything malformed
    /// (not a JSON object, a missing or mistyped member, a verifier that is not 43–128 unreserved
    /// characters) is `invalid_pending`.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let code = ErrorCode::InvalidPending;
        let v = &object(text, false, code)?;
        // Types first, so that the reads below cannot fail: one error path, not one per member.
        if !v.strings_typed(&PENDING_STRINGS) {
            return Err(Error::client(code));
        }
        let (Some(state), Some(verifier), Some(redirect_uri)) =
            (v.str("state"), v.str("codeVerifier"), v.str("redirectUri"))
        else {
            return Err(Error::client(code));
        };
        let max_age = opt_uint(v, "maxAge", 9_999_999_999, code)?;
        let url_expires_at = opt_uint(v, "urlExpiresAt", 9_999_999_999, code)?;
        let Some(created_at) = opt_uint(v, "createdAt", 9_999_999_999, code)? else {
            return Err(Error::client(code));
        };
        if !is_valid_verifier(verifier) {
            return Err(Error::client(code));
        }
        Ok(PendingAuthorization {
            url: v.string("url").unwrap_or_default(),
            state: State::new(state),
            code_verifier: CodeVerifier::new(verifier),
            nonce: v.string("nonce").map(Nonce::new),
            redirect_uri: String::from(redirect_uri),
            issuer: v.string("issuer"),
            created_at,
            max_age,
            url_expires_at,
        })
    }
}

/// The string members of a stored pending authorization.
const PENDING_STRINGS: [&str; 6] = [
    "url",
    "state",
    "codeVerifier",
    "nonce",
    "redirectUri",
    "issuer",
];

/// Whether a space-separated scope contains `openid`.
pub(crate) fn has_openid(scope: &str) -> bool {
    scope
        .as_bytes()
        .split(|&b| b == b' ')
        .any(|s| s == b"openid")
}

impl OAuthClient {
    /// Starts an authorization: fresh `state`, PKCE verifier (S256) and, for `openid` scopes, `nonce`.
    ///
    /// `now` is the current time in unix seconds (stored as `created_at`). Fails with `invalid_config` when
    /// an extra parameter names a reserved one, or `random_unavailable` when the platform has no CSPRNG.
    ///
    /// With a pushed authorization request configured (RFC 9126), use the engine's
    /// [`Flow::authorize`](crate::engine::Flow::authorize) or [`Flow::login`](crate::engine::Flow::login)
    /// instead: this is then `invalid_config` (the provider would refuse the URL).
    pub fn start_authorization(
        &self,
        options: &AuthorizationOptions,
        now: u64,
    ) -> Result<PendingAuthorization, Error> {
        if self.pushes()?.is_some() {
            return Err(Error::client(ErrorCode::InvalidConfig));
        }
        self.authorization(options, now, false)
    }

    /// An authorization; with `push`, its `url` is only the parameters to push (`client_id` there only
    /// for `client_secret_basic`: the others' authentication adds it), until the push's `request_uri`
    /// replaces it.
    pub(crate) fn authorization(
        &self,
        options: &AuthorizationOptions,
        now: u64,
        push: bool,
    ) -> Result<PendingAuthorization, Error> {
        if !check_extra(&options.extra_params, &RESERVED_AUTHORIZATION_PARAMS) {
            return Err(Error::client(ErrorCode::InvalidConfig));
        }
        let c = &self.config;
        let scope = options
            .scope
            .as_deref()
            .or(c.scope.as_deref())
            .filter(|s| !s.is_empty());
        let state = random_token()?;
        let verifier = random_token()?;
        let nonce = match scope {
            Some(s) if has_openid(s) => Some(random_token()?),
            _ => None,
        };

        let endpoint = &c.authorization_endpoint;
        let (base, query) = endpoint_query(endpoint);
        let mut q = FormSerializer::with_prefix(String::from(if push { "" } else { query }));
        q.append("response_type", "code");
        // A push's client authentication adds `client_id`, except in the Basic header.
        if !push || matches!(c.client_auth, crate::ClientAuth::ClientSecretBasic(_)) {
            q.append("client_id", &c.client_id);
        }
        q.append("redirect_uri", &c.redirect_uri);
        if let Some(s) = scope {
            q.append("scope", s);
        }
        q.append("state", &state)
            .append("code_challenge", &s256(&verifier))
            .append("code_challenge_method", CODE_CHALLENGE_METHOD);
        if let Some(n) = &nonce {
            q.append("nonce", n);
        }
        #[cfg(feature = "oidc")]
        if let Some(k) = &c.dpop {
            q.append("dpop_jkt", &k.thumbprint());
        }
        // A per-call option replaces every value of its name from the lower layers.
        let by_option = |name: &str| {
            (name == "prompt" && options.prompt.is_some())
                || (name == "login_hint" && options.login_hint.is_some())
        };
        for (name, value) in configured_and_call(c, options).filter(|(n, _)| !by_option(n)) {
            q.append(name, value);
        }
        if let Some(p) = &options.prompt {
            q.append("prompt", p);
        }
        if let Some(h) = &options.login_hint {
            q.append("login_hint", h);
        }
        // `max_age` is checked against the ID token's `auth_time`; it must be a plain integer.
        let mut max_age = None;
        for (name, value) in configured_and_call(c, options) {
            if name == "max_age" {
                max_age = Some(
                    crate::json::parse_uint(value.as_bytes())
                        .ok_or(Error::client(ErrorCode::InvalidConfig))?,
                );
            }
        }
        let mut url = String::from(if push { "" } else { base });
        if !push {
            url.push('?');
        }
        url.push_str(&q.finish());

        Ok(PendingAuthorization {
            url,
            state: State::new(state),
            code_verifier: CodeVerifier::new(verifier),
            nonce: nonce.map(Nonce::new),
            redirect_uri: c.redirect_uri.clone(),
            issuer: c.issuer.clone(),
            created_at: now,
            max_age,
            url_expires_at: None,
        })
    }
}

/// The extra parameters in effect: the configured ones not named per call, then the per-call ones.
fn configured_and_call<'a>(
    c: &'a crate::ClientConfig,
    options: &'a AuthorizationOptions,
) -> impl Iterator<Item = &'a (String, String)> {
    c.extra_authorization_params
        .iter()
        .filter(|(n, _)| !options.extra_params.iter().any(|(m, _)| m == n))
        .chain(options.extra_params.iter())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::parse_form;
    use alloc::vec;

    pub(crate) fn client(endpoint: &str) -> OAuthClient {
        let mut c = crate::fixture::TestClient::new()
            .client_id("spa client")
            .endpoints(endpoint, "https://idp.example/oauth/token")
            .redirect_uri("https://app.example/cb?x=1")
            .config();
        c.scope = Some(String::from("openid profile offline_access"));
        c.issuer = Some(String::from("https://idp.example/"));
        c.extra_authorization_params = vec![
            (String::from("audience"), String::from("api://x y")),
            (String::from("prompt"), String::from("login")),
        ];
        OAuthClient::new(c).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn a_pending_authorization_round_trips_as_json_and_bad_json_is_invalid_pending() {
        let c = client("https://idp.example/authorize");
        let mut p = c
            .start_authorization(&AuthorizationOptions::default(), 1_700_000_000)
            .unwrap_or_else(|_| unreachable!());
        p.max_age = Some(300);
        let json = p.to_json();
        assert!(json.starts_with(r#"{"url":"https://idp.example/authorize?"#));
        assert!(json
            .ends_with(r#","issuer":"https://idp.example/","createdAt":1700000000,"maxAge":300}"#));
        assert_eq!(PendingAuthorization::from_json(&json).ok(), Some(p.clone()));
        p.nonce = None;
        p.issuer = None;
        p.max_age = None;
        assert_eq!(
            PendingAuthorization::from_json(&p.to_json()).ok(),
            Some(p.clone())
        );
        let good = p.to_json();
        for bad in [
            String::from("not json"),
            String::from("[]"),
            String::from("null"),
            good.replace("\"createdAt\":", "\"createdAt\":-"),
            good.replace("\"createdAt\":", "\"createdAt\":\"1\"+"),
            good.replace("codeVerifier", "verifier"),
            good.replace("redirectUri", "redirect"),
            good.replace(p.code_verifier.secret(), "short"),
            good.replace("\"state\":", "\"state\":1,\"x\":"),
            format!("{good} trailing"),
        ] {
            let e = PendingAuthorization::from_json(&bad).err();
            assert_eq!(
                e.as_ref().map(Error::code),
                Some("invalid_pending"),
                "{bad}"
            );
        }
    }

    fn query(url: &str) -> Vec<(String, String)> {
        parse_form(url.split_once('?').map(|(_, q)| q).unwrap_or_default())
    }

    #[test]
    fn builds_the_authorization_url() {
        let c = client("https://idp.example/authorize?tenant=a%20b&");
        let p = c
            .start_authorization(&AuthorizationOptions::default(), 1000)
            .unwrap_or_else(|_| unreachable!());
        assert!(p.url.starts_with(
            "https://idp.example/authorize?tenant=a%20b&response_type=code&client_id=spa+client&"
        ));
        let q = query(&p.url);
        let get = |n: &str| {
            q.iter()
                .filter(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("tenant"), ["a b"]);
        assert_eq!(get("redirect_uri"), ["https://app.example/cb?x=1"]);
        assert_eq!(get("scope"), ["openid profile offline_access"]);
        assert_eq!(get("state"), [p.state.secret()]);
        assert_eq!(
            get("code_challenge"),
            [s256(p.code_verifier.secret()).as_str()]
        );
        assert_eq!(get("code_challenge_method"), ["S256"]);
        assert_eq!(
            get("nonce"),
            [p.nonce.as_ref().map(|n| n.secret()).unwrap_or("missing")]
        );
        assert_eq!(get("audience"), ["api://x y"]);
        assert_eq!(get("prompt"), ["login"]);
        assert!(
            get("code_verifier").is_empty(),
            "the verifier never goes in the URL"
        );
        assert!(!p.url.contains(p.code_verifier.secret()));
        assert_eq!(p.created_at, 1000);
        assert_eq!(p.issuer.as_deref(), Some("https://idp.example/"));
        assert_eq!(
            (p.state.secret().len(), p.code_verifier.secret().len()),
            (43, 43)
        );
    }

    #[test]
    fn per_call_options_replace_defaults() {
        let c = client("https://idp.example/authorize");
        let opts = AuthorizationOptions {
            scope: Some(String::from("read write")),
            extra_params: vec![
                (String::from("resource"), String::from("https://a.example")),
                (String::from("resource"), String::from("https://b.example")),
                (String::from("audience"), String::from("other")),
            ],
            prompt: Some(String::from("consent")),
            login_hint: Some(String::from("a@b.example")),
        };
        let p = c
            .start_authorization(&opts, 0)
            .unwrap_or_else(|_| unreachable!());
        let q = query(&p.url);
        let get = |n: &str| {
            q.iter()
                .filter(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("scope"), ["read write"]);
        assert!(
            p.nonce.is_none() && get("nonce").is_empty(),
            "no nonce without openid"
        );
        assert_eq!(get("resource"), ["https://a.example", "https://b.example"]);
        assert_eq!(get("audience"), ["other"]);
        assert_eq!(get("prompt"), ["consent"]);
        assert_eq!(get("login_hint"), ["a@b.example"]);
    }

    #[test]
    fn reserved_names_are_refused_per_call() {
        let c = client("https://idp.example/authorize");
        for name in RESERVED_AUTHORIZATION_PARAMS {
            let opts = AuthorizationOptions {
                extra_params: vec![(String::from(name), String::new())],
                ..Default::default()
            };
            let e = c
                .start_authorization(&opts, 0)
                .err()
                .and_then(|e| e.client_code());
            assert_eq!(e, Some(ErrorCode::InvalidConfig), "{name}");
        }
    }

    #[test]
    fn each_authorization_is_fresh() {
        let c = client("https://idp.example/authorize");
        let a = c
            .start_authorization(&AuthorizationOptions::default(), 0)
            .unwrap_or_else(|_| unreachable!());
        let b = c
            .start_authorization(&AuthorizationOptions::default(), 0)
            .unwrap_or_else(|_| unreachable!());
        assert_ne!(a.state, b.state);
        assert_ne!(a.code_verifier, b.code_verifier);
        assert_ne!(a.nonce, b.nonce);
    }
}
