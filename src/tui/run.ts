import type { Report } from '../report/model.js';

/**
 * What the interactive view needs of a running audit (audit/'s AuditRun has this shape): the view
 * renders reports and knows nothing of how they are made, so it does not import the conductor.
 */
export interface LiveAudit {
  /** number of plans (artifact verifications) in all */
  readonly total: number;
  completed(): number;
  /** the report as of now: nodes whose plan has not finished are `pending` */
  snapshot(): Report;
  /** the final report, once every plan has finished */
  readonly done: Promise<Report>;
  /** the object behind a node id as it was read (for the YAML view); undefined for dangling and generated nodes */
  rawObject(id: string): unknown;
}
