import { toSignedEntity } from '@sigstore/verify';
import type { SignedEntity } from '@sigstore/verify';
import { failed, passed } from '../evidence.js';
import type { Check, FoundAt, SignatureEvidence } from '../evidence.js';
import { parseLeaf, firstPemCertificate } from './certificate.js';
import type { LeafCertificate } from './certificate.js';
import { isSha256Digest, legacyClaimChecks } from './claims.js';
import { judgeIdentities } from './keyless.js';
import { judgeEachKey } from './each-key.js';
import { verifyWithKey } from './keys.js';
import type { PublicKeyInfo } from './keys.js';
import { certificateMaterial, keyMaterial } from './material.js';
import { entryKeyCheck, legacyBundle, parseRekorAnnotation } from './rekor.js';
import type { LegacyRekorEntry } from './rekor.js';
import { attemptOf, conclude, guard, unreadable } from './result.js';
import { futureTimeChecks, runSigstore } from './sigstore.js';
import type { CosignTrust, CosignVerifyOptions, KeylessTrust, KeyTrust } from './trust.js';

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const LEGACY_ANNOTATIONS = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
} as const;

/** One layer of a cosign `.sig` manifest: its descriptor's media type and annotations, and its blob. */
export interface LegacySignatureInput {
  /** sha256:<hex> of the signed image manifest */
  readonly artifactDigest: string;
  readonly mediaType: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** the layer blob: the exact signed bytes */
  readonly payload: Uint8Array;
  readonly foundAt: FoundAt;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Verifies one legacy cosign signature layer against key or keyless trust. Never throws: every
 * outcome is Evidence. A signature whose payload names another digest is not verified, but Flux
 * (which skips that claim) would accept it: `fluxVerified` says so.
 */
export function verifyCosignLegacy(input: LegacySignatureInput, trust: CosignTrust, options: CosignVerifyOptions): SignatureEvidence {
  return guard('cosign-legacy', input.foundAt, 'cosign.signature-malformed', () => {
    if (input.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) {
      return unreadable('cosign-legacy', input.foundAt, 'cosign.media-type', `expected layer media type ${SIMPLE_SIGNING_MEDIA_TYPE}, found ${input.mediaType || '(none)'}: not a cosign signature`);
    }
    if (!isSha256Digest(input.artifactDigest)) {
      return unreadable('cosign-legacy', input.foundAt, 'cosign.artifact-digest-invalid', `expected an artifact digest sha256:<64 hex>, found ${input.artifactDigest}`);
    }
    // Go's base64 decoder skips CR and LF, and some signers wrap the annotation at 76 columns
    const sigB64 = input.annotations[LEGACY_ANNOTATIONS.signature]?.replace(/[\r\n]/g, '');
    if (sigB64 === undefined || sigB64 === '') {
      return unreadable('cosign-legacy', input.foundAt, 'cosign.signature-missing', `expected a ${LEGACY_ANNOTATIONS.signature} annotation, found none`);
    }
    if (!STRICT_BASE64.test(sigB64)) {
      return unreadable('cosign-legacy', input.foundAt, 'cosign.signature-malformed', `expected base64 in ${LEGACY_ANNOTATIONS.signature}, found other characters`);
    }
    const setText = input.annotations[LEGACY_ANNOTATIONS.bundle];
    const layer: Layer = {
      ...input,
      signatureB64: sigB64,
      signature: Buffer.from(sigB64, 'base64'),
      rekor: setText ? parseRekorAnnotation(setText) : undefined,
      claims: legacyClaimChecks(input.payload, input.artifactDigest),
    };
    return trust.kind === 'key' ? byKeys(layer, trust) : keyless(layer, trust, options);
  });
}

interface Layer extends LegacySignatureInput {
  readonly signatureB64: string;
  readonly signature: Buffer;
  readonly rekor: LegacyRekorEntry | undefined;
  readonly claims: readonly Check[];
}

function byKeys(layer: Layer, trust: KeyTrust): SignatureEvidence {
  return judgeEachKey('cosign-legacy', layer.foundAt, trust.keys, (info) => {
    const sig = verifyWithKey(info, layer.payload, layer.signature);
    if (!sig.ok) return { checks: [failed('signature', sig.code, sig.message)], signed: false, fluxOk: false };
    const checks = [passed('signature', `signature verifies with ${info.algorithm} key ${info.fingerprint}`), ...keyTlogChecks(layer, trust, info), ...layer.claims];
    // Flux: IgnoreTlog and no ClaimVerifier, so only the signature counts
    return { checks, signed: true, fluxOk: true };
  });
}

function keyTlogChecks(layer: Layer, trust: KeyTrust, info: PublicKeyInfo): Check[] {
  if (!layer.rekor) {
    return trust.requireTlog
      ? [failed('tlog', 'cosign.tlog-missing', 'expected a Rekor SET annotation, found none')]
      : [passed('tlog', 'not checked: no Rekor entry, and key-based verification is offline as in Flux (tlog ignored)')];
  }
  if (!trust.trustedRoot) return [passed('tlog', 'not checked: a Rekor SET is present but no Rekor keys were given (Flux ignores the tlog for keys)')];
  const entity = ownSignature(toSignedEntity(legacyBundle(layer.rekor, layer.signatureB64, layer.payload), Buffer.from(layer.payload)), true);
  const out = runSigstore(entity, keyMaterial(info, trust.trustedRoot), { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: 0 });
  const checks = out.checks.filter((c) => c.check === 'tlog' || !c.ok);
  return [...checks, entryKeyCheck(layer.rekor, info.spki, 'key')];
}

/** The signature was already checked with the key's own rules (Ed25519, RSA padding): let the library reuse that result. */
function ownSignature(entity: SignedEntity, ok: boolean): SignedEntity {
  const s = entity.signature;
  return {
    ...entity,
    signature: {
      signature: s.signature,
      compareSignature: (x) => s.compareSignature(x),
      compareDigest: (x) => s.compareDigest(x),
      compareSignedDigest: (x) => s.compareSignedDigest(x),
      verifySignature: () => ok,
    },
  };
}

function keyless(layer: Layer, trust: KeylessTrust, options: CosignVerifyOptions): SignatureEvidence {
  const certPem = firstPemCertificate(layer.annotations[LEGACY_ANNOTATIONS.certificate] ?? '');
  if (!certPem) {
    const check = failed('certificate', 'cosign.certificate-missing', `expected a ${LEGACY_ANNOTATIONS.certificate} annotation for keyless verification, found none`);
    return conclude('cosign-legacy', layer.foundAt, undefined, [{ attempt: attemptOf(trust.trustedRootRef, [check]), fluxOk: false }]);
  }
  const leaf: LeafCertificate = parseLeaf(certPem);
  const shared = keylessChecks(layer, trust, leaf, options);
  return conclude('cosign-legacy', layer.foundAt, leaf.signer, judgeIdentities(trust, leaf, shared, layer.claims));
}

function keylessChecks(layer: Layer, trust: KeylessTrust, leaf: LeafCertificate, options: CosignVerifyOptions): Check[] {
  if (!layer.rekor) {
    // cosign would search Rekor online for the entry; an offline check cannot, and keyless needs a trusted time
    return [failed('tlog', 'cosign.tlog-missing', 'expected a Rekor SET annotation (keyless signatures need a tlog entry for their signing time), found none')];
  }
  const entity = toSignedEntity(legacyBundle(layer.rekor, layer.signatureB64, layer.payload, leaf.der), Buffer.from(layer.payload));
  const out = runSigstore(entity, certificateMaterial(trust.trustedRoot), { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }, {
    certificate: `certificate chains to a CA in ${trust.trustedRootRef.label} at the Rekor integrated time, SCT verified`,
  });
  return [...out.checks, entryKeyCheck(layer.rekor, leaf.der, 'certificate'), ...futureTimeChecks(entity, options)];
}
