import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Bundle } from './bundle.js';
import { adhocSign, stripMachoSignature } from './macho.js';
import { run } from './npm-node.js';
import { stripAuthenticode } from './pe.js';
import type { Target } from './targets.js';

/** The fuse Node looks for to know a blob was injected (the same in Node 22 and 24). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface ExecutableInput {
  readonly target: Target;
  readonly root: string;
  readonly bundle: Bundle;
  /** the target's Node executable, copied and injected */
  readonly nodeBin: string;
  /** a Node of the target's exact version that runs here, to write the blob */
  readonly generator: string;
  readonly work: string;
  readonly out: string;
}

/**
 * One single executable: the SEA blob (the CommonJS launcher plus the bundle as assets) written by the
 * target's Node version and injected into a copy of the target's Node with postject. Existing signatures
 * are removed first, since injection invalidates them; macOS binaries then get an ad-hoc signature, without
 * which Apple silicon refuses to run them.
 */
export async function buildExecutable(input: ExecutableInput): Promise<void> {
  const { target, work } = input;
  mkdirSync(join(work, 'assets'), { recursive: true });
  const assets: Record<string, string> = {};
  for (const f of input.bundle.files) {
    const file = join(work, 'assets', ...f.path.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, f.text);
    assets[f.path] = file;
  }
  const blob = join(work, 'sea.blob');
  const config = {
    main: join(input.root, 'plugin', 'release', 'sea-main.cjs'),
    output: blob,
    disableExperimentalSEAWarning: true,
    // Neither helps here. The code cache covers only the CommonJS main, a few lines (measured again with the
    // compile cache on: no change beyond the noise); the application is ES modules, which a startup snapshot
    // cannot hold. What caches their compiled code is Node's compile cache, which the entry module turns on
    // (src/cli/entry.ts) and which works for the modules the hooks serve from the assets.
    useSnapshot: false,
    useCodeCache: false,
    // as plugin/kubectl-verify: V8 sizes the young generation from the machine's memory (up to 64 MiB per
    // semi-space), which a short-lived CLI never needs; 8 MiB takes an audit of 5,000 objects from about
    // 325 to 210 MiB peak RSS in no more time than the default (docs/performance.md)
    execArgv: ['--max-semi-space-size=8'],
    assets,
  };
  const configFile = join(work, 'sea-config.json');
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  await run(input.generator, ['--experimental-sea-config', configFile], { cwd: work });

  mkdirSync(dirname(input.out), { recursive: true });
  copyFileSync(input.nodeBin, input.out);
  chmodSync(input.out, 0o755);
  if (target.os === 'darwin') writeFileSync(input.out, stripMachoSignature(readFileSync(input.out)));
  if (target.os === 'windows') writeFileSync(input.out, stripAuthenticode(readFileSync(input.out)));
  const postject = join(input.root, 'node_modules', 'postject', 'dist', 'cli.js');
  const macho = target.os === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [];
  await run(process.execPath, [postject, input.out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE, ...macho]);
  if (target.os === 'darwin') writeFileSync(input.out, adhocSign(readFileSync(input.out), 'kubectl-verify'));
  chmodSync(input.out, 0o755);
}
