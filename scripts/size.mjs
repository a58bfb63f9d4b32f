// Prints the shipped size of each entry point of pkg/ (its .wasm plus the JavaScript a browser loads for
// it): raw, gzip -9 and brotli -q 11. Fails when an entry's brotli total is above its budget
// (deterministic, so fine as a CI gate).
import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const entries = [
  {
    // The OAuth 2.1 client (no OpenID Connect, no sealing helpers). The budget is the size measured on
    // 2026-12-03 (30,499 B) plus 1%: the decision engine took over the flows the shell used to run
    // (+4.9 KB), managed sessions came (+3.3 KB), then pushed authorization requests (RFC 9126, +1.0 KB)
    // the JSON request body of registrations (+0.3 KB) and the signing steps of private_key_jwt and DPoP (+0.2 KB); then the core stopped importing
    // randomness (−0.36 KB) and the generated glue gave way to the package's own loader (−0.53 KB).
    // Raised once, to 30,853 B plus 0.5%, for a review's fixes (2026-12-03, later): the code exchange
    // checks its pending authorization, a bare refresh drops an ID token it cannot check, callback
    // `error` values are checked, requests carry no Referer, a refresh's scope replaces a configured one,
    // the shared IndexedDB store lets its connection go, `dpopJkt`. It holds the line; #15's 9,700 B
    // target needs a product decision (see README, Size).
    name: "pkce-wasm/oauth",
    budget: Number(process.env.PKCE_WASM_SIZE_BUDGET_OAUTH ?? 31_000),
    files: ["pkg/oauth/pkce_wasm_bg.wasm", "pkg/oauth/pkce_wasm.js", "pkg/oauth/client.js", "pkg/oauth/index.js"],
  },
  {
    // Everything: OpenID Connect and the sealing helpers too (before any tree shaking of the latter).
    name: "pkce-wasm",
    // Measured 44,289 B on 2026-12-03 (private_key_jwt +1.6 KB, DPoP +2.9 KB, then DPoP at userinfo, the
    // resource servers' nonces, EdDSA DPoP keys and the pushed URL's lifetime +0.9 KB, and the loader and
    // entropy savings above −0.9 KB), plus 1%; then 44,878 B plus 0.5% with the fixes above (the ID
    // token checks' errors also carry the token response's status). #15's target is 14,000 B.
    budget: Number(process.env.PKCE_WASM_SIZE_BUDGET ?? 45_100),
    files: ["pkg/pkce_wasm_bg.wasm", "pkg/pkce_wasm.js", "pkg/client.js", "pkg/index.js", "pkg/seal.js"],
  },
  {
    // OAuth 2.1 + OpenID Connect + MCP authorization (no sealing helpers): its own entry, so that the
    // others do not carry the MCP code. Measured 52,665 B on 2026-12-03 (with the changes above), plus 1%;
    // then 53,264 B plus 0.5% with the fixes above.
    name: "pkce-wasm/mcp",
    budget: Number(process.env.PKCE_WASM_SIZE_BUDGET_MCP ?? 53_550),
    files: ["pkg/mcp/pkce_wasm_bg.wasm", "pkg/mcp/pkce_wasm.js", "pkg/mcp/client.js", "pkg/mcp/index.js"],
  },
];

const measure = (file) => {
  const b = readFileSync(file);
  return {
    raw: b.length,
    gzip: gzipSync(b, { level: 9 }).length,
    brotli: brotliCompressSync(b, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length },
    }).length,
  };
};
const row = (name, s) =>
  `${name.padEnd(30)} ${String(s.raw).padStart(8)} ${String(s.gzip).padStart(8)} ${String(s.brotli).padStart(8)}`;

let failed = false;
for (const entry of entries) {
  console.log(`${`${entry.name} (bytes)`.padEnd(30)} ${"raw".padStart(8)} ${"gzip -9".padStart(8)} ${"brotli".padStart(8)}`);
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const file of entry.files) {
    const s = measure(file);
    console.log(row(file, s));
    for (const k of Object.keys(total)) total[k] += s[k];
  }
  console.log(row("total", total));
  if (total.brotli > entry.budget) {
    console.error(`size gate: ${entry.name} is ${total.brotli} B brotli, above its budget of ${entry.budget} B`);
    failed = true;
  } else {
    console.log(`size gate: ${entry.name} ${total.brotli} B brotli <= ${entry.budget} B budget\n`);
  }
}
if (failed) process.exit(1);
