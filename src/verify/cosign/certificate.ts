import { X509Certificate as NodeX509, createHash } from 'node:crypto';
import { X509Certificate } from '@sigstore/core';
import type { Signer } from '../evidence.js';
import { cosignError } from './codes.js';
import type { CertificateIdentity } from './identity.js';
import { fingerprintOf } from './keys.js';

const OID_SAN = '2.5.29.17';
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

export interface LeafCertificate {
  readonly der: Buffer;
  readonly identity: CertificateIdentity;
  readonly signer: Signer;
}

/** Parses a leaf certificate (DER or PEM). Throws VerifyError('cosign.certificate-untrusted') when unreadable. */
export function parseLeaf(input: Uint8Array | string): LeafCertificate {
  try {
    const node = new NodeX509(typeof input === 'string' ? input : Buffer.from(input));
    const der = node.raw;
    const cert = X509Certificate.parse(der);
    const identity = { sans: subjectAltNames(cert), issuer: oidcIssuer(cert) };
    const signer: Signer = {
      kind: 'certificate',
      keyFingerprint: fingerprintOf(node.publicKey),
      keyAlgorithm: node.publicKey.asymmetricKeyType,
      // an empty subject (Fulcio leaves) reads as undefined in node:crypto
      subject: (node.subject as string | undefined)?.replace(/\n/g, ', ') || undefined,
      san: identity.sans.join(', ') || undefined,
      issuer: identity.issuer,
      notBefore: new Date(node.validFrom).toISOString(),
      notAfter: new Date(node.validTo).toISOString(),
      certFingerprint: createHash('sha256').update(der).digest('hex'),
    };
    return { der, identity, signer };
  } catch (e) {
    throw cosignError('cosign.certificate-untrusted', `certificate cannot be parsed: ${(e as Error).message}`, e);
  }
}

/** Reads the first certificate of a PEM bundle (the leaf of a cosign chain annotation). */
export function firstPemCertificate(pem: string): string | undefined {
  return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
}

// GeneralName tags (RFC 5280): [0] otherName, [1] rfc822Name, [2] dNSName, [6] URI, [7] iPAddress
function subjectAltNames(cert: X509Certificate): string[] {
  const ext = cert.extension(OID_SAN);
  if (!ext) return [];
  const names: string[] = [];
  // extnValue is an OCTET STRING wrapping the GeneralNames SEQUENCE
  for (const name of ext.valueObj.subs[0]?.subs ?? []) {
    if (!name.tag.isContextSpecific()) continue;
    switch (name.tag.number) {
      case 1:
      case 2:
      case 6:
        names.push(name.value.toString('ascii'));
        break;
      case 7:
        names.push(ipString(name.value));
        break;
      case 0: {
        // otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }; Fulcio puts a UTF8String here
        const value = name.subs[1]?.subs[0];
        if (value) names.push(value.value.toString('utf8'));
        break;
      }
    }
  }
  return names;
}

function ipString(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

function oidcIssuer(cert: X509Certificate): string | undefined {
  const v2 = cert.extension(OID_ISSUER_V2);
  // v2 wraps the issuer in a DER UTF8String; v1 holds the raw string
  if (v2) return v2.valueObj.subs[0]?.value.toString('utf8');
  return cert.extension(OID_ISSUER_V1)?.value.toString('utf8');
}
