// An independent Bittensor axon in JavaScript, for the C++ dendrite interop tests
// (src/orchestra/net/dendrite_interop_test.cc). It answers each request the way Python's
// bittensor 10.2 axon (bittensor/core/axon.py: AxonMiddleware.dispatch, Axon.default_verify,
// verify_body_integrity) does, sharing no code with the C++ axon, so that the C++ tests can
// hold our axon against Python's and list where the two differ on purpose:
//   preprocess  request name = path.split("/")[1]; unknown class → 404 "Synapse name '<name>'
//               not found. Available synapses [...]"; the synapse from the headers
//               (Synapse.from_headers: bt_header_axon_*, bt_header_dendrite_*,
//               bt_header_input_obj_* for the required fields, name, timeout, sizes,
//               computed_body_hash), validated as Pydantic would; failure → 400 "Improperly
//               formatted request. Could not parse headers <Headers(...)> into synapse of
//               type <name>.";
//   blacklist   only with --validators, and never for the base Synapse (Python attaches its
//               ping with blacklist_fn=None): the subnet template's rule, 403 "Forbidden. Key
//               is blacklisted: <Missing dendrite or hotkey | Unrecognized hotkey>.";
//   verify      default_verify, in its order: Keypair(ss58_address=hotkey); "Missing Nonce";
//               for dendrite versions >= 7.2.0 (V_7_2_0 = 7002000) the first nonce per
//               hotkey:uuid must be newer than now - ALLOWED_DELTA (4 s) - timeout, for older or
//               absent versions that window is skipped; a later nonce must exceed the last one;
//               the signature is checked only when one is present (an unsigned request
//               passes), with btwallet's Keypair.verify ("0x" hex, 64 bytes, plain or
//               <Bytes>-wrapped message, @scure/sr25519); failure → 401 "Not Verified with
//               error: <why>";
//   priority    nothing to refuse (no priority function is attached);
//   body        verify_body_integrity, a dependency of the route: json.loads, the class built
//               from the body, the sha3-256 body hash over required_hash_fields compared with
//               the computed_body_hash header; any failure raises, and the middleware answers
//               500 "Internal Server Error #<uuid4>" (the reason is only logged);
//   forward     a trivial one: final_synthesis = "answer to <objective>"; an objective
//               "sleep <N> ms" first waits N ms (for the dendrite's timeout);
//   answer      200 with the whole synapse (axon.status_code 200, "Success", process_time) and
//               Synapse.to_headers(); errors {"message": ...} with the headers of the synapse
//               built from the request, as create_error_response sends them.
// Where the C++ axon (src/orchestra/net/axon.cc) answers otherwise, it does so on purpose; the
// table of those differences is in src/orchestra/net/dendrite_interop_test.cc
// (PythonAxonParityTest) and tests/interop/README.md.
//
//   node axon_server.mjs --seed HEX32 [--validators SS58,SS58,...]
//
// Listens on 127.0.0.1, port 0, and prints the port on the first line of stdout; then one JSON
// line per answer: {"connection": N, "status": S, "message": "...", "detail": "...",
// "hotkey": "...", "uuid": "...", "nonce": "..."} (written before the answer is sent; "detail"
// is what Python would only log, e.g. the hash mismatch behind a 500). Exits when stdin is a
// pipe and it closes, so it never outlives the test that started it. Exits 2 on bad arguments.
import {decodeAddress, encodeAddress} from '@polkadot/util-crypto';
import * as sr25519 from '@scure/sr25519';
import {createHash, randomUUID} from 'node:crypto';
import {fstatSync} from 'node:fs';
import {createServer} from 'node:http';

const VERSION_AS_INT = 10002000n;  // bittensor 10.2.0
const V_7_2_0 = 7002000n;         // the first version with the nonce window
const ALLOWED_DELTA_NS = 4_000_000_000n;

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
      process.stderr.write(`bad argument: ${argv[i]}\n`);
      process.exit(2);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (!/^[0-9a-f]{64}$/i.test(args.seed ?? '')) {
    process.stderr.write('missing or malformed --seed (64 hex digits)\n');
    process.exit(2);
  }
  return args;
}

