import { RE2JS } from 're2js';
import { registryError } from './errors.js';
import type { Descriptor } from './manifest.js';
import { ConstraintError, compareVersions, parseConstraints, parseTagVersion, satisfies, type SemVersion } from './semver.js';
import type { RefSelector } from './reference.js';
import type { ArtifactStore, ReadOptions } from './store.js';

export type ResolveOptions = ReadOptions;

export interface ResolvedRef {
  /** which field decided, in source-controller's order: digest > semver > tag > latest */
  readonly by: 'digest' | 'semver' | 'tag' | 'latest';
  /** the tag in the registry (as pushed, `_` and all); absent when pinned by digest */
  readonly tag?: string;
  /** the semver version the tag was read as (`+` for Helm's `_`), when chosen by semver */
  readonly version?: string;
  readonly descriptor: Descriptor;
}

export interface SemverChoice {
  readonly tag: string;
  readonly version: SemVersion;
}

/**
 * Picks the tag source-controller would pull for a semver range: tags filtered by `semverFilter`
 * (a Go regexp, unanchored), read as source-controller reads them (`parseTagVersion`, after `_` → `+`
 * for Helm chart tags, as convertOCIToSemVerTag does), checked against the Masterminds
 * constraint, highest wins. Among equal versions (`1.0.0`, `v1.0.0`, `1.0.0+b`) Go's unstable sort
 * makes no promise; the first in listing order is kept here.
 */
export function selectSemverTag(tags: readonly string[], constraint: string, opts: { semverFilter?: string; helmChart?: boolean } = {}): SemverChoice | undefined {
  let range;
  try {
    range = parseConstraints(constraint);
  } catch (e) {
    if (e instanceof ConstraintError) throw registryError('registry.bad-constraint', `semver '${constraint}' parse error: ${e.message}`);
    throw e;
  }
  const filter = opts.semverFilter ? compileFilter(opts.semverFilter) : undefined;
  let best: SemverChoice | undefined;
  for (const tag of tags) {
    if (filter && !filter.test(tag)) continue;
    const version = parseTagVersion(opts.helmChart ? tag.replaceAll('_', '+') : tag);
    if (!version || !satisfies(version, range)) continue;
    if (!best || compareVersions(version, best.version) > 0) best = { tag, version };
  }
  return best;
}

function compileFilter(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    throw registryError('registry.bad-constraint', `semverFilter ${JSON.stringify(pattern)} is not a valid Go regular expression: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * What a selector names in the store now, in source-controller's order. A tag costs one `resolve`
 * (a HEAD on a registry); semver one tag list and one `resolve`.
 */
export async function resolveRef(store: ArtifactStore, selector: RefSelector | undefined, opts: ResolveOptions = {}): Promise<ResolvedRef> {
  if (selector?.kind === 'digest') {
    return { by: 'digest', descriptor: await store.resolve(selector.digest, opts) };
  }
  if (selector?.kind === 'semver') {
    const tags = await store.listTags(opts.signal ? { signal: opts.signal } : {});
    const choice = selectSemverTag(tags, selector.constraint, { ...(selector.filter && { semverFilter: selector.filter }), ...(selector.helmTags && { helmChart: true }) });
    if (!choice) {
      const filtered = selector.filter ? ` (after semverFilter ${JSON.stringify(selector.filter)})` : '';
      throw registryError('registry.no-match', `${store.location}: no match found for semver: ${selector.constraint} among ${tags.length} tags${filtered}`);
    }
    return { by: 'semver', tag: choice.tag, version: choice.version.original, descriptor: await store.resolve(choice.tag, opts) };
  }
  if (selector?.kind === 'tag') {
    return { by: 'tag', tag: selector.tag, descriptor: await store.resolve(selector.tag, opts) };
  }
  return { by: 'latest', tag: 'latest', descriptor: await store.resolve('latest', opts) };
}
