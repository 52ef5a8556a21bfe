import type { Report, ReportNode } from '../report/model.js';
import { referenceOf, runningDigest } from './format.js';

/**
 * What `c` copies: the digest, the reference, or the command that re-checks the node by hand with
 * cosign or notation, built from the node's artifact and trust (never from Secret contents).
 */
export interface CopyOptions {
  /** spec.insecure: the registry is plain HTTP */
  readonly insecure?: boolean;
}

/** The node that carries the artifact: itself, or the first source below it that has one. */
export function artifactNode(report: Report, node: ReportNode): ReportNode | undefined {
  const byId = new Map(report.nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const find = (n: ReportNode): ReportNode | undefined => {
    if (n.artifact || n.git) return n;
    seen.add(n.id);
    for (const id of n.sourceIds) {
      const s = byId.get(id);
      const found = s && !seen.has(id) ? find(s) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  return find(node);
}

/** POSIX shell quoting, only where needed. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./^-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `kubectl verify git`, with the ref and mode Flux uses; the keys are the verify Secret's entries saved as files. */
function gitCommand(node: ReportNode): string | undefined {
  const g = node.git;
  if (!g?.mode) return undefined;
  const q = shellQuote;
  const r = g.ref;
  const ref = r.kind === 'branch' ? `--branch ${q(r.branch)}` : r.kind === 'tag' ? `--tag ${q(r.tag)}` : r.kind === 'semver' ? `--tag-semver ${q(r.constraint)}` : r.kind === 'name' ? `--ref ${q(r.name)}` : `--commit ${r.commit}${r.branch ? ` --branch ${q(r.branch)}` : ''}`;
  return `kubectl verify git ${q(g.url)} ${ref} --mode ${g.mode} --keys ./keys  # ./keys: the entries of Secret ${g.verifySecret ?? '?'}, one file each`;
}

export function verifyCommand(node: ReportNode, report: Report, opts: CopyOptions = {}): string | undefined {
  if (node.git) return gitCommand(node);
  const ref = referenceOf(node);
  if (!ref || !node.artifact) return undefined;
  const q = shellQuote;
  if (report.trustOverrides.length > 0) {
    // the flags were typed for kubectl verify, which takes cosign's and notation's spelling
    const notation = report.trustOverrides.some((o) => o.includes('notation') || o.includes('trust-policy'));
    return notation ? `notation verify ${opts.insecure ? '--insecure-registry ' : ''}${q(ref)}` : `cosign verify ${report.trustOverrides.join(' ')} ${opts.insecure ? '--allow-http-registry ' : ''}${q(ref)}`;
  }
  const tr = node.trust;
  if (!tr) return undefined;
  if (tr.provider === 'notation') return `notation verify ${opts.insecure ? '--insecure-registry ' : ''}${q(ref)}`;
  const insecure = opts.insecure ? ' --allow-http-registry' : '';
  if (tr.mode === 'cosign-key' && tr.secretRef) {
    // as Flux verifies keyed signatures: offline, without the transparency log
    return `cosign verify --key k8s://${tr.namespace}/${tr.secretRef} --insecure-ignore-tlog=true${insecure} ${q(ref)}`;
  }
  const ids = tr.matchOIDCIdentity.length > 0 ? tr.matchOIDCIdentity : [{ issuer: '.*', subject: '.*' }];
  const first = ids[0] as { issuer: string; subject: string };
  return `cosign verify --certificate-identity-regexp ${q(first.subject)} --certificate-oidc-issuer-regexp ${q(first.issuer)}${insecure} ${q(ref)}`;
}

export interface CopyTarget {
  readonly what: 'digest' | 'reference' | 'command';
  readonly text: string;
}

/** What a copy key copies, falling back to what the node has. */
export function copyTarget(kind: CopyTarget['what'], node: ReportNode, report: Report, opts: CopyOptions = {}): CopyTarget | undefined {
  const art = artifactNode(report, node);
  if (!art) return undefined;
  const digest = runningDigest(art) ?? art.artifact?.registryDigest;
  const reference = referenceOf(art) ?? (art.git?.running?.commit ? `${art.git.url}@${art.git.running.commit}` : undefined);
  const command = verifyCommand(art, report, opts);
  const order: CopyTarget['what'][] = kind === 'command' ? ['command', 'reference', 'digest'] : kind === 'reference' ? ['reference', 'digest'] : ['digest', 'reference'];
  const values = { digest, reference, command };
  for (const w of order) {
    const text = values[w];
    if (text) return { what: w, text };
  }
  return undefined;
}

/** OSC 52: the terminal puts the text on the system clipboard, also over SSH (as k9s falls back to). */
export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
}
