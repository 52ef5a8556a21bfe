/**
 * A small strict CBOR (RFC 8949) decoder for COSE envelopes. Everything an attacker controls passes
 * through here, so it accepts only what COSE_Sign1 needs: definite lengths, integer or text map keys
 * without duplicates, safe integers, the simple values false/true/null, bounded depth and sizes, and
 * nothing after the top-level item.
 */
import { fail } from './codes.js';

export type CborKey = number | string;
export interface CborTag { readonly tag: number; readonly value: CborValue }
export type CborValue = number | string | Uint8Array | boolean | null | readonly CborValue[] | ReadonlyMap<CborKey, CborValue> | CborTag;

export const CBOR_MAX_DEPTH = 16;
export const CBOR_MAX_ITEMS = 4096;

export function isTag(v: CborValue): v is CborTag {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !(v instanceof Map) && !Array.isArray(v);
}
export function isMap(v: CborValue): v is ReadonlyMap<CborKey, CborValue> {
  return v instanceof Map;
}

/** Decode exactly one CBOR item spanning all of `bytes`. */
export function decodeCbor(bytes: Uint8Array, what = 'CBOR'): CborValue {
  const r = new Reader(bytes, what);
  const v = r.item(0);
  if (r.pos !== bytes.length) fail('notation.envelope-invalid', `${what}: expected one item, found ${bytes.length - r.pos} trailing bytes`);
  return v;
}

class Reader {
  pos = 0;
  private items = 0;
  constructor(private readonly buf: Uint8Array, private readonly what: string) {}

  private bad(msg: string): never {
    fail('notation.envelope-invalid', `${this.what}: ${msg} at byte ${this.pos}`);
  }

  private byte(): number {
    const b = this.buf[this.pos];
    if (b === undefined) this.bad('expected more data, found end of input');
    this.pos++;
    return b;
  }

  /** The argument of a head; `info` 31 (indefinite) is refused here for every major type. */
  private argument(info: number): number {
    if (info < 24) return info;
    let n: number;
    if (info === 24) n = 1;
    else if (info === 25) n = 2;
    else if (info === 26) n = 4;
    else if (info === 27) n = 8;
    else if (info === 31) this.bad('expected a definite length, found an indefinite one');
    else this.bad(`expected a valid additional info, found reserved value ${info}`);
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.byte());
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.bad('expected an integer or length below 2^53, found a larger one');
    return Number(v);
  }

  private take(len: number): Uint8Array {
    if (len > this.buf.length - this.pos) this.bad(`expected ${len} bytes, found only ${this.buf.length - this.pos}`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  private count(n: number): void {
    this.items += n;
    if (this.items > CBOR_MAX_ITEMS) this.bad(`expected at most ${CBOR_MAX_ITEMS} items, found more`);
    // Every item is at least one byte: a count larger than the rest of the input cannot be honest.
    if (n > this.buf.length - this.pos) this.bad(`expected ${n} items, found only ${this.buf.length - this.pos} bytes left`);
  }

  item(depth: number): CborValue {
    if (depth > CBOR_MAX_DEPTH) this.bad(`expected nesting of at most ${CBOR_MAX_DEPTH}, found deeper`);
    const head = this.byte();
    const major = head >> 5;
    const info = head & 0x1f;
    switch (major) {
      case 0: return this.argument(info);
      case 1: return -1 - this.argument(info);
      case 2: return Uint8Array.from(this.take(this.argument(info)));
      case 3: {
        const raw = this.take(this.argument(info));
        try {
          return new TextDecoder('utf-8', { fatal: true }).decode(raw);
        } catch {
          return this.bad('expected UTF-8 text, found invalid bytes');
        }
      }
      case 4: {
        const n = this.argument(info);
        this.count(n);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        const n = this.argument(info);
        this.count(2 * n);
        const out = new Map<CborKey, CborValue>();
        for (let i = 0; i < n; i++) {
          const k = this.item(depth + 1);
          if (typeof k !== 'number' && typeof k !== 'string') this.bad('expected an integer or text map key, found another type');
          if (out.has(k)) this.bad(`expected unique map keys, found ${JSON.stringify(k)} twice`);
          out.set(k, this.item(depth + 1));
        }
        return out;
      }
      case 6: {
        const tag = this.argument(info);
        return { tag, value: this.item(depth + 1) };
      }
      default: {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        return this.bad(`expected false, true or null, found simple/float value ${info}`);
      }
    }
  }
}

/** Encoding, only for Sig_structure: arrays of text and byte strings. */
export function encodeCborArray(items: readonly (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [head(4, items.length)];
  for (const it of items) {
    const body = typeof it === 'string' ? Buffer.from(it, 'utf8') : Buffer.from(it);
    parts.push(head(typeof it === 'string' ? 3 : 2, body.length), body);
  }
  return Buffer.concat(parts);
}

function head(major: number, n: number): Buffer {
  const m = major << 5;
  if (n < 24) return Buffer.from([m | n]);
  if (n < 0x100) return Buffer.from([m | 24, n]);
  if (n < 0x10000) return Buffer.from([m | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = m | 26;
  b.writeUInt32BE(n, 1);
  return b;
}