const sha3Hex = (text) => createHash('sha3-256').update(text, 'utf8').digest('hex');
const fromHex = (hex) => Uint8Array.from(Buffer.from(hex, 'hex'));
const toHex = (bytes) => Buffer.from(bytes).toString('hex');
const base64 = (text) => Buffer.from(text, 'utf8').toString('base64');

// --- Python values ---------------------------------------------------------------------------
// Python ints are BigInt, Python floats PyFloat, dicts Map (insertion order, any key), lists
// Array, None null.

class PyFloat {
  constructor(value) {
    this.value = value;
  }
}

// float.__repr__: shortest round-trip digits, ".0" on integral values, exponent form below
// 1e-4 and from 1e16.
function floatRepr(x) {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const expSign = exp < 0 ? '-' : '+';
    return `${sign}${digits[0]}${fraction}e${expSign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

// repr() of a str: single quotes unless the text holds ' and no ", Python's escapes.
function strRepr(text) {
  const quote = text.includes(`'`) && !text.includes('"') ? '"' : `'`;
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0);
    const named = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}[ch];
    if (ch === quote || ch === '\\') {
      out += `\\${ch}`;
    } else if (named) {
      out += named;
    } else if (code < 0x20 || (code >= 0x7f && code <= 0xa0)) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else if (code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16)}`;
    } else {
      out += ch;
    }
  }
  return out + quote;
}

// str(value), as the body hash and to_headers() apply it.
function pyStr(value) {
  if (typeof value === 'string') return value;
  return pyRepr(value);
}

function pyRepr(value) {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (typeof value === 'string') return strRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  throw new TypeError(`no Python form for ${typeof value}`);
}

