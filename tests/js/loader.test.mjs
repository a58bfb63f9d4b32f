// The package's own loader (npm/loader.mjs, shipped as pkce_wasm.js) in fresh Node processes: every way
// `init` takes the core (a URL over HTTP with and without `application/wasm`, a Response, bytes, a
// Module), a failed load that a second call retries, `initSync` after `init`; and the build-time check
// (scripts/loader.mjs) that refuses a core whose imports the loader does not provide.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const pkg = new URL("../../pkg/", import.meta.url);
const wasm = readFileSync(new URL("pkce_wasm_bg.wasm", pkg));
let server, origin;
before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/missing.wasm") return res.writeHead(404).end();
    res.writeHead(200, { "content-type": req.url === "/plain.wasm" ? "application/octet-stream" : "application/wasm" }).end(wasm);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));

/**
 * Runs `body` (an async function body with `init`, `initSync`, `createPkce`, the core's `bytes` and `pkce`,
 * the RFC 7636 example's challenge as computed) in a fresh process, asynchronously so that this process's
 * server keeps answering; returns what it returned.
 */
function run(body) {
  const script = `
    const { default: init, initSync, createPkce } = await import(${JSON.stringify(new URL("index.js", pkg).href)});
    const bytes = (await import("node:fs")).readFileSync(new URL("pkce_wasm_bg.wasm", ${JSON.stringify(pkg.href)}));
    const pkce = () => createPkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").codeChallenge;
    console.log(JSON.stringify(await (async () => { ${body} })()));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 }, (e, stdout) => (e ? reject(e) : resolve(JSON.parse(stdout))));
  });
}
const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

test("init: a URL served as application/wasm (streaming compile), and as anything else (from the bytes)", async () => {
  assert.equal(await run(`await init(${JSON.stringify(origin + "/core.wasm")}); return pkce();`), CHALLENGE);
  assert.equal(await run(`await init({ module_or_path: new URL(${JSON.stringify(origin + "/plain.wasm")}) }); return pkce();`), CHALLENGE);
  // A failed load rejects, and the next call loads again.
  assert.deepEqual(await run(`
    const first = await init(${JSON.stringify(origin + "/missing.wasm")}).then(() => "loaded", (e) => e.message);
    await init(fetch(${JSON.stringify(origin + "/core.wasm")}));
    return [first, pkce()];`), ["failed to fetch Wasm: 404 " + origin + "/missing.wasm", CHALLENGE]);
});

test("init and initSync from bytes or a Module; once loaded, both return the same instance", async () => {
  assert.deepEqual(await run(`const a = await init({ module_or_path: bytes }); const b = initSync({ module: bytes }); return [pkce(), a === b];`), [CHALLENGE, true]);
  assert.deepEqual(await run(`const a = initSync({ module: new WebAssembly.Module(bytes) }); const b = await init(); return [pkce(), a === b];`), [CHALLENGE, true]);
  assert.deepEqual(await run(`initSync(bytes); return [pkce()];`), [CHALLENGE], "the bare bytes, as wasm-bindgen's deprecated form");
  // `init({})` means the default URL (a file: URL here, which Node's fetch refuses), not `{}` as a module.
  const error = await run(`return await init({}).then(() => "loaded", (e) => e.message);`);
  assert.ok(error !== "loaded" && !/WebAssembly/.test(error), error);
});

test("the build refuses a core whose imports the loader does not provide", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pkce-loader-"));
  try {
    // A module importing `./pkce_wasm_bg.js` `__wbg_fetch_1` (a new host call the loader knows nothing of).
    const name = Buffer.from("./pkce_wasm_bg.js");
    const field = Buffer.from("__wbg_fetch_1");
    const imp = Buffer.concat([Buffer.from([1, name.length]), name, Buffer.from([field.length]), field, Buffer.from([0, 0])]);
    const module = Buffer.concat([
      Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
      Buffer.from([1, 4, 1, 0x60, 0, 0]), // type section: () -> ()
      Buffer.from([2, imp.length]), imp,
    ]);
    writeFileSync(path.join(dir, "pkce_wasm_bg.wasm"), module);
    const r = spawnSync(process.execPath, [new URL("../../scripts/loader.mjs", import.meta.url).pathname, dir], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /__wbg_fetch_1/);
    // The real core passes, and gets the loader with its error import's name.
    copyFileSync(new URL("pkce_wasm_bg.wasm", pkg), path.join(dir, "pkce_wasm_bg.wasm"));
    execFileSync(process.execPath, [new URL("../../scripts/loader.mjs", import.meta.url).pathname, dir]);
    assert.match(readFileSync(path.join(dir, "pkce_wasm.js"), "utf8"), /const THROW = "__wbg___wbindgen_throw_[0-9a-f]+";/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
