import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareVersions, parseConstraints, parseTagVersion, parseVersion, satisfies, type SemVersion } from '../../../src/registry/semver.js';
import { selectSemverTag } from '../../../src/registry/resolve.js';
import { VerifyError } from '../../../src/errors.js';

// Expected answers were produced by Masterminds/semver v3.4.0 itself (NewConstraint + NewVersion +
// Check), run over these exact inputs; 2,939 generated combinations agreed as well when written.
const CHECKS: [constraint: string, version: string, expected: boolean | 'error'][] = [
["1.2.3", "1.2.3", true],
  ["1.2.3", "1.2.4", false],
  ["1.2", "1.2.9", true],
  ["1.2", "1.3.0", false],
  ["1", "1.9.9", true],
  ["1", "2.0.0", false],
  ["1.x", "1.4.0", true],
  ["1.2.x", "1.2.7", true],
  ["1.2.x", "1.3.0", false],
  ["*", "4.5.6", true],
  ["*", "1.2.3-alpha", false],
  ["x", "0.0.0", true],
  ["v1.2", "1.2.5", true],
  ["!=1.2.3", "1.2.3", false],
  ["!=1.2.3", "1.2.4", true],
  ["!=1.2", "1.2.9", false],
  ["!=1.x", "2.0.0", true],
  ["!=4.1-alpha", "4.1.0", true],
  [">1.2.3", "1.2.4", true],
  [">1.2.3", "1.2.3", false],
  [">1.2", "1.2.9", false],
  [">1.2", "1.3.0", true],
  [">1", "1.9.9", false],
  [">1", "2.0.0", true],
  [">=1.2.3", "1.2.3", true],
  ["=>1.2", "1.2.0", true],
  ["<1.2.3", "1.2.2", true],
  ["<1.2.3", "1.2.3-alpha", false],
  ["<=1.2", "1.2.9", true],
  ["<=1.2", "1.3.0", false],
  ["=<1", "1.9.9", true],
  ["~1.2.3", "1.2.9", true],
  ["~1.2.3", "1.3.0", false],
  ["~1.2", "1.2.0", true],
  ["~1", "1.9.0", true],
  ["~>1.2.3", "1.2.4", true],
  ["~0", "0.9.0", true],
  ["~*", "2.1.1", true],
  ["^1.2.3", "1.9.9", true],
  ["^1.2.3", "2.0.0", false],
  ["^0.2.3", "0.2.9", true],
  ["^0.2.3", "0.3.0", false],
  ["^0.0.3", "0.0.3", true],
  ["^0.0.3", "0.0.4", false],
  ["^0.0", "0.0.9", true],
  ["^0.0", "0.1.0", false],
  ["^0", "0.9.0", true],
  ["^*", "1.0.0", false],
  ["^*", "0.5.0", false],
  ["^1.x", "1.5.0", true],
  ["1.2 - 1.4.5", "1.4.5", true],
  ["1.2 - 1.4.5", "1.4.6", false],
  ["1.2 - 1.4.5", "1.1.9", false],
  ["1 - 2", "2.9.0", true],
  ["1 - 2", "3.0.0", false],
  [">=1.0.0 <2.0.0", "1.5.0", true],
  [">=1.0.0, <2.0.0", "2.0.0", false],
  [">= 1.0.0,<2.0.0", "1.0.0", true],
  [">1.0 || <0.5", "0.4.0", true],
  [">1.0 || <0.5", "0.7.0", false],
  ["^1.2.3 || ^2", "2.5.0", true],
  [">=1.2.3-alpha", "1.2.3-beta", true],
  [">=1.2.3-alpha", "1.3.0", true],
  [">=1.2.3-alpha", "1.3.0-rc.1", true],
  [">=1.0.0-0 <2.0.0", "1.5.0-rc.1", true],
  [">=1.0.0", "1.5.0-rc.1", false],
  [">=1.0.0 || >=1.0.0-0", "1.5.0-rc.1", true],
  [">=1.2.3-beta.2 <1.2.3-beta.10", "1.2.3-beta.9", true],
  [">=1.2.3-beta.2 <1.2.3-beta.10", "1.2.3-beta.10", false],
  ["1.2.3+build", "1.2.3", true],
  ["~1.2.3-beta", "1.2.3-rc.1", true],
  [">=01.2.3", "1.2.3", true],
  ["  >=1.2.3  ", "1.2.3", true],
  [">=v1.2.3", "1.2.3", true],
  ["", "1.0.0", 'error'],
  ["abc", "1.0.0", 'error'],
  [">=1.2.3 ||", "1.2.3", 'error'],
  [">> 1", "1.0.0", 'error'],
  [">=1.2.3,,<2", "1.5.0", 'error'],
  ["1.2.3-01", "1.2.3", 'error'],
];

