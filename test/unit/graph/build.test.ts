import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph } from '../../../src/graph/index.js';
import type { Graph, GraphNode } from '../../../src/graph/index.js';
import type { FluxObject } from '../../../src/kube/types.js';
import { cosignKey, D1, helmChart, helmRelease, helmRepo, keyless, kustomization, ociRepo, gitRepo, other, ref } from './factories.js';

function node(g: Graph, id: string): GraphNode {
  const n = g.nodes.find((x) => x.id === id);
  assert.ok(n, `expected node ${id}, found ${g.nodes.map((x) => x.id).join(', ')}`);
  return n;
}

const edgeList = (g: Graph) => g.edges.map((e) => `${e.from} -${e.via}-> ${e.to}`);

describe('buildGraph edges', () => {
  it('Kustomization → every sourceRef kind', () => {
    const g = buildGraph([
      kustomization('k-oci', ref('OCIRepository', 'podinfo')),
      kustomization('k-git', ref('GitRepository', 'repo')),
      kustomization('k-bucket', ref('Bucket', 'b')),
      kustomization('k-ext', ref('ExternalArtifact', 'x')),
      ociRepo('podinfo'),
      gitRepo('repo'),
      other('Bucket', 'b'),
      other('ExternalArtifact', 'x'),
    ]);
    assert.deepEqual(edgeList(g), [
      'Kustomization/apps/k-bucket -sourceRef-> Bucket/apps/b',
      'Kustomization/apps/k-ext -sourceRef-> ExternalArtifact/apps/x',
      'Kustomization/apps/k-git -sourceRef-> GitRepository/apps/repo',
      'Kustomization/apps/k-oci -sourceRef-> OCIRepository/apps/podinfo',
    ]);
    assert.deepEqual(node(g, 'OCIRepository/apps/podinfo').consumerIds, ['Kustomization/apps/k-oci']);
    assert.deepEqual(g.roots, ['Kustomization/apps/k-bucket', 'Kustomization/apps/k-ext', 'Kustomization/apps/k-git', 'Kustomization/apps/k-oci']);
  });

  it('HelmRelease chartRef → OCIRepository, HelmChart or ExternalArtifact', () => {
    const g = buildGraph([
      helmRelease('a', { chartRef: ref('OCIRepository', 'podinfo') }),
      helmRelease('b', { chartRef: ref('HelmChart', 'flux-system/shared') }),
      helmRelease('c', { chartRef: ref('ExternalArtifact', 'x') }),
      ociRepo('podinfo'),
      helmChart('flux-system/shared'),
      helmRepo('flux-system/charts'),
      other('ExternalArtifact', 'x'),
    ]);
    assert.deepEqual(edgeList(g), [
      'HelmRelease/apps/a -chartRef-> OCIRepository/apps/podinfo',
      'HelmRelease/apps/b -chartRef-> HelmChart/flux-system/shared',
      'HelmRelease/apps/c -chartRef-> ExternalArtifact/apps/x',
      'HelmChart/flux-system/shared -sourceRef-> HelmRepository/flux-system/charts',
    ]);
  });

  it('HelmChart → HelmRepository, GitRepository or Bucket', () => {
    const g = buildGraph([
      helmChart('c1'),
      helmChart('c2', { sourceRef: ref('GitRepository', 'repo') }),
      helmChart('c3', { sourceRef: ref('Bucket', 'b') }),
      helmRepo('charts'),
      gitRepo('repo'),
      other('Bucket', 'b'),
    ]);
    assert.deepEqual(edgeList(g), [
      'HelmChart/apps/c1 -sourceRef-> HelmRepository/apps/charts',
      'HelmChart/apps/c2 -sourceRef-> GitRepository/apps/repo',
      'HelmChart/apps/c3 -sourceRef-> Bucket/apps/b',
    ]);
    assert.deepEqual(node(g, 'HelmChart/apps/c2').notes.map((n) => n.code), ['graph.git-source']);
    assert.equal(node(g, 'HelmChart/apps/c2').planId, undefined);
    assert.ok(node(g, 'HelmChart/apps/c1').planId);
  });
});

