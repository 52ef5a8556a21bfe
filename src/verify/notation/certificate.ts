/**
 * X.509 certificates as notation reads them: DER in, the fields its rules look at out. node:crypto
 * does signatures and validity; the extensions it lacks (keyUsage bits, criticality, pathLen, RDNs)
 * are read here with the DER reader, so nothing global (such as a Reflect polyfill) is needed.
 */
import { X509Certificate as NodeCert, createHash } from 'node:crypto';
import { children, oid, parseDer } from './der.js';
import type { Tlv } from './der.js';
import { fail } from './codes.js';
import type { NotationCode } from './codes.js';
import type { DnMap } from './dn.js';

export interface Extension { readonly oid: string; readonly critical: boolean; readonly value: Buffer }

export interface Certificate {
  readonly der: Buffer;
  readonly node: NodeCert;
  /** Go's pkix.Name String() form, most specific RDN first, e.g. CN=alpine,O=Notary,…,C=US */
  readonly subject: string;
  readonly issuer: string;
  readonly subjectDn: DnMap;
  /** false when the subject has multi-valued or repeated RDNs, which identities cannot match */
  readonly subjectDnUsable: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly sha256: string;
  readonly signatureAlgorithm: string;
  /** DER of the subject and issuer Names, compared byte for byte when linking a chain */
  readonly subjectRaw: Buffer;
  readonly issuerRaw: Buffer;
  readonly extensions: readonly Extension[];
}

// Go prints these attribute types by name and every other one as a dotted OID.
const GO_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.6': 'C', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.3': 'CN', '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.9': 'STREET', '2.5.4.17': 'POSTALCODE',
};

