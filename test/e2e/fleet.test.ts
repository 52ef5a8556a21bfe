import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Report, ReportNode } from '../../src/report/model.js';
import { useFleetLab } from '../lab/fleet-lab.js';
import { runPlugin } from '../lab/plugin.js';
import { repoRoot } from '../helpers/paths.js';

function nodeOf(report: Report, kind: string, ns: string, name: string): ReportNode {
  const n = report.nodes.find((x) => x.id === `${kind}/${ns}/${name}`);
  assert.ok(n, `no node ${kind}/${ns}/${name} in ${report.nodes.map((x) => x.id).join(', ')}`);
  return n;
}

async function auditJson(args: readonly string[]): Promise<{ report: Report; code: number; stderr: string }> {
  const r = await runPlugin([...args, '-o', 'json']);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return { report: JSON.parse(r.stdout) as Report, code: r.code, stderr: r.stderr };
}

// The fleet is reconciled by Flux's real source-, kustomize- and helm-controller; we assert our
// verdict, Flux's verdict as it wrote it, and whether the two agree, object by object.
describe('kubectl verify against the lab cluster', () => {
  const lab = useFleetLab('fleet');

  it('finds what the issue lists for every object, with Flux’s own verdict beside it', async () => {
    const { cluster, fleet } = lab();
    const { report, code } = await auditJson(['--kubeconfig', cluster.kubeconfig, '-n', fleet.namespace]);
    assert.equal(code, 1, 'findings exist, so the exit code is 1');
    assert.equal(report.schemaVersion, 2);
    assert.deepEqual(report.problems, []);
    for (const o of fleet.objects) {
      const n = nodeOf(report, o.kind, fleet.namespace, o.name);
      const f = n.finding;
      const label = `${n.id}: ${f.state} [${f.reasons.join(',')}] ${f.message}`;
      assert.equal(f.state, o.expect, label);
      if (o.reason) assert.ok(f.reasons.includes(o.reason as never), `${label} lacks reason ${o.reason}`);
      if (o.flux === 'absent') assert.equal(f.flux.sourceVerified, undefined, label);
      else if (o.flux) {
        assert.equal(f.flux.sourceVerified?.status, o.flux, label);
        // we agree with Flux wherever both give a verdict on the same digest
        assert.equal(f.flux.agrees, true, `${label}: disagrees with Flux`);
      }
    }
  });

  it('recognises the HelmChart helm-controller made from a release template, read from the cluster', async () => {
    const { cluster, fleet } = lab();
    const { report } = await auditJson(['--kubeconfig', cluster.kubeconfig, '-n', fleet.namespace]);
    const chart = nodeOf(report, 'HelmChart', fleet.namespace, `${fleet.namespace}-templated`);
    assert.equal(chart.type, 'object', 'read from the cluster, not synthesised');
    assert.equal(chart.trust?.origin, 'helmrelease-template');
    assert.equal(nodeOf(report, 'HelmChart', fleet.namespace, 'podinfo').trust?.origin, 'object');
  });

  it('says that the moved tag will be refused on the next reconcile', async () => {
    const { cluster, fleet } = lab();
    const { report } = await auditJson(['--kubeconfig', cluster.kubeconfig, '-n', fleet.namespace]);
    const f = nodeOf(report, 'OCIRepository', fleet.namespace, 'moved').finding;
    assert.ok(f.drift, 'no drift recorded');
    assert.notEqual(f.drift.registryDigest, f.drift.runningDigest);
    assert.equal(f.drift.nextReconcile, 'refused');
  });

  it('makes unreadable Secrets a state of their own for a user without access to Secrets', async () => {
    const { cluster, fleet } = lab();
    const { report } = await auditJson(['--kubeconfig', cluster.kubeconfig, '--context', 'restricted', '-n', fleet.namespace]);
    for (const name of ['bundle', 'legacy', 'notation', 'wrong-key']) {
      const f = nodeOf(report, 'OCIRepository', fleet.namespace, name).finding;
      assert.equal(f.state, 'error', `${name}: ${f.message}`);
      assert.ok(f.reasons.includes('trust-unreadable'), `${name}: ${f.reasons.join(',')}`);
      assert.match(f.message, /forbidden/);
    }
    assert.equal(nodeOf(report, 'OCIRepository', fleet.namespace, 'no-verify').finding.state, 'not-enforced');
  });

  it('uses --key as an explicit override and says so', async () => {
    const { cluster, fleet, seed } = lab();
    const { report } = await auditJson(['--kubeconfig', cluster.kubeconfig, '--context', 'restricted', '-n', fleet.namespace, '--key', seed.material.cosignKeys.ecdsa.pub]);
    assert.deepEqual(report.trustOverrides, [`--key ${seed.material.cosignKeys.ecdsa.pub}`]);
    const f = nodeOf(report, 'OCIRepository', fleet.namespace, 'bundle').finding;
    assert.equal(f.state, 'verified', f.message);
    assert.ok(f.reasons.includes('override'), f.reasons.join(','));
    assert.match(f.message, /--key/);
    assert.equal(nodeOf(report, 'OCIRepository', fleet.namespace, 'wrong-key').finding.state, 'failed');
  });

  it('sees the fleet with -A', async () => {
    const { cluster, fleet } = lab();
    const { report } = await auditJson(['--kubeconfig', cluster.kubeconfig, '-A']);
    assert.equal(report.scope.allNamespaces, true);
    assert.ok(report.nodes.some((n) => n.namespace === fleet.namespace && n.name === 'bundle'));
  });

  it('gives the same findings from a YAML dump of the objects and their Secrets', async () => {
    const { cluster, fleet, dir } = lab();
    const fromCluster = (await auditJson(['--kubeconfig', cluster.kubeconfig, '-n', fleet.namespace])).report;
    const dump = await cluster.kubectl(['get', 'ocirepositories,helmrepositories,helmcharts,kustomizations,helmreleases,secrets', '-n', fleet.namespace, '-o', 'yaml']);
    const file = join(dir, 'dump.yaml');
    writeFileSync(file, dump);
    const fromFile = (await auditJson(['-f', file])).report;
    assert.deepEqual(fromFile.source.files, [file]);
    // a Secret absent from a dump may exist in the cluster: files can only say "unavailable", so the
    // objects naming a missing Secret depend on cluster state and are checked on their own
    for (const n of fromCluster.nodes) {
      const m = nodeOf(fromFile, n.kind, n.namespace, n.name);
      if (n.name === 'secret-missing') {
        assert.equal(m.finding.state, 'error');
        assert.ok(m.finding.reasons.includes('trust-unreadable'), m.finding.reasons.join(','));
        continue;
      }
      if (n.name === 'pull-secret-missing') {
        // a pull Secret absent from the dump cannot be told from one left out of it: anonymous access is tried
        assert.notEqual(m.finding.state, 'verified', m.finding.message);
        continue;
      }
      assert.equal(m.finding.state, n.finding.state, `${n.id}: cluster ${n.finding.message} / file ${m.finding.message}`);
      assert.deepEqual(m.finding.reasons, n.finding.reasons, n.id);
    }
  });

  it('fails with a clear reason and exit 3 when the API server cannot be reached', async () => {
    const { cluster } = lab();
    const r = await runPlugin(['--kubeconfig', cluster.kubeconfig, '--server', 'https://127.0.0.1:1', '-o', 'json']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stderr, /127\.0\.0\.1:1/);
  });

  // last: it adds an object to the fleet while watching
  it('-w prints the rows that change as objects change, until interrupted', async () => {
    const { cluster, fleet } = lab();
    const child = spawn(join(repoRoot(), 'plugin', 'kubectl-verify'), ['--kubeconfig', cluster.kubeconfig, '-n', fleet.namespace, '-w', '-o', 'table'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const waitFor = async (re: RegExp, what: string): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (!re.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${what} in -w output (exit ${child.exitCode}): ${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    try {
      await waitFor(/OCIRepository\s+bundle/, 'first table');
      const before = out.length;
      const url = lab().seed.cases.find((c) => c.name === 'cosign-bundle-ecdsa')?.ref.replace(/:1\.0\.0$/, '') ?? '';
      await cluster.kubectl(['apply', '-f', '-'], {
        input: `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: late, namespace: ${fleet.namespace}}\nspec: {interval: 10m, url: "oci://${url}", insecure: true, ref: {tag: "1.0.0"}}\n`,
      });
      await waitFor(/OCIRepository\s+late\s/, 'row for the new object');
      assert.ok(!/^NAMESPACE/m.test(out.slice(before)), 'changed rows are printed without a header');
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
    assert.equal(child.exitCode, 1, 'findings remain, so -w ends with exit 1');
  });
});
