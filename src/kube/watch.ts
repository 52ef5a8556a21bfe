import type { DiscoveryResult, KindPlan } from './discovery.js';
import { isKubeError, KubeError, transportError } from './errors.js';
import type { KindInfo } from './kinds.js';
import type { NormalizeResult } from './normalize.js';
import { isRecord } from './read.js';
import type { KubeProblem, ObjectSource, Scope } from './types.js';

/**
 * `-w` against the API server, as client-go's reflector does it: list each kind once, then watch it
 * from the list's resourceVersion with bookmarks, keep the last resourceVersion seen, reconnect with
 * exponential backoff and jitter when a stream ends or fails, and list again when the server says the
 * resourceVersion is too old (410 Gone). What the watches have seen is served as an ObjectSource, so
 * an audit runs on it unchanged and without asking the API server for the objects again.
 */

export type WatchEvent =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; readonly object: Readonly<Record<string, unknown>> }
  | { readonly type: 'ERROR'; readonly status: { readonly code?: number; readonly reason?: string; readonly message?: string } };

const OBJECT_EVENTS: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);
/** one event larger than this is not a Flux object: the stream is refused rather than buffered without end */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/**
 * The events of one watch stream: newline-delimited JSON, cut by the network anywhere. A last line
 * without its newline is a stream cut mid-event and is dropped (the watch resumes before it); a
 * complete line that is not an event is an error.
 */
export async function* watchEvents(body: AsyncIterable<Uint8Array>, what: string): AsyncGenerator<WatchEvent> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', start)) {
      const line = pending.slice(start, nl);
      start = nl + 1;
      if (line.trim() !== '') yield parseEvent(line, what);
    }
    pending = pending.slice(start);
    if (pending.length > MAX_EVENT_CHARS) throw new KubeError('kube.api', `${what}: an event is larger than ${MAX_EVENT_CHARS} characters`);
  }
}

