import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningCluster } from './cluster.js';
import { useClusterLab } from './cluster-lab.js';
import { cosignSign, pushFluxArtifact, toolEnv, type Seed } from './seed.js';
import { mustRun } from './tools.js';

/**
 * Consumers left behind their source, made by Flux's real controllers: each consumer applies a
 * first revision, is suspended, and then its source moves to a second one. `first` is what the
 * consumer keeps applying, `second` what its source runs afterwards.
 */
export interface BehindCase {
  readonly source: string;
  readonly consumer: { readonly kind: 'Kustomization' | 'HelmRelease'; readonly name: string };
  readonly first: string;
  readonly second: string;
}

export interface ConsumersLab {
  readonly cluster: RunningCluster;
  readonly seed: Seed;
  readonly dir: string;
  readonly namespace: string;
  /** (a) signed first and second revision, cosign key verify all along */
  readonly behind: BehindCase;
  /** (b) an unsigned first revision applied without verify; then verify is added and a signed second one pushed */
  readonly unverified: BehindCase;
  /** (c) a HelmRelease by chartRef to an OCIRepository of Helm charts: chart 1.0.0, then 1.0.1 */
  readonly chart: BehindCase;
}

const HELM_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
const b64 = (path: string): string => readFileSync(path).toString('base64');

/** The object as the API server has it, parsed. */
export async function getObject(cluster: RunningCluster, kind: string, ns: string, name: string): Promise<FluxStatus> {
  return JSON.parse(await cluster.kubectl(['get', kind, name, '-n', ns, '-o', 'json'])) as FluxStatus;
}

/** The few status fields the consumer lab reads. */
export interface FluxStatus {
  readonly metadata: { readonly generation?: number };
  readonly spec: { readonly suspend?: boolean };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly artifact?: { readonly revision?: string };
    readonly lastAppliedRevision?: string;
    readonly lastAttemptedRevisionDigest?: string;
    readonly history?: readonly { readonly chartVersion?: string; readonly ociDigest?: string }[];
    readonly conditions?: readonly { readonly type: string; readonly status: string; readonly reason?: string; readonly message?: string }[];
  };
}

export function condition(o: FluxStatus, type: string): { status: string; reason?: string; message?: string } | undefined {
  return o.status?.conditions?.find((c) => c.type === type);
}

