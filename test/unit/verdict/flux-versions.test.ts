import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evaluateVersionRules, VERSION_RULES, versionFacts, type VersionFacts } from '../../../src/verdict/flux-versions.js';
import { repoRoot } from '../../helpers/paths.js';

const base: VersionFacts = { kind: 'OCIRepository', identities: 0, trustedRoot: false, mechanisms: [], insecure: false, privateCa: false };
const oci = (over: Partial<VersionFacts>): VersionFacts => ({ ...base, provider: 'cosign', mode: 'cosign-key', refKind: 'digest', ...over });
const keyless = (over: Partial<VersionFacts>): VersionFacts => oci({ mode: 'cosign-keyless', identities: 1, ...over });

/**
 * Per rule: a node it applies to, a version below `from` where the note appears (at `from` it does
 * not), and a node it does not apply to at that same older version.
 */
const cases: Record<string, { applies: VersionFacts; below: string; not: VersionFacts; message?: RegExp }> = {
  'git-tag-modes': { applies: { ...base, kind: 'GitRepository', gitMode: 'TagAndHEAD' }, below: '1.0.0', not: { ...base, kind: 'GitRepository', gitMode: 'HEAD' }, message: /refuses mode TagAndHEAD/ },
  'oidc-identity': { applies: keyless({ mechanisms: ['cosign-legacy'] }), below: '1.1.0', not: oci({ mechanisms: ['cosign-legacy'] }), message: /accepts a certificate of any identity/ },
  notation: { applies: { ...base, kind: 'HelmChart', provider: 'notation', mode: 'notation', refKind: 'tag' }, below: '1.2.2', not: oci({}), message: /refuses provider notation/ },
  'cosign-bundle': {
    applies: oci({ mechanisms: ['cosign-bundle'] }),
    below: '1.7.4',
    not: oci({ mechanisms: ['cosign-legacy'] }),
    message: /^source-controller v1\.7\.4 finds no cosign v3 bundle: Flux there would fail this object for lack of a \.sig signature \(bundles from v1\.8\.0\)$/,
  },
  'bundle-identities': {
    applies: keyless({ identities: 2, mechanisms: ['cosign-bundle', 'cosign-legacy'] }),
    below: '1.7.0',
    not: keyless({ identities: 1, mechanisms: ['cosign-bundle', 'cosign-legacy'] }),
    message: /verifies the \.sig signature, where 2 matchOIDCIdentity entries match as OR; from v1\.8\.0 Flux verifies the bundle and refuses several identities/,
  },
  'bundle-insecure-ca': { applies: oci({ insecure: true, mechanisms: ['cosign-bundle'] }), below: '1.8.5', not: oci({ mechanisms: ['cosign-bundle'] }), message: /cannot look up bundles on a plain-HTTP registry: Flux there falls back to the \.sig signature and fails this object for lack of one/ },
  'trusted-root': { applies: keyless({ trustedRoot: true }), below: '1.8.5', not: { ...keyless({ trustedRoot: true }), kind: 'HelmChart' }, message: /uses the public-good Sigstore root instead of this one/ },
  'git-ssh': { applies: { ...base, kind: 'GitRepository', gitMode: 'HEAD', mechanisms: ['git-ssh'] }, below: '1.8.5', not: { ...base, kind: 'GitRepository', gitMode: 'HEAD', mechanisms: ['git-openpgp'] }, message: /verifies OpenPGP signatures only/ },
  'oci-digest': { applies: oci({ refKind: 'semver' }), below: '1.8.5', not: oci({ refKind: 'digest' }), message: /verifies the semver tag and resolves it again to pull/ },
  'chart-digest': { applies: { ...oci({ refKind: 'tag' }), kind: 'HelmChart' }, below: '1.9.3', not: { ...base, kind: 'HelmChart', refKind: 'tag' }, message: /verifies the chart by tag and downloads the tag again/ },
  'external-artifact': { applies: { ...base, kind: 'ExternalArtifact' }, below: '1.6.2', not: { ...base, kind: 'Bucket' }, message: /has no ExternalArtifact kind/ },
};

const ids = (facts: VersionFacts, at: string): string[] => evaluateVersionRules(facts, at).map((n) => n.rule);

