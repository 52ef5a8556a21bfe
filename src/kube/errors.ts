import { VerifyError } from '../errors.js';
import { isRecord } from './read.js';
import type { FluxKind, KubeProblem } from './types.js';

/**
 * Failures of kube/ as stable codes. Configuration mistakes are thrown (the run cannot start);
 * failures of one request become KubeProblem values through `toProblem`, so one forbidden kind or
 * namespace does not end the run. Messages come from the API server's Status where there is one and
 * never carry response bodies, headers or Secret values.
 */
export type KubeCode =
  | 'kube.no-config'
  | 'kube.invalid-config'
  | 'kube.context-not-found'
  | 'kube.cluster-not-found'
  | 'kube.user-not-found'
  | 'kube.invalid-flag'
  | 'kube.invalid-selector'
  | 'kube.auth-plugin'
  /** credentials configured for an http:// API server: refused before anything is sent */
  | 'kube.insecure-credentials'
  | 'kube.unauthorized'
  | 'kube.forbidden'
  | 'kube.not-found'
  | 'kube.gone'
  | 'kube.unreachable'
  | 'kube.tls'
  | 'kube.timeout'
  | 'kube.aborted'
  | 'kube.api'
  | 'kube.crd-missing'
  | 'kube.malformed'
  | 'kube.unsupported-version'
  | 'file.not-found'
  | 'file.invalid'
  | 'file.unreadable'
  | 'file.duplicate'
  | 'file.unavailable';

export class KubeError extends VerifyError<KubeCode> {
  /** the HTTP status, when the API server answered */
  readonly status?: number;
  constructor(code: KubeCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubeError';
    if (options?.status !== undefined) this.status = options.status;
  }
}

export function isKubeError(e: unknown): e is KubeError {
  return e instanceof KubeError;
}

/** What the API server said about a failed request: the message and reason of its Status body. */
export function statusOf(body: unknown): { message?: string; reason?: string } {
  if (!isRecord(body) || body['kind'] !== 'Status') return {};
  return {
    ...(typeof body['message'] === 'string' && { message: body['message'] }),
    ...(typeof body['reason'] === 'string' && { reason: body['reason'] }),
  };
}

/** An HTTP answer other than 2xx as a KubeError. `what` says what was asked ("list helmcharts…"). */
export function statusError(status: number, body: unknown, what: string, server: string): KubeError {
  const s = statusOf(body);
  const said = s.message ?? `HTTP ${status}`;
  switch (status) {
    case 401:
      return new KubeError('kube.unauthorized', `${what}: the API server at ${server} did not accept the credentials (401 ${s.message ?? 'Unauthorized'})`, { status });
    case 403: {
      // the Status message names the user, verb, resource and namespace; the hint says what to grant
      const refusal = refusalOf(body);
      return new KubeError('kube.forbidden', refusal ? `${said}; ${grantHint(refusal)}` : said, { status });
    }
    case 404:
      return new KubeError('kube.not-found', s.message ?? `${what}: not found`, { status });
    case 410:
      return new KubeError('kube.gone', `${what}: ${said}`, { status });
    case 504:
      return new KubeError('kube.timeout', `${what}: ${said}`, { status });
    default:
      if (s.reason === 'Timeout') return new KubeError('kube.timeout', `${what}: ${said}`, { status });
      return new KubeError('kube.api', `${what}: ${said} (HTTP ${status})`, { status });
  }
}

/**
 * What RBAC refused, as the API server words it (k8s.io/apiserver's forbiddenMessage): `User "U"
 * cannot VERB resource "RES[/SUB]" in API group "G" in the namespace "NS"` (or `at the cluster
 * scope`), or `User "U" cannot VERB path "/P"` for a URL that is not a resource. `name` is the
 * object asked for (a get), from the Status details.
 */
export interface Refusal {
  readonly user: string;
  readonly verb: string;
  /** plural resource name, with `/subresource` when there is one; absent for a non-resource URL */
  readonly resource?: string;
  readonly group?: string;
  /** absent: the request was cluster-wide (a list in all namespaces, or a cluster-scoped kind) */
  readonly namespace?: string;
  readonly name?: string;
  /** a non-resource URL such as /apis/source.toolkit.fluxcd.io */
  readonly path?: string;
}

