import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startGitServer, type GitServer } from '../../lab/git-server.js';

const run = promisify(execFile);
let root: string;
let srv: GitServer;
const env = { PATH: process.env.PATH, HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@b' };
const git = async (cwd: string, ...args: string[]): Promise<string> => (await run('git', args, { cwd, env, encoding: 'utf8' })).stdout.trim();

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'kv-git-server-'));
  await git(root, 'init', '-q', '--bare', '-b', 'main', 'repo.git');
  srv = await startGitServer({ root, basicAuth: { username: 'u', password: 'p' } });
});
after(async () => {
  await srv.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('lab git server (git http-backend)', () => {
  it('takes a push and serves clones over protocol v2 and v0 to the real git', async () => {
    const work = join(root, 'work');
    await git(root, 'init', '-q', '-b', 'main', work);
    await git(work, 'commit', '-q', '--allow-empty', '-m', 'one');
    const head = await git(work, 'rev-parse', 'HEAD');
    const url = `${srv.url.replace('://', '://u:p@')}/repo.git`;
    await git(work, 'push', '-q', url, 'main');
    for (const v of ['2', '0']) {
      const out = join(root, `clone-v${v}`);
      await git(root, '-c', `protocol.version=${v}`, 'clone', '-q', '--depth=1', '--filter=tree:0', url, out);
      assert.equal(await git(out, 'rev-parse', 'HEAD'), head);
    }
    await assert.rejects(git(root, 'ls-remote', `${srv.url}/repo.git`));
    const log = srv.requests();
    assert.ok(log.some((r) => r.method === 'POST' && r.path === '/repo.git/git-receive-pack' && r.status === 200));
    assert.ok(log.some((r) => r.status === 401));
  });
});
