// Prints the shipped size of pkg/ (the .wasm plus the JS glue): raw, gzip -9 and brotli -q 11.
// Fails when the brotli total is above the budget (deterministic, so fine as a CI gate).
import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

// The target is 24 KiB; today's figure plus a small margin gates regressions until the size work lands.
const BUDGET_BROTLI = Number(process.env.PKCE_WASM_SIZE_BUDGET ?? 32 * 1024);
// Everything a browser loads for `import ... from "pkce-wasm"` (before any tree shaking of the seal helpers).
const files = ["pkg/pkce_wasm_bg.wasm", "pkg/pkce_wasm.js", "pkg/client.js", "pkg/index.js", "pkg/seal.js"];
const sizes = files.map((f) => {
  const b = readFileSync(f);
  return {
    file: f,
    raw: b.length,
    gzip: gzipSync(b, { level: 9 }).length,
    brotli: brotliCompressSync(b, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length },
    }).length,
  };
});
const total = sizes.reduce((t, s) => ({ raw: t.raw + s.raw, gzip: t.gzip + s.gzip, brotli: t.brotli + s.brotli }), {
  raw: 0, gzip: 0, brotli: 0,
});
const row = (name, s) => `${name.padEnd(24)} ${String(s.raw).padStart(8)} ${String(s.gzip).padStart(8)} ${String(s.brotli).padStart(8)}`;
console.log(`${"shipped size (bytes)".padEnd(24)} ${"raw".padStart(8)} ${"gzip -9".padStart(8)} ${"brotli".padStart(8)}`);
for (const s of sizes) console.log(row(s.file, s));
console.log(row("total", total));
if (total.brotli > BUDGET_BROTLI) {
  console.error(`size gate: ${total.brotli} B brotli is above the budget of ${BUDGET_BROTLI} B`);
  process.exit(1);
}
console.log(`size gate: ${total.brotli} B brotli <= ${BUDGET_BROTLI} B budget`);
