import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartRef, chartUrl, parseRevision, shortDigest } from '../../../src/graph/index.js';

const HEX = '3b6cdcc7'.repeat(8);

describe('parseRevision', () => {
  const table: [string, string, ReturnType<typeof parseRevision>][] = [
    ['current tag@digest', `6.5.0@sha256:${HEX}`, { revision: `6.5.0@sha256:${HEX}`, tag: '6.5.0', digest: `sha256:${HEX}` }],
    ['latest@digest', `latest@sha256:${HEX}`, { revision: `latest@sha256:${HEX}`, tag: 'latest', digest: `sha256:${HEX}` }],
    ['digest only (ref.digest)', `sha256:${HEX}`, { revision: `sha256:${HEX}`, digest: `sha256:${HEX}` }],
    ['sha512 digest', `v1@sha512:${'ab'.repeat(64)}`, { revision: `v1@sha512:${'ab'.repeat(64)}`, tag: 'v1', digest: `sha512:${'ab'.repeat(64)}` }],
    ['legacy tag/hex', `6.1.8/${HEX}`, { revision: `6.1.8/${HEX}`, tag: '6.1.8', digest: `sha256:${HEX}` }],
    ['legacy tag with slashes', `release/v1/${HEX}`, { revision: `release/v1/${HEX}`, tag: 'release/v1', digest: `sha256:${HEX}` }],
    ['legacy HEAD/hex', `HEAD/${HEX}`, { revision: `HEAD/${HEX}`, digest: `sha256:${HEX}` }],
    ['bare 64-hex', HEX, { revision: HEX, digest: `sha256:${HEX}` }],
    ['legacy with a 40-hex (git) value', `main/${'a'.repeat(40)}`, { revision: `main/${'a'.repeat(40)}` }],
    ['uppercase hex is not a digest', `6.5.0@sha256:${HEX.toUpperCase()}`, { revision: `6.5.0@sha256:${HEX.toUpperCase()}` }],
    ['short digest', '6.5.0@sha256:abc', { revision: '6.5.0@sha256:abc' }],
    ['chart version', '6.0.3', { revision: '6.0.3' }],
    ['colon without @ is not legacy', `x:y/${HEX}`, { revision: `x:y/${HEX}` }],
    ['empty', '', { revision: '' }],
    ['garbage', 'not a revision', { revision: 'not a revision' }],
  ];
  for (const [name, input, want] of table) {
    it(name, () => assert.deepEqual(parseRevision(input), want));
  }

  it('shortens digests for messages only', () => {
    assert.equal(shortDigest(`sha256:${HEX}`), 'sha256:3b6cdcc73b6c…');
    assert.equal(shortDigest('plain'), 'plain');
  });
});

describe('chart references', () => {
  it('joins the repository URL path and the chart name as path.Join does', () => {
    assert.equal(chartUrl('oci://ghcr.io/org/charts', 'podinfo'), 'oci://ghcr.io/org/charts/podinfo');
    assert.equal(chartUrl('oci://ghcr.io/org/charts/', 'podinfo'), 'oci://ghcr.io/org/charts/podinfo');
    assert.equal(chartUrl('oci://reg:5000', 'podinfo'), 'oci://reg:5000/podinfo');
    assert.equal(chartUrl('oci://reg/a//b/', 'sub/chart'), 'oci://reg/a/b/sub/chart');
  });

  const table: [string, ReturnType<typeof chartRef>][] = [
    ['6.5.0', { kind: 'tag', tag: '6.5.0' }],
    ['v6.5.0', { kind: 'tag', tag: 'v6.5.0' }],
    ['1.0.0+abc.1', { kind: 'tag', tag: '1.0.0_abc.1' }],
    ['1.0.0-rc.1+meta', { kind: 'tag', tag: '1.0.0-rc.1_meta' }],
    ['1.2', { kind: 'semver', constraint: '1.2', helmTags: true }],
    // getChartVersion's shortcut is pkg/version ParseVersion, which coerces leading zeros: an exact version
    ['01.2.3', { kind: 'tag', tag: '01.2.3' }],
    ['>=6.0.0 <7', { kind: 'semver', constraint: '>=6.0.0 <7', helmTags: true }],
    ['6.x', { kind: 'semver', constraint: '6.x', helmTags: true }],
    ['*', { kind: 'semver', constraint: '*', helmTags: true }],
    ['', { kind: 'semver', constraint: '*', helmTags: true }],
  ];
  for (const [version, want] of table) {
    it(`version ${JSON.stringify(version)}`, () => assert.deepEqual(chartRef(version), want));
  }
});
