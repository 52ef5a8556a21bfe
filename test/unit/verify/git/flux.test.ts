import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LATEST_GIT_RULES, gitObjectId, parseSourceVerifiedMessage, parseTag, readGitKeys, signedParts, verifyLikeFlux } from '../../../../src/verify/git/index.js';
import type { GitFluxInput, GitKeyring, RawGitObject } from '../../../../src/verify/git/index.js';
import { Lab, bytes } from './tools.js';

const SECRET = 'apps/git-keys';

describe('GitRepository verification as source-controller runs it (tags and modes)', () => {
  const lab = new Lab();
  let fpr = '';
  let keyId = '';
  let ring: GitKeyring;
  let signed = '';
  let unsigned = '';
  const tags: Record<string, RawGitObject> = {};
  let verifyHome = '';

  const commit = (id: string): RawGitObject => lab.object('commit', id);
  const tag = (n: string): RawGitObject => {
    const t = tags[n];
    assert.ok(t, n);
    return t;
  };
  const run = (over: Partial<GitFluxInput>) =>
    verifyLikeFlux({ mode: 'TagAndHEAD', commit: commit(signed), refIsTag: true, keys: ring, now: new Date(), secretLabel: SECRET, rules: LATEST_GIT_RULES, ...over });
  const verifyTagStatus = (n: string): number => lab.gitStatus(['-c', 'gpg.program=gpg', 'verify-tag', n], { GNUPGHOME: verifyHome });

  before(async () => {
    fpr = lab.genKey('Tagger <tagger@example.com>', 'ed25519', 'sign', 'never');
    keyId = lab.keyId(fpr);
    const stranger = lab.genKey('Stranger <s@example.com>', 'ed25519', 'sign', 'never');
    signed = lab.commit(lab.pgpSign(fpr));
    unsigned = lab.commit(undefined);
    const mk = (name: string, args: readonly string[], target: string): void => {
      lab.git([...args, name, target]);
      tags[name] = lab.object('tag', lab.git(['rev-parse', `refs/tags/${name}`]).trim());
    };
    mk('v1.0.0', [...lab.pgpSign(fpr), 'tag', '-s', '-m', 'release 1'], signed);
    mk('v1.1.0', [...lab.pgpSign(fpr), 'tag', '-s', '-m', 'release on unsigned'], unsigned);
    mk('v0.9.0', ['tag', '-a', '-m', 'annotated, unsigned'], signed);
    mk('v0.8.0', [...lab.pgpSign(stranger), 'tag', '-s', '-m', 'by a stranger'], signed);
    lab.git(['tag', 'light', signed]);
    ring = await readGitKeys({ 'tagger.asc': bytes(lab.exportKey(fpr)) }, LATEST_GIT_RULES);
    verifyHome = join(lab.dir, 'verify-home');
    mkdirSync(verifyHome, { mode: 0o700 });
    lab.gpg(['--import'], lab.exportKey(fpr), verifyHome);
  });
  after(() => lab.dispose());

  it('reads a signed tag: id, fields, and the payload gpg signed', () => {
    const t = tag('v1.0.0');
    assert.equal(gitObjectId('tag', t.body), t.id);
    const p = parseTag(t.body);
    assert.equal(p.object, signed);
    assert.equal(p.objectType, 'commit');
    assert.equal(p.tag, 'v1.0.0');
    assert.equal(p.message, 'release 1\n');
    const parts = signedParts(t);
    assert.equal(parts.type, 'openpgp');
    assert.ok(lab.gpgVerifies(parts.signature, parts.payload));
    assert.equal(Buffer.from(parts.payload).toString('utf8'), Buffer.from(t.body).toString('utf8').slice(0, parts.payload.length));
    assert.equal(signedParts(tag('v0.9.0')).type, 'empty');
  });

  it('TagAndHEAD: tag then commit, in one message that reads back', async () => {
    const t = tag('v1.0.0');
    const f = await run({ tag: { name: 'v1.0.0', object: t } });
    assert.equal(f.status, 'True');
    assert.equal(f.reason, 'Succeeded');
    assert.equal(f.verified, true);
    assert.deepEqual(f.steps.map((s) => s.target), ['tag', 'commit']);
    assert.equal(f.message, `verified signature of\n\t- tag 'v1.0.0@${t.id}' with key '${keyId}'\n\t- commit '${signed}' with key '${keyId}'`);
    assert.deepEqual(parseSourceVerifiedMessage(f.message), { tag: { name: 'v1.0.0', object: t.id, key: keyId }, commit: { id: signed, key: keyId } });
    assert.equal(verifyTagStatus('v1.0.0'), 0);
  });

  it('Tag mode on a signed tag over an unsigned commit passes; TagAndHEAD fails on the commit', async () => {
    const t = await run({ mode: 'Tag', commit: commit(unsigned), tag: { name: 'v1.1.0', object: tag('v1.1.0') } });
    assert.equal(t.status, 'True');
    assert.equal(t.message, `verified signature of\n\t- tag 'v1.1.0@${tag('v1.1.0').id}' with key '${keyId}'`);
    assert.equal(verifyTagStatus('v1.1.0'), 0);
    const both = await run({ mode: 'TagAndHEAD', commit: commit(unsigned), tag: { name: 'v1.1.0', object: tag('v1.1.0') } });
    assert.equal(both.status, 'False');
    assert.equal(both.reason, 'InvalidCommitSignature');
    assert.equal(both.message, `signature verification of commit '${unsigned}' failed: unsupported signature type: empty`);
    assert.equal(both.verified, false);
  });

  it('a tag signed by a key not in the Secret stops before the commit', async () => {
    const f = await run({ tag: { name: 'v0.8.0', object: tag('v0.8.0') } });
    assert.equal(f.reason, 'InvalidTagSignature');
    assert.equal(f.message, `signature verification of tag 'v0.8.0@${tag('v0.8.0').id}' failed: unable to verify Git tag: unable to verify payload with any of the given key rings: no matching key`);
    assert.notEqual(verifyTagStatus('v0.8.0'), 0);
    assert.equal(f.steps[0]?.result.evidence.foundAt.tag, 'v0.8.0');
    assert.equal(f.steps[0]?.result.evidence.foundAt.via, 'git-tag');
  });

  it('unsigned annotated and lightweight tags: InvalidGitObject, named as pkg/git Tag.String()', async () => {
    const a = await run({ mode: 'Tag', tag: { name: 'v0.9.0', object: tag('v0.9.0') } });
    assert.equal(a.reason, 'InvalidGitObject');
    assert.equal(a.message, `cannot verify signature of tag 'v0.9.0@${tag('v0.9.0').id}' since it is not signed`);
    assert.equal(a.steps[0]?.result.evidence.attempts[0]?.checks[0]?.code, 'git.unsigned');
    assert.notEqual(verifyTagStatus('v0.9.0'), 0);
    const l = await run({ mode: 'Tag', tag: { name: 'light' } });
    assert.equal(l.reason, 'InvalidGitObject');
    assert.equal(l.message, "cannot verify signature of tag 'light' since it is not signed");
    assert.equal(l.steps[0]?.result.evidence.attempts[0]?.checks[0]?.code, 'git.tag-not-annotated');
  });

  it('Tag mode on a branch ref: InvalidVerificationMode', async () => {
    const f = await run({ mode: 'Tag', refIsTag: false });
    assert.equal(f.status, 'False');
    assert.equal(f.reason, 'InvalidVerificationMode');
    assert.equal(f.message, "cannot verify tag object's signature if a tag reference is not specified");
  });

  it('parseSourceVerifiedMessage reads every form Flux has written', () => {
    const c = 'a'.repeat(40);
    const t = 'b'.repeat(40);
    assert.deepEqual(parseSourceVerifiedMessage(`verified signature of\n\t- tag 'v1@x@${t}' with key 'SHA256:abc'\n\t- commit '${c}' with key 'SHA256:abc'`), {
      tag: { name: 'v1@x', object: t, key: 'SHA256:abc' },
      commit: { id: c, key: 'SHA256:abc' },
    });
    assert.deepEqual(parseSourceVerifiedMessage(`verified signature of commit '${c}' with key '5982D0279C227FFD'`), { commit: { id: c, key: '5982D0279C227FFD' } });
    assert.deepEqual(parseSourceVerifiedMessage(`verified signature of commit '${c}'`), { commit: { id: c } });
    assert.deepEqual(parseSourceVerifiedMessage('stored artifact for revision'), {});
  });
});
