import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  LATEST_GIT_RULES,
  LEGACY_GIT_RULES,
  gitObjectId,
  parseCommit,
  parseSourceVerifiedMessage,
  readGitKeys,
  signedParts,
  verifyGitObject,
  verifyLikeFlux,
} from '../../../../src/verify/git/index.js';
import type { GitFluxRules, GitKeyring, GitObjectResult, RawGitObject } from '../../../../src/verify/git/index.js';
import { Lab, bytes } from './tools.js';

const SECRET = 'apps/git-keys';
const NO_MATCH = 'unable to verify Git commit: unable to verify payload with any of the given key rings: no matching key';

interface Key {
  readonly fpr: string;
  readonly id: string;
  readonly armored: string;
}

describe('git OpenPGP verification against real gpg and git', () => {
  const lab = new Lab();
  const keys: Record<string, Key> = {};
  const commits: Record<string, string> = {};
  let verifyHome = '';
  let secret: Record<string, Uint8Array> = {};
  let ring: GitKeyring;

  const key = (name: string): Key => {
    const k = keys[name];
    assert.ok(k, name);
    return k;
  };
  const commitId = (name: string): string => {
    const c = commits[name];
    assert.ok(c, name);
    return c;
  };
  const obj = (name: string): RawGitObject => lab.object('commit', commitId(name));
  const verify = async (o: RawGitObject, k: GitKeyring = ring, rules: GitFluxRules = LATEST_GIT_RULES, now = new Date()): Promise<GitObjectResult> =>
    verifyGitObject(o, k, { now, secretLabel: SECRET, rules });
  const codes = (r: GitObjectResult): string[] => r.evidence.attempts.flatMap((a) => a.checks.filter((c) => !c.ok).map((c) => c.code));
  const gitVerify = (id: string): number => lab.gitStatus(['-c', 'gpg.program=gpg', 'verify-commit', id], { GNUPGHOME: verifyHome });

  before(() => {
    const add = (name: string, fpr: string): void => {
      keys[name] = { fpr, id: lab.keyId(fpr), armored: lab.exportKey(fpr) };
    };
    add('alice', lab.genKey('Alice <alice@example.com>', 'ed25519', 'sign', 'never'));
    add('bob', lab.genKey('Bob <bob@example.com>', 'rsa3072', 'sign', 'never'));
    const carol = lab.genKey('Carol <carol@example.com>', 'ed25519', 'cert', 'never');
    lab.gpg(['--passphrase', '', '--quick-add-key', carol, 'ed25519', 'sign', 'never']);
    add('carol', carol);
    // dave: made and used in 2020 with a one-day lifetime, expired ever since
    add('dave', lab.genKey('Dave <dave@example.com>', 'ed25519', 'sign', '1d', '20200101T000000'));
    add('erin', lab.genKey('Erin <erin@example.com>', 'ed25519', 'sign', 'never'));
    add('mallory', lab.genKey('Mallory <mallory@example.com>', 'ed25519', 'sign', 'never'));

    commits.alice = lab.commit(lab.pgpSign(key('alice').fpr));
    commits.bob = lab.commit(lab.pgpSign(key('bob').fpr));
    commits.carol = lab.commit(lab.pgpSign(key('carol').fpr));
    commits.dave = lab.commit(lab.pgpSign(key('dave').fpr, lab.fakedGpg('20200101T120000')));
    commits.erin = lab.commit(lab.pgpSign(key('erin').fpr));
    commits.mallory = lab.commit(lab.pgpSign(key('mallory').fpr));
    commits.unsigned = lab.commit(undefined);

    // erin's key is revoked after the fact: the revocation gpg made at key creation, imported
    const rev = readFileSync(join(lab.gnupg, 'openpgp-revocs.d', `${key('erin').fpr}.rev`), 'utf8').replace(/^:-----BEGIN/m, '-----BEGIN');
    lab.gpg(['--import'], rev);
    keys.erin = { ...key('erin'), armored: lab.exportKey(key('erin').fpr) };

    secret = Object.fromEntries(['alice', 'bob', 'carol', 'dave', 'erin'].map((n) => [`${n}.asc`, bytes(key(n).armored)]));
    // git verify-commit's view: a GNUPGHOME holding exactly the Secret's keys
    verifyHome = join(lab.dir, 'verify-home');
    mkdirSync(verifyHome, { mode: 0o700 });
    for (const n of ['alice', 'bob', 'carol', 'dave', 'erin']) lab.gpg(['--import'], key(n).armored, verifyHome);
  });
  before(async () => {
    ring = await readGitKeys(secret, LATEST_GIT_RULES);
  });
  after(() => lab.dispose());

  it('reads objects as git stores them: id, fields, and the exact payload gpg signed', () => {
    const o = obj('alice');
    assert.equal(gitObjectId('commit', o.body), o.id);
    const c = parseCommit(o.body);
    assert.equal(c.tree, lab.git(['rev-parse', `${o.id}^{tree}`]).trim());
    assert.deepEqual(c.parents, [], 'the first commit');
    assert.deepEqual(parseCommit(obj('bob').body).parents, [o.id]);
    assert.equal(c.committer?.email, 'c@example.com');
    assert.match(c.message, /^change \d+\n$/);
    const parts = signedParts(o);
    assert.equal(parts.type, 'openpgp');
    assert.ok(lab.gpgVerifies(parts.signature, parts.payload), 'gpg verifies our payload with the signature');
    const text = Buffer.from(parts.payload).toString('utf8');
    assert.ok(!text.includes('gpgsig') && !text.includes('PGP SIGNATURE'));
    // and one byte off is not what was signed
    const off = new Uint8Array(parts.payload);
    off[off.length - 2] = (off[off.length - 2] ?? 0) ^ 1;
    assert.ok(!lab.gpgVerifies(parts.signature, off));
  });

  it('an ed25519 key in the Secret verifies, and names the key as gpg and Flux do', async () => {
    const r = await verify(obj('alice'));
    assert.equal(r.verified, true);
    assert.equal(r.fluxOk, true);
    assert.equal(r.fluxKeyId, key('alice').id);
    assert.equal(r.evidence.signer?.keyId, key('alice').id);
    assert.equal(r.evidence.signer?.keyFingerprint, key('alice').fpr);
    assert.deepEqual(r.evidence.signer?.userIds, ['Alice <alice@example.com>']);
    assert.equal(r.evidence.foundAt.digest, `sha1:${commitId('alice')}`);
    const ok = r.evidence.attempts.find((a) => a.ok);
    assert.equal(ok?.trust.label, `${SECRET} · alice.asc`);
    assert.equal(r.evidence.attempts.length, 5, 'one attempt per Secret entry');
    assert.equal(gitVerify(commitId('alice')), 0);
  });

  it('an RSA 3072 key verifies', async () => {
    const r = await verify(obj('bob'));
    assert.equal(r.verified, true);
    assert.equal(r.fluxKeyId, key('bob').id);
  });

  it('a signing subkey: Flux names the primary key ID, the signer names the subkey', async () => {
    const r = await verify(obj('carol'));
    assert.equal(r.verified, true);
    assert.equal(r.fluxKeyId, key('carol').id);
    assert.notEqual(r.evidence.signer?.keyFingerprint, key('carol').fpr);
    assert.match(lab.gpg(['--with-colons', '--list-keys', key('carol').fpr]), new RegExp(`fpr:+${r.evidence.signer?.keyFingerprint ?? 'none'}:`));
    assert.equal(gitVerify(commitId('carol')), 0);
  });

  it('a key not in the Secret: no matching key, as Flux words it', async () => {
    const r = await verify(obj('mallory'));
    assert.equal(r.verified, false);
    assert.equal(r.fluxOk, false);
    assert.equal(r.fluxError, NO_MATCH);
    assert.deepEqual([...new Set(codes(r))], ['git.no-matching-key']);
    assert.notEqual(gitVerify(commitId('mallory')), 0);
  });

  it('an unsigned commit: git.unsigned, and Flux fails the dispatch (≥ 1.9) or the empty check (older)', async () => {
    const r = await verify(obj('unsigned'));
    assert.equal(r.verified, false);
    assert.deepEqual(codes(r), ['git.unsigned']);
    assert.equal(r.fluxError, 'unsupported signature type: empty');
    const old = await verify(obj('unsigned'), await readGitKeys(secret, LEGACY_GIT_RULES), LEGACY_GIT_RULES);
    assert.equal(old.fluxError, 'unable to verify Git commit: unable to verify payload as the provided signature is empty');
    assert.notEqual(gitVerify(commitId('unsigned')), 0);
    const f = await verifyLikeFlux({ mode: 'HEAD', commit: obj('unsigned'), refIsTag: false, keys: ring, now: new Date(), secretLabel: SECRET, rules: LATEST_GIT_RULES });
    assert.equal(f.status, 'False');
    assert.equal(f.reason, 'InvalidCommitSignature');
    assert.equal(f.message, `signature verification of commit '${commitId('unsigned')}' failed: unsupported signature type: empty`);
  });

  it('an expired key fails now (git.key-expired, Flux: no matching key) but verified while it was valid', async () => {
    const r = await verify(obj('dave'));
    assert.equal(r.verified, false);
    assert.ok(codes(r).includes('git.key-expired'), codes(r).join());
    assert.equal(r.fluxError, NO_MATCH);
    assert.notEqual(gitVerify(commitId('dave')), 0);
    const then = await verify(obj('dave'), ring, LATEST_GIT_RULES, new Date('2020-01-01T18:00:00Z'));
    assert.equal(then.verified, true);
    assert.equal(then.fluxKeyId, key('dave').id);
  });

  it('a revoked key: git.key-revoked, Flux: no matching key', async () => {
    const r = await verify(obj('erin'));
    assert.equal(r.verified, false);
    assert.ok(codes(r).includes('git.key-revoked'), codes(r).join());
    assert.equal(r.fluxError, NO_MATCH);
    assert.notEqual(gitVerify(commitId('erin')), 0);
  });

  it('a tampered payload (one byte of the message flipped) fails with git.signature-mismatch', async () => {
    const o = obj('alice');
    const body = new Uint8Array(o.body);
    body[body.length - 2] = (body[body.length - 2] ?? 0) ^ 0x01;
    const r = await verify({ type: 'commit', id: gitObjectId('commit', body), body });
    assert.equal(r.verified, false);
    assert.equal(r.fluxOk, false);
    assert.ok(codes(r).includes('git.signature-mismatch'), codes(r).join());
    assert.equal(r.fluxError, NO_MATCH);
  });

  it('an unreadable entry: skipped by Flux ≥ 1.9, fatal before when met first', async () => {
    const data = { 'bad.asc': bytes('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64 at all!!\n-----END PGP PUBLIC KEY BLOCK-----\n'), 'alice.asc': bytes(key('alice').armored) };
    const now = await readGitKeys(data, LATEST_GIT_RULES);
    assert.equal(now.entries[0]?.kind, 'unreadable');
    const r = await verify(obj('alice'), now);
    assert.equal(r.verified, true);
    assert.equal(r.fluxOk, true);
    assert.ok(codes(r).includes('git.key-unreadable'));
    const oldRules = await readGitKeys(data, LEGACY_GIT_RULES);
    const old = await verify(obj('alice'), oldRules, LEGACY_GIT_RULES);
    assert.equal(old.verified, true);
    assert.equal(old.fluxOk, false);
    assert.equal(old.fluxOrderDependent, true);
    assert.match(old.fluxError ?? '', /^unable to verify Git commit: unable to read armored key ring: openpgp: /);
    // only unreadable entries: Flux ≥ 1.9 reports the read error
    const onlyBad = await verify(obj('alice'), await readGitKeys({ 'k.asc': bytes('hello') }, LATEST_GIT_RULES));
    assert.equal(onlyBad.fluxError, 'unable to verify Git commit: unable to read armored key ring: openpgp: invalid argument: no armored data found');
    // a malformed signature armor in the object itself
    const text = Buffer.from(obj('alice').body).toString('utf8').replace(/^ (\S{20})\S{4}/m, ' $1!!!!');
    const body = bytes(text);
    const m = await verify({ type: 'commit', id: gitObjectId('commit', body), body });
    assert.equal(m.verified, false);
    assert.equal(m.evidence.error?.code, 'git.signature-malformed');
    assert.equal(m.fluxError, NO_MATCH);
  });

  it('only the first armored block of a value is read', async () => {
    const both = await readGitKeys({ 'keys.asc': bytes(key('bob').armored + key('alice').armored) }, LATEST_GIT_RULES);
    assert.equal((await verify(obj('bob'), both)).verified, true);
    const r = await verify(obj('alice'), both);
    assert.equal(r.verified, false);
    assert.equal(r.fluxError, NO_MATCH);
    // one export of two keys is one block: both are read
    const one = await readGitKeys({ 'keys.asc': bytes(lab.gpg(['--armor', '--export', key('alice').fpr, key('bob').fpr])) }, LATEST_GIT_RULES);
    assert.equal((await verify(obj('alice'), one)).verified, true);
    assert.equal((await verify(obj('bob'), one)).verified, true);
  });

  it('a Secret with only SSH keys and a PGP signature: Flux says no PGP keys', async () => {
    const ssh = lab.sshKeygen('only', 'ed25519');
    const r = await verify(obj('alice'), await readGitKeys({ 'id.sshpub': bytes(ssh.line) }, LATEST_GIT_RULES));
    assert.equal(r.fluxError, 'PGP signature detected but no PGP public keys found in secret (keys with .asc suffix)');
    assert.deepEqual(codes(r), ['git.no-keys']);
  });

  it('HEAD mode message is exactly Flux\'s, and reads back', async () => {
    const f = await verifyLikeFlux({ mode: 'HEAD', commit: obj('carol'), refIsTag: false, keys: ring, now: new Date(), secretLabel: SECRET, rules: LATEST_GIT_RULES });
    assert.equal(f.status, 'True');
    assert.equal(f.reason, 'Succeeded');
    assert.equal(f.message, `verified signature of\n\t- commit '${commitId('carol')}' with key '${key('carol').id}'`);
    assert.deepEqual(parseSourceVerifiedMessage(f.message), { commit: { id: commitId('carol'), key: key('carol').id } });
    const bad = await verifyLikeFlux({ mode: 'HEAD', commit: obj('mallory'), refIsTag: false, keys: ring, now: new Date(), secretLabel: SECRET, rules: LATEST_GIT_RULES });
    assert.equal(bad.message, `signature verification of commit '${commitId('mallory')}' failed: ${NO_MATCH}`);
    const old = await verifyLikeFlux({ mode: 'HEAD', commit: obj('mallory'), refIsTag: false, keys: await readGitKeys(secret, LEGACY_GIT_RULES), now: new Date(), secretLabel: SECRET, rules: LEGACY_GIT_RULES });
    assert.equal(old.message, `signature verification of commit '${commitId('mallory')}' failed: unable to verify Git commit: unable to verify payload with any of the given key rings`);
  });
});
