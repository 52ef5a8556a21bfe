import { createHash } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import { failed, passed } from '../evidence.js';
import type { Check } from '../evidence.js';
import { cosignError } from './codes.js';

/** The `dev.sigstore.cosign/bundle` annotation of a legacy layer (a Rekor SET and its entry). */
interface RekorAnnotation {
  readonly SignedEntryTimestamp: string;
  readonly Payload: { readonly body: string; readonly integratedTime: number; readonly logIndex: number; readonly logID: string };
}

export interface LegacyRekorEntry {
  readonly annotation: RekorAnnotation;
  /** the decoded Rekor entry body */
  readonly body: Record<string, unknown>;
}

/** Parses the SET annotation. Throws VerifyError('cosign.tlog-invalid') when malformed. */
export function parseRekorAnnotation(text: string): LegacyRekorEntry {
  try {
    const a = JSON.parse(text) as RekorAnnotation;
    const p = a.Payload;
    if (typeof a.SignedEntryTimestamp !== 'string' || typeof p?.body !== 'string' || !Number.isSafeInteger(p.integratedTime) || !Number.isSafeInteger(p.logIndex) || !/^[0-9a-f]{64}$/.test(p.logID)) {
      throw new Error('missing or mistyped SignedEntryTimestamp/Payload fields');
    }
    const body = JSON.parse(Buffer.from(p.body, 'base64').toString('utf8')) as Record<string, unknown>;
    return { annotation: a, body };
  } catch (e) {
    throw cosignError('cosign.tlog-invalid', `Rekor bundle annotation is malformed: ${(e as Error).message}`, e);
  }
}

/**
 * Rebuilds a legacy `.sig` layer as a v0.1 messageSignature bundle so that @sigstore/verify checks
 * the SET, the entry body against the signature and digest, and (keyless) the certificate chain.
 * `leafDer` absent means key material, found through the trust material's key finder.
 */
export function legacyBundle(entry: LegacyRekorEntry | undefined, signatureB64: string, payload: Uint8Array, leafDer?: Buffer): Bundle {
  const p = entry?.annotation.Payload;
  const json = {
    mediaType: entry ? 'application/vnd.dev.sigstore.bundle+json;version=0.1' : 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      ...(leafDer ? { x509CertificateChain: { certificates: [{ rawBytes: leafDer.toString('base64') }] } } : { publicKey: { hint: '' } }),
      tlogEntries:
        entry && p
          ? [
              {
                logIndex: String(p.logIndex),
                logId: { keyId: Buffer.from(p.logID, 'hex').toString('base64') },
                kindVersion: { kind: String(entry.body.kind), version: String(entry.body.apiVersion) },
                integratedTime: String(p.integratedTime),
                inclusionPromise: { signedEntryTimestamp: entry.annotation.SignedEntryTimestamp },
                canonicalizedBody: p.body,
              },
            ]
          : [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payload).digest('base64') },
      signature: signatureB64,
    },
  };
  try {
    return bundleFromJSON(json);
  } catch (e) {
    throw cosignError('cosign.tlog-invalid', `Rekor entry cannot be read as a bundle: ${(e as Error).message}`, e);
  }
}

/**
 * cosign compares the key or certificate recorded in the Rekor entry with the one that verified
 * the signature; @sigstore/verify does not, so it is done here. `expectedDer` is the SPKI DER of
 * the key, or the certificate DER.
 */
export function entryKeyCheck(entry: LegacyRekorEntry, expectedDer: Buffer, kind: 'key' | 'certificate'): Check {
  const spec = entry.body.spec as { signature?: { publicKey?: { content?: unknown } } } | undefined;
  const content = spec?.signature?.publicKey?.content;
  if (typeof content !== 'string') return failed('tlog-entry', 'cosign.tlog-invalid', `expected the Rekor entry to record a ${kind}, found none`);
  const pem = Buffer.from(content, 'base64').toString('utf8');
  const body = /-----BEGIN [A-Z ]+-----([\s\S]+?)-----END/.exec(pem)?.[1];
  const der = body ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : Buffer.alloc(0);
  return der.equals(expectedDer)
    ? passed('tlog-entry', `Rekor entry records this ${kind}`)
    : failed('tlog-entry', 'cosign.tlog-invalid', `expected the Rekor entry to record this ${kind}, found another`);
}