// json.dumps(value, ensure_ascii=False, separators=(",", ":")): Starlette's JSONResponse.
function pyDumps(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) {
    if (!Number.isFinite(value.value)) {
      throw new RangeError('Out of range float values are not JSON compliant');
    }
    return floatRepr(value.value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyDumps).join(',')}]`;
  if (value instanceof Map) {
    const items = [...value].map(([k, v]) => `${JSON.stringify(String(k))}:${pyDumps(v)}`);
    return `{${items.join(',')}}`;
  }
  throw new TypeError(`no JSON form for ${typeof value}`);
}

// json.loads: ints stay exact (BigInt), floats are PyFloat, objects Map; Python's messages.
function pyLoads(text) {
  let i = 0;
  const fail = (what, at = i) => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new SyntaxError(`${what}: line ${line} column ${column} (char ${at})`);
  };
  const skip = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) ++i;
  };
  const number = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
  const value = () => {
    skip();
    const c = text[i];
    if (c === '{') {
      ++i;
      const object = new Map();
      skip();
      if (text[i] === '}') {
        ++i;
        return object;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail('Expecting property name enclosed in double quotes');
        const key = string();
        skip();
        if (text[i] !== ':') fail(`Expecting ':' delimiter`);
        ++i;
        object.set(key, value());
        skip();
        if (text[i] === '}') {
          ++i;
          return object;
        }
        if (text[i] !== ',') fail(`Expecting ',' delimiter`);
        ++i;
      }
    }
    if (c === '[') {
      ++i;
      const array = [];
      skip();
      if (text[i] === ']') {
        ++i;
        return array;
      }
      for (;;) {
        array.push(value());
        skip();
        if (text[i] === ']') {
          ++i;
          return array;
        }
        if (text[i] !== ',') fail(`Expecting ',' delimiter`);
        ++i;
      }
    }
    if (c === '"') return string();
    for (const [word, result] of [
             ['null', null],
             ['true', true],
             ['false', false],
             ['NaN', new PyFloat(NaN)],
             ['Infinity', new PyFloat(Infinity)],
             ['-Infinity', new PyFloat(-Infinity)],
    ]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return result;
      }
    }
    number.lastIndex = i;
    const match = number.exec(text);
    if (!match) fail('Expecting value');
    i += match[0].length;
    return match[1] || match[2] ? new PyFloat(Number(match[0])) : BigInt(match[0]);
  };
  const string = () => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('Unterminated string starting at', start);
    ++i;
    try {
      return JSON.parse(text.slice(start, i));
    } catch {
      return fail('Invalid control character or escape in string', start);
    }
  };
  const result = value();
  skip();
  if (i < text.length) fail('Extra data');
  return result;
}

// --- Pydantic's view of a synapse ------------------------------------------------------------

class FieldError extends Error {
  constructor(field, message) {
    super(`${field}: ${message}`);
  }
}

// bittensor's cast_int / cast_float (mode="before" validators): int(raw) / float(raw).
function castInt(field, raw) {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'boolean') return raw ? 1n : 0n;
  if (raw instanceof PyFloat && Number.isFinite(raw.value)) return BigInt(Math.trunc(raw.value));
  if (typeof raw === 'string' && /^\s*[-+]?[0-9]+(_[0-9]+)*\s*$/.test(raw)) {
    return BigInt(raw.trim().replaceAll('_', ''));
  }
  const shown = raw instanceof PyFloat ? floatRepr(raw.value) : raw;
  throw new FieldError(field, `invalid literal for int(): ${pyRepr(shown)}`);
}

function castFloat(field, raw) {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof PyFloat) return raw;
  if (typeof raw === 'bigint') return new PyFloat(Number(raw));
  if (typeof raw === 'boolean') return new PyFloat(raw ? 1 : 0);
  if (typeof raw === 'string') {
    const text = raw.trim().toLowerCase().replace(/(?<=[0-9])_(?=[0-9])/g, '');
    if (/^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)(e[-+]?[0-9]+)?$/.test(text)) {
      return new PyFloat(Number(text));
    }
    if (/^[-+]?(inf|infinity)$/.test(text)) {
      return new PyFloat(text.startsWith('-') ? -Infinity : Infinity);
    }
    if (/^[-+]?nan$/.test(text)) return new PyFloat(NaN);
  }
  throw new FieldError(field, `could not convert to float: ${pyRepr(raw)}`);
}

function castStr(field, raw) {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') return raw;
  throw new FieldError(field, 'Input should be a valid string');
}

const TERMINAL_FIELDS = [
  ['status_code', castInt],
  ['status_message', castStr],
  ['process_time', castFloat],
  ['ip', castStr],
  ['port', castInt],
  ['version', castInt],
  ['nonce', castInt],
  ['uuid', castStr],
  ['hotkey', castStr],
  ['signature', castStr],
];

// TerminalInfo(**values) from a Map; unknown keys are ignored.
function terminalInfo(prefix, values) {
  const info = new Map();
  for (const [key, cast] of TERMINAL_FIELDS) {
    info.set(key, cast(`${prefix}.${key}`, values.get(key)));
  }
  return info;
}

// Subclass field types, as Pydantic's lax mode accepts them.
const FIELD_TYPES = {
  str: (field, v) => {
    if (typeof v === 'string') return v;
    throw new FieldError(field, 'Input should be a valid string');
  },
  int: (field, v) => {
    if (typeof v === 'bigint') return v;
    if (v instanceof PyFloat && Number.isInteger(v.value)) return BigInt(v.value);
    if (typeof v === 'string' && /^\s*[-+]?[0-9]+\s*$/.test(v)) return BigInt(v.trim());
    throw new FieldError(field, 'Input should be a valid integer');
  },
  float: (field, v) => {
    if (v instanceof PyFloat) return v;
    if (typeof v === 'bigint') return new PyFloat(Number(v));
    throw new FieldError(field, 'Input should be a valid number');
  },
  dict: (field, v) => {
    if (v instanceof Map) return v;
    throw new FieldError(field, 'Input should be a valid dictionary');
  },
  list: (field, v) => {
    if (Array.isArray(v)) return v;
    throw new FieldError(field, 'Input should be a valid list');
  },
};
const EMPTY_DEFAULTS = {
  str: '',
  int: 0n,
  float: new PyFloat(0),
  dict: new Map(),
  list: []
};

// The synapse classes this axon serves: Python's axon attaches the base Synapse (its `ping`
// forward) before any other, with blacklist_fn=None (so the blacklist never refuses a ping;
// verify still applies). Fields: [name, type, required, default]; a required field has no
// default and is not nullable.
const CLASSES = new Map([
  [
    'Synapse',
    {fields: [], requiredHashFields: [], blacklist: false, forward: async (synapse) => synapse}
  ],
  [
    'OrchestraSynapse', {
      fields: [
        ['challenge_id', 'str', true],
        ['objective', 'str', true],
        ['target_schema', 'dict', true],
        ['deadline_ms', 'int', false, 30000n],
        ['hints', 'dict', false, null],
        ['task_pipeline', 'list', false, null],
        ['standardized_data', 'dict', false, null],
        ['final_synthesis', 'str', false, null],
        ['total_cost', 'float', false, null],
        ['total_latency_ms', 'int', false, null],
        ['ledger_version', 'str', false, null],
        ['provenance', 'dict', false, null],
      ],
      requiredHashFields: ['challenge_id', 'objective'],
      forward: async (synapse) => {
        const objective = synapse.fields.get('objective');
        const sleep = /^sleep ([0-9]+) ms$/.exec(objective);
        if (sleep) await new Promise((resolve) => setTimeout(resolve, Number(sleep[1])));
        synapse.fields.set('final_synthesis', `answer to ${objective}`);
        return synapse;
      },
    }
  ],
]);

// cls(**values): the base fields (with their defaults and casts) and the subclass fields.
function buildSynapse(cls, values) {
  const has = (key) => values.has(key);
  const synapse = {
    name: has('name') ? castStr('name', values.get('name')) : null,
    timeout: has('timeout') ? castFloat('timeout', values.get('timeout')) : new PyFloat(12),
    total_size: has('total_size') ? castInt('total_size', values.get('total_size')) : 0n,
    header_size: has('header_size') ? castInt('header_size', values.get('header_size')) : 0n,
    dendrite: terminalOrNull('dendrite', values, has),
    axon: terminalOrNull('axon', values, has),
    computed_body_hash: has('computed_body_hash') ?
        castStr('computed_body_hash', values.get('computed_body_hash')) :
        '',
    fields: new Map(),
  };
  for (const [name, type, required, fallback] of cls.fields) {
    if (!has(name)) {
      if (required) throw new FieldError(name, 'Field required');
      synapse.fields.set(name, fallback);
      continue;
    }
    const value = values.get(name);
    const nullable = !required && fallback === null;
    synapse.fields.set(name, value === null && nullable ? null : FIELD_TYPES[type](name, value));
  }
  return synapse;
}

function terminalOrNull(key, values, has) {
  if (!has(key)) return terminalInfo(key, new Map());
  const value = values.get(key);
  if (value === null) return null;
  if (!(value instanceof Map)) throw new FieldError(key, 'Input should be a valid dictionary');
  return terminalInfo(key, value);
}

// Synapse.body_hash: sha3-256 of the concatenated sha3-256 of str() of each hashed field.
function bodyHash(cls, synapse) {
  return sha3Hex(cls.requiredHashFields.map((f) => sha3Hex(pyStr(synapse.fields.get(f)))).join(''));
}

// Synapse.parse_headers_to_inputs: header names lower-case, later duplicates of bt_header_*
// win, name/timeout/sizes/hash are the first value.
function inputsFromHeaders(headers) {
  const inputs = new Map([['axon', new Map()], ['dendrite', new Map()]]);
  const first = new Map();
  for (const [key, value] of headers) {
    if (!first.has(key)) first.set(key, value);
    if (key.includes('bt_header_axon_')) {
      inputs.get('axon').set(key.split('bt_header_axon_')[1], value);
    } else if (key.includes('bt_header_dendrite_')) {
      inputs.get('dendrite').set(key.split('bt_header_dendrite_')[1], value);
    } else if (key.includes('bt_header_input_obj')) {
      const field = key.split('bt_header_input_obj_')[1];
      if (field === undefined || inputs.has(field)) continue;
      try {
        inputs.set(field, pyLoads(Buffer.from(value, 'base64').toString('utf8')));
      } catch {
        // Python logs the header and goes on without it.
      }
    }
  }
  for (const key of ['timeout', 'name', 'header_size', 'total_size', 'computed_body_hash']) {
    inputs.set(key, first.get(key) ?? null);
  }
  return inputs;
}

// Synapse.to_headers(): name, timeout, the non-null axon then dendrite values, the input
// objects of the required fields (base64 of the JSON of the type's empty default), sizes, the
// recomputed body hash.
function toHeaders(cls, synapse) {
  const headers = [['name', pyStr(synapse.name)], ['timeout', pyStr(synapse.timeout)]];
  for (const side of ['axon', 'dendrite']) {
    for (const [key, value] of synapse[side] ?? []) {
      if (value !== null) headers.push([`bt_header_${side}_${key}`, pyStr(value)]);
    }
  }
  for (const [name, type, required] of cls.fields) {
    if (required && synapse.fields.get(name) !== null) {
      headers.push([`bt_header_input_obj_${name}`, base64(pyDumps(EMPTY_DEFAULTS[type]))]);
    }
  }
  headers.push(['header_size', pyStr(synapse.header_size ?? 0n)]);
  headers.push(['total_size', pyStr(synapse.total_size ?? 0n)]);
  headers.push(['computed_body_hash', bodyHash(cls, synapse)]);
  return headers;
}

// model_dump() in declaration order.
function toBody(cls, synapse) {
  const body = new Map([
    ['name', synapse.name],
    ['timeout', synapse.timeout],
    ['total_size', synapse.total_size],
    ['header_size', synapse.header_size],
    ['dendrite', synapse.dendrite],
    ['axon', synapse.axon],
    ['computed_body_hash', synapse.computed_body_hash],
  ]);
  for (const [name] of cls.fields) body.set(name, synapse.fields.get(name));
  return pyDumps(body);
}

// --- The axon --------------------------------------------------------------------------------

class Rejection extends Error {
  constructor(status, message, detail = null) {
    super(message);
    this.status = status;
    this.detail = detail ?? message;
  }
}

// A failure Python's middleware does not expect (an exception that is not a SynapseException):
// log_and_handle_error answers 500 with a fresh error id and logs the reason.
const internalError = (reason) =>
    new Rejection(500, `Internal Server Error #${randomUUID()}`, reason);

