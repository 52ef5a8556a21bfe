/** registry/: where artifact bytes come from, checked against their digests. Nothing here knows what a signature means. */
export { type ArtifactRef, type InvalidReference, type LayoutArtifactRef, type RefSelector, type RegistryArtifactRef, type RegistryRepository, formatArtifactRef, isValidTag, parseArtifactRef, parseRepositoryUrl } from './reference.js';
export { type ArtifactStore, type FetchedManifest, type ReadOptions, type Referrers, type ReferrersOptions, type ReferrersVia, DEFAULT_MAX_BLOB_BYTES, DEFAULT_MAX_MANIFEST_BYTES } from './store.js';
export { type Descriptor, type ImageIndex, type ImageManifest, type Manifest, parseManifest } from './manifest.js';
export { MediaType } from './mediatypes.js';
export { type DigestAlgorithm, digestOf, isDigest, tryParseDigest } from './digest.js';
export { type RegistryError, type RegistryErrorCode, isRegistryError } from './errors.js';
export { cosignSignatureTag, fetchCosignSignatureManifest, fetchManifestIfPresent, referrersTag } from './tags.js';
export { type ResolvedRef, type ResolveOptions, resolveRef, selectSemverTag } from './resolve.js';
export { type Credential, ANONYMOUS, describeCredential, entryToCredential, lookupAuthEntry, parseDockerConfigAuths } from './credentials.js';
export { type DockerConfigOptions, dockerConfigCredential, runCredentialHelper } from './docker-config.js';
export { type CredentialSource, type HttpStoreOptions, openRegistry } from './http-store.js';
export { type RegistryOpener, type RegistryPoolOptions, credentialKey, RegistryPool } from './pool.js';
export { type RetryPolicy, type TlsMaterial, type TransportOptions } from './transport.js';
export { openLayout, openMemoryLayout } from './layout.js';
export { credentialFromDockerConfigJson } from './secret.js';
