import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../helpers/paths.js';
import { startCluster, type RunningCluster } from './cluster.js';
import { waitForFlux } from './fleet.js';
import { KEYLESS_IDENTITY, keylessTrustedRoot, writeKeylessLayout } from './keyless-image.js';
import { startRegistry, type RunningRegistry } from './registries.js';
import { cosignSign, notationSign, pushFluxArtifact, seedLab, toolEnv, trustPolicyDocument, type Seed } from './seed.js';
import { kustomizationYaml, ociRepoYaml, secretYaml } from './objects.js';
import { mustRun } from './tools.js';

/**
 * `npm run lab -- capture-demo`: makes the embedded demo (src/demo/data.json) from the lab, so that
 * what `kubectl verify --demo` shows is what the real tools made: artifacts pushed with oras and
 * signed by the real cosign and notation, objects reconciled by Flux's real controllers, whose
 * status and conditions are kept as written. Registry hosts become `ghcr.io/acme`; the OCI content
 * of every repository is copied (with its referrers and `.sig` tags) into one image layout each.
 */
export const DEMO_HOST = 'ghcr.io/acme';

interface DemoData {
  readonly capturedAt: string;
  readonly objects: string;
  readonly unreadableSecrets: readonly string[];
  /** repository → layout files (`oci-layout`, `index.json`, `blobs/sha256/<hex>`) as base64 */
  readonly repositories: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const step = (s: string): boolean => process.stderr.write(`▸ ${s}\n`);

const secret = secretYaml;
const kustomization = kustomizationYaml;

function ociRepo(ns: string, name: string, url: string, tag: string, verify?: string): string {
  return ociRepoYaml(ns, name, url, tag, verify ? { verify } : {});
}

async function reconcile(cluster: RunningCluster, ns: string, obj: string): Promise<void> {
  await cluster.kubectl(['annotate', '--overwrite', '-n', ns, obj, `reconcile.fluxcd.io/requestedAt=${Date.now()}`]);
}

async function waitFor(cluster: RunningCluster, ns: string, obj: string, jsonpath: string, ok: (v: string) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const v = await cluster.kubectl(['get', '-n', ns, obj, '-o', `jsonpath=${jsonpath}`]);
    if (ok(v)) return;
    if (Date.now() > deadline) throw new Error(`${ns}/${obj}: ${what} not seen within 90s (last ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The demo fleet: every state the plugin knows, on artifacts signed for it. */
async function applyDemoFleet(cluster: RunningCluster, seed: Seed, host: string, work: string): Promise<{ afterReconcile: () => Promise<void> }> {
  const m = seed.material;
  const env = toolEnv(m);
  const push = async (repo: string, tag: string, sign: 'bundle' | 'legacy' | 'notation' | 'notation-other' | 'other' | 'none', build = 1): Promise<string> => {
    const ref = `${host}/${repo}:${tag}`;
    const digest = await pushFluxArtifact(env, m.dir, ref, `${repo} ${tag} build ${build}`);
    if (sign === 'bundle' || sign === 'legacy') await cosignSign(env, m, 'ecdsa', ref, digest, sign === 'legacy');
    if (sign === 'other') await cosignSign(env, m, 'other', ref, digest, false);
    if (sign === 'notation' || sign === 'notation-other') await notationSign(env, sign === 'notation' ? 'lab' : 'other', 'jws', ref, digest);
    return digest;
  };
  step('pushing and signing the demo artifacts');
  await push('podinfo', '6.5.0', 'bundle');
  await push('frontend', '2.1.0', 'legacy');
  await push('backend', '1.4.0', 'notation');
  await push('billing', '3.0.1', 'other');
  await push('scratch', '0.1.0', 'none');
  await push('docs', '1.0.0', 'none');
  await push('search', '1.2.0', 'notation-other');
  await push('ledger', '2.0.0', 'bundle');
  await push('api', '1.8.0', 'bundle');
  await push('catalog', '1.0.0', 'bundle');
  await push('inventory', '4.2.0', 'bundle');
  await push('analytics', '0.9.0', 'bundle');
  // a legacy .sig made for another image, copied onto this one: Flux skips the payload's digest claim
  const reports = await push('reports', '1.1.0', 'none');
  const decoy = await push('reports', 'decoy', 'legacy');
  await mustRun('oras', ['cp', '--from-plain-http', '--to-plain-http', `${host}/reports:sha256-${decoy.slice(7)}.sig`, `${host}/reports:sha256-${reports.slice(7)}.sig`], { env });
  const layout = join(work, 'keyless-layout');
  writeKeylessLayout(layout);
  await mustRun('oras', ['cp', '-r', '--from-oci-layout', `${layout}:v1`, '--to-plain-http', `${host}/checkout:v1`], { env });

  const pub = b64(readFileSync(m.cosignKeys.ecdsa.pub));
  const auditPolicy = { ...trustPolicyDocument, trustPolicies: trustPolicyDocument.trustPolicies.map((p) => ({ ...p, signatureVerification: { level: 'audit' } })) };
  const key = (name: string): string => `{provider: cosign, secretRef: {name: ${name}}}`;
  const yaml = [
    ...['apps', 'payments', 'podinfo', 'frontend', 'catalog'].map((n) => `---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}}`),
    secret('flux-system', 'cosign-keys', { 'cosign.pub': pub }).replace('---', '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: flux-system}\n---'),
    secret('apps', 'cosign-keys', { 'cosign.pub': pub }),
    secret('apps', 'inventory-keys', { 'cosign.pub': pub }),
    secret('apps', 'analytics-keys', { 'cosign.pub': pub }),
    secret('apps', 'notation-trust', { 'trustpolicy.json': b64(JSON.stringify(trustPolicyDocument)), 'ca.crt': b64(readFileSync(m.notationCert)) }),
    secret('apps', 'notation-audit', { 'trustpolicy.json': b64(JSON.stringify(auditPolicy)), 'ca.crt': b64(readFileSync(m.notationCert)) }),
    secret('payments', 'cosign-k8s', { 'cosign.key': b64(readFileSync(m.cosignKeys.ecdsa.key)), 'cosign.password': b64(m.cosignPassword), 'cosign.pub': pub }),
    secret('payments', 'sigstore-root', { 'trusted_root.json': b64(readFileSync(keylessTrustedRoot())) }),
    ociRepo('flux-system', 'podinfo', `${host}/podinfo`, '6.5.0', key('cosign-keys')),
    kustomization('flux-system', 'podinfo', 'podinfo', 'podinfo'),
    ociRepo('apps', 'frontend', `${host}/frontend`, '2.1.0', key('cosign-keys')),
    kustomization('apps', 'frontend', 'frontend', 'frontend'),
    ociRepo('apps', 'backend', `${host}/backend`, '1.4.0', '{provider: notation, secretRef: {name: notation-trust}}'),
    ociRepo('apps', 'billing', `${host}/billing`, '3.0.1', key('cosign-keys')),
    ociRepo('apps', 'scratch', `${host}/scratch`, '0.1.0', key('cosign-keys')),
    ociRepo('apps', 'docs', `${host}/docs`, '1.0.0'),
    ociRepo('apps', 'search', `${host}/search`, '1.2.0', '{provider: notation, secretRef: {name: notation-audit}}'),
    ociRepo('apps', 'api', `${host}/api`, '1.8.0', key('cosign-keys')),
    ociRepo('apps', 'catalog', `${host}/catalog`, '1.0.0', key('cosign-keys')),
    kustomization('apps', 'catalog', 'catalog', 'catalog'),
    ociRepo('apps', 'inventory', `${host}/inventory`, '4.2.0', key('inventory-keys')),
    ociRepo('apps', 'analytics', `${host}/analytics`, '0.9.0', key('analytics-keys')),
    ociRepo('apps', 'reports', `${host}/reports`, '1.1.0', key('cosign-keys')),
    ociRepo('payments', 'ledger', `${host}/ledger`, '2.0.0', key('cosign-k8s')),
    ociRepo('payments', 'checkout', `${host}/checkout`, 'v1', `{provider: cosign, matchOIDCIdentity: [{issuer: '${KEYLESS_IDENTITY.issuer}', subject: '${KEYLESS_IDENTITY.subject}'}], trustedRootSecretRef: {name: sigstore-root}}`),
    ['---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', 'metadata: {name: charts, namespace: apps}', 'spec:', '  type: oci', '  interval: 10m', '  insecure: true', `  url: oci://${host}/charts`].join('\n'),
    ['---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmChart', 'metadata: {name: podinfo, namespace: apps}', 'spec:', '  interval: 10m', '  chart: podinfo', '  version: "6.5.0"', '  sourceRef: {kind: HelmRepository, name: charts}', `  verify: ${key('cosign-keys')}`].join('\n'),
    ['---', 'apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata: {name: podinfo, namespace: apps}', 'spec:', '  interval: 10m', '  chartRef: {kind: HelmChart, name: podinfo}'].join('\n'),
    '',
  ].join('\n');
  step('applying the demo fleet');
  await cluster.kubectl(['apply', '-f', '-'], { input: yaml });

  const afterReconcile = async (): Promise<void> => {
    step('moving tags, rotating a key and holding a consumer back, as life does');
    // the catalog Kustomization stays on 1.0.0 while its source moves on to a new signed revision
    await cluster.kubectl(['patch', '-n', 'apps', 'kustomization/catalog', '--type', 'merge', '-p', '{"spec":{"suspend":true}}']);
    const next = await push('catalog', '1.0.0', 'bundle', 2);
    await reconcile(cluster, 'apps', 'ocirepository/catalog');
    await waitFor(cluster, 'apps', 'ocirepository/catalog', '{.status.artifact.revision}', (v) => v.endsWith(next), 'the new catalog revision');
    // the key that signed inventory is rotated out of its Secret after Flux verified it
    await cluster.kubectl(['apply', '-f', '-'], { input: `${secret('apps', 'inventory-keys', { 'cosign.pub': b64(readFileSync(m.cosignKeys.other.pub)) })}\n` });
    // api's tag moves to an unsigned build; Flux has not looked yet
    await push('api', '1.8.0', 'none', 2);
  };
  return { afterReconcile };
}

