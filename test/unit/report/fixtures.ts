import { createHash } from 'node:crypto';
import type { PlanTrust } from '../../../src/graph/types.js';
import type { KubeProblem } from '../../../src/kube/types.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportArtifact, type ReportNode } from '../../../src/report/model.js';
import { toFinding } from '../../../src/verdict/assemble.js';
import type { ReasonCode } from '../../../src/verdict/reasons.js';
import { summarise } from '../../../src/verdict/summary.js';
import type { Finding, FindingState, FluxCondition, FluxView } from '../../../src/verdict/types.js';
import { failed, passed, type Attempt, type Check, type SignatureEvidence, type Signer, type TrustRef } from '../../../src/verify/evidence.js';

/**
 * Deterministic reports for the printers: every finding state, the main reasons, consumers above
 * sources in two namespaces, problems, and the edge cases (empty, problems only, trust from flags).
 * Findings go through verdict's own toFinding so that reasons and next steps are as the audit makes them.
 */

export const GENERATED_AT = '2026-11-22T00:42:00.000Z';
const REGISTRY = 'oci://registry.example';

/** A stable sha256 digest named after what it stands for. */
export function digest(seed: string): string {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}`;
}

function fingerprint(seed: string): string {
  return `SHA256:${createHash('sha256').update(`key:${seed}`).digest('base64').replace(/=+$/, '')}`;
}

// Flux's conditions

const ready = (status: FluxCondition['status'], reason: string, message: string): FluxCondition => ({ status, reason, message });
const svTrue = (revision: string): FluxCondition & { revision: string } => ({ status: 'True', reason: 'Succeeded', message: `verified signature of revision ${revision}`, revision });
const svFalse = (revision: string, why: string): FluxCondition & { revision: string } => ({
  status: 'False',
  reason: 'VerificationError',
  message: `failed to verify the signature using provider 'cosign': ${why} for '${revision}'`,
  revision,
});

function flux(v: Partial<FluxView> = {}): FluxView {
  return { agrees: undefined, stale: false, ...v };
}

// trust and signatures

function keyTrust(namespace: string, secretRef: string, origin: PlanTrust['origin'] = 'object'): PlanTrust {
  return { provider: 'cosign', mode: 'cosign-key', namespace, secretRef, matchOIDCIdentity: [], origin };
}

const GITHUB = 'https://token.actions.githubusercontent.com';

function keylessTrust(namespace: string, subjects: readonly string[]): PlanTrust {
  return { provider: 'cosign', mode: 'cosign-keyless', namespace, matchOIDCIdentity: subjects.map((subject) => ({ issuer: `^${GITHUB}$`, subject })), origin: 'object' };
}

function notationTrust(namespace: string, secretRef: string): PlanTrust {
  return { provider: 'notation', mode: 'notation', namespace, secretRef, matchOIDCIdentity: [], origin: 'object' };
}

function key(secret: string, file: string, source: TrustRef['source'] = 'object'): TrustRef {
  return { kind: 'key', label: source === 'flag' ? `--key ${file}` : `${secret} · ${file}`, fingerprint: fingerprint(`${secret}/${file}`), source };
}

function attempt(trust: TrustRef, checks: readonly Check[]): Attempt {
  return { trust, ok: checks.every((c) => c.ok), checks };
}

/** as verdict/ words a passing signature, fingerprint and digest included */
const short = (d: string): string => `${d.slice(0, 19)}…`;
const okWith = (secret: string, d: string): string => `cosign bundle signature verified with ${secret} · cosign.pub ${fingerprint(`${secret}/cosign.pub`)} for ${short(d)}`;

const sigOk = passed('signature', 'signature verifies with this key');
const sigBad = failed('signature', 'cosign.signature-mismatch', 'signature does not verify with this ECDSA-P256 key');
const claimOk = (d: string): Check => passed('claim', `payload names ${d}`);

function signature(mechanism: SignatureEvidence['mechanism'], foundAt: SignatureEvidence['foundAt'], attempts: readonly Attempt[], extra: Partial<SignatureEvidence> = {}): SignatureEvidence {
  return { mechanism, foundAt, verified: attempts.some((a) => a.ok), attempts, ...extra };
}

const referrer = (seed: string): SignatureEvidence['foundAt'] => ({ via: 'referrers-api', digest: digest(`sig:${seed}`) });
const keySigner = (secret: string, file: string): Signer => ({ kind: 'key', keyFingerprint: fingerprint(`${secret}/${file}`), keyAlgorithm: 'ECDSA-P256' });

function bundleWithKey(seed: string, secret: string, file: string, d: string): SignatureEvidence {
  return signature('cosign-bundle', referrer(seed), [attempt(key(secret, file), [sigOk, claimOk(d)])], { signer: keySigner(secret, file) });
}

// nodes

interface NodeSpec {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly finding: Finding;
  readonly type?: ReportNode['type'];
  readonly sourceIds?: readonly string[];
  readonly artifact?: ReportNode['artifact'];
  readonly trust?: PlanTrust;
  readonly signatures?: readonly SignatureEvidence[];
  readonly nextSignatures?: readonly SignatureEvidence[];
  readonly notes?: ReportNode['notes'];
}

const API: Record<string, string> = {
  Kustomization: 'kustomize.toolkit.fluxcd.io/v1',
  HelmRelease: 'helm.toolkit.fluxcd.io/v2',
  OCIRepository: 'source.toolkit.fluxcd.io/v1',
  HelmChart: 'source.toolkit.fluxcd.io/v1',
  HelmRepository: 'source.toolkit.fluxcd.io/v1',
  GitRepository: 'source.toolkit.fluxcd.io/v1',
};

export const idOf = (kind: string, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

function node(s: NodeSpec): ReportNode {
  const type = s.type ?? 'object';
  return {
    id: idOf(s.kind, s.namespace, s.name),
    kind: s.kind,
    ...(type === 'object' && API[s.kind] ? { apiVersion: API[s.kind] } : {}),
    namespace: s.namespace,
    name: s.name,
    type,
    sourceIds: s.sourceIds ?? [],
    consumerIds: [],
    notes: s.notes ?? [],
    ...(s.artifact ? { artifact: s.artifact } : {}),
    ...(s.trust ? { trust: s.trust } : {}),
    signatures: s.signatures ?? [],
    ...(s.nextSignatures ? { nextSignatures: s.nextSignatures } : {}),
    finding: s.finding,
  };
}

/** As the audit records a tag ref: Flux's revision, and the tag (the ref's own) with what it resolves to now. */
function ociArtifact(path: string, tag: string, revisionDigest: string | undefined, registryDigest?: string): ReportArtifact {
  return {
    url: `${REGISTRY}/${path}`,
    ref: { kind: 'tag', tag },
    ...(revisionDigest ? { running: { revision: `${tag}@${revisionDigest}`, tag, digest: revisionDigest } } : {}),
    ...(registryDigest ? { registryDigest, registryTag: tag } : {}),
  };
}

/** A semver ref: Flux runs the tag it picked at its last reconcile; `picked` is the registry's pick now. */
function semverArtifact(path: string, constraint: string, filter: string | undefined, tag: string, revisionDigest: string, picked: string, registryDigest: string): ReportArtifact {
  return {
    url: `${REGISTRY}/${path}`,
    ref: { kind: 'semver', constraint, ...(filter ? { filter } : {}), helmTags: false },
    running: { revision: `${tag}@${revisionDigest}`, tag, digest: revisionDigest },
    registryDigest,
    registryTag: picked,
  };
}

function running(tag: string, d: string): Pick<Finding, 'running'> {
  return { running: { revision: `${tag}@${d}`, digest: d } };
}

function verdict(state: FindingState, primary: ReasonCode, message: string, view: FluxView, extra: readonly ReasonCode[] = [], suffixes: readonly string[] = [], rest: Parameters<typeof toFinding>[4] = {}): Finding {
  return toFinding({ state, primary, message }, extra, suffixes, view, rest);
}

/** A consumer inherits its source's verdict, as verdict/consumer.ts words it. */
function consumer(kind: 'Kustomization' | 'HelmRelease', namespace: string, name: string, source: ReportNode, applied: string | undefined, override?: { state: FindingState; primary: ReasonCode; message: string; extra?: readonly ReasonCode[] }): ReportNode {
  const f = source.finding;
  const view = flux({ ready: ready('True', 'ReconciliationSucceeded', `Applied revision: ${applied ?? ''}`), ...(f.flux.sourceVerified ? { sourceVerified: f.flux.sourceVerified } : {}), agrees: f.flux.agrees, stale: f.flux.stale });
  const rest = { ...(applied ? { appliedRevision: applied } : {}), appliedIsVerified: f.state === 'verified' && override === undefined, ...(f.drift ? { drift: f.drift } : {}) };
  const finding = override
    ? verdict(override.state, override.primary, override.message, view, [...f.reasons.slice(1), ...(override.extra ?? [])], [], rest)
    : verdict(f.state, f.reasons[0] ?? 'pending', f.state === 'verified' ? `applied ${applied ?? ''}: ${f.message}` : `${source.id}: ${f.message}`, view, f.reasons.slice(1), [], rest);
  return node({ kind, namespace, name, sourceIds: [source.id], finding });
}

/** Fills consumerIds from sourceIds and counts the summary, as the audit does. */
export function report(nodes: readonly ReportNode[], extra: { problems?: readonly KubeProblem[]; trustOverrides?: readonly string[]; namespace?: string } = {}): Report {
  const consumers = new Map<string, string[]>();
  for (const n of nodes) for (const s of n.sourceIds) consumers.set(s, [...(consumers.get(s) ?? []), n.id]);
  const linked = nodes.map((n) => ({ ...n, consumerIds: consumers.get(n.id) ?? [] }));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: GENERATED_AT,
    tool: { name: 'kubectl-verify', version: '0.1.0' },
    source: { context: 'lab', cluster: 'lab', server: 'https://127.0.0.1:6443' },
    scope: extra.namespace ? { namespace: extra.namespace, allNamespaces: false } : { allNamespaces: true },
    trustOverrides: extra.trustOverrides ?? [],
    summary: summarise(linked.map((n) => n.finding)),
    problems: extra.problems ?? [],
    nodes: linked,
  };
}

export const PROBLEMS: readonly KubeProblem[] = [
  {
    code: 'kube.forbidden',
    message: 'cannot list HelmReleases in namespace restricted: helmreleases.helm.toolkit.fluxcd.io is forbidden: User "viewer" cannot list resource "helmreleases" in API group "helm.toolkit.fluxcd.io" in the namespace "restricted"',
    kind: 'HelmRelease',
    namespace: 'restricted',
  },
  { code: 'kube.crd-missing', message: 'the ExternalArtifact CRD (source.toolkit.fluxcd.io) is not installed: ExternalArtifacts are not audited', kind: 'ExternalArtifact' },
];

/** Sources in `apps`: one per main reason. */
function appsSources(): ReportNode[] {
  const out: ReportNode[] = [];
  const oci = (name: string, tag: string, trust: PlanTrust | undefined, finding: (d: string) => Finding, more: Partial<NodeSpec> & { registry?: string } = {}): ReportNode => {
    const d = digest(`${name}:${tag}`);
    const n = node({ kind: 'OCIRepository', namespace: 'apps', name, artifact: ociArtifact(`apps/${name}`, tag, d, more.registry ?? d), ...(trust ? { trust } : {}), finding: finding(d), ...more });
    out.push(n);
    return n;
  };
  const storedOk = (tag: string, d: string): FluxCondition => ready('True', 'Succeeded', `stored artifact for digest '${tag}@${d}'`);

  // verified, Flux agrees
  oci('podinfo', '6.5.0', keyTrust('apps', 'cosign-pub'), (d) => verdict('verified', 'verified', okWith('apps/cosign-pub', d), flux({ ready: storedOk('6.5.0', d), sourceVerified: svTrue(`6.5.0@${d}`), agrees: true }), [], [], running('6.5.0', d)), {
    signatures: [bundleWithKey('podinfo', 'apps/cosign-pub', 'cosign.pub', digest('podinfo:6.5.0'))],
  });

  // wrong key: two keys tried
  oci('frontend', '1.2.0', keyTrust('apps', 'cosign-pub'), (d) => verdict('failed', 'wrong-key', 'none of 1 signature verifies with any of the 2 keys apps/cosign-pub · cosign.pub, apps/cosign-pub · old.pub', flux({ ready: ready('False', 'VerificationError', 'no matching signatures were found'), sourceVerified: svFalse(`1.2.0@${d}`, 'no matching signatures were found'), agrees: true }), [], [], running('1.2.0', d)), {
    signatures: [signature('cosign-bundle', referrer('frontend'), [attempt(key('apps/cosign-pub', 'cosign.pub'), [sigBad]), attempt(key('apps/cosign-pub', 'old.pub'), [sigBad])], { signer: keySigner('ci/other', 'release.pub') })],
  });

  // no signature at all
  oci('backend', '3.1.4', keyTrust('apps', 'cosign-pub'), (d) => verdict('failed', 'no-signature', `no signature found for ${d} (referrers API and cosign .sig tag)`, flux({ ready: ready('False', 'VerificationError', 'no signatures found'), sourceVerified: svFalse(`3.1.4@${d}`, 'no signatures found'), agrees: true }), [], [], running('3.1.4', d)));

  // tampered legacy signature that Flux accepts: the strict verdict, and Flux disagrees
  const legacy = digest('legacy:2.0.0');
  const claimed = digest('legacy:1.9.0');
  oci('legacy', '2.0.0', keyTrust('apps', 'cosign-pub'), (d) => verdict('failed', 'tampered', `cosign legacy signature, apps/cosign-pub · cosign.pub: expected payload to name ${legacy}, found ${claimed}`, flux({ ready: storedOk('2.0.0', d), sourceVerified: svTrue(`2.0.0@${d}`), agrees: false }), ['flux-disagrees'], ['Flux says SourceVerified=True (Succeeded)'], running('2.0.0', d)), {
    signatures: [
      signature('cosign-legacy', { via: 'sig-tag', tag: `${legacy.replace(':', '-')}.sig`, digest: digest('sig:legacy') }, [attempt(key('apps/cosign-pub', 'cosign.pub'), [sigOk, failed('claim', 'cosign.claim-digest-mismatch', `expected payload to name ${legacy}, found ${claimed}`)])], { signer: keySigner('apps/cosign-pub', 'cosign.pub'), fluxVerified: true }),
    ],
  });

  // keyless, signed by another workflow
  oci('keyless', '0.4.0', keylessTrust('apps', ['^https://github.com/example/keyless/.github/workflows/release.yml@refs/tags/v.*$']), (d) => verdict('failed', 'identity-mismatch', `cosign bundle signature, issuer ^${GITHUB}$ subject ^https://github.com/example/keyless/.github/workflows/release.yml@refs/tags/v.*$: expected a SAN matching ^https://github.com/example/keyless/.github/workflows/release.yml@refs/tags/v.*$, found https://github.com/example/fork/.github/workflows/release.yml@refs/heads/main`, flux({ ready: ready('False', 'VerificationError', 'no matching signatures'), sourceVerified: svFalse(`0.4.0@${d}`, 'none of the expected identities matched'), agrees: true }), [], [], running('0.4.0', d)), {
    signatures: [
      signature('cosign-bundle', referrer('keyless'), [attempt({ kind: 'identity', label: `issuer ^${GITHUB}$ subject ^https://github.com/example/keyless/.github/workflows/release.yml@refs/tags/v.*$`, source: 'object' }, [passed('chain', 'chains to Fulcio'), passed('tlog', 'in Rekor'), failed('identity', 'cosign.identity-mismatch', 'expected a SAN matching ^https://github.com/example/keyless/.github/workflows/release.yml@refs/tags/v.*$, found https://github.com/example/fork/.github/workflows/release.yml@refs/heads/main')])], {
        signer: { kind: 'certificate', san: 'https://github.com/example/fork/.github/workflows/release.yml@refs/heads/main', issuer: GITHUB, notBefore: '2026-11-21T10:00:00Z', notAfter: '2026-11-21T10:10:00Z' },
      }),
    ],
  });

  // notation: certificate expired
  oci('notary', '1.0.0', notationTrust('apps', 'notation-trust'), (d) => verdict('failed', 'expired', 'notation JWS signature, apps/notation-trust · trustpolicy.json: the signing time is after certificate "CN=old-ci,O=Example" validity period, it was expired at 2026-10-01T00:00:00.000Z (found 2026-11-20T08:00:00.000Z)', flux({ ready: ready('False', 'VerificationError', 'signature verification failed'), sourceVerified: svFalse(`1.0.0@${d}`, 'expired certificate'), agrees: true }), [], [], running('1.0.0', d)), {
    signatures: [
      signature('notation-jws', referrer('notary'), [attempt({ kind: 'trust-policy', label: 'apps/notation-trust · trustpolicy.json', source: 'object' }, [passed('signature', 'valid JWS'), failed('expiry', 'notation.cert-expired', 'the signing time is after certificate "CN=old-ci,O=Example" validity period, it was expired at 2026-10-01T00:00:00.000Z (found 2026-11-20T08:00:00.000Z)')])], {
        signer: { kind: 'certificate', subject: 'CN=old-ci,O=Example', issuer: 'CN=Example CA', notAfter: '2026-10-01T00:00:00Z', certFingerprint: createHash('sha256').update('old-ci').digest('hex') },
      }),
    ],
  });

  // notation: chains to no trusted root
  oci('untrusted', '1.1.0', notationTrust('apps', 'notation-trust'), (d) => verdict('failed', 'untrusted', 'certificate CN=laptop chains to no root in trust store ca:apps', flux({ ready: ready('False', 'VerificationError', 'signature verification failed'), sourceVerified: svFalse(`1.1.0@${d}`, 'untrusted certificate'), agrees: true }), [], [], running('1.1.0', d)), {
    signatures: [signature('notation-cose', referrer('untrusted'), [attempt({ kind: 'trust-policy', label: 'apps/notation-trust · trustpolicy.json', source: 'object' }, [failed('chain', 'notation.untrusted-cert', 'certificate CN=laptop chains to no root in trust store ca:apps')])], { signer: { kind: 'certificate', subject: 'CN=laptop' } })],
  });

  // verified, the registry moved on to an unsigned digest that Flux refuses
  const webNext = digest('web:1.0.1');
  oci('web', '1.0.0', keyTrust('apps', 'cosign-pub'), (d) => verdict('verified', 'verified', okWith('apps/cosign-pub', d), flux({ ready: ready('False', 'VerificationError', 'no signatures found'), sourceVerified: svFalse(webNext, 'no signatures found'), agrees: true }), ['drift'], [`the registry now serves ${webNext.slice(0, 19)}… (next reconcile: refused)`], { ...running('1.0.0', d), drift: { runningDigest: d, registryDigest: webNext, nextReconcile: 'refused' } }), {
    registry: webNext,
    signatures: [bundleWithKey('web', 'apps/cosign-pub', 'cosign.pub', digest('web:1.0.0'))],
    nextSignatures: [],
  });

  // verified, the registry moved on to a signed digest that Flux will accept
  const apiNext = digest('api:4.2.1');
  oci('api', '4.2.0', keyTrust('apps', 'cosign-pub'), (d) => verdict('verified', 'verified', okWith('apps/cosign-pub', d), flux({ ready: storedOk('4.2.0', d), sourceVerified: svTrue(`4.2.0@${d}`), agrees: true }), ['drift'], [`the registry now serves ${apiNext.slice(0, 19)}… (next reconcile: accepted)`], { ...running('4.2.0', d), drift: { runningDigest: d, registryDigest: apiNext, nextReconcile: 'accepted' } }), {
    registry: apiNext,
    signatures: [bundleWithKey('api', 'apps/cosign-pub', 'cosign.pub', digest('api:4.2.0'))],
    nextSignatures: [bundleWithKey('api-next', 'apps/cosign-pub', 'cosign.pub', apiNext)],
  });

  // semver: Flux runs 6.5.2, the range now picks 6.5.3, signed, which Flux will accept
  const searchNext = digest('search:6.5.3');
  oci('search', '6.5.2', keyTrust('apps', 'cosign-pub'), (d) => verdict('verified', 'verified', okWith('apps/cosign-pub', d), flux({ ready: storedOk('6.5.2', d), sourceVerified: svTrue(`6.5.2@${d}`), agrees: true }), ['drift'], [`the registry now serves ${searchNext.slice(0, 19)}… (next reconcile: accepted)`], { ...running('6.5.2', d), drift: { runningDigest: d, registryDigest: searchNext, nextReconcile: 'accepted' } }), {
    artifact: semverArtifact('apps/search', '>=6.0.0 <7.0.0', undefined, '6.5.2', digest('search:6.5.2'), '6.5.3', searchNext),
    signatures: [bundleWithKey('search', 'apps/cosign-pub', 'cosign.pub', digest('search:6.5.2'))],
    nextSignatures: [bundleWithKey('search-next', 'apps/cosign-pub', 'cosign.pub', searchNext)],
  });

  // semver with semverFilter: release candidates only; the registry picks what Flux runs
  oci('ui', '2.1.0-rc.2', keyTrust('apps', 'cosign-pub'), (d) => verdict('verified', 'verified', okWith('apps/cosign-pub', d), flux({ ready: storedOk('2.1.0-rc.2', d), sourceVerified: svTrue(`2.1.0-rc.2@${d}`), agrees: true }), [], [], running('2.1.0-rc.2', d)), {
    artifact: semverArtifact('apps/ui', '>=2.0.0-0', '-rc\\.', '2.1.0-rc.2', digest('ui:2.1.0-rc.2'), '2.1.0-rc.2', digest('ui:2.1.0-rc.2')),
    signatures: [bundleWithKey('ui', 'apps/cosign-pub', 'cosign.pub', digest('ui:2.1.0-rc.2'))],
  });

  // verified, but SourceVerified still describes an older revision
  const old = digest('stale:0.9.0');
  oci('stale', '1.0.0', keyTrust('apps', 'cosign-pub'), (d) => verdict('verified', 'verified', okWith('apps/cosign-pub', d), flux({ ready: storedOk('1.0.0', d), sourceVerified: svTrue(`0.9.0@${old}`), agrees: true, stale: true }), ['stale-flux-condition'], [`SourceVerified describes 0.9.0@${old}, not the running revision`], running('1.0.0', d)), {
    signatures: [bundleWithKey('stale', 'apps/cosign-pub', 'cosign.pub', digest('stale:1.0.0'))],
  });

  // verified source whose consumer applied another revision
  oci('worker', '2.1.0', keyTrust('apps', 'cosign-pub'), (d) => verdict('verified', 'verified', okWith('apps/cosign-pub', d), flux({ ready: storedOk('2.1.0', d), sourceVerified: svTrue(`2.1.0@${d}`), agrees: true }), [], [], running('2.1.0', d)), {
    signatures: [bundleWithKey('worker', 'apps/cosign-pub', 'cosign.pub', digest('worker:2.1.0'))],
  });

  // referenced, but absent
  out.push(
    node({
      kind: 'OCIRepository',
      namespace: 'apps',
      name: 'missing',
      type: 'dangling',
      notes: [{ code: 'graph.dangling-ref', message: 'OCIRepository apps/missing is named by Kustomization apps/orphan but does not exist' }],
      finding: verdict('error', 'dangling-ref', 'OCIRepository apps/missing is named by Kustomization apps/orphan but does not exist', flux()),
    }),
  );
  return out;
}

