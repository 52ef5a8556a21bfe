import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * API discovery kept on disk between runs, as kubectl keeps it (`~/.kube/cache/discovery`, six hours):
 * without it every run asks the server which versions of the Flux groups it serves before it may
 * list anything. Only group, version and resource names are stored, never anything a user could not
 * read from `kubectl api-resources`. A file that cannot be read, parsed or written is ignored: the
 * cache makes runs cheaper, never different.
 */

/** kubectl's TTL for its disk discovery cache (cli-runtime ToDiscoveryClient: 6 * time.Hour) */
export const DISCOVERY_TTL_MS = 6 * 60 * 60 * 1000;

/** group → resource plural → versions serving it (with the list verb) */
export type ServedResources = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

export interface DiscoveryCache {
  /** what the server served less than the TTL ago, or undefined */
  read(): ServedResources | undefined;
  write(served: ServedResources): void;
}

interface CacheFile {
  readonly server: string;
  readonly fetchedAt: number;
  readonly groups: Record<string, Record<string, string[]>>;
}

export function openDiscoveryCache(dir: string, server: string, now: () => number = Date.now): DiscoveryCache {
  // one file per server URL: two clusters never share an answer
  const file = join(dir, 'discovery', `${createHash('sha256').update(server).digest('hex').slice(0, 32)}.json`);
  return {
    read() {
      try {
        const doc = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
        const age = now() - doc.fetchedAt;
        if (doc.server !== server || !(age >= 0 && age < DISCOVERY_TTL_MS) || typeof doc.groups !== 'object' || doc.groups === null) return undefined;
        const served = new Map<string, Map<string, readonly string[]>>();
        for (const [group, resources] of Object.entries(doc.groups)) {
          const m = new Map<string, readonly string[]>();
          for (const [plural, versions] of Object.entries(resources)) {
            if (Array.isArray(versions) && versions.every((v) => typeof v === 'string')) m.set(plural, versions);
          }
          served.set(group, m);
        }
        return served;
      } catch {
        return undefined;
      }
    },
    write(served) {
      const doc: CacheFile = {
        server,
        fetchedAt: now(),
        groups: Object.fromEntries([...served].map(([g, r]) => [g, Object.fromEntries([...r].map(([p, v]) => [p, [...v]]))])),
      };
      try {
        mkdirSync(join(dir, 'discovery'), { recursive: true, mode: 0o700 });
        // written beside and renamed: a run reading at the same moment sees the old file or the new one
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(doc), { mode: 0o600 });
        renameSync(tmp, file);
      } catch {
        // a read-only home or a full disk costs the next run one discovery request, nothing more
      }
    },
  };
}
