// pkce-wasm: everything (OpenID Connect and the sealing helpers included).
import init, { OAuthClient } from "pkce-wasm";
import { flow } from "./pkce-wasm-flow.mjs";
export { init };
export const { start, finish, refresh } = flow(OAuthClient);
