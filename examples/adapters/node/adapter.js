#!/usr/bin/env node
// A lash-spec adapter for Node.js, without dependencies (protocol
// lash-spec-adapter/1, see docs/adapter-protocol.md).
//
// It implements three ops of seed 000 — stable_json, stable_hash and
// ProcessCommand::effect_id — plus decode_text:RuntimeScope and
// decode_text:RuntimeEffectKind, and lists only those in its hello, so the
// runner reports every other case skipped without asking.
//
// decode_text hands the text to JavaScript's own reader, JSON.parse, as a
// real JavaScript runtime would. JSON.parse is not serde_json: it keeps the
// last of a repeated key, has no nesting limit, accepts lone surrogates and
// reads every number as a double. The cases where that shows are listed,
// with the reason, in baseline.txt next to this file (see its README).
//
//   lash-spec run --adapter "node examples/adapters/node/adapter.js" conformance/
//
// Two things JavaScript does not give for free, and that serde's text needs:
//   * JSON.parse forgets whether a number was written 1 or 1.0, and loses
//     integers past 2^53; parseJson below keeps integers as BigInt (class
//     Int) and everything else as a float, as serde_json::Value does;
//   * Number#toString lays floats out differently from serde_json
//     (1e16 vs "1e+16", 0.000001 vs "1e-6"); floatText rebuilds serde's
//     layout from the shortest round-trip digits.
'use strict';

const crypto = require('node:crypto');
const readline = require('node:readline');

const PROTOCOL = 'lash-spec-adapter/1';
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

// ---------------------------------------------------------------------------
// JSON values as serde_json::Value holds them
// ---------------------------------------------------------------------------

/** An integer literal that fits i64 or u64 (serde keeps it exact). */
class Int {
  constructor(big) {
    this.big = big;
  }
}

class ParseError extends Error {}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Parse JSON text into null/boolean/string/Int/number/Array/Map. */
function parseJson(text) {
  let i = 0;
  const skipWs = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return;
    }
  };
  const fail = (what) => {
    throw new ParseError(`${what} at offset ${i}`);
  };
  const string = () => {
    const start = i;
    i++; // opening quote
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) fail('unterminated string');
      if (c === 0x22) break;
      i += c === 0x5c ? 2 : 1;
    }
    i++;
    return JSON.parse(text.slice(start, i)); // escapes decoded by the engine
  };
  const value = () => {
    skipWs();
    const c = text[i];
    if (c === '{') {
      i++;
      const map = new Map();
      skipWs();
      if (text[i] === '}') {
        i++;
        return map;
      }
      for (;;) {
        skipWs();
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        skipWs();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        map.set(key, value());
        skipWs();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return map;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items = [];
      skipWs();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value());
        skipWs();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return items;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) fail('unexpected character');
    i = NUMBER.lastIndex;
    const literal = m[0];
    if (m[1] === undefined && m[2] === undefined) {
      if (literal === '-0') return -0; // serde reads -0 as the float -0.0
      const big = BigInt(literal);
      // serde turns longer integers into floats (this approximates its
      // digit-truncating conversion; the runner never sends such literals).
      return big >= I64_MIN && big <= U64_MAX ? new Int(big) : Number(literal);
    }
    return Number(literal);
  };
  const result = value();
  skipWs();
  if (i !== text.length) fail('trailing characters');
  return result;
}

/** serde_json's layout of an f64 (plain for decimal exponents -5..=15). */
function floatText(x) {
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exp] = Math.abs(x).toExponential().split('e'); // shortest digits
  const digits = mantissa.replace('.', '');
  const e = Number.parseInt(exp, 10);
  if (e >= -5 && e <= 15) {
    if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
    const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
    return `${sign}${whole}.${digits.slice(e + 1) || '0'}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${head}e${e > 0 ? '+' : '-'}${Math.abs(e)}`;
}

/** Order strings by code point (UTF-8 byte order), as Rust's BTreeMap does. */
function compareKeys(a, b) {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    let x = a.charCodeAt(k);
    let y = b.charCodeAt(k);
    if (x !== y) {
      // UTF-16 puts surrogates (astral code points) before U+E000..U+FFFF.
      x = x >= 0xe000 ? x - 0x800 : x >= 0xd800 ? x + 0x2000 : x;
      y = y >= 0xe000 ? y - 0x800 : y >= 0xd800 ? y + 0x2000 : y;
      return x - y;
    }
  }
  return a.length - b.length;
}

/** stable_json: serde_json's compact text of the value, object keys sorted. */
function stableJson(v) {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (v instanceof Int) return v.big.toString();
  if (typeof v === 'number') return floatText(v);
  if (typeof v === 'string') return JSON.stringify(v); // serde's escapes for valid strings
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const keys = [...v.keys()].sort(compareKeys);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(v.get(k))}`).join(',')}}`;
}

function stableHash(v) {
  return crypto.createHash('sha256').update(stableJson(v), 'utf8').digest('hex');
}

// ---------------------------------------------------------------------------
// ProcessCommand::effect_id (seed 000)
// ---------------------------------------------------------------------------

class DecodeError extends Error {}
/** An argument that is not of the op's type: reply err code `argument`. */
class ArgumentError extends Error {}

function field(obj, name, where) {
  if (!(obj instanceof Map) || !obj.has(name)) throw new DecodeError(`${where}: missing field \`${name}\``);
  return obj.get(name);
}

function str(obj, name, where) {
  const v = field(obj, name, where);
  if (typeof v !== 'string') throw new DecodeError(`${where}.${name}: expected a string`);
  return v;
}

function scopeId(scope, where) {
  const session = str(scope, 'session_id', where);
  const frame = scope.get('agent_frame_id');
  return typeof frame === 'string' && frame !== '' ? `session:${session}/frame:${frame}` : `session:${session}`;
}

