import { tryParseDigest } from './digest.js';
import { registryError } from './errors.js';

/**
 * References are parsed here once and travel typed: graph/ parses an object's URL (`oci://`, a Helm
 * chart URL joined to its repository) into a `RegistryRepository` and its spec.ref into a
 * `RefSelector`; the `artifact` command parses its argument with `parseArtifactRef`; registry/ and
 * the report use those values and `formatArtifactRef` writes one back as text. Nothing in between
 * rebuilds a string to parse it again.
 *
 * Where an artifact lives: a repository on a registry (`oci://`) or an OCI image layout on disk
 * (`oci-layout://`), optionally with a tag, a digest, or both (the digest then wins).
 */
export type ArtifactRef = RegistryArtifactRef | LayoutArtifactRef;

/** A repository on a registry, without tag or digest. */
export interface RegistryRepository {
  readonly kind: 'registry';
  /** host[:port] as written, except that Docker Hub's aliases become index.docker.io, as go-containerregistry does */
  readonly host: string;
  /** with Docker Hub's implicit `library/` added */
  readonly repository: string;
}

export interface RegistryArtifactRef extends RegistryRepository {
  readonly tag?: string;
  readonly digest?: string;
}

/** What to resolve in a repository, Flux's precedence (digest > semver > tag > latest) already applied. */
export type RefSelector =
  | { readonly kind: 'digest'; readonly digest: string }
  | {
      readonly kind: 'semver';
      readonly constraint: string;
      /** OCIRepository spec.ref.semverFilter: a Go regexp applied to tags before the constraint */
      readonly filter?: string;
      /** Helm charts: tags store `+` as `_`, so `_` is read back as `+` before parsing */
      readonly helmTags: boolean;
    }
  | { readonly kind: 'tag'; readonly tag: string };

/** A URL that did not parse, kept as a value so that the object's finding can say why. */
export interface InvalidReference {
  readonly kind: 'invalid';
  readonly code: 'registry.bad-reference';
  readonly message: string;
}

export interface LayoutArtifactRef {
  readonly kind: 'layout';
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DOCKER_HUB = 'index.docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

// distribution's reference grammar: lowercase path components joined by '/', separators . _ __ -+
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]{1,5})?$/;

export function parseArtifactRef(input: string): ArtifactRef {
  if (input.startsWith('oci://')) return parseRegistryRef(input);
  if (input.startsWith('oci-layout://')) return parseLayoutRef(input);
  throw bad(input, 'expected it to start with oci:// or oci-layout://');
}

/**
 * A source's repository URL (OCIRepository `spec.url`, a chart URL): `oci://HOST/REPOSITORY`. A tag
 * or digest written into it is not part of the repository (Flux takes those from spec.ref).
 */
export function parseRepositoryUrl(url: string): RegistryRepository | InvalidReference {
  try {
    const ref = parseArtifactRef(url);
    if (ref.kind !== 'registry') return { kind: 'invalid', code: 'registry.bad-reference', message: `invalid artifact reference ${JSON.stringify(url)}: expected oci://HOST/REPOSITORY` };
    return { kind: 'registry', host: ref.host, repository: ref.repository };
  } catch (e) {
    return { kind: 'invalid', code: 'registry.bad-reference', message: e instanceof Error ? e.message : String(e) };
  }
}

function parseRegistryRef(input: string): RegistryArtifactRef {
  const rest = input.slice('oci://'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) throw bad(input, 'expected oci://HOST/REPOSITORY, found no repository after the host');
  const rawHost = rest.slice(0, slash);
  if (rawHost.includes('@')) {
    // The part before '@' may be a password: name only what follows it.
    throw registryError('registry.bad-reference', `invalid artifact reference for host ${rawHost.slice(rawHost.lastIndexOf('@') + 1)}: credentials in the URL are not supported; use a dockerconfigjson Secret`);
  }
  if (!HOST.test(rawHost)) throw bad(input, `host ${JSON.stringify(rawHost)} is not a valid host[:port]`);
  const port = /:(\d+)$/.exec(rawHost)?.[1];
  if (port !== undefined && Number(port) > 65535) throw bad(input, `port ${port} is out of range`);
  const { name, tag, digest } = splitTagAndDigest(input, rest.slice(slash + 1));
  if (name === '') throw bad(input, 'the repository name is empty');
  for (const component of name.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      const hint = component !== component.toLowerCase() ? ' (repository names must be lowercase)' : '';
      throw bad(input, `repository path component ${JSON.stringify(component)} is not valid${hint}`);
    }
  }
  const isHub = DOCKER_HUB_ALIASES.has(rawHost.toLowerCase());
  const host = isHub ? DOCKER_HUB : rawHost;
  const repository = isHub && !name.includes('/') ? `library/${name}` : name;
  return withOptional({ kind: 'registry' as const, host, repository }, tag, digest);
}

function parseLayoutRef(input: string): LayoutArtifactRef {
  const rest = input.slice('oci-layout://'.length);
  const { name, tag, digest } = splitTagAndDigest(input, rest);
  if (name === '') throw bad(input, 'expected oci-layout://PATH, found an empty path');
  return withOptional({ kind: 'layout' as const, path: name }, tag, digest);
}

/** Splits `NAME[:TAG][@DIGEST]`; a ':' only starts a tag after the last '/', so paths and ports survive. */
function splitTagAndDigest(input: string, s: string): { name: string; tag?: string; digest?: string } {
  let name = s;
  let digest: string | undefined;
  const at = name.lastIndexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (tryParseDigest(digest) === undefined) {
      throw bad(input, `digest ${JSON.stringify(digest)} is not sha256:<64 lowercase hex> or sha512:<128 lowercase hex>`);
    }
  }
  let tag: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) throw bad(input, `tag ${JSON.stringify(tag)} is not valid (letters, digits, _ . -; at most 128; not starting with . or -)`);
  }
  return { name, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

function withOptional<T extends object>(base: T, tag: string | undefined, digest: string | undefined): T & { tag?: string; digest?: string } {
  return { ...base, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** The reference written back as text; round-trips through parseArtifactRef. */
export function formatArtifactRef(ref: ArtifactRef): string {
  const base = ref.kind === 'registry' ? `oci://${ref.host}/${ref.repository}` : `oci-layout://${ref.path}`;
  return `${base}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

function bad(input: string, why: string): Error {
  return registryError('registry.bad-reference', `invalid artifact reference ${JSON.stringify(input)}: ${why}`);
}
