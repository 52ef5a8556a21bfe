import { KubeError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * kubectl's --request-timeout: a Go duration (`5s`, `1m30s`, `250ms`) or bare seconds (`30`).
 * Returns milliseconds, or undefined for `0` (no timeout), as kubectl reads it.
 */
export function parseRequestTimeout(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) {
    ms = Number(v) * 1000;
  } else {
    const parts = [...v.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join('') !== v) {
      throw new KubeError('kube.invalid-flag', `invalid --request-timeout "${value}": use a Go duration such as 5s, 1m30s, or a number of seconds`);
    }
    ms = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] as string] as number), 0);
  }
  if (ms === 0) return undefined;
  // below a millisecond would be a timeout that always fires; kubectl would round up too
  return Math.max(1, Math.ceil(ms));
}
