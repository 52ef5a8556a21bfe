import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { palette } from '../../../src/report/color.js';
import type { Report, ReportArtifact, ReportNode } from '../../../src/report/model.js';
import { printReport, type PrintFormat } from '../../../src/report/print/index.js';
import { registryIsNews, registryResolved, resolvedText, runningResolved } from '../../../src/report/resolved.js';
import { digest, fleet, report } from './fixtures.js';

// The tag a ref resolved to is printed beside every digest: Flux's (from its revision) for what runs,
// the registry resolution's for what the ref gives now. Fixture nodes: apps/search (semver, Flux runs
// 6.5.2, the range now picks 6.5.3), apps/ui (semver + semverFilter, no drift), the HelmChart 25.x.

const plain = { palette: palette(false) };
const print = (format: PrintFormat, r: Report): string => printReport(format, r, plain);
const short = (d: string): string => d.slice(0, 'sha256:'.length + 8);

function nodeOf(r: Report, id: string): ReportNode {
  const n = r.nodes.find((x) => x.id === id);
  assert.ok(n, `fixture has no ${id}`);
  return n;
}

function rowOf(out: string, name: string): string {
  const row = out.split('\n').find((l) => l.startsWith('apps ') && l.includes(' OCIRepository ') && l.includes(` ${name} `));
  assert.ok(row, `no row for ${name} in\n${out}`);
  return row;
}

/** One node, alone in a report, with its artifact changed. */
function variant(id: string, artifact: (a: ReportArtifact) => ReportArtifact, finding: Partial<ReportNode['finding']> = {}): Report {
  const n = nodeOf(fleet(), id);
  assert.ok(n.artifact);
  return report([{ ...n, consumerIds: [], artifact: artifact(n.artifact), finding: { ...n.finding, ...finding } }]);
}

