import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report, ReportNode } from '../../src/report/model.js';
import { startCluster, type RunningCluster } from '../lab/cluster.js';
import { applyFidelityFleet, writeGitOpsFolder, type FidelityFleet } from '../lab/fidelity.js';
import { waitForFlux } from '../lab/fleet.js';
import { runPlugin } from '../lab/plugin.js';
import { useSeededLab } from '../lab/seeded.js';

// Each corner of Flux's behaviour that docs/flux-rules.md models, against the real source-controller:
// our state, reasons and message, Flux's SourceVerified as it wrote it, and whether we agree — in
// JSON and in the table and wide wording an engineer reads.

function nodeOf(report: Report, kind: string, ns: string, name: string): ReportNode {
  const n = report.nodes.find((x) => x.id === `${kind}/${ns}/${name}`);
  assert.ok(n, `no node ${kind}/${ns}/${name} in ${report.nodes.map((x) => x.id).join(', ')}`);
  return n;
}

async function auditJson(args: readonly string[]): Promise<Report> {
  const r = await runPlugin([...args, '-o', 'json']);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

/** Polls a jsonpath of an object until `ok` holds for it. */
async function waitForField(cluster: RunningCluster, ns: string, obj: string, jsonpath: string, ok: (v: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const v = await cluster.kubectl(['get', '-n', ns, obj, '-o', `jsonpath=${jsonpath}`]);
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${obj}: ${what} not seen within 90s (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const SV = '{.status.conditions[?(@.type=="SourceVerified")].status}';
const SV_MESSAGE = '{.status.conditions[?(@.type=="SourceVerified")].message}';

describe('findings that say exactly what Flux does (docs/flux-rules.md), against the real source-controller', () => {
  const seeded = useSeededLab('fidelity');
  const ns = 'fidelity';
  let cluster: RunningCluster | undefined;
  let fleet: FidelityFleet | undefined;
  before(async () => {
    cluster = await startCluster();
    await cluster.startSourceController();
    fleet = await applyFidelityFleet(cluster, seeded().seed, ns);
    await waitForFlux(cluster, ns);
  });
  after(async () => {
    await cluster?.stop();
  });
  const lab = (): { cluster: RunningCluster; fleet: FidelityFleet } => {
    if (!cluster || !fleet) throw new Error('the fidelity lab did not start (see the before hook)');
    return { cluster, fleet };
  };

  it('gives each case its state, reason and message, beside the verdict Flux wrote', async () => {
    const { cluster, fleet } = lab();
    // source-controller retries a failing object with backoff, and each retry begins by setting Ready to
    // Unknown ("reconciliation in progress") until it fails again: a read that lands in that moment sees
    // Flux mid-reconcile, which is another case than the one asserted. So the read is taken again (after
    // Flux has a verdict for every object) up to three times; a real regression fails all of them.
    let failures: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) {
        await new Promise((r) => setTimeout(r, 2000));
        await waitForFlux(cluster, ns);
      }
      failures = await judgeCases(cluster, fleet);
      if (failures.length === 0) break;
    }
    assert.deepEqual(failures, []);
  });

  const judgeCases = async (cluster: RunningCluster, fleet: FidelityFleet): Promise<string[]> => {
    const report = await auditJson(['--kubeconfig', cluster.kubeconfig, '-n', ns]);
    const failures: string[] = [];
    for (const c of fleet.cases) {
      const f = nodeOf(report, c.kind, ns, c.name).finding;
      const label = `item ${c.item} ${c.kind}/${c.name}: ${f.state} [${f.reasons.join(',')}] ${f.message} (Flux ${f.flux.sourceVerified?.status ?? 'none'}, agrees ${String(f.flux.agrees)})`;
      const sv = f.flux.sourceVerified?.status;
      const checks: [boolean, string][] = [
        [f.state === c.state, `state ${c.state}`],
        [f.reasons[0] === c.reason, `primary reason ${c.reason}`],
        [(c.also ?? []).every((r) => f.reasons.includes(r as never)), `reasons ${String(c.also)}`],
        [c.flux === 'absent' ? sv === undefined : c.flux === 'varies' ? sv === 'True' || sv === 'False' : sv === c.flux, `SourceVerified ${c.flux}`],
        [f.flux.agrees === c.agrees, `agrees ${String(c.agrees)}`],
        [c.message.test(f.message), `message ${String(c.message)}`],
      ];
      for (const [ok, what] of checks) if (!ok) failures.push(`${label}\n    expected ${what}`);
    }
    return failures;
  };

  it('says the same in the table and wide wording', async () => {
    const { cluster } = lab();
    const wide = await runPlugin(['--kubeconfig', cluster.kubeconfig, '-n', ns, '-o', 'wide', '--color=never']);
    assert.equal(wide.code, 1, wide.stderr);
    const row = (name: string): string => wide.stdout.split('\n').find((l) => new RegExp(`\\s${name}\\s`).test(l)) ?? assert.fail(`no row for ${name}:\n${wide.stdout}`);
    assert.match(row('key-order'), /✘ error .*Flux verdict varies: .*corrupt\.pub/);
    assert.match(row('k8s-secret'), /! weak .*private key in verify Secret: .*cosign\.key, cosign\.password/);
    assert.match(row('chart-bad-key'), /✘ failed .*SourceVerified=False .*Flux refuses: /);
    assert.match(row('refused-first'), /✘ failed .*SourceVerified=False .*wrong key: no artifact stored; .*Flux: failed to verify the signature/);
    assert.match(row('notation-skip'), /! not enforced .*level is skip/);
    assert.match(row('keyless-none'), /✘ failed .*Flux refuses: .*without a matchOIDCIdentity entry/);
    assert.match(row('keyless-on-key'), /✘ failed .*signed another way: no artifact stored; .*signed with a key; this object verifies keyless/);
    const table = await runPlugin(['--kubeconfig', cluster.kubeconfig, '-n', ns, '-o', 'table', '--color=never']);
    assert.match(table.stdout, /key-order\s.*Flux verdict varies/);
    assert.match(table.stdout, /keyless-two\s.*Flux refuses: .*matchOIDCIdentity has 2 entries/);
  });

  it('after a key rotation, says Flux verified with earlier trust, and the step it gives makes Flux verify again', async () => {
    const { cluster, fleet } = lab();
    await fleet.rotateKey();
    let f = nodeOf(await auditJson(['--kubeconfig', cluster.kubeconfig, '-n', ns]), 'OCIRepository', ns, 'rotated').finding;
    assert.equal(f.state, 'failed', f.message);
    assert.deepEqual(f.reasons.slice(0, 2), ['stale-verification', 'wrong-key'], f.message);
    assert.equal(f.flux.sourceVerified?.status, 'True', 'Flux has not verified again: same digest, same generation');
    assert.equal(f.flux.stale, true);
    assert.match(f.message, /Flux verified this digest earlier .* does not verify it again until the digest or the spec changes/);
    assert.match(f.next, /flux suspend then flux resume/);
    // what the next step says, done as the flux CLI does it: suspend, then resume (two new generations)
    await cluster.kubectl(['patch', '-n', ns, 'ocirepository/rotated', '--type', 'merge', '-p', '{"spec":{"suspend":true}}']);
    await cluster.kubectl(['patch', '-n', ns, 'ocirepository/rotated', '--type', 'merge', '-p', '{"spec":{"suspend":false}}']);
    await waitForField(cluster, ns, 'ocirepository/rotated', SV, (v) => v === 'False', 'SourceVerified=False');
    f = nodeOf(await auditJson(['--kubeconfig', cluster.kubeconfig, '-n', ns]), 'OCIRepository', ns, 'rotated').finding;
    assert.equal(f.state, 'failed', f.message);
    assert.equal(f.reasons[0], 'wrong-key', f.reasons.join(','));
    assert.equal(f.flux.sourceVerified?.status, 'False');
    assert.equal(f.flux.agrees, true, f.message);
  });

  it('says a moved tag was refused once Flux has refused it, without a bare green mark beside Ready=False', async () => {
    const { cluster, fleet } = lab();
    await fleet.moveAndReconcile();
    const message = await waitForField(cluster, ns, 'ocirepository/refused-move', SV_MESSAGE, (v) => /no matching signatures/.test(v), 'a refusal of the new digest');
    const report = await auditJson(['--kubeconfig', cluster.kubeconfig, '-n', ns]);
    const n = nodeOf(report, 'OCIRepository', ns, 'refused-move');
    const f = n.finding;
    assert.equal(f.state, 'verified', `what runs is still verified: ${f.message}`);
    assert.deepEqual(f.reasons.slice(0, 2), ['update-refused', 'drift'], f.message);
    assert.equal(f.flux.ready?.status, 'False');
    assert.equal(f.flux.agrees, true);
    assert.equal(f.drift?.nextReconcile, 'refused');
    assert.ok(f.drift?.registryDigest !== undefined && message.includes(f.drift.registryDigest), `Flux's message names the new digest: ${message}`);
    assert.match(f.message, /Flux refused the registry's sha256:[0-9a-f]{12}… and keeps running sha256:[0-9a-f]{12}…/);
    const table = await runPlugin(['--kubeconfig', cluster.kubeconfig, '-n', ns, '-o', 'table', '--color=always']);
    const row = table.stdout.split('\n').find((l) => l.includes('refused-move')) ?? assert.fail(table.stdout);
    const yellow = `${String.fromCharCode(27)}[33m✔ verified`;
    assert.ok(row.includes(yellow), `the mark is a warning, not green: ${JSON.stringify(row)}`);
    assert.match(row, /update refused: /);
  });

  it('judges a GitOps folder that was never reconciled on what its spec resolves to, and exits 0 when it verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-gitops-'));
    try {
      writeGitOpsFolder(dir, seeded().seed);
      const r = await runPlugin(['-f', dir, '-o', 'json']);
      const report = JSON.parse(r.stdout) as Report;
      const source = nodeOf(report, 'OCIRepository', 'prod', 'app').finding;
      assert.equal(source.state, 'verified', source.message);
      assert.ok(source.reasons.includes('not-reconciled'), source.reasons.join(','));
      assert.match(source.message, /not reconciled \(from files\): judged on what the spec resolves to now/);
      const consumer = nodeOf(report, 'Kustomization', 'prod', 'app').finding;
      assert.equal(consumer.state, 'verified', consumer.message);
      assert.equal(r.code, 0, `${r.stderr}\n${report.nodes.map((x) => `${x.id}: ${x.finding.state} ${x.finding.message}`).join('\n')}`);
      const table = await runPlugin(['-f', dir, '-o', 'table', '--color=never']);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /app\s.*✔ verified/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
