import { readFileSync } from 'node:fs';
import type { RunningCluster } from './cluster.js';
import { ociRepoYaml } from './objects.js';
import { freePort } from './registries.js';
import { cosignSign, pushFluxArtifact, toolEnv, type Seed, type SeedCase } from './seed.js';

/**
 * A fleet of Flux objects in one namespace of the lab cluster, pointing at the seeded artifacts, so
 * that source-controller writes its real conditions for each case. `expect` is what kubectl verify
 * must conclude for the object; Flux's own verdict is read from the cluster, not assumed.
 */
export interface FleetObject {
  readonly kind: 'OCIRepository' | 'HelmRepository' | 'HelmChart' | 'HelmRelease' | 'Kustomization';
  readonly name: string;
  /** our expected finding state */
  readonly expect: 'verified' | 'failed' | 'not-enforced' | 'error' | 'weak' | 'unsupported' | 'pending';
  /** a reason code the finding must carry */
  readonly reason?: string;
  /** Flux's SourceVerified status we expect source-controller to write ('absent' when no spec.verify) */
  readonly flux?: 'True' | 'False' | 'absent';
  /** only holds when the audit runs with the restricted (no Secrets) context */
  readonly restrictedOnly?: boolean;
}

export interface Fleet {
  readonly namespace: string;
  readonly objects: readonly FleetObject[];
  /** pushes a new unsigned artifact to the `moved` OCIRepository's tag after its last reconcile */
  moveTag(): Promise<void>;
}

const b64 = (path: string): string => readFileSync(path).toString('base64');

function repoOf(c: SeedCase): string {
  return c.ref.slice(0, c.ref.lastIndexOf(':'));
}

function ociRepo(ns: string, name: string, url: string, tag: string, verify?: string): string {
  return ociRepoYaml(ns, name, url, tag, { labels: '{fleet: lab}', ...(verify ? { verify } : {}) });
}

