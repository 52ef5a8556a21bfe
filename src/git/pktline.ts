import { gitRemoteError } from './errors.js';

/** One pkt-line: data, or one of the special packets of protocol v2. */
export type Pkt = { readonly kind: 'data'; readonly data: Uint8Array } | { readonly kind: 'flush' | 'delim' | 'end' };

const MAX_PKT = 65520;
const enc = new TextEncoder();
const dec = new TextDecoder();

export function pktLine(text: string): Uint8Array {
  const body = enc.encode(text);
  if (body.length + 4 > MAX_PKT) throw new RangeError('pkt-line too long');
  return concat([enc.encode((body.length + 4).toString(16).padStart(4, '0')), body]);
}

export const FLUSH = enc.encode('0000');
export const DELIM = enc.encode('0001');

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Reads pkt-lines from a buffered response; any malformed length is `git-remote.protocol`. */
export class PktReader {
  readonly #buf: Uint8Array;
  readonly #where: string;
  #at = 0;

  constructor(buf: Uint8Array, where: string) {
    this.#buf = buf;
    this.#where = where;
  }

  get done(): boolean {
    return this.#at >= this.#buf.length;
  }

  /** the unread rest (a v0 pack sent without side-band follows the pkt-lines raw) */
  rest(): Uint8Array {
    return this.#buf.subarray(this.#at);
  }

  /** peeks whether the unread bytes start with `text` */
  startsWith(text: string): boolean {
    const t = enc.encode(text);
    if (this.#buf.length - this.#at < t.length) return false;
    return t.every((b, i) => this.#buf[this.#at + i] === b);
  }

  next(): Pkt {
    if (this.#buf.length - this.#at < 4) throw gitRemoteError('git-remote.protocol', `${this.#where}: the answer ends inside a pkt-line`);
    const hex = dec.decode(this.#buf.subarray(this.#at, this.#at + 4));
    if (!/^[0-9a-f]{4}$/i.test(hex)) throw gitRemoteError('git-remote.protocol', `${this.#where}: not a pkt-line (${JSON.stringify(printable(hex))})`);
    const len = Number.parseInt(hex, 16);
    if (len === 0 || len === 1 || len === 2) {
      this.#at += 4;
      return { kind: len === 0 ? 'flush' : len === 1 ? 'delim' : 'end' };
    }
    if (len < 4 || len > MAX_PKT) throw gitRemoteError('git-remote.protocol', `${this.#where}: bad pkt-line length ${len}`);
    if (this.#at + len > this.#buf.length) throw gitRemoteError('git-remote.protocol', `${this.#where}: the answer ends inside a pkt-line`);
    const data = this.#buf.subarray(this.#at + 4, this.#at + len);
    this.#at += len;
    return { kind: 'data', data };
  }

  /** the next packet as text (trailing LF removed), or undefined at a special packet */
  nextText(): string | undefined {
    const p = this.next();
    return p.kind === 'data' ? pktText(p.data) : undefined;
  }
}

export function pktText(data: Uint8Array): string {
  const s = dec.decode(data);
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

/** An `ERR <message>` line from the server, as a protocol error that says what the server said. */
export function serverErr(text: string, where: string): Error | undefined {
  if (!text.startsWith('ERR ')) return undefined;
  const msg = printable(text.slice(4)).slice(0, 300);
  if (/not our ref|not found|no such|unadvertised/i.test(msg)) return gitRemoteError('git-remote.ref-not-found', `${where}: the server says: ${msg}`);
  return gitRemoteError('git-remote.server-error', `${where}: the server says: ${msg}`);
}

/**
 * Joins side-band data (band 1) from packets until a flush; band 2 (progress) is dropped, band 3 is
 * the server's fatal error.
 */
export function readSideBand(r: PktReader, where: string, maxBytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    if (r.done) break; // some servers end the stream without a flush after the pack
    const p = r.next();
    if (p.kind !== 'data') break;
    const band = p.data[0];
    const payload = p.data.subarray(1);
    if (band === 1) {
      total += payload.length;
      if (total > maxBytes) throw gitRemoteError('git-remote.too-large', `${where}: the pack is larger than ${maxBytes} bytes`);
      parts.push(payload);
    } else if (band === 3) {
      throw gitRemoteError('git-remote.server-error', `${where}: the server says: ${printable(dec.decode(payload)).trim().slice(0, 300)}`);
    } else if (band !== 2) {
      throw gitRemoteError('git-remote.protocol', `${where}: side-band packet on unknown band ${String(band)}`);
    }
  }
  return concat(parts);
}
