// Small builders for typed Flux objects and verification outcomes, shared by the graph and verdict tests.
import type {
  Condition,
  GitRepository,
  HelmChart,
  HelmRelease,
  HelmRepository,
  Kustomization,
  OCIRepository,
  ObjectMeta,
  ObjectRef,
  OtherSource,
  Verification,
} from '../../../src/kube/types.js';
import type { CheckCode, SignatureEvidence } from '../../../src/verify/evidence.js';
import type { VerificationOutcome } from '../../../src/verdict/types.js';

export const D1 = `sha256:${'1f'.repeat(32)}`;
export const D2 = `sha256:${'2e'.repeat(32)}`;
export const D3 = `sha256:${'3d'.repeat(32)}`;

/** `ns/name` or `name` (namespace `apps`). */
function split(id: string): { namespace: string; name: string } {
  const i = id.indexOf('/');
  return i < 0 ? { namespace: 'apps', name: id } : { namespace: id.slice(0, i), name: id.slice(i + 1) };
}

function meta<K extends ObjectMeta['kind']>(kind: K, id: string, apiVersion: string): ObjectMeta & { kind: K } {
  return { kind, apiVersion, ...split(id), generation: 1, labels: {}, suspend: false, conditions: [], raw: {}, origin: 'file:test' };
}

export function ref(kind: string, id: string): ObjectRef {
  return { kind, ...split(id) };
}

export function cond(type: string, status: Condition['status'], reason?: string, message?: string, observedGeneration = 1): Condition {
  return { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}), observedGeneration };
}

export const readyTrue = (message = 'stored artifact'): Condition => cond('Ready', 'True', 'Succeeded', message);
export const verifiedTrue = (revision: string): Condition => cond('SourceVerified', 'True', 'Succeeded', `verified signature of revision ${revision}`);
export const verifiedFalse = (message: string): Condition => cond('SourceVerified', 'False', 'VerificationError', `failed to verify the signature using provider 'cosign': ${message}`);

export const cosignKey = (secretRef = 'cosign-pub'): Verification => ({ provider: 'cosign', secretRef, matchOIDCIdentity: [] });
export const keyless = (identities: Verification['matchOIDCIdentity'] = []): Verification => ({ provider: 'cosign', matchOIDCIdentity: identities });
export const notation = (secretRef = 'notation-trust'): Verification => ({ provider: 'notation', secretRef, matchOIDCIdentity: [] });

export function ociRepo(id: string, over: Partial<OCIRepository> = {}): OCIRepository {
  return { ...meta('OCIRepository', id, 'source.toolkit.fluxcd.io/v1'), url: 'oci://reg.example/podinfo', ref: { tag: '6.5.0' }, provider: 'generic', insecure: false, ...over };
}

export function helmRepo(id: string, over: Partial<HelmRepository> = {}): HelmRepository {
  return { ...meta('HelmRepository', id, 'source.toolkit.fluxcd.io/v1'), url: 'oci://reg.example/charts', type: 'oci', provider: 'generic', insecure: false, ...over };
}

export function helmChart(id: string, over: Partial<HelmChart> = {}): HelmChart {
  const { namespace } = split(id);
  return { ...meta('HelmChart', id, 'source.toolkit.fluxcd.io/v1'), chart: 'podinfo', version: '6.5.0', sourceRef: { kind: 'HelmRepository', namespace, name: 'charts' }, valuesFiles: [], ...over };
}

export function helmRelease(id: string, over: Partial<HelmRelease> = {}): HelmRelease {
  return { ...meta('HelmRelease', id, 'helm.toolkit.fluxcd.io/v2'), ...over };
}

export function kustomization(id: string, sourceRef: ObjectRef, over: Partial<Kustomization> = {}): Kustomization {
  return { ...meta('Kustomization', id, 'kustomize.toolkit.fluxcd.io/v1'), sourceRef, ...over };
}

export function gitRepo(id: string, over: Partial<GitRepository> = {}): GitRepository {
  return { ...meta('GitRepository', id, 'source.toolkit.fluxcd.io/v1'), url: 'https://git.example/org/repo', ref: { branch: 'main' }, provider: 'generic', ...over };
}

export function other(kind: OtherSource['kind'], id: string, over: Partial<OtherSource> = {}): OtherSource {
  return { ...meta(kind, id, 'source.toolkit.fluxcd.io/v1'), ...over };
}

// --- evidence and outcomes ----------------------------------------------------

export function sig(opts: { verified: boolean; code?: CheckCode; label?: string; mechanism?: SignatureEvidence['mechanism']; fluxVerified?: boolean; checks?: SignatureEvidence['attempts'][number]['checks']; notAfter?: string }): SignatureEvidence {
  const code: CheckCode = opts.code ?? (opts.verified ? 'ok' : 'cosign.signature-mismatch');
  const checks = opts.checks ?? [{ check: 'signature', ok: opts.verified, code, message: opts.verified ? 'signature verifies' : `check failed: ${code}` }];
  return {
    mechanism: opts.mechanism ?? 'cosign-bundle',
    foundAt: { via: 'referrers-api', digest: D3 },
    ...(opts.notAfter ? { signer: { kind: 'certificate' as const, subject: 'CN=ci', notAfter: opts.notAfter } } : {}),
    verified: opts.verified,
    ...(opts.fluxVerified === undefined ? {} : { fluxVerified: opts.fluxVerified }),
    attempts: [{ trust: { kind: 'key', label: opts.label ?? 'apps/cosign-pub · cosign.pub', fingerprint: 'SHA256:9c1f', source: 'object' }, ok: opts.verified, checks }],
  };
}

export function verified(digest = D1, signatures: readonly SignatureEvidence[] = [sig({ verified: true })]): VerificationOutcome {
  return { state: 'verified', code: 'ok', message: 'cosign bundle signature verified', digest, signatures };
}

// an outcome's code may be any evidence code (registry, discovery): its default signature carries it as a
// check code so that tests of unknown codes reach the verdict as they could at run time
export function failed(code: string, digest = D1, signatures: readonly SignatureEvidence[] = [sig({ verified: false, code: code as CheckCode })]): VerificationOutcome {
  return { state: 'failed', code, message: `failed: ${code}`, digest, signatures };
}
