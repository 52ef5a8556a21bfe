/**
 * RFC 3161 timestamp tokens over the envelope signature (authentic-timestamp step). @sigstore/core's
 * RFC3161Timestamp expects a TimeStampResp and only ECDSA signers, while notation embeds a bare
 * TimeStampToken and TSAs commonly sign with RSA, so the CMS walk is done here with node:crypto.
 */
import { createHash, verify } from 'node:crypto';
import { extKeyUsage, issuedBy, parseCertificate } from './certificate.js';
import type { Certificate } from './certificate.js';
import { children, DerError, generalizedTime, integer, oid, parseDer } from './der.js';
import type { Tlv } from './der.js';
import { fail, NotationError } from './codes.js';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_TSTINFO = '1.2.840.113549.1.9.16.1.4';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_CERT_V2 = '1.2.840.113549.1.9.16.2.47';
const OID_SIGNING_CERT_V1 = '1.2.840.113549.1.9.16.2.12';
const EKU_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const HASHES: Readonly<Record<string, string>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512', '1.3.14.3.2.26': 'sha1',
};
// signature algorithm OID → [kind, hash or undefined to use the digest algorithm]
const SIG_ALGS: Readonly<Record<string, readonly ['rsa' | 'ecdsa', string | undefined]>> = {
  '1.2.840.113549.1.1.1': ['rsa', undefined],
  '1.2.840.113549.1.1.11': ['rsa', 'sha256'], '1.2.840.113549.1.1.12': ['rsa', 'sha384'], '1.2.840.113549.1.1.13': ['rsa', 'sha512'],
  '1.2.840.10045.4.3.2': ['ecdsa', 'sha256'], '1.2.840.10045.4.3.3': ['ecdsa', 'sha384'], '1.2.840.10045.4.3.4': ['ecdsa', 'sha512'],
};

export interface VerifiedTimestamp {
  readonly genTime: Date;
  /** genTime ± accuracy: the whole range must lie inside the signing chain's validity */
  readonly earliest: Date;
  readonly latest: Date;
  readonly tsaSubject: string;
}

const bad = (m: string): never => fail('notation.timestamp-invalid', m);

function hashOf(algId: Tlv | undefined): string {
  const o = algId ? oid(children(algId)[0] as Tlv) : '';
  const h = HASHES[o];
  if (h === undefined) return fail('notation.timestamp-unsupported', `timestamp: expected a SHA-1/SHA-2 digest algorithm, found ${o || 'none'}`);
  return h;
}

interface TstInfo { genTime: Date; accuracyMs: number; imprintHash: string; imprint: Buffer }

function parseTstInfo(der: Buffer): TstInfo {
  try {
    const f = children(parseDer(der));
    const imprint = children(f[2] as Tlv);
    const genTime = generalizedTime(f[4] as Tlv);
    let accuracyMs = 0;
    const acc = f[5];
    if (acc && acc.tag === 0x30) {
      for (const a of children(acc)) {
        if (a.tag === 0x02) accuracyMs += integer(a) * 1000;
        else if (a.tag === 0x80) accuracyMs += a.content.readUIntBE(0, Math.min(a.content.length, 6));
        else if (a.tag === 0x81) accuracyMs += a.content.readUIntBE(0, Math.min(a.content.length, 6)) / 1000;
      }
    }
    const digest = imprint[1];
    if (digest?.tag !== 0x04) throw new DerError('expected an OCTET STRING message imprint');
    return { genTime, accuracyMs, imprintHash: hashOf(imprint[0]), imprint: digest.content };
  } catch (e) {
    if (e instanceof NotationError) throw e;
    return bad(`invalid TSTInfo: expected a DER TSTInfo, found one that does not parse (${(e as Error).message})`);
  }
}

function attribute(attrs: readonly Tlv[], id: string): Tlv | undefined {
  for (const a of attrs) {
    const [type, values] = children(a);
    if (type && oid(type) === id && values) return children(values)[0];
  }
  return undefined;
}