/** Sources in `infra`: the states that are not plain failures. */
function infraSources(): ReportNode[] {
  const out: ReportNode[] = [];
  const oci = (name: string, tag: string, trust: PlanTrust | undefined, finding: (d: string) => Finding, more: Partial<NodeSpec> = {}): ReportNode => {
    const d = digest(`${name}:${tag}`);
    const n = node({ kind: 'OCIRepository', namespace: 'infra', name, artifact: ociArtifact(`infra/${name}`, tag, d, d), ...(trust ? { trust } : {}), finding: finding(d), ...more });
    out.push(n);
    return n;
  };
  const stored = (tag: string, d: string): FluxCondition => ready('True', 'Succeeded', `stored artifact for digest '${tag}@${d}'`);

  oci('cert-manager', '1.16.0', undefined, (d) => verdict('not-enforced', 'not-enforced', `no spec.verify: Flux applies whatever is pushed to ${REGISTRY}/infra/cert-manager`, flux({ ready: stored('1.16.0', d) }), [], [], running('1.16.0', d)));

  oci('policies', '0.3.0', keylessTrust('infra', []), (d) => verdict('weak', 'weak', 'verified keyless, signed by https://github.com/example/policies/.github/workflows/release.yml@refs/tags/v0.3.0, but no matchOIDCIdentity: any Fulcio identity is accepted', flux({ ready: stored('0.3.0', d), sourceVerified: svTrue(`0.3.0@${d}`), agrees: true }), [], [], running('0.3.0', d)), {
    signatures: [
      signature('cosign-bundle', referrer('policies'), [attempt({ kind: 'identity', label: 'any identity from the public-good Fulcio', source: 'builtin' }, [passed('chain', 'chains to Fulcio'), passed('tlog', 'in Rekor'), passed('identity', 'no constraint')])], {
        signer: { kind: 'certificate', san: 'https://github.com/example/policies/.github/workflows/release.yml@refs/tags/v0.3.0', issuer: GITHUB },
      }),
    ],
  });

  oci('ingress', '4.11.0', keyTrust('infra', 'cosign-keys'), (d) => verdict('error', 'trust-missing', 'Secret infra/cosign-keys: not found', flux({ ready: ready('False', 'VerificationError', 'secrets "cosign-keys" not found'), sourceVerified: svFalse(`4.11.0@${d}`, 'secrets "cosign-keys" not found'), agrees: true }), [], [], running('4.11.0', d)));

  oci('dns', '1.2.0', keyTrust('infra', 'dns-keys'), (d) => verdict('error', 'trust-unreadable', 'Secret infra/dns-keys: secrets "dns-keys" is forbidden: User "viewer" cannot get resource "secrets" in API group "" in the namespace "infra"', flux({ ready: stored('1.2.0', d), sourceVerified: svTrue(`1.2.0@${d}`) }), [], [], running('1.2.0', d)));

  oci('mirror', '2.0.0', keyTrust('infra', 'cosign-pub'), (d) => verdict('error', 'registry-error', `GET https://mirror.example/v2/infra/mirror/manifests/${d}: connect ECONNREFUSED 127.0.0.1:5001`, flux({ ready: stored('2.0.0', d), sourceVerified: svTrue(`2.0.0@${d}`) }), [], [], running('2.0.0', d)));

  // nothing stored yet
  out.push(
    node({
      kind: 'OCIRepository',
      namespace: 'infra',
      name: 'fresh',
      artifact: { url: `${REGISTRY}/infra/fresh`, ref: { kind: 'semver', constraint: '>=1.0.0', helmTags: false } },
      trust: keyTrust('infra', 'cosign-pub'),
      finding: verdict('pending', 'not-reconciled', 'Flux has stored no artifact yet; Flux says Ready=Unknown (Progressing)', flux({ ready: ready('Unknown', 'Progressing', 'reconciliation in progress') })),
    }),
  );

  out.push(
    node({
      kind: 'GitRepository',
      namespace: 'infra',
      name: 'flux-system',
      notes: [{ code: 'graph.unsupported-source', message: 'GitRepository artifacts are not OCI artifacts: Flux verifies Git commits with PGP, not checked here' }],
      finding: verdict('unsupported', 'unsupported', 'GitRepository artifacts are not OCI artifacts: Flux verifies Git commits with PGP, not checked here', flux({ ready: ready('True', 'Succeeded', 'stored artifact for revision main@sha1:0123456789abcdef0123456789abcdef01234567') }), [], ['Flux says Ready=True (Succeeded)']),
    }),
  );

  out.push(
    node({
      kind: 'HelmRepository',
      namespace: 'infra',
      name: 'prom',
      finding: verdict('unsupported', 'not-applicable', 'an OCI HelmRepository stores no artifact: each chart from it is verified on its own', flux()),
    }),
  );
  return out;
}

