import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The checkout's root: the nearest directory above the working directory whose package.json is ours. */
export function repoRoot(): string {
  let dir = process.cwd();
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kubectl-verify') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no kubectl-verify checkout above ${process.cwd()}`);
    dir = parent;
  }
}

/** ../shared beside the checkout (CI puts it there), or $KUBECTL_VERIFY_SHARED. */
export function sharedDir(): string {
  const dir = process.env.KUBECTL_VERIFY_SHARED ?? resolve(repoRoot(), '..', 'shared');
  if (!existsSync(join(dir, 'fixtures'))) throw new Error(`shared fixtures not found at ${dir}/fixtures (set KUBECTL_VERIFY_SHARED)`);
  return dir;
}

export function fixture(...parts: string[]): string {
  return join(sharedDir(), 'fixtures', ...parts);
}