// repr() of Starlette's request.headers, as SynapseParsingError quotes it.
function headersRepr(headers) {
  const asDict = new Map(headers);
  if (asDict.size === headers.length) return `Headers(${pyRepr(asDict)})`;
  const raw = headers.map(([k, v]) => `(b${strRepr(k)}, b${strRepr(v)})`).join(', ');
  return `Headers(raw=[${raw}])`;
}

// time.time_ns(): the wall clock at start-up, advanced by the monotonic clock.
const startWallNs = BigInt(Date.now()) * 1_000_000n;
const startMonoNs = process.hrtime.bigint();
const nowNs = () => startWallNs + (process.hrtime.bigint() - startMonoNs);
const nowSeconds = () => Number(nowNs()) / 1e9;

class Axon {
  constructor(seedHex, validators) {
    this.secret = sr25519.secretFromSeed(fromHex(seedHex));
    this.hotkey = encodeAddress(sr25519.getPublicKey(this.secret), 42);
    this.uuid = randomUUID();
    this.validators = validators;  // null: no blacklist
    this.nonces = new Map();       // "hotkey:uuid" → last nonce (BigInt)
  }

  sign(message) {
    return `0x${toHex(sr25519.sign(this.secret, new TextEncoder().encode(message)))}`;
  }

  // AxonMiddleware.preprocess.
  preprocess(name, headers, socket) {
    const cls = CLASSES.get(name);
    if (!cls) {
      const available = [...CLASSES.keys()].map((n) => `'${n}'`).join(', ');
      throw new Rejection(
          404, `Synapse name '${name}' not found. Available synapses [${available}]`);
    }
    let synapse;
    try {
      synapse = buildSynapse(cls, inputsFromHeaders(headers));
    } catch (error) {
      throw new Rejection(
          400,
          `Improperly formatted request. Could not parse headers ${headersRepr(headers)} ` +
              `into synapse of type ${name}.`,
          error.message);
    }
    synapse.name = name;
    synapse.dendrite ??= terminalInfo('dendrite', new Map());
    synapse.axon ??= terminalInfo('axon', new Map());
    synapse.axon.set('version', VERSION_AS_INT);
    synapse.axon.set('uuid', this.uuid);
    synapse.axon.set('nonce', nowNs());
    synapse.axon.set('status_code', 100n);
    synapse.dendrite.set('port', BigInt(socket.remotePort ?? 0));
    synapse.dendrite.set('ip', socket.remoteAddress ?? '');
    const [dendriteHotkey, axonHotkey] =
        [synapse.dendrite, synapse.axon].map((t) => t.get('hotkey'));
    const signed = `${synapse.axon.get('nonce')}.${pyStr(dendriteHotkey)}.${pyStr(axonHotkey)}.` +
        `${this.uuid}`;
    synapse.axon.set('signature', this.sign(signed));
    return {cls, synapse};
  }

