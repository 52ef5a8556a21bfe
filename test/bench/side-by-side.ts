import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathClasses as CLASSES, startCountingProxy, type CountingProxy, type PathClass } from '../helpers/counting-proxy.js';
import { repoRoot } from '../helpers/paths.js';
import { artifactArgs } from '../lab/plugin.js';
import { startRegistry } from '../lab/registries.js';
import { seedLab, toolEnv, type LabMaterial, type SeedCase } from '../lab/seed.js';
import { runTool } from '../lab/tools.js';

/**
 * `npm run bench:side`: one signed artifact verified by the plugin beside the tool people use
 * instead (cosign or notation), in the same run on the same registry, so the ratios hold across
 * machines. A counting proxy in front of olareg gives the registry requests of each run.
 * `-- --write-doc` also puts the table into docs/performance.md between its markers.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CASES = ['cosign-bundle-ecdsa', 'cosign-legacy', 'notation-jws'] as const;
const DOC_BEGIN = '<!-- side-by-side:begin -->';
const DOC_END = '<!-- side-by-side:end -->';

interface Sample {
  readonly ms: number;
  readonly rssKiB: number;
  readonly requests: ReadonlyMap<PathClass, number>;
}

interface Row {
  readonly artifact: string;
  readonly tool: string;
  readonly samples: readonly Sample[];
}

/** Runs a command under GNU time, wall time measured here; any exit but 0 fails the benchmark. */
async function measure(proxy: CountingProxy, cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  proxy.reset();
  const t0 = process.hrtime.bigint();
  const r = await runTool('/usr/bin/time', ['-f', 'RSS %M', cmd, ...args], { env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.code !== 0) throw new Error(`${cmd.split('/').pop()} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().slice(-400)}`);
  const m = /RSS (\d+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`no peak RSS from /usr/bin/time: ${r.stderr.slice(-300)}`);
  return { ms, rssKiB: Number(m[1]), requests: new Map(proxy.counts) };
}

function referenceCommand(c: SeedCase, material: LabMaterial): { tool: 'cosign' | 'notation'; args: string[] } {
  if (c.trust.cosignKey) {
    return { tool: 'cosign', args: ['verify', '--key', material.cosignKeys[c.trust.cosignKey].pub, '--insecure-ignore-tlog=true', '--allow-http-registry', c.ref] };
  }
  return { tool: 'notation', args: ['verify', '--insecure-registry', c.ref] };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const total = (s: Sample): number => [...s.requests.values()].reduce((a, b) => a + b, 0);

function breakdown(s: Sample): string {
  return CLASSES.filter((c) => (s.requests.get(c) ?? 0) > 0)
    .map((c) => `${c} ${s.requests.get(c)}`)
    .join(', ');
}

function table(rows: readonly Row[]): string {
  const lines = [
    `| artifact | tool | wall min / median / max (ms) | requests per run | peak RSS (MiB) | plugin ÷ tool: time · requests · RSS |`,
    '|---|---|---:|---|---:|---:|',
  ];
  for (let i = 0; i < rows.length; i += 2) {
    const ref = rows[i] as Row;
    const plug = rows[i + 1] as Row;
    for (const row of [ref, plug]) {
      const ms = row.samples.map((s) => s.ms);
      const reqs = row.samples.map(total);
      const reqText = Math.min(...reqs) === Math.max(...reqs) ? `${reqs[0]}` : `${Math.min(...reqs)}–${Math.max(...reqs)}`;
      const rss = Math.max(...row.samples.map((s) => s.rssKiB)) / 1024;
      let ratio = '';
      if (row === plug) {
        const t = median(plug.samples.map((s) => s.ms)) / median(ref.samples.map((s) => s.ms));
        const q = median(plug.samples.map(total)) / median(ref.samples.map(total));
        const m = Math.max(...plug.samples.map((s) => s.rssKiB)) / Math.max(...ref.samples.map((s) => s.rssKiB));
        ratio = `**${t.toFixed(2)}×** · ${q.toFixed(2)}× · ${m.toFixed(2)}×`;
      }
      lines.push(
        `| ${row.artifact} | ${row.tool} | ${Math.min(...ms).toFixed(0)} / ${median(ms).toFixed(0)} / ${Math.max(...ms).toFixed(0)} | ${reqText} (${breakdown(row.samples[row.samples.length - 1] as Sample)}) | ${rss.toFixed(0)} | ${ratio} |`,
      );
    }
  }
  return lines.join('\n');
}

function floorTable(rows: readonly Row[]): string {
  const lines = ['| command | wall min / median / max (ms) | peak RSS (MiB) |', '|---|---:|---:|'];
  for (const row of rows) {
    const ms = row.samples.map((s) => s.ms);
    const rss = Math.max(...row.samples.map((s) => s.rssKiB)) / 1024;
    lines.push(`| \`${row.tool}\` | ${Math.min(...ms).toFixed(0)} / ${median(ms).toFixed(0)} / ${Math.max(...ms).toFixed(0)} | ${rss.toFixed(0)} |`);
  }
  return lines.join('\n');
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where one plugin run spends its CPU: self time by function and by module, from `node --cpu-prof`. */
async function profile(args: readonly string[], dir: string): Promise<string> {
  const root = repoRoot();
  const node = join(root, 'node_modules', 'node', 'bin', 'node');
  const profDir = join(dir, 'prof');
  const r = await runTool(existsSync(node) ? node : 'node', ['--cpu-prof', '--cpu-prof-dir', profDir, join(root, 'dist', 'src', 'cli', 'entry.js'), ...args]);
  if (r.code !== 0) throw new Error(`profiled plugin run exited ${r.code}: ${r.stderr.slice(-300)}`);
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('node --cpu-prof wrote no profile');
  const prof = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Node's own frames (module compile, streams, crypto) are charged to the nearest package or
  // plugin frame above them, so loading a dependency counts against that dependency
  const ownerOf = (id: number): string | undefined => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur)?.callFrame.url.replace(`file://${root}/`, '') ?? '';
      const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
      if (nm) return nm[1];
      if (url.startsWith('dist/')) return url.split('/').slice(0, 4).join('/');
    }
    return undefined;
  };
  const fn = new Map<string, number>();
  const mod = new Map<string, number>();
  let all = 0;
  prof.samples.forEach((id, i) => {
    const us = prof.timeDeltas[i] ?? 0;
    const n = byId.get(id);
    if (!n) return;
    all += us;
    const { functionName, url, lineNumber } = n.callFrame;
    const short = url.replace(`file://${root}/`, '');
    const key = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + us);
    const m = ownerOf(id) ?? (short.startsWith('node:') ? 'node itself (bootstrap, ESM loading)' : functionName);
    mod.set(m, (mod.get(m) ?? 0) + us);
  });
  const top = (map: Map<string, number>, n = 5): string =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `| ${k} | ${(us / 1000).toFixed(0)} ms | ${((100 * us) / all).toFixed(0)} % |`)
      .join('\n');
  return [
    `CPU profile of one plugin run (${(all / 1000).toFixed(0)} ms sampled), top 5 by self time:`,
    '',
    '| function | self | share |',
    '|---|---:|---:|',
    top(fn),
    '',
    '| charged to (nearest package or plugin module on the stack) | self | share |',
    '|---|---:|---:|',
    top(mod, 8),
  ].join('\n');
}

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('the benchmark measures peak memory with GNU time: apt-get install time');
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const started = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const dir = mkdtempSync(join(tmpdir(), 'kv-side-'));
  const olareg = await startRegistry('olareg');
  const distribution = await startRegistry('distribution');
  const proxy = await startCountingProxy(olareg.host);
  try {
    process.stderr.write(`seeding through the counting proxy ${proxy.host} → olareg ${olareg.host}…\n`);
    // the seed's olareg cases are pushed and signed through the proxy, so references name its host
    const seed = await seedLab({ olareg: { ...olareg, host: proxy.host }, distribution }, dir);
    const env = toolEnv(seed.material);
    const plugin = join(repoRoot(), 'plugin', 'kubectl-verify');
    const rows: Row[] = [];
    for (const name of CASES) {
      const c = seed.cases.find((x) => x.name === name);
      if (!c) throw new Error(`seed case ${name} is gone from test/lab/seed.ts`);
      const ref = referenceCommand(c, seed.material);
      const refSamples: Sample[] = [];
      const plugSamples: Sample[] = [];
      // interleaved, so drift in machine load hits both tools alike
      for (let r = 0; r < RUNS; r++) {
        refSamples.push(await measure(proxy, ref.tool, ref.args, env));
        plugSamples.push(await measure(proxy, plugin, artifactArgs(c, seed.material), env));
      }
      process.stderr.write(`${name}: done\n`);
      rows.push({ artifact: name, tool: `${ref.tool} verify`, samples: refSamples }, { artifact: name, tool: 'kubectl verify artifact', samples: plugSamples });
    }
    // the floor under every plugin run: a bare Node start, and the plugin's launcher and CLI doing nothing
    const floor: Row[] = [];
    const nodeBin = join(repoRoot(), 'node_modules', 'node', 'bin', 'node');
    for (const [tool, cmd, args] of [
      ['node -e 0', existsSync(nodeBin) ? nodeBin : 'node', ['-e', '0']],
      ['kubectl verify --version', plugin, ['--version']],
    ] as const) {
      const samples: Sample[] = [];
      for (let r = 0; r < RUNS; r++) samples.push(await measure(proxy, cmd, args, env));
      floor.push({ artifact: '(startup floor)', tool, samples });
    }
    const bundle = seed.cases.find((x) => x.name === CASES[0]) as SeedCase;
    const prof = await profile(artifactArgs(bundle, seed.material), dir);
    const machine = `${cpus().length} CPU (${cpus()[0]?.model.trim() ?? 'unknown'}), load average at start ${load}, Node ${process.version}`;
    const block = [
      `Measured ${started} on ${machine}; ${RUNS} runs per tool, interleaved. Command: \`npm run bench:side${process.argv.includes('--write-doc') ? ' -- --write-doc' : ''}\`.`,
      '',
      table(rows),
      '',
      'Startup floor (no registry work):',
      '',
      floorTable(floor),
      '',
      prof,
    ].join('\n');
    console.log(block);
    if (process.argv.includes('--write-doc')) {
      const doc = join(repoRoot(), 'docs', 'performance.md');
      const text = readFileSync(doc, 'utf8');
      const a = text.indexOf(DOC_BEGIN);
      const b = text.indexOf(DOC_END);
      if (a < 0 || b < a) throw new Error(`docs/performance.md has no ${DOC_BEGIN} … ${DOC_END} markers`);
      writeFileSync(doc, `${text.slice(0, a + DOC_BEGIN.length)}\n${block}\n${text.slice(b)}`);
      process.stderr.write('wrote the table into docs/performance.md\n');
    }
  } finally {
    await proxy.close();
    await olareg.stop();
    await distribution.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