/** The fleet: every state, every main reason, consumers above sources, two namespaces, and problems. */
export function fleet(): Report {
  const apps = appsSources();
  const infra = infraSources();
  const by = (id: string): ReportNode => {
    const n = [...apps, ...infra].find((x) => x.id === id);
    if (n === undefined) throw new Error(`fixture has no ${id}`);
    return n;
  };
  const podinfo = by('OCIRepository/apps/podinfo');
  const worker = by('OCIRepository/apps/worker');
  const workerOld = digest('worker:2.0.0');

  const chartDigest = digest('prometheus:25.1.0');
  const chart = node({
    kind: 'HelmChart',
    namespace: 'infra',
    name: 'infra-prometheus',
    type: 'generated-chart',
    sourceIds: ['HelmRepository/infra/prom'],
    notes: [{ code: 'graph.generated-chart', message: 'the HelmChart HelmRelease infra/prometheus generates' }],
    artifact: { url: `${REGISTRY}/charts/prometheus`, ref: { kind: 'semver', constraint: '25.x', helmTags: true }, running: { revision: '25.1.0' }, chart: { name: 'prometheus', version: '25.x' }, registryDigest: chartDigest, registryTag: '25.1.0' },
    trust: keyTrust('infra', 'cosign-pub', 'helmrelease-template'),
    signatures: [bundleWithKey('prometheus', 'infra/cosign-pub', 'cosign.pub', chartDigest)],
    finding: verdict('verified', 'verified', okWith('infra/cosign-pub', chartDigest), flux({ agrees: undefined }), [], [], { running: { revision: '25.1.0' } }),
  });

  const consumers = [
    consumer('Kustomization', 'apps', 'podinfo', podinfo, `6.5.0@${digest('podinfo:6.5.0')}`),
    consumer('Kustomization', 'apps', 'podinfo-canary', podinfo, undefined, { state: 'pending', primary: 'not-reconciled', message: `${podinfo.id} is verified (${podinfo.finding.message}), but nothing has been applied yet` }),
    consumer('Kustomization', 'apps', 'frontend', by('OCIRepository/apps/frontend'), `1.2.0@${digest('frontend:1.2.0')}`),
    consumer('Kustomization', 'apps', 'legacy', by('OCIRepository/apps/legacy'), `2.0.0@${digest('legacy:2.0.0')}`),
    consumer('Kustomization', 'apps', 'worker', worker, `2.0.0@${workerOld}`, { state: 'failed', primary: 'applied-unverified', message: `applied 2.0.0@${workerOld}, but ${worker.id} runs ${digest('worker:2.1.0')}; only that revision is verified` }),
    consumer('Kustomization', 'apps', 'orphan', by('OCIRepository/apps/missing'), undefined),
    consumer('Kustomization', 'infra', 'cert-manager', by('OCIRepository/infra/cert-manager'), `1.16.0@${digest('cert-manager:1.16.0')}`),
    consumer('Kustomization', 'infra', 'flux-system', by('GitRepository/infra/flux-system'), 'main@sha1:0123456789abcdef0123456789abcdef01234567'),
    consumer('HelmRelease', 'infra', 'prometheus', chart, '25.1.0'),
  ];
  return report([...consumers, ...apps, chart, ...infra], { problems: PROBLEMS });
}