function parseEvent(line: string, what: string): WatchEvent {
  let doc: unknown;
  try {
    doc = JSON.parse(line) as unknown;
  } catch {
    throw new KubeError('kube.api', `${what}: the API server sent an event that is not JSON`);
  }
  const type = isRecord(doc) ? doc['type'] : undefined;
  const object = isRecord(doc) ? doc['object'] : undefined;
  if (type === 'ERROR') {
    const s = isRecord(object) ? object : {};
    return {
      type,
      status: {
        ...(typeof s['code'] === 'number' && { code: s['code'] }),
        ...(typeof s['reason'] === 'string' && { reason: s['reason'] }),
        ...(typeof s['message'] === 'string' && { message: s['message'] }),
      },
    };
  }
  if (typeof type !== 'string' || !OBJECT_EVENTS.has(type) || !isRecord(object)) throw new KubeError('kube.api', `${what}: the API server sent an event this plugin cannot read (type ${JSON.stringify(type ?? null)})`);
  return { type: type as 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', object };
}

export interface BackoffOptions {
  /** the first wait; default 1 s */
  readonly initialMs?: number;
  /** the longest wait; default 30 s */
  readonly capMs?: number;
  /** [0, 1); Math.random by default, fixed in tests */
  readonly random?: () => number;
}

/**
 * Exponential backoff with jitter: the n-th wait is drawn from [d/2, d] with d = min(cap, initial·2ⁿ),
 * so that many clients cut off at once do not come back at once.
 */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly capMs: number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 1000;
    this.capMs = opts.capMs ?? 30_000;
    this.random = opts.random ?? Math.random;
  }

  next(): number {
    const d = Math.min(this.capMs, this.initialMs * 2 ** this.attempt);
    if (d < this.capMs) this.attempt++;
    return Math.round(d / 2 + (this.random() * d) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** One kind as listed: its items and the resourceVersion the list was served at. */
export interface Listing {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
}

export interface ReflectorOptions<T> {
  /** for messages: `watch ocirepositories.source.toolkit.fluxcd.io in namespace apps` */
  readonly what: string;
  /** already listed (the first list of the run); without it the reflector lists first */
  readonly initial?: Listing;
  list(signal: AbortSignal): Promise<Listing>;
  /** opens a watch from `resourceVersion` ('' when the list gave none) */
  open(resourceVersion: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  /** what is kept of each object */
  decode(item: Readonly<Record<string, unknown>>): T;
  /** the set of objects changed */
  onChange(): void;
  /** a list or watch failed and will be retried (`error`), or works again (undefined) */
  onProblem(error: KubeError | undefined): void;
  /** the caller already reported a problem for this kind: onProblem(undefined) once it is listed */
  readonly startsFailing?: boolean;
  readonly backoff?: BackoffOptions;
  /** a stream that lasted this long ended normally and is reopened at once; default 10 s */
  readonly healthyMs?: number;
}

export interface Reflector<T> {
  values(): T[];
  resourceVersion(): string;
  stop(): void;
  /** settles once the loop has ended, after stop() */
  readonly finished: Promise<void>;
}

function keyOf(o: Readonly<Record<string, unknown>>): string | undefined {
  const md = o['metadata'];
  if (!isRecord(md) || typeof md['name'] !== 'string') return undefined;
  return `${typeof md['namespace'] === 'string' ? md['namespace'] : ''}/${md['name']}`;
}

function versionOf(o: Readonly<Record<string, unknown>>): string | undefined {
  const md = o['metadata'];
  return isRecord(md) && typeof md['resourceVersion'] === 'string' && md['resourceVersion'] !== '' ? md['resourceVersion'] : undefined;
}

class Gone extends Error {}

/** waits `ms`, or less when `signal` aborts */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function startReflector<T>(opts: ReflectorOptions<T>): Reflector<T> {
  const controller = new AbortController();
  const signal = controller.signal;
  const backoff = new Backoff(opts.backoff);
  const healthyMs = opts.healthyMs ?? 10_000;
  let items = new Map<string, { rv: string | undefined; value: T }>();
  let resourceVersion = '';
  let problem = opts.startsFailing === true;

  const setProblem = (e: KubeError | undefined): void => {
    if (e === undefined && !problem) return;
    problem = e !== undefined;
    opts.onProblem(e);
  };
  const replace = (l: Listing): boolean => {
    const next = new Map<string, { rv: string | undefined; value: T }>();
    for (const item of l.items) {
      if (!isRecord(item)) continue;
      const key = keyOf(item);
      if (key === undefined) continue;
      const rv = versionOf(item);
      const old = items.get(key);
      next.set(key, old && rv !== undefined && old.rv === rv ? old : { rv, value: opts.decode(item) });
    }
    const changed = next.size !== items.size || [...next].some(([k, v]) => items.get(k) !== v);
    items = next;
    resourceVersion = l.resourceVersion;
    return changed;
  };
  if (opts.initial) replace(opts.initial);

  const sleep = (ms: number): Promise<void> => pause(ms, signal);
  const asKubeError = (e: unknown): KubeError => (isKubeError(e) ? e : transportError(e, opts.what, 'the API server'));

  const loop = async (): Promise<void> => {
    let needList = opts.initial === undefined;
    // RBAC may grant list without watch: then each retry lists instead, so the objects stay current
    // while the refusal stays one problem
    let refused = false;
    while (!signal.aborted) {
      if (needList) {
        try {
          const l = await opts.list(signal);
          if (signal.aborted) return;
          if (replace(l)) opts.onChange();
          needList = false;
          if (!refused) setProblem(undefined);
        } catch (e) {
          if (signal.aborted) return;
          setProblem(asKubeError(e));
          await sleep(backoff.next());
          continue;
        }
      }
      const started = Date.now();
      let stream: AsyncIterable<Uint8Array>;
      try {
        stream = await opts.open(resourceVersion, signal);
      } catch (e) {
        if (signal.aborted) return;
        if (isKubeError(e) && e.code === 'kube.gone') {
          needList = true;
          continue;
        }
        if (isKubeError(e) && e.code === 'kube.forbidden') {
          refused = true;
          needList = true;
        }
        setProblem(asKubeError(e));
        await sleep(backoff.next());
        continue;
      }
      refused = false;
      setProblem(undefined);
      try {
        for await (const ev of watchEvents(stream, opts.what)) {
          if (ev.type === 'ERROR') {
            if (ev.status.code === 410 || ev.status.reason === 'Expired' || ev.status.reason === 'Gone') throw new Gone();
            throw new KubeError('kube.api', `${opts.what}: ${ev.status.message ?? 'the API server ended the watch with an error'}${ev.status.code !== undefined ? ` (HTTP ${ev.status.code})` : ''}`);
          }
          const rv = versionOf(ev.object);
          if (rv !== undefined) resourceVersion = rv;
          if (ev.type === 'BOOKMARK') continue;
          const key = keyOf(ev.object);
          if (key === undefined) continue;
          if (ev.type === 'DELETED') items.delete(key);
          else items.set(key, { rv, value: opts.decode(ev.object) });
          opts.onChange();
        }
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof Gone) {
          needList = true;
          continue;
        }
        // a malformed event or an ERROR from the server is a problem; a connection that dropped is
        // simply reopened below, as a stream the server ended
        if (isKubeError(e) && e.code === 'kube.api') {
          setProblem(e);
          await sleep(backoff.next());
          continue;
        }
      }
      if (signal.aborted) return;
      // the server ends every watch after its timeout: reopen at once; a stream that ends as soon as it
      // opens is not allowed to turn into a busy loop
      if (Date.now() - started >= healthyMs) backoff.reset();
      else await sleep(backoff.next());
    }
  };
  const finished = loop().catch(() => undefined);
  return {
    values: () => [...items.values()].map((v) => v.value),
    resourceVersion: () => resourceVersion,
    stop: () => controller.abort(),
    finished,
  };
}

/** What the cluster source gives the watch: its discovery, its lists, its watch requests. */
export interface ClusterWatchDeps {
  readonly scope: Scope;
  /** the source being watched: Secrets and ServiceAccounts are read through it, as in any audit */
  readonly base: ObjectSource;
  discover(fresh: boolean, signal: AbortSignal): Promise<DiscoveryResult>;
  /** the first list of a kind, with version probing; problems when it cannot be read */
  listKind(plan: KindPlan, signal: AbortSignal): Promise<{ readonly version: string; readonly listing: Listing } | { readonly problems: readonly KubeProblem[] }>;
  /** a later list of a kind whose version is known */
  relist(info: KindInfo, version: string, signal: AbortSignal): Promise<Listing>;
  openWatch(info: KindInfo, version: string, resourceVersion: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  decode(item: Readonly<Record<string, unknown>>, info: KindInfo, version: string): NormalizeResult;
  readonly backoff?: BackoffOptions;
  readonly healthyMs?: number;
}

export interface WatchedSource extends ObjectSource {
  stop(): void;
}

/** How long -w keeps the Flux version it read: an upgrade is seen within this time, as a rotated key is. */
const FLUX_VERSION_TTL_MS = 10 * 60_000;

/** The last answer of `read`, asked again only once it is `ttlMs` old; concurrent callers share one request. */
function remembered<T>(read: (signal?: AbortSignal) => Promise<T>, ttlMs: number, now: () => number = Date.now): (signal?: AbortSignal) => Promise<T> {
  let last: { readonly at: number; readonly value: Promise<T> } | undefined;
  return (signal) => {
    if (last === undefined || now() - last.at >= ttlMs) {
      const value = read(signal);
      const entry = { at: now(), value };
      last = entry;
      // a failed read is not kept: the next audit asks again
      value.catch(() => {
        if (last === entry) last = undefined;
      });
    }
    return last.value;
  };
}

/** failures after which the same request may well work a little later */
const TRANSIENT = new Set(['kube.unreachable', 'kube.timeout', 'kube.api', 'kube.gone']);
const STALE_DISCOVERY = new Set(['kube.crd-missing', 'kube.unsupported-version', 'kube.not-found']);

/**
 * The objects of `scope`, followed by one reflector per Flux kind. list() answers from them (its first
 * call waits for the first lists); `onChange` runs when an object changed, or a watch started or stopped
 * failing (its problem is then among list()'s problems, worded the same way until it is solved).
 */
export function watchCluster(deps: ClusterWatchDeps, onChange: () => void): WatchedSource {
  const controller = new AbortController();
  const signal = controller.signal;
  type Kept = NormalizeResult;
  const reflectors: Reflector<Kept>[] = [];
  let fixedProblems: readonly KubeProblem[] = [];
  const failing = new Map<string, KubeProblem>();
  let ready = false;
  const changed = (): void => {
    if (ready && !signal.aborted) onChange();
  };

  const follow = (info: KindInfo, version: string, initial: Listing | undefined, problem?: KubeProblem): void => {
    const where = `${info.plural}.${info.group} ${deps.scope.namespace !== undefined ? `in namespace ${deps.scope.namespace}` : 'in all namespaces'}`;
    if (signal.aborted) return;
    if (problem) failing.set(info.kind, problem);
    reflectors.push(
      startReflector<Kept>({
        what: `watch ${where}`,
        ...(initial && { initial }),
        ...(problem && { startsFailing: true }),
        list: (s) => deps.relist(info, version, s),
        open: (rv, s) => deps.openWatch(info, version, rv, s),
        decode: (item) => deps.decode(item, info, version),
        onChange: changed,
        onProblem: (e) => {
          const before = failing.get(info.kind)?.message;
          if (e) failing.set(info.kind, { code: e.code, message: `${e.message} (retrying)`, kind: info.kind, ...(deps.scope.namespace !== undefined && { namespace: deps.scope.namespace }) });
          else failing.delete(info.kind);
          if (failing.get(info.kind)?.message !== before) changed();
        },
        ...(deps.backoff && { backoff: deps.backoff }),
        ...(deps.healthyMs !== undefined && { healthyMs: deps.healthyMs }),
      }),
    );
  };

  /** discovery and the first lists; false when discovery failed for the whole cluster */
  const connect = async (): Promise<boolean> => {
    let found = await deps.discover(false, signal);
    if (found.plans.length === 0 && found.problems.length > 0) {
      fixedProblems = found.problems;
      return false;
    }
    let listed = await Promise.all(found.plans.map((p) => deps.listKind(p, signal)));
    // a discovery answer from the disk cache that names a kind the server no longer serves: ask again
    if (found.fromCache && [...found.problems, ...listed.flatMap((l) => ('problems' in l ? l.problems : []))].some((p) => STALE_DISCOVERY.has(p.code))) {
      found = await deps.discover(true, signal);
      listed = await Promise.all(found.plans.map((p) => deps.listKind(p, signal)));
    }
    const fixed: KubeProblem[] = [...found.problems];
    found.plans.forEach((plan, i) => {
      const l = listed[i];
      if (!l) return;
      if ('listing' in l) return follow(plan.info, l.version, l.listing);
      // a kind that could not be listed for a passing reason is listed again with backoff; one refused
      // or not served stays a problem until the next -w
      const transient = 'version' in plan ? l.problems.find((p) => TRANSIENT.has(p.code)) : undefined;
      if (transient && 'version' in plan) follow(plan.info, plan.version, undefined, transient);
      else fixed.push(...l.problems);
    });
    fixedProblems = fixed;
    return true;
  };

  const attempt = async (): Promise<boolean> => {
    try {
      return await connect();
    } catch (e) {
      if (signal.aborted) return true;
      fixedProblems = [{ code: isKubeError(e) ? e.code : 'kube.api', message: isKubeError(e) ? e.message : String(e) }];
      return false;
    }
  };
  // the first answer is served as it is (the view shows why nothing is there); retries go on behind it
  const retry = async (): Promise<void> => {
    const backoff = new Backoff(deps.backoff);
    while (!signal.aborted) {
      await pause(backoff.next(), signal);
      if (signal.aborted) return;
      const ok = await attempt();
      changed();
      if (ok) return;
    }
  };
  const first = attempt().then((ok) => {
    ready = true;
    if (!ok) void retry();
  });

  return {
    description: deps.base.description,
    async list() {
      await first;
      const kept = reflectors.flatMap((r) => r.values());
      const objects = kept.flatMap((k) => ('object' in k ? [k.object] : []));
      const problems = [...fixedProblems, ...kept.flatMap((k) => ('problem' in k ? [k.problem] : [])), ...failing.values()];
      return { objects, problems };
    },
    getSecret: (namespace, name, s) => deps.base.getSecret(namespace, name, s),
    getImagePullSecrets: (namespace, serviceAccount, s) => deps.base.getImagePullSecrets(namespace, serviceAccount, s),
    // not watched: read by the first audit and again at most every ten minutes (up to three requests
    // each time), so that an idle -w, whose audits otherwise cost the API server nothing, stays quiet
    ...(deps.base.fluxVersion ? { fluxVersion: remembered(deps.base.fluxVersion.bind(deps.base), FLUX_VERSION_TTL_MS) } : {}),
    stop() {
      controller.abort();
      for (const r of reflectors) r.stop();
    },
  };
}