// [input, NewVersion (loose) result, StrictNewVersion of the input without its leading v] from Go.
const VERSIONS: [input: string, loose: string, strict: string][] = [
  ["1.2.3", "1.2.3", "1.2.3"],
  ["v1.2.3", "1.2.3", "1.2.3"],
  ["1.2", "1.2.0", "ERR"],
  ["v1.2", "1.2.0", "ERR"],
  ["1", "1.0.0", "ERR"],
  ["01.2.3", "1.2.3", "1.2.3"],
  ["v2025.02.03", "2025.2.3", "2025.2.3"],
  ["2025.02.03-rc.1", "2025.2.3-rc.1", "2025.2.3-rc.1"],
  ["1.2.3-rc.1", "1.2.3-rc.1", "1.2.3-rc.1"],
  ["1.2.3-01", "ERR", "ERR"],
  ["1.2.3+build.5", "1.2.3+build.5", "1.2.3+build.5"],
  ["1.2.3-beta+exp", "1.2.3-beta+exp", "1.2.3-beta+exp"],
  ["1.2.3.4", "ERR", "ERR"],
  ["latest", "ERR", "ERR"],
  ["1.2.3-", "ERR", "ERR"],
  ["v1.2.3-rc.1+b", "1.2.3-rc.1+b", "1.2.3-rc.1+b"],
];

