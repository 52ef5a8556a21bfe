/** Media types registry/ has to tell apart; what the artifacts inside mean is verify/'s business. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** the short-lived OCI artifact manifest (image-spec 1.1 release candidates), still found in the wild */
  ociArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.ociManifest,
  MediaType.ociIndex,
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
  MediaType.ociArtifactManifest,
];

export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.ociIndex, MediaType.dockerManifestList];

// distribution 2.8 answers 404 for an OCI manifest unless the request lists the OCI type.
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/** `application/x; charset=utf-8` → `application/x`; parameters never decide what a body is. */
export function baseMediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const base = contentType.split(';')[0]?.trim().toLowerCase();
  return base === '' ? undefined : base;
}