  // The subnet template's blacklist, when the axon knows its validators.
  blacklistReason(synapse) {
    if (this.validators === null) return null;
    const hotkey = synapse.dendrite.get('hotkey');
    if (hotkey === null) return 'Missing dendrite or hotkey';
    return this.validators.has(hotkey) ? null : 'Unrecognized hotkey';
  }

  // Axon.default_verify, step by step; returns why the request is refused, or null (the nonce
  // is then kept).
  verifyFailure(synapse) {
    const d = synapse.dendrite;
    const hotkey = d.get('hotkey');
    // Keypair(ss58_address=hotkey).
    if (hotkey === null) return 'No SS58 formatted address or public key provided.';
    let publicKey;
    try {
      if (hotkey.startsWith('0x')) throw new Error('not an SS58 address');
      publicKey = decodeAddress(hotkey);
    } catch (error) {
      return `Invalid SS58 address: ${error.message}`;
    }
    const nonce = d.get('nonce');
    const message = `${pyStr(nonce)}.${hotkey}.${this.hotkey}.${pyStr(d.get('uuid'))}.` +
        `${pyStr(synapse.computed_body_hash)}`;
    const endpoint = `${hotkey}:${pyStr(d.get('uuid'))}`;
    if (nonce === null) return 'Missing Nonce';
    const last = this.nonces.get(endpoint);
    const version = d.get('version');
    // Only dendrites from 7.2.0 on get the first-nonce window; older (or unstated) versions
    // are held to increasing nonces alone.
    if (version !== null && version >= V_7_2_0) {
      const now = nowNs();
      const timeoutNs = BigInt(Math.round((synapse.timeout?.value || 0) * 1e9));
      if (last === undefined && nonce <= now - ALLOWED_DELTA_NS - timeoutNs) {
        const allowed = Number(ALLOWED_DELTA_NS + timeoutNs) / 1e9;
        const age = Number(now - nonce) / 1e9;
        return `Nonce is too old: acceptable delta is ${allowed.toFixed(2)} seconds but request ` +
            `was ${age.toFixed(2)} seconds old`;
      }
    }
    if (last !== undefined && nonce <= last) {
      return 'Nonce is too old, a newer one was last processed';
    }
    // `if synapse.dendrite.signature and not keypair.verify(message, signature)`: an absent or
    // empty signature is not checked at all.
    const signature = d.get('signature');
    if (signature) {
      // btwallet's Keypair.verify(str, str).
      if (!signature.startsWith('0x')) return 'Invalid signature format. Expected hex string.';
      const hex = signature.slice(2);
      if (hex.length % 2 !== 0) return 'Invalid hex string: OddLength';
      const bad = hex.search(/[^0-9a-fA-F]/);
      if (bad >= 0) {
        return `Invalid hex string: InvalidHexCharacter { c: '${hex[bad]}', index: ${bad} }`;
      }
      const bytes = fromHex(hex);
      if (bytes.length !== 64) return 'Invalid signature';
      const encode = (text) => new TextEncoder().encode(text);
      const verifies = (text) => {
        try {
          return sr25519.verify(encode(text), bytes, publicKey);
        } catch {
          return false;
        }
      };
      if (!verifies(message) && !verifies(`<Bytes>${message}</Bytes>`)) {
        return `Signature mismatch with ${message} and ${signature}`;
      }
    }
    this.nonces.set(endpoint, nonce);
    return null;
  }

