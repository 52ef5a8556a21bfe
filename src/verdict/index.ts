export { reasonForCode, reasonForTrustProblem } from './codes.js';
export { appliedRevisionOf, sameAsSource } from './consumer.js';
export { findingFor } from './finding.js';
export { readFlux, revisionInMessage } from './flux.js';
export type { FluxReading } from './flux.js';
export { isReasonCode, REASON_CODES, REASONS, reasonInfo } from './reasons.js';
export type { ReasonCode, ReasonInfo, Severity } from './reasons.js';
export { summarise } from './summary.js';
export type * from './types.js';
