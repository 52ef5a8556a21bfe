import { createHash } from 'node:crypto';
import { BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V03_LEGACY_MEDIA_TYPE, BUNDLE_V03_MEDIA_TYPE, bundleFromJSON } from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import { toSignedEntity } from '@sigstore/verify';
import type { SignedEntity } from '@sigstore/verify';
import { failed, passed } from '../evidence.js';
import type { Check, FoundAt, SignatureEvidence } from '../evidence.js';
import { parseLeaf } from './certificate.js';
import { dsseSubjectCheck, isSha256Digest } from './claims.js';
import { cosignError } from './codes.js';
import { judgeIdentities } from './keyless.js';
import { judgeEachKey } from './each-key.js';
import { certificateMaterial, keyMaterial } from './material.js';
import { attemptOf, conclude, guard, unreadable } from './result.js';
import { inclusionProofChecks } from './inclusion.js';
import { futureTimeChecks, runSigstore } from './sigstore.js';
import type { CosignTrust, CosignVerifyOptions, KeylessTrust, KeyTrust } from './trust.js';

export const BUNDLE_MEDIA_TYPE = BUNDLE_V03_MEDIA_TYPE;
const KNOWN_MEDIA_TYPES: readonly string[] = [BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V03_LEGACY_MEDIA_TYPE, BUNDLE_V03_MEDIA_TYPE];

/** A Sigstore bundle found for an artifact (an OCI 1.1 referrer's layer, or a file). */
export interface BundleSignatureInput {
  /** sha256:<hex> of the signed artifact (the image manifest) */
  readonly artifactDigest: string;
  /** the media type the bundle was stored under (the referrer layer's) */
  readonly mediaType: string;
  readonly bundle: Uint8Array;
  /** the artifact bytes; needed only for messageSignature bundles, whose signature is over them */
  readonly artifact?: Uint8Array;
  readonly foundAt: FoundAt;
}

/**
 * Verifies one Sigstore bundle against key or keyless trust with @sigstore/verify, then checks
 * that it is about this artifact (the in-toto subject for DSSE, the message digest for
 * messageSignature). Never throws.
 */
export function verifyCosignBundle(input: BundleSignatureInput, trust: CosignTrust, options: CosignVerifyOptions): SignatureEvidence {
  return guard('cosign-bundle', input.foundAt, 'cosign.bundle-invalid', () => {
    if (!input.mediaType.startsWith('application/vnd.dev.sigstore.bundle')) {
      return unreadable('cosign-bundle', input.foundAt, 'cosign.media-type', `expected a Sigstore bundle media type, found ${input.mediaType || '(none)'}`);
    }
    if (!isSha256Digest(input.artifactDigest)) {
      return unreadable('cosign-bundle', input.foundAt, 'cosign.artifact-digest-invalid', `expected an artifact digest sha256:<64 hex>, found ${input.artifactDigest}`);
    }
    const bundle = parseBundle(input.bundle);
    const content = contentChecks(bundle, input);
    const entity = (): SignedEntity => {
      try {
        return toSignedEntity(bundle, input.artifact ? Buffer.from(input.artifact) : undefined);
      } catch (e) {
        throw cosignError('cosign.bundle-invalid', `bundle material cannot be read: ${(e as Error).message}`, e);
      }
    };
    return trust.kind === 'key' ? byKeys(bundle, entity, content, trust, input.foundAt) : keyless(bundle, entity, content, trust, input.foundAt, options);
  });
}

function parseBundle(bytes: Uint8Array): Bundle {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw cosignError('cosign.bundle-invalid', `bundle is not JSON: ${(e as Error).message}`, e);
  }
  const mediaType = typeof json === 'object' && json !== null ? (json as { mediaType?: unknown }).mediaType : undefined;
  if (typeof mediaType !== 'string' || !KNOWN_MEDIA_TYPES.includes(mediaType)) {
    throw cosignError('cosign.bundle-unsupported', `expected bundle mediaType v0.1–v0.3, found ${JSON.stringify(mediaType) ?? 'none'}`);
  }
  try {
    return bundleFromJSON(json);
  } catch (e) {
    throw cosignError('cosign.bundle-invalid', `bundle does not follow the Sigstore bundle schema: ${(e as Error).message}`, e);
  }
}

