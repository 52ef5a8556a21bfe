import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { GitClient, isGitRemoteError, type GitRefSpec, type GitRemoteCode, type ResolvedGitRef } from '../../../src/git/index.js';
import { startGitServer, type GitServer } from '../../lab/git-server.js';
import { catFile, makeFixture, type GitFixture } from './fixture.js';

const fails = (code: GitRemoteCode) => (e: unknown): boolean => {
  assert.ok(isGitRemoteError(e, code), `expected ${code}, got ${String((e as { code?: string }).code)}: ${String(e)}`);
  return true;
};

let fx: GitFixture;
let ls: Map<string, string>;
const servers: Record<'v2' | 'v0' | 'v0tips', GitServer> = {} as never;
const client = new GitClient({ timeoutMs: 10_000 });

before(async () => {
  fx = await makeFixture();
  ls = await fx.lsRemote();
  servers.v2 = await startGitServer({ root: fx.root });
  servers.v0 = await startGitServer({ root: fx.root, protocol: 'v0' });
  // a v0 server that gives out ref tips only, as many hosts do
  servers.v0tips = await startGitServer({ root: fx.root, protocol: 'v0', config: [['uploadpack.allowAnySHA1InWant', 'false']] });
});

after(async () => {
  await client.close();
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  rmSync(fx.root, { recursive: true, force: true });
});

/** what resolve() must give, from `git ls-remote` of the same repository */
function expected(): [string, GitRefSpec, (r: ResolvedGitRef) => void][] {
  const c = fx.commits;
  const id = (n: string): string => ls.get(n) as string;
  const peeled = (n: string): string => ls.get(`${n}^{}`) ?? id(n);
  return [
    ['no ref → master', {}, (r) => assert.deepEqual(r, { commit: id('refs/heads/master'), refName: 'refs/heads/master', revision: `master@sha1:${c.c1}` })],
    ['branch main', { branch: 'main' }, (r) => assert.deepEqual(r, { commit: id('refs/heads/main'), refName: 'refs/heads/main', revision: `main@sha1:${c.main}` })],
    ['branch with a slash', { branch: 'feature/x' }, (r) => assert.equal(r.revision, `feature/x@sha1:${id('refs/heads/feature/x')}`)],
    ['lightweight tag', { tag: 'v1.0.0' }, (r) => assert.deepEqual(r, { commit: c.c1, refName: 'refs/tags/v1.0.0', tag: { name: 'v1.0.0' }, revision: `v1.0.0@sha1:${c.c1}` })],
    ['annotated tag', { tag: 'v1.1.0' }, (r) => assert.deepEqual(r, { commit: peeled('refs/tags/v1.1.0'), refName: 'refs/tags/v1.1.0', tag: { name: 'v1.1.0', object: id('refs/tags/v1.1.0') }, revision: `v1.1.0@sha1:${c.c2}` })],
    ['tag of a tag peels to the commit', { tag: 'nested' }, (r) => assert.deepEqual(r.tag, { name: 'nested', object: id('refs/tags/nested') }) === undefined && assert.equal(r.commit, c.c2)],
    ['semver: highest, ties by committer time', { semver: '>=1.0.0' }, (r) => assert.deepEqual(r, { commit: c.tieNew, refName: 'refs/tags/1.5.0', tag: { name: '1.5.0' }, revision: `1.5.0@sha1:${c.tieNew}` })],
    ['semver below the tie', { semver: '<1.5.0' }, (r) => assert.equal(r.revision, `v1.2.0@sha1:${c.c3}`)],
    ['semver to an annotated tag', { semver: '~1.1' }, (r) => assert.deepEqual(r.tag, { name: 'v1.1.0', object: id('refs/tags/v1.1.0') }) === undefined && assert.equal(r.commit, c.c2)],
    ['semver prerelease only when asked', { semver: '>=1.2.0-0 <1.2.0' }, (r) => assert.equal(r.revision, `1.2.0-rc.1@sha1:${c.c2}`)],
    ['name refs/heads/main', { name: 'refs/heads/main' }, (r) => assert.deepEqual(r, { commit: c.main, refName: 'refs/heads/main', revision: `refs/heads/main@sha1:${c.main}` })],
    ['name refs/tags (annotated)', { name: 'refs/tags/v1.1.0' }, (r) => assert.equal(r.revision, `refs/tags/v1.1.0@sha1:${c.c2}`) === undefined && assert.equal(r.tag?.object, id('refs/tags/v1.1.0'))],
    ['name refs/tags ^{}', { name: 'refs/tags/v1.1.0^{}' }, (r) => assert.equal(r.revision, `refs/tags/v1.1.0^{}@sha1:${c.c2}`)],
    ['name refs/pull', { name: 'refs/pull/1/head' }, (r) => assert.deepEqual(r, { commit: id('refs/pull/1/head'), refName: 'refs/pull/1/head', revision: `refs/pull/1/head@sha1:${c.c2}` })],
    ['name HEAD', { name: 'HEAD' }, (r) => assert.equal(r.revision, `HEAD@sha1:${id('HEAD')}`)],
    ['commit', { commit: c.c1 }, (r) => assert.deepEqual(r, { commit: c.c1, revision: `sha1:${c.c1}` })],
    ['commit upper case', { commit: (c.c1 as string).toUpperCase() }, (r) => assert.equal(r.revision, `sha1:${c.c1}`)],
    ['commit on a branch', { commit: c.c1, branch: 'main' }, (r) => assert.deepEqual(r, { commit: c.c1, refName: 'refs/heads/main', revision: `main@sha1:${c.c1}` })],
    ['commit with a name', { commit: c.c2, name: 'refs/pull/1/head' }, (r) => assert.equal(r.revision, `refs/pull/1/head@sha1:${c.c2}`)],
    ['precedence: commit over tag', { commit: c.c3, tag: 'v1.0.0' }, (r) => assert.equal(r.revision, `sha1:${c.c3}`)],
    ['precedence: name over tag', { name: 'refs/heads/master', tag: 'v1.0.0' }, (r) => assert.equal(r.revision, `refs/heads/master@sha1:${c.c1}`)],
    ['precedence: tag over semver and branch', { tag: 'v1.0.0', semver: '*', branch: 'main' }, (r) => assert.equal(r.revision, `v1.0.0@sha1:${c.c1}`)],
    ['precedence: semver over branch', { semver: '1.2.x', branch: 'main' }, (r) => assert.equal(r.revision, `v1.2.0@sha1:${c.c3}`)],
  ];
}

