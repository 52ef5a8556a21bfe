import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { startRegistry } from '../lab/registries.js';
import { cosignSign, pushFluxArtifact, seedLab, toolEnv } from '../lab/seed.js';
import { runTool } from '../lab/tools.js';

/**
 * `npm run bench`: how long `kubectl verify -f fleet.yaml -o json` takes, and its peak memory, for
 * fleets of N OCIRepositories over M distinct signed artifacts in a real registry (olareg on
 * loopback), the Secrets in the same file. Numbers go to stdout as a Markdown table for the README.
 * Each size runs RUNS times; the median wall time and the largest peak RSS are reported.
 */
const ARTIFACTS = Number(process.env.BENCH_ARTIFACTS ?? 40);
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const FORMAT = process.env.BENCH_FORMAT ?? 'json';

function fleetYaml(n: number, artifacts: readonly { repo: string; digest: string }[], pub: string): string {
  const docs: string[] = [];
  const namespaces = Math.max(1, Math.ceil(n / 100));
  for (let i = 0; i < namespaces; i++) {
    docs.push(`apiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: ns${i}}\ndata: {cosign.pub: ${pub}}`);
  }
  for (let i = 0; i < n; i++) {
    const a = artifacts[i % artifacts.length] as { repo: string; digest: string };
    docs.push(
      [
        'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: OCIRepository', `metadata: {name: app${i}, namespace: ns${i % namespaces}, generation: 1}`,
        `spec: {interval: 10m, url: "oci://${a.repo}", insecure: true, ref: {tag: "1.0.0"}, verify: {provider: cosign, secretRef: {name: cosign-pub}}}`,
        `status: {observedGeneration: 1, artifact: {revision: "1.0.0@${a.digest}", digest: "sha256:${'0'.repeat(64)}", path: x, url: x, lastUpdateTime: "2026-11-01T00:00:00Z"}, conditions: [{type: Ready, status: "True", reason: Succeeded, message: ok, observedGeneration: 1, lastTransitionTime: "2026-11-01T00:00:00Z"}, {type: SourceVerified, status: "True", reason: Succeeded, message: "verified signature of revision 1.0.0@${a.digest}", observedGeneration: 1, lastTransitionTime: "2026-11-01T00:00:00Z"}]}`,
      ].join('\n'),
    );
  }
  return `${docs.join('\n---\n')}\n`;
}

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('the benchmark measures peak memory with GNU time: apt-get install time');
  const dir = mkdtempSync(join(tmpdir(), 'kv-bench-'));
  const olareg = await startRegistry('olareg');
  const distribution = await startRegistry('distribution');
  try {
    process.stderr.write(`signing ${ARTIFACTS} artifacts with cosign…\n`);
    const seed = await seedLab({ olareg, distribution }, dir);
    const env = toolEnv(seed.material);
    const artifacts: { repo: string; digest: string }[] = [];
    for (let i = 0; i < ARTIFACTS; i++) {
      const ref = `${olareg.host}/bench${i}:1.0.0`;
      const digest = await pushFluxArtifact(env, seed.material.dir, ref, `bench ${i}`);
      await cosignSign(env, seed.material, 'ecdsa', ref, digest, i % 2 === 1);
      artifacts.push({ repo: `${olareg.host}/bench${i}`, digest });
    }
    const pub = readFileSync(seed.material.cosignKeys.ecdsa.pub).toString('base64');
    const plugin = join(repoRoot(), 'plugin', 'kubectl-verify');
    console.log(`-o ${FORMAT}\n\n| objects | artifacts | wall time (median of ${RUNS}) | peak RSS | output |`);
    console.log('|---:|---:|---:|---:|---:|');
    for (const n of SIZES) {
      const file = join(dir, `fleet-${n}.yaml`);
      writeFileSync(file, fleetYaml(n, artifacts, pub));
      const times: number[] = [];
      let rss = 0;
      let bytes = 0;
      for (let r = 0; r < RUNS; r++) {
        const res = await runTool('/usr/bin/time', ['-f', '%e %M', plugin, '-f', file, '-o', FORMAT, '--fail-on', 'failed'], { timeoutMs: 600_000 });
        const m = /(\d+\.\d+) (\d+)\s*$/.exec(res.stderr);
        if (!m) throw new Error(`no timing from /usr/bin/time: ${res.stderr.slice(-300)}`);
        times.push(Number(m[1]));
        rss = Math.max(rss, Number(m[2]));
        bytes = res.stdout.length;
        // every object must verify, or the numbers describe some other run
        if (res.code !== 0) throw new Error(`kubectl verify exited ${res.code}: ${res.stderr.slice(-300)}`);
        if (FORMAT === 'json') {
          const report = JSON.parse(res.stdout) as { summary: { verified: number } };
          if (report.summary.verified !== n) throw new Error(`expected ${n} verified, got ${report.summary.verified}`);
        }
      }
      times.sort((a, b) => a - b);
      console.log(`| ${n} | ${Math.min(n, ARTIFACTS)} | ${times[Math.floor(times.length / 2)]?.toFixed(2)} s | ${(rss / 1024).toFixed(0)} MiB | ${(bytes / 1024 / 1024).toFixed(1)} MiB |`);
    }
  } finally {
    await olareg.stop();
    await distribution.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
