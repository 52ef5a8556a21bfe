import type { Finding, ReportGit, ReportSignature } from './schema.js';

/**
 * The published result of `kubectl verify git` (`-o json` prints it, the text form renders it): one
 * GitRepository made from the flags, verified as an audit verifies one, and the SourceVerified
 * condition source-controller would write for it.
 */
export interface GitResult {
  readonly git: ReportGit;
  /** where the keys came from: the files given with --keys, by the names a Secret would give them */
  readonly keys: readonly string[];
  /** what source-controller would write, by its rules (docs/flux-rules.md §10) */
  readonly fluxWouldWrite?: { readonly status: 'True' | 'False'; readonly reason: string; readonly message: string };
  /** the tag's signature first (Tag, TagAndHEAD), then the commit's */
  readonly signatures: readonly ReportSignature[];
  readonly finding: Pick<Finding, 'state' | 'reasons' | 'message' | 'next'>;
}
