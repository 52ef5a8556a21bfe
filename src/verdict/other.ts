import type { GraphNode } from '../graph/types.js';
import type { FluxObject } from '../kube/types.js';
import { toFinding } from './assemble.js';
import type { Judgement } from './assemble.js';
import { describeCondition, readFlux } from './flux.js';
import type { ReasonCode } from './reasons.js';
import type { Finding, FindingContext, FluxView } from './types.js';

/**
 * Nodes with nothing for us to verify: missing objects, OCI HelmRepositories (their charts carry the
 * verdict), Git and charts from it; and the sources no Flux release can verify (`unverifiable`):
 * Buckets, HTTP HelmRepositories and their charts, charts from a Bucket, ExternalArtifacts and the
 * ArtifactGenerators that write them (source-controller v1.9: Bucket and HelmRepository have no
 * spec.verify, ChartRepository.VerifyChart is not implemented for HTTP charts, ExternalArtifact has no
 * reconciler; source-watcher reads only its inputs' artifacts, never their SourceVerified). They show
 * what Flux reports, so that the tree is complete.
 */
export function otherFinding(node: GraphNode, ctx?: FindingContext): Finding {
  const obj = node.type === 'object' ? node.object : undefined;
  const flux = readFlux(obj);
  const view: FluxView = { ...(flux.ready ? { ready: flux.ready } : {}), ...(flux.sourceVerified ? { sourceVerified: flux.sourceVerified } : {}), agrees: undefined, stale: false };
  const extra: ReasonCode[] = obj?.suspend ? ['suspended'] : [];
  const note = (code: string): string | undefined => node.notes.find((n) => n.code === code)?.message;
  const fluxSays = flux.ready ? `Flux says ${describeCondition('Ready', flux.ready)}` : '';

  let j: Judgement;
  const missing = note('graph.source-missing');
  const unverifiable = note('graph.unverifiable-source');
  if (node.type === 'dangling') {
    j = { state: 'error', primary: 'dangling-ref', message: note('graph.dangling-ref') ?? `${node.kind} ${node.namespace}/${node.name} is missing` };
  } else if (obj !== undefined && (obj.kind === 'ExternalArtifact' || obj.kind === 'ArtifactGenerator') && unverifiable !== undefined) {
    // unverifiable whatever their inputs are; a missing input or generator is said, not turned into an error
    j = generated(node, obj, unverifiable, missing !== undefined, ctx);
    if (missing !== undefined) extra.push('dangling-ref');
  } else if (missing !== undefined) {
    j = { state: 'error', primary: 'dangling-ref', message: missing };
  } else if (obj?.kind === 'HelmRepository') {
    j = obj.type === 'oci'
      ? { state: 'unsupported', primary: 'not-applicable', message: 'an OCI HelmRepository stores no artifact: each chart from it is verified on its own' }
      : { state: 'unverifiable', primary: 'unverifiable', message: 'HTTP HelmRepository: no Flux release verifies its index or the charts from it (a HelmRepository of type default has no spec.verify)', next: NEXT.httpRepository };
  } else if (note('graph.verify-ignored') !== undefined) {
    // ChartRepository.VerifyChart returns an error for HTTP repositories: the build fails (docs/flux-rules.md §2)
    j = { state: 'failed', primary: 'flux-refuses', message: note('graph.verify-ignored') ?? '', next: 'remove spec.verify from the HelmChart (or the HelmRelease chart template), or move the chart to an OCI registry and sign it' };
  } else if (note('graph.git-source') !== undefined && ctx?.sourceFindings?.[0] !== undefined) {
    const s = ctx.sourceFindings[0];
    // the chart is the GitRepository's content, so it is exactly as verified as the commit Flux runs there
    j = { state: s.state, primary: s.reasons[0] ?? 'pending', message: `${note('graph.git-source') ?? ''}: ${s.message}`, next: s.next };
  } else if (unverifiable !== undefined) {
    j = { state: 'unverifiable', primary: 'unverifiable', message: unverifiable, next: node.kind === 'Bucket' ? NEXT.bucket : NEXT.chart };
  } else {
    const why = note('graph.unsupported-source') ?? `${node.kind} is not verified here`;
    j = { state: 'unsupported', primary: 'unsupported', message: why };
  }
  return toFinding(j, extra, [fluxSays], view);
}

