import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { BUNDLE_ENTRY, bundleOptions } from '../release/bundle.js';

/**
 * Where a plugin run spends its CPU, for docs/performance.md's Start-up section:
 *
 *   node dist/plugin/bundle/profile.js [--runs 5] [--entry FILE] -- ARGS…
 *
 * Builds the bundle with source maps into a scratch directory (or takes --entry, e.g. another checkout's
 * dist/src/cli/entry.js), runs it once to warm the compile cache (in a scratch XDG_CACHE_HOME), then
 * `--runs` times under `node --cpu-prof`, and prints the self time of the samples charged to the nearest
 * npm package or src/ folder on the stack (Node's own frames, module compiling included, count against the
 * code that caused them), averaged over the runs, with the mean wall time of the profiled runs.
 */

interface Frame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}
interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: Frame; readonly children?: readonly number[] }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  const opts = dash < 0 ? argv : argv.slice(0, dash);
  const args = dash < 0 ? [] : argv.slice(dash + 1);
  const flag = (name: string): string | undefined => {
    const i = opts.indexOf(name);
    return i < 0 ? undefined : opts[i + 1];
  };
  const runs = Number(flag('--runs') ?? 5);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const scratch = mkdtempSync(join(tmpdir(), 'kv-profile-'));
  try {
    let entry = flag('--entry');
    if (entry === undefined) {
      await esbuild.build({ ...bundleOptions(root, join(scratch, 'bundle')), sourcemap: 'external' });
      entry = join(scratch, 'bundle', BUNDLE_ENTRY);
    }
    const env = { ...process.env, XDG_CACHE_HOME: join(scratch, 'cache') };
    spawnSync(process.execPath, [entry, ...args], { env, stdio: 'ignore' });
    let wall = 0;
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', join(scratch, 'prof'), entry, ...args], { env, encoding: 'utf8' });
      wall += Number(process.hrtime.bigint() - t) / 1e6;
      if (r.status !== 0 && r.status !== 1) throw new Error(`the profiled run exited ${r.status}: ${r.stderr.slice(-300)}`);
    }
    const profiles = readdirSync(join(scratch, 'prof')).map((f) => JSON.parse(readFileSync(join(scratch, 'prof', f), 'utf8')) as CpuProfile);
    const { total, by } = charge(profiles);
    console.log(`${profiles.length} runs of ${entry} ${args.join(' ')}: mean wall ${(wall / runs).toFixed(0)} ms, mean ${(total / runs / 1000).toFixed(0)} ms sampled (idle excluded)\n`);
    console.log('| charged to | self | share |\n|---|---:|---:|');
    for (const [k, us] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`| ${k} | ${(us / runs / 1000).toFixed(0)} ms | ${((100 * us) / total).toFixed(0)} % |`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Self time per owner, summed over the profiles, in microseconds. */
function charge(profiles: readonly CpuProfile[]): { total: number; by: Map<string, number> } {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (url: string): SourceMap | undefined => {
    if (!url.startsWith('file://')) return undefined;
    if (!maps.has(url)) {
      const file = `${fileURLToPath(url)}.map`;
      maps.set(url, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]) : undefined);
    }
    return maps.get(url);
  };
  // the npm package or src/ folder a frame's code comes from, through the bundle's source map
  const ownerOfFrame = (f: Frame): string | undefined => {
    let url = f.url;
    const map = mapOf(url);
    if (map) {
      const e = map.findEntry(f.lineNumber, f.columnNumber);
      if ('originalSource' in e) url = e.originalSource;
    }
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) return pkg[1];
    const own = /(?:^|\/)src\/([^/]+?)(?:\.[jt]sx?)?(?:\/|$)/.exec(url);
    if (own) return `src/${own[1]}`;
    return map ? 'esbuild runtime helpers' : undefined;
  };
  const by = new Map<string, number>();
  let total = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const owner = (id: number): string | undefined => {
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)?.callFrame;
        const o = f ? ownerOfFrame(f) : undefined;
        if (o) return o;
      }
      return undefined;
    };
    p.samples.forEach((id, i) => {
      const f = byId.get(id)?.callFrame;
      if (!f || f.functionName === '(idle)') return;
      const us = p.timeDeltas[i] ?? 0;
      const special = f.functionName === '(garbage collector)' || f.functionName === '(program)';
      const k = special ? f.functionName : (owner(id) ?? (f.url.startsWith('node:') ? 'Node itself (bootstrap, module loader)' : f.functionName || '(native)'));
      total += us;
      by.set(k, (by.get(k) ?? 0) + us);
    });
  }
  return { total, by };
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
