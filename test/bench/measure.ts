import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CountingProxy, PathClass } from '../helpers/counting-proxy.js';
import { pathClasses } from '../helpers/counting-proxy.js';
import { runTool } from '../lab/tools.js';

/** One process run: wall time measured here, peak RSS from GNU time, registry requests from the proxy. */
export interface Sample {
  readonly ms: number;
  readonly rssKiB: number;
  readonly requests: ReadonlyMap<PathClass, number>;
  /** requests by repository */
  readonly byRepository: ReadonlyMap<string, number>;
  readonly code: number;
  readonly stdout: string;
}

export class BenchFailure extends Error {}

let seq = 0;

/**
 * Runs `cmd` under GNU time (its report to a file of its own, so the command's stderr stays whole).
 * An exit code other than `expectCode` fails the benchmark: the numbers would describe another run.
 */
export async function measure(
  cmd: string,
  args: readonly string[],
  opts: { readonly env?: NodeJS.ProcessEnv; readonly proxy?: CountingProxy; readonly expectCode: number; readonly dir: string; readonly timeoutMs?: number },
): Promise<Sample> {
  const timeFile = join(opts.dir, `time-${process.pid}-${seq++}.txt`);
  opts.proxy?.reset();
  const t0 = process.hrtime.bigint();
  const r = await runTool('/usr/bin/time', ['-o', timeFile, '-f', '%M', cmd, ...args], { ...(opts.env ? { env: opts.env } : {}), timeoutMs: opts.timeoutMs ?? 900_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const requests = new Map(opts.proxy?.counts ?? []);
  const byRepository = new Map(opts.proxy?.byRepository ?? []);
  const rss = /(\d+)\s*$/.exec(readFileSync(timeFile, 'utf8'));
  rmSync(timeFile, { force: true });
  if (r.code !== opts.expectCode) {
    throw new BenchFailure(`${cmd.split('/').pop()} ${args.join(' ')} exited ${r.code}, expected ${opts.expectCode}: ${r.stderr.trim().slice(-600)}`);
  }
  if (!rss) throw new BenchFailure(`no peak RSS from /usr/bin/time for ${cmd}`);
  return { ms, rssKiB: Number(rss[1]), requests, byRepository, code: r.code, stdout: r.stdout };
}

export const total = (s: Pick<Sample, 'requests'>): number => [...s.requests.values()].reduce((a, b) => a + b, 0);

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** `min / median / max` of a list, scaled and rounded. */
export function spread(xs: readonly number[], scale = 1, digits = 0): string {
  if (xs.length === 0) return '–';
  const f = (x: number): string => (x / scale).toFixed(digits);
  return `${f(Math.min(...xs))} / ${f(median(xs))} / ${f(Math.max(...xs))}`;
}

/** Requests by class, e.g. `manifest GET 2, blob 1, referrers 1`. */
export function breakdown(requests: ReadonlyMap<PathClass, number>, per = 1): string {
  return pathClasses
    .filter((c) => (requests.get(c) ?? 0) > 0)
    .map((c) => `${c} ${fmt((requests.get(c) ?? 0) / per)}`)
    .join(', ');
}

/** Sums request counts over samples. */
export function sumRequests(samples: readonly Pick<Sample, 'requests'>[]): Map<PathClass, number> {
  const out = new Map<PathClass, number>();
  for (const s of samples) for (const [k, v] of s.requests) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

export function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(x < 10 ? 2 : 1);
}
