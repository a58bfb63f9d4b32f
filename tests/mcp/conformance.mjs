// The official MCP conformance suite (npm @modelcontextprotocol/conformance) against the example client
// (examples/mcp-client/client.mjs), every auth scenario, one at a time. Each scenario's checks.json is
// read back and any FAILURE or WARNING fails the run (the suite's own exit code is also checked).
//
//   node tests/mcp/conformance.mjs [<conformance package dir>]     (needs Node >= 22 and pkg/mcp)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const pkgDir = process.argv[2] ?? "node_modules/@modelcontextprotocol/conformance";
const version = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version;
const cli = join(pkgDir, "dist/index.js");
const client = `${process.execPath} ${new URL("../../examples/mcp-client/client.mjs", import.meta.url).pathname}`;

// Every auth scenario this package's client covers (the suite's `auth` list plus the draft ones).
const SCENARIOS = [
  "metadata-default", "metadata-var1", "metadata-var2", "metadata-var3", "basic-cimd",
  "scope-from-www-authenticate", "scope-from-scopes-supported", "scope-omitted-when-undefined",
  "scope-step-up", "scope-retry-limit", "token-endpoint-auth-basic", "token-endpoint-auth-post",
  "token-endpoint-auth-none", "pre-registration", "2025-03-26-oauth-metadata-backcompat",
  "2025-03-26-oauth-endpoint-fallback", "resource-mismatch", "offline-access-scope",
  "offline-access-not-supported",
  // 0.2: the 2026-07-28 revision's issuer checks (RFC 9207 `iss`, metadata `issuer`) and a server move.
  "iss-supported", "iss-not-advertised", "iss-supported-missing", "iss-wrong-issuer", "iss-unexpected",
  "iss-normalized", "metadata-issuer-mismatch", "authorization-server-migration",
];

const listed = spawnSync(process.execPath, [cli, "list", "--client"], { encoding: "utf8", timeout: 30_000 }).stdout;
let failed = 0;
let ran = 0;
let passedChecks = 0;
const started = Date.now();
for (const name of SCENARIOS) {
  const scenario = `auth/${name}`;
  if (!listed.includes(`- ${scenario} `) && !listed.includes(`- ${scenario}\n`)) {
    console.log(`- ${scenario}: not in conformance ${version}`);
    continue;
  }
  ran++;
  const out = mkdtempSync(join(tmpdir(), "mcp-conformance-"));
  try {
    const run = spawnSync(process.execPath, [cli, "client", "--command", client, "--scenario", scenario, "--timeout", "30000", "-o", out], {
      encoding: "utf8",
      timeout: 90_000,
    });
    // The suite writes <out>/auth/<name>-<time>/checks.json.
    const found = readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith("checks.json"));
    const checks = found.length === 1 ? JSON.parse(readFileSync(join(out, String(found[0])), "utf8")) : [];
    const bad = checks.filter((c) => c.status === "FAILURE" || c.status === "WARNING");
    const ok = checks.filter((c) => c.status === "SUCCESS").length;
    if (run.status !== 0 || bad.length || !checks.length) {
      failed++;
      console.log(`✗ ${scenario}: exit ${run.status}, ${ok} passed, ${bad.length} failed or warned`);
      for (const c of bad) console.log(`    ${c.status} ${c.id}: ${c.description}`);
      if (!checks.length || run.status !== 0) console.log((run.stdout + run.stderr).split("\n").slice(-30).join("\n"));
    } else {
      passedChecks += ok;
      console.log(`✓ ${scenario}: ${ok} checks passed`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
console.log(`conformance ${version}: ${ran - failed}/${ran} scenarios, ${passedChecks} checks, ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed || ran < 19 ? 1 : 0);