describe('version rules, one test per row', () => {
  it('every rule has a case, and every case a rule', () => {
    assert.deepEqual(Object.keys(cases).sort(), VERSION_RULES.map((r) => r.id).sort());
  });

  for (const rule of VERSION_RULES) {
    it(`${rule.id}: noted below v${rule.from}, not at it, not for a node it does not concern`, () => {
      const c = cases[rule.id];
      assert.ok(c, `no case for ${rule.id}`);
      const below = evaluateVersionRules(c.applies, c.below).find((n) => n.rule === rule.id);
      assert.ok(below, `${rule.id} not noted at ${c.below}: ${ids(c.applies, c.below).join(', ')}`);
      assert.equal(below.from, rule.from);
      assert.match(below.message, new RegExp(`^source-controller v${c.below.replace(/\./g, '\\.')} `));
      if (c.message) assert.match(below.message, c.message);
      assert.ok(!ids(c.applies, rule.from).includes(rule.id), `${rule.id} still noted at ${rule.from}`);
      assert.ok(!ids(c.applies, '1.9.4').includes(rule.id), `${rule.id} noted at the latest release`);
      assert.ok(!ids(c.not, c.below).includes(rule.id), `${rule.id} noted for a node it does not concern`);
    });
  }
});

describe('evaluateVersionRules', () => {
  it('a bundle beside a .sig: an older release verifies the .sig alone', () => {
    const notes = evaluateVersionRules(oci({ mechanisms: ['cosign-bundle', 'cosign-legacy'] }), 'v1.7.4');
    assert.deepEqual(notes, [{ rule: 'cosign-bundle', from: '1.8.0', message: 'source-controller v1.7.4 finds no cosign v3 bundle: Flux there would verify the .sig signature alone (bundles from v1.8.0)' }]);
  });

  it('below 1.8.0 bundles are not looked for at all: only cosign-bundle speaks, not bundle-insecure-ca', () => {
    const f = oci({ privateCa: true, mechanisms: ['cosign-bundle'] });
    assert.deepEqual(ids(f, '1.7.4'), ['cosign-bundle']);
    assert.deepEqual(ids(f, '1.8.0'), ['bundle-insecure-ca']);
    assert.match(evaluateVersionRules(f, '1.8.0')[0]?.message ?? '', /a registry with a private CA \(certSecretRef\)/);
  });

  it('notes come in table order, and a version that does not parse gives none', () => {
    const f = keyless({ identities: 0, trustedRoot: true, refKind: 'tag', mechanisms: ['cosign-bundle', 'cosign-legacy'] });
    assert.deepEqual(ids(f, '1.0.0'), ['cosign-bundle', 'bundle-identities', 'trusted-root', 'oci-digest']);
    assert.deepEqual(ids(f, 'unknown'), []);
    assert.deepEqual(ids(f, '2.0.0'), []);
  });

  it('facts from a report node: trust, mechanisms once each, access, git mode, ref', () => {
    const facts = versionFacts(
      {
        kind: 'OCIRepository',
        trust: { provider: 'cosign', mode: 'cosign-keyless', matchOIDCIdentity: [{}, {}], trustedRootSecretRef: 'root' },
        signatures: [{ mechanism: 'cosign-bundle' }, { mechanism: 'cosign-bundle' }, { mechanism: 'cosign-legacy' }],
        artifact: { ref: { kind: 'tag' } },
      },
      { insecure: true, certSecretRef: 'ca' },
    );
    assert.deepEqual(facts, { kind: 'OCIRepository', provider: 'cosign', mode: 'cosign-keyless', identities: 2, trustedRoot: true, mechanisms: ['cosign-bundle', 'cosign-legacy'], insecure: true, privateCa: true, refKind: 'tag' });
    assert.deepEqual(versionFacts({ kind: 'GitRepository', signatures: [], git: { mode: 'Tag' } }), { kind: 'GitRepository', identities: 0, trustedRoot: false, mechanisms: [], insecure: false, privateCa: false, gitMode: 'Tag' });
  });
});

describe('docs/flux-rules.md "Version rules"', () => {
  it('lists the same rules as the code, in the same order, with the same versions', () => {
    const doc = readFileSync(join(repoRoot(), 'docs', 'flux-rules.md'), 'utf8');
    const section = doc.split(/^## Version rules$/m)[1]?.split(/^## /m)[0];
    assert.ok(section, 'no "## Version rules" section');
    const rows = section
      .split('\n')
      .filter((l) => /^\| `[a-z0-9-]+` \|/.test(l))
      .map((l) => l.split('|').map((c) => c.trim()));
    // | id | rule | kinds | SC from | flux2 from | before that | source |
    assert.deepEqual(
      rows.map((r) => [r[1], r[4], r[5]]),
      VERSION_RULES.map((r) => [`\`${r.id}\``, r.from, r.fluxFrom]),
    );
  });
});
