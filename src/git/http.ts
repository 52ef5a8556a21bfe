import { request, type Dispatcher } from 'undici';
import { VerifyError } from '../errors.js';
import { gitRemoteError, type GitRemoteError } from './errors.js';
import { parsePack, type PackObject } from './pack.js';
import { concat, DELIM, FLUSH, PktReader, pktLine, pktText, readSideBand, serverErr } from './pktline.js';
import type { RemoteRef } from './types.js';

export const AGENT = 'git/kubectl-verify';

export interface HttpRemoteOptions {
  /** `spec.url` without userinfo */
  readonly base: string;
  /** what is shown in messages: never credentials */
  readonly display: string;
  readonly authorization?: string;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly maxObjectBytes: number;
}

type Discovery =
  | { readonly version: 2; readonly caps: ReadonlyMap<string, string> }
  | { readonly version: 0; readonly caps: ReadonlyMap<string, string>; readonly refs: readonly RemoteRef[] };

interface HttpAnswer {
  readonly status: number;
  readonly url: string;
  readonly contentType: string;
  readonly body: Uint8Array;
}

const HEX40 = /^[0-9a-f]{40}$/;
const ZERO = '0'.repeat(40);

/**
 * Git's smart HTTP protocol, upload side only: protocol v2 when the server speaks it (ls-refs with
 * peel and symrefs, fetch with want / deepen 1 / filter tree:0), else v0/v1 (the ref advertisement
 * with its peeled `^{}` lines and one stateless upload-pack request). One instance per remote and
 * operation; the discovery is done once.
 */
export class HttpRemote {
  readonly #o: HttpRemoteOptions;
  #base: string;
  #auth: string | undefined;
  #discovery: Promise<Discovery> | undefined;

  constructor(o: HttpRemoteOptions) {
    this.#o = o;
    this.#base = o.base;
    this.#auth = o.authorization;
  }

