import { parseChallenges, type Challenge } from './challenge.js';
import { describeCredential, type Credential } from './credentials.js';
import { registryError } from './errors.js';
import type { HttpRequest, HttpResponse } from './transport.js';

/** Sends one request through the host's client (its connection pool, limit and backoff). */
export type Sender = (req: HttpRequest, where: string) => Promise<HttpResponse>;

/**
 * Answers a registry's 401 for one host: Basic when it asks for Basic, otherwise the bearer-token
 * dance (distribution's token spec): GET the realm with service and scope, anonymously or with Basic,
 * or POST an OAuth2 refresh-token grant. Tokens are kept per scope until shortly before they expire.
 * One Authenticator per (host, credential): the registry pool keeps one for each credential it is
 * given, so tokens are cached per (credential, scope) and never cross from one credential to another.
 * No value from here may reach a message: errors describe the credential by source only.
 */
export class Authenticator {
  readonly #host: string;
  readonly #credential: () => Promise<Credential>;
  readonly #send: Sender;
  readonly #insecure: boolean;
  readonly #now: () => number;
  readonly #tokens = new Map<string, { header: string; expiresAt: number }>();
  readonly #pending = new Map<string, Promise<string>>();
  #basic = false;
  #resolved: Credential | undefined;

  constructor(host: string, credential: () => Promise<Credential>, sender: Sender, insecure: boolean, now: () => number = Date.now) {
    this.#host = host;
    this.#credential = credential;
    this.#send = sender;
    this.#insecure = insecure;
    this.#now = now;
  }

  /** The Authorization header to send up front for a scope, if an earlier challenge taught us one. */
  async current(scope: string): Promise<string | undefined> {
    if (this.#basic) return basicHeader(await this.#getCredential());
    const cached = this.#tokens.get(scope);
    if (cached && cached.expiresAt > this.#now()) return cached.header;
    return undefined;
  }

  /**
   * A fresh Authorization header for a 401's challenge. `rejected` is the header the 401 answered,
   * if any: the same answer again would only loop.
   */
  async answer(wwwAuthenticate: string | undefined, scope: string, rejected: string | undefined, signal?: AbortSignal): Promise<string> {
    const challenges = parseChallenges(wwwAuthenticate);
    const credential = await this.#getCredential();
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    let header: string | undefined;
    if (bearer) {
      // requests that meet the same challenge at once share one token request
      const key = `${scope}\n${bearer.params['realm'] ?? ''}\n${bearer.params['scope'] ?? ''}`;
      let pending = this.#pending.get(key);
      if (!pending) {
        pending = this.#token(bearer, scope, credential, signal).finally(() => this.#pending.delete(key));
        this.#pending.set(key, pending);
      }
      header = await pending;
    } else if (challenges.some((c) => c.scheme === 'basic')) {
      header = basicHeader(credential);
      if (header === undefined) throw this.#unauthorized(credential, 'it asks for a user name and password');
      this.#basic = true;
    } else {
      throw registryError('registry.unauthorized', `${this.#host}: HTTP 401 without a Bearer or Basic challenge (WWW-Authenticate ${wwwAuthenticate === undefined ? 'missing' : `scheme ${challenges[0]?.scheme ?? 'unparsable'}`})`);
    }
    if (header === rejected) throw this.#unauthorized(credential, 'it refused the credentials');
    return header;
  }

  async #getCredential(): Promise<Credential> {
    this.#resolved ??= await this.#credential();
    return this.#resolved;
  }

  async #token(challenge: Challenge, scope: string, credential: Credential, signal: AbortSignal | undefined): Promise<string> {
    if (credential.kind === 'registry-token') return `Bearer ${credential.registryToken}`;
    const realm = challenge.params['realm'];
    if (!realm) throw registryError('registry.protocol', `${this.#host}: Bearer challenge without a realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw registryError('registry.protocol', `${this.#host}: Bearer realm is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw registryError('registry.protocol', `${this.#host}: Bearer realm uses ${url.protocol}, expected https:`);
    if (url.protocol === 'http:' && credential.kind !== 'anonymous' && !this.#insecure) {
      throw registryError('registry.protocol', `${this.#host}: refusing to send ${describeCredential(credential)} to the plain-HTTP token service ${url.host} (set insecure to allow)`);
    }
    const scopes = (challenge.params['scope'] ?? scope).split(' ').filter((s) => s !== '');
    const service = challenge.params['service'];
    const where = `${this.#host}: token service ${url.host}`;
    let res;
    if (credential.kind === 'identity-token') {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: 'kubectl-verify', ...(service && { service }) });
      form.set('scope', scopes.join(' '));
      res = await this.#send({ method: 'POST', url: url.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), ...(signal && { signal }) }, where);
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const basic = basicHeader(credential);
      res = await this.#send({ method: 'GET', url: url.toString(), headers: basic ? { authorization: basic } : {}, ...(signal && { signal }) }, where);
    }
    if (res.status === 401 || res.status === 403) {
      await res.discard();
      throw this.#unauthorized(credential, `the token service ${url.host} answered HTTP ${res.status} for scope ${scopes.join(' ')}`);
    }
    if (res.status !== 200) {
      await res.discard();
      throw registryError('registry.protocol', `${where}: expected HTTP 200 with a token, found HTTP ${res.status}`);
    }
    const body = await res.read(1024 * 1024, where);
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch {
      // The body may hold a token: say only that it is not JSON.
      throw registryError('registry.protocol', `${where}: the token response is not JSON`);
    }
    const { token, access_token: accessToken, expires_in: expiresIn } = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    const value = typeof token === 'string' && token !== '' ? token : typeof accessToken === 'string' && accessToken !== '' ? accessToken : undefined;
    if (value === undefined) throw registryError('registry.protocol', `${where}: the token response has neither token nor access_token`);
    const seconds = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 60;
    const header = `Bearer ${value}`;
    // Renew a little early so a token does not expire between check and use.
    this.#tokens.set(scope, { header, expiresAt: this.#now() + seconds * 1000 * 0.9 });
    return header;
  }

  #unauthorized(credential: Credential, why: string): Error {
    return registryError('registry.unauthorized', `${this.#host}: not authorized as ${describeCredential(credential)}: ${why}`);
  }
}

function basicHeader(c: Credential): string | undefined {
  if (c.kind !== 'basic') return undefined;
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}
