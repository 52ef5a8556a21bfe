import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rowCells } from '../../../src/tui/rows.js';
import { DIGEST, node, OTHER, semverNode } from './fixtures.js';

const row = { key: 'k', id: 'k', depth: 0, guide: '', hasChildren: false, expanded: true };

describe('tree rows: the tag beside the digest', () => {
  it('names the tag Flux runs for a semver range, hex shortened', () => {
    const c = rowCells(row, semverNode(), 0);
    assert.equal(c.artifact, 'oci://registry.example/semver  semver >=6.0.0 <7.0.0 (filter ^6\\.) → 6.5.2@sha256:dbdb1097');
    // what runs, not what the registry now picks: the detail says that
    assert.ok(rowCells(row, semverNode({ tag: '6.5.3', digest: OTHER }), 0).artifact.endsWith('→ 6.5.2@sha256:dbdb1097'));
  });

  it('names the tag for a tag ref too, and the chart version for a HelmChart', () => {
    assert.ok(rowCells(row, node({ name: 't' }), 0).artifact.endsWith('tag 1.0.0 → 1.0.0@sha256:dbdb1097'));
    const base = node({ kind: 'HelmChart', name: 'chart' });
    const chart = {
      ...base,
      artifact: { url: 'oci://registry.example/charts/podinfo', ref: { kind: 'semver' as const, constraint: '6.5.x', helmTags: true }, running: { revision: '6.5.1' }, chart: { name: 'podinfo', version: '6.5.x' }, registryDigest: DIGEST, registryTag: '6.5.1' },
      finding: { ...base.finding, running: { revision: '6.5.1' } },
    };
    assert.equal(rowCells(row, chart, 0).artifact, 'oci://registry.example/charts/podinfo  chart podinfo 6.5.x → 6.5.1@sha256:dbdb1097');
  });
});
