import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import type { LabMaterial, SeedCase } from './seed.js';
import { runTool, type RunResult } from './tools.js';

/** The plugin as a user runs it: the launcher in plugin/, a separate process. */
export function runPlugin(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return runTool(join(repoRoot(), 'plugin', 'kubectl-verify'), args, env ? { env } : {});
}

/** `kubectl verify artifact` arguments for a seeded case, with the same trust material the real tools get. */
export function artifactArgs(c: SeedCase, material: LabMaterial, ref: string = `oci://${c.ref}`): string[] {
  const args = ['artifact', ref, '--insecure'];
  if (c.trust.cosignKey) args.push('--key', material.cosignKeys[c.trust.cosignKey].pub);
  if (c.trust.notation) args.push('--trust-policy', material.trustPolicy, '--trust-cert', material.notationCert);
  return args;
}

/** 0 verified, 1 not verified; anything else is an error the caller reports. */
export function pluginVerdict(r: RunResult): 'verified' | 'rejected' | `error ${number}` {
  return r.code === 0 ? 'verified' : r.code === 1 ? 'rejected' : `error ${r.code}`;
}
