export * from "./client.js";
export * from "./seal.js";

/** Where `init` can load the `.wasm` from (by default `pkce_wasm_bg.wasm` next to `pkce_wasm.js`). */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;
/** What `initSync` can instantiate: the `.wasm` bytes or a compiled module. */
export type SyncInitInput = BufferSource | WebAssembly.Module;
/** The instantiated module. Its exports are internal: use the API above. */
export interface InitOutput {
  readonly memory: WebAssembly.Memory;
}

/**
 * Loads and instantiates the wasm core once (browsers and bundlers; Node, Deno, Bun and Workers are ready
 * at import). Call it before anything else; later calls return the same instance.
 */
export default function init(
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;

/** Instantiates the wasm core synchronously from its bytes or a compiled module. */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;
