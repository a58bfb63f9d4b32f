// The token endpoint of the wasm-bindgen and JS tests: the adversarial server (tests/adversarial/server.mjs).
// Run directly, it prints `listening <url>` and serves until killed.
import { pathToFileURL } from "node:url";
import { startAdversarialServer } from "../adversarial/server.mjs";

export { startAdversarialServer as startTokenServer };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = await startAdversarialServer();
  console.log(`listening ${s.url}`);
}
