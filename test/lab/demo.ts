import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type RunningCluster } from './cluster.js';
import { applyFleet, waitForFlux } from './fleet.js';
import { runPlugin } from './plugin.js';
import { startRegistry, type RunningRegistry } from './registries.js';
import { seedLab } from './seed.js';

/**
 * `npm run lab -- demo`: the lab fleet, live. Real registries and signatures, a real API server with Flux's
 * controllers reconciling a fleet of sources and consumers, then `kubectl verify` on it. Extra
 * arguments go to kubectl verify (e.g. `npm run lab -- demo -o json`). Nothing is left running.
 */
export async function liveDemo(extra: readonly string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kv-demo-'));
  const step = (s: string): boolean => process.stderr.write(`▸ ${s}\n`);
  const regs: RunningRegistry[] = [];
  let cluster: RunningCluster | undefined;
  try {
    step('starting olareg and docker-registry on loopback');
    const olareg = await startRegistry('olareg');
    regs.push(olareg);
    const distribution = await startRegistry('distribution');
    regs.push(distribution);
    step('signing artifacts with the real cosign, notation, oras and helm');
    const seed = await seedLab({ olareg, distribution }, dir);
    step('starting etcd, kube-apiserver and Flux (source-, kustomize-, helm-controller)');
    cluster = await startCluster();
    await cluster.startSourceController();
    await cluster.startConsumerControllers();
    step('applying the demo fleet and waiting for Flux to reconcile it');
    const fleet = await applyFleet(cluster, seed, 'demo');
    await waitForFlux(cluster, 'demo');
    await waitForFlux(cluster, 'demo', 'kustomizations,helmreleases');
    await fleet.moveTag();
    const args = ['--kubeconfig', cluster.kubeconfig, '-n', 'demo', ...extra];
    step(`kubectl verify ${args.join(' ')}\n`);
    const r = await runPlugin([...args, ...(process.stdout.isTTY && !args.includes('--color') ? ['--color', 'always'] : [])]);
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    step(`exit code ${r.code} (0 all verified, 1 findings, 2 usage, 3 could not run)`);
    return r.code <= 1 ? 0 : r.code;
  } finally {
    await cluster?.stop();
    for (const r of regs) await r.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

