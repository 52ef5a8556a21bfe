import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './registries.js';
import { labBin, labCache, mustRun, pinnedVersions } from './tools.js';

/**
 * A real control plane on loopback: etcd and kube-apiserver (token auth, RBAC) with the Flux CRDs of
 * the pinned release, a kubeconfig with an `admin` context (system:masters) and a `restricted` one
 * (reads every Flux kind, ServiceAccounts and namespaces, but no Secrets), and, on request, Flux's
 * real source-controller running out of cluster against it.
 */
export interface RunningCluster {
  readonly dir: string;
  readonly server: string;
  /** kubeconfig path with contexts `admin` (current) and `restricted` */
  readonly kubeconfig: string;
  kubectl(args: readonly string[], opts?: { context?: 'admin' | 'restricted'; input?: string }): Promise<string>;
  /** runs source-controller against this cluster; its conditions are then Flux's own */
  startSourceController(): Promise<void>;
  /** runs kustomize-controller and helm-controller, which record the revisions consumers apply */
  startConsumerControllers(): Promise<void>;
  /**
   * The requests the API server has answered for the lab's users (admin, restricted) so far, from its
   * audit log: what a test counts to compare the plugin's API traffic with kubectl's.
   */
  apiRequests(): ApiRequest[];
  stop(): Promise<void>;
}

export interface ApiRequest {
  readonly verb: string;
  readonly uri: string;
  readonly user: string;
  readonly userAgent: string;
  readonly code?: number;
}

