/** Trust stores: named sets of certificates, checked the way notation checks what it loads. */
import { isCaOrSelfSignedSigning, isRootCa, parseCertificateFile } from './certificate.js';
import type { Certificate } from './certificate.js';
import { NotationError } from './codes.js';
import type { StoreType, TrustStoreRef } from './trustpolicy.js';

export type StoreResult = { ok: true; certs: readonly Certificate[] } | { ok: false; message: string };

/** Looks a store named in a policy up; the caller decides where certificates come from. */
export type TrustStore = (ref: TrustStoreRef) => StoreResult;

export interface StoreFile { readonly name: string; readonly bytes: Uint8Array }

/**
 * Load one store from its files: ca and signingAuthority stores hold CA certificates or self-signed
 * signing certificates, tsa stores hold root CA certificates only.
 */
export function loadTrustStore(type: StoreType, name: string, files: readonly StoreFile[]): StoreResult {
  const certs: Certificate[] = [];
  for (const f of files) {
    let parsed: Certificate[];
    try {
      parsed = parseCertificateFile(f.bytes, f.name, 'notation.trust-store-invalid');
    } catch (e) {
      return { ok: false, message: `error while reading certificates from ${JSON.stringify(f.name)} in trust store ${type}:${name}: ${e instanceof NotationError ? e.message : String(e)}` };
    }
    for (const c of parsed) {
      if (type === 'tsa' && !isRootCa(c)) {
        return { ok: false, message: `certificate with subject ${JSON.stringify(c.subject)} from file ${JSON.stringify(f.name)} is not a root CA certificate: expected a self-signed CA in tsa store ${name}` };
      }
      if (type !== 'tsa' && !isCaOrSelfSignedSigning(c)) {
        return { ok: false, message: `certificate with subject ${JSON.stringify(c.subject)} from file ${JSON.stringify(f.name)} is not a CA certificate or self-signed signing certificate` };
      }
      certs.push(c);
    }
  }
  if (certs.length === 0) return { ok: false, message: `no x509 certificates were found in trust store ${JSON.stringify(name)} of type ${JSON.stringify(type)}` };
  return { ok: true, certs };
}

/** A trust store over stores already loaded, keyed "type:name"; a name not present is an error. */
export function trustStoreOf(stores: Readonly<Record<string, StoreResult>>): TrustStore {
  return (ref) => stores[ref.value] ?? { ok: false, message: `the trust store ${ref.value} does not exist` };
}
