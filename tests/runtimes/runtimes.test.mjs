// The same low-level flow in Node 22, Deno and Bun (all installed from npm), against the real embedded
// authorization server: the package is runtime-agnostic.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, symlinkSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startIdp } from "../../idp/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const bin = (name) => path.join(root, "node_modules/.bin", name);
let idp;

before(async () => {
  idp = await startIdp();
  // Resolve "pkce-wasm" to the built package, as an installed dependency would.
  rmSync(path.join(here, "node_modules"), { recursive: true, force: true });
  mkdirSync(path.join(here, "node_modules"), { recursive: true });
  symlinkSync(path.join(root, "pkg"), path.join(here, "node_modules/pkce-wasm"), "dir");
  writeFileSync(path.join(here, "package.json"), JSON.stringify({ private: true, type: "module" }) + "\n");
});
after(async () => {
  await idp?.close();
  rmSync(path.join(here, "node_modules"), { recursive: true, force: true });
  rmSync(path.join(here, "package.json"), { force: true });
});

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: here, timeout: 60_000, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").at(-1)));
    });
  });
}

const flowArgs = () => [idp.issuer, idp.endpoints.authorization, idp.endpoints.token];
const expected = ["pkce", "start", "consent", "forged-rejected", "exchange", "refresh"];

for (const entry of ["pkce-wasm", "pkce-wasm/oauth"]) {
  for (const [name, cmd, args] of [
    ["node", bin("node"), ["flow.mjs"]],
    ["deno", bin("deno"), ["run", "--allow-net=127.0.0.1", "--allow-read", "--allow-env", "flow.mjs"]],
    ["bun", bin("bun"), ["flow.mjs"]],
  ]) {
    test(`${name}, ${entry}: start, scripted consent, exchange, refresh`, async () => {
      const before = idp.log.length;
      const result = await run(cmd, [...args, ...flowArgs(), entry]);
      console.log(`# ${result.runtime} (${entry}): ${result.steps.join(" -> ")}`);
      assert.equal(result.error, undefined);
      assert.deepEqual(result.steps, expected);
      assert.match(result.runtime, new RegExp(`^${name} `));
      const grants = idp.log.slice(before).map((r) => r.grant_type);
      assert.deepEqual(grants, ["authorization_code", "refresh_token"], "the forged callback sent nothing");
    });
  }
}
