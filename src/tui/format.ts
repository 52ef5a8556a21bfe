import type { ReportNode } from '../report/model.js';
import type { ReportGitRef, ReportRef } from '../report/schema.js';
import { resolvedText, runningResolved } from '../report/resolved.js';

/** Hex of 40 characters and more shortened to 8, as flux's TruncateHex; the detail view shows it whole. */
export function truncateHex(s: string): string {
  return s.replace(/\b([0-9a-f]{40,128})\b/g, (h) => h.slice(0, 8));
}

/** A GitRepository's ref after Flux's precedence, as the printed views spell it. */
export function gitRefText(ref: ReportGitRef): string {
  switch (ref.kind) {
    case 'branch': return `branch ${ref.branch}`;
    case 'tag': return `tag ${ref.tag}`;
    case 'semver': return `semver ${ref.constraint}`;
    case 'name': return `ref ${ref.name}`;
    case 'commit': return `commit ${ref.commit}${ref.branch ? ` on ${ref.branch}` : ''}`;
  }
}

export function refText(ref: ReportRef): string {
  if (ref.kind === 'digest') return `digest ${ref.digest}`;
  if (ref.kind === 'semver') return `semver ${ref.constraint}${ref.filter ? ` (filter ${ref.filter})` : ''}`;
  return `tag ${ref.tag}`;
}

/** The digest a node runs: what Flux stored, else what the registry resolved (HelmCharts). */
export function runningDigest(node: ReportNode): string | undefined {
  return node.finding.running?.digest ?? node.artifact?.running?.digest ?? (node.artifact?.chart ? node.artifact.registryDigest : undefined);
}

/** `host/repository@digest`, the form cosign and notation take. */
export function referenceOf(node: ReportNode): string | undefined {
  const a = node.artifact;
  if (!a) return undefined;
  // a chart's url already ends in the chart's name (graph/helm.ts chartUrl)
  const repo = a.url.replace(/^oci:\/\//, '');
  const digest = runningDigest(node) ?? a.registryDigest;
  if (digest) return `${repo}@${digest}`;
  const r = a.ref;
  return r.kind === 'tag' ? `${repo}:${r.tag}` : r.kind === 'digest' ? `${repo}@${r.digest}` : repo;
}

/** One line for the tree: where the artifact is and what it runs (`→ 6.5.2@sha256:dbdb1097`), hex shortened. */
export function artifactSummary(node: ReportNode): string {
  const a = node.artifact;
  const g = node.git;
  if (g) return truncateHex(`${g.url}  ${gitRefText(g.ref)}${g.running ? ` → ${g.running.revision}` : ''}`);
  // consumers: their message already names the revision they applied
  if (!a) return '';
  const what = a.chart ? `chart ${a.chart.name} ${a.chart.version}` : refText(a.ref);
  const run = runningResolved(node);
  const digest = run ? resolvedText(run) : runningDigest(node);
  return truncateHex(`${a.url}  ${what}${digest ? ` → ${digest}` : ''}`);
}
