import type { AuditRun } from '../../../src/audit/audit.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportNode } from '../../../src/report/model.js';
import { summarise } from '../../../src/verdict/summary.js';
import type { ReasonCode } from '../../../src/verdict/reasons.js';
import type { Finding, FindingState } from '../../../src/verdict/types.js';
import type { SignatureEvidence } from '../../../src/verify/evidence.js';

/** Small reports for the view's tests: nodes by hand, summary computed, ids `Kind/ns/name`. */
export const DIGEST = 'sha256:dbdb1097aabbccddeeff00112233445566778899aabbccddeeff001122334455';
export const OTHER = 'sha256:1f2e3d4c5b6a79880011223344556677889900aabbccddeeff00112233445566';

export interface NodeSpec {
  readonly kind?: string;
  readonly ns?: string;
  readonly name: string;
  readonly state?: FindingState;
  readonly reasons?: readonly ReasonCode[];
  readonly message?: string;
  readonly sources?: readonly string[];
  readonly consumers?: readonly string[];
  readonly artifact?: boolean;
  readonly digest?: string;
  readonly registryDigest?: string;
  /** a semver ref: Flux runs `tag`, the registry's pick now is `picked` (default: `tag`) */
  readonly semver?: { readonly constraint: string; readonly filter?: string; readonly tag: string; readonly picked?: string };
  readonly trust?: 'key' | 'keyless' | 'notation' | 'none';
  readonly signatures?: readonly SignatureEvidence[];
  readonly finding?: Partial<Finding>;
}

export const id = (kind: string, ns: string, name: string): string => `${kind}/${ns}/${name}`;

const DEFAULT_REASON: Record<FindingState, ReasonCode> = {
  verified: 'verified', failed: 'check-failed', error: 'registry-error', 'not-enforced': 'not-enforced', weak: 'weak', pending: 'pending', unsupported: 'unsupported', unverifiable: 'unverifiable',
};

export function node(spec: NodeSpec): ReportNode {
  const kind = spec.kind ?? 'OCIRepository';
  const ns = spec.ns ?? 'apps';
  const state = spec.state ?? 'verified';
  const hasArtifact = spec.artifact ?? (kind === 'OCIRepository' || kind === 'HelmChart');
  const digest = spec.digest ?? DIGEST;
  const trust = spec.trust ?? 'key';
  const tag = spec.semver?.tag ?? '1.0.0';
  const finding: Finding = {
    state,
    reasons: spec.reasons ?? [DEFAULT_REASON[state]],
    message: spec.message ?? `${state} ${spec.name}`,
    next: 'do the next thing',
    flux: { agrees: state === 'verified' ? true : undefined, stale: false, ready: { status: 'True', reason: 'Succeeded', message: 'stored artifact' } },
    ...(hasArtifact ? { running: { revision: `${tag}@${digest}`, digest } } : {}),
    ...spec.finding,
  };
  return {
    id: id(kind, ns, spec.name),
    kind,
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    namespace: ns,
    name: spec.name,
    type: 'object',
    sourceIds: spec.sources ?? [],
    consumerIds: spec.consumers ?? [],
    notes: [],
    ...(hasArtifact
      ? {
          artifact: {
            url: `oci://registry.example/${spec.name}`,
            ref: spec.semver
              ? { kind: 'semver' as const, constraint: spec.semver.constraint, ...(spec.semver.filter ? { filter: spec.semver.filter } : {}), helmTags: false }
              : { kind: 'tag' as const, tag },
            running: { revision: `${tag}@${digest}`, tag, digest },
            registryDigest: spec.registryDigest ?? digest,
            registryTag: spec.semver?.picked ?? tag,
          },
        }
      : {}),
    ...(hasArtifact && trust !== 'none'
      ? {
          trust: {
            provider: trust === 'notation' ? ('notation' as const) : ('cosign' as const),
            mode: trust === 'key' ? ('cosign-key' as const) : trust === 'keyless' ? ('cosign-keyless' as const) : ('notation' as const),
            namespace: ns,
            ...(trust === 'keyless' ? {} : { secretRef: trust === 'notation' ? 'notation-trust' : 'cosign-pub' }),
            matchOIDCIdentity: trust === 'keyless' ? [{ issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/org/.*$' }] : [],
            origin: 'object' as const,
          },
        }
      : {}),
    signatures: spec.signatures ?? [],
    finding,
  };
}

export function report(nodes: readonly ReportNode[], extra: Partial<Report> = {}): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: '2026-05-01T00:00:00.000Z',
    tool: { name: 'kubectl-verify', version: '0.0.0' },
    source: { context: 'lab', cluster: 'lab-cluster' },
    scope: { namespace: 'apps', allNamespaces: false },
    trustOverrides: [],
    summary: summarise(nodes.map((n) => n.finding)),
    problems: [],
    nodes,
    ...extra,
  };
}

