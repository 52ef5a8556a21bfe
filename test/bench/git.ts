import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeGitKeys } from '../lab/git-keys.js';
import { startGitServer } from '../lab/git-server.js';
import { mustRun } from '../lab/tools.js';
import { repoRoot } from '../helpers/paths.js';
import { measure, median, spread, type Sample } from './measure.js';

/**
 * `npm run bench:git`: one signed commit checked by `kubectl verify git` beside what people run instead,
 * `git clone` then `git verify-commit` (a shallow clone, and a shallow clone without trees), on a
 * repository served by `git http-backend` on loopback: a small one and one of a few thousand files. Wall
 * time and peak RSS of each whole process (GNU time), requests the server answered, min / median / max of
 * BENCH_RUNS runs (default 5), interleaved; ratios within this run.
 */
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const FILES = Number(process.env['BENCH_GIT_FILES'] ?? 4000);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kv-bench-git-'));
  const keys = await makeGitKeys();
  try {
    const signer = keys.pgp.signer;
    const root = join(dir, 'repos');
    const git = (cwd: string, args: readonly string[]): Promise<string> => mustRun('git', ['-C', cwd, ...args], { env: keys.env });
    for (const [name, files] of [['small', 2], ['large', FILES]] as const) {
      const work = join(dir, name);
      mkdirSync(join(work, 'manifests'), { recursive: true });
      await mustRun('git', ['init', '-q', '--bare', '-b', 'main', join(root, `${name}.git`)], { env: keys.env });
      await git(dir, ['init', '-q', '-b', 'main', work]);
      // 4 KiB of incompressible data per file: the clone pays for every byte
      for (let i = 0; i < files; i++) writeFileSync(join(work, 'manifests', `m${i}.yaml`), `data: ${randomBytes(3072).toString('base64')}\n`);
      await git(work, ['add', '.']);
      await git(work, [...keys.signArgs(signer), 'commit', '-q', '-S', '-m', `${files} files`]);
      await git(work, ['push', '-q', join(root, `${name}.git`), 'main']);
    }
    const keyDir = join(dir, 'keys');
    mkdirSync(keyDir);
    writeFileSync(join(keyDir, 'signer.asc'), signer.asc);
    const verifier = await keys.verifier([signer]);
    const server = await startGitServer({ root });
    const plugin = join(repoRoot(), 'plugin', 'kubectl-verify');
    const scratch = join(dir, 'clone');
    const cloneAndVerify = (url: string, extra: string): string =>
      `rm -rf ${scratch} && git clone -q --depth=1 --no-checkout ${extra} ${url} ${scratch} && git -C ${scratch} ${verifier.config.join(' ')} verify-commit HEAD 2>/dev/null`;
    type Row = { readonly label: string; readonly run: (url: string) => Promise<Sample> };
    const rows: Row[] = [
      { label: 'kubectl verify git --branch main --keys DIR', run: (url) => measure(plugin, ['git', url, '--branch', 'main', '--keys', keyDir], { expectCode: 0, dir }) },
      { label: 'git clone --depth=1 + git verify-commit', run: (url) => measure('sh', ['-c', cloneAndVerify(url, '')], { env: verifier.env, expectCode: 0, dir }) },
      { label: 'git clone --depth=1 --filter=tree:0 + git verify-commit', run: (url) => measure('sh', ['-c', cloneAndVerify(url, '--filter=tree:0')], { env: verifier.env, expectCode: 0, dir }) },
    ];
    const out: string[] = [`Git: one signed commit, ${RUNS} runs each, interleaved (min / median / max); ${new Date().toISOString()}`, ''];
    for (const name of ['small', 'large']) {
      const url = `${server.url}/${name}.git`;
      const samples = new Map<string, Sample[]>(rows.map((r) => [r.label, []]));
      const requests = new Map<string, number>();
      for (let i = 0; i < RUNS; i++) {
        for (const r of rows) {
          const before = server.requests().length;
          samples.get(r.label)?.push(await r.run(url));
          requests.set(r.label, server.requests().length - before);
        }
      }
      const base = median((samples.get(rows[1]?.label ?? '') ?? []).map((s) => s.ms));
      out.push(`${name} repository (${name === 'small' ? 2 : FILES} files of 4 KiB)`, '', '| command | wall ms | × git clone | peak RSS MiB | requests |', '|---|---|---|---|---|');
      for (const r of rows) {
        const s = samples.get(r.label) ?? [];
        const ms = s.map((x) => x.ms);
        out.push(`| ${r.label} | ${spread(ms)} | ${(median(ms) / base).toFixed(2)} | ${spread(s.map((x) => x.rssKiB), 1024)} | ${requests.get(r.label) ?? 0} |`);
      }
      out.push('');
    }
    await server.stop();
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:git failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
