import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fluxFor } from '../../../src/audit/flux-version.js';
import { assemble, type PlanReportInput } from '../../../src/audit/report.js';
import type { Graph, GraphNode, PlanTrust, VerifyPlan } from '../../../src/graph/types.js';
import type { ObjectSource } from '../../../src/kube/types.js';
import { palette } from '../../../src/report/color.js';
import { exitCodeFor } from '../../../src/report/exit.js';
import type { Report, ReportNode } from '../../../src/report/model.js';
import { printReport, type PrintOptions } from '../../../src/report/print/index.js';
import { detailLines, lineText } from '../../../src/tui/detail.js';
import { evaluateVersionRules, versionFacts } from '../../../src/verdict/flux-versions.js';
import type { SignatureEvidence } from '../../../src/verify/evidence.js';
import { fleet, report } from './fixtures.js';
import { assertGolden } from './golden.js';

/**
 * The Flux version in the report (`flux`, `finding.versionNotes`, reason `flux-version`): how the
 * audit fills them, how `--fail-on` reads them, and how the printed views and the TUI detail show them.
 */

const DIGEST = `sha256:${'b'.repeat(64)}`;
const bundle = {
  mechanism: 'cosign-bundle',
  foundAt: { via: 'referrers-api', digest: `sha256:${'c'.repeat(64)}` },
  verified: true,
  attempts: [{ trust: { kind: 'key', label: 'apps/cosign-pub cosign.pub', source: 'object' }, ok: true, checks: [{ check: 'signature', ok: true, code: 'ok', message: 'ok' }] }],
} as SignatureEvidence;
const trust: PlanTrust = { provider: 'cosign', mode: 'cosign-key', namespace: 'apps', secretRef: 'cosign-pub', matchOIDCIdentity: [], origin: 'object' };

function assembled(flux: Report['flux'], insecure = false): Report {
  const plan = { id: 'p1', artifact: { url: 'oci://registry.example/app', ref: { kind: 'digest', digest: DIGEST }, running: { revision: DIGEST, digest: DIGEST } }, access: { namespace: 'apps', provider: 'generic', insecure, secretFormats: 'dockerconfigjson' }, trust, nodeIds: ['OCIRepository/apps/app'] } as unknown as VerifyPlan;
  const node = { type: 'dangling', kind: 'OCIRepository', namespace: 'apps', name: 'app', id: 'OCIRepository/apps/app', ref: { kind: 'OCIRepository', namespace: 'apps', name: 'app' }, sourceIds: [], consumerIds: [], notes: [], planId: 'p1', trust } as GraphNode;
  const graph: Graph = { nodes: [node], edges: [], roots: [], plans: [plan], gitPlans: [] } as unknown as Graph;
  const byPlan = new Map<string, PlanReportInput>([['p1', { outcome: { trustFrom: 'object', registryDigest: DIGEST }, running: { signatures: [bundle] } }]]);
  return assemble(graph, byPlan, [], { description: { cluster: 'lab' } }, { scope: {}, now: new Date('2026-11-22T00:42:00Z'), version: '0.0.0', ...(flux ? { flux } : {}) });
}

describe('the audit fills flux and versionNotes', () => {
  it('at an older source-controller: the note, the secondary reason last, and report.flux', () => {
    const r = assembled({ version: '1.7.4', from: 'flag', detail: '--flux-version 1.7.4', running: '1.9.4' });
    assert.deepEqual(r.flux, { version: '1.7.4', from: 'flag', detail: '--flux-version 1.7.4', running: '1.9.4' });
    const f = r.nodes[0]?.finding;
    assert.deepEqual(f?.versionNotes, [{ rule: 'cosign-bundle', from: '1.8.0', message: 'source-controller v1.7.4 finds no cosign v3 bundle: Flux there would fail this object for lack of a .sig signature (bundles from v1.8.0)' }]);
    assert.equal(f?.reasons.at(-1), 'flux-version');
    assert.ok((f?.reasons.length ?? 0) > 1, 'a secondary reason, never the primary');
  });

  it('the plan\'s registry access counts: a plain-HTTP registry on 1.8.x', () => {
    assert.deepEqual(assembled({ version: '1.8.5', from: 'deployment' }, true).nodes[0]?.finding.versionNotes?.map((n) => n.rule), ['bundle-insecure-ca']);
    assert.equal(assembled({ version: '1.8.5', from: 'deployment' }, false).nodes[0]?.finding.versionNotes, undefined);
  });

  it('at the latest release, an unknown version, or none at all: no notes, no reason', () => {
    for (const flux of [{ version: '1.9.4', from: 'deployment' as const }, { from: 'unknown' as const, detail: 'forbidden' }, undefined]) {
      const r = assembled(flux);
      assert.equal(r.nodes[0]?.finding.versionNotes, undefined);
      assert.ok(!r.nodes[0]?.finding.reasons.includes('flux-version'));
      assert.equal('flux' in r, flux !== undefined);
    }
  });

  it('report.flux: the running version, or the flag\'s with the running one beside it; nothing for a source without one', async () => {
    const cluster = { fluxVersion: () => Promise.resolve({ version: '1.9.4', from: 'deployment' as const, detail: 'Deployment flux-system/source-controller, image x:v1.9.4' }) } as unknown as ObjectSource;
    assert.deepEqual(await fluxFor(cluster, undefined), { version: '1.9.4', from: 'deployment', detail: 'Deployment flux-system/source-controller, image x:v1.9.4' });
    assert.deepEqual(await fluxFor(cluster, { version: '1.7.0', detail: '--flux-version 1.7.0' }), { version: '1.7.0', from: 'flag', detail: '--flux-version 1.7.0', running: '1.9.4' });
    const files = {} as ObjectSource;
    assert.equal(await fluxFor(files, undefined), undefined);
    assert.deepEqual(await fluxFor(files, { version: '1.7.0', detail: '--flux-version 1.7.0' }), { version: '1.7.0', from: 'flag', detail: '--flux-version 1.7.0' });
  });
});

