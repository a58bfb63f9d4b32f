export * from "./client.js";
export { default, initSync } from "./pkce_wasm.js";
export type { InitInput, InitOutput, SyncInitInput } from "./pkce_wasm.js";
export * from "./seal.js";
