import { RE2JS } from 're2js';

/**
 * Versions and constraints with the semantics of Masterminds/semver v3.4 (what source-controller
 * links), not npm's: `1.2` and `v1.2.3` parse, constraints join with `,` or space (AND) and `||` (OR),
 * `x`/`*` wildcards and hyphen ranges work, and a prerelease version only satisfies an AND group
 * that itself names a prerelease. The patterns run on re2js so that they behave as Go's regexp does
 * (and stay linear on a constraint someone wrote into a custom resource).
 */

export interface SemVersion {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly prerelease: string;
  readonly metadata: string;
  /** the text it was parsed from, `v` and all: the tag to fetch */
  readonly original: string;
}

const UINT64_MAX = (1n << 64n) - 1n;
const ALLOWED = /^[0-9A-Za-z-]+$/;
const DIGITS = /^[0-9]+$/;

/**
 * A pattern compiled on its first use. Compiling these RE2 programs costs tens of milliseconds, which every
 * run would pay at import (`kubectl verify artifact` imports this module) though most never parse a version.
 */
function pattern(source: string): () => RE2JS {
  let compiled: RE2JS | undefined;
  return () => (compiled ??= RE2JS.compile(source));
}

// Masterminds' "loose" pattern: minor and patch optional, leading zeros coerced.
const LOOSE_VERSION = pattern(
  String.raw`^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$`,
);

/** Masterminds `NewVersion`: lenient (`1`, `1.2`, `v1.2.3`, `01.2.3`); undefined when not a version. */
export function parseVersion(text: string): SemVersion | undefined {
  const m = LOOSE_VERSION().exec(text);
  if (!m) return undefined;
  const major = toUint64(m[1] as string);
  const minor = m[2] ? toUint64((m[2] as string).slice(1)) : 0n;
  const patch = m[3] ? toUint64((m[3] as string).slice(1)) : 0n;
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  const prerelease = (m[5] as string | undefined) ?? '';
  const metadata = (m[8] as string | undefined) ?? '';
  if (prerelease !== '' && !validPrerelease(prerelease)) return undefined;
  if (metadata !== '' && !validMetadata(metadata)) return undefined;
  return { major, minor, patch, prerelease, metadata, original: text };
}

/**
 * How source-controller reads a tag (`github.com/fluxcd/pkg/version@v0.16.0` `ParseVersion`, what
 * source-controller v1.9 links): at least three dot-separated parts, then Masterminds v3.5's
 * `NewVersion`, which (CoerceNewVersion) takes a leading `v` and leading zeros: `v2025.02.03` and
 * `01.2.3` are picked by `spec.ref.semver`, `1.2` is not. Shared by OCIRepositories and GitRepository
 * semver refs (git/refs.ts).
 */
export function parseTagVersion(tag: string): SemVersion | undefined {
  if (splitN(tag, '.', 3).length !== 3) return undefined;
  return parseVersion(tag);
}

