import { isRegistryError } from './errors.js';
import { parseContentDigest } from './digest.js';
import type { ArtifactStore, FetchedManifest, ReadOptions } from './store.js';

/**
 * The referrers tag schema (distribution-spec): `<alg>-<hex>`, alg cut to 32 characters and hex to
 * 64, anything outside [a-zA-Z0-9_.-] replaced by '-'. Not the same tag as cosign's `.sig`.
 */
export function referrersTag(digest: string): string {
  const { algorithm, hex } = parseContentDigest(digest, 'referrers tag');
  return `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** cosign's legacy signature tag for a subject digest. */
export function cosignSignatureTag(digest: string): string {
  const { algorithm, hex } = parseContentDigest(digest, 'cosign signature tag');
  return `${algorithm}-${hex}.sig`;
}

/** A manifest that may legitimately be absent (a signature tag nobody pushed): undefined on not-found. */
export async function fetchManifestIfPresent(store: ArtifactStore, reference: string, opts?: ReadOptions): Promise<FetchedManifest | undefined> {
  try {
    return await store.fetchManifest(reference, opts);
  } catch (e) {
    if (isRegistryError(e, 'registry.not-found') || isRegistryError(e, 'layout.not-found')) return undefined;
    throw e;
  }
}

/** cosign's `sha256-<hex>.sig` manifest for a subject, if one was pushed. */
export function fetchCosignSignatureManifest(store: ArtifactStore, subjectDigest: string, opts?: ReadOptions): Promise<FetchedManifest | undefined> {
  return fetchManifestIfPresent(store, cosignSignatureTag(subjectDigest), opts);
}