/** Kustomization apps → OCIRepository bundle (verified); wrong-key and unsigned fail; no-verify not enforced. */
export function fleet(): Report {
  const ks = id('Kustomization', 'apps', 'apps');
  const bundle = id('OCIRepository', 'apps', 'bundle');
  return report([
    node({ kind: 'Kustomization', name: 'apps', sources: [bundle], artifact: false, finding: { appliedRevision: `1.0.0@${DIGEST}` } }),
    node({ name: 'bundle', consumers: [ks] }),
    node({ name: 'no-verify', state: 'not-enforced', trust: 'none' }),
    node({ name: 'unsigned', state: 'failed', reasons: ['no-signature'], message: 'no signature found' }),
    node({ name: 'wrong-key', state: 'failed', reasons: ['wrong-key'], message: 'no signature verifies with the keys in Secret apps/cosign-pub', signatures: [wrongKeySignature()] }),
    node({ ns: 'infra', name: 'cert-manager', trust: 'notation' }),
  ]);
}

/** An OCIRepository on a semver range with a semverFilter: Flux runs 6.5.2, the registry now picks `picked`. */
export function semverNode(picked: { tag: string; digest: string } = { tag: '6.5.2', digest: DIGEST }): ReportNode {
  const moved = picked.digest !== DIGEST;
  return node({
    name: 'semver',
    semver: { constraint: '>=6.0.0 <7.0.0', filter: '^6\\.', tag: '6.5.2', picked: picked.tag },
    registryDigest: picked.digest,
    ...(moved ? { reasons: ['verified', 'drift'], finding: { drift: { runningDigest: DIGEST, registryDigest: picked.digest, nextReconcile: 'accepted' } } } : {}),
  });
}

export function wrongKeySignature(): SignatureEvidence {
  return {
    mechanism: 'cosign-bundle',
    foundAt: { via: 'referrers-api', digest: OTHER },
    signer: { kind: 'key', keyFingerprint: 'SHA256:9c1fabc' },
    verified: false,
    attempts: [
      {
        trust: { kind: 'key', label: 'apps/cosign-pub · cosign.pub', fingerprint: 'SHA256:77ab', source: 'object' },
        ok: false,
        checks: [{ check: 'signature', ok: false, code: 'cosign.signature-mismatch', message: 'signature does not verify with this key' }],
      },
    ],
  };
}

/** n sources under n/5 consumers, a fifth of them failing: for windowing and timing. */
export function bigReport(n: number): Report {
  const nodes: ReportNode[] = [];
  const consumers = Math.floor(n / 5);
  for (let c = 0; c < consumers; c++) {
    const srcs = [0, 1, 2, 3].map((k) => id('OCIRepository', `ns${c % 50}`, `src-${c}-${k}`));
    nodes.push(node({ kind: 'Kustomization', ns: `ns${c % 50}`, name: `ks-${c}`, sources: srcs, artifact: false, state: c % 5 === 0 ? 'failed' : 'verified', reasons: c % 5 === 0 ? ['wrong-key'] : ['verified'] }));
    for (let k = 0; k < 4; k++) {
      nodes.push(node({ ns: `ns${c % 50}`, name: `src-${c}-${k}`, consumers: [id('Kustomization', `ns${c % 50}`, `ks-${c}`)], state: c % 5 === 0 && k === 0 ? 'failed' : 'verified', reasons: c % 5 === 0 && k === 0 ? ['wrong-key'] : ['verified'] }));
    }
  }
  return report(nodes);
}

/** An AuditRun over fixed reports: `finish()` moves it to the final one. */
export function fakeRun(first: Report, final: Report = first, total = 1): AuditRun & { finish(): void } {
  let completed = 0;
  let current = first;
  let resolve: (r: Report) => void = () => undefined;
  const done = new Promise<Report>((r) => (resolve = r));
  return {
    total,
    completed: () => completed,
    snapshot: () => current,
    done,
    rawObject: (nodeId) => ({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: nodeId.split('/')[0], metadata: { name: nodeId.split('/')[2], managedFields: [{ manager: 'kubectl' }] }, spec: { insecure: true, url: 'oci://registry.example/x' } }),
    finish: () => {
      completed = total;
      current = final;
      resolve(final);
    },
  };
}
