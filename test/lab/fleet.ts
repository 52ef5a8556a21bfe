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
  readonly kind: 'OCIRepository' | 'HelmRepository' | 'HelmChart' | 'HelmRelease' | 'Kustomization' | 'GitRepository' | 'Bucket' | 'ExternalArtifact' | 'ArtifactGenerator';
  readonly name: string;
  /** our expected finding state */
  readonly expect: 'verified' | 'failed' | 'not-enforced' | 'error' | 'weak' | 'unsupported' | 'pending' | 'unverifiable';
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

// --- Git sources (issue 11) ---
// (imports are hoisted; they sit here to keep this block in one piece)
import { join as joinPath } from 'node:path';
import { makeGitKeys } from './git-keys.js';
import { gitRepoYaml, makeGitRepos, verifySecretYaml, waitForGitRepositories } from './git-lab.js';
import { startGitServer } from './git-server.js';

export interface FleetGitObject {
  readonly kind: 'GitRepository' | 'Kustomization';
  readonly name: string;
  readonly expect: 'verified';
  readonly flux?: 'True';
}

/**
 * A GitRepository on a commit the lab's OpenPGP signer signed (served by `git http-backend`), its
 * verify Secret, and a Kustomization applying it, in the fleet's namespace: an audit of the fleet then
 * shows a Git source and its consumer. Waits until source-controller has verified the commit; `stop`
 * ends the git server and removes the keys (the caller runs it after the suite).
 */
