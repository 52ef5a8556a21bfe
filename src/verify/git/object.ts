import { createHash } from 'node:crypto';

/** One Git object as stored: the content after the `<type> <len>\0` header. */
export interface RawGitObject {
  readonly type: 'commit' | 'tag';
  /** 40 lower-case hex */
  readonly id: string;
  readonly body: Uint8Array;
}

/** The signature kinds source-controller tells apart (pkg/git signature.GetSignatureType). */
export type GitSignatureType = 'openpgp' | 'ssh' | 'x509' | 'empty' | 'unknown';

export interface GitPerson {
  readonly name: string;
  readonly email: string;
  /** seconds since the epoch, as written in the object */
  readonly when: number;
  /** the `+hhmm` zone as written */
  readonly zone: string;
}

export interface ParsedCommit {
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author?: GitPerson;
  readonly committer?: GitPerson;
  readonly message: string;
}

export interface ParsedTag {
  readonly object: string;
  readonly objectType: string;
  readonly tag: string;
  readonly tagger?: GitPerson;
  readonly message: string;
}

const NL = 0x0a;
const utf8 = new TextDecoder('utf-8');

/** The object id git gives these bytes: sha1 over `<type> <len>\0` + body. */
export function gitObjectId(type: 'commit' | 'tag' | 'tree' | 'blob', body: Uint8Array): string {
  return createHash('sha1').update(`${type} ${String(body.length)}\0`).update(body).digest('hex');
}

/** Lines of `b`, each with its trailing newline (the last one may have none). */
function lines(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  while (start < b.length) {
    const nl = b.indexOf(NL, start);
    const end = nl < 0 ? b.length : nl + 1;
    out.push(b.subarray(start, end));
    start = end;
  }
  return out;
}

