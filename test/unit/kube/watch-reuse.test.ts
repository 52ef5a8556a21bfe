import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { audit, type AuditOptions } from '../../../src/audit/audit.js';
import { PlanResults, planInputs, SECRETS_TTL_MS, watchAudits } from '../../../src/audit/watch.js';
import { normalize } from '../../../src/kube/normalize.js';
import { problemNews } from '../../../src/tui/feed.js';
import type { FluxObject, ObjectSource, SecretResult } from '../../../src/kube/types.js';

/**
 * -w re-verifies only the plans whose inputs changed: an audit with `reuse` takes every other plan's
 * result from the run before. Counted by the Secrets a run reads (each plan here names its own key
 * Secret, read only when the plan is verified) and by PlanResults.reused().
 */

type Ref = { tag: string } | { digest: string };

function oci(name: string, ref: Ref): FluxObject {
  const raw = {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name, namespace: 'apps', resourceVersion: '1' },
    spec: { interval: '10m', url: `oci://127.0.0.1:1/${name}`, ref, verify: { provider: 'cosign', secretRef: { name: `key-${name}` } } },
  };
  const r = normalize(raw, { origin: 'cluster' });
  if (!('object' in r)) throw new Error(`fixture ${name} does not normalise`);
  return r.object;
}

function fleet(objects: Map<string, FluxObject>, reads: string[]): ObjectSource {
  return {
    description: { cluster: 'test' },
    list: async () => ({ objects: [...objects.values()], problems: [] }),
    getSecret: async (namespace, name): Promise<SecretResult> => {
      reads.push(name);
      return { state: 'not-found', message: `Secret ${namespace}/${name} not found` };
    },
    getImagePullSecrets: async () => ({ names: [] }),
  };
}

const DIGEST = `sha256:${'d'.repeat(64)}`;

describe('-w: re-verify only what changed', () => {
  it('reuses plans with unchanged inputs, re-verifies a changed one, re-resolves every tag on the re-check', async () => {
    const objects = new Map([
      ['a', oci('a', { tag: '1.0.0' })],
      ['b', oci('b', { tag: '1.0.0' })],
      ['c', oci('c', { tag: '1.0.0' })],
      ['d', oci('d', { digest: DIGEST })],
    ]);
    const reads: string[] = [];
    const source = fleet(objects, reads);
    let clock = 0;
    const results = new PlanResults(() => clock);
    const base: AuditOptions = {
      scope: {},
      now: new Date('2026-01-01T00:00:00Z'),
      version: 'test',
      // nothing is reachable: each verified plan ends in a registry error after reading its Secret
      openStore: async () => {
        throw new Error('offline');
      },
    };
    const run = async (kind: 'full' | 'changed' | 'recheck') => {
      reads.length = 0;
      const report = await audit(source, { ...base, reuse: results.forRun(kind) });
      return { report, read: [...new Set(reads)].sort(), reused: results.reused() };
    };

    const first = await run('full');
    assert.deepEqual(first.read, ['key-a', 'key-b', 'key-c', 'key-d']);
    assert.equal(first.reused, 0);

    const same = await run('changed');
    assert.deepEqual(same.read, [], 'nothing changed: nothing verified again');
    assert.equal(same.reused, 4);
    const findings = (r: typeof first.report) => r.nodes.map((n) => `${n.id} ${n.finding.state} ${n.finding.message}`);
    assert.deepEqual(findings(same.report), findings(first.report), 'reused results give the same findings');

    objects.set('b', oci('b', { tag: '2.0.0' }));
    const changed = await run('changed');
    assert.deepEqual(changed.read, ['key-b'], 'only the changed plan is verified again');
    assert.equal(changed.reused, 3);

    clock += 60_000;
    const recheck = await run('recheck');
    // every tag plan is verified again; its Secrets come from the reads of the last ten minutes
    // (key-b was read by the change just before), so an idle -w does not read each Secret every minute
    assert.deepEqual(recheck.read, ['key-a', 'key-c'], 'the re-check resolves every tag again; the digest-pinned plan is kept');
    assert.equal(recheck.reused, 1);
    clock += 60_000;
    assert.deepEqual((await run('recheck')).read, [], 'a second re-check within ten minutes reads no Secret');
    clock += SECRETS_TTL_MS;
    assert.deepEqual((await run('recheck')).read, ['key-a', 'key-b', 'key-c'], 'ten minutes on, the Secrets are read again (a rotated key is seen)');

    const full = await run('full');
    assert.deepEqual(full.read, ['key-a', 'key-b', 'key-c', 'key-d'], 'the r key verifies everything');
  });

  it('keys a plan by all of its inputs but its id and nodes', () => {
    const plan = { id: 'x#1', nodeIds: ['OCIRepository/apps/a'], artifact: { url: 'oci://r/a', ref: { kind: 'tag', tag: '1' } }, access: { namespace: 'apps', provider: 'generic' } };
    const same = { ...plan, id: 'x#2', nodeIds: ['OCIRepository/other/b'] };
    const moved = { ...plan, artifact: { ...plan.artifact, running: { revision: 'r', digest: DIGEST } } };
    const key = (p: unknown) => planInputs(p as Parameters<typeof planInputs>[0]);
    assert.equal(key(plan), key(same));
    assert.notEqual(key(plan), key(moved));
  });

  it('debounces changes into one call and runs the re-check on its own clock', async () => {
    let notify: (() => void) | undefined;
    const source: ObjectSource & { stopped?: boolean } = {
      description: {},
      list: async () => ({ objects: [], problems: [] }),
      getSecret: async () => ({ state: 'not-found', message: '' }),
      getImagePullSecrets: async () => ({ names: [] }),
      watch(_scope, onChange) {
        notify = onChange;
        return { ...this, stop: () => (source.stopped = true) };
      },
    };
    const w = watchAudits(source, {}, { debounceMs: 30, recheckMs: 120 });
    const calls: string[] = [];
    w.subscribe((why) => calls.push(why));
    try {
      for (let i = 0; i < 5; i++) notify?.();
      await new Promise((r) => setTimeout(r, 80));
      assert.deepEqual(calls, ['changed'], 'five changes in a burst: one audit');
      await new Promise((r) => setTimeout(r, 120));
      assert.ok(calls.includes('recheck'), calls.join(','));
    } finally {
      w.stop();
    }
    assert.equal(source.stopped, true);
  });

  it('says a problem once in the footer when it appears, and once when it is gone', () => {
    const none = new Set<string>();
    const down = new Set(['watch ocirepositories…: cannot reach the API server (retrying)']);
    assert.equal(problemNews(none, none), undefined);
    assert.deepEqual(problemNews(none, down), { text: 'watch ocirepositories…: cannot reach the API server (retrying)', tone: 'error' });
    assert.equal(problemNews(down, down), undefined, 'the same problem again is not news');
    assert.deepEqual(problemNews(down, none), { text: 'resolved: watch ocirepositories…: cannot reach the API server (retrying)', tone: 'info' });
    assert.match(problemNews(none, new Set(['a', 'b', 'c']))?.text ?? '', /^a \(\+2 more\)$/);
  });
});