/** What the operator could do instead, per kind: move to a signed OCI artifact, or verify where the content is made. */
const NEXT = {
  bucket: 'publish the content as a signed OCI artifact (flux push artifact, then cosign or notation sign) and point the consumer at an OCIRepository with spec.verify; or verify it upstream, in the pipeline that uploads to the bucket',
  chart: 'push the chart to an OCI registry and sign it, then use an OCI HelmRepository with spec.verify on the HelmChart (or a HelmRelease chartRef to an OCIRepository with spec.verify); or verify it upstream, where the chart is packaged',
  httpRepository: 'move the charts to an OCI registry and sign them (OCI HelmRepository with spec.verify on each HelmChart, or HelmRelease chartRef to an OCIRepository with spec.verify)',
  generatedFrom: (inputs: string): string => `verify each input of the generator at its source (${inputs}: OCIRepository or GitRepository with spec.verify); the generated artifact proves only what its inputs proved`,
  otherProducer: (producer: string): string => `verify the content where ${producer} reads it, or publish it as a signed OCI artifact and consume an OCIRepository with spec.verify instead`,
};

/**
 * ArtifactGenerator and ExternalArtifact: never verified by Flux (source-watcher reads only its inputs'
 * artifacts, never their SourceVerified; nothing verifies the ExternalArtifact it writes), so
 * unverifiable even when every input is verified; the message says what they are made from.
 */
function generated(node: GraphNode, obj: FluxObject, why: string, missing: boolean, ctx: FindingContext | undefined): Judgement {
  const found = ctx?.sourceFindings ?? [];
  if (obj.kind === 'ArtifactGenerator') {
    const ids = node.sourceIds;
    // findings come in sourceIds order; a cycle back to this node leaves one out, then states are not paired
    const states = found.length === ids.length ? found.map((f) => f.state) : undefined;
    const message = `${inputsText(ids, states)}, not itself verified: source-watcher copies its inputs' artifacts without checking their verification`;
    return { state: 'unverifiable', primary: 'unverifiable', message, next: NEXT.generatedFrom(ids.join(', ') || 'none listed') };
  }
  const generator = node.sourceIds[0];
  const g = found[0];
  if (generator !== undefined && g !== undefined && !missing) {
    // the generator's own Flux condition stays on the generator's row; this row says its own
    const own = g.flux.ready ? `; Flux says ${describeCondition('Ready', g.flux.ready)}` : '';
    const text = own !== '' && g.message.endsWith(own) ? g.message.slice(0, -own.length) : g.message;
    return { state: 'unverifiable', primary: 'unverifiable', message: `ExternalArtifact generated by ${generator}, ${text}`, next: g.next };
  }
  if (generator !== undefined) {
    return { state: 'unverifiable', primary: 'unverifiable', message: `${why}; its generator is not in the input, so its inputs are unknown`, next: NEXT.generatedFrom(generator) };
  }
  const producer = obj.kind === 'ExternalArtifact' && obj.sourceRef !== undefined ? `${obj.sourceRef.kind} ${obj.sourceRef.namespace}/${obj.sourceRef.name}` : 'its producer';
  return { state: 'unverifiable', primary: 'unverifiable', message: why, next: NEXT.otherProducer(producer) };
}

/** `derived from 2 inputs: OCIRepository/ns/a (verified), Bucket/ns/b (unverifiable)`, or `… 2 verified inputs: …`. */
function inputsText(ids: readonly string[], states: readonly string[] | undefined): string {
  if (ids.length === 0) return 'derived from no inputs (spec.sources is empty)';
  const n = `${ids.length} input${ids.length === 1 ? '' : 's'}`;
  if (states === undefined) return `derived from ${n}: ${ids.join(', ')}`;
  if (states.every((s) => s === 'verified')) return `derived from ${ids.length} verified input${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}`;
  return `derived from ${n}: ${ids.map((id, i) => `${id} (${states[i] ?? 'unknown'})`).join(', ')}`;
}
