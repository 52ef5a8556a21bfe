import { readFileSync } from 'node:fs';
import { ociRepoYaml, secretYaml } from '../lab/objects.js';
import { cosignSign, notationSign, pushFluxArtifact, toolEnv, type LabMaterial } from '../lab/seed.js';

/**
 * The benchmark's artifacts and fleets: distinct Flux artifacts signed by the real cosign and notation
 * (a mix of cosign bundles, cosign legacy `.sig` tags, notation JWS signatures and unsigned ones), and
 * fleets of OCIRepositories over them, spread over namespaces that each hold their own copy of the
 * same key Secrets, so the same artifact is named from many namespaces.
 */
export type BenchKind = 'cosign-bundle' | 'cosign-legacy' | 'notation' | 'unsigned';
export const benchKinds: readonly BenchKind[] = ['cosign-bundle', 'cosign-legacy', 'notation', 'unsigned'];

export interface BenchArtifact {
  readonly kind: BenchKind;
  /** HOST/REPO */
  readonly repo: string;
  /** HOST/REPO:TAG */
  readonly ref: string;
  readonly digest: string;
}

const TAG = '1.0.0';

/** Pushes and signs `count` artifacts (kinds in turn), `parallel` at a time; progress goes to `onDone`. */
export async function seedArtifacts(material: LabMaterial, host: string, count: number, parallel: number, onDone: (done: number) => void): Promise<BenchArtifact[]> {
  const env = toolEnv(material);
  const out = new Array<BenchArtifact>(count);
  let next = 0;
  let done = 0;
  const one = async (i: number): Promise<void> => {
    const kind = benchKinds[i % benchKinds.length] as BenchKind;
    const repo = `${host}/fleet/${kind}-${i}`;
    const ref = `${repo}:${TAG}`;
    const digest = await pushFluxArtifact(env, material.dir, ref, `bench artifact ${i}`);
    if (kind === 'cosign-bundle' || kind === 'cosign-legacy') await cosignSign(env, material, 'ecdsa', ref, digest, kind === 'cosign-legacy');
    if (kind === 'notation') await notationSign(env, 'lab', 'jws', ref, digest);
    out[i] = { kind, repo, ref, digest };
  };
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      await one(i);
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return out;
}

/** What the audit of a fleet must conclude: every signed object verified, every unsigned one failed. */
export interface FleetExpectation {
  readonly objects: number;
  readonly namespaces: number;
  readonly verified: number;
  readonly failed: number;
}

export const OBJECTS_PER_NAMESPACE = 100;

/**
 * `n` OCIRepositories, 100 to a namespace; object i names artifact i mod A, so with more objects than
 * artifacts each artifact is named from several namespaces (5 at 1,000 objects over 200 artifacts,
 * 25 at 5,000). Every namespace has its own `cosign-pub` and `notation-trust` Secrets, identical
 * across namespaces. Flux's status is written as source-controller writes it for a verified artifact.
 */
export function fleetYaml(n: number, artifacts: readonly BenchArtifact[], material: LabMaterial, opts: { namespaceObjects?: boolean } = {}): { yaml: string; statusYaml: string; expect: FleetExpectation } {
  const b64 = (path: string): string => readFileSync(path).toString('base64');
  const cosignPub = b64(material.cosignKeys.ecdsa.pub);
  const trustPolicy = b64(material.trustPolicy);
  const cert = b64(material.notationCert);
  const namespaces = Math.max(1, Math.ceil(n / OBJECTS_PER_NAMESPACE));
  const docs: string[] = [];
  for (let k = 0; k < namespaces; k++) {
    const ns = nsName(k);
    if (opts.namespaceObjects) docs.push(`---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`);
    docs.push(secretYaml(ns, 'cosign-pub', { 'cosign.pub': cosignPub }));
    docs.push(secretYaml(ns, 'notation-trust', { 'trustpolicy.json': trustPolicy, 'lab.crt': cert }));
  }
  let verified = 0;
  let failed = 0;
  // the OCIRepositories again with only what `kubectl apply --server-side --subresource=status` needs
  const statuses: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = artifacts[i % artifacts.length] as BenchArtifact;
    const verify = a.kind === 'notation' ? '{provider: notation, secretRef: {name: notation-trust}}' : '{provider: cosign, secretRef: {name: cosign-pub}}';
    if (a.kind === 'unsigned') failed++;
    else verified++;
    const revision = `${TAG}@${a.digest}`;
    const cond = (type: string, status: string, reason: string, message: string): string =>
      `{type: ${type}, status: "${status}", reason: ${reason}, message: "${message}", observedGeneration: 1, lastTransitionTime: "2026-11-01T00:00:00Z"}`;
    const status =
      a.kind === 'unsigned'
        ? `status: {observedGeneration: -1, conditions: [${cond('Ready', 'False', 'VerificationError', `failed to verify the signature using provider 'cosign': no signatures found for '${revision}'`)}, ${cond('SourceVerified', 'False', 'VerificationError', `failed to verify the signature using provider 'cosign': no signatures found for '${revision}'`)}]}`
        : `status: {observedGeneration: 1, artifact: {revision: "${revision}", digest: "sha256:${'0'.repeat(64)}", path: x, url: x, lastUpdateTime: "2026-11-01T00:00:00Z"}, conditions: [${cond('Ready', 'True', 'Succeeded', `stored artifact for digest '${revision}'`)}, ${cond('SourceVerified', 'True', 'Succeeded', `verified signature of revision ${revision}`)}]}`;
    const ns = nsName(Math.floor(i / OBJECTS_PER_NAMESPACE));
    docs.push(`${ociRepoYaml(ns, `app${i}`, a.repo, TAG, { verify }).replace('metadata: {name:', 'metadata: {generation: 1, name:')}\n${status}`);
    statuses.push(`---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app${i}, namespace: ${ns}}\n${status}`);
  }
  return { yaml: `${docs.join('\n')}\n`, statusYaml: `${statuses.join('\n')}\n`, expect: { objects: n, namespaces, verified, failed } };
}

export function nsName(k: number): string {
  return `bench-${String(k).padStart(3, '0')}`;
}
