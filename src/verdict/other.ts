import type { GraphNode } from '../graph/types.js';
import { toFinding } from './assemble.js';
import type { Judgement } from './assemble.js';
import { describeCondition, readFlux } from './flux.js';
import type { ReasonCode } from './reasons.js';
import type { Finding, FluxView } from './types.js';

/**
 * Nodes with nothing for us to verify: missing objects, HelmRepositories (their charts carry the
 * verdict), Git/Bucket/ExternalArtifact and charts from them or from HTTP repositories. They show
 * what Flux reports, so that the tree is complete.
 */
export function otherFinding(node: GraphNode): Finding {
  const obj = node.type === 'object' ? node.object : undefined;
  const flux = readFlux(obj);
  const view: FluxView = { ...(flux.ready ? { ready: flux.ready } : {}), ...(flux.sourceVerified ? { sourceVerified: flux.sourceVerified } : {}), agrees: undefined, stale: false };
  const extra: ReasonCode[] = obj?.suspend ? ['suspended'] : [];
  const note = (code: string): string | undefined => node.notes.find((n) => n.code === code)?.message;
  const fluxSays = flux.ready ? `Flux says ${describeCondition('Ready', flux.ready)}` : '';

  let j: Judgement;
  const missing = note('graph.source-missing');
  if (node.type === 'dangling') {
    j = { state: 'error', primary: 'dangling-ref', message: note('graph.dangling-ref') ?? `${node.kind} ${node.namespace}/${node.name} is missing` };
  } else if (missing !== undefined) {
    j = { state: 'error', primary: 'dangling-ref', message: missing };
  } else if (obj?.kind === 'HelmRepository') {
    j = {
      state: 'unsupported',
      primary: 'not-applicable',
      message: obj.type === 'oci' ? 'an OCI HelmRepository stores no artifact: each chart from it is verified on its own' : 'an HTTP HelmRepository index is not signed; charts from it cannot be verified',
    };
  } else if (note('graph.verify-ignored') !== undefined) {
    // ChartRepository.VerifyChart returns an error for HTTP repositories: the build fails (docs/flux-rules.md §2)
    j = { state: 'failed', primary: 'flux-refuses', message: note('graph.verify-ignored') ?? '', next: 'remove spec.verify from the HelmChart (or the HelmRelease chart template), or move the chart to an OCI registry and sign it' };
  } else {
    const why = note('graph.unsupported-source') ?? `${node.kind} is not verified here`;
    j = { state: 'unsupported', primary: 'unsupported', message: why };
  }
  return toFinding(j, extra, [fluxSays], view);
}
