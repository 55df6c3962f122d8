// An independent Bittensor dendrite in JavaScript, for the C++ axon interop test
// (src/orchestra/net/axon_interop_test.cc). It builds each request exactly as Python's
// bittensor 10.2 dendrite does (preprocess_synapse_for_request + Synapse.to_headers +
// json.dumps(model_dump())): lower-case bt_header_* headers, bt_header_input_obj_* with the
// base64 of the empty default of each required field, the sha3-256 body hash over
// required_hash_fields, and an sr25519 signature (@scure/sr25519, context "substrate") over
// "{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{body_hash}".
//
//   node axon_client.mjs --port P --axon-hotkey SS58 --seed HEX32 --stranger-seed HEX32
//
// Runs every scenario below against 127.0.0.1:P in order and prints one JSON array:
// [{"case": "...", "status": 200, "message": "...", "final_synthesis": "..."}, ...].
// Exits 2 on bad arguments; network failures are reported per case as status 0.
//
//   node axon_client.mjs --verify-request FILE --axon-hotkey SS58
//
// The reverse direction: checks a raw HTTP request (as a C++ dendrite put it on the wire) the
// way a Python axon would (lower-case headers, input objects, body hash recomputed from the
// body, signature over the message rebuilt with the axon's hotkey, plain or <Bytes>-wrapped)
// and prints {"ok": true|false, "problems": [...]}.
import * as sr25519 from '@scure/sr25519';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const VERSION_AS_INT = 10002000; // bittensor 10.2.0

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
      process.stderr.write(`bad argument: ${argv[i]}\n`);
      process.exit(2);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  const needed = args['verify-request']
    ? ['axon-hotkey']
    : ['port', 'axon-hotkey', 'seed', 'stranger-seed'];
  for (const required of needed) {
    if (!args[required]) {
      process.stderr.write(`missing --${required}\n`);
      process.exit(2);
    }
  }
  return args;
}

const sha3Hex = (text) => createHash('sha3-256').update(text, 'utf8').digest('hex');
const toHex = (bytes) => Buffer.from(bytes).toString('hex');
const fromHex = (hex) => Uint8Array.from(Buffer.from(hex, 'hex'));
const base64 = (text) => Buffer.from(text, 'utf8').toString('base64');

// A Python float in json.dumps / str(): always with a fractional part or exponent.
class PyFloat {
  constructor(value) {
    this.value = value;
  }
  toString() {
    return Number.isInteger(this.value) ? `${this.value}.0` : String(this.value);
  }
}

// json.dumps with Python's default separators (", ", ": "); BigInt for ints beyond 2^53.
function pyDumps(value) {
  if (value === null || value === undefined) return 'null';
  if (value instanceof PyFloat) return value.toString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyDumps).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}: ${pyDumps(v)}`)
    .join(', ')}}`;
}

const TERMINAL_KEYS = [
  'status_code', 'status_message', 'process_time', 'ip', 'port',
  'version', 'nonce', 'uuid', 'hotkey', 'signature',
];

function terminal(values) {
  const out = {};
  for (const key of TERMINAL_KEYS) out[key] = values[key] ?? null;
  return out;
}

class Dendrite {
  constructor(seedHex) {
    this.secret = sr25519.secretFromSeed(fromHex(seedHex));
    this.hotkey = encodeAddress(sr25519.getPublicKey(this.secret), 42);
    this.uuid = randomUUID();
    this.lastNonce = 0n;
  }

  nextNonce() {
    let nonce = BigInt(Date.now()) * 1_000_000n;
    if (nonce <= this.lastNonce) nonce = this.lastNonce + 1n;
    this.lastNonce = nonce;
    return nonce;
  }