const notFound: [string, GitRefSpec][] = [
  ['missing branch', { branch: 'nope' }],
  ['missing tag', { tag: 'v9' }],
  ['semver without a match', { semver: '>=3' }],
  ['semver that does not parse', { semver: 'not a range' }],
  ['missing name', { name: 'refs/heads/nope' }],
  ['^{} of a lightweight tag', { name: 'refs/tags/v1.0.0^{}' }],
  ['commit not on the remote', { commit: 'deadbeef'.repeat(5) }],
  ['short commit', { commit: 'deadbee' }],
  ['commit with a missing branch', { commit: 'deadbeef'.repeat(5), branch: 'nope' }],
];

for (const proto of ['v2', 'v0', 'v0tips'] as const) {
  describe(`resolve over smart HTTP (${proto})`, () => {
    const url = (): string => `${servers[proto].url}/app.git`;
    it('matches git ls-remote for every ref kind', async () => {
      for (const [what, ref, check] of expected()) {
        const r = await client.resolve({ url: url() }, ref);
        await it(what, () => check(r));
      }
    });
    it('says ref-not-found for refs the remote does not have', async () => {
      for (const [what, ref] of notFound) {
        await assert.rejects(client.resolve({ url: url() }, ref), fails('git-remote.ref-not-found'), what);
      }
    });
    it('fetches commit and tag objects byte for byte', async () => {
      const tagId = ls.get('refs/tags/v1.1.0') as string;
      const objs = await client.fetchObjects({ url: url() }, [fx.commits.c1 as string, tagId, fx.commits.c2 as string]);
      assert.deepEqual(objs.map((o) => o.type), ['commit', 'tag', 'commit']);
      assert.deepEqual(Buffer.from(objs[0]?.body ?? []), await catFile(fx.repo, 'commit', fx.commits.c1 as string));
      assert.deepEqual(Buffer.from(objs[1]?.body ?? []), await catFile(fx.repo, 'tag', tagId));
      assert.equal(objs[1]?.id, tagId);
    });
    it('lists every ref as git ls-remote does', async () => {
      const refs = await client.listRefs({ url: url() });
      const flat = new Map<string, string>();
      for (const r of refs) {
        flat.set(r.name, r.id);
        if (r.peeled) flat.set(`${r.name}^{}`, r.peeled);
      }
      assert.deepEqual([...flat].sort(), [...ls].sort());
    });
  });
}

describe('protocol actually spoken', () => {
  it('v2 asks with ls-refs (a POST); v0 reads the advertisement only', async () => {
    const before2 = servers.v2.requests().length;
    const before0 = servers.v0.requests().length;
    await client.resolve({ url: `${servers.v2.url}/app.git` }, { branch: 'main' });
    await client.resolve({ url: `${servers.v0.url}/app.git` }, { branch: 'main' });
    assert.deepEqual(servers.v2.requests().slice(before2).map((r) => r.method), ['GET', 'POST']);
    assert.deepEqual(servers.v0.requests().slice(before0).map((r) => r.method), ['GET']);
  });
});

describe('HTTP errors', () => {
  it('404 is not-found', async () => {
    await assert.rejects(client.resolve({ url: `${servers.v2.url}/nope.git` }, {}), fails('git-remote.not-found'));
  });
  it('an unreachable host is unreachable', async () => {
    await assert.rejects(client.resolve({ url: 'http://127.0.0.1:1/app.git' }, {}), fails('git-remote.unreachable'));
  });
  it('bad URLs', async () => {
    for (const url of ['file:///tmp/x', 'git://host/x', 'not a url', '']) await assert.rejects(client.resolve({ url }, {}), fails('git-remote.bad-url'), url);
  });
  it('an aborted call rejects with the abort reason', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(client.resolve({ url: `${servers.v2.url}/app.git` }, {}, ac.signal), /stop/);
  });
});