describe('the resolved tag beside the digest', () => {
  const search = { running: digest('search:6.5.2'), registry: digest('search:6.5.3') };

  it('keeps Flux’s tag for what runs and the registry’s pick for what the ref gives now', () => {
    const n = nodeOf(fleet(), 'OCIRepository/apps/search');
    assert.deepEqual(runningResolved(n), { tag: '6.5.2', digest: search.running });
    assert.deepEqual(registryResolved(n), { tag: '6.5.3', digest: search.registry });
    assert.equal(resolvedText({ tag: '6.5.3', digest: search.registry }), `6.5.3@${search.registry}`);
    assert.equal(resolvedText({ digest: search.registry }), search.registry);
  });

  it('json and yaml carry registryTag beside registryDigest', () => {
    const r = fleet();
    const json = JSON.parse(print('json', r)) as Report;
    assert.equal(nodeOf(json, 'OCIRepository/apps/search').artifact?.registryTag, '6.5.3');
    assert.equal(nodeOf(json, 'OCIRepository/apps/ui').artifact?.registryTag, '2.1.0-rc.2');
    assert.equal(nodeOf(json, 'HelmChart/infra/infra-prometheus').artifact?.registryTag, '25.1.0');
    assert.match(print('yaml', r), /registryTag: 6\.5\.3\n/);
  });

  it('table: the revision names the tag Flux picked', () => {
    const out = print('table', fleet());
    assert.ok(rowOf(out, 'search').includes(` 6.5.2@${short(search.running)} `));
    assert.ok(rowOf(out, 'ui').includes(` 2.1.0-rc.2@${short(digest('ui:2.1.0-rc.2'))} `));
  });

  it('wide: RUNNING and REGISTRY each name their tag', () => {
    const row = rowOf(print('wide', fleet()), 'search');
    assert.ok(row.includes(` semver >=6.0.0 <7.0.0 `), row);
    assert.ok(row.includes(` 6.5.2@${short(search.running)} `), row);
    assert.ok(row.includes(` 6.5.3@${short(search.registry)} (drift: next reconcile accepted) `), row);
    const ui = rowOf(print('wide', fleet()), 'ui');
    assert.ok(ui.includes('semver >=2.0.0-0 (filter -rc\\.)'), ui);
  });

  it('tree: the artifact line names the running tag, the registry line the new pick', () => {
    const out = print('tree', fleet());
    assert.ok(out.includes(`artifact oci://registry.example/apps/search semver >=6.0.0 <7.0.0 → 6.5.2@${short(search.running)}\n`), out);
    assert.ok(out.includes(`registry now 6.5.3@${short(search.registry)} (drift: next reconcile accepted)\n`), out);
    // no drift and the same tag: the artifact line says it all
    assert.ok(!/apps\/ui[^\n]*\n[^\n]*\n[^\n]*registry now/.test(out));
  });

  it('tree: a range that picks another tag for the same digest says so, without drift', () => {
    const d = digest('search:6.5.2');
    const n = nodeOf(fleet(), 'OCIRepository/apps/search');
    assert.ok(n.artifact);
    const { drift: _, ...finding } = n.finding;
    const r = report([{ ...n, consumerIds: [], finding: { ...finding, reasons: ['verified'] }, artifact: { ...n.artifact, registryDigest: d, registryTag: '6.5.3' } }]);
    assert.ok(registryIsNews(r.nodes[0] as ReportNode));
    const out = print('tree', r);
    assert.ok(out.includes(`→ 6.5.2@${short(d)}\n`), out);
    assert.ok(out.includes(`registry now 6.5.3@${short(d)}\n`), out);
  });

  it('HelmChart: the chart version the constraint resolved to, with its digest', () => {
    const chartDigest = digest('prometheus:25.1.0');
    const r = fleet();
    assert.ok(print('tree', r).includes(`chart prometheus semver 25.x → 25.1.0@${short(chartDigest)}\n`));
    const wide = print('wide', r).split('\n').find((l) => l.includes(' HelmChart '));
    assert.ok(wide?.includes(` 25.1.0@${short(chartDigest)} `), wide);
  });

  it('HelmChart: Helm’s `_` tag for a `+` version is the running one; another version is news', () => {
    const d = digest('prometheus:25.1.0');
    const plus = variant('HelmChart/infra/infra-prometheus', (a) => ({ ...a, running: { revision: '25.1.0+abc' }, registryTag: '25.1.0_abc' }));
    assert.deepEqual(runningResolved(plus.nodes[0] as ReportNode), { tag: '25.1.0_abc', digest: d });
    assert.ok(print('tree', plus).includes(`→ 25.1.0_abc@${short(d)}\n`));
    // valuesFiles make the revision 25.1.0+2: not the tag's version, so the digest is not said to run
    const values = variant('HelmChart/infra/infra-prometheus', (a) => ({ ...a, running: { revision: '25.1.0+2' } }));
    const out = print('tree', values);
    assert.ok(out.includes('semver 25.x → 25.1.0+2\n'), out);
    assert.ok(out.includes(`registry now 25.1.0@${short(d)}\n`), out);
  });

  it('a digest ref has no tag to name', () => {
    const d = digest('search:6.5.2');
    const r = variant('OCIRepository/apps/ui', (a) => {
      const { registryTag: _, ...rest } = a;
      return { ...rest, ref: { kind: 'digest', digest: d }, running: { revision: d, digest: d }, registryDigest: d };
    }, { running: { revision: d, digest: d } });
    const n = r.nodes[0] as ReportNode;
    assert.deepEqual(runningResolved(n), { digest: d });
    assert.ok(!registryIsNews(n));
    assert.ok(print('tree', r).includes(`digest ${short(d)} → ${short(d)}\n`));
  });

  it('prints a tag from the cluster as one line without control characters', () => {
    const r = variant('OCIRepository/apps/ui', (a) => ({ ...a, running: { ...(a.running ?? { revision: '' }), tag: '2.1.0\u001b[31m\nrc' } }));
    for (const f of ['wide', 'tree'] as const) {
      const out = print(f, r);
      assert.ok(!out.includes('\u001b'), f);
      assert.ok(out.includes('2.1.0?[31m rc@sha256:'), `${f}: ${out}`);
    }
  });
});
