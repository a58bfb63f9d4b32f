// The /callback handler with pkce-wasm: open the sealed pending cookie, validate the callback, exchange the
// code at the token endpoint, answer with the token expiry.
import { OAuthClient, openPending } from "pkce-wasm";

let client;
export default {
  async fetch(request, env) {
    client ??= new OAuthClient({
      clientId: "bench", authorizationEndpoint: env.AUTHORIZATION_ENDPOINT, tokenEndpoint: env.TOKEN_ENDPOINT,
      redirectUri: "http://127.0.0.1:8787/callback", issuer: env.ISSUER, storage: "memory",
    });
    try {
      const sealed = /(?:^|;\s*)pkce_pending=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
      const pending = await openPending(sealed, env.COOKIE_SECRET, { maxAgeSeconds: 600 });
      const tokens = await client.handleCallback(request.url, pending);
      return Response.json({ expires_at: tokens.expires_at });
    } catch (e) {
      return Response.json({ code: e.code ?? "internal_error" }, { status: 400 });
    }
  },
};
