import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startCluster, type RunningCluster } from './cluster.js';
import { applyFleet, waitForFlux, type Fleet } from './fleet.js';
import { startRegistry, type RunningRegistry } from './registries.js';
import { seedLab, type Seed } from './seed.js';

export interface FleetLab {
  readonly cluster: RunningCluster;
  readonly seed: Seed;
  readonly fleet: Fleet;
  readonly dir: string;
}

/**
 * Inside a describe(): registries, seed, a cluster with Flux's controllers, and the fleet reconciled
 * by them; then the `moved` tag is moved so the registry has drifted from what Flux verified.
 */
export function useFleetLab(name: string): () => FleetLab {
  const dir = mkdtempSync(join(tmpdir(), `kv-${name}-`));
  let lab: FleetLab | undefined;
  const regs: RunningRegistry[] = [];
  let cluster: RunningCluster | undefined;
  before(async () => {
    const olareg = await startRegistry('olareg');
    regs.push(olareg);
    const distribution = await startRegistry('distribution');
    regs.push(distribution);
    const seed = await seedLab({ olareg, distribution }, dir);
    cluster = await startCluster();
    await cluster.startSourceController();
    await cluster.startConsumerControllers();
    const fleet = await applyFleet(cluster, seed, name);
    await waitForFlux(cluster, name);
    await waitForFlux(cluster, name, 'kustomizations,helmreleases');
    await fleet.moveTag();
    lab = { cluster, seed, fleet, dir };
  });
  after(async () => {
    await cluster?.stop();
    for (const r of regs) await r.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!lab) throw new Error('the fleet lab did not start (see the before hook)');
    return lab;
  };
}
