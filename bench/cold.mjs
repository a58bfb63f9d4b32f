// One cold start: imports the entry (and instantiates the wasm where there is one), makes the first
// authorization URL, prints the milliseconds since this process started.
const m = await import(process.argv[2]); // the entry module's file URL
await m.start({ issuer: "https://idp.example", authorizationEndpoint: "https://idp.example/authorize", tokenEndpoint: "https://idp.example/token", clientId: "bench", redirectUri: "https://app.example/callback", scope: "api:read offline_access" });
console.log(performance.now().toFixed(2));
