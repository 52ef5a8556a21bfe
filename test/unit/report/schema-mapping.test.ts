import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { assemble, type PlanReportInput } from '../../../src/audit/report.js';
import type { Graph, GraphNode, VerifyPlan } from '../../../src/graph/types.js';
import { printYaml } from '../../../src/report/print/yaml.js';
import type { SignatureEvidence } from '../../../src/verify/evidence.js';

/**
 * audit/report.ts maps the internal types onto the published schema field by field: what the schema
 * does not name stays out, key order and shared values are those of the internal values (so that
 * moving to the mapping changed no byte of `-o json` or `-o yaml`).
 */

const DIGEST = `sha256:${'a'.repeat(64)}`;

// an internal field the schema does not name, and keys in an order verify/ also uses (signer last)
const signature = {
  mechanism: 'cosign-legacy',
  foundAt: { via: 'sig-tag', tag: 'sha256-aaaa.sig', digest: DIGEST },
  verified: false,
  attempts: [{ trust: { kind: 'key', label: '--key k.pub', source: 'flag' }, ok: false, checks: [{ check: 'signature', ok: false, code: 'cosign.signature-mismatch', message: 'no' }] }],
  signer: { kind: 'key', keyAlgorithm: 'ECDSA-P256' },
  internalOnly: 'must not be published',
} as SignatureEvidence;

// the report reads a plan's id and artifact only
const plan: Pick<VerifyPlan, 'id' | 'artifact' | 'nodeIds'> = {
  id: 'p1',
  artifact: { url: 'oci://registry.example/app', ref: { kind: 'tag', tag: 'v1' }, running: { revision: `v1@${DIGEST}`, tag: 'v1', digest: DIGEST } },
  nodeIds: ['OCIRepository/apps/a', 'OCIRepository/apps/b'],
};
// a field a later internal change might add to the plan's artifact
const artifactWithExtra = { ...plan.artifact, parsed: { host: 'registry.example' } };

function node(name: string): GraphNode {
  return { type: 'dangling', kind: 'OCIRepository', namespace: 'apps', name, id: `OCIRepository/apps/${name}`, ref: { kind: 'OCIRepository', namespace: 'apps', name }, sourceIds: [], consumerIds: [], notes: [], planId: 'p1' };
}

function report() {
  const graph: Graph = { nodes: [node('a'), node('b')], edges: [], roots: [], plans: [{ ...plan, artifact: artifactWithExtra }] as unknown as readonly VerifyPlan[], gitPlans: [] };
  const byPlan = new Map<string, PlanReportInput>([['p1', { outcome: { trustFrom: 'flag', registryDigest: DIGEST, registryTag: 'v1' }, running: { signatures: [signature] } }]]);
  return assemble(graph, byPlan, [], { description: { files: ['fleet.yaml'] } }, { scope: {}, now: new Date('2026-11-22T00:42:00Z'), version: '0.0.0', override: { labels: ['--key k.pub'] } });
}

describe('the mapping onto the published schema', () => {
  it('publishes only the fields the schema names', () => {
    const r = report();
    const json = JSON.stringify(r);
    assert.ok(!json.includes('internalOnly') && !json.includes('parsed'), json);
    assert.deepEqual(Object.keys(r.nodes[0]?.artifact ?? {}), ['url', 'ref', 'running', 'registryDigest', 'registryTag']);
  });

  it('keeps the key order of the internal values', () => {
    const s = report().nodes[0]?.signatures[0];
    assert.deepEqual(Object.keys(s ?? {}), ['mechanism', 'foundAt', 'verified', 'attempts', 'signer']);
    assert.deepEqual(Object.keys(s?.foundAt ?? {}), ['via', 'tag', 'digest']);
  });

  it('keeps values shared where the internal ones are, as -o yaml writes them (anchors)', () => {
    const r = report();
    assert.equal(r.nodes[0]?.signatures, r.nodes[1]?.signatures);
    assert.equal(r.nodes[0]?.artifact?.ref, r.nodes[1]?.artifact?.ref);
    assert.equal(printYaml(r), stringify(r, { lineWidth: 0 }));
    assert.match(printYaml(r), /signatures: \*a\d/);
  });
});
