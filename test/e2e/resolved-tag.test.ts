import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report, ReportNode } from '../../src/report/model.js';
import { startCluster, type RunningCluster } from '../lab/cluster.js';
import { waitForFlux } from '../lab/fleet.js';
import { runPlugin } from '../lab/plugin.js';
import { cosignSign, pushFluxArtifact, toolEnv, type LabMaterial } from '../lab/seed.js';
import { useSeededLab } from '../lab/seeded.js';
import { mustRun } from '../lab/tools.js';

// Issue 8 item 8: for a semver (and semverFilter) ref every view names the tag that was picked next
// to the digest. Tags are pushed with the real oras and helm, signed with the real cosign, and
// resolved by Flux's real source-controller; what we print must name the tag Flux recorded in
// status.artifact.revision, and, once a newer tag is pushed, the one the range picks now.

const NS = 'resolved';
const APP_TAGS = ['6.4.0', '6.5.2', '6.6.0-rc.1', '7.0.0'] as const;
const CHART_VERSIONS = ['6.5.0', '6.5.1', '7.0.0'] as const;

interface ResolvedLab {
  readonly cluster: RunningCluster;
  readonly material: LabMaterial;
  readonly env: NodeJS.ProcessEnv;
  /** HOST/resolved, the Flux artifacts' repository */
  readonly appRepo: string;
  /** tag → digest, as pushed */
  readonly digests: Map<string, string>;
  /** chart version → digest, as pushed */
  readonly chartDigests: Map<string, string>;
}

async function pushChart(env: NodeJS.ProcessEnv, work: string, host: string, version: string): Promise<string> {
  const dir = join(work, 'resolved-chart', version);
  mkdirSync(join(dir, 'resolved', 'templates'), { recursive: true });
  writeFileSync(join(dir, 'resolved', 'Chart.yaml'), `apiVersion: v2\nname: resolved\nversion: ${version}\ndescription: a chart with several versions\n`);
  writeFileSync(join(dir, 'resolved', 'templates', 'configmap.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: resolved-${version.replaceAll('.', '-')}\n`);
  await mustRun('helm', ['package', join(dir, 'resolved'), '-d', dir], { env });
  await mustRun('helm', ['push', join(dir, `resolved-${version}.tgz`), `oci://${host}/charts`, '--plain-http'], { env });
  return (await mustRun('oras', ['resolve', '--plain-http', `${host}/charts/resolved:${version}`], { env })).trim();
}

/**
 * Inside a describe(): the seeded lab (for its registry and cosign keys), a cluster running
 * source-controller, signed semver tags of a Flux artifact and of a chart, and the objects over them,
 * reconciled by Flux.
 */
function useResolvedLab(name: string): () => ResolvedLab {
  const seeded = useSeededLab(name);
  let lab: ResolvedLab | undefined;
  let cluster: RunningCluster | undefined;
  before(async () => {
    const { seed, olareg, dir } = seeded();
    const m = seed.material;
    const env = toolEnv(m);
    const appRepo = `${olareg.host}/resolved`;
    const digests = new Map<string, string>();
    for (const tag of APP_TAGS) {
      const d = await pushFluxArtifact(env, dir, `${appRepo}:${tag}`, `resolved ${tag}`);
      await cosignSign(env, m, 'ecdsa', `${appRepo}:${tag}`, d, false);
      digests.set(tag, d);
    }
    const chartDigests = new Map<string, string>();
    for (const v of CHART_VERSIONS) {
      const d = await pushChart(env, dir, olareg.host, v);
      await cosignSign(env, m, 'ecdsa', `${olareg.host}/charts/resolved:${v}`, d, false);
      chartDigests.set(v, d);
    }

    cluster = await startCluster();
    await cluster.startSourceController();
    const verify = '{provider: cosign, secretRef: {name: cosign-pub}}';
    const oci = (objName: string, ref: string): string =>
      ['---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: OCIRepository', `metadata: {name: ${objName}, namespace: ${NS}}`, 'spec:', '  interval: 10m', `  url: oci://${appRepo}`, '  insecure: true', `  ref: ${ref}`, `  verify: ${verify}`].join('\n');
    const yaml = [
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}`,
      `---\napiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: ${NS}}\ndata: {cosign.pub: ${readFileSync(m.cosignKeys.ecdsa.pub).toString('base64')}}`,
      oci('semver', '{semver: ">=6.0.0 <7.0.0"}'),
      // release candidates only: the filter leaves 6.6.0-rc.1, which the range (with a prerelease) admits
      oci('semver-filter', '{semver: ">=6.0.0-0", semverFilter: "-rc\\\\."}'),
      ['---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', `metadata: {name: charts, namespace: ${NS}}`, 'spec:', '  type: oci', '  interval: 10m', '  insecure: true', `  url: oci://${olareg.host}/charts`].join('\n'),
      ['---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmChart', `metadata: {name: chart, namespace: ${NS}}`, 'spec:', '  interval: 10m', '  chart: resolved', '  version: "6.5.x"', '  sourceRef: {kind: HelmRepository, name: charts}', `  verify: ${verify}`].join('\n'),
      '',
    ].join('\n');
    await cluster.kubectl(['apply', '-f', '-'], { input: yaml });
    await waitForFlux(cluster, NS);
    lab = { cluster, material: m, env, appRepo, digests, chartDigests };
  });
  after(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!lab) throw new Error('the lab did not start (see the before hook)');
    return lab;
  };
}

