import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { REASON_CODES, REASONS } from '../../../src/verdict/reasons.js';
import { repoRoot } from '../../helpers/paths.js';

// docs/report-schema.md lists every reason code with its label, severity and next step, as the code defines them.
it('docs/report-schema.md lists every reason code as src/verdict/reasons.ts defines it', () => {
  const file = join(repoRoot(), 'docs', 'report-schema.md');
  const doc = readFileSync(file, 'utf8');
  const table = ['| code | label | severity | suggested next step |', '|---|---|---|---|', ...REASON_CODES.map((c) => `| \`${c}\` | ${REASONS[c].label} | ${REASONS[c].severity} | ${REASONS[c].next} |`)].join('\n');
  const updated = doc.replace(/<!-- reasons:begin -->[\s\S]*<!-- reasons:end -->/, `<!-- reasons:begin -->\n${table}\n<!-- reasons:end -->`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, updated);
  assert.equal(readFileSync(file, 'utf8'), updated, 'docs/report-schema.md is stale: run UPDATE_GOLDEN=1 npm test');
});
