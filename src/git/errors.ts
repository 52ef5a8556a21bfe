import { VerifyError } from '../errors.js';

/**
 * Stable codes for everything git/ can fail with while reading a remote. Apart from the `git.*`
 * codes of signature evidence (src/verify/git/codes.ts): a remote that cannot be read says nothing
 * about a signature. verdict/ maps these to reasons, so renaming one is a breaking change.
 */
export type GitRemoteCode =
  /** spec.url is not a Git URL this client reads (http, https, ssh, scp-like `user@host:path`) */
  | 'git-remote.bad-url'
  | 'git-remote.unreachable'
  | 'git-remote.tls'
  | 'git-remote.timeout'
  /** 401/403, or SSH refused the identity; also an auth Secret that lacks what the URL needs */
  | 'git-remote.auth'
  /** the repository does not exist (404) */
  | 'git-remote.not-found'
  /** the branch, tag, name, semver range or commit is not on the remote */
  | 'git-remote.ref-not-found'
  | 'git-remote.server-error'
  /** the server spoke something other than Git's smart protocol */
  | 'git-remote.protocol'
  /** an object whose bytes do not hash to the id asked for: fail closed, as registry.digest-mismatch */
  | 'git-remote.object-mismatch'
  | 'git-remote.too-large'
  /** a way in this client does not take: a provider (github, azure), SSH without a `git` on PATH */
  | 'git-remote.unsupported';

export type GitRemoteError = VerifyError<GitRemoteCode>;

export function gitRemoteError(code: GitRemoteCode, message: string, cause?: unknown): GitRemoteError {
  return new VerifyError(code, message, cause === undefined ? undefined : { cause });
}

export function isGitRemoteError(e: unknown, code?: GitRemoteCode): e is GitRemoteError {
  if (!(e instanceof VerifyError)) return false;
  return code === undefined ? e.code.startsWith('git-remote.') : e.code === code;
}
