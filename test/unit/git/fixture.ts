import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A served repository made with the real `git`: branches, tags of every kind, a semver set, a pull ref. */
export interface GitFixture {
  readonly root: string;
  /** path of the bare repository under root */
  readonly repo: string;
  readonly work: string;
  git(...args: string[]): Promise<string>;
  /** `git ls-remote` of the bare repository: name → id, with the `^{}` lines */
  lsRemote(): Promise<Map<string, string>>;
  commits: Record<string, string>;
}

export async function makeFixture(name = 'app.git'): Promise<GitFixture> {
  const root = mkdtempSync(join(tmpdir(), 'kv-git-fixture-'));
  const repo = join(root, name);
  const work = join(root, 'work');
  let clock = 1_700_000_000;
  const env = (): NodeJS.ProcessEnv => {
    clock += 60;
    const date = `@${clock} +0000`;
    return { PATH: process.env.PATH, HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Lab', GIT_AUTHOR_EMAIL: 'lab@example.org', GIT_COMMITTER_NAME: 'Lab', GIT_COMMITTER_EMAIL: 'lab@example.org', GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  };
  const git = async (...args: string[]): Promise<string> => (await run('git', args, { cwd: work, env: env(), encoding: 'utf8' })).stdout.trim();
  await run('git', ['init', '-q', '--bare', repo], { env: env() });
  await run('git', ['init', '-q', '-b', 'main', work], { env: env() });
  const commit = async (msg: string): Promise<string> => {
    await git('commit', '-q', '--allow-empty', '-m', msg);
    return git('rev-parse', 'HEAD');
  };
  const c: Record<string, string> = {};
  c.c1 = await commit('one');
  await git('tag', 'v1.0.0'); // lightweight
  c.c2 = await commit('two');
  await git('tag', '-a', '-m', 'annotated 1.1.0', 'v1.1.0');
  await git('tag', '-a', '-m', 'tag of a tag', 'nested', 'v1.1.0');
  await git('tag', '-a', '-m', 'rc', '1.2.0-rc.1');
  c.c3 = await commit('three');
  await git('tag', 'v1.2.0');
  await git('tag', '1.3'); // two parts: never a Flux version
  await git('tag', 'v2.0.0-beta.1');
  await git('branch', 'master', c.c1);
  await git('checkout', '-q', '-b', 'feature/x');
  c.feature = await commit('feature');
  await git('checkout', '-q', 'main');
  // equal versions: Flux takes the latest committer time
  c.tieOld = await commit('tie old');
  // by name the older one sorts last: only the committer time picks the newer
  await git('tag', '-a', '-m', 'tie old', 'v1.5.0+old');
  c.tieNew = await commit('tie new');
  await git('tag', '1.5.0'); // lightweight, later commit
  c.main = c.tieNew;
  await git('push', '-q', repo, 'main', 'master', 'feature/x', '--tags');
  await git('push', '-q', repo, `${c.c2}:refs/pull/1/head`);
  await run('git', ['--git-dir', repo, 'symbolic-ref', 'HEAD', 'refs/heads/main']);
  const lsRemote = async (): Promise<Map<string, string>> => {
    const out = (await run('git', ['ls-remote', repo], { encoding: 'utf8' })).stdout;
    return new Map(out.trim().split('\n').map((l) => { const [id, n] = l.split('\t'); return [n as string, id as string]; }));
  };
  return { root, repo, work, git, lsRemote, commits: c };
}

/** the raw object bytes as `git cat-file` prints them */
export async function catFile(repo: string, type: 'commit' | 'tag', id: string): Promise<Buffer> {
  return (await run('git', ['--git-dir', repo, 'cat-file', type, id], { encoding: 'buffer' })).stdout;
}

export async function packOf(repo: string, ids: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', ['--git-dir', repo, 'pack-objects', '--stdout'], { encoding: 'buffer', maxBuffer: 1 << 24 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    child.stdin?.end(`${ids.join('\n')}\n`);
  });
}
