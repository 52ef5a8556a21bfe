import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { useClusterLab } from '../lab/cluster-lab.js';
import { waitForFlux } from '../lab/fleet.js';
import { ociRepoYaml } from '../lab/objects.js';
import { freePort } from '../lab/registries.js';

/**
 * `-w` against the real kube-apiserver with Flux's controllers: it lists once and then only holds
 * watches (counted from the API server's audit log while the plugin sits idle), prints the row of an
 * object that changes, and reconnects when its connections are cut (through a TCP proxy in front of
 * the API server that can drop every connection), resuming from where it was without listing again.
 */

const NS = 'watch';
// KUBECTL_VERIFY_WATCH_IDLE_MS=130000 measures across two registry re-checks (every 60 s)
const IDLE_MS = Number(process.env['KUBECTL_VERIFY_WATCH_IDLE_MS'] ?? 20_000);
const RECHECK_S = 60;

interface TcpProxy {
  readonly port: number;
  /** connections accepted so far */
  connections(): number;
  /** drops every open connection, as a load balancer or a restarted API server would */
  cutAll(): void;
  close(): Promise<void>;
}

async function startTcpProxy(upstreamPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let accepted = 0;
  const server = createServer((client) => {
    accepted++;
    const up = connect(upstreamPort, '127.0.0.1');
    open.add(client);
    open.add(up);
    const drop = (): void => {
      client.destroy();
      up.destroy();
      open.delete(client);
      open.delete(up);
    };
    client.on('error', drop).on('close', drop);
    up.on('error', drop).on('close', drop);
    client.pipe(up);
    up.pipe(client);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    connections: () => accepted,
    cutAll: () => {
      for (const s of open) s.destroy();
      open.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('-w against the API server: watches, not lists', () => {
  const lab = useClusterLab(NS, 'watch lab', async ({ cluster, seed }) => {
    const ref = (name: string): string => {
      const c = seed.cases.find((x) => x.name === name);
      if (!c) throw new Error(`seed has no case ${name}`);
      return c.ref.slice(0, c.ref.lastIndexOf(':'));
    };
    const verify = '{provider: cosign, secretRef: {name: cosign-pub}}';
    const yaml = [
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}`,
      `---\napiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: ${NS}}\ndata: {cosign.pub: ${readFileSync(seed.material.cosignKeys.ecdsa.pub).toString('base64')}}`,
      ociRepoYaml(NS, 'bundle', ref('cosign-bundle-ecdsa'), '1.0.0', { verify }),
      ociRepoYaml(NS, 'legacy', ref('cosign-legacy'), '1.0.0', { verify }),
      ociRepoYaml(NS, 'unsigned', ref('unsigned-cosign'), '1.0.0', { verify }),
    ].join('\n');
    await cluster.kubectl(['apply', '-f', '-'], { input: yaml });
    await waitForFlux(cluster, NS);
    return {};
  });

  it('holds one watch per kind while idle, prints a changed row, and reconnects after a cut', { timeout: 240_000 }, async (t) => {
    const { cluster, dir } = lab();
    const proxy = await startTcpProxy(Number(new URL(cluster.server).port));
    const kubeconfig = join(dir, 'kubeconfig-watch-proxy');
    writeFileSync(kubeconfig, readFileSync(cluster.kubeconfig, 'utf8').replace(cluster.server, `https://127.0.0.1:${proxy.port}`));
    const ours = () => cluster.apiRequests().filter((r) => r.userAgent.startsWith('kubectl-verify/'));
    const fluxLists = (rs: ReturnType<typeof ours>) => rs.filter((r) => r.verb === 'list' && r.uri.includes('.fluxcd.io/'));
    const watches = (rs: ReturnType<typeof ours>) => rs.filter((r) => r.verb === 'watch');
    const startAt = ours().length;

    const child = spawn(join(repoRoot(), 'plugin', 'kubectl-verify'), ['--kubeconfig', kubeconfig, '-n', NS, '-w', '-o', 'wide'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const waitFor = async (test: () => boolean, what: string, ms = 30_000): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!test()) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${what} (exit ${child.exitCode}):\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const rowAfter = (mark: number, name: string, word: RegExp) => () => out.slice(mark).split('\n').some((l) => new RegExp(`OCIRepository\\s+${name}\\s`).test(l) && word.test(l));
    try {
      await waitFor(() => /OCIRepository\s+unsigned\s/.test(out) && /OCIRepository\s+bundle\s/.test(out), 'first table');
      // every kind listed once and then watched (ResponseStarted is logged when a watch opens)
      const kinds = fluxLists(ours().slice(startAt)).length;
      assert.ok(kinds >= 5, `lists of every Flux kind: ${kinds}`);
      await waitFor(() => watches(ours().slice(startAt)).length >= kinds, 'a watch per listed kind', 10_000);

      const idleFrom = ours().length;
      await new Promise((r) => setTimeout(r, IDLE_MS));
      const idle = ours().slice(idleFrom);
      t.diagnostic(`start: ${ours().slice(startAt, idleFrom).length} requests (${kinds} lists, ${watches(ours().slice(startAt, idleFrom)).length} watches, the rest discovery and Secrets); idle ${IDLE_MS / 1000} s: ${idle.length} requests`);
      // nothing but, at each registry re-check, a read of the Secret the tag-following plans name
      const rechecks = Math.floor(IDLE_MS / 1000 / RECHECK_S) + (IDLE_MS % (RECHECK_S * 1000) === 0 ? 0 : 1);
      const other = idle.filter((r) => !(r.verb === 'get' && r.uri === `/api/v1/namespaces/${NS}/secrets/cosign-pub`));
      assert.deepEqual(other.map((r) => `${r.verb} ${r.uri}`), [], `no list, watch or discovery while idle for ${IDLE_MS / 1000} s`);
      assert.ok(idle.length <= rechecks, `at most one Secret read per re-check: ${idle.length}`);
      if (IDLE_MS < RECHECK_S * 1000) assert.equal(idle.length, 0);

      // a change in the cluster: the changed row is printed (no header), reading only what that plan names
      const mark = out.length;
      const beforeChange = ours().length;
      await cluster.kubectl(['patch', 'ocirepository', 'bundle', '-n', NS, '--type=merge', '-p', '{"spec":{"verify":{"secretRef":{"name":"no-such-key"}}}}']);
      await waitFor(rowAfter(mark, 'bundle', /no-such-key|trust|Secret|error/i), 'the changed row for bundle');
      assert.ok(!/^NAMESPACE|^KIND/m.test(out.slice(mark)), 'changed rows come without a header');
      const afterChange = ours().slice(beforeChange);
      assert.deepEqual(fluxLists(afterChange), [], 'a change is read from the watch, not by listing');
      t.diagnostic(`after the change: ${afterChange.map((r) => `${r.verb} ${r.uri.split('?')[0]}`).join(', ') || 'no request'}`);
      t.diagnostic(`printed after the change:\n${out.slice(mark).trimEnd()}`);

      // every connection cut: the watches come back from their last resourceVersion, without a list
      const beforeCut = ours().length;
      const accepted = proxy.connections();
      proxy.cutAll();
      await waitFor(() => watches(ours().slice(beforeCut)).length >= kinds, 'the watches reopened', 40_000);
      const reopened = watches(ours().slice(beforeCut));
      assert.ok(proxy.connections() > accepted, 'new connections after the cut');
      assert.ok(reopened.every((r) => /resourceVersion=\d+/.test(r.uri)), reopened.map((r) => r.uri).join('\n'));
      assert.deepEqual(fluxLists(ours().slice(beforeCut)), [], 'resumed, not listed again');

      const mark2 = out.length;
      await cluster.kubectl(['patch', 'ocirepository', 'bundle', '-n', NS, '--type=merge', '-p', '{"spec":{"verify":{"secretRef":{"name":"cosign-pub"}}}}']);
      await waitFor(rowAfter(mark2, 'bundle', /verified/i), 'the row after the reconnect', 40_000);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      await proxy.close();
    }
    assert.equal(child.exitCode, 1, `findings remain (unsigned), so -w ends with exit 1\n${err}`);
  });
});
