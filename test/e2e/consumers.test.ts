import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Report, ReportNode } from '../../src/report/model.js';
import { condition, getObject, useConsumersLab, type BehindCase, type ConsumersLab } from '../lab/consumers-lab.js';
import { runPlugin } from '../lab/plugin.js';

function nodeOf(report: Report, kind: string, ns: string, name: string): ReportNode {
  const n = report.nodes.find((x) => x.id === `${kind}/${ns}/${name}`);
  assert.ok(n, `no node ${kind}/${ns}/${name} in ${report.nodes.map((x) => x.id).join(', ')}`);
  return n;
}

async function audit(lab: ConsumersLab, extra: readonly string[] = []): Promise<{ report: Report; code: number }> {
  const r = await runPlugin(['--kubeconfig', lab.cluster.kubeconfig, '-n', lab.namespace, ...extra, '-o', 'json']);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return { report: JSON.parse(r.stdout) as Report, code: r.code };
}

const label = (n: ReportNode): string => `${n.id}: ${n.finding.state} [${n.finding.reasons.join(',')}] ${n.finding.message}`;

/** The source runs the second revision, verified, as Flux says too. */
function assertSourceOnSecond(report: Report, lab: ConsumersLab, c: BehindCase): void {
  const s = nodeOf(report, 'OCIRepository', lab.namespace, c.source);
  assert.equal(s.finding.state, 'verified', label(s));
  assert.equal(s.finding.running?.digest, c.second, label(s));
  assert.equal(s.finding.flux.sourceVerified?.status, 'True', label(s));
  assert.equal(s.finding.flux.agrees, true, label(s));
}