  /** protocol version the server answered with (after the first call) */
  async protocol(signal?: AbortSignal): Promise<0 | 2> {
    return (await this.#discover(signal)).version;
  }

  /** Refs under any of `prefixes` (all refs when empty), peeled. Exact matching is the caller's job. */
  async listRefs(prefixes: readonly string[], signal?: AbortSignal): Promise<RemoteRef[]> {
    const d = await this.#discover(signal);
    if (d.version === 0) return d.refs.filter((r) => prefixes.length === 0 || prefixes.some((p) => r.name.startsWith(p)));
    const args = ['peel', 'symrefs', ...prefixes.map((p) => `ref-prefix ${p}`)];
    const res = await this.#post(this.#v2Command('ls-refs', d.caps, args), signal, 'ls-refs');
    const r = new PktReader(res, `${this.#o.display}: ls-refs`);
    const refs: RemoteRef[] = [];
    for (;;) {
      const line = r.nextText();
      if (line === undefined) break;
      const err = serverErr(line, `${this.#o.display}: ls-refs`);
      if (err) throw err;
      const [id, name, ...attrs] = line.split(' ');
      if (id === undefined || name === undefined || !HEX40.test(id)) throw this.#protocol(`ls-refs line ${JSON.stringify(line.slice(0, 80))}`);
      let peeled: string | undefined;
      let symrefTarget: string | undefined;
      for (const a of attrs) {
        if (a.startsWith('peeled:')) peeled = a.slice(7);
        else if (a.startsWith('symref-target:')) symrefTarget = a.slice(14);
      }
      if (peeled !== undefined && !HEX40.test(peeled)) throw this.#protocol(`ls-refs peeled id ${JSON.stringify(peeled.slice(0, 80))}`);
      refs.push({ name, id, ...(peeled !== undefined && { peeled }), ...(symrefTarget !== undefined && { symrefTarget }) });
    }
    return refs;
  }

  /**
   * The objects of a pack that holds `ids` (and, for an annotated tag, the commit it points to), by
   * the id each hashes to: depth 1 and only commits and tags when the server can filter.
   */
  async fetchPack(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, PackObject>> {
    const d = await this.#discover(signal);
    const where = `${this.#o.display}: fetch`;
    if (d.version === 2) {
      const fetchCaps = new Set((d.caps.get('fetch') ?? '').split(' '));
      const args = ['ofs-delta', 'no-progress', ...ids.map((id) => `want ${id}`)];
      if (fetchCaps.has('shallow')) args.push('deepen 1');
      if (fetchCaps.has('filter')) args.push('filter tree:0');
      args.push('done');
      const res = await this.#post(this.#v2Command('fetch', d.caps, args), signal, 'fetch');
      return this.#readV2Fetch(new PktReader(res, where), where);
    }
    return this.#fetchV0(d, ids, signal, where);
  }

  async #fetchV0(d: Discovery & { version: 0 }, ids: readonly string[], signal: AbortSignal | undefined, where: string): Promise<Map<string, PackObject>> {
    const caps = d.caps;
    const tips = new Set(d.refs.map((r) => r.id));
    const tagOf = new Map<string, string>();
    for (const r of d.refs) if (r.peeled !== undefined) tagOf.set(r.peeled, r.id);
    const anyWant = caps.has('allow-reachable-sha1-in-want') || caps.has('allow-any-sha1-in-want');
    let wants: string[] = [];
    let deepen = caps.has('shallow');
    let whole = false;
    for (const id of ids) {
      if (anyWant || tips.has(id)) wants.push(id);
      else if (tagOf.has(id)) wants.push(tagOf.get(id) as string);
      else {
        // A commit below the tips on a server that only gives out tips: ask for every tip, whole history.
        wants = [...tips];
        deepen = false;
        whole = true;
        break;
      }
    }
    wants = [...new Set(wants)];
    if (wants.length === 0) throw gitRemoteError('git-remote.ref-not-found', `${where}: the remote has no refs`);
    const ask = ['ofs-delta', 'no-progress', `agent=${AGENT}`];
    const band = caps.has('side-band-64k') ? 'side-band-64k' : caps.has('side-band') ? 'side-band' : undefined;
    if (band) ask.push(band);
    if (deepen) ask.push('shallow');
    const filter = caps.has('filter');
    if (filter) ask.push('filter');
    const lines = wants.map((w, i) => pktLine(i === 0 ? `want ${w} ${ask.join(' ')}\n` : `want ${w}\n`));
    if (deepen) lines.push(pktLine('deepen 1\n'));
    if (filter) lines.push(pktLine('filter tree:0\n'));
    lines.push(FLUSH, pktLine('done\n'));
    const res = await this.#post(concat(lines), signal, 'fetch');
    const r = new PktReader(res, where);
    // shallow/unshallow lines (when deepening) end with a flush; then NAK or ACK, then the pack
    for (;;) {
      if (r.startsWith('PACK')) break;
      const p = r.next();
      if (p.kind !== 'data') continue;
      const line = pktText(p.data);
      const err = serverErr(line, where);
      if (err) throw err;
      if (line === 'NAK' || line.startsWith('ACK ')) break;
      if (!line.startsWith('shallow ') && !line.startsWith('unshallow ')) throw this.#protocol(`unexpected ${JSON.stringify(line.slice(0, 80))} before the pack`);
    }
    const pack = band ? readSideBand(r, where, this.#o.maxResponseBytes) : r.rest();
    const objects = parsePack(pack, this.#o.maxObjectBytes, where);
    if (whole) {
      // the whole history of every tip came: what is not in it is not on the remote
      for (const id of ids) if (!objects.has(id)) throw gitRemoteError('git-remote.ref-not-found', `${where}: ${id} is not on the remote`);
    }
    return objects;
  }

  #readV2Fetch(r: PktReader, where: string): Map<string, PackObject> {
    for (;;) {
      if (r.done) throw this.#protocol('the fetch answer has no packfile section');
      const p = r.next();
      if (p.kind !== 'data') continue;
      const line = pktText(p.data);
      const err = serverErr(line, where);
      if (err) throw err;
      if (line === 'packfile') return parsePack(readSideBand(r, where, this.#o.maxResponseBytes), this.#o.maxObjectBytes, where);
      if (line === 'acknowledgments' || line === 'shallow-info' || line === 'wanted-refs' || line === 'packfile-uris') {
        // skip the section: up to its delimiter
        for (;;) {
          const q = r.next();
          if (q.kind !== 'data') break;
          const e2 = serverErr(pktText(q.data), where);
          if (e2) throw e2;
        }
        continue;
      }
      throw this.#protocol(`unexpected ${JSON.stringify(line.slice(0, 80))} in the fetch answer`);
    }
  }

  #v2Command(command: string, caps: ReadonlyMap<string, string>, args: readonly string[]): Uint8Array {
    const parts = [pktLine(`command=${command}\n`)];
    if (caps.has('agent')) parts.push(pktLine(`agent=${AGENT}\n`));
    if (caps.has('object-format')) parts.push(pktLine('object-format=sha1\n'));
    parts.push(DELIM, ...args.map((a) => pktLine(`${a}\n`)), FLUSH);
    return concat(parts);
  }

  #discover(signal: AbortSignal | undefined): Promise<Discovery> {
    this.#discovery ??= this.#doDiscover(signal);
    return this.#discovery;
  }

  async #doDiscover(signal: AbortSignal | undefined): Promise<Discovery> {
    const where = `${this.#o.display}: ref discovery`;
    const suffix = '/info/refs?service=git-upload-pack';
    let url = `${this.#base}${suffix}`;
    let auth = this.#auth;
    let res: HttpAnswer;
    for (let hop = 0; ; hop++) {
      res = await this.#send('GET', url, { 'Git-Protocol': 'version=2', Accept: '*/*', ...(auth !== undefined && { Authorization: auth }) }, undefined, signal, where);
      if (res.status < 300 || res.status >= 400) break;
      if (hop >= 5) throw gitRemoteError('git-remote.server-error', `${where}: too many redirects`);
      const next = new URL(res.url, url);
      if (next.origin !== new URL(url).origin) auth = undefined; // credentials stay with the host they were given for
      url = next.toString();
    }
    this.#checkStatus(res, where);
    if (!res.contentType.startsWith('application/x-git-upload-pack-advertisement')) {
      throw gitRemoteError('git-remote.protocol', `${where}: the server does not speak Git's smart HTTP protocol (Content-Type ${JSON.stringify(res.contentType.slice(0, 80))})`);
    }
    if (url.endsWith(suffix)) this.#base = url.slice(0, -suffix.length);
    this.#auth = auth;
    const r = new PktReader(res.body, where);
    let line = r.nextText();
    if (line?.startsWith('# service=')) {
      if (r.next().kind !== 'flush') throw this.#protocol('no flush after the service line');
      line = r.nextText();
    }
    if (line === 'version 2') {
      const caps = new Map<string, string>();
      for (;;) {
        const l = r.nextText();
        if (l === undefined) break;
        const eq = l.indexOf('=');
        caps.set(eq < 0 ? l : l.slice(0, eq), eq < 0 ? '' : l.slice(eq + 1));
      }
      const format = caps.get('object-format');
      if (format !== undefined && format !== 'sha1') throw gitRemoteError('git-remote.unsupported', `${where}: the repository uses ${format} object ids; only SHA-1 repositories are read (as go-git, which Flux uses)`);
      return { version: 2, caps };
    }
    if (line === 'version 1') line = r.nextText();
    const caps = new Map<string, string>();
    const refs: RemoteRef[] = [];
    const peeled = new Map<string, string>();
    for (let first = true; line !== undefined; line = r.nextText(), first = false) {
      let text = line;
      if (first) {
        const nul = text.indexOf('\0');
        if (nul >= 0) {
          for (const c of text.slice(nul + 1).split(' ').filter(Boolean)) {
            const eq = c.indexOf('=');
            const k = eq < 0 ? c : c.slice(0, eq);
            caps.set(k, eq < 0 ? '' : c.slice(eq + 1));
            if (k === 'symref') caps.set(`symref ${c.slice(eq + 1).split(':')[0] ?? ''}`, c.slice(eq + 1).split(':').slice(1).join(':'));
          }
          text = text.slice(0, nul);
        }
      }
      const err = serverErr(text, where);
      if (err) throw err;
      const sp = text.indexOf(' ');
      const id = text.slice(0, sp);
      const name = text.slice(sp + 1);
      if (sp < 0 || !HEX40.test(id)) throw this.#protocol(`ref advertisement line ${JSON.stringify(text.slice(0, 80))}`);
      if (id === ZERO && name === 'capabilities^{}') continue; // an empty repository
      if (name.endsWith('^{}')) peeled.set(name.slice(0, -3), id);
      else refs.push({ name, id });
    }
    const format = caps.get('object-format');
    if (format !== undefined && format !== 'sha1') throw gitRemoteError('git-remote.unsupported', `${where}: the repository uses ${format} object ids; only SHA-1 repositories are read (as go-git, which Flux uses)`);
    return {
      version: 0,
      caps,
      refs: refs.map((r) => {
        const p = peeled.get(r.name);
        const target = caps.get(`symref ${r.name}`);
        return { ...r, ...(p !== undefined && { peeled: p }), ...(target !== undefined && { symrefTarget: target }) };
      }),
    };
  }

  async #post(body: Uint8Array, signal: AbortSignal | undefined, what: string): Promise<Uint8Array> {
    const where = `${this.#o.display}: ${what}`;
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-git-upload-pack-request',
      Accept: 'application/x-git-upload-pack-result',
      ...(this.#auth !== undefined && { Authorization: this.#auth }),
    };
    const d = await this.#discover(signal);
    if (d.version === 2) headers['Git-Protocol'] = 'version=2';
    const res = await this.#send('POST', `${this.#base}/git-upload-pack`, headers, body, signal, where);
    this.#checkStatus(res, where);
    if (!res.contentType.startsWith('application/x-git-upload-pack-result')) throw this.#protocol(`${what}: Content-Type ${JSON.stringify(res.contentType.slice(0, 80))}`);
    return res.body;
  }

