export * from "./pkce_wasm.js";
export { default } from "./pkce_wasm.js";
export * from "./seal.js";
