// pkce-wasm: everything (OpenID Connect and the sealing helpers included).
import init, { OAuthClient, initSync } from "pkce-wasm";
import { flow } from "./pkce-wasm-flow.mjs";
export { init, initSync }; // initSync: for the cold-start phases (bench/run.mjs)
export const { start, finish, refresh } = flow(OAuthClient);
