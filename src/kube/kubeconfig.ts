import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { KubeConfig, type Cluster, type User } from '@kubernetes/client-node';
import { LineCounter, parseDocument } from 'yaml';
import { parseRequestTimeout } from './duration.js';
import { KubeError } from './errors.js';
import { isRecord } from './read.js';
import { parseSelector } from './selector.js';
import type { Scope } from './types.js';

/**
 * The kubeconfig as kubectl resolves it (k8s.io/client-go clientcmd), built on client-node only for
 * what it does well (exec credential plugins, auth providers, reading TLS files). client-node's own
 * loadFromDefault is not used: it throws on names repeated across KUBECONFIG files where kubectl keeps
 * the first, and with nothing configured it silently talks to http://localhost:8080; here that is
 * `kube.no-config`.
 */

/** The kubectl flags that shape the connection, as the CLI parsed them. */
export interface KubeFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly cluster?: string;
  readonly user?: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly selector?: string;
  /** Go duration (`5s`, `1m30s`) or bare seconds; `0` = none */
  readonly requestTimeout?: string;
  readonly as?: string;
  readonly asGroups?: readonly string[];
  readonly token?: string;
  readonly server?: string;
  readonly insecureSkipTlsVerify?: boolean;
  readonly certificateAuthority?: string;
}

/** What the process environment provides; injectable so tests never touch the real home or cluster. */
export interface KubeEnvironment {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
  /** where a pod's ServiceAccount token lives */
  readonly serviceAccountDir?: string;
  /** base for relative paths given on the command line */
  readonly cwd?: string;
}

export interface Impersonation {
  readonly user: string;
  readonly groups: readonly string[];
}

export interface ResolvedKubeConfig {
  /** holds exactly the resolved context, cluster and user, with every override applied */
  readonly kubeConfig: KubeConfig;
  readonly context?: string;
  readonly cluster: string;
  readonly user: string;
  readonly server: string;
  readonly namespace: string;
  readonly namespaceFrom: 'flag' | 'context' | 'in-cluster' | 'default';
  readonly scope: Scope;
  readonly requestTimeoutMs?: number;
  readonly impersonate?: Impersonation;
  /** the kubeconfig files read, or `in-cluster`, or `flags` */
  readonly loadedFrom: readonly string[];
}

const DEFAULT_SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Entry = Readonly<Record<string, unknown>>;

interface RawConfig {
  clusters: Map<string, { entry: Entry; dir: string }>;
  users: Map<string, { entry: Entry; dir: string }>;
  contexts: Map<string, Entry>;
  currentContext?: string;
}

export function loadKubeConfig(flags: KubeFlags, environment: KubeEnvironment = {}): ResolvedKubeConfig {
  const env = environment.env ?? process.env;
  const cwd = environment.cwd ?? process.cwd();
  const requestTimeoutMs = parseRequestTimeout(flags.requestTimeout);
  // checked here so a bad -l fails once, before any request
  parseSelector(flags.selector);

  const files = kubeconfigFiles(flags, env, environment.home ?? homedir(), cwd);
  const raw: RawConfig = { clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const file of files) mergeFile(raw, file);

  const saDir = environment.serviceAccountDir ?? DEFAULT_SA_DIR;
  const empty = raw.clusters.size === 0 && raw.users.size === 0 && raw.contexts.size === 0 && !raw.currentContext;
  if (empty && inClusterPossible(env, saDir)) return inCluster(flags, env, saDir, requestTimeoutMs, cwd);
  if (empty && !flags.server) {
    throw new KubeError(
      'kube.no-config',
      files.length === 0
        ? 'no kubeconfig found (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not running in a cluster; not falling back to http://localhost:8080 — pass --kubeconfig or --server'
        : `the kubeconfig (${files.join(', ')}) defines no cluster, user or context; pass --context or --server`,
    );
  }
  return fromKubeconfig(raw, flags, files, requestTimeoutMs, cwd);
}