  // verify_body_integrity: whatever fails in it raises past the route, and the middleware
  // answers 500 (the reason is only logged).
  parseBody(cls, name, headerHash, raw) {
    let synapse;
    try {
      const text = new TextDecoder('utf-8', {fatal: true}).decode(raw);
      const values = pyLoads(text);
      if (!(values instanceof Map)) throw new Error('the body is not a JSON object');
      synapse = buildSynapse(cls, values);
    } catch (error) {
      throw internalError(`Body does not match ${name}: ${error.message}`);
    }
    const parsedHash = bodyHash(cls, synapse);
    if (parsedHash !== headerHash) {
      throw internalError(
          `Hash mismatch between header body hash ${pyStr(headerHash ?? '')} and ` +
          `parsed body hash ${parsedHash}`);
    }
    return synapse;
  }

  // AxonMiddleware.dispatch and the route: returns {status, headers, body, synapse}.
  async handle(request, raw) {
    const start = nowSeconds();
    const headers = [];
    for (let i = 0; i < request.rawHeaders.length; i += 2) {
      headers.push([request.rawHeaders[i].toLowerCase(), request.rawHeaders[i + 1]]);
    }
    let cls = null;
    let synapse = null;
    try {
      if (request.method !== 'POST' && request.method !== 'GET') {
        throw new Rejection(405, 'Method Not Allowed');
      }
      let name;
      try {
        name = new URL(request.url, 'http://axon').pathname.split('/')[1] ?? '';
      } catch {
        throw new Rejection(
            400,
            'Improperly formatted request. Could not parse request name ' +
                `from ${request.url}.`);
      }
      ({cls, synapse} = this.preprocess(name, headers, request.socket));
      const reason = cls.blacklist === false ? null : this.blacklistReason(synapse);
      if (reason !== null) throw new Rejection(403, `Forbidden. Key is blacklisted: ${reason}.`);
      const failure = this.verifyFailure(synapse);
      if (failure !== null) throw new Rejection(401, `Not Verified with error: ${failure}`);

      const endpointStart = nowSeconds();
      const answer = await cls.forward(this.parseBody(cls, name, synapse.computed_body_hash, raw));
      answer.axon ??= terminalInfo('axon', new Map());
      if (answer.axon.get('status_code') === null) answer.axon.set('status_code', 200n);
      if (answer.axon.get('status_code') === 200n && !answer.axon.get('status_message')) {
        answer.axon.set('status_message', 'Success');
      }
      answer.axon.set('process_time', new PyFloat(nowSeconds() - endpointStart));
      return {status: 200, headers: toHeaders(cls, answer), body: toBody(cls, answer), synapse};
    } catch (error) {
      const rejection = error instanceof Rejection ? error : internalError(error.message);
      if (!(error instanceof Rejection)) process.stderr.write(`axon_server: ${error.stack}\n`);
      // create_error_response: the synapse built from the headers, with the outcome in it.
      let errorHeaders = [];
      if (cls && synapse) {
        synapse.axon.set('status_code', BigInt(rejection.status));
        synapse.axon.set('status_message', rejection.message);
        synapse.axon.set('process_time', floatRepr(nowSeconds() - start));
        errorHeaders = toHeaders(cls, synapse);
      }
      return {
        status: rejection.status,
        headers: errorHeaders,
        body: pyDumps(new Map([['message', rejection.message]])),
        detail: rejection.detail,
        synapse,
      };
    }
  }
}

