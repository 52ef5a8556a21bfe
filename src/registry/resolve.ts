import { RE2JS } from 're2js';
import { registryError } from './errors.js';
import type { Descriptor } from './manifest.js';
import { ConstraintError, compareVersions, parseConstraints, parseTagVersion, satisfies, type SemVersion } from './semver.js';
import type { ArtifactStore, ReadOptions } from './store.js';

/** `spec.ref` of an OCIRepository (or a chart version for a HelmChart from an OCI HelmRepository). */
export interface OciRefSpec {
  readonly digest?: string;
  readonly semver?: string;
  readonly semverFilter?: string;
  readonly tag?: string;
}

export interface ResolveOptions extends ReadOptions {
  /** Helm stores chart version `1.0.0+abc` under tag `1.0.0_abc`: read `_` as `+` before semver parsing */
  readonly helmChart?: boolean;
}

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
 * (a Go regexp, unanchored), read as `v`-optional strict semver, checked against the Masterminds
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

export async function resolveRef(store: ArtifactStore, ref: OciRefSpec | undefined, opts: ResolveOptions = {}): Promise<ResolvedRef> {
  if (ref?.digest) {
    return { by: 'digest', descriptor: await store.resolve(ref.digest, opts) };
  }
  if (ref?.semver) {
    const tags = await store.listTags(opts.signal ? { signal: opts.signal } : {});
    const choice = selectSemverTag(tags, ref.semver, { ...(ref.semverFilter && { semverFilter: ref.semverFilter }), ...(opts.helmChart && { helmChart: true }) });
    if (!choice) {
      const filtered = ref.semverFilter ? ` (after semverFilter ${JSON.stringify(ref.semverFilter)})` : '';
      throw registryError('registry.no-match', `${store.location}: no match found for semver: ${ref.semver} among ${tags.length} tags${filtered}`);
    }
    return { by: 'semver', tag: choice.tag, version: choice.version.original, descriptor: await store.resolve(choice.tag, opts) };
  }
  if (ref?.tag) {
    return { by: 'tag', tag: ref.tag, descriptor: await store.resolve(ref.tag, opts) };
  }
  return { by: 'latest', tag: 'latest', descriptor: await store.resolve('latest', opts) };
}