  #checkStatus(res: HttpAnswer, where: string): void {
    if (res.status === 401 || res.status === 403) {
      throw gitRemoteError('git-remote.auth', `${where}: ${res.status === 401 ? 'authentication required or refused' : 'access denied'} (HTTP ${res.status})`);
    }
    if (res.status === 404) throw gitRemoteError('git-remote.not-found', `${where}: no such repository (HTTP 404)`);
    if (res.status < 200 || res.status >= 300) throw gitRemoteError('git-remote.server-error', `${where}: HTTP ${res.status}`);
  }

  #protocol(what: string): GitRemoteError {
    return gitRemoteError('git-remote.protocol', `${this.#o.display}: not Git's smart protocol: ${what}`);
  }

  async #send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body: Uint8Array | undefined, signal: AbortSignal | undefined, where: string): Promise<HttpAnswer> {
    const timeout = AbortSignal.timeout(this.#o.timeoutMs);
    const all = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const fail = (e: unknown): never => {
      if (signal?.aborted) throw signal.reason;
      if (e instanceof VerifyError) throw e;
      if (timeout.aborted) throw gitRemoteError('git-remote.timeout', `${where}: no complete answer within ${this.#o.timeoutMs} ms`);
      throw networkError(e, where);
    };
    let data: Dispatcher.ResponseData;
    try {
      data = await request(url, { dispatcher: this.#o.dispatcher, method, headers: { 'User-Agent': AGENT, ...headers }, signal: all, ...(body !== undefined && { body: Buffer.from(body) }) });
    } catch (e) {
      return fail(e);
    }
    const max = this.#o.maxResponseBytes;
    const declared = Number(data.headers['content-length']);
    const tooLarge = (): GitRemoteError => gitRemoteError('git-remote.too-large', `${where}: the answer is larger than ${max} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      if (Number.isFinite(declared) && declared > max) throw tooLarge();
      for await (const chunk of data.body as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > max) throw tooLarge();
        chunks.push(chunk);
      }
    } catch (e) {
      data.body.destroy();
      return fail(e);
    }
    const header = (n: string): string => {
      const v = data.headers[n];
      return (Array.isArray(v) ? v[0] : v) ?? '';
    };
    return { status: data.statusCode, url: data.statusCode >= 300 && data.statusCode < 400 ? header('location') : url, contentType: header('content-type'), body: new Uint8Array(Buffer.concat(chunks, total)) };
  }
}

const TLS_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'EPROTO']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    if (cur instanceof AggregateError && cur.errors.length > 0) cur = cur.errors[0];
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function networkError(e: unknown, where: string): GitRemoteError {
  const code = errorCode(e) ?? 'unknown';
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) return gitRemoteError('git-remote.tls', `${where}: TLS failed (${code})`, e);
  if (TIMEOUT_CODES.has(code)) return gitRemoteError('git-remote.timeout', `${where}: timed out (${code})`, e);
  return gitRemoteError('git-remote.unreachable', `${where}: cannot connect (${code})`, e);
}
