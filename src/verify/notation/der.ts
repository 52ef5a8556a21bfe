/** A minimal strict DER reader for walking RFC 3161 timestamp tokens: definite lengths, bounded depth. */
export interface Tlv {
  /** the identifier octet (single-byte tags only, which CMS and TSP use) */
  readonly tag: number;
  readonly constructed: boolean;
  /** the whole element, header included */
  readonly raw: Buffer;
  readonly content: Buffer;
}

export class DerError extends Error {}

const MAX_DEPTH = 32;

export function readTlv(buf: Buffer, offset = 0): Tlv {
  const tag = buf[offset];
  if (tag === undefined) throw new DerError('expected an element, found end of input');
  if ((tag & 0x1f) === 0x1f) throw new DerError('expected a single-byte tag, found a multi-byte tag');
  let pos = offset + 1;
  const first = buf[pos++];
  if (first === undefined) throw new DerError('expected a length, found end of input');
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0) throw new DerError('expected a definite length, found an indefinite one');
    if (n > 4) throw new DerError(`expected a length of at most 4 bytes, found ${n}`);
    len = 0;
    for (let i = 0; i < n; i++) {
      const b = buf[pos++];
      if (b === undefined) throw new DerError('expected a length, found end of input');
      len = len * 256 + b;
    }
  }
  if (len > buf.length - pos) throw new DerError(`expected ${len} content bytes, found ${buf.length - pos}`);
  return { tag, constructed: (tag & 0x20) !== 0, raw: buf.subarray(offset, pos + len), content: buf.subarray(pos, pos + len) };
}

/** Parse exactly one element spanning `buf`. */
export function parseDer(buf: Buffer): Tlv {
  const t = readTlv(buf, 0);
  if (t.raw.length !== buf.length) throw new DerError(`expected one element, found ${buf.length - t.raw.length} trailing bytes`);
  return t;
}

export function children(t: Tlv, depth = 0): Tlv[] {
  if (depth > MAX_DEPTH) throw new DerError('expected bounded nesting, found deeper');
  if (!t.constructed) throw new DerError(`expected a constructed element, found primitive tag 0x${t.tag.toString(16)}`);
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < t.content.length) {
    const c = readTlv(t.content, pos);
    out.push(c);
    pos += c.raw.length;
  }
  return out;
}

export function oid(t: Tlv): string {
  if (t.tag !== 0x06 || t.content.length === 0) throw new DerError('expected an OBJECT IDENTIFIER');
  const parts: number[] = [];
  let v = 0;
  for (const b of t.content) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) { parts.push(v); v = 0; }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

export function generalizedTime(t: Tlv): Date {
  if (t.tag !== 0x18) throw new DerError('expected a GeneralizedTime');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(t.content.toString('latin1'));
  if (!m) throw new DerError(`expected YYYYMMDDHHMMSS[.f]Z, found ${t.content.toString('latin1')}`);
  const ms = m[7] ? Math.round(Number(`0${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
}

export function integer(t: Tlv): number {
  if (t.tag !== 0x02 || t.content.length === 0 || t.content.length > 6) throw new DerError('expected a small INTEGER');
  return t.content.readUIntBE(0, t.content.length);
}
