// scripts/loader.mjs <dir>: replaces wasm-bindgen's generated glue in <dir> (pkce_wasm.js) with the
// package's own loader (npm/loader.mjs), after checking that the core's imports and exports are the ones
// the loader knows: any other import (a new web-sys or js-sys call in the npm core) fails the build.
import { readFileSync, writeFileSync } from "node:fs";

const dir = process.argv[2];
const module = new WebAssembly.Module(readFileSync(`${dir}/pkce_wasm_bg.wasm`));
const imports = WebAssembly.Module.imports(module);
const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
const known = (i) => i.module === "./pkce_wasm_bg.js" && (i.name.startsWith("__wbg___wbindgen_throw_") || i.name === "__wbindgen_init_externref_table");
const unknown = imports.filter((i) => !known(i));
const missing = ["memory", "core_new", "core_call", "__wbg_core_free", "__wbindgen_malloc", "__wbindgen_free", "__wbindgen_start", "__wbindgen_externrefs"].filter((e) => !exports.has(e));
if (unknown.length || missing.length) {
  console.error(`scripts/loader.mjs: ${dir}: the core's ABI is not the loader's: imports ${JSON.stringify(unknown)}, missing exports ${missing}`);
  process.exit(1);
}
const thrower = imports.find((i) => i.name.startsWith("__wbg___wbindgen_throw_"))?.name ?? "__wbg___wbindgen_throw";
const loader = readFileSync(new URL("../npm/loader.mjs", import.meta.url), "utf8");
const marker = 'const THROW = "__wbg___wbindgen_throw";';
if (!loader.includes(marker)) throw new Error("npm/loader.mjs: the THROW constant is gone");
writeFileSync(`${dir}/pkce_wasm.js`, loader.replace(marker, `const THROW = ${JSON.stringify(thrower)};`));
