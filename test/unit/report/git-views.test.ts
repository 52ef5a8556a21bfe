import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { palette } from '../../../src/report/color.js';
import { printFormats, printReport, type PrintOptions } from '../../../src/report/print/index.js';
import { stripAnsi } from '../../../src/report/print/text.js';
import { REPORT_SCHEMA_VERSION } from '../../../src/report/schema.js';
import { assertGolden, showEscapes } from './golden.js';
import { C_MOVED_REMOTE, C_MOVED_RUNNING, C_TAGGED, C_WRONG, gitFleet, KEY_ID, NS, OTHER_KEY_ID, SECRET, T_TAGGED, URL, USER_ID } from './git-fixture.js';

const plain: PrintOptions = { palette: palette(false) };
const colour: PrintOptions = { palette: palette(true) };

describe('GitRepositories in every format (golden files)', () => {
  for (const format of printFormats) it(`${format} git`, () => assertGolden(format, 'git', printReport(format, gitFleet(), plain)));
  for (const format of ['table', 'wide', 'tree'] as const) {
    it(`${format} git in colour`, () => assertGolden(format, 'git-color', showEscapes(printReport(format, gitFleet(), colour))));
  }
});

describe('GitRepositories: what each view says', () => {
  const r = gitFleet();
  const byName = (kind: string, name: string) => {
    const n = r.nodes.find((x) => x.kind === kind && x.name === name);
    assert.ok(n, `${kind}/${name}`);
    return n;
  };
  const row = (out: string, kind: string, name: string): string => out.split('\n').find((l) => new RegExp(`^${NS}\\s+${kind}\\s+${name}\\s`).test(l)) ?? '';

  it('judges the fixture as the verdict code does', () => {
    assert.equal(byName('GitRepository', 'release').finding.state, 'verified');
    assert.equal(byName('GitRepository', 'wrong-key').finding.reasons[0], 'wrong-key');
    assert.deepEqual(byName('GitRepository', 'moved').finding.drift, { runningDigest: `sha1:${C_MOVED_RUNNING}`, registryDigest: `sha1:${C_MOVED_REMOTE}`, nextReconcile: 'refused' });
    assert.equal(byName('GitRepository', 'open').finding.state, 'not-enforced');
    assert.equal(byName('Kustomization', 'release').finding.state, 'verified');
    assert.equal(byName('HelmChart', 'gitops-podinfo').finding.state, 'verified');
    assert.ok(byName('HelmChart', 'gitops-podinfo').notes.some((n) => n.code === 'graph.git-source'));
  });

  it('table: the revision column names the commit, shortened', () => {
    const out = printReport('table', r, plain);
    assert.match(row(out, 'GitRepository', 'release'), new RegExp(`v1\\.2\\.0@sha1:${C_TAGGED.slice(0, 8)}\\s`));
    assert.match(row(out, 'Kustomization', 'release'), new RegExp(`v1\\.2\\.0@sha1:${C_TAGGED.slice(0, 8)}\\s`));
    assert.ok(!out.includes(C_TAGGED), 'no whole commit id in the table');
  });

  it('wide: url, ref, running, remote and keys of each GitRepository, hex shortened', () => {
    const out = printReport('wide', r, plain);
    const release = row(out, 'GitRepository', 'release');
    assert.ok(release.includes(URL) && release.includes('tag v1.2.0'), release);
    assert.ok(release.includes(`keys ${SECRET} (TagAndHEAD)`), release);
    assert.match(release, new RegExp(`v1\\.2\\.0@sha1:${C_TAGGED.slice(0, 8)}\\s`), 'running');
    const moved = row(out, 'GitRepository', 'moved');
    assert.ok(moved.includes(`main@sha1:${C_MOVED_REMOTE.slice(0, 8)} (drift: next reconcile refused)`), `the remote's commit: ${moved}`);
    assert.match(moved, new RegExp(`branch main\\s+main@sha1:${C_MOVED_RUNNING.slice(0, 8)}\\s`), `the running commit: ${moved}`);
    // Flux stored nothing: nothing runs, though the remote's commit was checked
    assert.match(row(out, 'GitRepository', 'wrong-key'), new RegExp(`branch hotfix\\s+-\\s+hotfix@sha1:${C_WRONG.slice(0, 8)}\\s`));
    assert.ok(!/[0-9a-f]{40}/.test(out), 'no whole commit id in the wide table');
    assert.ok(row(out, 'GitRepository', 'open').includes('branch main'));
  });

  it('tree: the Git line under each GitRepository, the remote when it moved, the consumers above their source', () => {
    const out = printReport('tree', r, plain);
    assert.ok(out.includes(`git ${URL} tag v1.2.0 → v1.2.0@sha1:${C_TAGGED.slice(0, 8)}`), out);
    assert.ok(out.includes(`remote now main@sha1:${C_MOVED_REMOTE.slice(0, 8)} (drift: next reconcile refused)`), out);
    assert.ok(out.includes(`git ${URL} branch hotfix → nothing stored yet`), out);
    // the entry that verified, by the key ID Flux names, and who signed
    assert.ok(out.includes(`signature OpenPGP (git-tag v1.2.0) ✔ key ${SECRET} · release.asc ${KEY_ID} · signed by ${USER_ID} (${KEY_ID})`), out);
    assert.ok(out.includes(`key ${SECRET} · ops.asc ${OTHER_KEY_ID} ✘ issuer: `), out);
    assert.match(out, /Kustomization\/gitops\/release[^\n]*\n[^\n]*GitRepository\/gitops\/release/);
    assert.match(out, /HelmChart\/gitops\/gitops-podinfo[^\n]*\n(?:[^\n]*\n)*?[^\n]*GitRepository\/gitops\/release/);
  });

  it('summary counts the Git nodes', () => {
    const out = printReport('summary', r, plain);
    const total = out.split('\n').find((l) => l.startsWith('TOTAL'))?.split(/\s+/) ?? [];
    assert.equal(Number(total[1]), r.nodes.length);
    assert.deepEqual(total.slice(2, 5).map(Number), [r.summary.verified, r.summary.failed, r.summary.notEnforced]);
  });

  it('json and yaml: schema version, the git field and the Git signatures, read back as the report', () => {
    const json = JSON.parse(printReport('json', r, plain)) as typeof r;
    assert.equal(json.schemaVersion, REPORT_SCHEMA_VERSION);
    assert.ok(REPORT_SCHEMA_VERSION >= 3);
    const release = json.nodes.find((n) => n.id === `GitRepository/${NS}/release`);
    assert.deepEqual(release?.git, {
      url: URL,
      ref: { kind: 'tag', tag: 'v1.2.0' },
      mode: 'TagAndHEAD',
      verifySecret: SECRET,
      running: { revision: `v1.2.0@sha1:${C_TAGGED}`, commit: C_TAGGED },
      remoteCommit: C_TAGGED,
      remoteTag: { name: 'v1.2.0', object: T_TAGGED },
    });
    assert.deepEqual(release?.signatures.map((s) => [s.mechanism, s.foundAt.via, s.foundAt.digest, s.signer?.keyId]), [
      ['git-openpgp', 'git-tag', `sha1:${T_TAGGED}`, KEY_ID],
      ['git-openpgp', 'git-commit', `sha1:${C_TAGGED}`, KEY_ID],
    ]);
    const moved = json.nodes.find((n) => n.id === `GitRepository/${NS}/moved`);
    assert.equal(moved?.nextSignatures?.[0]?.foundAt.digest, `sha1:${C_MOVED_REMOTE}`);
    assert.deepEqual(json, JSON.parse(JSON.stringify(r)));
    assert.deepEqual(parse(printReport('yaml', r, plain)), JSON.parse(JSON.stringify(r)));
  });

  it('prints the same text with colour as without', () => {
    for (const f of ['table', 'wide', 'tree', 'summary'] as const) assert.equal(stripAnsi(printReport(f, r, colour)), printReport(f, r, plain), f);
  });
});