/** Copies each repository, with referrers and `.sig` tags, into an image layout; returns the files. */
const DEMO_REPOSITORIES = ['podinfo', 'frontend', 'backend', 'billing', 'scratch', 'docs', 'search', 'ledger', 'api', 'catalog', 'inventory', 'analytics', 'reports', 'checkout', 'charts/podinfo'];

/**
 * The digests Flux runs or applied that no tag names any more (a moved tag, a consumer left behind),
 * by repository: the demo must hold them too, with their signatures.
 */
function untaggedDigests(objectsJson: string, host: string): Map<string, Set<string>> {
  const items = (JSON.parse(objectsJson) as { items: Record<string, unknown>[] }).items;
  const out = new Map<string, Set<string>>();
  const repoOf = new Map<string, string>();
  const add = (repo: string | undefined, revision: unknown): void => {
    const digest = typeof revision === 'string' ? /sha256:[0-9a-f]{64}/.exec(revision)?.[0] : undefined;
    if (repo === undefined || digest === undefined) return;
    out.set(repo, (out.get(repo) ?? new Set()).add(digest));
  };
  for (const o of items) {
    const meta = o.metadata as { name: string; namespace: string };
    const spec = o.spec as Record<string, unknown> | undefined;
    const status = o.status as Record<string, unknown> | undefined;
    if (o.kind === 'OCIRepository' && typeof spec?.url === 'string') {
      const repo = spec.url.replace(`oci://${host}/`, '');
      repoOf.set(`${meta.namespace}/${meta.name}`, repo);
      add(repo, (status?.artifact as { revision?: string } | undefined)?.revision);
    }
  }
  for (const o of items) {
    const meta = o.metadata as { name: string; namespace: string };
    const spec = o.spec as { sourceRef?: { kind: string; name: string; namespace?: string } } | undefined;
    if (o.kind === 'Kustomization' && spec?.sourceRef?.kind === 'OCIRepository') {
      add(repoOf.get(`${spec.sourceRef.namespace ?? meta.namespace}/${spec.sourceRef.name}`), (o.status as { lastAppliedRevision?: string } | undefined)?.lastAppliedRevision);
    }
  }
  return out;
}

