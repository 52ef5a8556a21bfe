import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ANONYMOUS, entryToCredential, parseDockerConfigAuths, type Credential } from './credentials.js';
import { registryError } from './errors.js';

/**
 * Credentials from the operator's own docker config (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`), read as the docker CLI reads it: a `credHelpers` entry for the host,
 * else `credsStore`, else the file's `auths`. Used only when the user asks for it; Flux itself never
 * sees this file.
 */
export interface DockerConfigOptions {
  /** directory holding config.json; default $DOCKER_CONFIG or ~/.docker */
  readonly configDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly helperTimeoutMs?: number;
}

const HUB_SERVER = 'https://index.docker.io/v1/';

export async function dockerConfigCredential(host: string, opts: DockerConfigOptions = {}): Promise<Credential> {
  const env = opts.env ?? process.env;
  const dir = opts.configDir ?? env['DOCKER_CONFIG'] ?? join(homedir(), '.docker');
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return ANONYMOUS;
    throw registryError('registry.credentials', `cannot read docker config ${file}: ${isErrno(e) ? e.code : 'read failed'}`);
  }
  const source = `docker config ${file}`;
  const auths = parseDockerConfigAuths(text, source);
  const config = JSON.parse(text) as { credsStore?: unknown; credHelpers?: Record<string, unknown> };
  // Docker Hub's credentials are filed under its v1 URL, whatever name the image used.
  const server = host === 'index.docker.io' ? HUB_SERVER : host;
  const helper = typeof config.credHelpers?.[host] === 'string' ? config.credHelpers[host] : typeof config.credsStore === 'string' && config.credsStore !== '' ? config.credsStore : undefined;
  if (typeof helper === 'string') {
    return runCredentialHelper(helper, server, { env, timeoutMs: opts.helperTimeoutMs ?? 10_000 });
  }
  const exact = auths.get(server);
  if (exact) return entryToCredential(exact, source);
  // docker matches `https://host/v2/`-style keys by hostname
  for (const [key, entry] of auths) {
    if (hostnameOf(key) === hostnameOf(server)) return entryToCredential(entry, source);
  }
  return ANONYMOUS;
}

function hostnameOf(key: string): string {
  return key.replace(/^https?:\/\//, '').split('/')[0] ?? '';
}

/**
 * Runs `docker-credential-<name> get` with the server on stdin. Its stdout holds the secret, so
 * neither stdout nor stderr is ever quoted in an error.
 */
export async function runCredentialHelper(name: string, server: string, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Credential> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw registryError('registry.credentials', `credential helper name ${JSON.stringify(name)} is not a plain program name`);
  const program = `docker-credential-${name}`;
  const source = `credential helper ${program}`;
  const { code, stdout, timedOut, spawnError } = await run(program, ['get'], server, opts.env ?? process.env, opts.timeoutMs ?? 10_000);
  if (spawnError) throw registryError('registry.credentials', `${source} could not be run for ${server}: ${spawnError}`);
  if (timedOut) throw registryError('registry.credentials', `${source} did not answer for ${server} within ${opts.timeoutMs ?? 10_000} ms`);
  if (code !== 0) {
    // The helper protocol's way of saying "nothing stored": anonymous, as docker treats it.
    if (/credentials not found/i.test(stdout)) return ANONYMOUS;
    throw registryError('registry.credentials', `${source} failed for ${server} with exit code ${code}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw registryError('registry.credentials', `${source} returned output for ${server} that is not JSON`);
  }
  const { Username: username, Secret: secret } = (typeof json === 'object' && json !== null ? json : {}) as { Username?: unknown; Secret?: unknown };
  if (typeof secret !== 'string' || secret === '') return ANONYMOUS;
  const user = typeof username === 'string' ? username : '';
  // `<token>` as user name is the protocol's marker for an identity (refresh) token.
  if (user === '<token>') return { kind: 'identity-token', username: '', identityToken: secret, source };
  return { kind: 'basic', username: user, password: secret, source };
}

interface RunResult {
  code: number | null;
  stdout: string;
  timedOut: boolean;
  spawnError?: string;
}

function run(program: string, args: string[], input: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (stdout.length < 1_000_000) stdout += d;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout: '', timedOut: false, spawnError: isErrno(e, 'ENOENT') ? 'not found on PATH' : (isErrno(e) ? e.code : 'spawn failed') ?? 'spawn failed' });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, timedOut });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

function isErrno(e: unknown, code?: string): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (code === undefined || (e as NodeJS.ErrnoException).code === code);
}
