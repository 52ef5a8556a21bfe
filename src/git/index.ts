export { GitClient, type GitClientOptions } from './client.js';
export { type GitRemoteCode, type GitRemoteError, gitRemoteError, isGitRemoteError } from './errors.js';
export { DEFAULT_BRANCH } from './refs.js';
export type { GitAccess, GitRefSpec, RawGitObject, RemoteRef, ResolvedGitRef } from './types.js';
export { parseGitUrl, type GitUrl } from './url.js';
