// Cloudflare Workers (the `workerd` export condition): Workers cannot compile wasm from bytes at run time,
// so the .wasm is imported as a WebAssembly.Module (Wrangler's default rule for .wasm) and instantiated
// synchronously. `import { OAuthClient } from "pkce-wasm"` is then ready to use.
import wasm from "./pkce_wasm_bg.wasm";
import { initSync } from "./pkce_wasm.js";

initSync({ module: wasm });
export * from "./index.js";
export { default } from "./pkce_wasm.js";