const RESOURCE_REFUSAL = /User "([^"]*)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)"| at the cluster scope)/;
const OBJECT_FORBIDDEN = /^\S+ "([^"]+)" is forbidden: /;
const PATH_REFUSAL = /User "([^"]*)" cannot (\S+) path "([^"]+)"/;

/** The refusal a forbidden message describes, or undefined when it is not worded as the API server words it. */
export function refusalIn(message: string): Refusal | undefined {
  const r = RESOURCE_REFUSAL.exec(message);
  if (r) {
    const [, user, verb, resource, group, namespace] = r as unknown as [string, string, string, string, string, string | undefined];
    // apimachinery's NewForbidden: `secrets "cosign-pub" is forbidden: …` when one object was asked for
    const name = OBJECT_FORBIDDEN.exec(message)?.[1];
    return { user, verb, resource, group, ...(namespace !== undefined && { namespace }), ...(name !== undefined && { name }) };
  }
  const p = PATH_REFUSAL.exec(message);
  if (p) return { user: p[1] as string, verb: p[2] as string, path: p[3] as string };
  return undefined;
}

/** The refusal in a 403 Status body, with the object's name from its details. */
export function refusalOf(body: unknown): Refusal | undefined {
  const message = statusOf(body).message;
  const refusal = message === undefined ? undefined : refusalIn(message);
  if (!refusal || !isRecord(body) || !isRecord(body['details'])) return refusal;
  const name = body['details']['name'];
  return typeof name === 'string' && name !== '' ? { ...refusal, name } : refusal;
}

/** a word for the command line, quoted when the shell would split or expand it */
function shellWord(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * What to grant, in RBAC's words, and the `kubectl auth can-i` that checks it for the same user:
 * `grant get on secrets in namespace apps (kubectl auth can-i get secrets/cosign-pub -n apps --as
 * alice)`. Groups the user was impersonated with are not in the API server's message, so the
 * check names the user alone.
 */
export function grantHint(r: Refusal): string {
  const as = r.user !== '' ? ` --as ${shellWord(r.user)}` : '';
  if (r.resource === undefined) {
    const path = r.path ?? '/';
    return `grant ${r.verb} on the URL ${path} (kubectl auth can-i ${r.verb} ${shellWord(path)}${as})`;
  }
  const [plural, sub] = r.resource.split('/') as [string, string | undefined];
  const qualified = r.group ? `${plural}.${r.group}` : plural;
  const what = `${qualified}${sub ? ` (subresource ${sub})` : ''}`;
  const target = `${qualified}${r.name ? `/${r.name}` : ''}`;
  const subFlag = sub ? ` --subresource ${sub}` : '';
  if (r.namespace !== undefined) {
    return `grant ${r.verb} on ${what} in namespace ${r.namespace} (kubectl auth can-i ${r.verb} ${shellWord(target)}${subFlag} -n ${shellWord(r.namespace)}${as})`;
  }
  return `grant ${r.verb} on ${what} cluster-wide, with a ClusterRoleBinding (kubectl auth can-i ${r.verb} ${shellWord(target)}${subFlag} -A${as})`;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_OSSL_)/;
const NET_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED', 'EADDRNOTAVAIL']);

function errorChain(e: unknown): { code?: string; message: string }[] {
  const out: { code?: string; message: string }[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    if (cur instanceof AggregateError && cur.errors.length > 0) cur = cur.errors[0];
    const code = isRecord(cur) && typeof cur['code'] === 'string' ? cur['code'] : undefined;
    const message = cur instanceof Error ? cur.message : String(cur);
    out.push({ ...(code !== undefined && { code }), message });
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return out;
}

/** A request that got no HTTP answer: connection refused, DNS, TLS, timeout, or abort. */
export function transportError(e: unknown, what: string, server: string): KubeError {
  if (e instanceof KubeError) return e;
  const chain = errorChain(e);
  const tls = chain.find((c) => c.code !== undefined && TLS_CODES.test(c.code));
  if (tls) return new KubeError('kube.tls', `${what}: TLS with the API server at ${server} failed: ${tls.message}`, { cause: e });
  const net = chain.find((c) => c.code !== undefined && NET_CODES.has(c.code));
  if (net) return new KubeError('kube.unreachable', `${what}: cannot reach the API server at ${server}: ${net.message}`, { cause: e });
  const first = chain[0]?.message.split('\n')[0] ?? 'unknown error';
  return new KubeError('kube.api', `${what}: ${first}`, { cause: e });
}

/** One failed request as a value for the report. */
export function toProblem(e: unknown, where: { kind?: FluxKind | 'Secret' | 'ServiceAccount'; namespace?: string }): KubeProblem {
  const err = e instanceof KubeError ? e : transportError(e, 'request', 'the API server');
  return {
    code: err.code,
    message: err.message,
    ...(where.kind !== undefined && { kind: where.kind }),
    ...(where.namespace !== undefined && { namespace: where.namespace }),
  };
}
