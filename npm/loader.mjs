// The npm core's loader (shipped as `pkce_wasm.js`): what wasm-bindgen's generated glue does for the one
// class the core exports, `Core` (src/js/mod.rs), and nothing else. The core takes bytes, answers a
// string and imports nothing of its own (its entropy comes with each call), so the glue's encoders,
// exception tables and import shims are not needed. The wasm's ABI is that of the pinned wasm-bindgen
// (Cargo.toml): scripts/build.sh fails when the generated glue names an import this loader does not
// provide, and writes the one it does (`THROW`, wasm-bindgen's own error path) in here.
const THROW = "__wbg___wbindgen_throw";
const decoder = new TextDecoder();
let wasm, view;

const memory = () => (view?.byteLength ? view : (view = new Uint8Array(wasm.memory.buffer)));
const text = (ptr, len) => decoder.decode(memory().subarray(ptr, ptr + len));

/** Copies `bytes` into the wasm (which frees them): `[ptr, len]`. */
function pass(bytes) {
  const ptr = wasm.__wbindgen_malloc(bytes.length, 1) >>> 0;
  memory().set(bytes, ptr);
  return [ptr, bytes.length];
}

const imports = () => ({
  "./pkce_wasm_bg.js": {
    [THROW]: (ptr, len) => {
      throw new Error(text(ptr >>> 0, len));
    },
    // wasm-bindgen's reserved table slots (the core passes no JS values).
    __wbindgen_init_externref_table() {
      const t = wasm.__wbindgen_externrefs;
      t.set(0, undefined);
      t.set(1024, undefined);
      t.set(1025, null);
      t.set(1026, true);
      t.set(1027, false);
    },
  },
});

const cores = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((ptr) => wasm.__wbg_core_free(ptr, 1)) : undefined;

export class Core {
  constructor(config, issuer) {
    this.ptr = wasm.core_new(...pass(config), ...pass(issuer));
    cores?.register(this, this.ptr, this);
  }

  call(op, args, body, random) {
    const [ptr, len] = wasm.core_call(this.ptr, op, ...pass(args), ...pass(body), ...pass(random));
    try {
      return text(ptr >>> 0, len);
    } finally {
      wasm.__wbindgen_free(ptr, len, 1);
    }
  }

  free() {
    const ptr = this.ptr;
    this.ptr = 0;
    cores?.unregister(this);
    wasm.__wbg_core_free(ptr, 0);
  }
}

function ready(instance) {
  wasm = instance.exports;
  view = undefined;
  wasm.__wbindgen_start();
  return wasm;
}

/** Instantiates the core from a `WebAssembly.Module` or its bytes (`{ module }`), synchronously. */
export function initSync(options) {
  if (wasm) return wasm;
  let module = options != null && Object.getPrototypeOf(options) === Object.prototype ? options.module : options;
  if (!(module instanceof WebAssembly.Module)) module = new WebAssembly.Module(module);
  return ready(new WebAssembly.Instance(module, imports()));
}

let loading;
/**
 * Loads and instantiates the core (`{ module_or_path }`: a URL, a `Request`, a `Response`, a module or
 * bytes; by default `pkce_wasm_bg.wasm` next to this file), once. A response served as
 * `application/wasm` is compiled while it streams in.
 */
export default function init(options) {
  if (wasm) return Promise.resolve(wasm);
  const source = options != null && Object.getPrototypeOf(options) === Object.prototype ? options.module_or_path : options;
  return (loading ??= load(source).catch((e) => {
    loading = undefined;
    throw e;
  }));
}

async function load(source = new URL("pkce_wasm_bg.wasm", import.meta.url)) {
  if (typeof source === "string" || source instanceof URL || (typeof Request === "function" && source instanceof Request)) source = fetch(source);
  source = await source;
  if (typeof Response === "function" && source instanceof Response) {
    if (!source.ok) throw new Error(`failed to fetch Wasm: ${source.status} ${source.url}`);
    if (WebAssembly.instantiateStreaming && /^application\/wasm\b/.test(source.headers.get("content-type"))) {
      return ready((await WebAssembly.instantiateStreaming(source, imports())).instance);
    }
    source = await source.arrayBuffer();
  }
  const made = await WebAssembly.instantiate(source, imports());
  return ready(made.instance ?? made);
}
