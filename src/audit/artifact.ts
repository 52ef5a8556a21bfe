import { describeError, isVerifyError } from '../errors.js';
import {
  cosignSignatureTag,
  DEFAULT_MAX_BLOB_BYTES,
  DEFAULT_MAX_MANIFEST_BYTES,
  fetchManifestIfPresent,
  formatArtifactRef,
  openLayout,
  RegistryPool,
  type ArtifactRef,
  type ArtifactStore,
  type Descriptor,
  type FetchedManifest,
  type HttpStoreOptions,
  type ReferrersVia,
  type RegistryOpener,
} from '../registry/index.js';
import { verifyCosignBundle, verifyCosignLegacy, type CosignTrust } from '../verify/cosign/index.js';
import type { FoundAt, Mechanism, SignatureEvidence, TrustRef } from '../verify/evidence.js';
import type * as notationModule from '../verify/notation/index.js';
import type { NotationResult, TrustPolicyDocument, TrustStore } from '../verify/notation/index.js';

/** the notation verifier is loaded only when notation trust is given: a cosign check starts without it */
type NotationModule = typeof notationModule;
const loadNotation = (): Promise<NotationModule> => import('../verify/notation/index.js');

/**
 * Verifies one artifact: resolve the reference, discover its signatures (referrers API or tag
 * fallback, cosign's .sig tag), fetch each under size caps with digest checks, and hand the bytes
 * to verify/. The order follows cosign and Flux: Sigstore bundles when any can be read, else legacy
 * `.sig`. A signature that cannot be read (too large, missing blob, not a manifest) is evidence of
 * its own with `error`, and the others are still judged, as cosign judges each one on its own.
 */

const BUNDLE_PREFIX = 'application/vnd.dev.sigstore.bundle';
const NOTATION_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
/** notation's CLI and Flux stop after this many signatures that fail */
const NOTATION_MAX_ATTEMPTS = 3;
/** cosign's cap on a legacy signature layer (internal/pkg/cosign/payload/size) */
const LEGACY_MAX_LAYER_BYTES = 128 * 1024 * 1024;

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
  /** the run's registry pool (an audit's, shared by its plans); default: a pool for this call alone */
  readonly pool?: RegistryPool;
  /** without a pool: serves registry references from elsewhere (the embedded demo); default: HTTP */
  readonly openStore?: RegistryOpener;
}

export type { RegistryOpener };

export type ArtifactState = 'verified' | 'failed' | 'error';

export interface IgnoredReferrer {
  readonly digest: string;
  readonly code: string;
  readonly message: string;
}