  // Python's preprocess_synapse_for_request + to_headers + model_dump, for OrchestraSynapse.
  // `overrides` bends one thing for a negative case: nonce, signature (a function of the good
  // one), wrapBytes (sign "<Bytes>…</Bytes>"), bodyObjective (a body that differs from the
  // signed objective).
  build(axonHotkey, port, inputs, overrides = {}) {
    const timeout = 12.0;
    const nonce = overrides.nonce ?? this.nextNonce();
    // OrchestraSynapse.required_hash_fields = ("challenge_id", "objective"), hashed as str().
    const bodyHash = sha3Hex(sha3Hex(inputs.challenge_id) + sha3Hex(inputs.objective));
    const message = `${nonce}.${this.hotkey}.${axonHotkey}.${this.uuid}.${bodyHash}`;
    const signed = overrides.wrapBytes ? `<Bytes>${message}</Bytes>` : message;
    let signature = `0x${toHex(sr25519.sign(this.secret, new TextEncoder().encode(signed)))}`;
    if (overrides.signature) signature = overrides.signature(signature);

    const dendrite = terminal({
      ip: '127.0.0.1', version: VERSION_AS_INT, nonce, uuid: this.uuid, hotkey: this.hotkey,
      signature,
    });
    const axon = terminal({ ip: '127.0.0.1', port, hotkey: axonHotkey });
    const body = {
      name: 'OrchestraSynapse',
      timeout: new PyFloat(timeout),
      total_size: 0,
      header_size: 0,
      dendrite,
      axon,
      computed_body_hash: '',
      challenge_id: inputs.challenge_id,
      objective: overrides.bodyObjective ?? inputs.objective,
      target_schema: inputs.target_schema,
      deadline_ms: 30000,
      hints: null,
      task_pipeline: null,
      standardized_data: null,
      final_synthesis: null,
      total_cost: null,
      total_latency_ms: null,
      ledger_version: null,
      provenance: null,
    };
    const bodyText = pyDumps(body);

    // to_headers(): name, timeout, axon then dendrite terminal values that are not None,
    // input objects of the required fields, sizes, the body hash.
    const headers = [['name', 'OrchestraSynapse'], ['timeout', new PyFloat(timeout).toString()]];
    for (const [prefix, info] of [['bt_header_axon_', axon], ['bt_header_dendrite_', dendrite]]) {
      for (const key of TERMINAL_KEYS) {
        if (info[key] === null) continue;
        if (key === 'signature' && overrides.omitSignature) continue;
        headers.push([prefix + key, String(info[key])]);
      }
    }
    headers.push(['bt_header_input_obj_challenge_id', base64(pyDumps(''))]);
    headers.push(['bt_header_input_obj_objective', base64(pyDumps(''))]);
    headers.push(['bt_header_input_obj_target_schema', base64(pyDumps({}))]);
    headers.push(['header_size', '640']);
    headers.push(['total_size', String(bodyText.length)]);
    headers.push(['computed_body_hash', bodyHash]);
    headers.push(['content-type', 'application/json']);
    return { headers, bodyText };
  }
}

