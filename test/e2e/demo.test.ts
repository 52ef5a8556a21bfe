import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Report } from '../../src/report/model.js';
import { repoRoot } from '../helpers/paths.js';
import { runPlugin } from '../lab/plugin.js';

// The embedded demo as a user starts it: no cluster, no registry, no lab. docs/demo.md lists what
// it shows; the table there is generated from this run (UPDATE_GOLDEN=1 rewrites it).
function findingsTable(report: Report): string {
  const rows = report.nodes.map((n) => `| ${n.kind} | ${n.namespace}/${n.name} | ${n.finding.state} | ${n.finding.reasons.map((r) => `\`${r}\``).join(' ')} | ${n.finding.flux.sourceVerified?.status ?? n.finding.flux.ready?.status ?? '-'} | ${n.finding.flux.agrees === undefined ? '-' : String(n.finding.flux.agrees)} |`);
  return ['| kind | object | state | reasons | Flux | agrees |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

describe('kubectl verify --demo', () => {
  it('reproduces the findings docs/demo.md documents, offline, and exits 1 for them', async () => {
    // a proxy that does not exist: anything that tried the network would fail
    const r = await runPlugin(['--demo', '-o', 'json'], { ...process.env, HTTPS_PROXY: 'http://127.0.0.1:1', HTTP_PROXY: 'http://127.0.0.1:1', KUBECONFIG: '/nonexistent' });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.ok(report.source.demo, 'the report says it is a demo');
    assert.deepEqual(report.problems, []);
    const file = join(repoRoot(), 'docs', 'demo.md');
    const doc = readFileSync(file, 'utf8');
    const updated = doc.replace(/<!-- demo:begin -->[\s\S]*<!-- demo:end -->/, `<!-- demo:begin -->\n${findingsTable(report)}\n<!-- demo:end -->`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, updated);
    assert.equal(readFileSync(file, 'utf8'), updated, 'docs/demo.md is stale: run UPDATE_GOLDEN=1 on this test');
  });

  it('shows every state the plugin knows', async () => {
    const report = JSON.parse((await runPlugin(['--demo', '-o', 'json'])).stdout) as Report;
    const states = new Set(report.nodes.map((n) => n.finding.state));
    for (const s of ['verified', 'failed', 'error', 'weak', 'not-enforced']) assert.ok(states.has(s as never), `no ${s} node in the demo`);
    const reasons = new Set(report.nodes.flatMap((n) => n.finding.reasons));
    for (const r of ['wrong-key', 'no-signature', 'drift', 'flux-disagrees', 'trust-unreadable', 'behind', 'stale-verification', 'private-key']) assert.ok(reasons.has(r as never), `no ${r} finding in the demo`);
    const mechanisms = new Set(report.nodes.flatMap((n) => n.signatures.filter((s) => s.verified).map((s) => s.mechanism)));
    for (const m of ['cosign-bundle', 'cosign-legacy', 'notation-jws']) assert.ok(mechanisms.has(m as never), `no verified ${m} signature in the demo`);
    const keyless = report.nodes.find((n) => n.trust?.mode === 'cosign-keyless');
    assert.ok(keyless?.signatures.some((s) => s.verified && s.signer?.san === 'cody@soyland.com'), 'the keyless bundle verifies with its identity');
  });

  it('passes output flags on and names itself a demo, on stderr for printed output', async () => {
    const r = await runPlugin(['--demo', '-o', 'table', '--color=never', '-n', 'flux-system']);
    assert.equal(r.code, 0, `flux-system holds only verified objects: ${r.stdout}`);
    assert.match(r.stdout, /OCIRepository\s+podinfo\s+6\.5\.0@sha256:[0-9a-f]{8}\s+✔ verified/);
    assert.match(r.stderr, /^demo: a built-in fleet captured from Flux and the lab on \d{4}-\d{2}-\d{2}; nothing was read from a cluster or fetched from a registry$/m);
  });

  it('refuses combinations that make no sense, as usage errors', async () => {
    assert.equal((await runPlugin(['--demo', '-f', 'x.yaml'])).code, 2);
    assert.equal((await runPlugin(['--demo', '-w', '-o', 'table'])).code, 2);
  });
});
