// The process boundary, and the first module Node runs (from the launcher, the npm bundle or the single
// executable). It imports nothing of the CLI statically but the tiny cache-dir.ts: an ES module's static
// imports are all compiled before its first line runs, and two things must happen before that. An old
// Node must get a clear message instead of a syntax or missing-API error from deep inside a dependency,
// and V8's compile cache must be on before the large modules are compiled. Keep the syntax here plain (no
// top-level await, no `?.`) so an old Node can parse this far.
import module from 'node:module';
import { pluginCacheDir } from './cache-dir.js';

const MIN_NODE_MAJOR = 22;

if (Number(process.versions.node.split('.')[0]) < MIN_NODE_MAJOR) {
  process.stderr.write(`error: kubectl verify needs Node.js ${MIN_NODE_MAJOR} or newer; ${process.execPath} is v${process.versions.node}\n`);
  process.exit(3);
}

enableCompileCache(process.env);

import('./main.js').then(
  async ({ run }) => {
    // everything below run() is testable without spawning a process
    const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
    // verifications still in flight (a quit from the interactive view, an interrupted watch) must not
    // hold the process: exit once what was written has been flushed
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`error: kubectl verify could not start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(3);
  },
);

/**
 * Turns on Node's module compile cache, so that from the second run on V8 reads compiled code from disk
 * instead of compiling the bundle again. Node keys each entry by file and content hash and by its own
 * version, so an upgrade or a rebuild only costs one cold run. NODE_COMPILE_CACHE (the user's own choice,
 * already applied by Node at start) and NODE_DISABLE_COMPILE_CACHE win. Nothing here may stop the plugin: a
 * directory that cannot be created makes Node report FAILED, and one that cannot be written is skipped by
 * Node when it flushes at exit.
 */
function enableCompileCache(env: NodeJS.ProcessEnv): void {
  if (typeof module.enableCompileCache !== 'function' || env.NODE_COMPILE_CACHE) return;
  try {
    const dir = pluginCacheDir(env);
    if (dir) module.enableCompileCache(dir);
  } catch {
    // no home directory, or a Node that throws instead of reporting FAILED: run without the cache
  }
}