async function captureLayouts(env: NodeJS.ProcessEnv, host: string, work: string, objectsJson: string): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  const extra = untaggedDigests(objectsJson, host);
  for (const repo of DEMO_REPOSITORIES) {
    const tags = (JSON.parse(await mustRun('curl', ['-s', `http://${host}/v2/${repo}/tags/list`])) as { tags?: string[] | null }).tags ?? [];
    const dir = join(work, 'layouts', repo);
    for (const tag of tags) {
      // referrers come along with -r; tag-schema indexes and .sig tags are tags of their own
      await mustRun('oras', ['cp', '-r', '--from-plain-http', `${host}/${repo}:${tag}`, '--to-oci-layout', `${dir}:${tag}`], { env });
    }
    for (const digest of extra.get(repo) ?? []) {
      await mustRun('oras', ['cp', '-r', '--from-plain-http', `${host}/${repo}@${digest}`, '--to-oci-layout', dir], { env });
      // its legacy signature, when it has one
      const sig = `sha256-${digest.slice(7)}.sig`;
      if (tags.includes(sig)) continue;
      await mustRun('oras', ['cp', '--from-plain-http', `${host}/${repo}:${sig}`, '--to-oci-layout', `${dir}:${sig}`], { env }).catch(() => '');
    }
    const files: Record<string, string> = {};
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name !== 'ingest') files[relative(dir, p)] = readFileSync(p).toString('base64');
      }
    };
    walk(dir);
    out[`${DEMO_HOST}/${repo}`] = files;
  }
  return out;
}

