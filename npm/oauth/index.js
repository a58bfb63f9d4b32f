// `pkce-wasm/oauth`: the OAuth 2.1 client alone (no OpenID Connect, no sealing helpers), the smallest
// package. Browsers and bundlers: call the default export (`await init()`) once before using the API.
export { default, initSync } from "./pkce_wasm.js";
export { OAuthClient, createPkce, isOAuthError } from "./client.js";