function tbsIssuerSerial(cert: Buffer): { issuer: Buffer; serial: Buffer } {
  const tbs = children(parseDer(cert))[0] as Tlv;
  const f = children(tbs);
  const off = f[0]?.tag === 0xa0 ? 1 : 0;
  return { serial: (f[off] as Tlv).raw, issuer: (f[off + 2] as Tlv).raw };
}

function verifySignerSignature(sigAlg: Tlv, digestHash: string, signed: Buffer, signature: Buffer, cert: Certificate): void {
  const algOid = oid(children(sigAlg)[0] as Tlv);
  const alg = SIG_ALGS[algOid];
  if (!alg) return fail('notation.timestamp-unsupported', `timestamp: expected an RSA PKCS#1 v1.5 or ECDSA SHA-2 signature, found algorithm ${algOid}`);
  const [kind, hash] = alg;
  let ok: boolean;
  try {
    ok = verify(hash ?? digestHash, signed, kind === 'ecdsa' ? { key: cert.node.publicKey, dsaEncoding: 'der' } : cert.node.publicKey, signature);
  } catch {
    ok = false;
  }
  if (!ok) bad(`timestamp: expected the TSA signature to verify with ${JSON.stringify(cert.subject)}, found it does not`);
}

/** Build the TSA chain from the signer up to a certificate in the tsa store, checking validity at `at`. */
function chainToStore(signer: Certificate, pool: readonly Certificate[], roots: readonly Certificate[], at: Date): void {
  let current = signer;
  for (let depth = 0; depth < 10; depth++) {
    if (at < current.notBefore || at > current.notAfter) {
      bad(`timestamp: expected TSA certificate ${JSON.stringify(current.subject)} valid at ${at.toISOString()}, found validity ${current.notBefore.toISOString()}..${current.notAfter.toISOString()}`);
    }
    if (roots.some((r) => r.der.equals(current.der))) return;
    const child = current;
    const issued = (p: Certificate): boolean => issuedBy(child, p);
    const root = roots.find(issued);
    if (root) {
      if (at < root.notBefore || at > root.notAfter) bad(`timestamp: expected TSA root ${JSON.stringify(root.subject)} valid at ${at.toISOString()}, found it is not`);
      return;
    }
    const next = pool.find((p) => !p.der.equals(current.der) && issued(p));
    if (!next) return bad(`timestamp: expected the TSA certificate chain to end in a tsa trust store certificate, found x509: certificate signed by unknown authority (${JSON.stringify(current.subject)})`);
    current = next;
  }
  bad('timestamp: expected a TSA certificate chain of at most 10 certificates, found a longer one');
}

/**
 * Verify `token` (a CMS TimeStampToken) as a timestamp over `signature`, signed by a TSA that chains to
 * one of `roots`. Throws NotationError; the caller turns it into a check.
 */
