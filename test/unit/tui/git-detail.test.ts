import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReportNode } from '../../../src/report/model.js';
import { copyTarget } from '../../../src/tui/copy.js';
import { detailLines, lineText, type Line } from '../../../src/tui/detail.js';
import { artifactSummary } from '../../../src/tui/format.js';
import { lookupKey } from '../../../src/tui/keymap.js';
import { REASONS } from '../../../src/verdict/reasons.js';
import {
  C_MOVED_REMOTE,
  C_MOVED_RUNNING,
  C_OPEN,
  C_TAGGED,
  C_WRONG,
  gitFleet,
  KEY_FPR,
  KEY_ID,
  NS,
  OTHER_FPR,
  OTHER_KEY_ID,
  SECRET,
  SUBKEY_FPR,
  SUBKEY_ID,
  T_TAGGED,
  URL,
  USER_ID,
} from '../report/git-fixture.js';

/**
 * The drill-down of GitRepositories and their consumers, on a report the real graph, verdict and
 * report-mapping code made (test/unit/report/git-fixture.ts): what Flux runs, what the remote has,
 * what spec.verify asks, each signature with the key tried, and `c` copying `kubectl verify git`.
 */
const r = gitFleet();
const byId = (kind: string, name: string): ReportNode => {
  const n = r.nodes.find((x) => x.id === `${kind}/${NS}/${name}`);
  assert.ok(n, `${kind}/${NS}/${name}`);
  return n;
};
const lines = (n: ReportNode): readonly Line[] => detailLines(n, r);
const text = (n: ReportNode): string => lines(n).map(lineText).join('\n');
/** The line whose text starts (after the indent) with `label`. */
const fieldLine = (n: ReportNode, label: string): Line => {
  const l = lines(n).find((x) => lineText(x).trimStart().startsWith(`${label} `));
  assert.ok(l, `a "${label}" line in\n${text(n)}`);
  return l;
};

