//! RFC 9126 pushed authorization requests: the authorization parameters go to the
//! `pushed_authorization_request_endpoint` in a `POST` with the client's authentication, and the browser
//! goes to the authorization endpoint with only `client_id` and the `request_uri` the server answered.

use crate::encoding::{endpoint_query, FormSerializer};
use crate::error::{Error, ErrorCode};
use crate::http::{error_response, is_json_media_type, HttpResponse};
use crate::json::{self, Json};
use crate::token::TokenRequest;
use crate::{OAuthClient, PendingAuthorization};

/// The longest `expires_in` of a `request_uri` accepted, in seconds (RFC 9126 suggests under a minute;
/// anything longer than an hour is not a short-lived reference).
pub const MAX_REQUEST_URI_LIFETIME_SECONDS: u64 = 3600;

impl OAuthClient {
    /// The endpoint authorizations are pushed to, if they are; `invalid_config` when they must be and
    /// there is none.
    pub(crate) fn pushes(&self) -> Result<Option<&str>, Error> {
        let c = &self.config;
        match (
            &c.pushed_authorization_request_endpoint,
            c.require_pushed_authorization_requests,
        ) {
            (Some(u), _) => Ok(Some(u)),
            (None, true) => Err(Error::client(ErrorCode::InvalidConfig)),
            (None, false) => Ok(None),
        }
    }

    /// The push of an authorization made with `push` (see [`OAuthClient::authorization`]): its
    /// parameters plus the client authentication, to `endpoint`.
    pub(crate) fn par_request(
        &self,
        pending: &PendingAuthorization,
        endpoint: &str,
    ) -> TokenRequest {
        let form = FormSerializer::with_prefix(pending.url.clone());
        let mut r = self.authenticated_request(form, None);
        r.url = endpoint.into();
        r
    }

    /// The push's answer: `201` (or `200`) JSON with a non-empty `request_uri` and an `expires_in` of 1 to
    /// [`MAX_REQUEST_URI_LIFETIME_SECONDS`] seconds, else `invalid_response` (an RFC 6749 error object
    /// is a `TokenResponseError`). `pending.url` becomes the authorization URL with `client_id` and
    /// `request_uri` only, usable until `url_expires_at`.
    pub(crate) fn pushed(
        &self,
        r: &HttpResponse,
        pending: &mut PendingAuthorization,
    ) -> Result<(), Error> {
        error_response(r.status, &r.body)?;
        let invalid = Error::response(ErrorCode::InvalidResponse, r.status);
        let doc = match json::parse(&r.body) {
            Some(doc @ Json::Object(_))
                if matches!(r.status, 200 | 201) && is_json_media_type(r.content_type()) =>
            {
                doc
            }
            _ => return Err(invalid),
        };
        let uri = doc
            .str("request_uri")
            .filter(|u| !u.is_empty())
            .ok_or(invalid.clone())?;
        let lifetime = match doc.get("expires_in") {
            Some(Json::Number(n)) => json::parse_uint(n.as_bytes()),
            _ => None,
        };
        let Some(lifetime) =
            lifetime.filter(|s| (1..=MAX_REQUEST_URI_LIFETIME_SECONDS).contains(s))
        else {
            return Err(invalid);
        };
        let (base, query) = endpoint_query(&self.config.authorization_endpoint);
        let mut q = FormSerializer::with_prefix(query.into());
        q.append("client_id", &self.config.client_id)
            .append("request_uri", uri);
        let mut url = alloc::string::String::from(base);
        url.push('?');
        url.push_str(&q.finish());
        pending.url = url;
        pending.url_expires_at = Some(pending.created_at.saturating_add(lifetime));
        Ok(())
    }
}
