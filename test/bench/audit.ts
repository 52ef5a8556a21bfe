import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-proxy.js';
import { repoRoot } from '../helpers/paths.js';
import { startCluster, type RunningCluster } from '../lab/cluster.js';
import { startRegistry } from '../lab/registries.js';
import { makeMaterial, toolEnv, type LabMaterial } from '../lab/seed.js';
import { labBin, mustRun } from '../lab/tools.js';
import { benchKinds, fleetYaml, seedArtifacts, type BenchArtifact, type BenchKind, type FleetExpectation } from './fleet.js';
import { BenchFailure, breakdown, fmt, measure, median, spread, sumRequests, total, type Sample } from './measure.js';
import { tuiTiming, type TuiTiming } from './tui-latency.js';

/**
 * `npm run bench`: the plugin beside the tools people use instead, in one process and one run, so the
 * ratios hold across machines. olareg on loopback behind a request-counting proxy holds BENCH_ARTIFACTS
 * distinct artifacts signed by the real cosign and notation (cosign bundle, cosign legacy `.sig`,
 * notation JWS, unsigned, in turn). Then, BENCH_RUNS times each, interleaved:
 *
 * - the real `cosign verify` / `notation verify` once per distinct artifact (all of them);
 * - `kubectl verify artifact` beside cosign/notation on BENCH_SAMPLE artifacts of each kind;
 * - `kubectl verify -f` on fleets of BENCH_SIZES OCIRepositories over those artifacts;
 * - `kubectl verify -A -o json` against a real kube-apiserver holding the same objects, beside
 *   `kubectl get` of the five kinds (the listing floor), API requests from the server's audit log;
 * - the interactive view at the largest size: first frame with tree rows, and `j` to the next frame.
 *
 * Every run must end as expected (exit code and, for audits, the summary), or the benchmark fails.
 * `-- --write-doc` puts the tables into docs/performance.md between the fleet markers.
 * BENCH_PARTS (cli,artifact,files,cluster,tui) picks what runs.
 */
const num = (name: string, dflt: number): number => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
};
const RUNS = num('BENCH_RUNS', 5);
const ARTIFACTS = num('BENCH_ARTIFACTS', 200);
const SAMPLE = num('BENCH_SAMPLE', 10);
const SEED_PARALLEL = num('BENCH_SEED_PARALLEL', 4);
const KEYS = num('BENCH_KEYS', 10);
const SIZES = (process.env.BENCH_SIZES ?? '1000,5000').split(',').map(Number).sort((a, b) => a - b);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'cli,artifact,files,cluster,tui').split(','));
const DOC_BEGIN = '<!-- fleet:begin -->';
const README_BEGIN = '<!-- bench:begin -->';
const README_END = '<!-- bench:end -->';
const DOC_END = '<!-- fleet:end -->';
// every kind kubectl verify lists (src/kube/kinds.ts), so the floor makes the same lists
const KINDS_LISTED = 'ocirepositories,helmrepositories,helmcharts,gitrepositories,buckets,externalartifacts,helmreleases,kustomizations';