/** Objects as Flux left them, without what only the API server needs; registry hosts renamed. */
function cleanObjects(yaml: string, host: string): string {
  const docs = parseAllDocuments(yaml).flatMap((d) => {
    const list = d.toJSON() as { items?: Record<string, unknown>[] };
    return list.items ?? [];
  });
  const drop = ['managedFields', 'uid', 'resourceVersion', 'creationTimestamp', 'generateName', 'selfLink'];
  const items = docs.map((o) => {
    const meta = Object.fromEntries(Object.entries(o.metadata as Record<string, unknown>).filter(([k]) => !drop.includes(k)));
    const ann = meta.annotations as Record<string, string> | undefined;
    if (ann) {
      delete ann['kubectl.kubernetes.io/last-applied-configuration'];
      delete ann['reconcile.fluxcd.io/requestedAt'];
      if (Object.keys(ann).length === 0) delete meta.annotations;
    }
    return { ...o, metadata: meta };
  });
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 1).split(host).join(DEMO_HOST);
}

export async function captureDemo(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'kv-demo-capture-'));
  const regs: RunningRegistry[] = [];
  let cluster: RunningCluster | undefined;
  try {
    step('starting the lab registries and signing the seed');
    const olareg = await startRegistry('olareg');
    regs.push(olareg);
    const distribution = await startRegistry('distribution');
    regs.push(distribution);
    const seed = await seedLab({ olareg, distribution }, join(work, 'seed'));
    // the demo's own registry: only its repositories end up in the demo
    const demo = await startRegistry('olareg');
    regs.push(demo);
    const env = toolEnv(seed.material);
    await mustRun('oras', ['cp', '--from-plain-http', '--to-plain-http', '-r', `${olareg.host}/charts/podinfo:6.5.0`, `${demo.host}/charts/podinfo:6.5.0`], { env });
    step('starting etcd, kube-apiserver and Flux');
    cluster = await startCluster();
    await cluster.startSourceController();
    await cluster.startConsumerControllers();
    const fleet = await applyDemoFleet(cluster, seed, demo.host, work);
    for (const ns of ['flux-system', 'apps', 'payments']) await waitForFlux(cluster, ns);
    for (const ns of ['flux-system', 'apps']) await waitForFlux(cluster, ns, 'kustomizations,helmreleases');
    await fleet.afterReconcile();
    step('capturing objects and OCI content');
    const kinds = 'ocirepositories,helmrepositories,helmcharts,kustomizations,helmreleases';
    let objects = '';
    for (const ns of ['flux-system', 'apps', 'payments']) {
      objects += `---\n${await cluster.kubectl(['get', kinds, '-n', ns, '-o', 'yaml'])}\n`;
      // the analytics Secret is left out: the demo user may not read it
      const secrets = await cluster.kubectl(['get', 'secrets', '-n', ns, '-o', 'yaml', '--field-selector', 'metadata.name!=analytics-keys,type=Opaque']);
      objects += `---\n${secrets}\n`;
    }
    const cleaned = cleanObjects(objects, demo.host);
    const data: DemoData = { capturedAt: new Date().toISOString(), objects: cleaned, unreadableSecrets: ['apps/analytics-keys'], repositories: await captureLayouts(env, demo.host, work, cleaned.split(DEMO_HOST).join(demo.host)) };
    const out = join(repoRoot(), 'src', 'demo', 'data.json');
    mkdirSync(join(repoRoot(), 'src', 'demo'), { recursive: true });
    writeFileSync(out, `${JSON.stringify(data)}\n`);
    step(`wrote ${relative(repoRoot(), out)} (${(readFileSync(out).length / 1024).toFixed(0)} KiB, ${Object.keys(data.repositories).length} repositories)`);
  } finally {
    await cluster?.stop();
    for (const r of regs) await r.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

