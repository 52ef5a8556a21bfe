import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startRegistry, type RunningRegistry } from './registries.js';
import { seedLab, type Seed } from './seed.js';

export interface SeededLab {
  readonly olareg: RunningRegistry;
  readonly distribution: RunningRegistry;
  readonly seed: Seed;
  /** a scratch directory of the suite's own, removed with the lab */
  readonly dir: string;
}

/**
 * Inside a describe(): starts both registries and seeds them before the suite, stops and removes
 * everything after it. A lab that cannot start fails the suite with the reason.
 */
export function useSeededLab(name: string): () => SeededLab {
  const dir = mkdtempSync(join(tmpdir(), `kv-${name}-`));
  let lab: SeededLab | undefined;
  let olareg: RunningRegistry | undefined;
  let distribution: RunningRegistry | undefined;
  before(async () => {
    olareg = await startRegistry('olareg');
    distribution = await startRegistry('distribution');
    const seed = await seedLab({ olareg, distribution }, dir);
    lab = { olareg, distribution, seed, dir };
  });
  after(async () => {
    await olareg?.stop();
    await distribution?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!lab) throw new Error('the lab did not start (see the before hook)');
    return lab;
  };
}
