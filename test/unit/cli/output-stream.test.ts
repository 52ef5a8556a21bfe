import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { cli } from '../../helpers/cli.js';

/**
 * `-o json` and `-o yaml` are written to stdout in chunks as the report is serialised: what arrives
 * must be one whole document, laid out exactly as the whole-report writers lay it out. The fleet has
 * no OCI artifact (Git sources and their Kustomizations), so nothing is fetched, and is large enough
 * that the output goes out in several writes.
 */
describe('printed JSON and YAML arrive whole from the streaming writer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-stream-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const n = 300;
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    const ns = `team-${i % 7}`;
    docs.push(`apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: repo-${i}, namespace: ${ns}}\nspec: {interval: 10m, url: "https://git.example/${i}.git", ref: {branch: main}}`);
    docs.push(`apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: app-${i}, namespace: ${ns}}\nspec: {interval: 10m, prune: true, sourceRef: {kind: GitRepository, name: repo-${i}}}`);
  }
  const file = join(dir, 'fleet.yaml');
  writeFileSync(file, `${docs.join('\n---\n')}\n`);

  it('-o json is JSON.stringify(report, null, 2) and a newline, every node there', async () => {
    const r = await cli('-f', file, '-o', 'json');
    const report = JSON.parse(r.out) as { nodes: unknown[] };
    assert.equal(report.nodes.length, 2 * n);
    assert.ok(r.out.length > 128 * 1024, `only ${r.out.length} bytes: too small to need more than one write`);
    assert.equal(r.out, `${JSON.stringify(report, null, 2)}\n`);
  });

  it('-o yaml reads back as the same report as -o json', async () => {
    const [json, yaml] = [await cli('-f', file, '-o', 'json'), await cli('-f', file, '-o', 'yaml')];
    const fromJson = JSON.parse(json.out) as Record<string, unknown>;
    const fromYaml = parse(yaml.out) as Record<string, unknown>;
    assert.equal(yaml.code, json.code);
    assert.deepEqual({ ...fromYaml, generatedAt: '' }, { ...fromJson, generatedAt: '' });
  });
});
