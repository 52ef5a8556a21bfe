/** X.509 certificates as notation reads them: DER in, the fields its rules look at out. */
import { X509Certificate as NodeCert, createHash } from 'node:crypto';
import * as px from '@peculiar/x509';
import { fail } from './codes.js';
import type { NotationCode } from './codes.js';
import type { DnMap } from './dn.js';

export interface Certificate {
  readonly der: Buffer;
  readonly node: NodeCert;
  readonly parsed: px.X509Certificate;
  /** Go's pkix.Name String() form, most specific RDN first, e.g. CN=alpine,O=Notary,…,C=US */
  readonly subject: string;
  readonly issuer: string;
  readonly subjectDn: DnMap;
  /** false when the subject has multi-valued or repeated RDNs, which identities cannot match */
  readonly subjectDnUsable: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly sha256: string;
}

// Go prints these attribute types by name and every other one as a dotted OID.
const GO_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.6': 'C', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.3': 'CN', '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.9': 'STREET', '2.5.4.17': 'POSTALCODE',
};
const PECULIAR_OIDS: Readonly<Record<string, string>> = {
  CN: '2.5.4.3', L: '2.5.4.7', ST: '2.5.4.8', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6',
  DC: '0.9.2342.19200300.100.1.25', E: '1.2.840.113549.1.9.1', G: '2.5.4.42', I: '2.5.4.43', SN: '2.5.4.4', T: '2.5.4.12',
};

function goType(key: string): string {
  const oid = PECULIAR_OIDS[key] ?? key;
  return GO_NAMES[oid] ?? oid;
}

function escapeValue(v: string): string {
  return v.replace(/([,+"\\<>;])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

function describeName(name: px.Name): { text: string; dn: Map<string, string>; usable: boolean } {
  const rdns = name.toJSON();
  const dn = new Map<string, string>();
  let usable = true;
  const parts: string[] = [];
  for (const rdn of rdns) {
    const attrs: string[] = [];
    const entries = Object.entries(rdn).flatMap(([k, vs]) => vs.map((v) => [goType(k), v] as const));
    if (entries.length > 1) usable = false;
    for (const [k, v] of entries) {
      if (dn.has(k)) usable = false;
      dn.set(k, v);
      attrs.push(`${k}=${escapeValue(v)}`);
    }
    parts.push(attrs.join('+'));
  }
  return { text: parts.reverse().join(','), dn, usable };
}

/** Parse one DER certificate; `code` says which failure a bad certificate is in this context. */
export function parseCertificate(der: Uint8Array, what: string, code: NotationCode = 'notation.chain-invalid'): Certificate {
  const buf = Buffer.from(der);
  try {
    const node = new NodeCert(buf);
    const parsed = new px.X509Certificate(buf);
    const subject = describeName(parsed.subjectName);
    const issuer = describeName(parsed.issuerName);
    return {
      der: buf, node, parsed,
      subject: subject.text, issuer: issuer.text, subjectDn: subject.dn, subjectDnUsable: subject.usable,
      notBefore: new Date(node.validFrom), notAfter: new Date(node.validTo),
      sha256: createHash('sha256').update(buf).digest('hex'),
    };
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

export function isSelfSigned(c: Certificate): boolean {
  try {
    return c.node.checkIssued(c.node) && c.node.verify(c.node.publicKey);
  } catch {
    return false;
  }
}

export function basicConstraints(c: Certificate): { ca: boolean; pathLength?: number; critical: boolean } | undefined {
  const ext = c.parsed.getExtension(px.BasicConstraintsExtension);
  return ext ? { ca: ext.ca, critical: ext.critical, ...(ext.pathLength === undefined ? {} : { pathLength: ext.pathLength }) } : undefined;
}

export function keyUsage(c: Certificate): number | undefined {
  return c.parsed.getExtension(px.KeyUsagesExtension)?.usages;
}

export function extKeyUsage(c: Certificate): readonly string[] | undefined {
  return c.parsed.getExtension(px.ExtendedKeyUsageExtension)?.usages.map(String);
}

/** The hash named by the certificate's own signature algorithm, lower case (sha-1, sha-256…), if known. */
export function signatureHash(c: Certificate): string | undefined {
  try {
    const alg = c.parsed.signatureAlgorithm as { hash?: { name?: string } };
    return alg.hash?.name?.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Whether a CA certificate (or self-signed signing certificate) fits a ca/signingAuthority store. */
export function isCaOrSelfSignedSigning(c: Certificate): boolean {
  const bc = basicConstraints(c);
  return (bc?.ca ?? false) || isSelfSigned(c);
}

export function isRootCa(c: Certificate): boolean {
  return (basicConstraints(c)?.ca ?? false) && isSelfSigned(c);
}