/** Is the bundle about this artifact? Throws for a messageSignature bundle without the artifact. */
function contentChecks(bundle: Bundle, input: BundleSignatureInput): Check[] {
  switch (bundle.content.$case) {
    case 'dsseEnvelope': {
      const env = bundle.content.dsseEnvelope;
      return [dsseSubjectCheck(env.payloadType, env.payload, input.artifactDigest)];
    }
    case 'messageSignature': {
      if (!input.artifact) {
        throw cosignError('cosign.bundle-unsupported', 'messageSignature bundle: the artifact bytes are needed to verify its signature, and only the digest was given');
      }
      const got = `sha256:${createHash('sha256').update(input.artifact).digest('hex')}`;
      return [
        got === input.artifactDigest
          ? passed('subject', `artifact bytes hash to ${input.artifactDigest}`)
          : failed('subject', 'cosign.subject-mismatch', `expected artifact bytes hashing to ${input.artifactDigest}, found ${got}`),
      ];
    }
  }
}

function byKeys(bundle: Bundle, entity: () => SignedEntity, content: Check[], trust: KeyTrust, foundAt: FoundAt): SignatureEvidence {
  const vm = bundle.verificationMaterial.content;
  if (vm.$case !== 'publicKey') {
    const check = failed('key', 'cosign.material-mismatch', 'expected a key-signed bundle (publicKey material), found a certificate');
    return conclude('cosign-bundle', foundAt, undefined, trust.keys.map((k) => ({ attempt: attemptOf(k.ref, [check]), fluxOk: false })));
  }
  const hint = vm.publicKey.hint;
  const base = entity();
  // Flux verifies keys offline and ignores the tlog; with Rekor keys given, entries present are checked.
  const signed: SignedEntity = trust.trustedRoot ? base : { ...base, tlogEntries: [], timestamps: [] };
  const need = trust.requireTlog ? 1 : 0;
  return judgeEachKey('cosign-bundle', foundAt, trust.keys, (info) => {
    const out = runSigstore(signed, keyMaterial(info, trust.trustedRoot), { tlogThreshold: need, ctlogThreshold: 0, timestampThreshold: need });
    const hintCheck = passed('key-hint', hint === '' ? 'bundle names no key hint; key tried' : hint === info.hint ? 'bundle key hint names this key' : 'bundle key hint names another key; tried anyway, as Flux tries every key');
    // the library says only "signature verification failed": name the key, as the legacy path does
    const other = hint !== '' && hint !== info.hint ? ' (the bundle names another key)' : '';
    const explained = out.checks.map((c) => (!c.ok && c.code === 'cosign.signature-mismatch' ? failed(c.check, c.code, `signature does not verify with this ${info.algorithm} key${other}`) : c));
    const checks = out.ok
      ? [hintCheck, ...explained.filter((c) => c.check !== 'key'), ...inclusionProofChecks(signed.tlogEntries), ...content]
      : [hintCheck, ...explained.filter((c) => !c.ok || c.check !== 'key')];
    return { checks, signed: out.ok };
  });
}

function keyless(bundle: Bundle, entity: () => SignedEntity, content: Check[], trust: KeylessTrust, foundAt: FoundAt, options: CosignVerifyOptions): SignatureEvidence {
  const vm = bundle.verificationMaterial.content;
  if (vm.$case === 'publicKey') {
    const check = failed('certificate', 'cosign.material-mismatch', 'expected a certificate for keyless verification, found a key-signed bundle');
    return conclude('cosign-bundle', foundAt, undefined, [{ attempt: attemptOf(trust.trustedRootRef, [check]), fluxOk: false }]);
  }
  const der = vm.$case === 'certificate' ? vm.certificate.rawBytes : vm.x509CertificateChain.certificates[0]?.rawBytes;
  if (!der || der.length === 0) {
    const check = failed('certificate', 'cosign.certificate-missing', 'expected a signing certificate in the bundle, found an empty chain');
    return conclude('cosign-bundle', foundAt, undefined, [{ attempt: attemptOf(trust.trustedRootRef, [check]), fluxOk: false }]);
  }
  const leaf = parseLeaf(der);
  const signed = entity();
  // cosign's keyless thresholds: one SCT, one tlog entry, one trusted timestamp
  const out = runSigstore(signed, certificateMaterial(trust.trustedRoot), { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }, {
    certificate: `certificate chains to a CA in ${trust.trustedRootRef.label} at the signing time, SCT verified`,
  });
  const shared = [...out.checks, ...inclusionProofChecks(signed.tlogEntries), ...futureTimeChecks(signed, options)];
  // the bundle's subject is part of cosign's own verification, so Flux agrees on it
  return conclude('cosign-bundle', foundAt, leaf.signer, judgeIdentities(trust, leaf, [...shared, ...content], []));
}
