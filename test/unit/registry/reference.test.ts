import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { VerifyError } from '../../../src/errors.js';
import { formatArtifactRef, parseArtifactRef, type ArtifactRef } from '../../../src/registry/reference.js';
import { cosignSignatureTag, referrersTag } from '../../../src/registry/tags.js';

const D = `sha256:${'ab'.repeat(32)}`;
const D512 = `sha512:${'cd'.repeat(64)}`;

describe('parseArtifactRef: valid references', () => {
  const cases: [string, ArtifactRef][] = [
    ['oci://ghcr.io/stefanprodan/podinfo:6.5.0', { kind: 'registry', host: 'ghcr.io', repository: 'stefanprodan/podinfo', tag: '6.5.0' }],
    ['oci://127.0.0.1:5000/apps/podinfo', { kind: 'registry', host: '127.0.0.1:5000', repository: 'apps/podinfo' }],
    [`oci://reg.example/a/b/c@${D}`, { kind: 'registry', host: 'reg.example', repository: 'a/b/c', digest: D }],
    [`oci://reg.example/a:v1@${D512}`, { kind: 'registry', host: 'reg.example', repository: 'a', tag: 'v1', digest: D512 }],
    ['oci://localhost:5000/x__y-z.w:1.0.0_build', { kind: 'registry', host: 'localhost:5000', repository: 'x__y-z.w', tag: '1.0.0_build' }],
    ['oci://[::1]:5000/repo:t', { kind: 'registry', host: '[::1]:5000', repository: 'repo', tag: 't' }],
    ['oci://docker.io/alpine:3', { kind: 'registry', host: 'index.docker.io', repository: 'library/alpine', tag: '3' }],
    ['oci://registry-1.docker.io/fluxcd/flux', { kind: 'registry', host: 'index.docker.io', repository: 'fluxcd/flux' }],
    ['oci-layout:///tmp/layout:v2', { kind: 'layout', path: '/tmp/layout', tag: 'v2' }],
    [`oci-layout://./rel/dir@${D}`, { kind: 'layout', path: './rel/dir', digest: D }],
    ['oci-layout://dir.v1/sub', { kind: 'layout', path: 'dir.v1/sub' }],
    [`oci-layout://C:/x/layout:v1@${D}`, { kind: 'layout', path: 'C:/x/layout', tag: 'v1', digest: D }],
  ];
  for (const [input, expected] of cases) {
    it(input, () => {
      assert.deepEqual(parseArtifactRef(input), expected);
    });
  }
});

describe('parseArtifactRef: malformed input says what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['https://ghcr.io/x', /start with oci:\/\//],
    ['oci://ghcr.io', /no repository/],
    ['oci://ghcr.io/', /repository name is empty/],
    ['oci://ghcr.io/Stefan/podinfo', /must be lowercase/],
    ['oci://ghcr.io/a//b', /path component ""/],
    ['oci://ghcr.io/a:-bad', /tag "-bad"/],
    ['oci://ghcr.io/a@sha256:abc', /digest "sha256:abc"/],
    [`oci://ghcr.io/a@SHA256:${'ab'.repeat(32)}`, /digest/],
    [`oci://ghcr.io/a@md5:${'ab'.repeat(16)}`, /digest/],
    ['oci://host:99999/a', /port 99999/],
    ['oci://bad_host/a', /host "bad_host"/],
    ['oci-layout://', /empty path/],
    [`oci-layout://:v1`, /empty path/],
  ];
  for (const [input, why] of cases) {
    it(input, () => {
      assert.throws(() => parseArtifactRef(input), (e: unknown) => e instanceof VerifyError && e.code === 'registry.bad-reference' && why.test(e.message) && !e.message.includes('\n'));
    });
  }

  it('never echoes credentials written into the URL', () => {
    assert.throws(
      () => parseArtifactRef('oci://admin:hunter2@reg.example/a:1'),
      (e: unknown) => e instanceof VerifyError && e.code === 'registry.bad-reference' && !e.message.includes('hunter2') && e.message.includes('reg.example'),
    );
  });
});

describe('formatArtifactRef', () => {
  it('round-trips generated references (property)', () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,5}(?:[._-][a-z0-9]{1,4})?$/);
    const ref = fc.record({
      host: fc.constantFrom('ghcr.io', '127.0.0.1:5000', 'reg.example.com:443', 'localhost'),
      repository: fc.array(component, { minLength: 1, maxLength: 3 }).map((a) => a.join('/')),
      tag: fc.option(fc.stringMatching(/^\w[\w.-]{0,20}$/), { nil: undefined }),
      digest: fc.option(fc.constantFrom(D, D512), { nil: undefined }),
    });
    fc.assert(
      fc.property(ref, (r) => {
        const value: ArtifactRef = { kind: 'registry', host: r.host, repository: r.repository, ...(r.tag !== undefined && { tag: r.tag }), ...(r.digest !== undefined && { digest: r.digest }) };
        assert.deepEqual(parseArtifactRef(formatArtifactRef(value)), value);
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});

describe('signature tag names', () => {
  it('referrers tag schema and cosign .sig tag are different tags', () => {
    assert.equal(referrersTag(D), `sha256-${'ab'.repeat(32)}`);
    assert.equal(cosignSignatureTag(D), `sha256-${'ab'.repeat(32)}.sig`);
    // the schema truncates the hex part to 64 characters
    assert.equal(referrersTag(D512), `sha512-${'cd'.repeat(32)}`);
  });
  it('refuses a malformed digest', () => {
    assert.throws(() => cosignSignatureTag('sha256:xyz'), (e: unknown) => e instanceof VerifyError && e.code === 'registry.protocol');
  });
});
