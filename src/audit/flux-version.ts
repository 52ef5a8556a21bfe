import type { RegistryAccess } from '../graph/types.js';
import type { ObjectSource } from '../kube/types.js';
import type * as S from '../report/schema.js';
import { evaluateVersionRules, versionFacts } from '../verdict/flux-versions.js';
import type { Finding } from '../verdict/types.js';

/**
 * The Flux version an audit reads the version rules at (the running source-controller, or
 * --flux-version's), and each node's notes under it. docs/flux-rules.md "Version rules".
 */

/** --flux-version, parsed by cli/: the source-controller version and how the user spelled it. */
export interface FluxTarget {
  readonly version: string;
  /** e.g. `--flux-version flux2@2.8.0: flux2 v2.8.0 ships source-controller v1.8.0` */
  readonly detail: string;
}

/** The report's `flux`: the running version, or the target with the running one beside it. */
export async function fluxFor(source: ObjectSource, target: FluxTarget | undefined, signal?: AbortSignal): Promise<S.ReportFlux | undefined> {
  const running = source.fluxVersion ? await source.fluxVersion(signal) : undefined;
  if (target) return { version: target.version, from: 'flag', detail: target.detail, ...(running?.version !== undefined ? { running: running.version } : {}) };
  if (!running) return undefined;
  return { ...(running.version !== undefined ? { version: running.version } : {}), from: running.from, detail: running.detail };
}

/**
 * The finding with its version notes and the secondary reason `flux-version`, from what the report node
 * already shows; the finding itself when no rule applies (or the version is unknown).
 */
export function withVersionNotes(finding: Finding, node: Omit<S.ReportNode, 'finding'>, access: RegistryAccess | undefined, flux: S.ReportFlux | undefined): Finding {
  if (flux?.version === undefined) return finding;
  const notes = evaluateVersionRules(versionFacts(node, access), flux.version);
  if (notes.length === 0) return finding;
  return { ...finding, reasons: finding.reasons.includes('flux-version') ? finding.reasons : [...finding.reasons, 'flux-version'], versionNotes: notes };
}
