// Browsers and bundlers: call the default export (`await init()`) once before using the API.
export { default, initSync } from "./pkce_wasm.js";
export { OAuthClient, createDpopKey, createPkce, isOAuthError } from "./client.js";
export * from "./seal.js";