/** Flux's own record: status.artifact.revision, split at the last `@`. */
async function fluxRevision(cluster: RunningCluster, kind: string, name: string): Promise<{ revision: string; tag: string; digest?: string }> {
  const revision = (await cluster.kubectl(['get', kind, name, '-n', NS, '-o', 'jsonpath={.status.artifact.revision}'])).trim();
  const at = revision.lastIndexOf('@');
  return at < 0 ? { revision, tag: revision } : { revision, tag: revision.slice(0, at), digest: revision.slice(at + 1) };
}

async function audit(cluster: RunningCluster, format: string): Promise<string> {
  const r = await runPlugin(['--kubeconfig', cluster.kubeconfig, '-n', NS, '-o', format]);
  assert.ok(r.code === 0 || r.code === 1, `-o ${format} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function nodeOf(report: Report, kind: string, name: string): ReportNode {
  const n = report.nodes.find((x) => x.id === `${kind}/${NS}/${name}`);
  assert.ok(n, `no ${kind}/${NS}/${name} in ${report.nodes.map((x) => x.id).join(', ')}`);
  return n;
}

function rowOf(out: string, kind: string, name: string): string {
  const row = out.split('\n').find((l) => new RegExp(`^${NS}\\s+${kind}\\s+${name}\\s`).test(l));
  assert.ok(row, `no ${kind} ${name} row in\n${out}`);
  return row;
}

/** `6.5.2@sha256:1234abcd`, as the printers shorten a digest (flux's TruncateHex). */
const short = (tag: string, digest: string): string => `${tag}@${digest.slice(0, 'sha256:'.length + 8)}`;
const count = (s: string, part: string): number => s.split(part).length - 1;

describe('the tag a semver ref resolved to, in every view, against source-controller', () => {
  const lab = useResolvedLab('resolved-tag');

  it('Flux picked the tags the ranges select (the setup the other tests rely on)', async () => {
    const { cluster, digests, chartDigests } = lab();
    assert.deepEqual(await fluxRevision(cluster, 'ocirepository', 'semver'), { revision: `6.5.2@${digests.get('6.5.2')}`, tag: '6.5.2', digest: digests.get('6.5.2') });
    assert.equal((await fluxRevision(cluster, 'ocirepository', 'semver-filter')).tag, '6.6.0-rc.1');
    assert.equal((await fluxRevision(cluster, 'helmchart', 'chart')).revision, '6.5.1');
    assert.ok(chartDigests.get('6.5.1'));
  });

  it('-o json: registryTag and running.tag equal the tag in Flux’s revision, beside the same digest', async () => {
    const { cluster, chartDigests } = lab();
    const report = JSON.parse(await audit(cluster, 'json')) as Report;
    for (const name of ['semver', 'semver-filter']) {
      const flux = await fluxRevision(cluster, 'ocirepository', name);
      const n = nodeOf(report, 'OCIRepository', name);
      assert.equal(n.finding.state, 'verified', `${name}: ${n.finding.message}`);
      assert.equal(n.artifact?.ref.kind, 'semver');
      assert.equal(n.artifact?.registryTag, flux.tag, name);
      assert.equal(n.artifact?.registryDigest, flux.digest, name);
      assert.equal(n.artifact?.running?.tag, flux.tag, name);
      assert.equal(n.artifact?.running?.digest, flux.digest, name);
    }
    const chart = nodeOf(report, 'HelmChart', 'chart');
    assert.equal(chart.finding.state, 'verified', chart.finding.message);
    assert.equal(chart.artifact?.registryTag, (await fluxRevision(cluster, 'helmchart', 'chart')).revision);
    assert.equal(chart.artifact?.registryDigest, chartDigests.get('6.5.1'));
  });

  it('-o table: the revision names Flux’s tag beside the digest', async () => {
    const { cluster } = lab();
    const out = await audit(cluster, 'table');
    for (const name of ['semver', 'semver-filter']) {
      const flux = await fluxRevision(cluster, 'ocirepository', name);
      assert.ok(rowOf(out, 'OCIRepository', name).includes(` ${short(flux.tag, flux.digest ?? '')} `), rowOf(out, 'OCIRepository', name));
    }
    assert.match(rowOf(out, 'HelmChart', 'chart'), /\s6\.5\.1\s/);
  });

  it('-o wide: REVISION, RUNNING and REGISTRY each name the tag beside the digest', async () => {
    const { cluster, chartDigests } = lab();
    const out = await audit(cluster, 'wide');
    for (const name of ['semver', 'semver-filter']) {
      const flux = await fluxRevision(cluster, 'ocirepository', name);
      const row = rowOf(out, 'OCIRepository', name);
      assert.equal(count(row, ` ${short(flux.tag, flux.digest ?? '')} `), 3, row);
    }
    const chart = rowOf(out, 'HelmChart', 'chart');
    assert.equal(count(chart, ` ${short('6.5.1', chartDigests.get('6.5.1') ?? '')} `), 2, chart);
    assert.ok(rowOf(out, 'OCIRepository', 'semver-filter').includes('semver >=6.0.0-0 (filter -rc\\.)'));
  });

  it('-o tree: the artifact line names the picked tag beside the digest', async () => {
    const { cluster, chartDigests } = lab();
    const out = await audit(cluster, 'tree');
    const semver = await fluxRevision(cluster, 'ocirepository', 'semver');
    assert.ok(out.includes(`semver >=6.0.0 <7.0.0 → ${short(semver.tag, semver.digest ?? '')}\n`), out);
    const filter = await fluxRevision(cluster, 'ocirepository', 'semver-filter');
    assert.ok(out.includes(`semver >=6.0.0-0 (filter -rc\\.) → ${short(filter.tag, filter.digest ?? '')}\n`), out);
    assert.ok(out.includes(`chart resolved semver 6.5.x → ${short('6.5.1', chartDigests.get('6.5.1') ?? '')}\n`), out);
    assert.ok(!out.includes('registry now'), 'nothing moved: no registry line');
  });

  // last: pushes a newer tag that the range picks before Flux's next reconcile (interval 10m)
  it('names the newer tag the range picks now beside Flux’s, once one is pushed', async () => {
    const { cluster, env, material, appRepo, digests } = lab();
    const newer = await pushFluxArtifact(env, material.dir, `${appRepo}:6.5.3`, 'resolved 6.5.3');
    await cosignSign(env, material, 'ecdsa', `${appRepo}:6.5.3`, newer, false);
    const flux = await fluxRevision(cluster, 'ocirepository', 'semver');
    assert.equal(flux.tag, '6.5.2', 'Flux has not reconciled yet');
    const running = digests.get('6.5.2') ?? '';

    const n = nodeOf(JSON.parse(await audit(cluster, 'json')) as Report, 'OCIRepository', 'semver');
    assert.equal(n.artifact?.registryTag, '6.5.3');
    assert.equal(n.artifact?.registryDigest, newer);
    assert.equal(n.artifact?.running?.tag, flux.tag);
    assert.equal(n.finding.drift?.nextReconcile, 'accepted', n.finding.message);

    const wide = rowOf(await audit(cluster, 'wide'), 'OCIRepository', 'semver');
    assert.ok(wide.includes(` ${short('6.5.2', running)} `), wide);
    assert.ok(wide.includes(` ${short('6.5.3', newer)} (drift: next reconcile accepted)`), wide);
    const tree = await audit(cluster, 'tree');
    assert.ok(tree.includes(`→ ${short('6.5.2', running)}\n`), tree);
    assert.ok(tree.includes(`registry now ${short('6.5.3', newer)} (drift: next reconcile accepted)\n`), tree);
    // the filtered range admits no new candidate: it still resolves to what Flux runs
    const filter = rowOf(await audit(cluster, 'wide'), 'OCIRepository', 'semver-filter');
    assert.ok(!filter.includes('drift'), filter);
  });
});