function kubeconfigFiles(flags: KubeFlags, env: Readonly<Record<string, string | undefined>>, home: string, cwd: string): string[] {
  if (flags.kubeconfig) {
    const file = resolve(cwd, flags.kubeconfig);
    if (!isFile(file)) throw new KubeError('kube.no-config', `the kubeconfig ${flags.kubeconfig} given with --kubeconfig does not exist`);
    return [file];
  }
  const list = env['KUBECONFIG'];
  if (list) {
    // as kubectl: the listed files are merged in order, and the ones that do not exist are skipped
    const seen = new Set<string>();
    return list
      .split(delimiter)
      .filter((f) => f !== '')
      .map((f) => resolve(cwd, f))
      .filter((f) => !seen.has(f) && seen.add(f) && isFile(f));
  }
  const def = join(home, '.kube', 'config');
  return isFile(def) ? [def] : [];
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Reads one kubeconfig into `raw`; the first file to name a cluster, user, context or current-context wins. */
function mergeFile(raw: RawConfig, file: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KubeError('kube.invalid-config', `cannot read kubeconfig ${file}: ${(e as Error).message}`);
  }
  // yaml's own messages quote the offending line, and a kubeconfig line may be a token: position only
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    throw new KubeError('kube.invalid-config', `kubeconfig ${file} is not valid YAML (line ${pos.line}, column ${pos.col}): ${err.code}`);
  }
  const obj: unknown = doc.toJS();
  if (obj === null || obj === undefined) return;
  if (!isRecord(obj)) throw new KubeError('kube.invalid-config', `kubeconfig ${file} is not a mapping`);
  const dir = dirname(file);
  for (const [key, target, inner] of [
    ['clusters', raw.clusters, 'cluster'],
    ['users', raw.users, 'user'],
    ['contexts', raw.contexts, 'context'],
  ] as const) {
    const list = obj[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new KubeError('kube.invalid-config', `kubeconfig ${file}: ${key} is not a list`);
    list.forEach((item: unknown, i) => {
      if (!isRecord(item) || typeof item['name'] !== 'string' || item['name'] === '') {
        throw new KubeError('kube.invalid-config', `kubeconfig ${file}: ${key}[${i}] has no name`);
      }
      const body = item[inner] ?? {};
      if (!isRecord(body)) throw new KubeError('kube.invalid-config', `kubeconfig ${file}: ${key}[${i}].${inner} is not a mapping`);
      if (target.has(item['name'])) return;
      if (key === 'contexts') raw.contexts.set(item['name'], body);
      else (target as Map<string, { entry: Entry; dir: string }>).set(item['name'], { entry: body, dir });
    });
  }
  const current = obj['current-context'];
  if (raw.currentContext === undefined && typeof current === 'string' && current !== '') raw.currentContext = current;
}