export async function applyGitSources(cluster: RunningCluster, ns: string, dir: string): Promise<{ objects: readonly FleetGitObject[]; stop(): Promise<void> }> {
  const keys = await makeGitKeys();
  const server = await startGitServer({ root: joinPath(dir, 'repos') }).catch(async (e: unknown) => {
    await keys.close();
    throw e;
  });
  const stop = async (): Promise<void> => {
    await server.stop();
    await keys.close();
  };
  try {
    await makeGitRepos(dir, keys);
    const yaml = [
      verifySecretYaml(ns, 'git-keys', [keys.pgp.signer]),
      gitRepoYaml(ns, 'app-git', `${server.url}/lab.git`, { branch: 'pgp-signed' }, 'HEAD', 'git-keys', '{fleet: lab}'),
      [
        '---', 'apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', `metadata: {name: app-git, namespace: ${ns}}`,
        'spec:', '  interval: 10m', '  prune: true', '  path: ./', `  targetNamespace: ${ns}`, '  sourceRef: {kind: GitRepository, name: app-git}',
      ].join('\n'),
      '',
    ].join('\n');
    await cluster.kubectl(['apply', '-f', '-'], { input: yaml });
    await waitForGitRepositories(cluster, ns);
    return {
      objects: [
        { kind: 'GitRepository', name: 'app-git', expect: 'verified', flux: 'True' },
        { kind: 'Kustomization', name: 'app-git', expect: 'verified' },
      ],
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
// --- end Git sources ---

// --- sources Flux cannot verify (issue 11) ---
// (imports are hoisted; they sit here to keep this block in one piece)
import { createHash } from 'node:crypto';
import { mkdirSync as mkdirUnverifiable, readFileSync as readUnverifiable, writeFileSync as writeUnverifiable } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join as joinUnverifiable, normalize as normalizeUnverifiable } from 'node:path';
import { mustRun } from './tools.js';

export interface FleetUnverifiableObject {
  readonly kind: 'Bucket' | 'HelmRepository' | 'HelmChart' | 'HelmRelease' | 'ExternalArtifact' | 'ArtifactGenerator' | 'Kustomization';
  readonly name: string;
  readonly expect: 'unverifiable';
  readonly reason: 'unverifiable';
  readonly flux?: 'absent';
}

/**
 * A stand-in for source-watcher's ArtifactGenerator CRD (source.extensions.fluxcd.io/v1beta1): the lab
 * builds no source-watcher, so this minimal CRD, written here, lets the API server serve the kind the
 * plugin reads; nothing reconciles the objects.
 */
const artifactGeneratorCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: artifactgenerators.source.extensions.fluxcd.io}
spec:
  group: source.extensions.fluxcd.io
  names: {kind: ArtifactGenerator, listKind: ArtifactGeneratorList, plural: artifactgenerators, singular: artifactgenerator}
  scope: Namespaced
  versions:
    - name: v1beta1
      served: true
      storage: true
      subresources: {status: {}}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
            status: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;

/** Files of `root` over plain HTTP on loopback, as a static Helm repository is served. */
async function serveStatic(root: string): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = normalizeUnverifiable(decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')).replace(/^(\.\.(\/|$))+/, '');
    try {
      const body = readUnverifiable(joinUnverifiable(root, path));
      res.writeHead(200, { 'content-length': body.length }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * Sources no Flux release can verify, with a consumer each, in the fleet's namespace:
 * - a Bucket on a closed loopback port (the lab has no S3 server; source-controller says Ready=False)
 *   and a Kustomization on it;
 * - an HTTP HelmRepository served by a static server (a chart made with `helm package`, an index with
 *   `helm repo index`), a HelmChart from it and a HelmRelease by chartRef;
 * - an ArtifactGenerator over the fleet's `bundle` OCIRepository and the Bucket, and the
 *   ExternalArtifact it would write, applied by hand with its status written through the status
 *   subresource as a generator writes it, and a Kustomization on it (kustomize-controller refuses it
 *   unless its ExternalArtifact feature gate is on, which the lab leaves off, as Flux does by default).
 * `stop` ends the HTTP server (the caller runs it after the suite).
 */
export async function applyUnverifiableSources(cluster: RunningCluster, seed: Seed, ns: string, dir: string): Promise<{ objects: readonly FleetUnverifiableObject[]; stop(): Promise<void> }> {
  const env = toolEnv(seed.material);
  const repo = joinUnverifiable(dir, 'helm-http');
  const chartDir = joinUnverifiable(dir, 'helm-http-src', 'web-demo');
  mkdirUnverifiable(joinUnverifiable(chartDir, 'templates'), { recursive: true });
  mkdirUnverifiable(repo, { recursive: true });
  writeUnverifiable(joinUnverifiable(chartDir, 'Chart.yaml'), 'apiVersion: v2\nname: web-demo\nversion: 0.1.0\ndescription: a chart served over plain HTTP by the kubectl verify lab\n');
  writeUnverifiable(joinUnverifiable(chartDir, 'templates', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-web\n');
  await mustRun('helm', ['package', chartDir, '-d', repo], { env });
  const http = await serveStatic(repo);
  try {
    await mustRun('helm', ['repo', 'index', repo, '--url', http.url], { env });
    const closedPort = await freePort();
    await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: artifactGeneratorCrd });
    await cluster.kubectl(['wait', '--for=condition=Established', 'crd/artifactgenerators.source.extensions.fluxcd.io', '--timeout=60s']);
    const yaml = [
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: unverifiable-bucket, namespace: ${ns}, labels: {unverifiable: bucket}}\nspec: {interval: 10m, provider: generic, bucketName: manifests, endpoint: "127.0.0.1:${closedPort}", insecure: true}`,
      `---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: from-bucket, namespace: ${ns}, labels: {unverifiable: bucket}}\nspec: {interval: 10m, prune: true, path: ./, targetNamespace: ${ns}, sourceRef: {kind: Bucket, name: unverifiable-bucket}}`,
      `---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: web, namespace: ${ns}}\nspec: {interval: 10m, url: "${http.url}"}`,
      `---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: web-demo, namespace: ${ns}}\nspec: {interval: 10m, chart: web-demo, version: "0.1.0", sourceRef: {kind: HelmRepository, name: web}}`,
      `---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: ${ns}}\nspec: {interval: 10m, chartRef: {kind: HelmChart, name: web-demo}}`,
      `---\napiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata: {name: bundle, namespace: ${ns}}\nspec:\n  sources:\n    - {alias: app, kind: OCIRepository, name: bundle}\n    - {alias: config, kind: Bucket, name: unverifiable-bucket}\n  artifacts:\n    - {name: generated, copy: [{from: "@app/**", to: "@artifact/"}, {from: "@config/**", to: "@artifact/config/"}]}`,
      `---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: ExternalArtifact\nmetadata: {name: generated, namespace: ${ns}}\nspec: {sourceRef: {apiVersion: source.extensions.fluxcd.io/v1beta1, kind: ArtifactGenerator, name: bundle, namespace: ${ns}}}`,
      `---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: from-generated, namespace: ${ns}}\nspec: {interval: 10m, prune: true, path: ./, targetNamespace: ${ns}, sourceRef: {kind: ExternalArtifact, name: generated}}`,
      '',
    ].join('\n');
    await cluster.kubectl(['apply', '-f', '-'], { input: yaml });
    // what source-watcher writes after building the artifact: status.artifact and Ready, through the status subresource
    const content = `generated by hand in the lab for ${ns}`;
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    const status = {
      status: {
        artifact: { revision: `latest@${digest}`, digest, path: `externalartifact/${ns}/generated/${digest.slice(7)}.tar.gz`, url: `${http.url}/generated.tar.gz`, lastUpdateTime: new Date().toISOString(), size: content.length },
        conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'artifact stored by the lab, as a generator would', lastTransitionTime: new Date().toISOString(), observedGeneration: 1 }],
      },
    };
    await cluster.kubectl(['patch', 'externalartifact', 'generated', '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    await waitForFlux(cluster, ns, 'buckets');
    // an OCI HelmRepository gets no Ready condition, so only this one is waited for
    await cluster.kubectl(['wait', 'helmrepository/web', '-n', ns, '--for=condition=Ready', '--timeout=90s']);
    return {
      objects: [
        { kind: 'Bucket', name: 'unverifiable-bucket', expect: 'unverifiable', reason: 'unverifiable', flux: 'absent' },
        { kind: 'Kustomization', name: 'from-bucket', expect: 'unverifiable', reason: 'unverifiable' },
        { kind: 'HelmRepository', name: 'web', expect: 'unverifiable', reason: 'unverifiable', flux: 'absent' },
        { kind: 'HelmChart', name: 'web-demo', expect: 'unverifiable', reason: 'unverifiable', flux: 'absent' },
        { kind: 'HelmRelease', name: 'web', expect: 'unverifiable', reason: 'unverifiable' },
        { kind: 'ArtifactGenerator', name: 'bundle', expect: 'unverifiable', reason: 'unverifiable' },
        { kind: 'ExternalArtifact', name: 'generated', expect: 'unverifiable', reason: 'unverifiable' },
        { kind: 'Kustomization', name: 'from-generated', expect: 'unverifiable', reason: 'unverifiable' },
      ],
      stop: http.stop,
    };
  } catch (e) {
    await http.stop();
    throw e;
  }
}
// --- end ---
