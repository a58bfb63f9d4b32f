// Scripted sign-in and consent at the embedded authorization server, over plain HTTP with a cookie jar:
// fetch only, so it runs in Node, Deno, Bun and workerd. Follows at most MAX_HOPS redirects and returns the
// URL the server finally redirects to outside itself (the client's callback), without loading it.
const MAX_HOPS = 20;

export class CookieJar {
  #cookies = new Map(); // "origin name" -> { origin, name, value }
  store(origin, response) {
    const lines = response.headers.getSetCookie?.() ?? [];
    for (const line of lines) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === "") this.#cookies.delete(`${origin} ${name}`);
      else this.#cookies.set(`${origin} ${name}`, { origin, name, value });
    }
  }
  header(origin) {
    return [...this.#cookies.values()].filter((c) => c.origin === origin).map((c) => `${c.name}=${c.value}`).join("; ");
  }
  get(origin, name) {
    return this.#cookies.get(`${origin} ${name}`)?.value;
  }
  set(origin, name, value) {
    this.#cookies.set(`${origin} ${name}`, { origin, name, value });
  }
}

/** One request with the jar's cookies, no redirect following. */
export async function request(jar, url, init = {}, fetchImpl = fetch) {
  const origin = new URL(url).origin;
  const headers = new Headers(init.headers);
  const cookie = jar.header(origin);
  if (cookie) headers.set("cookie", cookie);
  const res = await fetchImpl(url, { ...init, headers, redirect: "manual" });
  jar.store(origin, res);
  return res;
}

/**
 * Starts at `authorizationUrl`, signs in with `account` and presses Allow (or Deny with `deny: true`).
 * Returns the callback URL the server redirects to.
 */
export async function authorizeWithConsent(authorizationUrl, account, { jar = new CookieJar(), deny = false } = {}) {
  const idpOrigin = new URL(authorizationUrl).origin;
  let url = authorizationUrl;
  let init = {};
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const res = await request(jar, url, init);
    init = {};
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get("location"), url);
      await res.body?.cancel();
      if (next.origin !== idpOrigin) return next.href;
      url = next.href;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`authorization server answered ${res.status}: ${html.slice(0, 200)}`);
    const form = (id) => html.match(new RegExp(`<form[^>]*id="${id}"[^>]*action="([^"]+)"`))?.[1];
    const action = (suffix) => html.match(new RegExp(`action="([^"]*/${suffix})"`))?.[1];
    const post = (target, body) => {
      url = new URL(target, url).href;
      init = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body).toString() };
    };
    if (form("login-form")) post(form("login-form"), { username: account.username, password: account.password });
    else if (action("confirm")) post(deny ? action("abort") : action("confirm"), {});
    else throw new Error(`unexpected page at ${url}`);
  }
  throw new Error("too many redirects");
}
