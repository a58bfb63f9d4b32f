//! The other OpenID Connect endpoints: userinfo and RFC 7009 revocation responses, revocation requests
//! and RP-initiated logout URLs.

use alloc::string::String;

use crate::config::{check_url, UrlKind};
use crate::encoding::{endpoint_query, FormSerializer};
use crate::error::{Error, ErrorCode};
use crate::http::error_response;
use crate::http::json_object;
use crate::token::TokenRequest;
use crate::types::IdToken;
use crate::OAuthClient;

/// Validates a userinfo response (OpenID Connect Core §5.3.2): a 200 JSON object whose `sub` equals
/// `expected_subject` (`subject_mismatch`). Returns its JSON text. A non-2xx with an RFC 6750 error object is
/// a `TokenResponseError`; anything else (a signed `application/jwt` response included) is
/// `invalid_response`.
pub fn parse_userinfo(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    expected_subject: &str,
) -> Result<String, Error> {
    error_response(status, body)?;
    let obj = json_object(status, content_type, body)?;
    match obj.str("sub") {
        Some(sub) if sub == expected_subject => String::from_utf8(body.to_vec())
            .map_err(|_| Error::response(ErrorCode::InvalidResponse, status)),
        Some(_) => Err(Error::response(ErrorCode::SubjectMismatch, status)),
        None => Err(Error::response(ErrorCode::InvalidResponse, status)),
    }
}

/// Validates a revocation response (RFC 7009 §2.2): any 200 is success (the body is ignored); an error
/// object is a `TokenResponseError`; anything else is `invalid_response`.
pub fn parse_revocation_response(status: u16, body: &[u8]) -> Result<(), Error> {
    error_response(status, body)?;
    if status == 200 {
        Ok(())
    } else {
        Err(Error::response(ErrorCode::InvalidResponse, status))
    }
}

/// Options of an RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0).
#[derive(Clone, Debug, Default)]
pub struct LogoutOptions {
    /// `id_token_hint`. It puts the ID token in a URL (the specification's GET binding); leave it out
    /// where that matters: `client_id` is always sent and identifies the client instead.
    pub id_token_hint: Option<IdToken>,
    /// `post_logout_redirect_uri`: an absolute `https:` URL (`http:` on loopback) registered with the provider.
    pub post_logout_redirect_uri: Option<String>,
    /// `state`, returned to the post-logout redirect URI.
    pub state: Option<String>,
}

impl OAuthClient {
    /// The RP-initiated logout URL at `end_session_endpoint` (`missing_endpoint` without one): its own
    /// query kept, then `client_id`, `id_token_hint`, `post_logout_redirect_uri` and `state` as given.
    /// `invalid_config` for a bad `post_logout_redirect_uri`.
    pub fn logout_url(&self, options: &LogoutOptions) -> Result<String, Error> {
        let endpoint = self
            .config
            .end_session_endpoint
            .as_deref()
            .ok_or(Error::client(ErrorCode::MissingEndpoint))?;
        let (base, query) = endpoint_query(endpoint);
        let mut q = FormSerializer::with_prefix(String::from(query));
        q.append("client_id", &self.config.client_id);
        if let Some(hint) = &options.id_token_hint {
            q.append("id_token_hint", hint.secret());
        }
        if let Some(uri) = &options.post_logout_redirect_uri {
            if !check_url(uri, UrlKind::RedirectUri) {
                return Err(Error::client(ErrorCode::InvalidConfig));
            }
            q.append("post_logout_redirect_uri", uri);
        }
        if let Some(state) = &options.state {
            q.append("state", state);
        }
        let mut url = String::from(base);
        url.push('?');
        url.push_str(&q.finish());
        Ok(url)
    }

    /// An RFC 7009 revocation request for `token` (with `token_type_hint` if given) at
    /// `revocation_endpoint` (`missing_endpoint` without one), authenticated like token requests.
    pub fn revocation_request(
        &self,
        token: &str,
        token_type_hint: Option<&str>,
    ) -> Result<TokenRequest, Error> {
        let url = self
            .config
            .revocation_endpoint
            .clone()
            .ok_or(Error::client(ErrorCode::MissingEndpoint))?;
        if token.is_empty() {
            return Err(Error::client(ErrorCode::InvalidConfig));
        }
        let mut form = FormSerializer::default();
        form.append("token", token);
        if let Some(hint) = token_type_hint {
            form.append("token_type_hint", hint);
        }
        let mut request = self.authenticated_request(form, None);
        request.url = url;
        Ok(request)
    }
}
