import { formatSignature } from './artifact-text.js';
import type { Palette } from './color.js';
import type { ReportGitRef } from './schema.js';
import type { GitResult } from './schema-git.js';

/**
 * The text form of `kubectl verify git`: the verdict first, then the repository, what the ref resolved
 * to, the mode and where the keys came from, what Flux would write, and every signature with each key.
 */
export function formatGitText(r: GitResult, p: Palette): string {
  const f = r.finding;
  const head = f.state === 'verified' ? p.ok('✔ verified') : f.state === 'failed' ? p.bad('✘ not verified') : p.bad('✘ could not verify');
  const lines = [`${head}: ${f.message}${f.state === 'verified' ? '' : p.muted(` [${f.reasons[0] ?? ''}]`)}`];
  lines.push(`  repository  ${r.git.url}`);
  const resolved = r.git.remoteCommit ? ` → ${r.git.remoteTag ? `${r.git.remoteTag.name}${r.git.remoteTag.object ? p.muted(` (tag object ${r.git.remoteTag.object.slice(0, 12)})`) : p.muted(' (lightweight tag)')} → ` : ''}commit ${r.git.remoteCommit}` : '';
  lines.push(`  ref         ${refText(r.git.ref)}${resolved}`);
  if (r.git.remoteError) lines.push(`  ${p.bad('✘')} ${r.git.remoteError.message} ${p.muted(`[${r.git.remoteError.code}]`)}`);
  lines.push(`  mode        ${r.git.mode ?? 'none'} · keys ${r.keys.length > 0 ? r.keys.join(', ') : 'none'} ${p.muted('(from flags)')}`);
  if (r.fluxWouldWrite) {
    const w = r.fluxWouldWrite;
    lines.push(`  Flux        would write SourceVerified=${w.status} (${w.reason}): ${w.message.split('\n').map((l) => l.trim()).join(' ')}`);
  }
  r.signatures.forEach((s, i) => lines.push(...formatSignature(s, i + 1, p)));
  if (f.state !== 'verified') lines.push(`  next        ${f.next}`);
  return `${lines.join('\n')}\n`;
}

function refText(r: ReportGitRef): string {
  switch (r.kind) {
    case 'commit':
      return `commit ${r.commit}${r.branch ? ` on branch ${r.branch}` : ''}`;
    case 'name':
      return `ref ${r.name}`;
    case 'tag':
      return `tag ${r.tag}`;
    case 'semver':
      return `semver ${r.constraint}`;
    case 'branch':
      return `branch ${r.branch}`;
  }
}