export interface ArtifactVerification {
  readonly reference: string;
  readonly resolved?: { readonly tag?: string; readonly digest: string; readonly mediaType: string; readonly size: number };
  /** how signatures were looked for, and what went wrong looking */
  readonly discovery: {
    readonly referrers?: ReferrersVia;
    /** cosign's legacy tag, when it was read */
    readonly sigTag?: string;
    /** cosign's legacy tag, when it was not read because bundles were found (cosign's order) */
    readonly sigTagNotRead?: string;
    readonly problems: readonly { readonly code: string; readonly message: string }[];
    /** referrers of unknown type that could not be read; cosign skips them, so they decide nothing */
    readonly ignored?: readonly IgnoredReferrer[];
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

function referenceForPolicy(ref: ArtifactRef, digest: string): string {
  return ref.kind === 'registry' ? `${ref.host}/${ref.repository}@${digest}` : `${ref.path}@${digest}`;
}

/**
 * Verifies the artifact a parsed reference names. Registry reads go through `opts.pool` (one per run),
 * so an artifact that several plans name is read once; a digest the pool has already resolved (the
 * audit resolved the tag first) costs no request here.
 */
export async function verifyArtifact(ref: ArtifactRef, trust: ArtifactTrust, opts: ArtifactOptions): Promise<ArtifactVerification> {
  const ownPool = ref.kind === 'registry' && !opts.pool ? new RegistryPool(opts.openStore ? { opener: opts.openStore } : {}) : undefined;
  try {
    const store = ref.kind === 'layout' ? await openLayout(ref.path) : await ((opts.pool ?? ownPool) as RegistryPool).store(ref, opts.registry ?? {});
    try {
      return await verifyIn(store, ref, trust, opts);
    } finally {
      // the pool's stores are closed with the pool
      if (ref.kind === 'layout') await store.close();
    }
  } finally {
    await ownPool?.close();
  }
}

async function verifyIn(store: ArtifactStore, ref: ArtifactRef, trust: ArtifactTrust, opts: ArtifactOptions): Promise<ArtifactVerification> {
  const input = formatArtifactRef(ref);
  const problems: { code: string; message: string }[] = [];
  const read = { signal: opts.signal };
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
  const ignored: IgnoredReferrer[] = [];
  try {
    const r = await store.listReferrers(target.digest, read);
    referrers = r.descriptors;
    via = r.via;
    ignored.push(...(r.skipped ?? []));
  } catch (e) {
    problems.push(problemOf(e));
  }
  const ctx: Ctx = { store, read, target, foundAt: (d) => ({ via: via ?? 'referrers-api', digest: d.digest }), now: opts.now };
  const signatures: SignatureEvidence[] = [];
  let sigTag: string | undefined;
  let sigTagNotRead: string | undefined;
  let notation: ArtifactVerification['notation'];

  if (trust.cosign) {
    const bundles = await cosignBundles(ctx, referrers, trust.cosign, ignored);
    signatures.push(...bundles.evidence);
    // cosign reads the legacy .sig tag only when no bundle could be read
    if (bundles.read > 0) sigTagNotRead = cosignSignatureTag(target.digest);
    else {
      sigTag = cosignSignatureTag(target.digest);
      signatures.push(...(await cosignLegacy(ctx, sigTag, trust.cosign)));
    }
  }

  if (trust.notation) {
    const nm = await loadNotation();
    const n = await notationSignatures(nm, ctx, referrers.filter((x) => x.artifactType === NOTATION_ARTIFACT_TYPE), trust.notation, referenceForPolicy(ref, target.digest));
    signatures.push(...n.evidence);
    problems.push(...n.problems);
    notation = n.notation ?? skipped(nm, trust.notation.policy, referenceForPolicy(ref, target.digest));
  }

  const discovery = {
    ...(via ? { referrers: via } : {}),
    ...(sigTag ? { sigTag } : {}),
    ...(sigTagNotRead ? { sigTagNotRead } : {}),
    problems,
    ...(ignored.length > 0 ? { ignored } : {}),
  };
  return { reference: input, resolved, discovery, signatures, ...(notation ? { notation } : {}), ...conclude(signatures, problems, trust) };
}

interface Ctx {
  readonly store: ArtifactStore;
  readonly read: { readonly signal?: AbortSignal | undefined };
  readonly target: Descriptor;
  readonly foundAt: (d: Descriptor) => FoundAt;
  readonly now: Date;
}

/**
 * A signature that could not be read is a finding about that signature, not about the registry:
 * too large and unreadable get codes of their own (verdict/ maps them to the signature's reason).
 * A digest mismatch keeps its code (the same finding as tampering); a failure to reach or
 * authenticate to the registry keeps its code too, since it says nothing about the signature.
 */
function readFailure(e: unknown, what: string): { code: string; message: string } {
  const p = problemOf(e);
  if (p.code === 'registry.too-large') return { code: 'signature.too-large', message: `${what} not read, too large: ${p.message}` };
  if (UNREADABLE.has(p.code)) return { code: 'signature.unreadable', message: `${what} not read: ${p.message}` };
  return { code: p.code, message: `${what} not read: ${p.message}` };
}

const UNREADABLE: ReadonlySet<string> = new Set(['registry.not-found', 'registry.protocol', 'registry.media-type', 'layout.not-found', 'layout.invalid']);

function tooLarge(what: string, size: number, max: number): { code: string; message: string } {
  return { code: 'signature.too-large', message: `${what} not read, too large: ${size} bytes, over the ${formatBytes(max)} limit for signatures` };
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

function failedRead(mechanism: Mechanism, foundAt: FoundAt, error: { code: string; message: string }): SignatureEvidence {
  return { mechanism, foundAt, verified: false, attempts: [], error };
}

/** Errors from verifyCosignBundle that mean "not a bundle cosign can read": cosign skips such referrers. */
const BUNDLE_PARSE_CODES: ReadonlySet<string> = new Set(['cosign.bundle-invalid', 'cosign.bundle-unsupported', 'cosign.media-type']);

/**
 * cosign's GetBundles: every referrer whose one layer is a Sigstore bundle. A referrer that says it is
 * a bundle (artifactType) but cannot be read is reported as a signature of its own; one of unknown
 * type that cannot be read is only noted, as cosign skips it. `read` counts bundles that parsed.
 */
async function cosignBundles(ctx: Ctx, referrers: readonly Descriptor[], trust: CosignTrust, ignored: IgnoredReferrer[]): Promise<{ evidence: SignatureEvidence[]; read: number }> {
  const evidence: SignatureEvidence[] = [];
  let read = 0;
  for (const d of referrers.filter((x) => (x.artifactType ?? '').startsWith(BUNDLE_PREFIX) || x.artifactType === undefined)) {
    const known = d.artifactType !== undefined;
    const foundAt = ctx.foundAt(d);
    const fail = (error: { code: string; message: string }): void => {
      if (known) evidence.push(failedRead('cosign-bundle', foundAt, error));
      else ignored.push({ digest: d.digest, ...error });
    };
    if (d.size > DEFAULT_MAX_MANIFEST_BYTES) {
      fail(tooLarge('cosign bundle manifest', d.size, DEFAULT_MAX_MANIFEST_BYTES));
      continue;
    }
    let layer: Descriptor;
    try {
      const m = await ctx.store.fetchManifest(d.digest, ctx.read);
      const layers = m.manifest.kind === 'manifest' ? m.manifest.layers : [];
      const only = layers.length === 1 ? layers[0] : undefined;
      if (!only || !only.mediaType.startsWith(BUNDLE_PREFIX)) {
        // cosign skips referrers that are not one bundle layer; one that claims to be a bundle is worth saying
        if (known) evidence.push(failedRead('cosign-bundle', foundAt, { code: 'signature.unreadable', message: `cosign bundle manifest: expected exactly one layer of a Sigstore bundle media type, found ${describeLayers(m.manifest.kind === 'manifest' ? layers : undefined)}` }));
        continue;
      }
      layer = only;
    } catch (e) {
      fail(readFailure(e, 'cosign bundle manifest'));
      continue;
    }
    if (layer.size > DEFAULT_MAX_BLOB_BYTES) {
      evidence.push(failedRead('cosign-bundle', foundAt, tooLarge('cosign bundle', layer.size, DEFAULT_MAX_BLOB_BYTES)));
      continue;
    }
    let bundle: Uint8Array;
    try {
      bundle = await ctx.store.fetchBlob(layer, ctx.read);
    } catch (e) {
      evidence.push(failedRead('cosign-bundle', foundAt, readFailure(e, 'cosign bundle')));
      continue;
    }
    const ev = verifyCosignBundle({ artifactDigest: ctx.target.digest, mediaType: layer.mediaType, bundle, foundAt }, trust, { now: ctx.now });
    if (!ev.error || !BUNDLE_PARSE_CODES.has(ev.error.code)) read++;
    evidence.push(ev);
  }
  return { evidence, read };
}

/** cosign's legacy `.sig` tag: each layer is a signature of its own, judged on its own (cosign's verifySignatures). */
async function cosignLegacy(ctx: Ctx, sigTag: string, trust: CosignTrust): Promise<SignatureEvidence[]> {
  const at: FoundAt = { via: 'sig-tag', tag: sigTag };
  let sig: FetchedManifest | undefined;
  try {
    sig = await fetchManifestIfPresent(ctx.store, sigTag, ctx.read);
  } catch (e) {
    return [failedRead('cosign-legacy', at, readFailure(e, `cosign legacy signature manifest ${sigTag}`))];
  }
  if (!sig) return [];
  const foundAt: FoundAt = { ...at, digest: sig.descriptor.digest };
  const evidence: SignatureEvidence[] = [];
  const layers = sig.manifest.kind === 'manifest' ? sig.manifest.layers : [];
  for (const [i, layer] of layers.entries()) {
    const what = `cosign legacy signature layer ${i + 1} of ${layers.length}`;
    if (layer.size > LEGACY_MAX_LAYER_BYTES) {
      evidence.push(failedRead('cosign-legacy', foundAt, tooLarge(what, layer.size, LEGACY_MAX_LAYER_BYTES)));
      continue;
    }
    let payload: Uint8Array;
    try {
      payload = await ctx.store.fetchBlob(layer, { ...ctx.read, maxBytes: LEGACY_MAX_LAYER_BYTES });
    } catch (e) {
      evidence.push(failedRead('cosign-legacy', foundAt, readFailure(e, what)));
      continue;
    }
    evidence.push(verifyCosignLegacy({ artifactDigest: ctx.target.digest, mediaType: layer.mediaType, annotations: layer.annotations ?? {}, payload, foundAt }, trust, { now: ctx.now }));
  }
  return evidence;
}

/**
 * notation-go decides `skip` before it lists signatures (Verify asks the verifier's SkipVerify first),
 * so an artifact with no signature at all is accepted under skip: the level, not "no signature", decides.
 */
function skipped(nm: NotationModule, policy: TrustPolicyDocument, reference: string): ArtifactVerification['notation'] {
  const s = nm.selectStatement(policy, reference);
  return s.ok && s.value.level === 'skip' ? { statement: s.value.name, level: 'skip', outcome: 'ignored' } : undefined;
}

/**
 * notation's Verify loop as Flux runs it: signatures in the registry's order, the first that passes
 * (verified, or ignored by an audit level) ends it, at most MaxSignatureAttempts are tried, and a
 * signature that cannot be retrieved ends it too (notation-go returns ErrorSignatureRetrievalFailed,
 * so `notation verify` and Flux refuse the artifact): that signature is reported with its own error.
 */
async function notationSignatures(
  nm: NotationModule,
  ctx: Ctx,
  candidates: readonly Descriptor[],
  nt: NotationTrust,
  reference: string,
): Promise<{ evidence: SignatureEvidence[]; problems: { code: string; message: string }[]; notation?: ArtifactVerification['notation'] }> {
  const evidence: SignatureEvidence[] = [];
  const problems: { code: string; message: string }[] = [];
  let notation: ArtifactVerification['notation'];
  for (const [i, d] of candidates.entries()) {
    if (i >= NOTATION_MAX_ATTEMPTS) {
      const left = candidates.length - i;
      problems.push({ code: 'notation.attempts-exhausted', message: `notation stops after ${NOTATION_MAX_ATTEMPTS} signatures that do not verify (Flux's MaxSignatureAttempts): ${left} more not judged` });
      break;
    }
    const foundAt = ctx.foundAt(d);
    const fetched = await notationEnvelope(nm, ctx, d);
    if ('error' in fetched) {
      const left = candidates.length - i - 1;
      const stop = left > 0 ? `; notation and Flux stop at a signature they cannot retrieve, so ${left} later signature${left === 1 ? ' was' : 's were'} not judged` : '';
      evidence.push(failedRead(fetched.mechanism, foundAt, { code: fetched.error.code, message: `${fetched.error.message}${stop}` }));
      break;
    }
    const r = nm.verifyNotationSignature({
      envelope: fetched.envelope,
      envelopeMediaType: fetched.mediaType,
      target: { mediaType: ctx.target.mediaType, digest: ctx.target.digest, size: ctx.target.size },
      reference,
      policy: nt.policy,
      trustStore: nt.trustStore,
      now: ctx.now,
      foundAt,
      trustLabel: nt.label,
      trustSource: nt.source,
    });
    evidence.push(r.evidence);
    notation = { ...(r.statement ? { statement: r.statement } : {}), ...(r.level ? { level: r.level } : {}), outcome: r.outcome };
    if (r.outcome !== 'failed') break;
  }
  return { evidence, problems, ...(notation ? { notation } : {}) };
}

/** notation-go's FetchSignatureBlob: manifest ≤ 4 MiB with exactly one layer, envelope ≤ 32 MiB. */
async function notationEnvelope(nm: NotationModule, ctx: Ctx, d: Descriptor): Promise<{ envelope: Uint8Array; mediaType: string } | { mechanism: Mechanism; error: { code: string; message: string } }> {
  const jws: Mechanism = 'notation-jws';
  if (d.size > DEFAULT_MAX_MANIFEST_BYTES) return { mechanism: jws, error: tooLarge('notation signature manifest', d.size, DEFAULT_MAX_MANIFEST_BYTES) };
  let layer: Descriptor;
  try {
    const m = await ctx.store.fetchManifest(d.digest, ctx.read);
    const layers = m.manifest.kind === 'manifest' ? m.manifest.layers : [];
    if (m.manifest.kind !== 'manifest' || layers.length !== 1 || !layers[0]) {
      return { mechanism: jws, error: { code: 'signature.unreadable', message: `notation signature manifest: expected exactly one signature envelope layer, found ${describeLayers(m.manifest.kind === 'manifest' ? layers : undefined)}` } };
    }
    layer = layers[0];
  } catch (e) {
    return { mechanism: jws, error: readFailure(e, 'notation signature manifest') };
  }
  const mechanism: Mechanism = layer.mediaType === nm.COSE_MEDIA_TYPE ? 'notation-cose' : 'notation-jws';
  if (layer.size > DEFAULT_MAX_BLOB_BYTES) return { mechanism, error: tooLarge('notation signature envelope', layer.size, DEFAULT_MAX_BLOB_BYTES) };
  try {
    return { envelope: await ctx.store.fetchBlob(layer, ctx.read), mediaType: layer.mediaType };
  } catch (e) {
    return { mechanism, error: readFailure(e, 'notation signature envelope') };
  }
}

function describeLayers(layers: readonly Descriptor[] | undefined): string {
  if (layers === undefined) return 'an image index';
  if (layers.length === 0) return 'no layer';
  if (layers.length > 1) return `${layers.length} layers`;
  return `a layer of media type ${layers[0]?.mediaType ?? '(none)'}`;
}

/** transient failures (network, auth, server) leave the answer open; other read failures are the signature's */
function couldNotRead(code: string): boolean {
  return (code.startsWith('registry.') || code.startsWith('layout.')) && code !== 'registry.digest-mismatch';
}

/** One verdict for the artifact: verified only when some signature passed every check. */
function conclude(signatures: readonly SignatureEvidence[], problems: readonly { code: string; message: string }[], trust: ArtifactTrust): { state: ArtifactState; code: string; message: string } {
  const ok = signatures.find((s) => s.verified);
  if (ok) {
    const attempt = ok.attempts.find((a) => a.ok);
    return { state: 'verified', code: 'ok', message: `${ok.mechanism.replace('-', ' ')} signature verified${attempt ? ` with ${attempt.trust.label}` : ''}` };
  }
  if (signatures.length === 0) {
    const blocking = problems.filter((p) => p.code !== 'notation.attempts-exhausted');
    if (blocking.length > 0) return { state: 'error', code: blocking[0]?.code ?? 'internal', message: blocking[0]?.message ?? 'signature discovery failed' };
    const kinds = [trust.cosign ? 'cosign' : '', trust.notation ? 'notation' : ''].filter(Boolean).join(' or ');
    return { state: 'failed', code: 'signature.none', message: `no ${kinds} signature found for this artifact` };
  }
  // a signature the registry did not deliver (timeout, refused, server error) might have been the good one
  const open = signatures.find((s) => s.error !== undefined && couldNotRead(s.error.code));
  if (open?.error) return { state: 'error', code: open.error.code, message: open.error.message };
  const first = firstFailure(signatures);
  return { state: 'failed', code: first.code, message: first.message };
}

/** The failure to lead with: a signature judged against the trust material says more than one that could not be read. */
function firstFailure(signatures: readonly SignatureEvidence[]): { code: string; message: string } {
  const judged = signatures.filter((s) => !s.error);
  for (const s of [...judged, ...signatures.filter((x) => x.error)]) {
    if (s.error) return s.error;
    for (const a of s.attempts) {
      const c = a.checks.find((x) => !x.ok);
      if (c) return { code: c.code, message: `${a.trust.label}: ${c.message}` };
    }
  }
  return { code: 'signature.unverified', message: 'no signature passed every check' };
}

/**
 * Each (artifact digest, registry credentials, trust material) verified once per run. The key is made
 * by the caller from the pool's read key, the digest and a fingerprint of the trust material's
 * content (materials.ts), so identical trust held in different Secrets is verified once. Labels in the
 * evidence name the Secret of the plan that ran first: for any other plan they are rewritten to name
 * that plan's own Secret (`label` is the Secret's `namespace/name`), so each object's report still
 * says which of its Secrets' keys verified.
 */
export class VerificationMemo {
  readonly #results = new Map<string, { readonly label: string | undefined; readonly result: Promise<ArtifactVerification> }>();

  run(key: string, label: string | undefined, verify: () => Promise<ArtifactVerification>): Promise<ArtifactVerification> {
    const known = this.#results.get(key);
    if (!known) {
      const result = verify();
      this.#results.set(key, { label, result });
      return result;
    }
    const from = known.label;
    if (from === undefined || label === undefined || from === label) return known.result;
    return known.result.then((v) => relabel(v, from, label));
  }

  /** distinct verifications so far (tests) */
  get size(): number {
    return this.#results.size;
  }
}

/** A copy of `value` with every whole occurrence of `from` in its strings replaced by `to`. */
function relabel<T>(value: T, from: string, to: string): T {
  const pattern = new RegExp(`(?<![\\w.-])${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.-])`, 'g');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, () => to);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}
