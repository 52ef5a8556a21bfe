import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Report, ReportNode } from '../../src/report/model.js';
import { startCluster, type RunningCluster } from '../lab/cluster.js';
import { applyFluxDeployment, deleteFluxDeployment } from '../lab/flux-deployment.js';
import { runPlugin } from '../lab/plugin.js';
import { useSeededLab } from '../lab/seeded.js';

/**
 * Flux version awareness against a real kube-apiserver (docs/flux-rules.md "Version rules"): the
 * running version read from a `flux-system/source-controller` Deployment object (the lab runs the real
 * source-controller out of cluster; the API server only stores this object, nothing runs from it), the rules
 * read at `--flux-version` on an OCIRepository whose artifact carries only a cosign v3 bundle (the
 * seeded lab's `cosign-bundle-ecdsa`, on olareg over plain HTTP), and the fallbacks when the
 * Deployment is gone or cannot be read.
 */
const NS = 'kv-flux-version';
const IMAGE = 'ghcr.io/fluxcd/source-controller:v1.9.4';
const CRD = 'gitrepositories.source.toolkit.fluxcd.io';

describe('Flux version awareness on the lab cluster', () => {
  const lab = useSeededLab('flux-version');
  let cluster: RunningCluster;

  before(async () => {
    const { seed } = lab();
    const bundle = seed.cases.find((c) => c.name === 'cosign-bundle-ecdsa');
    assert.ok(bundle && bundle.mechanism === 'cosign-bundle', 'the seed has a bundle-only case');
    cluster = await startCluster();
    const pub = readFileSync(seed.material.cosignKeys.ecdsa.pub).toString('base64');
    await cluster.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: Secret
metadata: {name: cosign-pub, namespace: ${NS}}
data: {cosign.pub: ${pub}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: bundle, namespace: ${NS}}
spec:
  interval: 10m
  url: oci://${bundle.ref.slice(0, bundle.ref.lastIndexOf(':'))}
  ref: {digest: "${bundle.digest}"}
  insecure: true
  verify: {provider: cosign, secretRef: {name: cosign-pub}}
`,
    });
    // the real source-controller (out of cluster) verifies and stores it, so the finding is Flux's too
    await cluster.startSourceController();
    await cluster.kubectl(['wait', '--for=condition=Ready', 'ocirepository/bundle', '-n', NS, '--timeout=90s']);
    await applyFluxDeployment(cluster, IMAGE);
  });
  after(async () => {
    await cluster?.stop();
  });

  async function audit(...args: string[]): Promise<{ report: Report; code: number; stderr: string }> {
    const r = await runPlugin(['--kubeconfig', cluster.kubeconfig, '-n', NS, '-o', 'json', ...args], { NO_COLOR: '1' });
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    return { report: JSON.parse(r.stdout) as Report, code: r.code, stderr: r.stderr };
  }
  const bundleNode = (r: Report): ReportNode => {
    const n = r.nodes.find((x) => x.id === `OCIRepository/${NS}/bundle`);
    assert.ok(n, r.nodes.map((x) => x.id).join(', '));
    return n;
  };

  it('reads the running version from the Deployment image; at 1.9.4 no rule speaks', async () => {
    const { report, code } = await audit();
    assert.deepEqual(report.flux, { version: '1.9.4', from: 'deployment', detail: `Deployment flux-system/source-controller, image ${IMAGE}` });
    const n = bundleNode(report);
    assert.ok(n.signatures.some((s) => s.mechanism === 'cosign-bundle') && !n.signatures.some((s) => s.mechanism === 'cosign-legacy'), 'only a bundle was found');
    assert.equal(n.finding.state, 'verified', n.finding.message);
    assert.equal(n.finding.versionNotes, undefined);
    assert.ok(!n.finding.reasons.includes('flux-version'));
    assert.equal(code, 0);
  });

  it('--flux-version 1.7.0: no bundle support, so Flux there would fail it; opt-in exit code', async () => {
    const { report, code } = await audit('--flux-version', '1.7.0');
    assert.deepEqual(report.flux, { version: '1.7.0', from: 'flag', detail: '--flux-version 1.7.0', running: '1.9.4' });
    const f = bundleNode(report).finding;
    assert.deepEqual(f.versionNotes, [{ rule: 'cosign-bundle', from: '1.8.0', message: 'source-controller v1.7.0 finds no cosign v3 bundle: Flux there would fail this object for lack of a .sig signature (bundles from v1.8.0)' }]);
    assert.equal(f.state, 'verified', 'the verdict itself is the latest rules\'');
    assert.deepEqual(f.reasons, ['verified', 'flux-version']);
    assert.equal(code, 0, 'the default exit code is unchanged');
    assert.equal((await audit('--flux-version', '1.7.0', '--fail-on', 'flux-version')).code, 1);
  });

  it('--flux-version flux2@2.8.0 (source-controller 1.8.0): bundles, but not on this plain-HTTP registry', async () => {
    const { report } = await audit('--flux-version', 'flux2@2.8.0');
    assert.equal(report.flux?.version, '1.8.0');
    assert.equal(report.flux?.detail, '--flux-version flux2@2.8.0: flux2 v2.8.0 ships source-controller v1.8.0');
    assert.deepEqual(bundleNode(report).finding.versionNotes?.map((v) => v.rule), ['bundle-insecure-ca']);
  });

  it('the printed views say which version the rules were read at', async () => {
    const r = await runPlugin(['--kubeconfig', cluster.kubeconfig, '-n', NS, '-o', 'wide', '--flux-version', '1.7.0'], { NO_COLOR: '1' });
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'Flux: source-controller v1.7.0 (--flux-version 1.7.0; the cluster runs v1.9.4)');
    const row = lines.findIndex((l) => /^kv-flux-version\s+OCIRepository\s+bundle\s/.test(l));
    assert.ok(row > 0, r.stdout);
    assert.match(lines[row] ?? '', /verified,flux-version/);
    assert.equal(lines[row + 1], '  ⚑ cosign-bundle: source-controller v1.7.0 finds no cosign v3 bundle: Flux there would fail this object for lack of a .sig signature (bundles from v1.8.0)');
    const bad = await runPlugin(['--kubeconfig', cluster.kubeconfig, '-n', NS, '--flux-version', '1.8']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /must be a source-controller release such as 1\.8\.0 or v1\.8\.0, or a Flux distribution such as flux2@2\.8\.0/);
  });

  it('without read access to the Deployment: the fallback, and why', async () => {
    // the lab's restricted user reads Flux kinds only: no Deployments, no CRDs
    const { report } = await audit('--context', 'restricted');
    assert.equal(report.flux?.from, 'unknown');
    assert.equal(report.flux?.version, undefined);
    assert.match(report.flux?.detail ?? '', /Deployment flux-system\/source-controller: forbidden/);
    assert.match(report.flux?.detail ?? '', new RegExp(`CRD ${CRD.replace(/\./g, '\\.')}: forbidden`));
  });

  it('the Deployment deleted: the CRD label, which the lab\'s CRDs do not carry until `flux install` would set it', async () => {
    await deleteFluxDeployment(cluster);
    const crd = JSON.parse(await cluster.kubectl(['get', 'crd', CRD, '-o', 'json'])) as { metadata: { labels?: Record<string, string> } };
    assert.equal(crd.metadata.labels?.['app.kubernetes.io/version'], undefined, 'the lab applies source-controller\'s own CRDs, without flux2\'s labels');
    const before = await audit();
    assert.equal(before.report.flux?.from, 'unknown');
    assert.match(before.report.flux?.detail ?? '', /no Deployment source-controller \(nor one labelled app\.kubernetes\.io\/component=source-controller\) in namespace flux-system; CRD gitrepositories\.source\.toolkit\.fluxcd\.io has no app\.kubernetes\.io\/version label/);
    assert.equal(bundleNode(before.report).finding.versionNotes, undefined, 'an unknown version gives no notes');

    // as `flux install` v2.7.5 labels it (CLI pkg/manifestgen/install/templates.go)
    await cluster.kubectl(['label', 'crd', CRD, 'app.kubernetes.io/version=v2.7.5']);
    const { report } = await audit();
    assert.equal(report.flux?.version, '1.7.4');
    assert.equal(report.flux?.from, 'crd-label');
    assert.match(report.flux?.detail ?? '', /^CRD gitrepositories\.source\.toolkit\.fluxcd\.io label app\.kubernetes\.io\/version=v2\.7\.5, which ships source-controller v1\.7\.4 \(no Deployment source-controller/);
    assert.deepEqual(bundleNode(report).finding.versionNotes?.map((v) => v.rule), ['cosign-bundle']);
  });
});