const ADMIN_TOKEN = 'lab-admin-token';
const RESTRICTED_TOKEN = 'lab-restricted-token';

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function run(name: string, cmd: string, args: readonly string[], dir: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const log = openSync(join(dir, `${name}.log`), 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function logTail(dir: string, name: string): string {
  try {
    return readFileSync(join(dir, `${name}.log`), 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}

async function waitFor(what: string, probe: () => Promise<boolean>, child: ChildProcess, dir: string, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited while starting: ${logTail(dir, name)}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs / 1000}s: ${logTail(dir, name)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function crdDirs(): string[] {
  const v = pinnedVersions();
  const base = join(labCache(), 'crds');
  const dirs = [`source-controller-${v.SOURCE_CONTROLLER_VERSION}`, `kustomize-controller-${v.KUSTOMIZE_CONTROLLER_VERSION}`, `helm-controller-${v.HELM_CONTROLLER_VERSION}`].map((d) => join(base, d));
  for (const d of dirs) {
    try {
      if (readdirSync(d).length === 0) throw new Error('empty');
    } catch {
      throw new Error(`Flux CRDs missing at ${d}: run 'bash test/lab/build.sh cluster'`);
    }
  }
  return dirs;
}

// one event per request of the lab's own users, written when the answer is complete (watches: when
// they end, so a live watch is seen at ResponseStarted)
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  users: [admin, restricted]
- level: None
`;

function readAuditLog(path: string): ApiRequest[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: ApiRequest[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as { stage?: string; verb?: string; requestURI?: string; user?: { username?: string }; userAgent?: string; responseStatus?: { code?: number } };
    // a request is counted once: at ResponseStarted for long-running ones (watches), else at ResponseComplete
    if (e.stage !== 'ResponseComplete' && e.stage !== 'ResponseStarted') continue;
    if (e.stage === 'ResponseComplete' && e.verb === 'watch') continue;
    out.push({ verb: e.verb ?? '', uri: e.requestURI ?? '', user: e.user?.username ?? '', userAgent: e.userAgent ?? '', ...(e.responseStatus?.code !== undefined ? { code: e.responseStatus.code } : {}) });
  }
  return out;
}

const restrictedRbac = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: lab-restricted}
rules:
- apiGroups: [source.toolkit.fluxcd.io, helm.toolkit.fluxcd.io, kustomize.toolkit.fluxcd.io]
  resources: ["*"]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [serviceaccounts, namespaces]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: lab-restricted}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: lab-restricted}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: restricted}
`;

export async function startCluster(): Promise<RunningCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kv-cluster-'));
  const procs: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const p of procs.reverse()) {
      if (p.exitCode === null) {
        const gone = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
        if (p.exitCode === null) p.kill('SIGKILL');
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = run('etcd', labBin('etcd'), [
      '--data-dir', join(dir, 'etcd'), '--unsafe-no-fsync',
      '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `default=http://127.0.0.1:${peerPort}`, '--log-level', 'error',
    ], dir);
    procs.push(etcd);
    await waitFor('etcd', async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, etcd, dir, 'etcd');

    await mustRun('openssl', ['genrsa', '-out', join(dir, 'sa.key'), '2048']);
    await mustRun('openssl', ['rsa', '-in', join(dir, 'sa.key'), '-pubout', '-out', join(dir, 'sa.pub')]);
    writeFileSync(join(dir, 'audit-policy.yaml'), auditPolicy);
    writeFileSync(join(dir, 'tokens.csv'), `${ADMIN_TOKEN},admin,1,"system:masters"\n${RESTRICTED_TOKEN},restricted,2\n`);
    const certDir = join(dir, 'certs');
    mkdirSync(certDir);
    const server = `https://127.0.0.1:${apiPort}`;
    const api = run('kube-apiserver', labBin('kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`, `--cert-dir=${certDir}`,
      `--secure-port=${apiPort}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
      '--service-cluster-ip-range=10.0.0.0/24', '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount', '--authorization-mode=RBAC',
      `--service-account-issuer=${server}/`, `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`, `--token-auth-file=${join(dir, 'tokens.csv')}`,
      `--audit-policy-file=${join(dir, 'audit-policy.yaml')}`, `--audit-log-path=${join(dir, 'audit.log')}`, '--audit-log-mode=blocking',
    ], dir);
    procs.push(api);
    // readiness with the admin token; the serving certificate is self-signed until we read it below
    await waitFor('kube-apiserver', async () => {
      const r = await mustRun('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${ADMIN_TOKEN}`, `${server}/readyz`]).catch(() => '');
      return r === '200';
    }, api, dir, 'kube-apiserver', 90_000);

    const ca = readFileSync(join(certDir, 'apiserver.crt')).toString('base64');
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: admin',
      'clusters:', `- name: lab`, `  cluster: {server: "${server}", certificate-authority-data: ${ca}}`,
      'users:', `- name: admin`, `  user: {token: ${ADMIN_TOKEN}}`, `- name: restricted`, `  user: {token: ${RESTRICTED_TOKEN}}`,
      'contexts:', '- name: admin', '  context: {cluster: lab, user: admin}', '- name: restricted', '  context: {cluster: lab, user: restricted}', '',
    ].join('\n'));

    const kubectl = (args: readonly string[], opts: { context?: 'admin' | 'restricted'; input?: string } = {}): Promise<string> =>
      mustRun(labBin('kubectl'), ['--kubeconfig', kubeconfig, '--context', opts.context ?? 'admin', ...args], opts.input === undefined ? {} : { input: opts.input });

    for (const d of crdDirs()) await kubectl(['apply', '--server-side', '-f', d]);
    await kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
    await kubectl(['apply', '-f', '-'], { input: restrictedRbac });

    const controllerEnv = { KUBECONFIG: kubeconfig, TUF_ROOT: join(dir, 'tuf'), HOME: dir, RUNTIME_NAMESPACE: 'flux-system' };
    const startController = async (name: 'source-controller' | 'kustomize-controller' | 'helm-controller', extra: readonly string[]): Promise<void> => {
      const [metricsPort, healthPort] = [await freePort(), await freePort()];
      const child = run(name, labBin(name), [`--metrics-addr=127.0.0.1:${metricsPort}`, `--health-addr=127.0.0.1:${healthPort}`, '--watch-all-namespaces=true', '--log-level=info', ...extra], dir, controllerEnv);
      procs.push(child);
      await waitFor(name, async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok, child, dir, name, 60_000);
    };
    const startSourceController = async (): Promise<void> => {
      const storagePort = await freePort();
      const storage = join(dir, 'storage');
      mkdirSync(storage, { recursive: true });
      await startController('source-controller', [`--storage-path=${storage}`, `--storage-addr=127.0.0.1:${storagePort}`, `--storage-adv-addr=127.0.0.1:${storagePort}`, '--requeue-dependency=5s']);
    };
    const startConsumerControllers = async (): Promise<void> => {
      await startController('kustomize-controller', ['--requeue-dependency=5s']);
      await startController('helm-controller', ['--requeue-dependency=5s']);
    };

    const apiRequests = (): ApiRequest[] => readAuditLog(join(dir, 'audit.log'));
    return { dir, server, kubeconfig, kubectl, startSourceController, startConsumerControllers, apiRequests, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
