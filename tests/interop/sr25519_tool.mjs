// Answers sr25519 / SS58 / BIP39 questions with independent JavaScript implementations, for the
// C++ interop tests (src/orchestra/crypto/sr25519_interop_test.cc). Reads one JSON request per
// line on stdin and writes one JSON answer per line on stdout, in order. Byte strings are hex
// without "0x". Three implementations answer where they can:
//   scure      - @scure/sr25519 (noble-curves, TypeScript)
//   polkadot   - @polkadot/util-crypto (mnemonics, SS58, derivation paths; sr25519 via its own
//                pinned @scure/sr25519 0.2)
//   schnorrkel - @polkadot/wasm-crypto (the Rust schnorrkel + substrate-bip39 crates in wasm)
import * as scure from '@scure/sr25519';
import * as wasm from '@polkadot/wasm-crypto';
import {
  cryptoWaitReady,
  decodeAddress,
  encodeAddress,
  keyExtractSuri,
  keyFromPath,
  mnemonicToEntropy,
  mnemonicToMiniSecret,
  mnemonicValidate,
  sr25519PairFromSeed,
  sr25519Verify,
} from '@polkadot/util-crypto';
import { createInterface } from 'node:readline';

const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const fromHex = (h) => Uint8Array.from(Buffer.from(h ?? '', 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');

// A verifier's answer: true/false, or the reason it refused the input.
function attempt(fn) {
  try {
    return fn() === true;
  } catch (e) {
    return `error: ${e.message}`;
  }
}

function schnorrkelPair(seed) {
  const pair = wasm.sr25519KeypairFromSeed(seed);
  return { secret: pair.subarray(0, 64), public: pair.subarray(64, 96), pair };
}

const ops = {
  keypair({ seed }) {
    const s = fromHex(seed);
    const secret = scure.secretFromSeed(s);
    const k = schnorrkelPair(s);
    const p = sr25519PairFromSeed(s);
    return {
      scure_public: toHex(scure.getPublicKey(secret)),
      scure_secret: toHex(secret),
      schnorrkel_public: toHex(k.public),
      schnorrkel_secret: toHex(k.secret),
      polkadot_public: toHex(p.publicKey),
      ss58: encodeAddress(p.publicKey, 42),
    };
  },
  sign({ seed, message, random }) {
    const s = fromHex(seed);
    const m = fromHex(message);
    const secret = scure.secretFromSeed(s);
    const k = schnorrkelPair(s);
    return {
      scure: toHex(random ? scure.sign(secret, m, fromHex(random)) : scure.sign(secret, m)),
      schnorrkel: toHex(wasm.sr25519Sign(k.public, k.secret, m)),
    };
  },
  verify({ public: pub, message, signature }) {
    const p = fromHex(pub);
    const m = fromHex(message);
    const sig = fromHex(signature);
    return {
      scure: attempt(() => scure.verify(m, sig, p)),
      polkadot: attempt(() => sr25519Verify(m, sig, p)),
      schnorrkel: attempt(() => wasm.sr25519Verify(sig, m, p)),
    };
  },
  mnemonic({ phrase, password = '' }) {
    const valid = mnemonicValidate(phrase);
    if (!valid) return { valid };
    const mini = mnemonicToMiniSecret(phrase, password); // schnorrkel/substrate-bip39 (wasm)
    const miniJs = mnemonicToMiniSecret(phrase, password, undefined, true); // pure JS
    const pair = sr25519PairFromSeed(mini);
    return {
      valid,
      entropy: toHex(mnemonicToEntropy(phrase)),
      mini_secret: toHex(mini),
      mini_secret_js: toHex(miniJs),
      public: toHex(pair.publicKey),
      ss58: encodeAddress(pair.publicKey, 42),
    };
  },
  uri({ uri }) {
    // Like subkey, a URI starting with a path derives from the dev phrase.
    const full = uri.startsWith('/') ? `${DEV_PHRASE}${uri}` : uri;
    const { password, path, phrase } = keyExtractSuri(full);
    const mini = phrase.startsWith('0x') ? fromHex(phrase.slice(2)) : mnemonicToMiniSecret(phrase, password);
    const derived = keyFromPath(sr25519PairFromSeed(mini), path, 'sr25519');
    // The same path through schnorrkel itself.
    let pair = wasm.sr25519KeypairFromSeed(mini);
    for (const junction of path) {
      pair = junction.isHard
        ? wasm.sr25519DeriveKeypairHard(pair, junction.chainCode)
        : wasm.sr25519DeriveKeypairSoft(pair, junction.chainCode);
    }
    return {
      public: toHex(derived.publicKey),
      schnorrkel_public: toHex(pair.subarray(64, 96)),
      ss58: encodeAddress(derived.publicKey, 42),
      chain_codes: path.map((j) => toHex(j.chainCode)),
    };
  },
  soft_public({ public: pub, chain_code }) {
    const p = fromHex(pub);
    const cc = fromHex(chain_code);
    return {
      scure: toHex(scure.HDKD.publicSoft(p, cc)),
      schnorrkel: toHex(wasm.sr25519DerivePublicSoft(p, cc)),
    };
  },
  ss58_decode({ address }) {
    try {
      return { public: toHex(decodeAddress(address)) };
    } catch (e) {
      return { error: e.message };
    }
  },
};

await cryptoWaitReady();
if (!wasm.isReady()) await wasm.waitReady();
const out = [];
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const request = JSON.parse(line);
    const op = ops[request.op];
    answer = op ? op(request) : { error: `unknown op ${request.op}` };
  } catch (e) {
    answer = { error: e.message };
  }
  out.push(JSON.stringify(answer));
  if (out.length >= 256) process.stdout.write(out.splice(0).join('\n') + '\n');
}
if (out.length) process.stdout.write(out.join('\n') + '\n');
