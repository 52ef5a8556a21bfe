import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import type { Report, ReportNode } from '../../../src/report/model.js';
import { jsonChunks } from '../../../src/report/print/json.js';
import { yamlChunks } from '../../../src/report/print/yaml.js';
import { empty, fleet, overridden, problemsOnly } from './fixtures.js';

/**
 * The streamed JSON and YAML writers against what they replace, byte for byte: JSON.stringify with an
 * indent of 2, and the yaml library's stringify of the whole report (anchors and aliases included).
 */
const wholeJson = (r: unknown): string => `${JSON.stringify(r, null, 2)}\n`;
const wholeYaml = (r: unknown): string => stringify(r, { lineWidth: 0 });
const streamedJson = (r: unknown): string => [...jsonChunks(r as Report)].join('');
const streamedYaml = (r: unknown): string => [...yamlChunks(r as Report)].join('');

/**
 * A report of `copies` × the fleet fixture's nodes. Some copies share sub-objects with others (as the
 * audit shares a plan's trust between nodes), so aliases point from one node to an anchor several
 * nodes back.
 */
function large(copies: number): Report {
  const base = fleet();
  const nodes: ReportNode[] = [];
  for (let c = 0; c < copies; c++) {
    for (const n of base.nodes) {
      const shared = c % 3 === 0;
      nodes.push({ ...n, id: `${n.id}#${c}`, name: `${n.name}-${c}`, ...(shared ? {} : { finding: structuredClone(n.finding), signatures: structuredClone(n.signatures) }) });
    }
  }
  return { ...base, nodes };
}

describe('streamed -o json and -o yaml are the bytes of the whole-report writers', () => {
  for (const [name, make] of Object.entries({ fleet, empty, 'problems-only': problemsOnly, override: overridden })) {
    it(`fixture ${name}`, () => {
      const r = make();
      assert.equal(streamedJson(r), wholeJson(r));
      assert.equal(streamedYaml(r), wholeYaml(r));
    });
  }

  it('a report of 3,000 nodes with objects shared across nodes', () => {
    const r = large(100);
    assert.ok(r.nodes.length >= 3000);
    const yaml = wholeYaml(r);
    // the case is only worth something if the yaml library does alias across nodes here
    assert.match(yaml, /\*a\d+/);
    assert.equal(streamedJson(r), wholeJson(r));
    assert.equal(streamedYaml(r), yaml);
  });

  it('JSON-shaped values with shared references, generated', () => {
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.string({ unit: 'grapheme' }).map((s) => `${s}\n${s}`));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(
      fc.property(fc.array(value, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), fc.dictionary(fc.constantFrom('summary', 'problems', 'scope'), value), (items, reuse, top) => {
        // some nodes are the same object as an earlier one, or hold one
        const pool: unknown[] = items.map((v) => ({ v }));
        const nodes = pool.map((n, i) => (reuse[i] !== undefined && i > 0 ? { twin: pool[(reuse[i] ?? 0) % i], own: n } : n));
        const r = { schemaVersion: 2, ...top, nodes };
        assert.equal(streamedJson(r), wholeJson(r));
        assert.equal(streamedYaml(r), wholeYaml(r));
      }),
      { numRuns: 300 },
    );
  });
});