async function send(port, request) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/OrchestraSynapse`, {
      method: 'POST',
      headers: request.headers,
      body: request.bodyText,
    });
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return {
      status: response.status,
      message: json?.message ?? null,
      final_synthesis: json?.final_synthesis ?? null,
      axon_status_code: json?.axon?.status_code ?? null,
    };
  } catch (error) {
    return { status: 0, message: String(error) };
  }
}

const BODY_ORDER = [
  'name', 'timeout', 'total_size', 'header_size', 'dendrite', 'axon', 'computed_body_hash',
  'challenge_id', 'objective', 'target_schema', 'deadline_ms', 'hints', 'task_pipeline',
  'standardized_data', 'final_synthesis', 'total_cost', 'total_latency_ms', 'ledger_version',
  'provenance',
];

// Python's axon side of one OrchestraSynapse request, from the raw HTTP bytes.
function verifyRequest(raw, axonHotkey) {
  const problems = [];
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) return { ok: false, problems: ['no end of head'] };
  const lines = raw.slice(0, split).split('\r\n');
  const body = raw.slice(split + 4);
  if (!lines[0].startsWith('POST /OrchestraSynapse ')) problems.push(`request line: ${lines[0]}`);
  const headers = new Map();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if ((name.startsWith('bt_header_') || ['name', 'timeout', 'computed_body_hash'].includes(name.toLowerCase()))
        && name !== name.toLowerCase()) {
      problems.push(`header not lower-case: ${name}`);
    }
    headers.set(name.toLowerCase(), value);
  }
  const expect = (name, predicate, what) => {
    const value = headers.get(name);
    if (value === undefined) problems.push(`missing header ${name}`);
    else if (!predicate(value)) problems.push(`${name}: ${what}, got ${JSON.stringify(value)}`);
  };
  expect('name', (v) => v === 'OrchestraSynapse', 'the class name');
  expect('timeout', (v) => /^[0-9]+\.[0-9]+$/.test(v), 'str(float)');
  expect('bt_header_dendrite_version', (v) => v === String(VERSION_AS_INT), '10002000');
  expect('bt_header_dendrite_nonce', (v) => /^[0-9]+$/.test(v), 'an int');
  expect('bt_header_axon_hotkey', (v) => v === axonHotkey, 'the axon hotkey');
  expect('bt_header_input_obj_challenge_id', (v) => v === base64(pyDumps('')), 'base64 of ""');
  expect('bt_header_input_obj_objective', (v) => v === base64(pyDumps('')), 'base64 of ""');
  expect('bt_header_input_obj_target_schema', (v) => v === base64(pyDumps({})), 'base64 of {}');
  for (const name of ['bt_header_axon_ip', 'bt_header_axon_port', 'bt_header_dendrite_ip',
    'bt_header_dendrite_uuid', 'bt_header_dendrite_hotkey', 'bt_header_dendrite_signature',
    'header_size', 'total_size', 'computed_body_hash']) {
    expect(name, () => true, '');
  }
  let parsed = null;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    problems.push(`body is not JSON: ${error.message}`);
  }
  if (parsed) {
    const keys = Object.keys(parsed);
    if (JSON.stringify(keys) !== JSON.stringify(BODY_ORDER)) problems.push(`body order: ${keys}`);
    if (parsed.computed_body_hash !== '') problems.push('body computed_body_hash is not ""');
    const hash = sha3Hex(sha3Hex(String(parsed.challenge_id)) + sha3Hex(String(parsed.objective)));
    if (hash !== headers.get('computed_body_hash')) {
      problems.push(`body hash ${hash} != header ${headers.get('computed_body_hash')}`);
    }
  }
  const hotkey = headers.get('bt_header_dendrite_hotkey') ?? '';
  const message = `${headers.get('bt_header_dendrite_nonce')}.${hotkey}.${axonHotkey}.` +
    `${headers.get('bt_header_dendrite_uuid')}.${headers.get('computed_body_hash')}`;
  try {
    const signature = fromHex((headers.get('bt_header_dendrite_signature') ?? '').replace(/^0x/, ''));
    const key = decodeAddress(hotkey);
    const encode = (text) => new TextEncoder().encode(text);
    if (!sr25519.verify(encode(message), signature, key) &&
        !sr25519.verify(encode(`<Bytes>${message}</Bytes>`), signature, key)) {
      problems.push(`signature does not verify over ${message}`);
    }
  } catch (error) {
    problems.push(`signature: ${error.message}`);
  }
  return { ok: problems.length === 0, problems };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args['verify-request']) {
    const raw = readFileSync(args['verify-request'], 'latin1');
    process.stdout.write(`${JSON.stringify(verifyRequest(raw, args['axon-hotkey']))}\n`);
    return;
  }
  const port = Number(args.port);
  const axonHotkey = args['axon-hotkey'];
  const inputs = {
    challenge_id: '0x4f2a',
    objective: 'Find GPU prices',
    target_schema: { providers: 'list[str]' },
  };
  const results = [];
  const record = async (name, request) => results.push({ case: name, ...(await send(port, request)) });

  const validator = new Dendrite(args.seed);
  const accepted = validator.build(axonHotkey, port, inputs);
  await record('valid', accepted);
  await record('replayed-nonce', accepted);
  await record(
    'bad-signature',
    validator.build(axonHotkey, port, inputs, {
      signature: (good) => good.slice(0, 10) + (good[10] === 'a' ? 'b' : 'a') + good.slice(11),
    }),
  );
  await record('bytes-wrapped-signature', validator.build(axonHotkey, port, inputs, { wrapBytes: true }));
  await record(
    'tampered-body',
    validator.build(axonHotkey, port, inputs, { bodyObjective: 'Something else' }),
  );

  const fresh = new Dendrite(args.seed); // a new uuid: its first nonce meets the window rule
  await record(
    'stale-first-nonce',
    fresh.build(axonHotkey, port, inputs, { nonce: BigInt(Date.now() - 60_000) * 1_000_000n }),
  );
  const unsigned = new Dendrite(args.seed);
  await record('missing-signature', unsigned.build(axonHotkey, port, inputs, { omitSignature: true }));

  const stranger = new Dendrite(args['stranger-seed']);
  await record('blacklisted', stranger.build(axonHotkey, port, inputs));

  process.stdout.write(`${JSON.stringify(results)}\n`);
}

await main();
