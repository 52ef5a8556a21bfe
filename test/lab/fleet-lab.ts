import { join } from 'node:path';
import { after } from 'node:test';
import type { RunningCluster } from './cluster.js';
import { useClusterLab } from './cluster-lab.js';
import { applyFleet, applyGitSources, applyUnverifiableSources, waitForFlux, type Fleet } from './fleet.js';
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
 * registry has drifted from what Flux verified. The fleet includes a signed GitRepository and its
 * Kustomization, served by a git server that is stopped after the suite.
 */
export function useFleetLab(name: string): () => FleetLab {
  // --- Git sources (issue 11) ---
  let stopGit: (() => Promise<void>) | undefined;
  after(async () => {
    await stopGit?.();
  });
  // --- end Git sources ---
  // --- sources Flux cannot verify (issue 11) ---
  let stopHttp: (() => Promise<void>) | undefined;
  after(async () => {
    await stopHttp?.();
  });
  // --- end ---
  return useClusterLab(name, 'fleet lab', async ({ cluster, seed, dir }) => {
    let fleet = await applyFleet(cluster, seed, name);
    // --- Git sources (issue 11): a signed GitRepository and its Kustomization, served by a git server of the lab's own ---
    const git = await applyGitSources(cluster, name, join(dir, 'git'));
    stopGit = git.stop;
    fleet = { ...fleet, objects: [...fleet.objects, ...git.objects] };
    // --- end Git sources ---
    // --- sources Flux cannot verify (issue 11): Bucket, HTTP HelmRepository (a static server of the lab's own), ExternalArtifact from an ArtifactGenerator ---
    const unverifiable = await applyUnverifiableSources(cluster, seed, name, join(dir, 'unverifiable'));
    stopHttp = unverifiable.stop;
    fleet = { ...fleet, objects: [...fleet.objects, ...unverifiable.objects] };
    // --- end ---
    await waitForFlux(cluster, name);
    await waitForFlux(cluster, name, 'kustomizations,helmreleases');
    await fleet.moveTag();
    return { fleet };
  });
}
