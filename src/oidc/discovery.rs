//! OpenID Connect Discovery 1.0 and RFC 8414: the discovery URLs of an issuer and the checks on its
//! metadata document.

use alloc::string::String;

use crate::config::{check_url, same_origin, UrlKind};
use crate::error::{Error, ErrorCode};
use crate::http::json_object;
use crate::json::Json;
use crate::{ClientConfig, CODE_CHALLENGE_METHOD};

/// The OpenID discovery path (OpenID Connect Discovery 1.0 §4), appended to the issuer.
pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
/// The RFC 8414 metadata path, inserted between the issuer's host and its path.
pub const OAUTH_AUTHORIZATION_SERVER: &str = "/.well-known/oauth-authorization-server";

/// The two discovery URLs of an issuer, in the order to try them: OpenID Connect Discovery
/// (`{issuer}/.well-known/openid-configuration`), then RFC 8414 with its path-insertion rule
/// (`https://host/.well-known/oauth-authorization-server/{path}`). `invalid_config` when the issuer is not
/// an absolute `https:` URL (`http:` on loopback) without query and fragment.
pub fn discovery_urls(issuer: &str) -> Result<[String; 2], Error> {
    if !check_url(issuer, UrlKind::Issuer) {
        return Err(Error::client(ErrorCode::InvalidConfig));
    }
    // Byte positions only (no string searchers: they bring panicking code into the wasm). check_url
    // guarantees `scheme://authority`; the path starts at the first '/' after the authority.
    let bytes = issuer.as_bytes();
    let trailing = bytes.iter().rev().take_while(|&&b| b == b'/').count();
    let after_scheme = bytes.iter().position(|&b| b == b':').map_or(0, |i| i + 3);
    let path_start = bytes
        .iter()
        .skip(after_scheme)
        .position(|&b| b == b'/')
        .map_or(bytes.len(), |i| i + after_scheme);
    let end = bytes.len() - trailing;
    let piece = |from: usize, to: usize| issuer.get(from..to.max(from)).unwrap_or_default();
    let mut openid = String::from(piece(0, end));
    openid.push_str(OPENID_CONFIGURATION);
    let mut rfc8414 = String::from(piece(0, path_start));
    rfc8414.push_str(OAUTH_AUTHORIZATION_SERVER);
    rfc8414.push_str(piece(path_start, end));
    Ok([openid, rfc8414])
}

/// What the client takes from a discovery document.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ProviderMetadata {
    /// `issuer`, equal to the one asked for.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `jwks_uri`.
    pub jwks_uri: Option<String>,
    /// `userinfo_endpoint`.
    pub userinfo_endpoint: Option<String>,
    /// `end_session_endpoint`.
    pub end_session_endpoint: Option<String>,
    /// `revocation_endpoint`.
    pub revocation_endpoint: Option<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207): callbacks must then carry `iss`.
    pub require_iss: bool,
    /// `pushed_authorization_request_endpoint` (RFC 9126), on the token endpoint's origin.
    pub pushed_authorization_request_endpoint: Option<String>,
    /// `require_pushed_authorization_requests`.
    pub require_pushed_authorization_requests: bool,
}

impl ProviderMetadata {
    /// Copies the provider's endpoints and issuer into `config` (`require_iss` is only ever turned on).
    pub fn apply(&self, config: &mut ClientConfig) {
        config.issuer = Some(self.issuer.clone());
        config.authorization_endpoint = self.authorization_endpoint.clone();
        config.token_endpoint = self.token_endpoint.clone();
        config.require_iss |= self.require_iss;
        config.jwks_uri = self.jwks_uri.clone();
        config.userinfo_endpoint = self.userinfo_endpoint.clone();
        config.end_session_endpoint = self.end_session_endpoint.clone();
        config.revocation_endpoint = self.revocation_endpoint.clone();
        // Pushed when the provider or the config requires it (a provider that offers it is not enough:
        // some only accept it from clients enabled for it).
        config.require_pushed_authorization_requests |= self.require_pushed_authorization_requests;
        if config.require_pushed_authorization_requests {
            config.pushed_authorization_request_endpoint =
                self.pushed_authorization_request_endpoint.clone();
        }
    }
}

/// Validates a discovery document fetched for `expected_issuer`.
///
/// `issuer_mismatch` unless its `issuer` equals `expected_issuer` exactly; `pkce_unsupported` unless
/// `code_challenge_methods_supported` lists `S256` (RFC 8414: absent means no PKCE); `invalid_response` for
/// anything malformed, a missing `authorization_endpoint` or `token_endpoint`, or an endpoint that is not
/// `https:` (`http:` on loopback).
pub fn parse_discovery(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    expected_issuer: &str,
) -> Result<ProviderMetadata, Error> {
    metadata_of(
        &json_object(status, content_type, body)?,
        status,
        expected_issuer,
    )
}

/// [`parse_discovery`] on a document already read (a 200 JSON object).
pub(crate) fn metadata_of(
    doc: &Json,
    status: u16,
    expected_issuer: &str,
) -> Result<ProviderMetadata, Error> {
    let invalid = Error::response(ErrorCode::InvalidResponse, status);
    if doc.str("issuer").ok_or(invalid.clone())? != expected_issuer {
        return Err(Error::response(ErrorCode::IssuerMismatch, status));
    }
    let s256 = matches!(doc.get("code_challenge_methods_supported"),
        Some(Json::Array(methods)) if methods.iter().any(|m| matches!(m, Json::String(s) if s == CODE_CHALLENGE_METHOD)));
    if !s256 {
        return Err(Error::response(ErrorCode::PkceUnsupported, status));
    }
    let endpoint = |name: &str| -> Result<Option<String>, Error> {
        match doc.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(u)) if check_url(u, UrlKind::Endpoint) => Ok(Some(u.clone())),
            Some(_) => Err(invalid.clone()),
        }
    };
    let token_endpoint = endpoint("token_endpoint")?.ok_or(invalid.clone())?;
    let par = endpoint("pushed_authorization_request_endpoint")?;
    if par
        .as_deref()
        .is_some_and(|u| !same_origin(u, &token_endpoint))
    {
        return Err(invalid);
    }
    Ok(ProviderMetadata {
        issuer: String::from(expected_issuer),
        authorization_endpoint: endpoint("authorization_endpoint")?.ok_or(invalid.clone())?,
        token_endpoint,
        pushed_authorization_request_endpoint: par,
        require_pushed_authorization_requests: matches!(
            doc.get("require_pushed_authorization_requests"),
            Some(Json::Bool(true))
        ),
        jwks_uri: endpoint("jwks_uri")?,
        userinfo_endpoint: endpoint("userinfo_endpoint")?,
        end_session_endpoint: endpoint("end_session_endpoint")?,
        revocation_endpoint: endpoint("revocation_endpoint")?,
        require_iss: matches!(
            doc.get("authorization_response_iss_parameter_supported"),
            Some(Json::Bool(true))
        ),
    })
}
