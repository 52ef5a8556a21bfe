/**
 * RFC 4514 distinguished names, reduced to what notation's trusted identities allow: single-valued
 * RDNs, each attribute type at most once, no `#hex` values, and at least C, ST (or S) and O.
 */
export type DnMap = ReadonlyMap<string, string>;

export type DnResult = { ok: true; dn: DnMap } | { ok: false; message: string };

const TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/;
const SPECIAL = new Set([',', '=', '+', '<', '>', '#', ';', '\\', '"', ' ']);

/** Parse without the mandatory-attribute rule (the leaf subject is parsed this way too). */
export function parseDn(name: string): DnResult {
  const dn = new Map<string, string>();
  let i = 0;
  const n = name.length;
  const err = (m: string): DnResult => ({ ok: false, message: `distinguished name (DN) ${JSON.stringify(name)} is not valid: ${m}` });
  if (name.trim() === '') return { ok: true, dn };
  while (i < n) {
    const eq = name.indexOf('=', i);
    if (eq < 0) return err(`expected type=value, found ${JSON.stringify(name.slice(i))}`);
    const type = name.slice(i, eq).trim();
    if (!TYPE.test(type)) return err(`expected an attribute type, found ${JSON.stringify(type)}`);
    i = eq + 1;
    while (name[i] === ' ') i++;
    if (name[i] === '#') return err(`hex-encoded (#) values are not supported, found one for ${type}`);
    const bytes: number[] = [];
    const push = (s: string): void => { bytes.push(...Buffer.from(s, 'utf8')); };
    let trailingSpaces = 0;
    if (name[i] === '"') {
      i++;
      while (i < n && name[i] !== '"') {
        if (name[i] === '\\') i++;
        if (i >= n) return err('unterminated quoted value');
        push(name[i] as string);
        i++;
      }
      if (name[i] !== '"') return err('unterminated quoted value');
      i++;
      while (name[i] === ' ') i++;
    } else {
      while (i < n) {
        const c = name[i] as string;
        if (c === ',' || c === ';' || c === '+') break;
        if (c === '\\') {
          const next = name[i + 1];
          const hex = name.slice(i + 1, i + 3);
          if (/^[0-9A-Fa-f]{2}$/.test(hex)) { bytes.push(parseInt(hex, 16)); i += 3; trailingSpaces = 0; continue; }
          if (next !== undefined && SPECIAL.has(next)) { push(next); i += 2; trailingSpaces = 0; continue; }
          return err(`invalid escape at position ${i}`);
        }
        if (c === '"') return err(`unescaped quote at position ${i}`);
        push(c);
        trailingSpaces = c === ' ' ? trailingSpaces + 1 : 0;
        i++;
      }
    }
    let value: string;
    try {
      value = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes.slice(0, bytes.length - trailingSpaces)));
    } catch {
      return err(`invalid UTF-8 in the value of ${type}`);
    }
    if (name[i] === '+') return err('multi-valued RDNs are not supported');
    if (dn.has(type)) return err(`duplicate RDN attribute ${JSON.stringify(type)}`);
    dn.set(type, value);
    if (i < n) {
      i++; // separator
      if (i >= n) return err('trailing separator');
    }
  }
  return { ok: true, dn };
}

/** A trusted-identity DN: parsed, then C, ST (or S) and O are required, as notation does. */
export function parseIdentityDn(name: string): DnResult {
  const r = parseDn(name);
  if (!r.ok) return r;
  const missing = ['C', 'ST', 'O'].filter((k) => !(r.dn.has(k) || (k === 'ST' && r.dn.has('S'))));
  if (missing.length > 0) {
    return { ok: false, message: `distinguished name (DN) ${JSON.stringify(name)} has no mandatory RDN attribute for ${missing.map((m) => JSON.stringify(m)).join(', ')}, it must contain 'C', 'ST', and 'O' RDN attributes at a minimum` };
  }
  return r;
}

/** S is an accepted alias of ST in identities; compare on one name. */
function norm(k: string): string {
  return k === 'S' ? 'ST' : k;
}

/** True when every attribute of `sub` is in `sup` with the same value. */
export function isSubsetDn(sub: DnMap, sup: DnMap): boolean {
  const s = new Map([...sup].map(([k, v]) => [norm(k), v]));
  for (const [k, v] of sub) if (s.get(norm(k)) !== v) return false;
  return true;
}

export function formatDn(dn: DnMap): string {
  return [...dn].map(([k, v]) => `${k}=${v}`).join(', ');
}
