import { after, before } from 'node:test';
import { startCluster, type RunningCluster } from './cluster.js';
import type { Seed } from './seed.js';
import { useSeededLab } from './seeded.js';

export interface ClusterLab {
  readonly cluster: RunningCluster;
  readonly seed: Seed;
  readonly dir: string;
}

/**
 * Inside a describe(): the seeded lab (its hooks run first, being registered first), then a cluster
 * with Flux's three controllers, then `setUp` on them; everything is stopped after the suite. A lab
 * that cannot start fails the suite with the reason.
 */
export function useClusterLab<T>(name: string, what: string, setUp: (lab: ClusterLab) => Promise<T>): () => ClusterLab & T {
  const seeded = useSeededLab(name);
  let lab: (ClusterLab & T) | undefined;
  let cluster: RunningCluster | undefined;
  before(async () => {
    const { seed, dir } = seeded();
    cluster = await startCluster();
    await cluster.startSourceController();
    await cluster.startConsumerControllers();
    const base = { cluster, seed, dir };
    lab = { ...base, ...(await setUp(base)) };
  });
  after(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!lab) throw new Error(`the ${what} did not start (see the before hook)`);
    return lab;
  };
}