// Consumers left one revision behind their source by Flux's real controllers (suspended before the
// source moved): what they applied is an artifact too, verified on its own.
describe('consumers behind their source, against the real controllers', () => {
  const lab = useConsumersLab('consumers');

  it('(a) a suspended Kustomization on a verified revision is verified content, behind its source', async () => {
    const l = lab();
    const c = l.behind;
    const k = await getObject(l.cluster, 'kustomization', l.namespace, c.consumer.name);
    // Flux's own record: suspended, still on the first revision, Ready from its last apply
    assert.equal(k.spec.suspend, true);
    assert.equal(k.status?.lastAppliedRevision, `1.0.0@${c.first}`);
    assert.equal(condition(k, 'Ready')?.status, 'True');

    const { report } = await audit(l);
    assertSourceOnSecond(report, l, c);
    const n = nodeOf(report, 'Kustomization', l.namespace, c.consumer.name);
    const f = n.finding;
    assert.equal(f.state, 'verified', label(n));
    assert.deepEqual(f.reasons, ['behind', 'suspended'], label(n));
    assert.equal(f.appliedRevision, `1.0.0@${c.first}`);
    assert.equal(f.appliedIsVerified, true);
    assert.match(f.message, new RegExp(`^applied 1\\.0\\.0@${c.first}, cosign bundle signature verified with ${l.namespace}/cosign-pub`), label(n));
    assert.match(f.message, new RegExp(`OCIRepository/${l.namespace}/behind runs ${c.second}; Kustomization is suspended`), label(n));
    assert.equal(f.next, `resume it (flux resume kustomization behind -n ${l.namespace}) so that it applies the revision its source runs`);
    assert.equal(f.flux.ready?.status, 'True');
    assert.equal(f.flux.ready?.message, condition(k, 'Ready')?.message);
    // the applied digest, verified on its own: its reference and its signature
    assert.deepEqual(n.artifact?.ref, { kind: 'digest', digest: c.first });
    assert.ok(n.signatures.some((s) => s.verified), JSON.stringify(n.signatures));
  });

  it('(a) says so in the table and the wide table, and does not fail CI unless --fail-on behind', async (t) => {
    const l = lab();
    const table = await runPlugin(['--kubeconfig', l.cluster.kubeconfig, '-n', l.namespace, '-o', 'table', '--color', 'never']);
    const row = table.stdout.split('\n').find((x) => /\bKustomization\s+behind\s/.test(x));
    assert.ok(row, table.stdout);
    assert.match(row, /✔ verified/);
    assert.match(row, /behind its source: applied 1\.0\.0@sha256:/);
    t.diagnostic(row);

    const wide = await runPlugin(['--kubeconfig', l.cluster.kubeconfig, '-n', l.namespace, '-o', 'wide', '--color', 'never']);
    const wideRow = wide.stdout.split('\n').find((x) => /\bKustomization\s+behind\s/.test(x));
    assert.ok(wideRow, wide.stdout);
    assert.match(wideRow, /\bbehind,suspended\b/);
    t.diagnostic(wideRow);
    assert.match(wideRow, new RegExp(`/${l.namespace}-behind\\b`));

    const scoped = ['--kubeconfig', l.cluster.kubeconfig, '-n', l.namespace, '-l', 'case=behind', '-o', 'json'];
    const byDefault = await runPlugin(scoped);
    assert.equal(byDefault.code, 0, byDefault.stdout + byDefault.stderr);
    const strict = await runPlugin([...scoped, '--fail-on', 'behind']);
    assert.equal(strict.code, 1, strict.stdout + strict.stderr);
  });

  it('(b) applied content that does not verify is a failure, while the source verifies its new revision', async () => {
    const l = lab();
    const c = l.unverified;
    const k = await getObject(l.cluster, 'kustomization', l.namespace, c.consumer.name);
    assert.equal(k.status?.lastAppliedRevision, `1.0.0@${c.first}`);
    assert.equal(condition(k, 'Ready')?.status, 'True');
    const src = await getObject(l.cluster, 'ocirepository', l.namespace, c.source);
    assert.equal(condition(src, 'SourceVerified')?.status, 'True');

    const { report, code } = await audit(l);
    assert.equal(code, 1);
    assertSourceOnSecond(report, l, c);
    const n = nodeOf(report, 'Kustomization', l.namespace, c.consumer.name);
    const f = n.finding;
    assert.equal(f.state, 'failed', label(n));
    assert.deepEqual(f.reasons, ['no-signature', 'applied-unverified', 'suspended'], label(n));
    assert.equal(f.appliedRevision, `1.0.0@${c.first}`);
    assert.equal(f.appliedIsVerified, false);
    assert.match(f.message, new RegExp(`^applied 1\\.0\\.0@${c.first}, which does not verify: `), label(n));
    assert.equal(f.flux.ready?.status, 'True', 'Flux itself is content with the consumer');
    assert.deepEqual(n.artifact?.ref, { kind: 'digest', digest: c.first });
    assert.deepEqual(n.signatures, []);
  });

  it('(c) a suspended HelmRelease by chartRef on a verified chart digest is behind its OCIRepository', async () => {
    const l = lab();
    const c = l.chart;
    const hr = await getObject(l.cluster, 'helmrelease', l.namespace, c.consumer.name);
    assert.equal(hr.status?.history?.[0]?.ociDigest, c.first);
    // helm-controller tracks the chart digest in the version it records: <version>+<digest[0:12]>
    assert.equal(hr.status?.history?.[0]?.chartVersion, `1.0.0+${c.first.slice('sha256:'.length, 'sha256:'.length + 12)}`);
    assert.equal(condition(hr, 'Ready')?.status, 'True');

    const { report } = await audit(l);
    const s = nodeOf(report, 'OCIRepository', l.namespace, c.source);
    assert.equal(s.finding.running?.revision, `1.0.1@${c.second}`);
    assertSourceOnSecond(report, l, c);
    const n = nodeOf(report, 'HelmRelease', l.namespace, c.consumer.name);
    const f = n.finding;
    assert.equal(f.state, 'verified', label(n));
    assert.deepEqual(f.reasons, ['behind', 'suspended'], label(n));
    assert.equal(f.appliedRevision, c.first);
    assert.equal(f.appliedIsVerified, true);
    assert.match(f.message, /HelmRelease is suspended/);
    assert.equal(f.next, `resume it (flux resume helmrelease hello -n ${l.namespace}) so that it applies the revision its source runs`);
    assert.ok(n.signatures.some((x) => x.verified));
  });

  // last: it resumes a consumer
  it('once resumed and reconciled, the consumer applies the source\'s revision and is plainly verified', async () => {
    const l = lab();
    const c = l.behind;
    await l.cluster.kubectl(['patch', 'kustomization', c.consumer.name, '-n', l.namespace, '--type', 'merge', '-p', '{"spec":{"suspend":false}}']);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const k = await getObject(l.cluster, 'kustomization', l.namespace, c.consumer.name);
      if (k.status?.lastAppliedRevision === `1.0.0@${c.second}`) break;
      if (Date.now() > deadline) throw new Error(`Kustomization did not apply ${c.second}: ${JSON.stringify(k.status?.conditions)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const { report } = await audit(l);
    const n = nodeOf(report, 'Kustomization', l.namespace, c.consumer.name);
    assert.equal(n.finding.state, 'verified', label(n));
    assert.deepEqual(n.finding.reasons, ['verified'], label(n));
    assert.equal(n.finding.appliedIsVerified, true);
    assert.equal(n.artifact, undefined, 'no plan of its own once it applies what its source runs');
  });
});