export function verifyTimestampToken(token: Buffer, signature: Buffer, roots: readonly Certificate[]): VerifiedTimestamp {
  try {
    const ci = children(parseDer(token));
    if (oid(ci[0] as Tlv) !== OID_SIGNED_DATA) bad(`timestamp: expected a CMS SignedData, found content type ${oid(ci[0] as Tlv)}`);
    const sd = children(children(ci[1] as Tlv)[0] as Tlv);
    const encap = children(sd[2] as Tlv);
    const eType = oid(encap[0] as Tlv);
    if (eType !== OID_TSTINFO) bad(`timestamp: unexpected content type: ${eType}. Expected to be id-ct-TSTInfo`);
    const eContent = children(encap[1] as Tlv)[0];
    if (eContent?.tag !== 0x04) return bad('timestamp: expected the TSTInfo in an OCTET STRING, found another type');
    const tst = parseTstInfo(eContent.content);

    const certField = sd.find((f) => f.tag === 0xa0);
    const pool = certField ? children(certField).filter((c) => c.tag === 0x30).map((c, i) => parseCertificate(c.raw, `timestamp certificate ${i}`, 'notation.timestamp-invalid')) : [];
    const signerInfos = sd[sd.length - 1] as Tlv;
    const signerInfo = children(signerInfos)[0];
    if (!signerInfo) return bad('timestamp: expected one SignerInfo, found none');
    const si = children(signerInfo);
    const sid = si[1] as Tlv;
    if (sid.tag !== 0x30) return fail('notation.timestamp-unsupported', 'timestamp: expected the signer identified by issuer and serial number, found a subject key identifier');
    const [sidIssuer, sidSerial] = children(sid);
    const signer = pool.find((c) => {
      const is = tbsIssuerSerial(c.der);
      return sidIssuer !== undefined && sidSerial !== undefined && is.issuer.equals(sidIssuer.raw) && is.serial.equals(sidSerial.raw);
    });
    if (!signer) return bad('timestamp: signing certificate not found in the timestamp token');
    const digestHash = hashOf(si[2]);
    const signedAttrsField = si[3];
    if (signedAttrsField?.tag !== 0xa0) return bad('timestamp: expected signed attributes, found none');
    const attrs = children(signedAttrsField);
    const ct = attribute(attrs, OID_CONTENT_TYPE);
    if (!ct || oid(ct) !== OID_TSTINFO) bad('timestamp: expected the content-type attribute to be id-ct-TSTInfo, found another value');
    const md = attribute(attrs, OID_MESSAGE_DIGEST);
    if (!md || !createHash(digestHash).update(eContent.content).digest().equals(md.content)) bad('timestamp: expected the message-digest attribute to match the TSTInfo, found another value');
    checkSigningCertificate(attrs, signer);
    const setOf = Buffer.from(signedAttrsField.raw);
    setOf[0] = 0x31; // signed as an explicit SET OF, not the implicit [0] it is stored as
    verifySignerSignature(si[4] as Tlv, digestHash, setOf, (si[5] as Tlv).content, signer);

    if (!(extKeyUsage(signer) ?? []).includes(EKU_TIME_STAMPING)) {
      bad(`timestamp: expected TSA certificate ${JSON.stringify(signer.subject)} to have extended key usage timeStamping, found it missing`);
    }
    // As notation does: the token is checked as signed data first, then against the message.
    if (!createHash(tst.imprintHash).update(signature).digest().equals(tst.imprint)) {
      bad('timestamp: invalid TSTInfo: mismatched message (expected the message imprint to be the hash of the envelope signature, found another value)');
    }
    chainToStore(signer, pool, roots, tst.genTime);
    return {
      genTime: tst.genTime,
      earliest: new Date(tst.genTime.getTime() - tst.accuracyMs),
      latest: new Date(tst.genTime.getTime() + tst.accuracyMs),
      tsaSubject: signer.subject,
    };
  } catch (e) {
    if (e instanceof NotationError) throw e;
    return bad(`timestamp: expected a DER CMS TimeStampToken, found one that does not parse (${(e as Error).message})`);
  }
}

function checkSigningCertificate(attrs: readonly Tlv[], signer: Certificate): void {
  const v2 = attribute(attrs, OID_SIGNING_CERT_V2);
  const v1 = v2 ? undefined : attribute(attrs, OID_SIGNING_CERT_V1);
  const attr = v2 ?? v1;
  if (!attr) return bad('timestamp: expected a signing-certificate attribute, found none');
  const first = children(children(attr)[0] as Tlv)[0];
  if (!first) return bad('timestamp: expected an ESSCertID, found none');
  const f = children(first);
  let hash = v2 ? 'sha256' : 'sha1';
  let certHash = f[0];
  if (v2 && f[0]?.tag === 0x30) {
    hash = hashOf(f[0]);
    certHash = f[1];
  }
  if (certHash?.tag !== 0x04 || !createHash(hash).update(signer.der).digest().equals(certHash.content)) {
    bad(`timestamp: expected the signing-certificate attribute to name ${JSON.stringify(signer.subject)}, found another certificate hash`);
  }
}
