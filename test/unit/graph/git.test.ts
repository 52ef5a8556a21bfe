// GitRepository plans: source-controller's ref precedence, its reading of spec.verify.mode, and every revision form.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph } from '../../../src/graph/index.js';
import { gitRef, gitVerify, parseGitRevision } from '../../../src/graph/git.js';
import { gitRepo, kustomization, ref } from './factories.js';

const C = '0123456789abcdef0123456789abcdef01234567';

describe('Git plans', () => {
  it("applies pkg/git's precedence: commit > name > tag > semver > branch, master when nothing is set", () => {
    assert.deepEqual(gitRef(gitRepo('r', { ref: { branch: 'main', tag: 'v1', semver: '1.x', name: 'refs/heads/x', commit: C } })), { kind: 'commit', commit: C, branch: 'main' });
    assert.deepEqual(gitRef(gitRepo('r', { ref: { branch: 'main', tag: 'v1', semver: '1.x', name: 'refs/heads/x' } })), { kind: 'name', name: 'refs/heads/x' });
    assert.deepEqual(gitRef(gitRepo('r', { ref: { branch: 'main', tag: 'v1', semver: '1.x' } })), { kind: 'tag', tag: 'v1' });
    assert.deepEqual(gitRef(gitRepo('r', { ref: { branch: 'main', semver: '1.x' } })), { kind: 'semver', constraint: '1.x' });
    assert.deepEqual(gitRef(gitRepo('r', { ref: { branch: '' } })), { kind: 'branch', branch: 'master' });
    assert.deepEqual(gitRef(gitRepo('r', { ref: undefined })), { kind: 'branch', branch: 'master' });
  });

  it('reads spec.verify.mode as GetMode does: head is HEAD, invalid is HEAD, empty verifies nothing', () => {
    const mode = (m: string) => gitVerify(gitRepo('r', { verify: { mode: m, secretRef: 'k' } }));
    assert.deepEqual(mode('head'), { mode: 'HEAD', written: 'head', namespace: 'apps', secretRef: 'k' });
    assert.equal(mode('HEAD')?.mode, 'HEAD');
    assert.equal(mode('HEAD')?.written, undefined);
    assert.equal(mode('Tag')?.mode, 'Tag');
    assert.equal(mode('TagAndHEAD')?.mode, 'TagAndHEAD');
    assert.equal(mode('bogus')?.mode, 'HEAD');
    assert.equal(mode('tag')?.mode, 'HEAD', 'an invalid mode (case matters) reads as HEAD');
    assert.equal(mode(''), undefined);
    assert.equal(gitVerify(gitRepo('r')), undefined);
  });

  it('parses every revision form Flux has written', () => {
    assert.deepEqual(parseGitRevision(`main@sha1:${C}`), { revision: `main@sha1:${C}`, commit: C, refName: 'main' });
    assert.deepEqual(parseGitRevision(`feature/x@sha1:${C}`), { revision: `feature/x@sha1:${C}`, commit: C, refName: 'feature/x' });
    assert.deepEqual(parseGitRevision(`refs/tags/v1@sha1:${C}`), { revision: `refs/tags/v1@sha1:${C}`, commit: C, refName: 'refs/tags/v1' });
    assert.deepEqual(parseGitRevision(`sha1:${C}`), { revision: `sha1:${C}`, commit: C });
    assert.deepEqual(parseGitRevision(`main/${C}`), { revision: `main/${C}`, commit: C, refName: 'main' });
    assert.deepEqual(parseGitRevision(`HEAD/${C}`), { revision: `HEAD/${C}`, commit: C });
    // nothing is guessed from anything else
    assert.deepEqual(parseGitRevision('main@sha256:abc'), { revision: 'main@sha256:abc' });
    assert.deepEqual(parseGitRevision(`main@sha1:${C.slice(1)}`), { revision: `main@sha1:${C.slice(1)}` });
  });

  it('shares one plan between identical GitRepositories, and links consumers', () => {
    const g = buildGraph([
      gitRepo('a', { artifact: { revision: `main@sha1:${C}` } }),
      gitRepo('b', { artifact: { revision: `main@sha1:${C}` } }),
      gitRepo('c', { artifact: { revision: `main@sha1:${C}` }, verify: { mode: 'HEAD', secretRef: 'k' } }),
      kustomization('k', ref('GitRepository', 'c')),
    ]);
    // a and b differ in namespace-independent fields only by name: same url, ref, access namespace → one plan
    assert.deepEqual(g.gitPlans.map((p) => [p.id, p.nodeIds]), [
      ['git:https://git.example/org/repo#main', ['GitRepository/apps/a', 'GitRepository/apps/b']],
      ['git:https://git.example/org/repo#main#2', ['GitRepository/apps/c']],
    ]);
    assert.deepEqual(g.gitPlans[1]?.running, { revision: `main@sha1:${C}`, commit: C, refName: 'main' });
    assert.equal(g.nodes.find((n) => n.id === 'Kustomization/apps/k')?.gitPlanId, undefined);
  });
});