function startsWith(line: Uint8Array, prefix: string): boolean {
  if (line.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (line[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Only these two header names are signatures; other `gpgsig…` extra headers are payload (go-git isSignatureHeader). */
function isSignatureHeader(line: Uint8Array): boolean {
  return startsWith(line, 'gpgsig ') || startsWith(line, 'gpgsig-sha256 ');
}

/**
 * The object minus `gpgsig` / `gpgsig-sha256` headers and their continuation lines, up to the blank
 * line ending the header block; the rest is copied verbatim (git's remove_signature, go-git ≥ 5.19
 * stripHeaderSignatures).
 */
function stripHeaderSignatures(body: Uint8Array): Uint8Array {
  const kept: Uint8Array[] = [];
  let inBody = false;
  let skipping = false;
  for (const line of lines(body)) {
    let write = true;
    if (!inBody) {
      if (skipping && line[0] === 0x20) write = false;
      else if (isSignatureHeader(line)) {
        skipping = true;
        write = false;
      } else if (line.length === 1 && line[0] === NL) {
        skipping = false;
        inBody = true;
      } else skipping = false;
    }
    if (write) kept.push(line);
  }
  return concat(kept);
}

/** Every armor go-git recognises as a signature start (object/signature.go knownSignatureFormats). */
const SIGNATURE_STARTS = [
  '-----BEGIN PGP SIGNATURE-----',
  '-----BEGIN PGP MESSAGE-----',
  '-----BEGIN CERTIFICATE-----',
  '-----BEGIN SIGNED MESSAGE-----',
  '-----BEGIN SSH SIGNATURE-----',
];

/** Offset of the last line that starts a signature block, or -1 (go-git parseSignedBytes, git parse_signed_buffer). */
function lastSignatureStart(b: Uint8Array): number {
  let match = -1;
  let at = 0;
  for (const line of lines(b)) {
    if (SIGNATURE_STARTS.some((s) => startsWith(line, s))) match = at;
    at += line.length;
  }
  return match;
}

/**
 * The value of every `gpgsig` header, continuation lines joined with their leading space removed,
 * repeated headers concatenated (go-git commit scanner). `gpgsig-sha256` is not read: go-git
 * skips it, so Flux never sees that signature.
 */
function commitSignature(body: Uint8Array): string {
  let sig = '';
  let inSig = false;
  for (const line of lines(body)) {
    if (line.length === 1 && line[0] === NL) break;
    if (inSig && line[0] === 0x20) {
      sig += utf8.decode(line.subarray(1));
      continue;
    }
    inSig = startsWith(line, 'gpgsig ');
    if (inSig) sig += utf8.decode(line.subarray('gpgsig '.length).filter((c) => c !== NL)) + '\n';
  }
  return sig;
}

/** pkg/git signature.GetSignatureType: prefixes after trimming; empty only when truly empty. */
export function signatureType(signature: string): GitSignatureType {
  const t = signature.trim();
  if (t.startsWith('-----BEGIN PGP SIGNATURE-----')) return 'openpgp';
  if (t.startsWith('-----BEGIN SSH SIGNATURE-----')) return 'ssh';
  if (t.startsWith('-----BEGIN SIGNED MESSAGE-----')) return 'x509';
  if (signature.length === 0) return 'empty';
  return 'unknown';
}

/**
 * The signed bytes and the signature, exactly as git and go-git ≥ 5.19 (source-controller ≥ 1.8.4)
 * cut them: a commit minus its signature headers; a tag cut before its last signature block (then
 * minus any signature headers too).
 */
export function signedParts(o: RawGitObject): { payload: Uint8Array; signature: string; type: GitSignatureType } {
  if (o.type === 'commit') {
    const signature = commitSignature(o.body);
    return { payload: stripHeaderSignatures(o.body), signature, type: signatureType(signature) };
  }
  const headerEnd = headerLength(o.body);
  // go-git takes the tag's signature from the message only, but cuts the payload at the last
  // signature line of the whole object; a header line cannot start with "-----", so both agree.
  const cut = lastSignatureStart(o.body.subarray(headerEnd));
  const at = cut < 0 ? o.body.length : headerEnd + cut;
  const signature = cut < 0 ? '' : utf8.decode(o.body.subarray(at));
  return { payload: stripHeaderSignatures(o.body.subarray(0, at)), signature, type: signatureType(signature) };
}

/** Bytes of the header block including the blank line after it (the whole object if none). */
function headerLength(body: Uint8Array): number {
  let at = 0;
  for (const line of lines(body)) {
    at += line.length;
    if (line.length === 1 && line[0] === NL) return at;
  }
  return body.length;
}

interface Headers {
  readonly fields: readonly (readonly [string, string])[];
  readonly message: string;
}

function readHeaders(body: Uint8Array): Headers {
  const fields: [string, string][] = [];
  const end = headerLength(body);
  let last: [string, string] | undefined;
  for (const raw of lines(body.subarray(0, end))) {
    const line = utf8.decode(raw).replace(/\n$/, '');
    if (line === '') break;
    if (line.startsWith(' ') && last) {
      last[1] += '\n' + line.slice(1);
      continue;
    }
    const sp = line.indexOf(' ');
    last = sp < 0 ? [line, ''] : [line.slice(0, sp), line.slice(sp + 1)];
    fields.push(last);
  }
  return { fields, message: utf8.decode(body.subarray(end)) };
}

function person(v: string | undefined): GitPerson | undefined {
  if (v === undefined) return undefined;
  const m = /^(.*?) ?<([^>]*)> (\d+) ([+-]\d{4})$/.exec(v);
  if (!m) return undefined;
  return { name: m[1] ?? '', email: m[2] ?? '', when: Number(m[3]), zone: m[4] ?? '' };
}

function first(h: Headers, key: string): string | undefined {
  return h.fields.find(([k]) => k === key)?.[1];
}

export function parseCommit(body: Uint8Array): ParsedCommit {
  const h = readHeaders(body);
  const author = person(first(h, 'author'));
  const committer = person(first(h, 'committer'));
  return {
    tree: first(h, 'tree') ?? '',
    parents: h.fields.filter(([k]) => k === 'parent').map(([, v]) => v),
    ...(author ? { author } : {}),
    ...(committer ? { committer } : {}),
    message: h.message,
  };
}

/** A tag's message is without its trailing signature block. */
export function parseTag(body: Uint8Array): ParsedTag {
  const h = readHeaders(body);
  const end = headerLength(body);
  const cut = lastSignatureStart(body.subarray(end));
  const tagger = person(first(h, 'tagger'));
  return {
    object: first(h, 'object') ?? '',
    objectType: first(h, 'type') ?? '',
    tag: first(h, 'tag') ?? '',
    ...(tagger ? { tagger } : {}),
    message: utf8.decode(body.subarray(end, cut < 0 ? body.length : end + cut)),
  };
}