/** The fixture fleet read at source-controller 1.7.4 by --flux-version, with the notes the rules give. */
function fleetAt174(): Report {
  const r = fleet();
  const nodes: ReportNode[] = r.nodes.map((n) => {
    const notes = evaluateVersionRules(versionFacts(n), '1.7.4');
    return notes.length === 0 ? n : { ...n, finding: { ...n.finding, reasons: [...n.finding.reasons, 'flux-version'], versionNotes: notes } };
  });
  return { ...r, nodes, flux: { version: '1.7.4', from: 'flag', detail: '--flux-version 1.7.4', running: '1.9.4' } };
}

describe('--fail-on flux-version', () => {
  it('is opt-in: the default exit code is unchanged', () => {
    const podinfo = fleetAt174().nodes.find((n) => n.id === 'OCIRepository/apps/podinfo');
    assert.ok(podinfo?.finding.reasons.includes('flux-version'), 'the fixture has a note');
    const only = report([podinfo as ReportNode]);
    assert.equal(exitCodeFor(only), 0);
    assert.equal(exitCodeFor(only, ['flux-version']), 1);
    assert.equal(exitCodeFor(report([fleet().nodes.find((n) => n.id === 'OCIRepository/apps/podinfo') as ReportNode]), ['flux-version']), 0);
  });
});

describe('views (golden files)', () => {
  const plain: PrintOptions = { palette: palette(false) };
  for (const format of ['table', 'wide', 'tree', 'summary'] as const) {
    it(`${format}: the version line, and (wide, tree) the notes under their node`, () => assertGolden(format, 'flux-version', printReport(format, fleetAt174(), plain)));
  }

  it('--no-headers prints no version line; a report without a known version prints none either', () => {
    for (const format of ['table', 'wide', 'summary'] as const) {
      assert.ok(!printReport(format, fleetAt174(), { ...plain, noHeaders: true }).includes('Flux: source-controller'), format);
      assert.ok(!printReport(format, { ...fleetAt174(), flux: { from: 'unknown', detail: 'forbidden' } }, plain).startsWith('Flux:'), format);
    }
  });

  it('the TUI detail lists the notes in a "Flux version" section', () => {
    const r = fleetAt174();
    const podinfo = r.nodes.find((n) => n.id === 'OCIRepository/apps/podinfo') as ReportNode;
    const text = detailLines(podinfo, r).map(lineText);
    const at = text.findIndex((l) => l.startsWith('  Flux version'));
    assert.ok(at >= 0, text.join('\n'));
    assert.match(text[at] ?? '', /source-controller v1\.7\.4 \(--flux-version\)/);
    assert.match(text[at + 1] ?? '', /⚑ source-controller v1\.7\.4 finds no cosign v3 bundle: .*\[cosign-bundle, as the finding from v1\.8\.0\]/);
    assert.ok(text.some((l) => l.includes('flux-version (decided differently by this Flux version)')));
    const plainNode = fleet().nodes.find((n) => n.id === 'OCIRepository/apps/podinfo') as ReportNode;
    assert.ok(!detailLines(plainNode, fleet()).map(lineText).some((l) => l.includes('Flux version')));
  });
});
