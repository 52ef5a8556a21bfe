import { describeError, isVerifyError } from '../errors.js';
import {
  cosignSignatureTag,
  fetchManifestIfPresent,
  openLayout,
  openRegistry,
  parseArtifactRef,
  type ArtifactRef,
  type ArtifactStore,
  type Descriptor,
  type HttpStoreOptions,
  type ReferrersVia,
} from '../registry/index.js';
import { verifyCosignBundle, verifyCosignLegacy, type CosignTrust } from '../verify/cosign/index.js';
import type { FoundAt, SignatureEvidence, TrustRef } from '../verify/evidence.js';
import { verifyNotationSignature, type NotationResult, type TrustPolicyDocument, type TrustStore } from '../verify/notation/index.js';

/**
 * Verifies one artifact: resolve the reference, discover its signatures (referrers API or tag
 * fallback, cosign's .sig tag), fetch each under size caps with digest checks, and hand the bytes
 * to verify/. The order follows cosign and Flux: Sigstore bundles when any exist, else legacy `.sig`.
 */

const BUNDLE_PREFIX = 'application/vnd.dev.sigstore.bundle';
const NOTATION_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
/** notation's CLI and Flux stop after this many signatures that fail */
const NOTATION_MAX_ATTEMPTS = 3;

export interface NotationTrust {
  readonly policy: TrustPolicyDocument;
  readonly trustStore: TrustStore;
  readonly label: string;
  readonly source: TrustRef['source'];
}

export interface ArtifactTrust {
  readonly cosign?: CosignTrust;
  readonly notation?: NotationTrust;
}

export interface ArtifactOptions {
  readonly registry?: HttpStoreOptions;
  readonly now: Date;
  readonly signal?: AbortSignal;
}

export type ArtifactState = 'verified' | 'failed' | 'error';

export interface ArtifactVerification {
  readonly reference: string;
  readonly resolved?: { readonly tag?: string; readonly digest: string; readonly mediaType: string; readonly size: number };
  /** how signatures were looked for, and what went wrong looking */
  readonly discovery: {
    readonly referrers?: ReferrersVia;
    readonly sigTag?: string;
    readonly problems: readonly { readonly code: string; readonly message: string }[];
  };
  readonly signatures: readonly SignatureEvidence[];
  /** notation's policy statement and level, when notation trust was used */
  readonly notation?: { readonly statement?: string; readonly level?: string; readonly outcome: NotationResult['outcome'] };
  readonly state: ArtifactState;
  readonly code: string;
  readonly message: string;
}

function problemOf(e: unknown): { code: string; message: string } {
  return isVerifyError(e) ? { code: e.code, message: e.message } : { code: 'internal', message: describeError(e) };
}

async function openStore(ref: ArtifactRef, opts: ArtifactOptions): Promise<ArtifactStore> {
  return ref.kind === 'layout' ? openLayout(ref.path) : openRegistry(ref, opts.registry ?? {});
}

function referenceForPolicy(ref: ArtifactRef, digest: string): string {
  return ref.kind === 'registry' ? `${ref.host}/${ref.repository}@${digest}` : `${ref.path}@${digest}`;
}

