import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceVerdict } from './reference-verdict.js';
import { startRegistry } from './registries.js';
import { artifactArgs, pluginVerdict, runPlugin } from './plugin.js';
import { seedLab } from './seed.js';

/**
 * `npm start` until the demo fleet exists: start the lab, seed it, and run `kubectl verify artifact`
 * on every seeded case beside the verdict of the real cosign or notation. Nothing is left running.
 */
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kv-demo-'));
  process.stderr.write('starting olareg and docker-registry on loopback…\n');
  const olareg = await startRegistry('olareg');
  const distribution = await startRegistry('distribution');
  try {
    process.stderr.write('seeding signed artifacts with the real cosign, notation, oras and helm…\n');
    const seed = await seedLab({ olareg, distribution }, dir);
    console.log(`${'CASE'.padEnd(24)} ${'COSIGN/NOTATION'.padEnd(16)} ${'KUBECTL VERIFY'.padEnd(15)} REASON`);
    for (const c of seed.cases) {
      const reference = await referenceVerdict(c, seed.material);
      const ours = await runPlugin(artifactArgs(c, seed.material));
      const verdict = pluginVerdict(ours);
      const reason = (ours.code === 0 ? ours.stdout : ours.stderr || ours.stdout).trim().split('\n')[0] ?? '';
      console.log(`${c.name.padEnd(24)} ${reference.verdict.padEnd(16)} ${verdict.padEnd(15)} ${reason}`);
    }
  } finally {
    await olareg.stop();
    await distribution.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