// A header value node accepts: tabs and visible Latin-1 only.
const headerSafe = (value) => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

function main() {
  const args = parseArgs(process.argv.slice(2));
  const validators = args.validators ? new Set(args.validators.split(',')) : null;
  const axon = new Axon(args.seed, validators);
  let connections = 0;
  const server = createServer(async (request, response) => {
    response.on('error', () => {});  // the dendrite may be gone (its timeout)
    const chunks = [];
    try {
      for await (const chunk of request) chunks.push(chunk);
    } catch {
      return;  // the request broke off before its body ended
    }
    const answer = await axon.handle(request, Buffer.concat(chunks));
    const body = Buffer.from(answer.body, 'utf8');
    const dendrite = answer.synapse?.dendrite;
    process.stdout.write(`${JSON.stringify({
      connection: request.socket.connectionId,
      status: answer.status,
      message: answer.status === 200 ? 'Success' : JSON.parse(answer.body).message,
      detail: answer.detail ?? null,
      hotkey: dendrite?.get('hotkey') ?? null,
      uuid: dendrite?.get('uuid') ?? null,
      nonce: dendrite?.get('nonce')?.toString() ?? null,
    })}\n`);
    if (response.destroyed) return;  // the dendrite gave up (its timeout)
    const headers = {};
    for (const [key, value] of answer.headers) headers[key] = headerSafe(value);
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(body.length);
    response.writeHead(answer.status, headers);
    response.end(body);
  });
  server.on('connection', (socket) => {
    socket.connectionId = ++connections;
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${server.address().port}\n`);
  });
  if (fstatSync(0).isFIFO()) {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();
  }
}

main();
