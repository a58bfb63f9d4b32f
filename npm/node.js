// Node, Deno and Bun (the `node`, `deno` and `bun` export conditions): the .wasm is read next to this file
// and instantiated synchronously at import, so the API is ready to use.
import { readFileSync } from "node:fs";
import { initSync } from "./pkce_wasm.js";

initSync({ module: readFileSync(new URL("./pkce_wasm_bg.wasm", import.meta.url)) });
export * from "./index.js";
export { default } from "./pkce_wasm.js";
