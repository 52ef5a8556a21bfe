// `behind` with --fail-on: a consumer running verified content one revision behind its source.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultFailOn, exitCodeFor, failOnClasses } from '../../../src/report/exit.js';
import type { ReportNode } from '../../../src/report/model.js';
import { toFinding } from '../../../src/verdict/assemble.js';
import type { FindingState } from '../../../src/verdict/types.js';
import type { ReasonCode } from '../../../src/verdict/reasons.js';
import { report } from './fixtures.js';

function consumer(state: FindingState, primary: ReasonCode, extra: readonly ReasonCode[]): ReportNode {
  return {
    id: 'Kustomization/apps/app',
    kind: 'Kustomization',
    namespace: 'apps',
    name: 'app',
    type: 'object',
    sourceIds: [],
    consumerIds: [],
    notes: [],
    signatures: [],
    finding: toFinding({ state, primary, message: 'applied x' }, extra, [], { agrees: undefined, stale: false }, { appliedRevision: 'x', appliedIsVerified: state === 'verified' }),
  };
}

describe('--fail-on behind', () => {
  it('is opt-in: verified content behind its source does not fail by default', () => {
    const r = report([consumer('verified', 'behind', ['suspended'])]);
    assert.ok(failOnClasses.includes('behind'));
    assert.ok(!defaultFailOn.includes('behind'));
    assert.equal(exitCodeFor(r), 0);
    assert.equal(exitCodeFor(r, ['behind']), 1);
    assert.equal(exitCodeFor(r, failOnClasses.filter((c) => c !== 'behind')), 0);
  });

  it('applied content that does not verify fails by default, behind or not', () => {
    const r = report([consumer('failed', 'no-signature', ['applied-unverified', 'suspended'])]);
    assert.equal(exitCodeFor(r), 1);
    assert.equal(exitCodeFor(r, ['behind']), 0);
  });

  it('a weak applied revision behind its source fails as weak', () => {
    const r = report([consumer('weak', 'weak', ['behind'])]);
    assert.equal(exitCodeFor(r), 1);
    assert.equal(exitCodeFor(r, ['behind']), 1);
  });
});
