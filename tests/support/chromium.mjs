// Debian's Chromium, headless, through playwright-core (never a downloaded browser), with a fresh profile
// and the flags this machine's closed network needs. Returns the persistent context and a cleanup.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

/** Chromium's path and the flags this machine needs (exported for non-persistent launches). */
export const CHROMIUM = {
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

export async function launchChromium({ timeout = 30_000, viewport } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "pkce-chromium-"));
  process.env.XDG_CONFIG_HOME = path.join(dir, "config");
  process.env.XDG_CACHE_HOME = path.join(dir, "cache");
  const context = await chromium.launchPersistentContext(path.join(dir, "profile"), {
    ...CHROMIUM,
    headless: true,
    ...(viewport ? { viewport } : {}),
  });
  context.setDefaultTimeout(timeout);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
