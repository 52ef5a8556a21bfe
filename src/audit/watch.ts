import type { ObjectSource, Scope } from '../kube/types.js';

/**
 * Notices changes to the Flux objects in scope by listing them again every `intervalMs` and comparing
 * each object's resourceVersion (which moves on every spec or status write, so a new condition from
 * Flux counts too). Listing is what kubectl's watch falls back to when a watch cannot be held; it
 * costs one list per kind per interval and survives API server restarts without bookkeeping.
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
