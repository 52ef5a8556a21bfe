import assert from 'node:assert/strict';
import { buildGraph } from '../../../src/graph/index.js';
import type { GraphNode } from '../../../src/graph/index.js';
import type { FluxObject } from '../../../src/kube/types.js';

/** The node `id` of the graph the objects make. */
export function nodeIn(objects: readonly FluxObject[], id: string): GraphNode {
  const n = buildGraph(objects).nodes.find((x) => x.id === id);
  assert.ok(n, `no node ${id}`);
  return n;
}
