// sr25519 sign and verify per second on node, measured like bench/sr25519_bench.cc (same
// message, one key, one thread): @scure/sr25519 and, for reference, schnorrkel compiled to wasm
// (@polkadot/wasm-crypto). Uses the packages installed in tests/interop/node_modules.
//
//   node bench/sr25519_scure_bench.mjs [seconds per measurement, default 2]
// Prints one JSON object: {"scure": {"sign_per_s", "verify_per_s"}, "schnorrkel_wasm": {...}}.
const modules = new URL('../tests/interop/node_modules/', import.meta.url);
const scure = await import(new URL('@scure/sr25519/index.js', modules));
const wasm = await import(new URL('@polkadot/wasm-crypto/index.js', modules));
await wasm.waitReady();

const seconds = Number(process.argv[2] ?? 2);
const message = new TextEncoder().encode(
  '1717171717171717171.5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV.' +
    '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.0f8fad5b-d9cb-469f-a165-70867728950e.' +
    'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a'
);
const seed = new Uint8Array(32).fill(7);

// Calls `fn` repeatedly for about `seconds` of this process's CPU time (after a short warm-up)
// and returns calls per CPU second, as Google Benchmark's items_per_second counts them; CPU time
// keeps the figure honest on a machine shared with other work.
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
function rate(fn) {
  const warmUntil = cpuMs() + 200;
  while (cpuMs() < warmUntil) fn();
  let calls = 0;
  const start = cpuMs();
  const until = start + seconds * 1000;
  let now = start;
  while (now < until) {
    for (let i = 0; i < 16; i++) fn();
    calls += 16;
    now = cpuMs();
  }
  return Math.round((calls * 1000) / (now - start));
}

const secret = scure.secretFromSeed(seed);
const pub = scure.getPublicKey(secret);
const signature = scure.sign(secret, message);
if (!scure.verify(message, signature, pub)) throw new Error('scure signature does not verify');
const result = {
  scure: {
    sign_per_s: rate(() => scure.sign(secret, message)),
    verify_per_s: rate(() => scure.verify(message, signature, pub)),
  },
};

const pair = wasm.sr25519KeypairFromSeed(seed);
const wasmSecret = pair.subarray(0, 64);
const wasmPublic = pair.subarray(64, 96);
const wasmSignature = wasm.sr25519Sign(wasmPublic, wasmSecret, message);
result.schnorrkel_wasm = {
  sign_per_s: rate(() => wasm.sr25519Sign(wasmPublic, wasmSecret, message)),
  verify_per_s: rate(() => wasm.sr25519Verify(wasmSignature, message, wasmPublic)),
};
console.log(JSON.stringify(result));