describe('generated HelmCharts', () => {
  const template = { chart: 'podinfo', version: '6.5.0', sourceRef: ref('HelmRepository', 'flux-system/charts'), verify: keyless() };

  it('names the chart <release ns>-<release name> in the source namespace and uses it when present', () => {
    const g = buildGraph([helmRelease('apps/podinfo', { chartTemplate: template }), helmChart('flux-system/apps-podinfo', { verify: cosignKey() }), helmRepo('flux-system/charts')]);
    const chart = node(g, 'HelmChart/flux-system/apps-podinfo');
    assert.equal(chart.type, 'object');
    assert.deepEqual(edgeList(g), [
      'HelmRelease/apps/podinfo -chartTemplate-> HelmChart/flux-system/apps-podinfo',
      'HelmChart/flux-system/apps-podinfo -sourceRef-> HelmRepository/flux-system/charts',
    ]);
    // the HelmChart's own verify decides, and it was made from the template, whose limits it has
    assert.equal(chart.trust?.mode, 'cosign-key');
    assert.equal(chart.trust?.origin, 'helmrelease-template');
  });

  it('synthesizes the chart from the template when it is absent, with template-origin trust', () => {
    const g = buildGraph([helmRelease('apps/podinfo', { chartTemplate: template }), helmRepo('flux-system/charts')]);
    const chart = node(g, 'HelmChart/flux-system/apps-podinfo');
    assert.equal(chart.type, 'generated-chart');
    assert.equal(chart.type === 'generated-chart' && chart.release, 'HelmRelease/apps/podinfo');
    assert.deepEqual(chart.notes.map((n) => n.code), ['graph.generated-chart']);
    assert.deepEqual(chart.sourceIds, ['HelmRepository/flux-system/charts']);
    assert.equal(chart.trust?.origin, 'helmrelease-template');
    assert.equal(chart.trust?.mode, 'cosign-keyless');
    assert.equal(chart.trust?.namespace, 'flux-system');
    const plan = g.plans.find((p) => p.id === chart.planId);
    assert.equal(plan?.artifact.url, 'oci://reg.example/charts/podinfo');
    assert.deepEqual(plan?.artifact.ref, { kind: 'tag', tag: '6.5.0' });
    assert.deepEqual(g.roots, ['HelmRelease/apps/podinfo']);
  });

  it('a synthesized chart whose repository is missing points at a dangling node', () => {
    const g = buildGraph([helmRelease('apps/podinfo', { chartTemplate: template })]);
    assert.equal(node(g, 'HelmRepository/flux-system/charts').type, 'dangling');
    assert.deepEqual(node(g, 'HelmChart/flux-system/apps-podinfo').notes.map((n) => n.code), ['graph.generated-chart', 'graph.source-missing']);
    assert.equal(g.plans.length, 0);
  });
});

describe('dangling references', () => {
  it('adds one node per missing object, naming it and who references it', () => {
    const g = buildGraph([kustomization('a', ref('OCIRepository', 'gone')), kustomization('b', ref('OCIRepository', 'gone'))]);
    const d = node(g, 'OCIRepository/apps/gone');
    assert.equal(d.type, 'dangling');
    assert.equal(d.notes[0]?.code, 'graph.dangling-ref');
    assert.match(d.notes[0]?.message ?? '', /OCIRepository apps\/gone is not in the input; referenced by Kustomization\/apps\/a, Kustomization\/apps\/b/);
    assert.deepEqual(d.consumerIds, ['Kustomization/apps/a', 'Kustomization/apps/b']);
    assert.deepEqual(node(g, 'Kustomization/apps/a').notes.map((n) => n.code), ['graph.source-missing']);
    assert.equal(g.nodes.filter((n) => n.type === 'dangling').length, 1);
  });

  it('keeps an unknown kind as the reference spells it', () => {
    const g = buildGraph([kustomization('a', ref('Mystery', 'm'))]);
    assert.equal(node(g, 'Mystery/apps/m').kind, 'Mystery');
  });
});

describe('roots and order', () => {
  it('unused sources are roots too; consumers come first', () => {
    const g = buildGraph([ociRepo('lonely'), kustomization('k', ref('OCIRepository', 'used')), ociRepo('used'), helmRepo('charts')]);
    assert.deepEqual(g.roots, ['Kustomization/apps/k', 'OCIRepository/apps/lonely', 'HelmRepository/apps/charts']);
    assert.deepEqual(g.nodes.map((n) => n.id), ['Kustomization/apps/k', 'OCIRepository/apps/lonely', 'OCIRepository/apps/used', 'HelmRepository/apps/charts']);
  });

  it('gives the same graph for the same objects in any order', () => {
    const objects: FluxObject[] = [
      kustomization('k', ref('OCIRepository', 'podinfo')),
      ociRepo('podinfo', { verify: cosignKey() }),
      ociRepo('other/podinfo', { verify: cosignKey() }),
      helmRelease('hr', { chartTemplate: { chart: 'c', version: '1.0.0', sourceRef: ref('HelmRepository', 'charts') } }),
      helmRepo('charts'),
      helmRelease('hr2', { chartRef: ref('OCIRepository', 'missing') }),
    ];
    const a = buildGraph(objects);
    const b = buildGraph([...objects].reverse());
    const c = buildGraph([objects[3], objects[0], objects[5], objects[1], objects[4], objects[2]] as FluxObject[]);
    assert.deepEqual(b, a);
    assert.deepEqual(c, a);
  });

  it('keeps the first of two objects with the same id', () => {
    const g = buildGraph([ociRepo('p', { url: 'oci://a/x' }), ociRepo('p', { url: 'oci://b/x' })]);
    assert.equal(g.nodes.length, 1);
  });
});