describe('detail of a verified GitRepository (TagAndHEAD, two keys in the Secret)', () => {
  const n = byId('GitRepository', 'release');
  const t = text(n);

  it('names the source, the ref, what Flux runs and what the remote has now', () => {
    assert.ok(t.includes(`  source    ${URL}   tag v1.2.0`), t);
    assert.ok(t.includes(`  running   v1.2.0@sha1:${C_TAGGED}`), t);
    assert.ok(t.includes(`  remote    v1.2.0 (tag object ${T_TAGGED}) → commit ${C_TAGGED}  (no drift)`), t);
  });

  it('says what spec.verify asks: the mode and the keys Secret', () => {
    assert.ok(t.includes(`  verify    mode TagAndHEAD, keys Secret ${SECRET}`), t);
  });

  it("compares with Flux's SourceVerified", () => {
    assert.match(t, /SourceVerified=True Succeeded {2}"verified signature of/);
    assert.ok(t.includes('✔ we agree'));
  });

  it('lists the tag then the commit, each with its signer and every key tried', () => {
    const sig = t.slice(t.indexOf('signatures found'));
    assert.ok(sig.includes(`1  ✔ OpenPGP   Git tag object  tag v1.2.0  sha1:${T_TAGGED}`), sig);
    assert.ok(sig.includes(`2  ✔ OpenPGP   Git commit object  sha1:${C_TAGGED}`), sig);
    assert.ok(sig.indexOf('Git tag object') < sig.indexOf('Git commit object'), 'the order source-controller checks them in');
    // the key ID Flux names, the user ID, and the signing subkey as gpg prints it
    const signer = `signer OpenPGP key ${KEY_ID} · ${USER_ID} · signing key ${SUBKEY_FPR} eddsaLegacy ed25519Legacy`;
    assert.equal(sig.split('\n').filter((l) => l.trim() === signer).length, 2, sig);
    assert.equal(sig.split('\n').filter((l) => l.trim() === `key ${SECRET} · release.asc  ${KEY_FPR}   ✔ all checks passed  (signature, revocation, expiry, signature-expiry)`).length, 2, sig);
    assert.equal(
      sig.split('\n').filter((l) => l.trim() === `key ${SECRET} · ops.asc  ${OTHER_FPR}   ✘ issuer: signature issuer ${SUBKEY_ID} is not among this entry's keys (${OTHER_KEY_ID})  [git.no-matching-key]`).length,
      2,
      sig,
    );
  });

  it('names its consumers and takes its own next step', () => {
    assert.ok(t.includes(`graph     used by Kustomization/${NS}/release, HelmChart/${NS}/gitops-podinfo`), t);
    assert.deepEqual(lineText(fieldLine(n, 'next')).trim(), `next      ${n.finding.next}   [c] copy the equivalent verify command`);
  });

  it('shows the Git line in the tree row, hex shortened', () => {
    assert.equal(artifactSummary(n), `${URL}  tag v1.2.0 → v1.2.0@sha1:${C_TAGGED.slice(0, 8)}`);
  });
});

describe('detail of a GitRepository whose branch moved on to a commit Flux will refuse', () => {
  const n = byId('GitRepository', 'moved');
  const t = text(n);

  it('says the remote moved and that the next reconcile refuses it, in the failure tone', () => {
    const remote = fieldLine(n, 'remote');
    assert.equal(lineText(remote).trim(), `remote    commit ${C_MOVED_REMOTE}  moved on: next reconcile refused`);
    assert.equal(remote.find((s) => s.text.includes('moved on'))?.tone, 'failed');
    assert.ok(t.includes(`  running   main@sha1:${C_MOVED_RUNNING}`), t);
  });

  it("lists the running commit's signature and, apart, the remote commit's, with why each key failed", () => {
    const next = t.slice(t.indexOf("signatures of the remote's commit"));
    assert.ok(t.indexOf('signatures found') < t.indexOf("signatures of the remote's commit"));
    assert.ok(next.includes(`1  ✘ OpenPGP   Git commit object  sha1:${C_MOVED_REMOTE}`), next);
    assert.ok(next.includes(`key ${SECRET} · release.asc  ${KEY_FPR}   ✘ issuer: signature issuer DEADBEEF00112233 is not among this entry's keys (${KEY_ID})  [git.no-matching-key]`), next);
    assert.ok(!next.includes('signer '), 'an unknown signer is not named');
  });

  it('copies kubectl verify git with the branch, the mode and the Secret the keys come from', () => {
    assert.equal(lookupKey('view', 'c'), 'copyCommand');
    assert.deepEqual(copyTarget('command', n, r), {
      what: 'command',
      text: `kubectl verify git ${URL} --branch main --mode HEAD --keys ./keys  # ./keys: the entries of Secret ${SECRET}, one file each`,
    });
  });
});

describe('detail of a GitRepository signed by a key the Secret lacks', () => {
  const n = byId('GitRepository', 'wrong-key');
  const t = text(n);

  it('says Flux runs nothing yet and which commit of the remote was checked', () => {
    assert.ok(t.includes('  running   nothing yet'), t);
    assert.ok(t.includes(`  remote    commit ${C_WRONG}  (no drift)`), t);
    assert.match(t, /GitRepository gitops\/wrong-key {3}✘ FAILED · wrong key/);
    assert.ok(t.includes(`SourceVerified=False InvalidCommitSignature  "signature verification of commit '${C_WRONG}' failed`), t);
  });

  it('lists each key of the Secret with the check that rejected it', () => {
    assert.ok(t.includes(`key ${SECRET} · release.asc  ${KEY_FPR}   ✘ issuer: signature issuer DEADBEEF00112233 is not among this entry's keys (${KEY_ID})  [git.no-matching-key]`), t);
    assert.ok(t.includes(`key ${SECRET} · ops.asc  ${OTHER_FPR}   ✘ issuer: signature issuer DEADBEEF00112233 is not among this entry's keys (${OTHER_KEY_ID})  [git.no-matching-key]`), t);
  });

  it("takes the node's own next step", () => {
    assert.ok(lineText(fieldLine(n, 'next')).includes(n.finding.next));
    assert.equal(n.finding.next, REASONS['wrong-key'].next, 'the verdict gives the reason’s step here');
  });

  it('copies the command with the hotfix branch', () => {
    assert.match(copyTarget('command', n, r)?.text ?? '', new RegExp(`^kubectl verify git ${URL} --branch hotfix --mode HEAD --keys ./keys `));
  });
});

describe('detail of a GitRepository without spec.verify', () => {
  const n = byId('GitRepository', 'open');
  const t = text(n);

  it('says Flux verifies nothing, in the warning tone, and that no signature was looked for', () => {
    const verify = fieldLine(n, 'verify');
    assert.equal(lineText(verify).trim(), 'verify    none: Flux applies whatever is pushed');
    assert.equal(verify[1]?.tone, 'warning');
    assert.ok(t.includes('  signatures not checked: without spec.verify Flux verifies no commit'), t);
    assert.ok(!t.includes('none found'), t);
    assert.ok(lineText(fieldLine(n, 'next')).includes('set spec.verify'), t);
  });

  it('has no command to copy: c falls back to the repository and commit', () => {
    assert.deepEqual(copyTarget('command', n, r), { what: 'reference', text: `https://git.example/org/sandbox@${C_OPEN}` });
  });
});

describe('consumers of a GitRepository', () => {
  it('a Kustomization shows the commit it applied and copies its source’s command', () => {
    const n = byId('Kustomization', 'release');
    assert.ok(text(n).includes(`  applied   v1.2.0@sha1:${C_TAGGED}`));
    assert.ok(text(n).includes(`graph     uses GitRepository/${NS}/release`));
    assert.equal(copyTarget('command', n, r)?.text, `kubectl verify git ${URL} --tag v1.2.0 --mode TagAndHEAD --keys ./keys  # ./keys: the entries of Secret ${SECRET}, one file each`);
    assert.deepEqual(copyTarget('digest', n, r), { what: 'digest', text: `sha1:${C_TAGGED}` });
    assert.deepEqual(copyTarget('reference', n, r), { what: 'reference', text: `${URL}@${C_TAGGED}` });
  });

  it('a HelmChart built from it says so in a note', () => {
    const n = byId('HelmChart', 'gitops-podinfo');
    assert.match(text(n), new RegExp(`note {6}the chart is built from GitRepository ${NS}/release: it is as verified as the commit that repository runs`));
  });
});

describe('detail of other Git shapes', () => {
  const release = byId('GitRepository', 'release');

  it('an SSH signer by its fingerprint', () => {
    const sig = release.signatures[1];
    assert.ok(sig);
    const ssh: ReportNode = { ...release, signatures: [{ ...sig, mechanism: 'git-ssh', signer: { kind: 'ssh-key', keyFingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', keyAlgorithm: 'ssh-ed25519' } }] };
    const t = detailLines(ssh, r).map(lineText).join('\n');
    assert.ok(t.includes('1  ✔ SSH   Git commit object'), t);
    assert.ok(t.includes('signer SSH key SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG ssh-ed25519'), t);
  });

  it('a remote that could not be read, with its code', () => {
    const g = release.git;
    assert.ok(g);
    const { remoteCommit: _c, remoteTag: _t, ...rest } = g;
    const down: ReportNode = { ...release, git: { ...rest, remoteError: { code: 'git-remote.unreachable', message: 'connect ECONNREFUSED 127.0.0.1:3000' } } };
    const remote = detailLines(down, r).find((l) => lineText(l).trimStart().startsWith('remote '));
    assert.ok(remote);
    assert.equal(lineText(remote).trim(), 'remote    connect ECONNREFUSED 127.0.0.1:3000  [git-remote.unreachable]');
    assert.equal(remote[1]?.tone, 'failed');
  });
});