if (SIZES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('BENCH_SIZES is a comma-separated list of object counts');

const progress = (msg: string): boolean => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface Ctx {
  readonly dir: string;
  readonly proxy: CountingProxy;
  readonly material: LabMaterial;
  readonly artifacts: readonly BenchArtifact[];
  readonly toolEnv: NodeJS.ProcessEnv;
  /** the plugin's environment: HOME (discovery cache) in the benchmark's directory */
  readonly env: NodeJS.ProcessEnv;
  readonly plugin: string;
}

/** The real tool's command for an artifact, with the trust material the plugin is given too. */
function toolCommand(ctx: Ctx, a: BenchArtifact): { name: string; cmd: string; args: string[] } {
  if (a.kind === 'notation') return { name: 'notation verify', cmd: labBin('notation'), args: ['verify', '--insecure-registry', a.ref] };
  return { name: 'cosign verify', cmd: labBin('cosign'), args: ['verify', '--key', ctx.material.cosignKeys.ecdsa.pub, '--insecure-ignore-tlog=true', '--allow-http-registry', a.ref] };
}

function pluginArtifactArgs(ctx: Ctx, a: BenchArtifact): string[] {
  const trust = a.kind === 'notation' ? ['--trust-policy', ctx.material.trustPolicy, '--trust-cert', ctx.material.notationCert] : ['--key', ctx.material.cosignKeys.ecdsa.pub];
  return ['artifact', `oci://${a.ref}`, '--insecure', ...trust];
}

/** 0 verified; not verified: the plugin exits 1, cosign 10 ("no signatures found"). */
const expectedCode = (a: BenchArtifact, by: 'tool' | 'plugin'): number => (a.kind !== 'unsigned' ? 0 : by === 'tool' ? 10 : 1);

/** The audit's JSON must say what the fleet is: every object there, signed ones verified, unsigned failed. */
function checkAudit(what: string, s: Sample, expect: FleetExpectation): void {
  let report: { summary: Record<string, number>; nodes: unknown[] };
  try {
    report = JSON.parse(s.stdout) as typeof report;
  } catch {
    throw new BenchFailure(`${what}: the output is not JSON: ${s.stdout.slice(0, 200)}`);
  }
  const { verified, failed } = report.summary;
  if (report.nodes.length !== expect.objects || verified !== expect.verified || failed !== expect.failed) {
    throw new BenchFailure(`${what}: expected ${expect.objects} objects, ${expect.verified} verified and ${expect.failed} failed; got ${report.nodes.length} objects, summary ${JSON.stringify(report.summary)}`);
  }
}

interface CliResult {
  /** per run: all artifacts one after another */
  readonly runs: { ms: number; rssKiB: number; requests: number }[];
  /** every single invocation */
  readonly each: Sample[];
}

async function cliPerArtifact(ctx: Ctx, run: number): Promise<CliResult['runs'][number] & { each: Sample[] }> {
  const each: Sample[] = [];
  for (const a of ctx.artifacts) {
    const t = toolCommand(ctx, a);
    each.push(await measure(t.cmd, t.args, { env: ctx.toolEnv, proxy: ctx.proxy, expectCode: expectedCode(a, 'tool'), dir: ctx.dir }));
  }
  progress(`run ${run}: cosign/notation verify on ${ctx.artifacts.length} artifacts: ${(each.reduce((x, s) => x + s.ms, 0) / 1000).toFixed(1)} s`);
  return { ms: each.reduce((x, s) => x + s.ms, 0), rssKiB: Math.max(...each.map((s) => s.rssKiB)), requests: each.reduce((x, s) => x + total(s), 0), each };
}

interface PairRows {
  tool: Map<BenchKind, Sample[]>;
  plugin: Map<BenchKind, Sample[]>;
}

async function artifactPairs(ctx: Ctx, rows: PairRows): Promise<void> {
  for (const kind of benchKinds) {
    for (const a of ctx.artifacts.filter((x) => x.kind === kind).slice(0, SAMPLE)) {
      const t = toolCommand(ctx, a);
      const push = (m: Map<BenchKind, Sample[]>, s: Sample): void => void m.set(kind, [...(m.get(kind) ?? []), s]);
      push(rows.tool, await measure(t.cmd, t.args, { env: ctx.toolEnv, proxy: ctx.proxy, expectCode: expectedCode(a, 'tool'), dir: ctx.dir }));
      push(rows.plugin, await measure(ctx.plugin, pluginArtifactArgs(ctx, a), { env: ctx.env, proxy: ctx.proxy, expectCode: expectedCode(a, 'plugin'), dir: ctx.dir }));
    }
  }
}

interface Fleet {
  readonly n: number;
  readonly file: string;
  readonly statusFile: string;
  readonly expect: FleetExpectation;
  readonly distinct: number;
}

const auditCode = (e: FleetExpectation): number => (e.failed > 0 ? 1 : 0);

async function runFiles(ctx: Ctx, f: Fleet): Promise<Sample> {
  const s = await measure(ctx.plugin, ['-f', f.file, '-o', 'json'], { env: ctx.env, proxy: ctx.proxy, expectCode: auditCode(f.expect), dir: ctx.dir });
  checkAudit(`kubectl verify -f (${f.n} objects)`, s, f.expect);
  return s;
}

interface ClusterSample extends Sample {
  readonly api: number;
}

async function withApiCount(cluster: RunningCluster, run: () => Promise<Sample>): Promise<ClusterSample> {
  const before = cluster.apiRequests().length;
  const s = await run();
  return { ...s, api: cluster.apiRequests().length - before };
}

function machineLine(started: string, load: string): string {
  return `${cpus().length} CPU (${cpus()[0]?.model.trim() ?? 'unknown'}), load average at start ${load}, Node ${process.version}; started ${started}`;
}

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('the benchmark measures peak memory with GNU time: apt-get install time');
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const started = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const dir = mkdtempSync(join(tmpdir(), 'kv-bench-'));
  const olareg = await startRegistry('olareg');
  const proxy = await startCountingProxy(olareg.host);
  let cluster: RunningCluster | undefined;
  try {
    progress(`olareg ${olareg.host} behind the counting proxy ${proxy.host}; keys and certificates…`);
    const material = await makeMaterial(join(dir, 'material'));
    const t0 = Date.now();
    const artifacts = await seedArtifacts(material, proxy.host, ARTIFACTS, SEED_PARALLEL, (done) => {
      if (done % 10 === 0 || done === ARTIFACTS) progress(`seeded ${done}/${ARTIFACTS} artifacts (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    });
    const home = join(dir, 'home');
    mkdirSync(home);
    const tEnv = toolEnv(material);
    const ctx: Ctx = { dir, proxy, material, artifacts, toolEnv: tEnv, env: { ...tEnv, HOME: home }, plugin: join(repoRoot(), 'plugin', 'kubectl-verify') };

    const fleets: Fleet[] = SIZES.map((n) => {
      const f = fleetYaml(n, artifacts, material, { namespaceObjects: true });
      const file = join(dir, `fleet-${n}.yaml`);
      const statusFile = join(dir, `fleet-${n}.status.yaml`);
      writeFileSync(file, f.yaml);
      writeFileSync(statusFile, f.statusYaml);
      return { n, file, statusFile, expect: f.expect, distinct: Math.min(n, artifacts.length) };
    });

    // 1. the real tools once per distinct artifact, the plugin beside them on a sample, the fleets from files
    const cli: CliResult = { runs: [], each: [] };
    const pairs: PairRows = { tool: new Map(), plugin: new Map() };
    const files = new Map<number, Sample[]>(fleets.map((f) => [f.n, []]));
    for (let r = 1; r <= RUNS; r++) {
      if (PARTS.has('cli')) {
        const c = await cliPerArtifact(ctx, r);
        cli.runs.push(c);
        cli.each.push(...c.each);
      }
      if (PARTS.has('artifact')) {
        await artifactPairs(ctx, pairs);
        progress(`run ${r}: kubectl verify artifact beside cosign/notation on ${SAMPLE} artifacts per kind`);
      }
      if (PARTS.has('files')) {
        for (const f of fleets) {
          const s = await runFiles(ctx, f);
          files.get(f.n)?.push(s);
          progress(`run ${r}: kubectl verify -f ${f.n} objects: ${(s.ms / 1000).toFixed(1)} s, ${(s.rssKiB / 1024).toFixed(0)} MiB, ${total(s)} registry requests`);
        }
      }
    }

    // 2. the same objects in a real API server: kubectl get (the listing floor) beside kubectl verify -A
    const listing = new Map<number, { get: ClusterSample[]; audit: ClusterSample[] }>();
    if (PARTS.has('cluster')) {
      progress('starting etcd and kube-apiserver with the Flux CRDs…');
      cluster = await startCluster();
      const c = cluster;
      const kenv = { ...ctx.env, KUBECONFIG: c.kubeconfig };
      const kubectl = labBin('kubectl');
      for (const f of fleets) {
        const ta = Date.now();
        // thousands of objects take longer than the lab's kubectl helper waits
        const apply = (args: readonly string[]): Promise<string> => mustRun(kubectl, ['--kubeconfig', c.kubeconfig, 'apply', '--server-side', ...args], { timeoutMs: 1_800_000 });
        await apply(['-f', f.file]);
        // status is a subresource: written as source-controller writes it, so findings are Flux's
        await apply(['--subresource=status', '-f', f.statusFile]);
        progress(`applied ${f.n} objects in ${((Date.now() - ta) / 1000).toFixed(0)} s`);
        // discovery cached as kubectl caches it: one warm-up of each, not measured
        await measure(kubectl, ['get', KINDS_LISTED, '-A', '-o', 'json'], { env: kenv, expectCode: 0, dir });
        await measure(ctx.plugin, ['-A', '-o', 'json'], { env: kenv, expectCode: auditCode(f.expect), dir });
        const row = { get: [] as ClusterSample[], audit: [] as ClusterSample[] };
        for (let r = 1; r <= RUNS; r++) {
          row.get.push(await withApiCount(c, () => measure(kubectl, ['get', KINDS_LISTED, '-A', '-o', 'json'], { env: kenv, expectCode: 0, dir })));
          const a = await withApiCount(c, () => measure(ctx.plugin, ['-A', '-o', 'json'], { env: kenv, proxy, expectCode: auditCode(f.expect), dir }));
          checkAudit(`kubectl verify -A (${f.n} objects)`, a, f.expect);
          row.audit.push(a);
          progress(`run ${r}: ${f.n} objects in the cluster: kubectl get ${((row.get.at(-1)?.ms ?? 0) / 1000).toFixed(2)} s, kubectl verify -A ${(a.ms / 1000).toFixed(2)} s`);
        }
        listing.set(f.n, row);
      }
      await c.stop();
      cluster = undefined;
    }

    // 3. the interactive view at the largest size, and on the built-in demo fleet
    const tui = new Map<string, TuiTiming[]>();
    if (PARTS.has('tui')) {
      const largest = fleets.at(-1) as Fleet;
      for (let r = 1; r <= RUNS; r++) {
        for (const [name, args] of [
          ['demo fleet (`--demo`)', ['--demo']],
          [`${largest.n} objects (\`-f\`)`, ['-f', largest.file]],
        ] as const) {
          const t = await tuiTiming(args, ctx.env, KEYS);
          tui.set(name, [...(tui.get(name) ?? []), t]);
          progress(`run ${r}: interactive view, ${name}: first frame ${t.firstFrameMs.toFixed(0)} ms, j → frame median ${median(t.keyMs).toFixed(0)} ms`);
        }
      }
    }

    const block = report({ started, load, fleets, cli, pairs, files, listing, tui, artifacts });
    console.log(block);
    if (process.argv.includes('--write-doc')) {
      writeDoc(block);
      writeReadme(block);
    }
  } finally {
    await cluster?.stop();
    await proxy.close();
    await olareg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Results {
  readonly started: string;
  readonly load: string;
  readonly fleets: readonly Fleet[];
  readonly cli: CliResult;
  readonly pairs: PairRows;
  readonly files: ReadonlyMap<number, readonly Sample[]>;
  readonly listing: ReadonlyMap<number, { get: readonly ClusterSample[]; audit: readonly ClusterSample[] }>;
  readonly tui: ReadonlyMap<string, readonly TuiTiming[]>;
  readonly artifacts: readonly BenchArtifact[];
}

const mib = (kib: number): string => (kib / 1024).toFixed(0);

/** Median over runs of the requests to each kind's repositories, per artifact of that kind (the registry ping is the client's, not an artifact's). */
function perKind(samples: readonly Sample[], artifacts: readonly BenchArtifact[]): string {
  return benchKinds
    .map((kind) => {
      const repos = new Set(artifacts.filter((a) => a.kind === kind).map((a) => a.repo.slice(a.repo.indexOf('/') + 1)));
      if (repos.size === 0) return undefined;
      const per = median(samples.map((s) => [...s.byRepository].filter(([repo]) => repos.has(repo)).reduce((x, [, n]) => x + n, 0))) / repos.size;
      return `${kind} ${fmt(per)}`;
    })
    .filter((x) => x !== undefined)
    .join(' · ');
}
const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '–');
const maxRss = (xs: readonly Sample[]): number => Math.max(...xs.map((s) => s.rssKiB));