export async function verifyArtifact(input: string, trust: ArtifactTrust, opts: ArtifactOptions): Promise<ArtifactVerification> {
  const ref = parseArtifactRef(input);
  const store = await openStore(ref, opts);
  const problems: { code: string; message: string }[] = [];
  const read = { signal: opts.signal };
  try {
    let target: Descriptor;
    try {
      // digest first, as source-controller: a tag beside a digest is only a label
      target = await store.resolve(ref.digest ?? ref.tag ?? 'latest', read);
    } catch (e) {
      const p = problemOf(e);
      return { reference: input, discovery: { problems: [p] }, signatures: [], state: 'error', code: p.code, message: p.message };
    }
    const resolved = { ...(ref.tag ? { tag: ref.tag } : {}), digest: target.digest, mediaType: target.mediaType, size: target.size };

    let referrers: readonly Descriptor[] = [];
    let via: ReferrersVia | undefined;
    try {
      const r = await store.listReferrers(target.digest, read);
      referrers = r.descriptors;
      via = r.via;
    } catch (e) {
      problems.push(problemOf(e));
    }
    const foundAt = (d: Descriptor): FoundAt => ({ via: via ?? 'referrers-api', digest: d.digest });
    const signatures: SignatureEvidence[] = [];
    let sigTag: string | undefined;
    let notation: ArtifactVerification['notation'];

    if (trust.cosign) {
      const cosignTrust = trust.cosign;
      for (const d of referrers.filter((x) => (x.artifactType ?? '').startsWith(BUNDLE_PREFIX) || x.artifactType === undefined)) {
        try {
          const m = await store.fetchManifest(d.digest, read);
          const layer = 'layers' in m.manifest ? m.manifest.layers[0] : undefined;
          if (!layer || !layer.mediaType.startsWith(BUNDLE_PREFIX)) continue;
          const bundle = await store.fetchBlob(layer, read);
          signatures.push(verifyCosignBundle({ artifactDigest: target.digest, mediaType: layer.mediaType, bundle, foundAt: foundAt(d) }, cosignTrust, { now: opts.now }));
        } catch (e) {
          problems.push(problemOf(e));
        }
      }
      if (signatures.length === 0) {
        sigTag = cosignSignatureTag(target.digest);
        try {
          const sig = await fetchManifestIfPresent(store, sigTag, read);
          const layers = sig && 'layers' in sig.manifest ? sig.manifest.layers : [];
          for (const layer of layers) {
            const payload = await store.fetchBlob(layer, { ...read, maxBytes: 128 * 1024 * 1024 });
            signatures.push(
              verifyCosignLegacy(
                { artifactDigest: target.digest, mediaType: layer.mediaType, annotations: layer.annotations ?? {}, payload, foundAt: { via: 'sig-tag', tag: sigTag, ...(sig ? { digest: sig.descriptor.digest } : {}) } },
                cosignTrust,
                { now: opts.now },
              ),
            );
          }
        } catch (e) {
          problems.push(problemOf(e));
        }
      }
    }

    if (trust.notation) {
      const nt = trust.notation;
      let failures = 0;
      for (const d of referrers.filter((x) => x.artifactType === NOTATION_ARTIFACT_TYPE)) {
        if (failures >= NOTATION_MAX_ATTEMPTS) break;
        try {
          const m = await store.fetchManifest(d.digest, read);
          const layer = 'layers' in m.manifest ? m.manifest.layers[0] : undefined;
          if (!layer) continue;
          const envelope = await store.fetchBlob(layer, read);
          const r = verifyNotationSignature({
            envelope,
            envelopeMediaType: layer.mediaType,
            target: { mediaType: target.mediaType, digest: target.digest, size: target.size },
            reference: referenceForPolicy(ref, target.digest),
            policy: nt.policy,
            trustStore: nt.trustStore,
            now: opts.now,
            foundAt: foundAt(d),
            trustLabel: nt.label,
            trustSource: nt.source,
          });
          signatures.push(r.evidence);
          notation = { ...(r.statement ? { statement: r.statement } : {}), ...(r.level ? { level: r.level } : {}), outcome: r.outcome };
          if (r.outcome === 'verified') break;
          failures++;
        } catch (e) {
          problems.push(problemOf(e));
        }
      }
    }

    const discovery = { ...(via ? { referrers: via } : {}), ...(sigTag ? { sigTag } : {}), problems };
    return { reference: input, resolved, discovery, signatures, ...(notation ? { notation } : {}), ...conclude(signatures, problems, trust) };
  } finally {
    await store.close();
  }
}

/** One verdict for the artifact: verified only when some signature passed every check. */
function conclude(signatures: readonly SignatureEvidence[], problems: readonly { code: string; message: string }[], trust: ArtifactTrust): { state: ArtifactState; code: string; message: string } {
  const ok = signatures.find((s) => s.verified);
  if (ok) {
    const attempt = ok.attempts.find((a) => a.ok);
    return { state: 'verified', code: 'ok', message: `${ok.mechanism.replace('-', ' ')} signature verified${attempt ? ` with ${attempt.trust.label}` : ''}` };
  }
  if (signatures.length === 0) {
    if (problems.length > 0) return { state: 'error', code: problems[0]?.code ?? 'internal', message: problems[0]?.message ?? 'signature discovery failed' };
    const kinds = [trust.cosign ? 'cosign' : '', trust.notation ? 'notation' : ''].filter(Boolean).join(' or ');
    return { state: 'failed', code: 'signature.none', message: `no ${kinds} signature found for this artifact` };
  }
  const first = firstFailure(signatures);
  return { state: 'failed', code: first.code, message: first.message };
}

function firstFailure(signatures: readonly SignatureEvidence[]): { code: string; message: string } {
  for (const s of signatures) {
    if (s.error) return s.error;
    for (const a of s.attempts) {
      const c = a.checks.find((x) => !x.ok);
      if (c) return { code: c.code, message: `${a.trust.label}: ${c.message}` };
    }
  }
  return { code: 'signature.unverified', message: 'no signature passed every check' };
}
