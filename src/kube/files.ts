import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { Composer, LineCounter, Parser } from 'yaml';
import { KubeError } from './errors.js';
import { normalize } from './normalize.js';
import { isRecord } from './read.js';
import { decodeSecret, pullSecretNames } from './secret.js';
import { matchesSelector, parseSelector } from './selector.js';
import type { FluxObject, KubeProblem, ObjectSource, SecretResult } from './types.js';

/**
 * Flux objects from YAML or JSON files, as `kubectl apply -f` reads them: a file, a directory (walked
 * recursively here; hidden directories skipped), or `-` for standard input. Multi-document files,
 * `kind: List` (a `kubectl get -o yaml` dump) and JSON all work. Objects without a namespace get the
 * `-n` namespace, else `default`. Secrets and ServiceAccounts in the files answer getSecret and
 * getImagePullSecrets; nothing else can, so a Secret not in the files is `unavailable`.
 */
export interface FileSourceOptions {
  /** the content behind `-`: a string or a stream (the caller passes process.stdin) */
  readonly stdin?: string | AsyncIterable<string | Uint8Array>;
  /** namespace for objects that have none; default `default` */
  readonly defaultNamespace?: string;
  /** base for relative paths; default process.cwd() */
  readonly cwd?: string;
}

export interface FileSource extends ObjectSource {
  /** every file read, in order (`-` for standard input) */
  readonly files: readonly string[];
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

interface Loaded {
  objects: Map<string, FluxObject>;
  secrets: Map<string, unknown>;
  serviceAccounts: Map<string, string[]>;
  problems: KubeProblem[];
}

export async function createFileSource(inputs: readonly string[], opts: FileSourceOptions = {}): Promise<FileSource> {
  const cwd = opts.cwd ?? process.cwd();
  const defaultNamespace = opts.defaultNamespace || 'default';
  const files: { path: string; text?: string; problem?: KubeProblem }[] = [];
  for (const input of inputs) {
    if (input === '-') {
      if (opts.stdin === undefined) throw new KubeError('file.not-found', '-f - reads standard input, and none was given');
      files.push({ path: '-', text: await readAll(opts.stdin) });
      continue;
    }
    const path = resolve(cwd, input);
    let st;
    try {
      st = await stat(path);
    } catch {
      throw new KubeError('file.not-found', `the path "${input}" does not exist`);
    }
    if (st.isDirectory()) {
      for (const f of await walk(path, new Set())) files.push(await readOne(f));
    } else {
      // a file named explicitly is read whatever its extension, as kubectl does
      files.push(await readOne(path));
    }
  }

  const loaded: Loaded = { objects: new Map(), secrets: new Map(), serviceAccounts: new Map(), problems: [] };
  for (const f of files) {
    if (f.problem) loaded.problems.push(f.problem);
    if (f.text !== undefined) loadText(loaded, f.path, f.text, defaultNamespace);
  }
  const objects = [...loaded.objects.values()];

  return {
    files: files.map((f) => f.path),
    description: { files: files.map((f) => f.path) },

    async list(scope) {
      const selector = parseSelector(scope.labelSelector);
      const inScope = objects.filter((o) => (scope.namespace === undefined || o.namespace === scope.namespace) && matchesSelector(selector, o.labels));
      const problems = loaded.problems.filter((p) => scope.namespace === undefined || p.namespace === undefined || p.namespace === scope.namespace);
      return { objects: inScope, problems };
    },

    getSecret(namespace, name): Promise<SecretResult> {
      const secret = loaded.secrets.get(`${namespace}/${name}`);
      if (secret !== undefined) return Promise.resolve(decodeSecret(secret, `${namespace}/${name}`));
      return Promise.resolve({
        state: 'unavailable',
        message: `Secret ${namespace}/${name} is not in the files read; with -f, trust material must come from flags (e.g. --key) or from Secrets in the files`,
      });
    },

    getImagePullSecrets(namespace, serviceAccount) {
      const names = loaded.serviceAccounts.get(`${namespace}/${serviceAccount}`);
      if (names) return Promise.resolve({ names });
      return Promise.resolve({
        problem: { code: 'file.unavailable', message: `ServiceAccount ${namespace}/${serviceAccount} is not in the files read`, kind: 'ServiceAccount', namespace },
      });
    },
  };
}

async function readAll(input: string | AsyncIterable<string | Uint8Array>): Promise<string> {
  if (typeof input === 'string') return input;
  const chunks: Buffer[] = [];
  for await (const c of input) chunks.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

async function readOne(path: string): Promise<{ path: string; text?: string; problem?: KubeProblem }> {
  try {
    return { path, text: await readFile(path, 'utf8') };
  } catch (e) {
    return { path, problem: { code: 'file.unreadable', message: `cannot read ${path}: ${(e as Error).message}` } };
  }
}

/** YAML and JSON files under dir, sorted, skipping hidden directories and directory loops. */
async function walk(dir: string, seen: Set<string>): Promise<string[]> {
  const real = await realpath(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const st = await stat(p).catch(() => undefined);
      isDir = st?.isDirectory() ?? false;
      isFile = st?.isFile() ?? false;
    }
    if (isDir && !e.name.startsWith('.')) out.push(...(await walk(p, seen)));
    else if (isFile && EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

function loadText(loaded: Loaded, path: string, text: string, defaultNamespace: string): void {
  const fast = loadWhole(text);
  if (fast) {
    for (const value of fast) for (const item of expandLists(value)) loadObject(loaded, path, item, defaultNamespace);
    return;
  }
  loadByDocument(loaded, path, text, defaultNamespace);
}

/**
 * The common case, ten times faster: a file with no anchor parsed whole by js-yaml's YAML 1.2 core
 * schema (what the yaml library's default schema reads too: no timestamps, no merge keys, duplicate
 * keys refused). undefined when anything is wrong with the file, which is then read document by
 * document below, so that each bad document is reported with its position and the good ones are kept.
 * A file with an anchor always takes that path, whose alias limit keeps an alias bomb from expanding.
 */
function loadWhole(text: string): unknown[] | undefined {
  if (text.includes('&')) return undefined;
  const docs: unknown[] = [];
  try {
    loadAll(text, (d) => docs.push(d), { schema: CORE_SCHEMA });
    // one JSON round trip, as below: what kubectl would send, and no value the JSON model lacks
    return docs.filter((d) => d !== null && d !== undefined).map((d) => JSON.parse(JSON.stringify(d)) as unknown);
  } catch {
    return undefined;
  }
}

function loadByDocument(loaded: Loaded, path: string, text: string, defaultNamespace: string): void {
  const lineCounter = new LineCounter();
  // one document at a time, so a dump of thousands of objects never holds every syntax tree at once;
  // prettyErrors would quote the offending line, which may be a Secret value: position and reason only
  const composer = new Composer({ prettyErrors: false, uniqueKeys: true });
  for (const doc of composer.compose(new Parser(lineCounter.addNewLine).parse(text), true)) {
    const err = doc.errors[0];
    if (err) {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      loaded.problems.push({ code: 'file.invalid', message: `${path}:${line}:${col}: ${err.message.split('\n')[0]}` });
      continue;
    }
    let value: unknown;
    try {
      // the yaml library builds each scalar by appending to it, which leaves V8 a rope of one small
      // string per piece (about 1 KiB for a digest, most of the memory of a large fleet); a JSON round
      // trip keeps one flat copy of each string. It loses nothing kubectl keeps: kubectl sends JSON too
      value = JSON.parse(JSON.stringify(doc.toJS({ maxAliasCount: 1000 }))) as unknown;
    } catch (e) {
      const { line } = lineCounter.linePos(doc.range[0]);
      loaded.problems.push({ code: 'file.invalid', message: `${path}:${line}: ${(e as Error).message.split('\n')[0]}` });
      continue;
    }
    for (const item of expandLists(value)) loadObject(loaded, path, item, defaultNamespace);
  }
}

/** `kind: List` (and typed lists such as OCIRepositoryList) stand for their items. */
function expandLists(value: unknown): unknown[] {
  if (isRecord(value) && typeof value['kind'] === 'string' && value['kind'].endsWith('List') && Array.isArray(value['items'])) {
    return value['items'].flatMap(expandLists);
  }
  return [value];
}

function loadObject(loaded: Loaded, path: string, item: unknown, defaultNamespace: string): void {
  if (!isRecord(item)) return;
  const md = isRecord(item['metadata']) ? item['metadata'] : {};
  const name = typeof md['name'] === 'string' ? md['name'] : '';
  const namespace = typeof md['namespace'] === 'string' && md['namespace'] !== '' ? md['namespace'] : defaultNamespace;
  if (item['apiVersion'] === 'v1' && item['kind'] === 'Secret') {
    if (name) loaded.secrets.set(`${namespace}/${name}`, item);
    return;
  }
  if (item['apiVersion'] === 'v1' && item['kind'] === 'ServiceAccount') {
    if (name) loaded.serviceAccounts.set(`${namespace}/${name}`, pullSecretNames(item));
    return;
  }
  const r = normalize(item, { origin: `file:${path}`, defaultNamespace });
  if ('problem' in r) loaded.problems.push(r.problem);
  if (!('object' in r)) return;
  const key = `${r.object.kind}/${r.object.namespace}/${r.object.name}`;
  if (loaded.objects.has(key)) {
    // kubectl apply would apply both, the later one last
    loaded.problems.push({ code: 'file.duplicate', message: `${r.object.kind} ${r.object.namespace}/${r.object.name} appears more than once; ${path} is used`, kind: r.object.kind, namespace: r.object.namespace });
    loaded.objects.delete(key);
  }
  loaded.objects.set(key, r.object);
}
