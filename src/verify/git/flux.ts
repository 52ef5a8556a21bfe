import type { GitKeyring } from './keys.js';
import { signedParts } from './object.js';
import type { RawGitObject } from './object.js';
import type { GitFluxRules } from './rules.js';
import { verifyGitObject } from './verify.js';
import type { GitObjectResult } from './verify.js';

/** source-controller's GitVerificationMode (api/v1 gitrepository_types.go). */
export type GitVerifyMode = 'HEAD' | 'Tag' | 'TagAndHEAD';

export type GitFluxReason = 'Succeeded' | 'InvalidVerificationMode' | 'InvalidGitObject' | 'InvalidTagSignature' | 'InvalidCommitSignature';

export interface GitFluxStep {
  readonly target: 'tag' | 'commit';
  readonly result: GitObjectResult;
}

export interface GitFluxResult {
  /** every object the mode asks for that exists, in Flux's order; the commit is checked for our
   *  verdict even when Flux stops at a failing tag */
  readonly steps: readonly GitFluxStep[];
  /** SourceVerified as source-controller sets it */
  readonly status: 'True' | 'False';
  readonly reason: GitFluxReason;
  /** SourceVerified's message, the multi-line form of source-controller ≥ 1.1.0 */
  readonly message: string;
  /** ours: every object the mode asks for is there and verified */
  readonly verified: boolean;
}

export interface GitFluxInput {
  readonly mode: GitVerifyMode;
  /** the checked-out commit (for a tag ref: the commit the tag peels to) */
  readonly commit: RawGitObject;
  /** the tag the ref names; `object` absent for a lightweight tag */
  readonly tag?: { readonly name: string; readonly object?: RawGitObject };
  readonly refIsTag: boolean;
  readonly keys: GitKeyring;
  readonly now: Date;
  readonly secretLabel: string;
  readonly rules: GitFluxRules;
}

/** pkg/git Tag.String(): `name@hex` for an annotated tag, the bare name for a lightweight one. */
export function tagString(tag: { readonly name: string; readonly object?: RawGitObject }): string {
  return tag.object ? `${tag.name}@${tag.object.id}` : tag.name;
}

function lightweight(name: string, secretLabel: string): GitObjectResult {
  return {
    evidence: {
      mechanism: 'git-openpgp',
      foundAt: { via: 'git-tag', tag: name },
      verified: false,
      attempts: [
        {
          trust: { kind: 'key', label: secretLabel, source: 'object' },
          ok: false,
          checks: [{ check: 'signature', ok: false, code: 'git.tag-not-annotated', message: `tag '${name}' is lightweight: there is no tag object to sign` }],
        },
      ],
    },
    verified: false,
    fluxOk: false,
    fluxError: `cannot verify signature of tag '${name}' since it is not signed`,
  };
}

/** source-controller GitRepositoryReconciler.verifySignature (v1.1 … v1.9), from the objects on. */
export async function verifyLikeFlux(input: GitFluxInput): Promise<GitFluxResult> {
  const { mode, commit, tag, keys, now, secretLabel, rules } = input;
  const steps: GitFluxStep[] = [];
  const verifyTag = mode === 'Tag' || mode === 'TagAndHEAD';
  const verifyHead = mode === 'HEAD' || mode === 'TagAndHEAD';
  const lines: string[] = [];
  let fail: { reason: GitFluxReason; message: string } | undefined;
  let tagProblem = false;

  if (verifyTag) {
    if (!input.refIsTag || !tag) {
      return {
        steps,
        status: 'False',
        reason: 'InvalidVerificationMode',
        message: "cannot verify tag object's signature if a tag reference is not specified",
        verified: false,
      };
    }
    const name = tagString(tag);
    if (!tag.object) {
      steps.push({ target: 'tag', result: lightweight(tag.name, secretLabel) });
      fail = { reason: 'InvalidGitObject', message: `cannot verify signature of tag '${name}' since it is not signed` };
      tagProblem = true;
    } else {
      const r = await verifyGitObject(tag.object, keys, { now, secretLabel, rules, tagName: tag.name });
      steps.push({ target: 'tag', result: r });
      if (signedParts(tag.object).signature === '') {
        fail = { reason: 'InvalidGitObject', message: `cannot verify signature of tag '${name}' since it is not signed` };
      } else if (!r.fluxOk) {
        fail = { reason: 'InvalidTagSignature', message: `signature verification of tag '${name}' failed: ${r.fluxError ?? ''}` };
      } else {
        lines.push(`\t- tag '${name}' with key '${r.fluxKeyId ?? ''}'`);
      }
    }
  }

  if (verifyHead && !tagProblem) {
    const r = await verifyGitObject(commit, keys, { now, secretLabel, rules });
    steps.push({ target: 'commit', result: r });
    if (!fail) {
      if (!r.fluxOk) fail = { reason: 'InvalidCommitSignature', message: `signature verification of commit '${commit.id}' failed: ${r.fluxError ?? ''}` };
      else lines.push(`\t- commit '${commit.id}' with key '${r.fluxKeyId ?? ''}'`);
    }
  }

  const verified = !tagProblem && steps.length > 0 && steps.every((s) => s.result.verified);
  if (fail) return { steps, status: 'False', reason: fail.reason, message: fail.message, verified };
  return { steps, status: 'True', reason: 'Succeeded', message: ['verified signature of', ...lines].join('\n'), verified };
}

export interface SourceVerifiedParts {
  readonly tag?: { readonly name: string; readonly object: string; readonly key: string };
  /** `key` absent only for source-controller < 1.0, whose message named no key */
  readonly commit?: { readonly id: string; readonly key?: string };
}

/**
 * Reads a True SourceVerified message back: the multi-line form (≥ 1.1.0), the one-line
 * `verified signature of commit '<hex>' with key '<id>'` (1.0.x) and the keyless older line.
 */
export function parseSourceVerifiedMessage(msg: string): SourceVerifiedParts {
  const one = /^verified signature of commit '([0-9a-f]{40})'(?: with key '([^']*)')?\s*$/.exec(msg);
  if (one?.[1]) return { commit: { id: one[1], ...(one[2] !== undefined ? { key: one[2] } : {}) } };
  const lines = msg.split('\n');
  if (lines[0]?.trim() !== 'verified signature of') return {};
  let tag: SourceVerifiedParts['tag'];
  let commit: SourceVerifiedParts['commit'];
  for (const line of lines.slice(1)) {
    const t = /^\s*- tag '(.+)@([0-9a-f]{40})' with key '([^']*)'\s*$/.exec(line);
    if (t?.[1] && t[2] && t[3] !== undefined) tag = { name: t[1], object: t[2], key: t[3] };
    const c = /^\s*- commit '([0-9a-f]{40})' with key '([^']*)'\s*$/.exec(line);
    if (c?.[1] && c[2] !== undefined) commit = { id: c[1], key: c[2] };
  }
  return { ...(tag ? { tag } : {}), ...(commit ? { commit } : {}) };
}
