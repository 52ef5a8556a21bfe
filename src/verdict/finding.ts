import type { GraphNode } from '../graph/types.js';
import type { HelmRelease, Kustomization } from '../kube/types.js';
import { consumerFinding } from './consumer.js';
import { otherFinding } from './other.js';
import { sourceFinding } from './source.js';
import type { Finding, FindingContext, GitPlanOutcome, PlanOutcome } from './types.js';
import { gitFinding } from './git.js';

type ConsumerNode = GraphNode & { readonly type: 'object'; readonly object: Kustomization | HelmRelease };

function isConsumer(node: GraphNode): node is ConsumerNode {
  return node.type === 'object' && (node.object.kind === 'Kustomization' || node.object.kind === 'HelmRelease');
}

/**
 * One Finding per node. Sources with a plan are judged from their PlanOutcome; consumers from the
 * findings of their sources (ctx.sourceFindings, in sourceIds order) and, when they applied another
 * digest than their source runs, from the PlanOutcome of that digest; everything else from the graph.
 */
export function findingFor(node: GraphNode, outcome: PlanOutcome | undefined, ctx: FindingContext, git?: GitPlanOutcome): Finding {
  if (node.gitPlanId !== undefined && node.type === 'object' && node.object.kind === 'GitRepository') return gitFinding(node, git);
  if (isConsumer(node)) return consumerFinding(node, ctx, outcome, git);
  if (node.type !== 'dangling' && node.planId !== undefined) return sourceFinding(node, outcome, ctx);
  return otherFinding(node, ctx);
}
