// `pkce-wasm/mcp`: the OAuth 2.1 + OpenID Connect client with MCP authorization (protected resource
// metadata, client registration, resource indicators, step-up). Browsers and bundlers: call the default
// export (`await init()`) once before using the API.
import { OAuthClient } from "./client.js";

export { default, initSync } from "./pkce_wasm.js";
export { OAuthClient, clientMetadataDocument, createDpopKey, createPkce, isOAuthError } from "./client.js";

/**
 * "A token for this MCP server": discovery (`OAuthClient.discoverMcp`), then the authorization. With
 * `options.redirect`, in a browser, the window goes to the authorization server (`login()`; the callback
 * page calls `handleCallback()`); otherwise the pending authorization is handed back, for the app to send
 * the user to `pending.url` and finish with `client.handleCallback(callbackUrl, pending)`.
 */
export async function authorizeMcp(serverUrl, config, options) {
  const client = await OAuthClient.discoverMcp(serverUrl, config, options);
  if (options?.redirect) {
    await client.login();
    return { client };
  }
  // Pushed first where the authorization server requires it (RFC 9126).
  return { client, pending: await client.authorize() };
}
