import type { VerifyPlan } from '../graph/types.js';
import type { ObjectSource, Scope } from '../kube/types.js';
import type { AuditOptions } from './audit.js';
import { SecretCache } from './materials.js';

/**
 * `-w`: what makes an audit run again, and what it may take from the one before.
 *
 * A source that can be watched (the cluster) is listed once and then followed by watches
 * (kube/watch.ts); audits read the objects from what the watches have seen. Other sources (files) are
 * listed again every `pollMs`. Either way a change runs the audit again, and only the plans whose
 * inputs changed are verified again: the others take their earlier result (PlanResults). A tag can
 * move in the registry while no object changes, so every `recheckMs` the audit also runs with only the
 * digest-pinned plans reused: each tag and semver range is resolved again and what it names verified.
 */
export type WatchReason = 'changed' | 'recheck';

export interface WatchOptions {
  /** changes closer together than this make one audit (a reconcile writes status several times); default 300 ms */
  readonly debounceMs?: number;
  /** the registry re-check; default 60 s */
  readonly recheckMs?: number;
  /** how often a source that cannot be watched is listed again; default 2 s */
  readonly pollMs?: number;
}

export const RECHECK_MS = 60_000;

/**
 * How long a re-check may judge with Secrets read by an earlier audit. Secrets are not watched (RBAC
 * grants get on them, not watch), so reading them again is the only way to see a rotated key: every
 * 10 minutes, not at every re-check, keeps an idle -w from asking the API server once a minute per
 * Secret. A change to an object, and the r key, always read afresh.
 */
export const SECRETS_TTL_MS = 10 * 60_000;

export interface AuditWatch {
  /** what audits read while watching: for the cluster, the watches' objects (no request per audit) */
  readonly source: ObjectSource;
  /** `listener` runs, at most once per debounce, when an audit should run again */
  subscribe(listener: (why: WatchReason) => void): () => void;
  stop(): void;
}

export function watchAudits(source: ObjectSource, scope: Scope, opts: WatchOptions = {}): AuditWatch {
  const listeners = new Set<(why: WatchReason) => void>();
  let pending: WatchReason | undefined;
  let timer: NodeJS.Timeout | undefined;
  const emit = (): void => {
    timer = undefined;
    const why = pending ?? 'changed';
    pending = undefined;
    for (const l of listeners) l(why);
  };
  const fire = (why: WatchReason): void => {
    // a re-check covers a change: it reuses less
    pending = pending === 'recheck' || why === 'recheck' ? 'recheck' : 'changed';
    timer ??= setTimeout(emit, opts.debounceMs ?? 300);
  };
  const watched = source.watch?.(scope, () => fire('changed'));
  const stopPoll = watched ? undefined : watchChanges(source, scope, opts.pollMs ?? 2000, () => fire('changed'));
  const recheck = setInterval(() => fire('recheck'), opts.recheckMs ?? RECHECK_MS);
  return {
    source: watched ?? source,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      clearInterval(recheck);
      if (timer) clearTimeout(timer);
      watched?.stop();
      stopPoll?.();
      listeners.clear();
    },
  };
}

type Reuse = NonNullable<AuditOptions['reuse']>;
type PlanResult = NonNullable<ReturnType<Reuse['get']>>;

/** Everything runPlan reads of a plan: the plan without its id and the nodes it decides. */
export function planInputs(plan: VerifyPlan): string {
  return JSON.stringify({ ...plan, id: undefined, nodeIds: undefined });
}

/** no registry answer can change what a digest-pinned plan verifies (a HelmChart's tag is resolved each time) */
function pinned(plan: VerifyPlan): boolean {
  return plan.artifact.ref.kind === 'digest' && plan.artifact.chart === undefined;
}

/**
 * Plan results across the audits of one -w, keyed by planInputs. `changed` reuses every plan whose
 * inputs are unchanged, `recheck` only digest-pinned ones, `full` (the r key) none; all three record
 * what they verify. A result no audit asked for in the last two is dropped.
 */
export class PlanResults {
  private readonly entries = new Map<string, { result: PlanResult; run: number }>();
  private runs = 0;
  private secretsRead: { cache: SecretCache; source: ObjectSource; at: number } | undefined;
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }
  private last = { reused: 0 };

  forRun(kind: WatchReason | 'full'): Reuse {
    const run = ++this.runs;
    for (const [k, e] of this.entries) if (e.run < run - 2) this.entries.delete(k);
    const stats = { reused: 0 };
    this.last = stats;
    return {
      get: (plan) => {
        if (kind === 'full' || (kind === 'recheck' && !pinned(plan))) return undefined;
        const e = this.entries.get(planInputs(plan));
        if (!e) return undefined;
        e.run = run;
        stats.reused++;
        return e.result;
      },
      set: (plan, result) => {
        this.entries.set(planInputs(plan), { result, run });
      },
      secrets: (source) => {
        const at = this.now();
        const known = this.secretsRead;
        if (kind === 'recheck' && known && known.source === source && at - known.at < SECRETS_TTL_MS) return known.cache;
        const cache = new SecretCache(source);
        this.secretsRead = { cache, source, at };
        return cache;
      },
    };
  }

  /** plans the latest audit took from an earlier one (for tests and diagnostics) */
  reused(): number {
    return this.last.reused;
  }
}

/**
 * For sources that cannot be watched: lists the objects again every `intervalMs` and calls back when a
 * resourceVersion (or, for files, the content) moved or the problems changed.
 */
export function watchChanges(source: ObjectSource, scope: Scope, intervalMs: number, onChange: () => void): () => void {
  let last: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    try {
      const listed = await source.list(scope);
      const print = fingerprint(listed.objects.map((o) => ({ id: `${o.kind}/${o.namespace}/${o.name}`, raw: o.raw })), listed.problems.map((p) => p.code));
      if (last !== undefined && print !== last) onChange();
      last = print;
    } catch {
      // a failed poll is retried on the next tick; the view keeps what it has
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

function fingerprint(objects: readonly { id: string; raw: unknown }[], problems: readonly string[]): string {
  const versions = objects.map((o) => {
    const meta = (o.raw as { metadata?: { resourceVersion?: string; generation?: number } } | undefined)?.metadata;
    return `${o.id}@${meta?.resourceVersion ?? JSON.stringify(o.raw).length}`;
  });
  return [...versions.sort(), '|', ...[...problems].sort()].join('\n');
}
