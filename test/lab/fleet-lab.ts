import { after, before } from 'node:test';
import { startCluster, type RunningCluster } from './cluster.js';
import { applyFleet, waitForFlux, type Fleet } from './fleet.js';
import type { Seed } from './seed.js';
import { useSeededLab } from './seeded.js';

export interface FleetLab {
  readonly cluster: RunningCluster;
  readonly seed: Seed;
  readonly fleet: Fleet;
  readonly dir: string;
}

/**
 * Inside a describe(): the seeded lab (its hooks run first, being registered first), then a cluster
 * with Flux's controllers and the fleet reconciled by them; then the `moved` tag is moved so the
 * registry has drifted from what Flux verified.
 */
export function useFleetLab(name: string): () => FleetLab {
  const seeded = useSeededLab(name);
  let lab: FleetLab | undefined;
  let cluster: RunningCluster | undefined;
  before(async () => {
    const { seed, dir } = seeded();
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
  });
  return () => {
    if (!lab) throw new Error('the fleet lab did not start (see the before hook)');
    return lab;
  };
}
