import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kindMatches, matchesFilter, nodesToRows, rowCells, type RowQuery } from '../../../src/tui/rows.js';
import { DIGEST, fleet, id, node, report } from './fixtures.js';

const q = (over: Partial<RowQuery> = {}): RowQuery => ({ filter: '', collapsed: new Set(), problemsOnly: false, ...over });
const names = (rows: readonly { id: string }[]): string[] => rows.map((r) => r.id.split('/')[2] as string);

describe('nodesToRows', () => {
  it('puts problems first and sources under their consumers', () => {
    const rows = nodesToRows(fleet(), q());
    assert.deepEqual(names(rows), ['unsigned', 'wrong-key', 'no-verify', 'apps', 'bundle', 'cert-manager']);
    const bundle = rows.find((r) => r.id === id('OCIRepository', 'apps', 'bundle'));
    assert.equal(bundle?.depth, 1);
    assert.equal(bundle?.guide, '└─ ');
    assert.equal(bundle?.key, `${id('Kustomization', 'apps', 'apps')} > ${id('OCIRepository', 'apps', 'bundle')}`);
    assert.equal(rows.find((r) => r.id.endsWith('/apps'))?.hasChildren, true);
  });

  it('collapses and expands by row key', () => {
    const ks = id('Kustomization', 'apps', 'apps');
    const rows = nodesToRows(fleet(), q({ collapsed: new Set([ks]) }));
    assert.ok(!rows.some((r) => r.id.endsWith('/bundle')));
    assert.equal(rows.find((r) => r.id === ks)?.expanded, false);
  });

  it('filters by name, fuzzily, and by reason code', () => {
    assert.deepEqual(names(nodesToRows(fleet(), q({ filter: 'wrong-key' }))), ['wrong-key']);
    assert.deepEqual(names(nodesToRows(fleet(), q({ filter: 'no-signature' }))), ['unsigned']);
    assert.deepEqual(names(nodesToRows(fleet(), q({ filter: 'crtmgr' }))), ['cert-manager']);
    // a match below keeps its consumer for context
    assert.deepEqual(names(nodesToRows(fleet(), q({ filter: 'bundle' }))), ['apps', 'bundle']);
    assert.deepEqual(nodesToRows(fleet(), q({ filter: 'zzzz' })), []);
  });

  it('shows problems only on ctrl-z', () => {
    assert.deepEqual(names(nodesToRows(fleet(), q({ problemsOnly: true }))), ['unsigned', 'wrong-key', 'no-verify']);
  });

  it('narrows to a namespace and a kind (:ns, :kind with aliases)', () => {
    assert.deepEqual(names(nodesToRows(fleet(), q({ namespace: 'infra' }))), ['cert-manager']);
    assert.deepEqual(names(nodesToRows(fleet(), q({ kind: 'ks' }))), ['apps']);
    // a source whose consumer is out of scope becomes a root
    assert.ok(names(nodesToRows(fleet(), q({ kind: 'ocirepository' }))).includes('bundle'));
    assert.ok(kindMatches('OCIRepository', 'ocirepositories'));
    assert.ok(kindMatches('HelmRelease', 'hr'));
    assert.ok(!kindMatches('HelmRelease', 'ks'));
  });

  it('matches reason codes as text', () => {
    const n = node({ name: 'x', state: 'failed', reasons: ['wrong-key'] });
    assert.ok(matchesFilter(n, 'wrong-key'));
    assert.ok(!matchesFilter(node({ name: 'y' }), 'wrong-key'));
  });

  it('shows a source under each consumer that uses it', () => {
    const src = id('OCIRepository', 'apps', 'shared');
    const r = report([
      node({ kind: 'Kustomization', name: 'a', sources: [src], artifact: false }),
      node({ kind: 'Kustomization', name: 'b', sources: [src], artifact: false }),
      node({ name: 'shared', consumers: [id('Kustomization', 'apps', 'a'), id('Kustomization', 'apps', 'b')] }),
    ]);
    const rows = nodesToRows(r, q());
    assert.equal(rows.filter((x) => x.id === src).length, 2);
    assert.equal(new Set(rows.map((x) => x.key)).size, rows.length);
  });
});

describe('rowCells', () => {
  it('shortens digests to 8 hex and takes glyph and tone from the reason severity', () => {
    const r = fleet();
    const wk = r.nodes.find((n) => n.name === 'wrong-key');
    assert.ok(wk);
    const c = rowCells({ key: wk.id, id: wk.id, depth: 0, guide: '', hasChildren: false, expanded: true }, wk, 0);
    assert.equal(c.glyph, '✘');
    assert.equal(c.tone, 'failed');
    assert.equal(c.verdict, 'FAILED · wrong key');
    assert.ok(c.artifact.includes('sha256:dbdb1097'));
    assert.ok(!c.artifact.includes(DIGEST));
    const ne = rowCells({ key: 'k', id: 'k', depth: 0, guide: '', hasChildren: false, expanded: true }, node({ name: 'n', state: 'not-enforced' }), 0);
    assert.deepEqual([ne.glyph, ne.tone], ['!', 'warning']);
    const p = rowCells({ key: 'k', id: 'k', depth: 0, guide: '', hasChildren: false, expanded: true }, node({ name: 'p', state: 'pending' }), 3);
    assert.equal(p.tone, 'pending');
    assert.notEqual(p.glyph, '✔');
  });
});