function report(r: Results): string {
  const out: string[] = [];
  const A = r.artifacts.length;
  const mix = benchKinds.map((k) => `${r.artifacts.filter((a) => a.kind === k).length} ${k}`).join(', ');
  out.push(
    `Measured on ${machineLine(r.started, r.load)}. ${A} distinct artifacts (${mix}); ${RUNS} runs of each, interleaved. ` +
      `Command: \`${['BENCH_RUNS', 'BENCH_ARTIFACTS', 'BENCH_SIZES', 'BENCH_SAMPLE', 'BENCH_KEYS', 'BENCH_PARTS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`).concat('npm run bench').join(' ')}${process.argv.includes('--write-doc') ? ' -- --write-doc' : ''}\`.`,
    '',
  );

  // one artifact, side by side
  if (r.pairs.plugin.size > 0) {
    out.push(
      `One artifact: \`kubectl verify artifact\` beside the real tool on the same ${Math.max(...[...r.pairs.tool.values()].map((xs) => xs.length)) / RUNS} artifacts of each kind (every sample of every run; a fresh process each, start-up included).`,
      '',
      '| kind | command | wall min / median / max (ms) | registry requests (median) | peak RSS (MiB) | plugin ÷ tool: time · requests · RSS |',
      '|---|---|---:|---|---:|---:|',
    );
    for (const kind of benchKinds) {
      const tool = r.pairs.tool.get(kind) ?? [];
      const plug = r.pairs.plugin.get(kind) ?? [];
      if (tool.length === 0) continue;
      const a = r.artifacts.find((x) => x.kind === kind) as BenchArtifact;
      const toolName = a.kind === 'notation' ? 'notation verify' : 'cosign verify';
      const reqs = (xs: readonly Sample[]): string => `${fmt(median(xs.map(total)))} (${breakdown(sumRequests(xs), xs.length)})`;
      out.push(`| ${kind} | \`${toolName}\` | ${spread(tool.map((s) => s.ms))} | ${reqs(tool)} | ${mib(maxRss(tool))} | |`);
      out.push(
        `| ${kind} | \`kubectl verify artifact\` | ${spread(plug.map((s) => s.ms))} | ${reqs(plug)} | ${mib(maxRss(plug))} | **${ratio(median(plug.map((s) => s.ms)), median(tool.map((s) => s.ms)))}** · ${ratio(median(plug.map(total)), median(tool.map(total)))} · ${ratio(maxRss(plug), maxRss(tool))} |`,
      );
    }
    out.push('');
  }

  // fleets
  out.push(
    `Fleets: OCIRepositories, 100 to a namespace (each namespace with its own copy of the same key Secrets); object i names artifact i mod ${A}, so each artifact is named from several namespaces. Registry requests are counted by the proxy; API requests from the API server's audit log.`,
    '',
    '| run | command | wall min / median / max (s) | peak RSS (MiB) | registry requests | per distinct artifact | API requests |',
    '|---|---|---:|---:|---:|---|---:|',
  );
  const cliTotal = r.cli.runs.map((x) => x.ms);
  const perArtifactMean = r.cli.each.length > 0 ? r.cli.each.reduce((x, s) => x + s.ms, 0) / r.cli.each.length : NaN;
  if (r.cli.runs.length > 0) {
    const req = median(r.cli.runs.map((x) => x.requests));
    out.push(
      `| the real tools once per distinct artifact (${A}) | \`cosign verify --key …\` / \`notation verify …\` per artifact, one after another | ${spread(cliTotal, 1000, 2)} | ${mib(Math.max(...r.cli.runs.map((x) => x.rssKiB)))} | ${fmt(req)} | ${fmt(req / A)} (${breakdown(sumRequests(r.cli.each), r.cli.each.length)}) | |`,
    );
  }
  for (const f of r.fleets) {
    const fs = r.files.get(f.n) ?? [];
    if (r.cli.runs.length > 0) {
      out.push(`| the real tools once per object (${f.n}), **estimated** | per-artifact mean ${perArtifactMean.toFixed(0)} ms × ${f.n} (not run) | ${((perArtifactMean * f.n) / 1000).toFixed(1)} | | | | |`);
    }
    if (fs.length > 0) {
      const req = median(fs.map(total));
      out.push(
        `| ${f.n} objects, ${f.expect.namespaces} namespaces, ${f.distinct} artifacts | \`kubectl verify -f fleet-${f.n}.yaml -o json\` | ${spread(fs.map((s) => s.ms), 1000, 2)} | ${mib(maxRss(fs))} | ${fmt(req)} | ${fmt(req / f.distinct)} (${breakdown(sumRequests(fs), fs.length * f.distinct)}); by kind: ${perKind(fs, r.artifacts.slice(0, f.distinct))} | |`,
      );
    }
    const l = r.listing.get(f.n);
    if (l) {
      out.push(`| ${f.n} objects in the API server | \`kubectl get ${KINDS_LISTED} -A -o json\` | ${spread(l.get.map((s) => s.ms), 1000, 2)} | ${mib(maxRss(l.get))} | | | ${fmt(median(l.get.map((s) => s.api)))} |`);
      const req = median(l.audit.map(total));
      out.push(
        `| ${f.n} objects in the API server | \`kubectl verify -A -o json\` | ${spread(l.audit.map((s) => s.ms), 1000, 2)} | ${mib(maxRss(l.audit))} | ${fmt(req)} | ${fmt(req / f.distinct)}; by kind: ${perKind(l.audit, r.artifacts.slice(0, f.distinct))} | ${fmt(median(l.audit.map((s) => s.api)))} |`,
      );
    }
  }
  out.push('');

  // ratios, all from this run
  const lines: string[] = [];
  const target = (what: string, value: string, goal: string): number => lines.push(`| ${what} | ${value} | ${goal} |`);
  for (const kind of benchKinds) {
    const tool = r.pairs.tool.get(kind);
    const plug = r.pairs.plugin.get(kind);
    if (tool && plug) target(`\`kubectl verify artifact\` ÷ the tool, ${kind} (median wall)`, ratio(median(plug.map((s) => s.ms)), median(tool.map((s) => s.ms))), '≤ 1×');
  }
  for (const f of r.fleets) {
    const fs = r.files.get(f.n) ?? [];
    if (fs.length === 0) continue;
    const m = median(fs.map((s) => s.ms));
    if (r.cli.runs.length > 0) {
      target(`the tools once per distinct artifact ÷ \`kubectl verify -f\`, ${f.n} objects`, ratio(median(cliTotal), m), '≥ 5×');
      target(`the tools once per object (estimated) ÷ \`kubectl verify -f\`, ${f.n} objects`, ratio(perArtifactMean * f.n, m), '≥ 100×');
    }
    target(`peak RSS of \`kubectl verify -f\`, ${f.n} objects`, `${mib(maxRss(fs))} MiB`, '≤ 250 MiB at 5,000');
    target(`registry requests per distinct artifact, \`kubectl verify -f\`, ${f.n} objects, by kind`, perKind(fs, r.artifacts.slice(0, f.distinct)), '≤ 4 (bundle, notation), ≤ 3 (legacy)');
    const l = r.listing.get(f.n);
    if (l) {
      target(`\`kubectl verify -A\` ÷ \`kubectl get\`, ${f.n} objects (median wall)`, ratio(median(l.audit.map((s) => s.ms)), median(l.get.map((s) => s.ms))), '≤ 1.5× plus the registry work');
      target(`API requests, \`kubectl verify -A\` − \`kubectl get\`, ${f.n} objects`, fmt(median(l.audit.map((s) => s.api)) - median(l.get.map((s) => s.api))), `one read per Secret named (${f.expect.namespaces * 2})`);
    }
  }
  const [small, large] = [r.fleets[0], r.fleets.at(-1)];
  if (small && large && small !== large && (r.files.get(small.n)?.length ?? 0) > 0) {
    const s = r.files.get(small.n) as Sample[];
    const l = r.files.get(large.n) as Sample[];
    target(
      `growth ${small.n} → ${large.n} objects (${ratio(large.n, small.n)} objects, ${ratio(large.distinct, small.distinct)} distinct artifacts)`,
      `time ${ratio(median(l.map((x) => x.ms)), median(s.map((x) => x.ms)))} · RSS ${ratio(maxRss(l), maxRss(s))} · requests ${ratio(median(l.map(total)), median(s.map(total)))}`,
      'with distinct artifacts, not objects',
    );
  }
  for (const [name, ts] of r.tui) {
    target(`interactive view, ${name}: first frame with tree rows (median)`, `${median(ts.map((t) => t.firstFrameMs)).toFixed(0)} ms`, '< 300 ms (demo fleet)');
    target(`interactive view, ${name}: \`j\` to the changed frame (median)`, `${median(ts.flatMap((t) => t.keyMs)).toFixed(0)} ms`, '< 30 ms at 5,000 rows');
  }
  if (lines.length > 0) out.push('Ratios and targets (computed within this run):', '', '| what | measured | target |', '|---|---:|---|', ...lines, '');

  if (r.tui.size > 0) {
    out.push(
      `The interactive view in a 160×40 pseudo-terminal (test/helpers/pty-terminal.ts): spawn to the first frame showing tree rows; \`j\` to the first frame that differs (text or colours), ${KEYS} presses per run once every artifact is checked.`,
      '',
      '| fleet | command | first frame, min / median / max (ms) | `j` to frame, min / median / max (ms) |',
      '|---|---|---:|---:|',
    );
    for (const [name, ts] of r.tui) {
      const cmd = name.startsWith('demo') ? 'kubectl verify --demo' : `kubectl verify -f fleet-${r.fleets.at(-1)?.n}.yaml`;
      out.push(`| ${name} | \`${cmd}\` | ${spread(ts.map((t) => t.firstFrameMs))} | ${spread(ts.flatMap((t) => t.keyMs))} |`);
    }
  }
  return out.join('\n');
}

