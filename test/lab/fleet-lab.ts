import type { RunningCluster } from './cluster.js';
import { useClusterLab } from './cluster-lab.js';
import { applyFleet, waitForFlux, type Fleet } from './fleet.js';
import type { Seed } from './seed.js';

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
  return useClusterLab(name, 'fleet lab', async ({ cluster, seed }) => {
    const fleet = await applyFleet(cluster, seed, name);
    await waitForFlux(cluster, name);
    await waitForFlux(cluster, name, 'kustomizations,helmreleases');
    await fleet.moveTag();
    return { fleet };
  });
}
