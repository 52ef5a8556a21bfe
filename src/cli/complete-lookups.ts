import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { KubeFlags } from '../kube/kubeconfig.js';
import type { LookupKind } from './io.js';

/**
 * The names shell completion offers for --context, --cluster, --user (from the kubeconfig files) and
 * -n (from the cluster, through the kube client the audit uses). A completion runs while the user
 * waits at a prompt: every failure gives an empty list, nothing is written to stderr, and the
 * cluster gets a short, fixed time.
 */

/** how long the API server may take to list namespaces, and an unreachable server to refuse */
export const NAMESPACE_TIMEOUT_MS = 1500;

export interface LookupEnvironment {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

export async function lookup(kind: LookupKind, flags: KubeFlags, environment: LookupEnvironment = {}): Promise<readonly string[]> {
  try {
    if (kind === 'namespaces') return await listNamespaces(flags, environment);
    const names = readKubeconfigs(flags, environment);
    return kind === 'contexts' ? [...names.contexts.keys()] : kind === 'clusters' ? [...names.clusters.keys()] : names.users;
  } catch {
    return [];
  }
}

interface KubeconfigNames {
  /** context → its cluster */
  readonly contexts: Map<string, string | undefined>;
  /** cluster → its server, and whether it goes through a proxy */
  readonly clusters: Map<string, { server?: string; proxied: boolean }>;
  readonly users: string[];
  currentContext?: string;
}

/** kubectl's choice of files: --kubeconfig, else the files of $KUBECONFIG that exist, else ~/.kube/config. */
function kubeconfigFiles(flags: KubeFlags, environment: LookupEnvironment): string[] {
  const env = environment.env ?? process.env;
  const cwd = environment.cwd ?? process.cwd();
  if (flags.kubeconfig) return [resolve(cwd, flags.kubeconfig)];
  const list = env['KUBECONFIG'];
  if (list) return [...new Set(list.split(delimiter).filter((f) => f !== '').map((f) => resolve(cwd, f)))].filter(isFile);
  return [join(environment.home ?? homedir(), '.kube', 'config')];
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

const record = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Names in merge order; the first file to name one wins, as kubectl merges. Unreadable files are skipped. */
function readKubeconfigs(flags: KubeFlags, environment: LookupEnvironment): KubeconfigNames {
  const out: KubeconfigNames = { contexts: new Map(), clusters: new Map(), users: [] };
  for (const file of kubeconfigFiles(flags, environment)) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (!record(doc)) continue;
    const items = (key: string): Record<string, unknown>[] => (Array.isArray(doc[key]) ? (doc[key] as unknown[]).filter(record) : []);
    for (const c of items('contexts')) {
      const name = text(c['name']);
      if (name && !out.contexts.has(name)) out.contexts.set(name, record(c['context']) ? text(c['context']['cluster']) : undefined);
    }
    for (const c of items('clusters')) {
      const name = text(c['name']);
      const body = record(c['cluster']) ? c['cluster'] : {};
      const server = text(body['server']);
      if (name && !out.clusters.has(name)) out.clusters.set(name, { ...(server !== undefined && { server }), proxied: text(body['proxy-url']) !== undefined });
    }
    for (const u of items('users')) {
      const name = text(u['name']);
      if (name && !out.users.includes(name)) out.users.push(name);
    }
    out.currentContext ??= text(doc['current-context']);
  }
  return out;
}

/**
 * The server the kube client will talk to, when it can be known without loading the client: used
 * only to give up early on a server that refuses connections or does not answer. Undefined when a
 * proxy is in the way or nothing says (the client then decides, within the same timeout).
 */
function serverHint(flags: KubeFlags, environment: LookupEnvironment): string | undefined {
  const env = environment.env ?? process.env;
  if (['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'].some((k) => (env[k] ?? '') !== '')) return undefined;
  if (flags.server) return flags.server;
  const names = readKubeconfigs(flags, environment);
  const context = flags.context ?? names.currentContext;
  const cluster = flags.cluster ?? (context !== undefined ? names.contexts.get(context) : undefined);
  const entry = cluster !== undefined ? names.clusters.get(cluster) : undefined;
  return entry && !entry.proxied ? entry.server : undefined;
}

/** true once a TCP connection to the URL's host and port opens; false on refusal, error or timeout */
function reachable(url: string, timeoutMs: number): Promise<boolean> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve(true);
  }
  const port = Number(u.port || (u.protocol === 'http:' ? 80 : 443));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((done) => {
    const socket = connect({ host, port });
    const end = (ok: boolean): void => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => end(false));
    socket.once('connect', () => end(true));
    socket.once('error', () => end(false));
  });
}

/** A promise's value, or undefined after `ms`; a late rejection is swallowed, never reported. */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  const settled = p.catch(() => undefined);
  return Promise.race([settled, new Promise<undefined>((done) => setTimeout(() => done(undefined), ms).unref())]);
}

async function listNamespaces(flags: KubeFlags, environment: LookupEnvironment): Promise<readonly string[]> {
  const timeoutMs = environment.timeoutMs ?? NAMESPACE_TIMEOUT_MS;
  // the kube client is a large library, loaded only once the server is known to accept connections:
  // an unreachable cluster costs a refused connection or the timeout, not the load as well
  const server = serverHint(flags, environment);
  if (server !== undefined && !(await reachable(server, timeoutMs))) return [];
  const [{ loadKubeConfig }, { createKubeHttp }] = await Promise.all([import('../kube/kubeconfig.js'), import('../kube/http.js')]);
  const resolved = loadKubeConfig(flags, { ...(environment.env && { env: environment.env }), ...(environment.home && { home: environment.home }), ...(environment.cwd && { cwd: environment.cwd }) });
  const http = createKubeHttp(resolved);
  // the signal bounds the request; `within` also bounds the credentials step (an exec plugin) before it
  const list = await within(http.getJson('/api/v1/namespaces?limit=500', 'list namespaces', AbortSignal.timeout(timeoutMs)), timeoutMs);
  if (!record(list) || !Array.isArray(list['items'])) return [];
  return (list['items'] as unknown[]).flatMap((item) => {
    const name = record(item) && record(item['metadata']) ? text(item['metadata']['name']) : undefined;
    return name !== undefined ? [name] : [];
  });
}