function writeDoc(block: string): void {
  const doc = join(repoRoot(), 'docs', 'performance.md');
  let text = readFileSync(doc, 'utf8');
  if (!text.includes(DOC_BEGIN)) {
    text = `${text.replace(/\n*$/, '\n')}\n## Fleet\n\n\`npm run bench\` (test/bench/audit.ts): fleets of OCIRepositories over distinct signed artifacts, beside the real cosign and notation and \`kubectl get\`, in one run.\n\n${DOC_BEGIN}\n${DOC_END}\n`;
  }
  const a = text.indexOf(DOC_BEGIN);
  const b = text.indexOf(DOC_END);
  if (b < a) throw new Error(`docs/performance.md: ${DOC_END} comes before ${DOC_BEGIN}`);
  writeFileSync(doc, `${text.slice(0, a + DOC_BEGIN.length)}\n${block}\n${text.slice(b)}`);
  progress('wrote the tables into docs/performance.md');
}

/**
 * README.md's performance table: the run's first line and its ratios-and-targets table, between the
 * bench markers, so the README's figures are always this benchmark's, from one run.
 */
function writeReadme(block: string): void {
  const lines = block.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Ratios and targets'));
  if (start < 0) return;
  let end = start + 2;
  while (end < lines.length && (lines[end] ?? '').startsWith('|')) end++;
  const summary = [lines[0] ?? '', '', ...lines.slice(start + 2, end)].join('\n');
  const readme = join(repoRoot(), 'README.md');
  const text = readFileSync(readme, 'utf8');
  const a = text.indexOf(README_BEGIN);
  const b = text.indexOf(README_END);
  if (a < 0 || b < a) throw new Error(`README.md: the markers ${README_BEGIN} … ${README_END} are missing`);
  writeFileSync(readme, `${text.slice(0, a + README_BEGIN.length)}\n${summary}\n${text.slice(b)}`);
  progress('wrote the ratios into README.md');
}

try {
  await main();
} catch (e) {
  process.stderr.write(`\nBENCHMARK FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