export function compareVersions(a: SemVersion, b: SemVersion): number {
  for (const [x, y] of [[a.major, b.major], [a.minor, b.minor], [a.patch, b.patch]] as const) {
    if (x !== y) return x < y ? -1 : 1;
  }
  if (a.prerelease === b.prerelease) return 0;
  // A release sorts after every prerelease of the same version; build metadata never counts.
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

function comparePrerelease(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const d = comparePrereleasePart(as[i] ?? '', bs[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

function comparePrereleasePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return -1;
  if (o === '') return 1;
  const sn = DIGITS.test(s) ? toUint64(s) : undefined;
  const on = DIGITS.test(o) ? toUint64(o) : undefined;
  if (sn === undefined && on === undefined) return s > o ? 1 : -1;
  // Numeric identifiers sort before alphanumeric ones.
  if (on === undefined) return -1;
  if (sn === undefined) return 1;
  return sn > on ? 1 : -1;
}

// ---- constraints ----

type Operator = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

interface Constraint {
  readonly op: Operator;
  readonly version: SemVersion;
  /** `1.x`, `1`, `*`: some part was a wildcard or left out */
  readonly dirty: boolean;
  readonly minorDirty: boolean;
  readonly patchDirty: boolean;
}

export interface Constraints {
  readonly text: string;
  /** OR of AND groups */
  readonly groups: readonly (readonly Constraint[])[];
  /** per group: does one of its constraints name a prerelease (which lets prereleases through)? */
  readonly groupAllowsPrerelease: readonly boolean[];
}

// Go's \s is [\t\n\f\r ]; JavaScript's is wider, so spell it out.
const S = String.raw`[\t\n\f\r ]`;
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const CV =
  String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?` +
  String.raw`(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?` +
  String.raw`(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;

const CONSTRAINT = pattern(`^${S}*(${OPS})${S}*(${CV})${S}*$`);
const RANGE = pattern(`${S}*(${CV})${S}+-${S}+(${CV})${S}*`);
const FIND_CONSTRAINT = pattern(`(${OPS})${S}*(${CV})`);
const VALID_GROUP = pattern(`^(${S}*(${OPS})${S}*(${CV})${S}*)((?:${S}+|,${S}*)(${OPS})${S}*(${CV})${S}*)*$`);

export class ConstraintError extends Error {}

/** Masterminds `NewConstraint`. Throws ConstraintError naming the part that does not parse. */
export function parseConstraints(text: string): Constraints {
  const rewritten = rewriteHyphenRanges(text);
  const groups: Constraint[][] = [];
  const allows: boolean[] = [];
  for (const segment of rewritten.split('||')) {
    if (!VALID_GROUP().testExact(segment)) throw new ConstraintError(`improper constraint: ${JSON.stringify(segment)}`);
    const parts = [...FIND_CONSTRAINT().matchAll(segment)].map((m) => m[0]);
    const group = (parts.length > 0 ? parts : [segment]).map(parseOne);
    groups.push(group);
    allows.push(group.some((c) => c.version.prerelease !== ''));
  }
  return { text, groups, groupAllowsPrerelease: allows };
}

function rewriteHyphenRanges(text: string): string {
  let out = text;
  for (const m of RANGE().matchAll(text)) {
    // Group 1 is the whole first version; the second starts after the first version's 9 groups.
    out = out.replace(m[0], `>= ${m[1] as string}, <= ${m[11] as string} `);
  }
  return out;
}

function parseOne(text: string): Constraint {
  const m = CONSTRAINT().exec(text);
  if (!m) throw new ConstraintError(`improper constraint: ${JSON.stringify(text)}`);
  const op = m[1] as Operator;
  const [major, minor, patch, pre] = [m[3] ?? '', m[4] ?? '', m[5] ?? '', m[6] ?? ''] as string[] as [string, string, string, string];
  let text2 = m[2] as string;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major) || major === '') {
    text2 = `0.0.0${pre}`;
    dirty = true;
  } else if (isX(minor.slice(1)) || minor === '') {
    text2 = `${major}.0.0${pre}`;
    dirty = minorDirty = true;
  } else if (isX(patch.slice(1)) || patch === '') {
    text2 = `${major}${minor}.0${pre}`;
    dirty = patchDirty = true;
  }
  const version = parseVersion(text2);
  if (!version) throw new ConstraintError(`improper constraint: ${JSON.stringify(text)}`);
  return { op, version, dirty, minorDirty, patchDirty };
}

function isX(s: string): boolean {
  return s === 'x' || s === 'X' || s === '*';
}

/** Masterminds `Constraints.Check`. */
export function satisfies(v: SemVersion, constraints: Constraints): boolean {
  return constraints.groups.some((group, i) => group.every((c) => check(v, c, constraints.groupAllowsPrerelease[i] ?? false)));
}

function check(v: SemVersion, c: Constraint, includePre: boolean): boolean {
  if (v.prerelease !== '' && !includePre) return false;
  const con = c.version;
  const cmp = compareVersions(v, con);
  switch (c.op) {
    case '':
    case '=':
      return c.dirty ? tilde(v, c) : cmp === 0;
    case '!=':
      return notEqual(v, c, cmp);
    case '>':
      if (!c.dirty) return cmp > 0;
      if (v.major !== con.major) return v.major > con.major;
      // `>1` needs 2.0.0 or more; `>1.2` needs 1.3.0 or more
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > con.minor;
      return cmp > 0;
    case '<':
      return cmp < 0;
    case '>=':
    case '=>':
      return cmp >= 0;
    case '<=':
    case '=<':
      if (!c.dirty) return cmp <= 0;
      if (v.major > con.major) return false;
      return !(v.major === con.major && v.minor > con.minor && !c.minorDirty);
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      return caret(v, c, cmp);
  }
}

function notEqual(v: SemVersion, c: Constraint, cmp: number): boolean {
  const con = c.version;
  if (c.dirty) {
    if (con.major !== v.major) return true;
    if (c.minorDirty) return false;
    if (con.minor !== v.minor) return true;
    if (c.patchDirty) {
      if (v.prerelease !== '' || con.prerelease !== '') return comparePrerelease(v.prerelease, con.prerelease) !== 0;
      return false;
    }
    if (con.patch !== v.patch) return true;
  }
  return cmp !== 0;
}

function tilde(v: SemVersion, c: Constraint): boolean {
  const con = c.version;
  if (compareVersions(v, con) < 0) return false;
  // `~0.0.0` and `*` accept anything at or above it
  if (con.major === 0n && con.minor === 0n && con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== con.major) return false;
  return v.minor === con.minor || c.minorDirty;
}

function caret(v: SemVersion, c: Constraint, cmp: number): boolean {
  const con = c.version;
  if (cmp < 0) return false;
  if (con.major > 0n || c.minorDirty) return v.major === con.major;
  if (v.major > 0n) return false;
  if (con.minor > 0n || c.patchDirty) return v.minor === con.minor;
  if (v.minor > 0n) return false;
  return v.patch === con.patch;
}

// ---- helpers ----

function toUint64(digits: string): bigint | undefined {
  const n = BigInt(digits);
  return n > UINT64_MAX ? undefined : n;
}

function validPrerelease(p: string): boolean {
  return p.split('.').every((part) => part !== '' && (DIGITS.test(part) ? !(part.length > 1 && part.startsWith('0')) : ALLOWED.test(part)));
}

function validMetadata(m: string): boolean {
  return m.split('.').every((part) => part !== '' && ALLOWED.test(part));
}

/** Go's strings.SplitN. */
function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}
