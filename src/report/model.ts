/**
 * The one serialisable document every view renders and `-o json|yaml` prints as is. Its types are
 * src/report/schema.ts (the published schema, importing nothing); this module keeps the names the
 * views import.
 */
export { REPORT_SCHEMA_VERSION } from './schema.js';
export type { Report, ReportArtifact, ReportNode } from './schema.js';