export async function applyFleet(cluster: RunningCluster, seed: Seed, ns: string): Promise<Fleet> {
  const find = (name: string): SeedCase => {
    const c = seed.cases.find((x) => x.name === name);
    if (!c) throw new Error(`seed has no case ${name}`);
    return c;
  };
  const m = seed.material;
  const olaregHost = find('cosign-bundle-ecdsa').ref.split('/')[0] as string;
  // a tag that moves after Flux has verified it: signed now, replaced by an unsigned digest later
  const driftRef = `${olaregHost}/drift:1.0.0`;
  const env = toolEnv(m);
  const signedDigest = await pushFluxArtifact(env, m.dir, driftRef, `drift ${ns} signed`);
  await cosignSign(env, m, 'ecdsa', driftRef, signedDigest, false);
  const closedPort = await freePort();

  const cosignVerify = '{provider: cosign, secretRef: {name: cosign-pub}}';
  const yaml = [
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`,
    `---\napiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: ${ns}}\ndata: {cosign.pub: ${b64(m.cosignKeys.ecdsa.pub)}}`,
    `---\napiVersion: v1\nkind: Secret\nmetadata: {name: notation-trust, namespace: ${ns}}\ndata: {trustpolicy.json: ${b64(m.trustPolicy)}, lab.crt: ${b64(m.notationCert)}}`,
    ociRepo(ns, 'bundle', repoOf(find('cosign-bundle-ecdsa')), '1.0.0', cosignVerify),
    ociRepo(ns, 'legacy', repoOf(find('cosign-legacy')), '1.0.0', cosignVerify),
    ociRepo(ns, 'notation', repoOf(find('notation-jws')), '1.0.0', '{provider: notation, secretRef: {name: notation-trust}}'),
    ociRepo(ns, 'wrong-key', repoOf(find('wrong-key')), '1.0.0', cosignVerify),
    ociRepo(ns, 'unsigned', repoOf(find('unsigned-cosign')), '1.0.0', cosignVerify),
    ociRepo(ns, 'no-verify', repoOf(find('cosign-bundle-ecdsa')), '1.0.0'),
    ociRepo(ns, 'moved', driftRef.slice(0, driftRef.lastIndexOf(':')), '1.0.0', cosignVerify),
    ociRepo(ns, 'secret-missing', repoOf(find('cosign-bundle-ecdsa')), '1.0.0', '{provider: cosign, secretRef: {name: no-such-secret}}'),
    ociRepo(ns, 'registry-down', `127.0.0.1:${closedPort}/gone`, '1.0.0', cosignVerify),
    // names a pull Secret that does not exist: Flux fails the pull though the registry is anonymous
    ociRepo(ns, 'pull-secret-missing', repoOf(find('cosign-bundle-ecdsa')), '1.0.0', cosignVerify).replace('  insecure: true', '  insecure: true\n  secretRef: {name: no-such-pull-secret}'),
    [
      '---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', `metadata: {name: charts, namespace: ${ns}}`,
      'spec:', '  type: oci', '  interval: 10m', '  insecure: true', `  url: oci://${olaregHost}/charts`,
    ].join('\n'),
    [
      '---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmChart', `metadata: {name: podinfo, namespace: ${ns}}`,
      'spec:', '  interval: 10m', '  chart: podinfo', '  version: "6.5.0"', '  sourceRef: {kind: HelmRepository, name: charts}', `  verify: ${cosignVerify}`,
    ].join('\n'),
    [
      '---', 'apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', `metadata: {name: apps, namespace: ${ns}}`,
      'spec:', '  interval: 10m', '  prune: true', '  path: ./', `  targetNamespace: ${ns}`, '  sourceRef: {kind: OCIRepository, name: bundle}',
    ].join('\n'),
    [
      '---', 'apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', `metadata: {name: podinfo, namespace: ${ns}}`,
      'spec:', '  interval: 10m', '  chartRef: {kind: HelmChart, name: podinfo}',
    ].join('\n'),
    // a chart template: helm-controller generates the HelmChart <ns>-templated, carrying only provider and secretRef
    [
      '---', 'apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', `metadata: {name: templated, namespace: ${ns}}`,
      'spec:', '  interval: 10m', '  releaseName: templated',
      '  chart:', '    spec:', '      chart: podinfo', '      version: "6.5.0"', '      sourceRef: {kind: HelmRepository, name: charts}', `      verify: ${cosignVerify}`,
    ].join('\n'),
    '',
  ].join('\n');
  await cluster.kubectl(['apply', '-f', '-'], { input: yaml });

  const objects: FleetObject[] = [
    { kind: 'OCIRepository', name: 'bundle', expect: 'verified', flux: 'True' },
    { kind: 'OCIRepository', name: 'legacy', expect: 'verified', flux: 'True' },
    { kind: 'OCIRepository', name: 'notation', expect: 'verified', flux: 'True' },
    { kind: 'OCIRepository', name: 'wrong-key', expect: 'failed', reason: 'wrong-key', flux: 'False' },
    { kind: 'OCIRepository', name: 'unsigned', expect: 'failed', reason: 'no-signature', flux: 'False' },
    { kind: 'OCIRepository', name: 'no-verify', expect: 'not-enforced', reason: 'not-enforced', flux: 'absent' },
    { kind: 'OCIRepository', name: 'moved', expect: 'verified', reason: 'drift', flux: 'True' },
    { kind: 'OCIRepository', name: 'secret-missing', expect: 'error', reason: 'trust-missing', flux: 'False' },
    { kind: 'OCIRepository', name: 'registry-down', expect: 'error', reason: 'registry-error' },
    { kind: 'OCIRepository', name: 'pull-secret-missing', expect: 'error', reason: 'registry-auth' },
    { kind: 'HelmChart', name: 'podinfo', expect: 'verified', flux: 'True' },
    { kind: 'Kustomization', name: 'apps', expect: 'verified' },
    { kind: 'HelmRelease', name: 'podinfo', expect: 'verified' },
    { kind: 'HelmRelease', name: 'templated', expect: 'verified' },
    { kind: 'HelmChart', name: `${ns}-templated`, expect: 'verified', flux: 'True' },
  ];
  const moveTag = async (): Promise<void> => {
    await pushFluxArtifact(env, m.dir, driftRef, `drift ${ns} unsigned`);
  };
  return { namespace: ns, objects, moveTag };
}

/**
 * Waits until the controllers have written a Ready condition (True or False) for the current
 * generation on every object of these kinds in the namespace.
 */
export async function waitForFlux(cluster: RunningCluster, ns: string, kinds = 'ocirepositories,helmcharts', timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await cluster.kubectl(['get', kinds, '-n', ns, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}/{.status.conditions[?(@.type=="Ready")].observedGeneration}/{.metadata.generation}{"\\n"}{end}']);
    // a Ready verdict written for the current generation (failed objects keep status.observedGeneration at -1)
    const pending = out.split('\n').filter((l) => l && !/=(True|False)\/(\d+)\/\2$/.test(l));
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`Flux did not reconcile ${kinds} within ${timeoutMs / 1000}s: ${pending.join(', ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