function str(e: Entry | undefined, key: string): string | undefined {
  const v = e?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function relativeTo(dir: string, p: string | undefined): string | undefined {
  return p === undefined || isAbsolute(p) ? p : join(dir, p);
}

function fromKubeconfig(raw: RawConfig, flags: KubeFlags, files: readonly string[], requestTimeoutMs: number | undefined, cwd: string): ResolvedKubeConfig {
  const contextName = flags.context || raw.currentContext;
  let ctx: Entry | undefined;
  if (contextName) {
    ctx = raw.contexts.get(contextName);
    if (!ctx) {
      throw new KubeError('kube.context-not-found', `context "${contextName}" not found in ${describeFiles(files)}${flags.context ? '' : ' (current-context)'}`);
    }
  }
  const clusterName = flags.cluster || str(ctx, 'cluster');
  const userName = flags.user || str(ctx, 'user');

  let clusterEntry: { entry: Entry; dir: string } | undefined;
  if (clusterName) {
    clusterEntry = raw.clusters.get(clusterName);
    if (!clusterEntry && !flags.server) throw new KubeError('kube.cluster-not-found', `cluster "${clusterName}" not found in ${describeFiles(files)}`);
  }
  let userEntry: { entry: Entry; dir: string } | undefined;
  if (userName) {
    userEntry = raw.users.get(userName);
    if (!userEntry && !flags.token) throw new KubeError('kube.user-not-found', `user "${userName}" not found in ${describeFiles(files)}`);
  }
  if (!contextName && !flags.server && !clusterEntry) {
    throw new KubeError('kube.no-config', `no current context in ${describeFiles(files)} and no --context, --cluster or --server given; not falling back to http://localhost:8080`);
  }

  const cluster = buildCluster(clusterName ?? 'command-line', clusterEntry, flags, cwd);
  refuseCredentialsOverHttp(cluster.server, [
    { who: '--token', kinds: flags.token ? ['a bearer token'] : [], fix: 'drop --token' },
    ...(userName !== undefined ? [{ who: `user "${userName}"`, kinds: credentialKinds(entryCredentials(userEntry?.entry)), fix: `remove them from user "${userName}"` }] : []),
  ]);
  const { user, impersonate } = buildUser(userName ?? 'command-line', userEntry, flags);
  const namespace = flags.namespace || str(ctx, 'namespace');
  return finish({
    cluster,
    user,
    impersonate,
    ...(contextName !== undefined && { context: contextName }),
    namespace: namespace ?? 'default',
    namespaceFrom: flags.namespace ? 'flag' : namespace ? 'context' : 'default',
    flags,
    requestTimeoutMs,
    loadedFrom: files.length > 0 ? files : ['flags'],
  });
}

/** The URL with any user:password replaced, for messages. */
function withoutUserinfo(url: string): string {
  return url.replace(/^(https?:\/\/)[^/]*@/, '$1***@');
}

function describeFiles(files: readonly string[]): string {
  return files.length === 0 ? 'the kubeconfig' : files.join(', ');
}

function buildCluster(name: string, found: { entry: Entry; dir: string } | undefined, flags: KubeFlags, cwd: string): Cluster {
  const e = found?.entry;
  const dir = found?.dir ?? cwd;
  const server = (flags.server || str(e, 'server') || '').replace(/\/+$/, '');
  if (!server) throw new KubeError('kube.invalid-config', `cluster "${name}" has no server; pass --server`);
  if (!/^https?:\/\//.test(server)) throw new KubeError('kube.invalid-config', `server "${withoutUserinfo(server)}" of cluster "${name}" is not an http(s) URL`);
  // the HTTP client never sends a URL's user:password, so the audit would run as nobody; and every
  // message names the server: refuse before the password can reach one
  // (over http:// the credentials check refuses it with its own code)
  if (/^https:\/\/[^/]*@/.test(server)) {
    throw new KubeError('kube.invalid-config', `server ${withoutUserinfo(server)} of cluster "${name}" carries a user name and password in its URL; kubectl verify does not send them: remove them and use a token, a client certificate or an exec plugin`);
  }
  if (flags.insecureSkipTlsVerify && flags.certificateAuthority) {
    throw new KubeError('kube.invalid-flag', '--insecure-skip-tls-verify and --certificate-authority cannot be used together');
  }
  const skip = flags.insecureSkipTlsVerify === true || (e?.['insecure-skip-tls-verify'] === true && !flags.certificateAuthority);
  const caFile = flags.certificateAuthority ? resolve(cwd, flags.certificateAuthority) : relativeTo(dir, str(e, 'certificate-authority'));
  return {
    name,
    server,
    // kubectl drops the kubeconfig's CA when told to skip verification; a flag CA replaces it
    ...(!skip && caFile !== undefined && { caFile }),
    ...(!skip && !flags.certificateAuthority && caFile === undefined && str(e, 'certificate-authority-data') !== undefined && { caData: str(e, 'certificate-authority-data') }),
    // client-node refuses http:// unless skipTLSVerify is set; for plain HTTP there is nothing to verify
    skipTLSVerify: skip || server.startsWith('http://'),
    ...(str(e, 'tls-server-name') !== undefined && { tlsServerName: str(e, 'tls-server-name') }),
    ...(str(e, 'proxy-url') !== undefined && { proxyUrl: str(e, 'proxy-url') }),
  };
}

function buildUser(name: string, found: { entry: Entry; dir: string } | undefined, flags: KubeFlags): { user: User; impersonate?: Impersonation } {
  const e = found?.entry;
  const dir = found?.dir ?? '.';
  let token = flags.token || str(e, 'token');
  const tokenFile = relativeTo(dir, str(e, 'tokenFile'));
  if (!token && tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new KubeError('kube.invalid-config', `cannot read the token file of user "${name}": ${(err as Error).message}`);
    }
  }
  const exec = isRecord(e?.['exec']) ? resolveExec(e['exec'], dir) : undefined;
  const authProvider = isRecord(e?.['auth-provider']) ? e['auth-provider'] : undefined;
  const user: User = {
    name,
    ...(relativeTo(dir, str(e, 'client-certificate')) !== undefined && { certFile: relativeTo(dir, str(e, 'client-certificate')) }),
    ...(str(e, 'client-certificate-data') !== undefined && { certData: str(e, 'client-certificate-data') }),
    ...(relativeTo(dir, str(e, 'client-key')) !== undefined && { keyFile: relativeTo(dir, str(e, 'client-key')) }),
    ...(str(e, 'client-key-data') !== undefined && { keyData: str(e, 'client-key-data') }),
    // a bearer token (flag, kubeconfig or tokenFile) wins over exec plugins and auth providers, as in client-go
    ...(token !== undefined && { token }),
    ...(token === undefined && exec !== undefined && { exec }),
    ...(token === undefined && authProvider !== undefined && { authProvider }),
    ...(token === undefined && str(e, 'username') !== undefined && { username: str(e, 'username'), password: str(e, 'password') ?? '' }),
  };
  const asUser = flags.as || str(e, 'as');
  const groupsFromFile = Array.isArray(e?.['as-groups']) ? (e['as-groups'] as unknown[]).filter((g): g is string => typeof g === 'string') : [];
  const groups = flags.asGroups && flags.asGroups.length > 0 ? flags.asGroups : groupsFromFile;
  if (!asUser && groups.length > 0) throw new KubeError('kube.invalid-flag', 'impersonating groups (--as-group) needs a user to impersonate (--as)');
  return { user, ...(asUser && { impersonate: { user: asUser, groups } }) };
}

/** The credential fields of a user, whatever shape holds them: only whether they are set is read. */
export interface CredentialFields {
  readonly token?: unknown;
  readonly tokenFile?: unknown;
  readonly username?: unknown;
  readonly password?: unknown;
  readonly cert?: unknown;
  readonly key?: unknown;
  readonly exec?: unknown;
  readonly authProvider?: unknown;
}

function entryCredentials(e: Entry | undefined): CredentialFields {
  return {
    token: str(e, 'token'),
    tokenFile: str(e, 'tokenFile'),
    username: str(e, 'username'),
    password: str(e, 'password'),
    cert: str(e, 'client-certificate') ?? str(e, 'client-certificate-data'),
    key: str(e, 'client-key') ?? str(e, 'client-key-data'),
    exec: isRecord(e?.['exec']) ? e['exec'] : undefined,
    authProvider: isRecord(e?.['auth-provider']) ? e['auth-provider'] : undefined,
  };
}

/** What a user would authenticate with, by kind, for messages; never a value. */
export function credentialKinds(c: CredentialFields): string[] {
  const set = (v: unknown): boolean => (typeof v === 'string' ? v !== '' : v !== undefined && v !== null);
  const provider = isRecord(c.authProvider) && typeof c.authProvider['name'] === 'string' && /^[\w.-]{1,64}$/.test(c.authProvider['name']) ? ` (${c.authProvider['name']})` : '';
  return [
    ...(set(c.token) ? ['a bearer token'] : []),
    ...(set(c.tokenFile) ? ['a bearer token file'] : []),
    ...(set(c.username) || set(c.password) ? ['basic auth'] : []),
    ...(set(c.cert) || set(c.key) ? ['a client certificate'] : []),
    ...(set(c.exec) ? ['an exec credential plugin'] : []),
    ...(set(c.authProvider) ? [`an auth provider${provider}`] : []),
  ];
}

export interface CredentialSource {
  /** `--token`, `user "dev"`, … */
  readonly who: string;
  readonly kinds: readonly string[];
  /** how to do without them: `drop --token`, `remove them from user "dev"` */
  readonly fix: string;
}

/**
 * Credentials only over TLS. kubectl (client-go clientcmd, DirectClientConfig.ClientConfig in
 * v0.36) reads a user's credentials only when the server is https://: over http:// it silently
 * leaves out the token, tokenFile, basic auth, client certificate, exec plugin and auth provider
 * and runs anonymously (impersonation headers are still sent, and so are ours). We never send them
 * either, but refuse instead of dropping them (fail closed): an anonymous audit nobody asked for
 * reads as "forbidden" everywhere, or passes on a cluster that lets anonymous users read, and an
 * http:// in front of credentials is far more often a mistaken or tampered kubeconfig than an
 * intent. Run before the token file is read or any plugin is started; user name and password in
 * the URL itself (which Go's client would send) count too.
 */
export function refuseCredentialsOverHttp(server: string, sources: readonly CredentialSource[]): void {
  if (!server.startsWith('http://')) return;
  const url = new URL(server);
  const found = sources.filter((s) => s.kinds.length > 0);
  const all: CredentialSource[] = [
    ...(url.username !== '' || url.password !== '' ? [{ who: 'the server URL', kinds: ['a user name and password'], fix: 'remove them from the server URL' }] : []),
    ...found,
  ];
  if (all.length === 0) return;
  url.username = '';
  url.password = '';
  const shown = url.toString().replace(/\/$/, '');
  const what = all.map((s) => `${s.who} ${s.who === '--token' ? 'gives' : 'has'} ${s.kinds.join(', ')}`).join('; ');
  // user name and password in the URL are the one thing Go's client would send; the rest kubectl leaves out
  const kubectl = found.length > 0 ? " (kubectl leaves a user's credentials out over http:// and runs anonymously)" : '';
  throw new KubeError('kube.insecure-credentials', `refusing to send credentials to ${shown} over plain HTTP: ${what}; use an https:// server, or ${all.map((s) => s.fix).join(' and ')}${kubectl}`);
}

/** An exec command with a path separator is relative to its kubeconfig, as in client-go. */
function resolveExec(exec: Readonly<Record<string, unknown>>, dir: string): Record<string, unknown> {
  const cmd = exec['command'];
  if (typeof cmd === 'string' && !isAbsolute(cmd) && cmd.includes('/')) return { ...exec, command: join(dir, cmd) };
  return { ...exec };
}

function inClusterPossible(env: Readonly<Record<string, string | undefined>>, saDir: string): boolean {
  return !!env['KUBERNETES_SERVICE_HOST'] && !!env['KUBERNETES_SERVICE_PORT'] && existsSync(join(saDir, 'token'));
}

function inCluster(flags: KubeFlags, env: Readonly<Record<string, string | undefined>>, saDir: string, requestTimeoutMs: number | undefined, cwd: string): ResolvedKubeConfig {
  const host = env['KUBERNETES_SERVICE_HOST'] as string;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const entry: Entry = { server: `https://${hostPart}:${env['KUBERNETES_SERVICE_PORT']}`, 'certificate-authority': join(saDir, 'ca.crt') };
  const cluster = buildCluster('in-cluster', { entry, dir: saDir }, flags, cwd);
  // only --server can make this http://; the pod's ServiceAccount token must not follow it there
  refuseCredentialsOverHttp(cluster.server, [
    { who: '--token', kinds: flags.token ? ['a bearer token'] : [], fix: 'drop --token' },
    { who: 'the in-cluster ServiceAccount', kinds: flags.token ? [] : ['a bearer token file'], fix: 'drop --server to use the in-cluster https:// address' },
  ]);
  const { user, impersonate } = buildUser('in-cluster', { entry: { tokenFile: join(saDir, 'token') }, dir: saDir }, flags);
  let podNamespace = env['POD_NAMESPACE'];
  if (!podNamespace) {
    try {
      podNamespace = readFileSync(join(saDir, 'namespace'), 'utf8').trim();
    } catch {
      podNamespace = undefined;
    }
  }
  return finish({
    cluster,
    user,
    impersonate,
    namespace: flags.namespace || podNamespace || 'default',
    namespaceFrom: flags.namespace ? 'flag' : podNamespace ? 'in-cluster' : 'default',
    flags,
    requestTimeoutMs,
    loadedFrom: ['in-cluster'],
  });
}

function finish(p: {
  cluster: Cluster;
  user: User;
  impersonate: Impersonation | undefined;
  context?: string;
  namespace: string;
  namespaceFrom: ResolvedKubeConfig['namespaceFrom'];
  flags: KubeFlags;
  requestTimeoutMs: number | undefined;
  loadedFrom: readonly string[];
}): ResolvedKubeConfig {
  const kc = new KubeConfig();
  const contextName = p.context ?? 'command-line';
  kc.loadFromOptions({
    clusters: [p.cluster],
    users: [p.user],
    contexts: [{ name: contextName, cluster: p.cluster.name, user: p.user.name, namespace: p.namespace }],
    currentContext: contextName,
  });
  const scope: Scope = {
    ...(!p.flags.allNamespaces && { namespace: p.namespace }),
    ...(p.flags.selector && { labelSelector: p.flags.selector }),
  };
  return {
    kubeConfig: kc,
    ...(p.context !== undefined && { context: p.context }),
    cluster: p.cluster.name,
    user: p.user.name,
    server: p.cluster.server,
    namespace: p.namespace,
    namespaceFrom: p.namespaceFrom,
    scope,
    ...(p.requestTimeoutMs !== undefined && { requestTimeoutMs: p.requestTimeoutMs }),
    ...(p.impersonate !== undefined && { impersonate: p.impersonate }),
    loadedFrom: p.loadedFrom,
  };
}
