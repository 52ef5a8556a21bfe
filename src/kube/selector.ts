import { KubeError } from './errors.js';

/**
 * Label selectors as kubectl's -l takes them (k8s.io/apimachinery labels.Parse): `k=v`, `k==v`,
 * `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`, joined by commas. The cluster
 * applies them itself; this parser checks them up front and applies them to objects read from files.
 */
export type Requirement =
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] }
  | { readonly key: string; readonly op: 'exists' | '!exists' }
  | { readonly key: string; readonly op: 'gt' | 'lt'; readonly value: number };

export type Selector = readonly Requirement[];

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function invalid(selector: string, why: string): KubeError {
  return new KubeError('kube.invalid-selector', `invalid label selector "${selector}": ${why}`);
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function checkKey(selector: string, key: string): string {
  if (key.length > 316 || !KEY.test(key)) throw invalid(selector, `"${key}" is not a valid label key`);
  return key;
}

function checkValue(selector: string, value: string): string {
  if (value.length > 63 || !VALUE.test(value)) throw invalid(selector, `"${value}" is not a valid label value`);
  return value;
}

export function parseSelector(selector: string | undefined): Selector {
  if (selector === undefined || selector.trim() === '') return [];
  return splitTopLevel(selector).map((part): Requirement => {
    const p = part.trim();
    if (p === '') throw invalid(selector, 'empty requirement');
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(p);
    if (set) {
      const values = (set[3] as string).split(',').map((v) => checkValue(selector, v.trim()));
      return { key: checkKey(selector, set[1] as string), op: set[2] as 'in' | 'notin', values };
    }
    const cmp = /^([^!=<>\s]+)\s*(==|=|!=|<|>)\s*(.*)$/.exec(p);
    if (cmp) {
      const key = checkKey(selector, cmp[1] as string);
      const op = cmp[2] as string;
      const raw = (cmp[3] as string).trim();
      if (op === '<' || op === '>') {
        if (!/^-?\d+$/.test(raw)) throw invalid(selector, `"${raw}" is not an integer`);
        return { key, op: op === '<' ? 'lt' : 'gt', value: Number(raw) };
      }
      return { key, op: op === '!=' ? 'notin' : 'in', values: [checkValue(selector, raw)] };
    }
    if (p.startsWith('!')) return { key: checkKey(selector, p.slice(1).trim()), op: '!exists' };
    return { key: checkKey(selector, p), op: 'exists' };
  });
}

export function matchesSelector(sel: Selector, labels: Readonly<Record<string, string>>): boolean {
  return sel.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && r.values.includes(v as string);
      case 'notin':
        // as in Kubernetes: an absent label satisfies != and notin
        return !has || !r.values.includes(v as string);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v as string)) return false;
        const n = Number(v);
        return r.op === 'gt' ? n > r.value : n < r.value;
      }
    }
  });
}
