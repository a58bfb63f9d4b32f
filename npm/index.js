// Browsers and bundlers: call the default export (`await init()`) once before using the API.
export * from "./pkce_wasm.js";
export { default } from "./pkce_wasm.js";
export * from "./seal.js";
