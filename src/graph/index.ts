export { buildGraph, generatedChartRef } from './build.js';
export { chartRef, chartUrl, HELM_CHART_LAYER } from './helm.js';
export { compareNodes, nodeId, refId } from './ids.js';
export { describeArtifact, ociRef } from './plan.js';
export { asDigest, parseRevision, shortDigest } from './revision.js';
export type * from './types.js';