/** Trust from flags (`--key`): verified, but not by what Flux enforces. */
export function overridden(): Report {
  const d = digest('podinfo:6.5.0');
  const flagKey = key('', 'cosign.pub', 'flag');
  const source = node({
    kind: 'OCIRepository',
    namespace: 'apps',
    name: 'podinfo',
    artifact: ociArtifact('apps/podinfo', '6.5.0', d, d),
    signatures: [signature('cosign-bundle', referrer('podinfo'), [attempt(flagKey, [sigOk, claimOk(d)])], { signer: keySigner('', 'cosign.pub') })],
    finding: verdict('verified', 'verified', `cosign bundle signature verified with --key cosign.pub ${fingerprint('/cosign.pub')} for ${short(d)}`, flux({ ready: ready('True', 'Succeeded', `stored artifact for digest '6.5.0@${d}'`) }), ['override'], ['trust from flags --key cosign.pub, not from spec.verify'], running('6.5.0', d)),
  });
  return report([consumer('Kustomization', 'apps', 'podinfo', source, `6.5.0@${d}`), source], { trustOverrides: ['--key cosign.pub'], namespace: 'apps' });
}

/** Nothing in scope and nothing wrong. */
export function empty(): Report {
  return report([], { namespace: 'apps' });
}

/** Nothing could be read: every kind forbidden or missing. */
export function problemsOnly(): Report {
  return report([], { problems: PROBLEMS, namespace: 'restricted' });
}
