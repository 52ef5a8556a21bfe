import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { dockerRegistryBin, labBin } from './tools.js';

const anyCert = new Agent({ connect: { rejectUnauthorized: false } });

/** olareg serves the OCI 1.1 referrers API; Debian's docker-registry 2.8 ("distribution") does not. */
export type RegistryKind = 'olareg' | 'distribution';

export interface RunningRegistry {
  readonly kind: RegistryKind;
  /** 127.0.0.1:PORT, as it goes into a reference */
  readonly host: string;
  readonly dir: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** keep the data in this directory (default: a fresh temporary one, removed on stop) */
  readonly dir?: string;
  /** leave the registry running when this process exits (for `npm run lab -- up`) */
  readonly detached?: boolean;
  /** olareg only: serve HTTPS with this certificate and key (PEM files) */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** olareg only: serve the content in `dir` read-only (a second face of a seeded registry) */
  readonly readOnly?: boolean;
  /** olareg only: Basic auth, or Bearer tokens from olareg's own token endpoint, with users and ACLs from this file */
  readonly auth?: { readonly mode: 'basic' | 'token'; readonly config: string };
}

const running = new Set<ChildProcess>();
// Nothing may be left running after the tests, even when one fails or the runner is interrupted.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startRegistry(kind: RegistryKind, opts: RegistryOptions = {}): Promise<RunningRegistry> {
  const owned = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), `kv-${kind}-`));
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const logFile = join(dir, `${kind}${opts.tls ? `-tls-${port}` : ''}.log`);
  let cmd: string;
  let args: string[];
  if (kind === 'olareg') {
    cmd = labBin('olareg');
    args = ['serve', '--addr', '127.0.0.1', '--port', String(port), '--dir', join(dir, 'data'), '--gc-frequency', '-1s'];
    if (opts.tls) args.push('--tls-cert', opts.tls.cert, '--tls-key', opts.tls.key);
    if (opts.readOnly) args.push('--store-ro');
    if (opts.auth?.mode === 'basic') args.push('--auth-basic', opts.auth.config);
    // the token realm olareg advertises is built from its external URL
    if (opts.auth?.mode === 'token') args.push('--auth-token-opaque', opts.auth.config, '--external-url', `${opts.tls ? 'https' : 'http'}://${host}`);
  } else {
    if (opts.tls || opts.readOnly || opts.auth) throw new Error('tls, readOnly and auth are olareg options');
    const config = join(dir, 'config.yml');
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log: {level: warn, accesslog: {disabled: true}}',
        `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
        `http: {addr: "${host}"}`,
        '',
      ].join('\n'),
    );
    cmd = dockerRegistryBin;
    args = ['serve', config];
  }
  const log = openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', log, log], detached: opts.detached === true });
  if (opts.detached) child.unref();
  else running.add(child);
  let exited = false;
  child.on('exit', () => {
    exited = true;
    running.delete(child);
  });
  const stop = async (): Promise<void> => {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      if (!exited) child.kill('SIGKILL');
    }
    if (owned) rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) throw new Error(`${kind} exited while starting on ${host}: ${readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join(' | ')}`);
    try {
      // readiness only: the lab's certificates are checked by the tests that use them
      const r = await request(`${opts.tls ? 'https' : 'http'}://${host}/v2/`, { signal: AbortSignal.timeout(1000), dispatcher: anyCert });
      await r.body.dump();
      if (r.statusCode === 200 || r.statusCode === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${kind} did not answer on http://${host}/v2/ within 20s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { kind, host, dir, pid: child.pid ?? -1, stop };
}
