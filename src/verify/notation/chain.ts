/**
 * notation's code-signing certificate chain rules (integrity step). Validity periods are not checked
 * here: notation checks them later, in the authentic-timestamp step, against now or a timestamp.
 */
import { algorithmForKey } from './algorithms.js';
import { basicConstraints, extKeyUsage, isSelfSigned, issuedBy, keyUsage, usesSha1 } from './certificate.js';
import type { Certificate } from './certificate.js';
import { fail } from './codes.js';

const KU_DIGITAL_SIGNATURE = 1;
const KU_KEY_CERT_SIGN = 32;
const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const EKU_ANY = '2.5.29.37.0';
const FORBIDDEN_EKU: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

const bad = (m: string): never => fail('notation.chain-invalid', m);

function noSha1(c: Certificate): void {
  if (usesSha1(c)) bad(`certificate ${JSON.stringify(c.subject)}: expected a SHA-2 signature algorithm, found SHA-1`);
}

function checkKey(c: Certificate): void {
  const a = algorithmForKey(c.node.publicKey);
  if ('unsupported' in a) bad(`certificate ${JSON.stringify(c.subject)}: expected an RSA 2048/3072/4096 or EC P-256/384/521 key, found ${a.unsupported}`);
}

function checkLeaf(c: Certificate): undefined {
  const bc = basicConstraints(c);
  if (bc?.ca) bad(`leaf certificate ${JSON.stringify(c.subject)}: expected basicConstraints CA false or absent, found CA true`);
  const ku = keyUsage(c);
  if (ku === undefined || (ku & KU_DIGITAL_SIGNATURE) === 0) return bad(`leaf certificate ${JSON.stringify(c.subject)}: expected keyUsage with digitalSignature, found ${ku === undefined ? 'no keyUsage' : `keyUsage ${ku}`}`);
  if ((ku & KU_KEY_CERT_SIGN) !== 0) bad(`leaf certificate ${JSON.stringify(c.subject)}: expected keyUsage without keyCertSign, found it set`);
  const eku = extKeyUsage(c);
  if (eku !== undefined) {
    for (const u of eku) {
      const name = FORBIDDEN_EKU[u];
      if (name !== undefined) bad(`leaf certificate ${JSON.stringify(c.subject)}: expected no ${name} extended key usage for code signing, found it`);
    }
    if (!eku.includes(EKU_CODE_SIGNING) && !eku.includes(EKU_ANY)) bad(`leaf certificate ${JSON.stringify(c.subject)}: expected extended key usage codeSigning, found ${eku.join(', ') || 'none'}`);
  }
  checkKey(c);
  noSha1(c);
  return undefined;
}

function checkCa(c: Certificate, below: number): undefined {
  const bc = basicConstraints(c);
  if (!bc || !bc.ca || !bc.critical) return bad(`CA certificate ${JSON.stringify(c.subject)}: expected a critical basicConstraints with CA true, found ${bc ? `CA ${bc.ca}, critical ${bc.critical}` : 'none'}`);
  // pathLength counts the CA certificates below this one, excluding the leaf.
  if (bc.pathLength !== undefined && below > bc.pathLength) bad(`CA certificate ${JSON.stringify(c.subject)}: expected at most ${bc.pathLength} CAs below it, found ${below}`);
  const ku = keyUsage(c);
  if (ku === undefined || (ku & KU_KEY_CERT_SIGN) === 0) return bad(`CA certificate ${JSON.stringify(c.subject)}: expected keyUsage with keyCertSign, found ${ku === undefined ? 'no keyUsage' : `keyUsage ${ku}`}`);
  noSha1(c);
  return undefined;
}

/** Leaf first; either a single self-signed certificate or a chain that ends in a self-signed root. */
export function validateCodeSigningChain(chain: readonly Certificate[]): void {
  const leaf = chain[0];
  if (leaf === undefined) return bad('certificate chain: expected at least one certificate, found none');
  if (chain.length === 1) {
    if (!isSelfSigned(leaf)) bad(`certificate chain: expected a single certificate to be self-signed, found ${JSON.stringify(leaf.subject)} issued by ${JSON.stringify(leaf.issuer)}`);
    checkLeaf(leaf);
    return;
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i] as Certificate;
    const parent = chain[i + 1] as Certificate;
    if (!issuedBy(child, parent)) bad(`certificate chain: expected ${JSON.stringify(child.subject)} to be issued and signed by ${JSON.stringify(parent.subject)}, found it is not`);
  }
  const root = chain[chain.length - 1] as Certificate;
  if (!isSelfSigned(root)) bad(`certificate chain: expected it to end in a self-signed root, found ${JSON.stringify(root.subject)} issued by ${JSON.stringify(root.issuer)}`);
  checkLeaf(leaf);
  for (let i = 1; i < chain.length; i++) checkCa(chain[i] as Certificate, i - 1);
}
