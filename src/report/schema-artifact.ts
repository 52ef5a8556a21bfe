import type { ReportSignature } from './schema.js';

/**
 * The published result of `kubectl verify artifact` (`-o json` prints it, the text form renders it):
 * plain types, as schema.ts for the audit's report. audit/artifact.ts's ArtifactVerification must stay
 * assignable to it, so an internal rename fails to compile where the command hands its result here.
 */
export interface ArtifactResult {
  readonly reference: string;
  readonly resolved?: { readonly tag?: string; readonly digest: string; readonly mediaType: string; readonly size: number };
  /** how signatures were looked for, and what went wrong looking */
  readonly discovery: {
    readonly referrers?: 'referrers-api' | 'referrers-tag' | 'layout';
    /** cosign's legacy tag, when it was read */
    readonly sigTag?: string;
    /** cosign's legacy tag, when it was not read because bundles were found (cosign's order) */
    readonly sigTagNotRead?: string;
    readonly problems: readonly { readonly code: string; readonly message: string }[];
    /** referrers of unknown type that could not be read; they decide nothing */
    readonly ignored?: readonly { readonly digest: string; readonly code: string; readonly message: string }[];
  };
  readonly signatures: readonly ReportSignature[];
  /** notation's policy statement and level, when notation trust was used */
  readonly notation?: { readonly statement?: string; readonly level?: string; readonly outcome: 'verified' | 'failed' | 'ignored' };
  readonly state: 'verified' | 'failed' | 'error';
  readonly code: string;
  readonly message: string;
}