/** The id is built from the command's identifying fields only (a partial decoder). */
function effectId(cmd) {
  const op = str(cmd, 'op', '$');
  switch (op) {
    case 'start':
      return `process:start:${str(field(cmd, 'registration', '$'), 'id', '$.registration')}`;
    case 'list': {
      const mode = cmd.has('mode') ? cmd.get('mode') : 'live';
      return `process:list:${scopeId(field(cmd, 'session_scope', '$'), '$.session_scope')}:${mode}`;
    }
    case 'transfer': {
      const ids = field(cmd, 'process_ids', '$');
      if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) {
        throw new DecodeError('$.process_ids: expected an array of strings');
      }
      const from = scopeId(field(cmd, 'from_scope', '$'), '$.from_scope');
      const to = scopeId(field(cmd, 'to_scope', '$'), '$.to_scope');
      return `process:transfer:${from}:${to}:${stableHash(ids)}`;
    }
    case 'delete_session':
      return `process:delete-session:${str(cmd, 'session_id', '$')}`;
    case 'await':
      return `process:await:${str(cmd, 'process_id', '$')}`;
    case 'cancel':
      return `process:cancel:${str(cmd, 'process_id', '$')}`;
    case 'signal':
      return `process:signal:${str(cmd, 'process_id', '$')}:signal.${str(cmd, 'signal_name', '$')}:${str(cmd, 'signal_id', '$')}`;
    default:
      throw new DecodeError(`$.op: unknown variant \`${op}\``);
  }
}

// ---------------------------------------------------------------------------
// The protocol
// ---------------------------------------------------------------------------

// decode_text: JSON.parse, then the type's rules on the parsed value.
const SCOPE_FIELDS = ['session_id', 'agent_frame_id', 'turn_id', 'turn_index', 'protocol_iteration'];
const EFFECT_KINDS = ['llm_call', 'direct', 'tool_call', 'process', 'exec_code', 'checkpoint',
  'sync_execution_environment', 'sleep'];

function parseText(args) {
  if (args.length !== 1 || typeof args[0] !== 'string') throw new ArgumentError('decode_text takes one string');
  try {
    return JSON.parse(args[0]);
  } catch (err) {
    throw new DecodeError(`$: ${err.message}`);
  }
}

function decodeScope(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DecodeError('$: expected struct RuntimeScope');
  }
  const out = {};
  for (const name of SCOPE_FIELDS) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    if (name === 'turn_index' || name === 'protocol_iteration') {
      if (!Number.isSafeInteger(v) || v < 0) throw new DecodeError(`$.${name}: expected usize`);
      out[name] = v;
    } else {
      if (typeof v !== 'string') throw new DecodeError(`$.${name}: expected a string`);
      out[name] = v;
    }
  }
  if (typeof out.session_id !== 'string') throw new DecodeError('$: missing field `session_id`');
  return out;
}

function decodeEffectKind(value) {
  let name = value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1 || value[keys[0]] !== null) throw new DecodeError('$: expected enum RuntimeEffectKind');
    name = keys[0];
  }
  if (typeof name !== 'string' || !EFFECT_KINDS.includes(name)) {
    throw new DecodeError('$: unknown variant of RuntimeEffectKind');
  }
  return name;
}

const OPS = {
  stable_json: (args) => stableJson(args[0]),
  stable_hash: (args) => stableHash(args[0]),
  'ProcessCommand::effect_id': (args) => effectId(args[0]),
  'decode_text:RuntimeScope': (args) => decodeScope(parseText(args)),
  'decode_text:RuntimeEffectKind': (args) => decodeEffectKind(parseText(args)),
};

const HELLO = {
  name: 'lash-spec-node-example',
  version: '0.1.0',
  language: 'javascript',
  protocol: PROTOCOL,
  ops: Object.keys(OPS),
  kinds: [],
};

/** One request line → one reply line (without the newline). */
function handle(line) {
  let request;
  try {
    request = parseJson(line);
  } catch (err) {
    // A line our reader refuses is still answered (the runner writes "seq" first).
    const found = /^\{"seq":(\d+),/.exec(line);
    if (found === null) {
      process.stderr.write(`adapter.js: request is not JSON: ${err.message}\n`);
      process.exit(2);
    }
    const message = `request line not readable by this adapter: ${err.message}`;
    return `{"seq":${found[1]},"errored":${JSON.stringify({ message })}}`;
  }
  const seqValue = request instanceof Map ? request.get('seq') : undefined;
  const seq = seqValue instanceof Int ? seqValue.big.toString() : 'null';
  const reply = (tag, value) => `{"seq":${seq},"${tag}":${JSON.stringify(value)}}`;
  const cmd = request.get('cmd');
  try {
    if (cmd === 'start') {
      if (request.get('protocol') !== PROTOCOL) {
        return reply('errored', { message: `this adapter speaks ${PROTOCOL}` });
      }
      return reply('ok', HELLO);
    }
    if (cmd === 'call') {
      const fn = OPS[request.get('op')];
      if (fn === undefined) return reply('skipped', { reason: 'not implemented' });
      return reply('ok', fn(request.get('args')));
    }
    return reply('skipped', { reason: `command ${cmd} is not implemented` });
  } catch (err) {
    if (err instanceof DecodeError) return reply('err', { code: 'decode', message: err.message });
    if (err instanceof ArgumentError) return reply('err', { code: 'argument', message: err.message });
    return reply('errored', { message: String(err && err.stack ? err.stack : err) });
  }
}

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', (line) => {
  if (line.trim() !== '') process.stdout.write(`${handle(line)}\n`);
});
input.on('close', () => process.exit(0));
