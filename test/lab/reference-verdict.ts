import type { LabMaterial, SeedCase } from './seed.js';
import { toolEnv } from './seed.js';
import { runTool } from './tools.js';

export interface ReferenceVerdict {
  readonly tool: 'cosign' | 'notation';
  readonly verdict: 'verified' | 'rejected';
  readonly output: string;
}

/**
 * What the real cosign or notation concludes for a seeded case with the case's trust material,
 * verifying the tag reference as a Flux object names it.
 */
export async function referenceVerdict(c: SeedCase, material: LabMaterial, ref: string = c.ref): Promise<ReferenceVerdict> {
  const env = toolEnv(material);
  if (c.trust.cosignKey) {
    const r = await runTool('cosign', ['verify', '--key', material.cosignKeys[c.trust.cosignKey].pub, '--insecure-ignore-tlog=true', ref], { env });
    return { tool: 'cosign', verdict: r.code === 0 ? 'verified' : 'rejected', output: (r.stderr + r.stdout).trim() };
  }
  if (c.trust.notation) {
    const r = await runTool('notation', ['verify', '--insecure-registry', ref], { env });
    return { tool: 'notation', verdict: r.code === 0 ? 'verified' : 'rejected', output: (r.stderr + r.stdout).trim() };
  }
  throw new Error(`case ${c.name} names no trust material`);
}
