import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { gitRemoteError } from './errors.js';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export interface PackObject {
  readonly type: ObjectType;
  readonly body: Uint8Array;
}

const TYPES: Readonly<Record<number, ObjectType>> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

/** sha1("<type> <len>\0" + body) as 40 hex: the object's id. */
export function objectId(type: ObjectType, body: Uint8Array): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

interface Pending {
  readonly offset: number;
  readonly base: { readonly offset: number } | { readonly id: string };
  readonly delta: Uint8Array;
}

/**
 * Every object of a version 2/3 packfile by id, deltas applied. Deltas may only refer to objects in
 * the same pack (no thin packs are asked for). `maxObjectBytes` caps each object's inflated size.
 */
export function parsePack(pack: Uint8Array, maxObjectBytes: number, where: string): Map<string, PackObject> {
  const bad = (why: string): Error => gitRemoteError('git-remote.protocol', `${where}: bad packfile: ${why}`);
  if (pack.length < 32 || String.fromCharCode(...pack.subarray(0, 4)) !== 'PACK') throw bad('no PACK header');
  const view = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  const version = view.getUint32(4);
  if (version !== 2 && version !== 3) throw bad(`version ${version}`);
  const count = view.getUint32(8);
  const end = pack.length - 20;
  const trailer = Buffer.from(pack.subarray(end)).toString('hex');
  if (createHash('sha1').update(pack.subarray(0, end)).digest('hex') !== trailer) throw bad('checksum does not match');

  const byOffset = new Map<number, PackObject>();
  const byId = new Map<string, PackObject>();
  const pending: Pending[] = [];
  let at = 12;
  for (let i = 0; i < count; i++) {
    const offset = at;
    if (at >= end) throw bad('ends before its last object');
    let c = pack[at++] as number;
    const typeNo = (c >> 4) & 7;
    let size = c & 15;
    let shift = 4;
    while (c & 0x80) {
      if (at >= end || shift > 49) throw bad('object header');
      c = pack[at++] as number;
      size += (c & 0x7f) * 2 ** shift;
      shift += 7;
    }
    let base: Pending['base'] | undefined;
    if (typeNo === OFS_DELTA) {
      c = pack[at++] as number;
      let rel = c & 0x7f;
      while (c & 0x80) {
        if (at >= end) throw bad('delta offset');
        c = pack[at++] as number;
        rel = (rel + 1) * 128 + (c & 0x7f);
      }
      if (rel <= 0 || rel > offset) throw bad('delta base offset');
      base = { offset: offset - rel };
    } else if (typeNo === REF_DELTA) {
      if (at + 20 > end) throw bad('delta base id');
      base = { id: Buffer.from(pack.subarray(at, at + 20)).toString('hex') };
      at += 20;
    } else if (TYPES[typeNo] === undefined) {
      throw bad(`object type ${typeNo}`);
    }
    if (size > maxObjectBytes) throw gitRemoteError('git-remote.too-large', `${where}: an object of ${size} bytes is over the limit of ${maxObjectBytes}`);
    const { data, used } = inflate(pack.subarray(at, end), size, bad);
    at += used;
    if (base) {
      pending.push({ offset, base, delta: data });
    } else {
      const obj: PackObject = { type: TYPES[typeNo] as ObjectType, body: data };
      byOffset.set(offset, obj);
      byId.set(objectId(obj.type, data), obj);
    }
  }
  if (at !== end) throw bad('data after the last object');

  // Bases come before their ofs-deltas; a ref-delta may name one further on, so repeat until stuck.
  let left = pending;
  while (left.length > 0) {
    const next: Pending[] = [];
    for (const p of left) {
      const b = 'offset' in p.base ? byOffset.get(p.base.offset) : byId.get(p.base.id);
      if (!b) {
        next.push(p);
        continue;
      }
      const body = applyDelta(b.body, p.delta, maxObjectBytes, bad, where);
      const obj: PackObject = { type: b.type, body };
      byOffset.set(p.offset, obj);
      byId.set(objectId(obj.type, body), obj);
    }
    if (next.length === left.length) throw bad(`${next.length} delta(s) whose base is not in the pack`);
    left = next;
  }
  return byId;
}

function inflate(input: Uint8Array, size: number, bad: (why: string) => Error): { data: Uint8Array; used: number } {
  let r: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    // `info` gives the engine, whose bytesWritten is the input consumed: where the next object starts
    r = inflateSync(input, { info: true, maxOutputLength: Math.max(1, size) }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
  } catch {
    throw bad('an object does not inflate to its stated size');
  }
  if (r.buffer.length !== size) throw bad('an object does not inflate to its stated size');
  return { data: new Uint8Array(r.buffer.buffer, r.buffer.byteOffset, r.buffer.length), used: r.engine.bytesWritten };
}

function readSize(delta: Uint8Array, at: number, bad: (why: string) => Error): [number, number] {
  let n = 0;
  let shift = 0;
  let c: number;
  do {
    if (at >= delta.length || shift > 49) throw bad('delta header');
    c = delta[at++] as number;
    n += (c & 0x7f) * 2 ** shift;
    shift += 7;
  } while (c & 0x80);
  return [n, at];
}

function applyDelta(base: Uint8Array, delta: Uint8Array, max: number, bad: (why: string) => Error, where: string): Uint8Array {
  const [baseSize, afterBase] = readSize(delta, 0, bad);
  if (baseSize !== base.length) throw bad('delta base size');
  const [resultSize, afterResult] = readSize(delta, afterBase, bad);
  let at = afterResult;
  if (resultSize > max) throw gitRemoteError('git-remote.too-large', `${where}: an object of ${resultSize} bytes is over the limit of ${max}`);
  const out = new Uint8Array(resultSize);
  let o = 0;
  while (at < delta.length) {
    const op = delta[at++] as number;
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) off += (delta[at++] ?? 0) * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (1 << (4 + i))) len += (delta[at++] ?? 0) * 2 ** (8 * i);
      if (len === 0) len = 0x10000;
      if (off + len > base.length || o + len > resultSize) throw bad('delta copy out of range');
      out.set(base.subarray(off, off + len), o);
      o += len;
    } else if (op > 0) {
      if (at + op > delta.length || o + op > resultSize) throw bad('delta insert out of range');
      out.set(delta.subarray(at, at + op), o);
      at += op;
      o += op;
    } else {
      throw bad('delta opcode 0');
    }
  }
  if (o !== resultSize) throw bad('delta result size');
  return out;
}
