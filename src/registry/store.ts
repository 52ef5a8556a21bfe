import type { Descriptor, Manifest } from './manifest.js';

/** Sizes from signatures.md §8.1 (notation's limits, which are the tighter ones). */
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_BLOB_BYTES = 32 * 1024 * 1024;

export interface ReadOptions {
  /** refuse (and stop reading) anything larger; defaults above */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

export interface FetchedManifest {
  /** digest computed from the bytes received, never taken from a header */
  readonly descriptor: Descriptor;
  readonly bytes: Uint8Array;
  readonly manifest: Manifest;
}

/**
 * How referrers were found. A consumer shows it (a signature found by the tag schema is as valid,
 * but tells the operator the registry lacks the referrers API).
 */
export type ReferrersVia = 'referrers-api' | 'referrers-tag' | 'layout';

export interface Referrers {
  readonly via: ReferrersVia;
  readonly descriptors: readonly Descriptor[];
  /**
   * manifests that could not be read to tell whether they refer to the subject (an image layout
   * has no referrers index: each manifest is read); one unreadable manifest must not hide the rest
   */
  readonly skipped?: readonly { readonly digest: string; readonly code: string; readonly message: string }[];
}

export interface ReferrersOptions extends ReadOptions {
  /** keep only descriptors with this artifactType (applied here when the registry did not) */
  readonly artifactType?: string;
}

/**
 * One repository's content, whatever holds it. `reference` is a tag or a digest. Every byte returned
 * has been checked against its digest and was read under a size cap.
 */
export interface ArtifactStore {
  /** for messages: `host/repository` or the layout path */
  readonly location: string;
  /** the descriptor of the manifest a tag or digest names (digest computed from the manifest bytes) */
  resolve(reference: string, opts?: ReadOptions): Promise<Descriptor>;
  fetchManifest(reference: string, opts?: ReadOptions): Promise<FetchedManifest>;
  /** a blob by its descriptor (size checked too) or bare digest */
  fetchBlob(blob: Descriptor | string, opts?: ReadOptions): Promise<Uint8Array>;
  listTags(opts?: { readonly signal?: AbortSignal }): Promise<string[]>;
  listReferrers(subject: string, opts?: ReferrersOptions): Promise<Referrers>;
  close(): Promise<void>;
}