/** Polls until `probe` holds; on timeout the error quotes what the objects of the namespace say. */
async function until(cluster: RunningCluster, ns: string, what: string, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      const state = await cluster.kubectl(['get', 'ocirepositories,kustomizations,helmreleases', '-n', ns, '-o', 'jsonpath={range .items[*]}{.kind}/{.metadata.name}: {.status.conditions[?(@.type=="Ready")].message}; {end}']).catch((e: unknown) => String(e));
      throw new Error(`${what} did not happen within ${timeoutMs / 1000}s: ${state}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function pushChart(env: NodeJS.ProcessEnv, work: string, host: string, repo: string, name: string, version: string): Promise<string> {
  const dir = join(work, 'consumer-charts', `${name}-${version}`);
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\ndescription: a chart a HelmRelease is left behind on\n`);
  writeFileSync(join(dir, 'templates', 'configmap.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  version: "${version}"\n`);
  await mustRun('helm', ['package', dir, '-d', join(work, 'consumer-charts')], { env });
  await mustRun('helm', ['push', join(work, 'consumer-charts', `${name}-${version}.tgz`), `oci://${host}/${repo}`, '--plain-http'], { env });
  return (await mustRun('oras', ['resolve', '--plain-http', `${host}/${repo}/${name}:${version}`], { env })).trim();
}

function ociRepoYaml(ns: string, name: string, url: string, ref: string, extra: readonly string[] = []): string {
  return ['---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: OCIRepository', `metadata: {name: ${name}, namespace: ${ns}, labels: {case: ${name}}}`, 'spec:', '  interval: 10m', `  url: oci://${url}`, '  insecure: true', `  ref: ${ref}`, ...extra].join('\n');
}

function kustomizationYaml(ns: string, name: string, source: string): string {
  return [
    '---', 'apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', `metadata: {name: ${name}, namespace: ${ns}, labels: {case: ${source}}}`,
    'spec:', '  interval: 10m', '  prune: true', '  path: ./', `  targetNamespace: ${ns}`, `  namePrefix: ${name}-`, `  sourceRef: {kind: OCIRepository, name: ${source}}`,
  ].join('\n');
}

const COSIGN_VERIFY = 'verify: {provider: cosign, secretRef: {name: cosign-pub}}';

async function requestReconcile(cluster: RunningCluster, kind: string, ns: string, name: string): Promise<void> {
  await cluster.kubectl(['annotate', '--overwrite', kind, name, '-n', ns, `reconcile.fluxcd.io/requestedAt=${new Date().toISOString()}`]);
}

async function suspend(cluster: RunningCluster, kind: string, ns: string, name: string): Promise<void> {
  await cluster.kubectl(['patch', kind, name, '-n', ns, '--type', 'merge', '-p', '{"spec":{"suspend":true}}']);
}

const revisionIs = (cluster: RunningCluster, ns: string, name: string, want: string) => async (): Promise<boolean> =>
  (await getObject(cluster, 'ocirepository', ns, name)).status?.artifact?.revision === want;

async function setUp(cluster: RunningCluster, seed: Seed, ns: string): Promise<Omit<ConsumersLab, 'cluster' | 'seed' | 'dir' | 'namespace'>> {
  const m = seed.material;
  const env = toolEnv(m);
  const host = (seed.cases.find((c) => c.registry === 'olareg')?.ref ?? '').split('/')[0] as string;
  const sign = (ref: string, digest: string): Promise<void> => cosignSign(env, m, 'ecdsa', ref, digest, false);

  // first revisions: (a) signed, (b) unsigned, (c) a signed chart 1.0.0
  const behindRef = `${host}/${ns}-behind:1.0.0`;
  const behind1 = await pushFluxArtifact(env, m.dir, behindRef, 'behind, first revision');
  await sign(behindRef, behind1);
  const lateRef = `${host}/${ns}-late:1.0.0`;
  const late1 = await pushFluxArtifact(env, m.dir, lateRef, 'late verify, first revision (unsigned)');
  const chartRepo = `${ns}-charts`;
  const chart1 = await pushChart(env, m.dir, host, chartRepo, 'hello', '1.0.0');
  await sign(`${host}/${chartRepo}/hello:1.0.0`, chart1);

  await cluster.kubectl(['apply', '-f', '-'], {
    input: [
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`,
      `---\napiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: ${ns}}\ndata: {cosign.pub: ${b64(m.cosignKeys.ecdsa.pub)}}`,
      ociRepoYaml(ns, 'behind', behindRef.slice(0, behindRef.lastIndexOf(':')), '{tag: "1.0.0"}', [`  ${COSIGN_VERIFY}`]),
      kustomizationYaml(ns, 'behind', 'behind'),
      ociRepoYaml(ns, 'late', lateRef.slice(0, lateRef.lastIndexOf(':')), '{tag: "1.0.0"}'),
      kustomizationYaml(ns, 'late', 'late'),
      ociRepoYaml(ns, 'chart', `${host}/${chartRepo}/hello`, '{semver: ">=1.0.0"}', [`  layerSelector: {mediaType: "${HELM_LAYER}", operation: copy}`, `  ${COSIGN_VERIFY}`]),
      ['---', 'apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', `metadata: {name: hello, namespace: ${ns}, labels: {case: chart}}`, 'spec:', '  interval: 10m', '  chartRef: {kind: OCIRepository, name: chart}'].join('\n'),
      '',
    ].join('\n'),
  });

  // each consumer applies its first revision, as Flux records it
  await until(cluster, ns, 'the Kustomization behind applying its first revision', async () => (await getObject(cluster, 'kustomization', ns, 'behind')).status?.lastAppliedRevision === `1.0.0@${behind1}`);
  await until(cluster, ns, 'the Kustomization late applying its first revision', async () => (await getObject(cluster, 'kustomization', ns, 'late')).status?.lastAppliedRevision === `1.0.0@${late1}`);
  await until(cluster, ns, 'the HelmRelease hello deploying chart 1.0.0', async () => (await getObject(cluster, 'helmrelease', ns, 'hello')).status?.history?.[0]?.ociDigest === chart1);

  for (const [kind, name] of [['kustomization', 'behind'], ['kustomization', 'late'], ['helmrelease', 'hello']] as const) await suspend(cluster, kind, ns, name);

  // second revisions: the sources move on, the suspended consumers stay where they are
  const behind2 = await pushFluxArtifact(env, m.dir, behindRef, 'behind, second revision');
  await sign(behindRef, behind2);
  const late2 = await pushFluxArtifact(env, m.dir, lateRef, 'late verify, second revision (signed)');
  await sign(lateRef, late2);
  const chart2 = await pushChart(env, m.dir, host, chartRepo, 'hello', '1.0.1');
  await sign(`${host}/${chartRepo}/hello:1.0.1`, chart2);

  await requestReconcile(cluster, 'ocirepository', ns, 'behind');
  await cluster.kubectl(['patch', 'ocirepository', 'late', '-n', ns, '--type', 'merge', '-p', '{"spec":{"verify":{"provider":"cosign","secretRef":{"name":"cosign-pub"}}}}']);
  await requestReconcile(cluster, 'ocirepository', ns, 'chart');
  await until(cluster, ns, 'OCIRepository behind on its second revision', revisionIs(cluster, ns, 'behind', `1.0.0@${behind2}`));
  await until(cluster, ns, 'OCIRepository late on its signed second revision', revisionIs(cluster, ns, 'late', `1.0.0@${late2}`));
  await until(cluster, ns, 'OCIRepository chart on chart 1.0.1', revisionIs(cluster, ns, 'chart', `1.0.1@${chart2}`));

  return {
    behind: { source: 'behind', consumer: { kind: 'Kustomization', name: 'behind' }, first: behind1, second: behind2 },
    unverified: { source: 'late', consumer: { kind: 'Kustomization', name: 'late' }, first: late1, second: late2 },
    chart: { source: 'chart', consumer: { kind: 'HelmRelease', name: 'hello' }, first: chart1, second: chart2 },
  };
}

/** Inside a describe(): the seeded lab, a cluster with Flux's three controllers, and the three cases. */
export function useConsumersLab(name: string): () => ConsumersLab {
  return useClusterLab(name, 'consumers lab', async ({ cluster, seed }) => ({ namespace: name, ...(await setUp(cluster, seed, name)) }));
}