function show(v: SemVersion | undefined): string {
  if (!v) return 'ERR';
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease ? `-${v.prerelease}` : ''}${v.metadata ? `+${v.metadata}` : ''}`;
}

describe('semver: Masterminds constraint checks', () => {
  for (const [constraint, version, expected] of CHECKS) {
    it(`${JSON.stringify(constraint)} vs ${version} → ${String(expected)}`, () => {
      if (expected === 'error') {
        assert.throws(() => parseConstraints(constraint));
        return;
      }
      const v = parseVersion(version);
      assert.ok(v);
      assert.equal(satisfies(v, parseConstraints(constraint)), expected);
    });
  }
});

describe('semver: version parsing', () => {
  for (const [input, loose, strict] of VERSIONS) {
    it(`${input}: loose ${loose}, Flux tag ${strict}`, () => {
      assert.equal(show(parseVersion(input)), loose);
      // Flux's ParseVersion (pkg/version v0.16): three dot-separated parts, then Masterminds' coercing NewVersion
      assert.equal(show(parseTagVersion(input)), strict);
    });
  }

  it('orders prereleases as semver 2.0.0 §11 does', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
    for (let i = 0; i + 1 < ordered.length; i++) {
      assert.equal(compareVersions(parseVersion(ordered[i] as string) as SemVersion, parseVersion(ordered[i + 1] as string) as SemVersion), -1, `${ordered[i]} < ${ordered[i + 1]}`);
    }
    assert.equal(compareVersions(parseVersion('1.0.0+a') as SemVersion, parseVersion('1.0.0+b') as SemVersion), 0, 'build metadata does not order');
  });

  it('compare is antisymmetric and reflexive (property)', () => {
    const part = fc.integer({ min: 0, max: 30 });
    const pre = fc.oneof(fc.constant(''), fc.constantFrom('alpha', 'beta', 'rc', '1', '2', '10', 'alpha.1', 'rc.2'));
    const version = fc.tuple(part, part, part, pre).map(([a, b, c, p]) => parseVersion(`${a}.${b}.${c}${p ? `-${p}` : ''}`) as SemVersion);
    fc.assert(
      fc.property(version, version, (a, b) => compareVersions(a, b) === -compareVersions(b, a) && compareVersions(a, a) === 0),
      { seed: 20260801, numRuns: 500 },
    );
  });
});

describe('selectSemverTag: the tag source-controller would pull', () => {
  const tags = ['latest', '1.0.0', 'v1.1.0', '1.2', '1.2.0-rc.1', '1.3.0-rc.1', '2.0.0', 'sha256-abc.sig', 'v1.1.0+build'];

  it('picks the highest match and returns the tag as pushed (v prefix kept)', () => {
    assert.equal(selectSemverTag(tags, '<2.0.0')?.tag, 'v1.1.0');
    assert.equal(selectSemverTag(tags, '>=1.0.0')?.tag, '2.0.0');
  });

  it('never picks partial versions like 1.2; reads leading zeros as pkg/version v0.16 does (Masterminds coerces them)', () => {
    assert.equal(selectSemverTag(['1.2', 'v2'], '*'), undefined);
    assert.equal(selectSemverTag(['1.2', '01.5.0', '1.4.0'], '*')?.tag, '01.5.0');
    // date versions, the case pkg/version's comment names
    assert.equal(selectSemverTag(['v2025.01.15', 'v2025.02.03', 'v2024.12.31'], '>=2025.0.0')?.tag, 'v2025.02.03');
  });

  it('lets prereleases in only when the constraint names one', () => {
    assert.equal(selectSemverTag(tags, '~1.3')?.tag, undefined);
    assert.equal(selectSemverTag(tags, '>=1.2.0-0 <2.0.0')?.tag, '1.3.0-rc.1');
  });

  it('keeps the first of equal versions in listing order', () => {
    assert.equal(selectSemverTag(['v1.1.0', '1.1.0', 'v1.1.0+build'], '1.1.0')?.tag, 'v1.1.0');
  });

  it('applies semverFilter as an unanchored Go regexp before parsing', () => {
    const t = ['1.0.0', '1.1.0-dev.1', '1.1.0-dev.2', '1.2.0'];
    assert.equal(selectSemverTag(t, '>=1.0.0-0', { semverFilter: String.raw`.*-dev\.\d+` })?.tag, '1.1.0-dev.2');
    assert.equal(selectSemverTag(t, '>=1.0.0-0', { semverFilter: 'dev' })?.tag, '1.1.0-dev.2');
    // RE2 syntax that JavaScript lacks: \z and inline flags
    assert.equal(selectSemverTag(['1.0.0', '1.5.0-DEV'], '>=1.0.0-0', { semverFilter: String.raw`(?i)dev\z` })?.tag, '1.5.0-DEV');
  });

  it('maps Helm chart tags _ → + before parsing, and returns the tag as stored', () => {
    const choice = selectSemverTag(['1.0.0', '1.1.0_build.7'], '>=1.0.0', { helmChart: true });
    assert.equal(choice?.tag, '1.1.0_build.7');
    assert.equal(choice?.version.original, '1.1.0+build.7');
    assert.equal(selectSemverTag(['1.0.0', '1.1.0_build.7'], '>=1.0.0')?.tag, '1.0.0');
  });

  it('reports a bad constraint or filter as registry.bad-constraint', () => {
    assert.throws(() => selectSemverTag(tags, '>>1'), (e: unknown) => e instanceof VerifyError && e.code === 'registry.bad-constraint');
    assert.throws(() => selectSemverTag(tags, '*', { semverFilter: '(a' }), (e: unknown) => e instanceof VerifyError && e.code === 'registry.bad-constraint');
    // a backreference is valid in JavaScript, not in Go
    assert.throws(() => selectSemverTag(tags, '*', { semverFilter: String.raw`(a)\1` }), (e: unknown) => e instanceof VerifyError && e.code === 'registry.bad-constraint');
  });
});
