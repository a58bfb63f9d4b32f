// The same /callback handler written by hand with WebCrypto and fetch, as strict as it reasonably gets in a
// few lines: same sealed cookie (the same AES-256-GCM/HKDF code), duplicate/state/iss checks, a timeout,
// no redirects, JSON and member checks.
import { openPending } from "../../pkg/seal.js";

export default {
  async fetch(request, env) {
    try {
      const sealed = /(?:^|;\s*)pkce_pending=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
      const pending = await openPending(sealed, env.COOKIE_SECRET, { maxAgeSeconds: 600 });
      const q = new URL(request.url).searchParams;
      for (const name of ["code", "state", "iss", "error"]) if (q.getAll(name).length > 1) throw { code: "duplicate_parameter" };
      if (q.get("state") !== pending.state) throw { code: "state_mismatch" };
      if (q.has("iss") && q.get("iss") !== env.ISSUER) throw { code: "issuer_mismatch" };
      if (q.has("error")) throw { code: q.get("error") };
      const code = q.get("code");
      if (!code) throw { code: "missing_code" };
      const body = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: pending.redirectUri, code_verifier: pending.codeVerifier, client_id: "bench" });
      const res = await fetch(env.TOKEN_ENDPOINT, {
        method: "POST", body, redirect: "manual", signal: AbortSignal.timeout(30000),
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      });
      if (res.status !== 200) throw { code: "invalid_response" };
      const json = await res.json();
      if (typeof json.access_token !== "string" || !json.access_token || String(json.token_type).toLowerCase() !== "bearer") throw { code: "invalid_response" };
      const expiresAt = Number.isInteger(json.expires_in) ? Math.floor(Date.now() / 1000) + json.expires_in : undefined;
      return Response.json({ expires_at: expiresAt });
    } catch (e) {
      return Response.json({ code: e.code ?? "internal_error" }, { status: 400 });
    }
  },
};
