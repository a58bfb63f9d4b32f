//! The core's MCP authorization operations (the `mcp` feature): the discovery flow's arguments, its
//! result, and the step-up scope.

use alloc::string::String;

use super::{input, Args};
use crate::engine::{Flow, Step};
use crate::json::ObjectWriter;
use crate::mcp::{McpAuthorization, McpOptions};
use crate::{Error, ErrorCode, OAuthClient};

/// `[serverUrl, challenge?, options?]` (`options`: `{ clientName, clientMetadataUrl,
/// applicationType }`, JSON text): the discovery's first step.
pub(super) fn start(client: &OAuthClient, a: &Args) -> Result<(Flow, Step), Error> {
    let code = ErrorCode::InvalidConfig;
    let o = input::object(a.json(4), true, code)?;
    let names = ["clientName", "clientMetadataUrl", "applicationType"];
    if !o.strings_typed(&names) {
        return Err(Error::client(code));
    }
    let options = McpOptions {
        challenge: a.opt_str(3).map(String::from),
        client_name: o.string("clientName"),
        client_metadata_url: o.string("clientMetadataUrl"),
        application_type: o.string("applicationType"),
    };
    Flow::mcp(client, a.str(2), options)
}

/// What the shell learns besides the client's info: `{ resource?, scope?, registration }`.
pub(super) fn found(a: &McpAuthorization) -> String {
    let mut o = ObjectWriter::new();
    o.opt_str("resource", a.resource.as_deref())
        .opt_str("scope", a.client.config.scope.as_deref())
        .str("registration", a.registration);
    o.finish()
}

/// `[clientId, clientName, redirectUris]` → a Client ID Metadata Document.
pub(super) fn document(a: &Args) -> Result<String, Error> {
    let uris = match crate::json::parse(a.json(2).as_bytes()) {
        Some(crate::json::Json::Array(items)) => items
            .into_iter()
            .map(|i| match i {
                crate::json::Json::String(s) => Ok(s),
                _ => Err(Error::client(ErrorCode::InvalidConfig)),
            })
            .collect::<Result<alloc::vec::Vec<_>, _>>()?,
        _ => return Err(Error::client(ErrorCode::InvalidConfig)),
    };
    let refs: alloc::vec::Vec<&str> = uris.iter().map(String::as_str).collect();
    crate::mcp::client_metadata_document(a.str(0), a.str(1), &refs)
}

/// `[challenge, attempts]` → the step-up scope, which becomes the client's.
pub(super) fn step_up(client: &mut OAuthClient, a: &Args) -> Result<String, Error> {
    let attempts = a.opt_uint(1).unwrap_or(u64::MAX);
    let scope = client.step_up_scope(a.str(0), u32::try_from(attempts).unwrap_or(u32::MAX))?;
    client.config.scope = Some(scope.clone());
    Ok(scope)
}
