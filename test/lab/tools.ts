import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where build.sh caches the lab's binaries (outside the repo, keyed by version). */
export function labCache(): string {
  return process.env.KUBECTL_VERIFY_LAB_CACHE ?? join(homedir(), '.cache', 'kubectl-verify-lab');
}

function versionsFile(): string {
  // from the compiled module (dist/test/lab) or, when built elsewhere, from the working directory
  for (let dir of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let i = 0; i < 6; i++) {
      const f = join(dir, 'test', 'lab', 'versions.env');
      if (existsSync(f)) return f;
      dir = dirname(dir);
    }
  }
  throw new Error('test/lab/versions.env not found above the module or the working directory');
}

export function pinnedVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(versionsFile(), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(\S+)/.exec(line);
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

export type LabTool = 'cosign' | 'notation' | 'oras' | 'helm' | 'olareg' | 'etcd' | 'kube-apiserver' | 'kubectl' | 'source-controller' | 'kustomize-controller' | 'helm-controller';

const versionKey: Record<LabTool, string> = {
  cosign: 'COSIGN_VERSION',
  notation: 'NOTATION_VERSION',
  oras: 'ORAS_VERSION',
  helm: 'HELM_VERSION',
  olareg: 'OLAREG_VERSION',
  etcd: 'ETCD_VERSION',
  'kube-apiserver': 'KUBERNETES_VERSION',
  kubectl: 'KUBERNETES_VERSION',
  'source-controller': 'SOURCE_CONTROLLER_VERSION',
  'kustomize-controller': 'KUSTOMIZE_CONTROLLER_VERSION',
  'helm-controller': 'HELM_CONTROLLER_VERSION',
};

/** Path of a pinned lab binary; a clear error (never a skip) when it has not been built. */
export function labBin(tool: LabTool): string {
  const version = pinnedVersions()[versionKey[tool]];
  const bin = join(labCache(), 'bin', `${tool}-${version}`, tool);
  if (!existsSync(bin)) {
    throw new Error(`lab tool ${tool} ${version} is not built (${bin}): run 'npm run lab:build' (test/lab/build.sh)`);
  }
  return bin;
}

export const dockerRegistryBin = '/usr/bin/docker-registry';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion with no stdin; never throws for a non-zero exit. */
export function runTool(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    if (opts.input !== undefined && child.stdin) {
      // a child that exits without reading its input must not crash the runner
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

/** runTool, but a non-zero exit is an error that quotes the command and its stderr. */
export async function mustRun(cmd: string, args: readonly string[], opts: Parameters<typeof runTool>[2] = {}): Promise<string> {
  const r = await runTool(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd.split('/').pop()} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/**
 * A real kubectl for plugin tests: the lab's pinned build when it exists, else the one on PATH.
 * Missing both is an error, not a skip.
 */
export function kubectlBin(): string {
  try {
    return labBin('kubectl');
  } catch {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      const candidate = join(dir, 'kubectl');
      if (dir && existsSync(candidate)) return candidate;
    }
    throw new Error("no kubectl: neither the lab's build (npm run lab:build -- cluster) nor one on PATH");
  }
}
