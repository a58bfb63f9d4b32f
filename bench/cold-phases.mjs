// One cold start of a pkce-wasm entry, by phase: the JavaScript (shell and loader) imported, the .wasm read,
// compiled and instantiated, then the first client and authorization URL. Prints JSON: milliseconds per
// phase, and `total` since this process started. `node bench/cold-phases.mjs <pkg dir>`.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { flow } from "./entries/pkce-wasm-flow.mjs"; // the bench entries' client and first URL

const dir = process.argv[2];
const t = [performance.now()];
const m = await import(pathToFileURL(path.join(dir, "index.js")).href); // the browser entry: no wasm yet
t.push(performance.now());
const bytes = readFileSync(path.join(dir, "pkce_wasm_bg.wasm"));
t.push(performance.now());
const module = new WebAssembly.Module(bytes);
t.push(performance.now());
m.initSync({ module });
t.push(performance.now());
flow(m.OAuthClient).start({ authorizationEndpoint: "https://idp.example/authorize", tokenEndpoint: "https://idp.example/token", clientId: "bench", redirectUri: "https://app.example/callback", scope: "api:read offline_access" });
t.push(performance.now());
const [start, imported, read, compiled, instantiated, first] = t;
console.log(JSON.stringify({ startup: start, import: imported - start, read: read - imported, compile: compiled - read, instantiate: instantiated - compiled, first: first - instantiated, total: first }));
