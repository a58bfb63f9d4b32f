// `pkce-wasm/mcp`: the OAuth 2.1 + OpenID Connect client with MCP authorization (protected resource
// metadata, client registration, resource indicators, step-up). Browsers and bundlers: call the default
// export (`await init()`) once before using the API.
export { default, initSync } from "./pkce_wasm.js";
export { OAuthClient, authorizeMcp, createPkce, isOAuthError } from "./client.js";
