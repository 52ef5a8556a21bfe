import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LATEST_GIT_RULES, LEGACY_GIT_RULES, gitObjectId, readGitKeys, signedParts, verifyGitObject, verifyLikeFlux } from '../../../../src/verify/git/index.js';
import type { GitFluxRules, GitKeyring, GitObjectResult, RawGitObject } from '../../../../src/verify/git/index.js';
import { Lab, bytes, withGpgsig } from './tools.js';

const SECRET = 'apps/git-keys';
const now = new Date();

describe('git SSH verification against real ssh-keygen and git', () => {
  const lab = new Lab();
  type Made = ReturnType<Lab['sshKeygen']>;
  const k: Record<string, Made> = {};
  const c: Record<string, string> = {};
  let ring: GitKeyring;

  const key = (n: string): Made => {
    const v = k[n];
    assert.ok(v, n);
    return v;
  };
  const obj = (n: string): RawGitObject => {
    const id = c[n];
    assert.ok(id, n);
    return lab.object('commit', id);
  };
  const verify = (o: RawGitObject, keys: GitKeyring = ring, rules: GitFluxRules = LATEST_GIT_RULES): Promise<GitObjectResult> => verifyGitObject(o, keys, { now, secretLabel: SECRET, rules });
  const codes = (r: GitObjectResult): string[] => r.evidence.attempts.flatMap((a) => a.checks.filter((x) => !x.ok).map((x) => x.code));

  before(async () => {
    k.ed = lab.sshKeygen('ed', 'ed25519');
    k.ec = lab.sshKeygen('ec', 'ecdsa', 256);
    k.ec521 = lab.sshKeygen('ec521', 'ecdsa', 521);
    k.rsa = lab.sshKeygen('rsa', 'rsa', 2048);
    k.other = lab.sshKeygen('other', 'ed25519');
    for (const n of ['ed', 'ec', 'ec521', 'rsa', 'other']) c[n] = lab.commit(lab.sshSign(key(n).pub));
    c.unsigned = lab.commit(undefined);
    // the same commit signed by the right key, but for the "file" namespace
    const base = lab.object('commit', c.unsigned);
    c.fileNs = lab.writeObject('commit', withGpgsig(base.body, lab.sshSignData(key('ed').priv, 'file', base.body)));
    ring = await readGitKeys(
      {
        // options prefix, comment and blank lines are all allowed
        'ed.sshpub': bytes(`# team keys\n\nno-pty ${key('ed').line}`),
        'more.sshpub': bytes(key('ec').line + key('ec521').line + key('rsa').line),
      },
      LATEST_GIT_RULES,
    );
  });
  after(() => lab.dispose());

  it('the payload is what ssh-keygen signed, in namespace git', () => {
    const parts = signedParts(obj('ed'));
    assert.equal(parts.type, 'ssh');
    const dir = lab.dir;
    writeFileSync(join(dir, 'p'), parts.payload);
    writeFileSync(join(dir, 'p.sig'), parts.signature);
    const out = execFileSync('sh', ['-c', `ssh-keygen -Y check-novalidate -n git -s "${dir}/p.sig" < "${dir}/p"`], { encoding: 'utf8' });
    assert.match(out, /Good "git" signature/);
  });

  for (const n of ['ed', 'ec', 'ec521', 'rsa']) {
    it(`${n}: verified, fingerprint as ssh-keygen -l prints it, Flux's message`, async () => {
      const r = await verify(obj(n));
      assert.equal(r.verified, true, JSON.stringify(r.evidence.attempts));
      assert.equal(r.fluxOk, true);
      assert.equal(r.fluxKeyId, key(n).fingerprint);
      assert.equal(r.evidence.mechanism, 'git-ssh');
      assert.equal(r.evidence.signer?.keyFingerprint, key(n).fingerprint);
      const f = await verifyLikeFlux({ mode: 'HEAD', commit: obj(n), refIsTag: false, keys: ring, now, secretLabel: SECRET, rules: LATEST_GIT_RULES });
      assert.equal(f.message, `verified signature of\n\t- commit '${obj(n).id}' with key '${key(n).fingerprint}'`);
    });
  }

  it('a key not in the Secret: no matching key, and sshsig\'s reason on its own line', async () => {
    const r = await verify(obj('other'));
    assert.equal(r.verified, false);
    assert.deepEqual([...new Set(codes(r))], ['git.no-matching-key']);
    assert.equal(r.fluxError, 'unable to verify Git commit SSH signature: unable to verify payload with any of the given authorized keys: no matching key\npublic key does not match');
  });

  it('a signature for namespace "file": git.ssh-namespace', async () => {
    const r = await verify(obj('fileNs'));
    assert.equal(r.verified, false);
    assert.ok(codes(r).includes('git.ssh-namespace'), codes(r).join());
    assert.equal(r.fluxError, 'unable to verify Git commit SSH signature: unable to verify payload with any of the given authorized keys: no matching key\nnamespace does not match\npublic key does not match', 'errors in Secret entry order (Flux: Go map order)');
  });

  it('a tampered payload: git.signature-mismatch', async () => {
    const body = new Uint8Array(obj('ed').body);
    body[body.length - 2] = (body[body.length - 2] ?? 0) ^ 0x01;
    const r = await verify({ type: 'commit', id: gitObjectId('commit', body), body });
    assert.equal(r.verified, false);
    assert.ok(codes(r).includes('git.signature-mismatch'), codes(r).join());
    assert.equal(r.fluxError, 'unable to verify Git commit SSH signature: unable to verify payload with any of the given authorized keys: no matching key\nssh: signature did not verify\npublic key does not match');
  });

  it('an SSH key under a .pub name is read as OpenPGP: unreadable, and Flux finds no SSH keys', async () => {
    const keys = await readGitKeys({ 'id_ed25519.pub': bytes(key('ed').line) }, LATEST_GIT_RULES);
    const e = keys.entries[0];
    assert.equal(e?.kind, 'unreadable');
    assert.match(e?.kind === 'unreadable' ? (e.hint ?? '') : '', /\.sshpub/);
    const r = await verify(obj('ed'), keys);
    assert.equal(r.verified, false);
    assert.ok(codes(r).includes('git.key-unreadable'));
    assert.equal(r.fluxError, 'SSH signature detected but no SSH public keys found in secret (keys with .sshpub suffix)');
  });

  it('one bad line discards the whole entry', async () => {
    const keys = await readGitKeys({ 'k.sshpub': bytes(`${key('ed').line}ssh-ed25519 AAAAnotakey\n`) }, LATEST_GIT_RULES);
    assert.equal(keys.entries[0]?.kind, 'unreadable');
    const r = await verify(obj('ed'), keys);
    assert.equal(r.verified, false);
    assert.match(r.fluxError ?? '', /^unable to verify Git commit SSH signature: unable to parse authorized keys: unable to parse authorized key: ssh: no key found/);
  });

  it('Flux < 1.9 verifies no SSH signature: fluxOk false while our check passes', async () => {
    const data = { 'ed.sshpub': bytes(key('ed').line) };
    const old = await readGitKeys(data, LEGACY_GIT_RULES);
    const r = await verify(obj('ed'), old, LEGACY_GIT_RULES);
    assert.equal(r.verified, true);
    assert.equal(r.fluxOk, false);
    assert.equal(r.evidence.fluxVerified, false);
    assert.equal(r.fluxError, 'unable to verify Git commit: unable to read armored key ring: openpgp: invalid argument: no armored data found');
  });

  it('an SSH-signed tag verifies in Tag mode', async () => {
    lab.git([...lab.sshSign(key('rsa').pub), 'tag', '-s', 'v2.0.0', '-m', 'release 2', c.rsa ?? '']);
    const tagId = lab.git(['rev-parse', 'refs/tags/v2.0.0']).trim();
    const tag = lab.object('tag', tagId);
    assert.equal(gitObjectId('tag', tag.body), tagId);
    const f = await verifyLikeFlux({ mode: 'TagAndHEAD', commit: obj('rsa'), tag: { name: 'v2.0.0', object: tag }, refIsTag: true, keys: ring, now, secretLabel: SECRET, rules: LATEST_GIT_RULES });
    assert.equal(f.status, 'True', f.message);
    assert.equal(f.message, `verified signature of\n\t- tag 'v2.0.0@${tagId}' with key '${key('rsa').fingerprint}'\n\t- commit '${obj('rsa').id}' with key '${key('rsa').fingerprint}'`);
  });
});
