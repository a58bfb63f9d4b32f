// pkce-wasm/oauth: the OAuth 2.1 entry (no OpenID Connect, no sealing helpers); the same flow as pkce-wasm.
import initWasm, { OAuthClient, initSync } from "pkce-wasm/oauth";
import { flow } from "./pkce-wasm-flow.mjs";
// In the browser bundle the core sits next to it under its own name (the full package's is pkce_wasm_bg.wasm).
export const init = () => initWasm({ module_or_path: new URL("pkce_wasm_oauth_bg.wasm", import.meta.url) });
export const { start, finish, refresh } = flow(OAuthClient);
export { initSync }; // for the cold-start phases (bench/run.mjs)