describe('plans', () => {
  const running = { artifact: { revision: `6.5.0@${D1}` } };

  it('shares one plan between identical artifact, access and trust', () => {
    const g = buildGraph([ociRepo('a', { verify: cosignKey(), ...running }), ociRepo('b', { verify: cosignKey(), ...running })]);
    assert.equal(g.plans.length, 1);
    assert.deepEqual(g.plans[0]?.nodeIds, ['OCIRepository/apps/a', 'OCIRepository/apps/b']);
    assert.equal(g.plans[0]?.id, 'oci://reg.example/podinfo:6.5.0');
    assert.equal(node(g, 'OCIRepository/apps/a').planId, node(g, 'OCIRepository/apps/b').planId);
  });

  it('splits plans on trust, namespace, access or running digest, and numbers repeated references', () => {
    const g = buildGraph([
      ociRepo('a', { verify: cosignKey(), ...running }),
      ociRepo('b', { verify: cosignKey('other-key'), ...running }),
      ociRepo('ns2/a', { verify: cosignKey(), ...running }),
      ociRepo('c', { verify: cosignKey(), secretRef: 'pull', ...running }),
      ociRepo('d', { verify: cosignKey() }),
      ociRepo('e', running),
    ]);
    assert.equal(g.plans.length, 6);
    assert.deepEqual(g.plans.map((p) => p.id), [
      'oci://reg.example/podinfo:6.5.0',
      'oci://reg.example/podinfo:6.5.0#2',
      'oci://reg.example/podinfo:6.5.0#3',
      'oci://reg.example/podinfo:6.5.0#4',
      'oci://reg.example/podinfo:6.5.0#5',
      'oci://reg.example/podinfo:6.5.0#6',
    ]);
    assert.equal(g.plans.find((p) => p.nodeIds.includes('OCIRepository/apps/e'))?.trust, undefined);
  });

  it('copies registry access and trust from an OCIRepository', () => {
    const g = buildGraph([
      ociRepo('a', {
        provider: 'aws',
        secretRef: 'pull',
        serviceAccountName: 'sa',
        certSecretRef: 'tls',
        proxySecretRef: 'proxy',
        insecure: true,
        verify: { provider: 'cosign', matchOIDCIdentity: [{ issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/org/.*$' }], trustedRootSecretRef: 'root' },
        ...running,
      }),
    ]);
    const p = g.plans[0];
    assert.deepEqual(p?.access, { namespace: 'apps', provider: 'aws', secretRef: 'pull', serviceAccountName: 'sa', certSecretRef: 'tls', proxySecretRef: 'proxy', insecure: true, secretFormats: 'dockerconfigjson' });
    assert.deepEqual(p?.trust, {
      provider: 'cosign',
      mode: 'cosign-keyless',
      namespace: 'apps',
      matchOIDCIdentity: [{ issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/org/.*$' }],
      trustedRootSecretRef: 'root',
      origin: 'object',
    });
    assert.deepEqual(p?.artifact.running, { revision: `6.5.0@${D1}`, tag: '6.5.0', digest: D1 });
  });

  it('applies Flux ref precedence: digest > semver > tag > latest', () => {
    const refOf = (r: Parameters<typeof ociRepo>[1]) => buildGraph([ociRepo('a', r)]).plans[0]?.artifact.ref;
    assert.deepEqual(refOf({ ref: { digest: D1, semver: '>=1', tag: 'x' } }), { kind: 'digest', digest: D1 });
    assert.deepEqual(refOf({ ref: { semver: '>=6.0.0', semverFilter: '.*-rc', tag: 'x' } }), { kind: 'semver', constraint: '>=6.0.0', filter: '.*-rc', helmTags: false });
    assert.deepEqual(refOf({ ref: { semver: '>=6.0.0' }, layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip' } }), { kind: 'semver', constraint: '>=6.0.0', helmTags: true });
    assert.deepEqual(refOf({ ref: { tag: 'v1' } }), { kind: 'tag', tag: 'v1' });
    assert.deepEqual(refOf({ ref: {} }), { kind: 'tag', tag: 'latest' });
    assert.deepEqual(refOf({ ref: undefined }), { kind: 'tag', tag: 'latest' });
  });

  it('builds an OCI HelmChart plan from the repository URL, chart and version, with the repository\'s access', () => {
    const g = buildGraph([
      helmChart('c', { chart: 'podinfo', version: '6.5.0+build.1', verify: cosignKey(), artifact: { revision: '6.5.0+build.1' } }),
      helmRepo('charts', { url: 'oci://ghcr.io/org/charts/', secretRef: 'basic', certSecretRef: 'ca', insecure: true, provider: 'gcp' }),
    ]);
    const p = g.plans[0];
    assert.equal(p?.artifact.url, 'oci://ghcr.io/org/charts/podinfo');
    assert.deepEqual(p?.artifact.ref, { kind: 'tag', tag: '6.5.0_build.1' });
    assert.deepEqual(p?.artifact.chart, { name: 'podinfo', version: '6.5.0+build.1' });
    assert.deepEqual(p?.artifact.running, { revision: '6.5.0+build.1' });
    assert.deepEqual(p?.access, { namespace: 'apps', provider: 'gcp', secretRef: 'basic', certSecretRef: 'ca', insecure: true, secretFormats: 'dockerconfigjson-or-basic-auth' });
    assert.equal(p?.trust?.mode, 'cosign-key');
  });

  it('ignores a HelmChart trustedRootSecretRef (removed from HelmChart v1) and says so', () => {
    const g = buildGraph([helmChart('c', { verify: { provider: 'cosign', matchOIDCIdentity: [], trustedRootSecretRef: 'root' } }), helmRepo('charts')]);
    assert.equal(g.plans[0]?.trust?.trustedRootSecretRef, undefined);
    assert.deepEqual(node(g, 'HelmChart/apps/c').notes.map((n) => n.code), ['graph.field-ignored']);
  });

  it('notes that Flux ignores verify on charts from an HTTP HelmRepository, and makes no plan', () => {
    const g = buildGraph([helmChart('c', { verify: cosignKey() }), helmChart('d'), helmRepo('charts', { type: 'default', url: 'https://charts.example' })]);
    assert.equal(g.plans.length, 0);
    const c = node(g, 'HelmChart/apps/c');
    assert.deepEqual(c.notes.map((n) => n.code), ['graph.verify-ignored']);
    assert.match(c.notes[0]?.message ?? '', /not implemented/);
    assert.deepEqual(node(g, 'HelmChart/apps/d').notes.map((n) => n.code), ['graph.unverifiable-source']);
  });

  it('gives Bucket and ExternalArtifact no plan, and a GitRepository a Git plan only', () => {
    const g = buildGraph([gitRepo('g'), other('Bucket', 'b'), other('ExternalArtifact', 'x')]);
    assert.equal(g.plans.length, 0);
    assert.deepEqual(g.gitPlans.map((p) => [p.id, p.nodeIds]), [['git:https://git.example/org/repo#main', ['GitRepository/apps/g']]]);
    assert.deepEqual(node(g, 'GitRepository/apps/g').notes, []);
    for (const id of ['Bucket/apps/b', 'ExternalArtifact/apps/x']) assert.deepEqual(node(g, id).notes.map((x) => x.code), ['graph.unverifiable-source'], id);
  });

  it('drops identities for key and notation trust, which Flux does not read', () => {
    const g = buildGraph([
      ociRepo('a', { verify: { provider: 'cosign', secretRef: 'k', matchOIDCIdentity: [{ issuer: 'i', subject: 's' }] } }),
      ociRepo('b', { verify: { provider: 'notation', secretRef: 'n', matchOIDCIdentity: [{ issuer: 'i', subject: 's' }] } }),
    ]);
    assert.deepEqual(g.plans.map((p) => [p.trust?.mode, p.trust?.matchOIDCIdentity.length]), [['cosign-key', 0], ['notation', 0]]);
  });
});

describe('template trust', () => {
  it('keeps only provider and secretRef from a HelmRelease template, as helm-controller does', () => {
    const g = buildGraph([
      helmRelease('r', { chartTemplate: { chart: 'c', version: '1.0.0', sourceRef: ref('HelmRepository', 'charts'), verify: { provider: 'cosign', matchOIDCIdentity: [{ issuer: 'i', subject: 's' }], trustedRootSecretRef: 'root' } } }),
      helmRepo('charts'),
    ]);
    assert.deepEqual(g.plans[0]?.trust, { provider: 'cosign', mode: 'cosign-keyless', namespace: 'apps', matchOIDCIdentity: [], origin: 'helmrelease-template' });
  });
});