function escapeValue(v: string): string {
  return v.replace(/([,+"\\<>;])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

function stringValue(t: Tlv): string {
  switch (t.tag) {
    case 0x0c: return new TextDecoder('utf-8', { fatal: true }).decode(t.content);
    case 0x13: case 0x16: case 0x14: return t.content.toString('latin1');
    case 0x1e: return Buffer.from(t.content).swap16().toString('utf16le');
    default: return `#${t.raw.toString('hex')}`;
  }
}

function describeName(name: Tlv): { text: string; dn: Map<string, string>; usable: boolean } {
  const dn = new Map<string, string>();
  let usable = true;
  const parts: string[] = [];
  for (const rdn of children(name)) {
    const attrs = children(rdn);
    if (attrs.length > 1) usable = false;
    const texts: string[] = [];
    for (const a of attrs) {
      const [type, value] = children(a);
      if (!type || !value) throw new Error('expected an attribute type and value');
      const o = oid(type);
      const k = GO_NAMES[o] ?? o;
      const v = stringValue(value);
      if (dn.has(k)) usable = false;
      dn.set(k, v);
      texts.push(`${k}=${v.startsWith('#') && !GO_NAMES[o] ? v : escapeValue(v)}`);
    }
    parts.push(texts.join('+'));
  }
  return { text: parts.reverse().join(','), dn, usable };
}

function readExtensions(tbs: readonly Tlv[]): Extension[] {
  const wrapper = tbs.find((f) => f.tag === 0xa3);
  if (!wrapper) return [];
  const seq = children(wrapper)[0];
  if (!seq) return [];
  return children(seq).map((e) => {
    const f = children(e);
    const critical = f[1]?.tag === 0x01 ? f[1].content[0] === 0xff : false;
    const value = f[f.length - 1];
    if (!f[0] || value?.tag !== 0x04) throw new Error('expected an extension OID and OCTET STRING');
    return { oid: oid(f[0]), critical, value: value.content };
  });
}

/** Parse one DER certificate; `code` says which failure a bad certificate is in this context. */
export function parseCertificate(der: Uint8Array, what: string, code: NotationCode = 'notation.chain-invalid'): Certificate {
  const buf = Buffer.from(der);
  try {
    const node = new NodeCert(buf);
    const top = children(parseDer(buf));
    const tbs = children(top[0] as Tlv);
    const off = tbs[0]?.tag === 0xa0 ? 1 : 0;
    const issuer = describeName(tbs[off + 2] as Tlv);
    const subject = describeName(tbs[off + 4] as Tlv);
    const extensions = readExtensions(tbs);
    if (new Set(extensions.map((e) => e.oid)).size !== extensions.length) throw new Error('duplicate extension');
    const cert: Certificate = {
      der: buf, node, subjectRaw: (tbs[off + 4] as Tlv).raw, issuerRaw: (tbs[off + 2] as Tlv).raw, signatureAlgorithm: oid(children(top[1] as Tlv)[0] as Tlv), extensions,
      subject: subject.text, issuer: issuer.text, subjectDn: subject.dn, subjectDnUsable: subject.usable,
      notBefore: new Date(node.validFrom), notAfter: new Date(node.validTo),
      sha256: createHash('sha256').update(buf).digest('hex'),
    };
    // Read the extensions the chain rules use now, so a malformed one fails here with this code.
    basicConstraints(cert);
    keyUsage(cert);
    extKeyUsage(cert);
    return cert;
  } catch (e) {
    return fail(code, `${what}: expected a DER X.509 certificate, found bytes that do not parse (${(e as Error).message.split('\n')[0] ?? ''})`, e);
  }
}

/** PEM (one or more CERTIFICATE blocks) or a single DER certificate, as trust stores and Secrets hold them. */
export function parseCertificateFile(bytes: Uint8Array, what: string, code: NotationCode): Certificate[] {
  const text = Buffer.from(bytes).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
    if (blocks.length === 0) fail(code, `${what}: expected PEM CERTIFICATE blocks, found none`);
    return blocks.map((m, i) => {
      const body = (m[1] ?? '').replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) fail(code, `${what}: expected base64 in PEM block ${i}, found other characters`);
      return parseCertificate(Buffer.from(body, 'base64'), `${what} (certificate ${i})`, code);
    });
  }
  return [parseCertificate(bytes, what, code)];
}

/**
 * `child` names `parent` as issuer and carries its signature. OpenSSL's checkIssued also demands
 * keyCertSign on the issuer, which a self-signed signing certificate lacks, so names are compared here.
 */
export function issuedBy(child: Certificate, parent: Certificate): boolean {
  if (!child.issuerRaw.equals(parent.subjectRaw)) return false;
  try {
    return child.node.verify(parent.node.publicKey);
  } catch {
    return false;
  }
}

export function isSelfSigned(c: Certificate): boolean {
  return issuedBy(c, c);
}

function ext(c: Certificate, id: string): Extension | undefined {
  return c.extensions.find((e) => e.oid === id);
}

export function basicConstraints(c: Certificate): { ca: boolean; pathLength?: number; critical: boolean } | undefined {
  const e = ext(c, '2.5.29.19');
  if (!e) return undefined;
  const f = children(parseDer(e.value));
  let i = 0;
  let ca = false;
  if (f[i]?.tag === 0x01) { ca = f[i]?.content[0] === 0xff; i++; }
  const pl = f[i];
  return { ca, critical: e.critical, ...(pl?.tag === 0x02 ? { pathLength: pl.content.readUIntBE(0, Math.min(pl.content.length, 4)) } : {}) };
}

/** keyUsage as the bit mask @peculiar/x509 and Go use: digitalSignature = 1 … keyCertSign = 32, cRLSign = 64. */
export function keyUsage(c: Certificate): number | undefined {
  const e = ext(c, '2.5.29.15');
  if (!e) return undefined;
  const bits = parseDer(e.value);
  if (bits.tag !== 0x03) throw new Error('expected a BIT STRING keyUsage');
  let mask = 0;
  // Named bit n is bit (7 - n % 8) of byte 1 + n / 8 (byte 0 counts unused bits).
  for (let n = 0; n < 9; n++) {
    const byte = bits.content[1 + (n >> 3)];
    if (byte !== undefined && (byte >> (7 - (n & 7))) & 1) mask |= 1 << n;
  }
  return mask;
}

export function extKeyUsage(c: Certificate): readonly string[] | undefined {
  const e = ext(c, '2.5.29.37');
  return e ? children(parseDer(e.value)).map(oid) : undefined;
}

export function hasExtension(c: Certificate, id: string): boolean {
  return ext(c, id) !== undefined;
}

const SHA1_SIGNATURES = new Set(['1.2.840.113549.1.1.5', '1.2.840.10045.4.1', '1.2.840.10040.4.3', '1.3.14.3.2.29']);

export function usesSha1(c: Certificate): boolean {
  return SHA1_SIGNATURES.has(c.signatureAlgorithm);
}

/** Whether a CA certificate (or self-signed signing certificate) fits a ca/signingAuthority store. */
export function isCaOrSelfSignedSigning(c: Certificate): boolean {
  const bc = basicConstraints(c);
  return (bc?.ca ?? false) || isSelfSigned(c);
}

export function isRootCa(c: Certificate): boolean {
  return (basicConstraints(c)?.ca ?? false) && isSelfSigned(c);
}
