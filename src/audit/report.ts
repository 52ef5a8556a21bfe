import type { GitPlan, GitPlanRef, Graph, GraphNode, GraphNote, PlanArtifact, PlanRef, PlanTrust, RunningRevision } from '../graph/types.js';
import type { IdentityMatch, KubeProblem, ObjectSource, Scope } from '../kube/types.js';
import type * as S from '../report/schema.js';
import { REPORT_SCHEMA_VERSION } from '../report/schema.js';
import { findingFor, summarise } from '../verdict/index.js';
import type { ReasonCode } from '../verdict/reasons.js';
import type { Drift, Finding, FluxCondition, FluxView, GitPlanOutcome, GitVerification, PlanOutcome } from '../verdict/types.js';
import type { Attempt, Check, FoundAt, SignatureEvidence, Signer, TrustRef } from '../verify/evidence.js';
import { withVersionNotes } from './flux-version.js';

/**
 * Findings for every node (sources before consumers) and the mapping of the internal types onto the
 * published schema (src/report/schema.ts). Each field is named here: an internal field that is renamed
 * or retyped fails to compile below, and one that is added does not reach the output unless it is
 * mapped here and written into the schema.
 */

/** What a plan's run left for the report (audit.ts's PlanResult). */
export interface PlanReportInput {
  readonly outcome: PlanOutcome;
  readonly running?: { readonly signatures: readonly SignatureEvidence[] };
  readonly next?: { readonly signatures: readonly SignatureEvidence[] };
}

/** The audit's options the report states (AuditOptions). */
export interface ReportContext {
  readonly scope: Scope;
  readonly now: Date;
  readonly version: string;
  readonly override?: { readonly labels: readonly string[] };
  /** the Flux version the rules are read at (audit/flux-version.ts) */
  readonly flux?: S.ReportFlux;
}

// The published reason codes are exactly verdict/'s: `reasons: f.reasons` below fails on a code the
// schema lacks, and this on a code the schema promises that verdict/ no longer gives.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _reasonCodesMatch: Same<ReasonCode, S.ReasonCode> = true;

export function assemble(graph: Graph, byPlan: ReadonlyMap<string, PlanReportInput>, listed: readonly KubeProblem[], source: Pick<ObjectSource, 'description'>, opts: ReportContext, byGitPlan: ReadonlyMap<string, GitPlanOutcome> = new Map()): S.Report {
  const plans = new Map(graph.plans.map((p) => [p.id, p]));
  const gitPlans = new Map(graph.gitPlans.map((p) => [p.id, p]));
  // sources before consumers, so a consumer's finding can inherit its sources'
  const findings = new Map<string, Finding>();
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const decide = (node: GraphNode, seen: Set<string>): Finding => {
    const known = findings.get(node.id);
    if (known) return known;
    seen.add(node.id);
    const sourceFindings = node.sourceIds.flatMap((id) => {
      const s = byId.get(id);
      return s && !seen.has(id) ? [decide(s, seen)] : [];
    });
    const result = node.planId ? byPlan.get(node.planId) : undefined;
    const git = node.gitPlanId ? byGitPlan.get(node.gitPlanId) : undefined;
    const f = findingFor(node, result?.outcome, { now: opts.now, sourceFindings, fromFiles: source.description.files !== undefined }, git);
    findings.set(node.id, f);
    return f;
  };
  for (const n of graph.nodes) decide(n, new Set());

  const nodes: S.ReportNode[] = graph.nodes.map((n) => {
    const plan = n.planId ? plans.get(n.planId) : undefined;
    const r = n.planId ? byPlan.get(n.planId) : undefined;
    const gitPlan = n.gitPlanId ? gitPlans.get(n.gitPlanId) : undefined;
    const g = n.gitPlanId ? byGitPlan.get(n.gitPlanId) : undefined;
    const list = g ? gitSignatures(g.running ?? g.next) : (r?.running?.signatures ?? (plan?.artifact.running?.digest ? [] : (r?.next?.signatures ?? [])));
    const own: Omit<S.ReportNode, 'finding'> = {
      id: n.id,
      kind: n.kind,
      ...(n.type === 'object' ? { apiVersion: n.object.apiVersion } : {}),
      namespace: n.namespace,
      name: n.name,
      type: n.type,
      sourceIds: n.sourceIds,
      consumerIds: n.consumerIds,
      notes: notes(n.notes),
      ...(plan ? { artifact: artifact(plan.artifact, r?.outcome) } : {}),
      ...(gitPlan ? { git: gitField(gitPlan, g) } : {}),
      ...(n.trust ? { trust: trust(n.trust) } : {}),
      signatures: signatures(list),
      ...(r?.next && r.running ? { nextSignatures: signatures(r.next.signatures) } : {}),
      ...(g?.next && g.running ? { nextSignatures: signatures(gitSignatures(g.next)) } : {}),
    };
    // the version notes are read from what the node shows (and its plan's registry access)
    return { ...own, finding: finding(withVersionNotes(findings.get(n.id) as Finding, own, plan?.access, opts.flux)) };
  });

  const d = source.description;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: opts.now.toISOString(),
    tool: { name: 'kubectl-verify', version: opts.version },
    source: { ...(d.context ? { context: d.context } : {}), ...(d.cluster ? { cluster: d.cluster } : {}), ...(d.server ? { server: d.server } : {}), ...(d.files ? { files: d.files } : {}), ...(d.demo ? { demo: { capturedAt: d.demo.capturedAt } } : {}) },
    scope: { ...(opts.scope.namespace ? { namespace: opts.scope.namespace } : {}), allNamespaces: opts.scope.namespace === undefined, ...(opts.scope.labelSelector ? { selector: opts.scope.labelSelector } : {}) },
    trustOverrides: opts.override?.labels ?? [],
    summary: summarise([...findings.values()]),
    ...(opts.flux ? { flux: opts.flux } : {}),
    problems: listed.map(problem),
    nodes,
  };
}

/**
 * `fields` with its keys in the order `from` holds them. JSON keeps insertion order, and verify/ builds
 * some shapes in more than one order (a signer before or after the attempts), so the output follows the
 * internal value's order, as when the internal values were printed as they are.
 */
function inOrderOf<T extends object>(from: object, fields: T): T {
  const src = fields as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(from)) if (Object.hasOwn(src, k)) out[k] = src[k];
  for (const k of Object.keys(src)) if (!Object.hasOwn(out, k)) out[k] = src[k];
  return out as T;
}

/** `{ [key]: value }` when the value is present, else nothing: absent fields stay absent. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * One mapped value per internal value. Evidence, trust and notes are immutable and shared (by the
 * nodes of a plan, by the attempts made with one key): mapped once, they stay shared, so a fleet of
 * thousands of objects over a few artifacts holds one copy, snapshots cost little, and `-o yaml`,
 * which writes a value met twice as an anchor and aliases, writes the same anchors as before.
 */
function memo<I extends object, O>(fn: (i: I) => O): (i: I) => O {
  const cache = new WeakMap<I, O>();
  return (i) => {
    let o = cache.get(i);
    if (o === undefined) {
      o = fn(i);
      cache.set(i, o);
    }
    return o;
  };
}

function each<I extends object, O>(fn: (i: I) => O): (list: readonly I[]) => readonly O[] {
  return memo((list: readonly I[]) => list.map((i) => fn(i)));
}

const problem = memo((p: KubeProblem): S.ReportProblem => inOrderOf(p, { code: p.code, message: p.message, ...opt('kind', p.kind), ...opt('namespace', p.namespace) }));

const notes = each(memo((n: GraphNote): S.ReportNote => inOrderOf(n, { code: n.code, message: n.message })));

/** Fresh per node, as the registry's answer is the plan's; its parts are the plan's own. */
function artifact(a: PlanArtifact, outcome: PlanOutcome | undefined): S.ReportArtifact {
  const own = inOrderOf(a, { url: a.url, ref: ref(a.ref), ...opt('running', a.running && running(a.running)), ...opt('chart', a.chart && chart(a.chart)) });
  // falsy values were never written: an empty digest or tag says nothing
  return { ...own, ...(outcome?.registryDigest ? { registryDigest: outcome.registryDigest } : {}), ...(outcome?.registryTag ? { registryTag: outcome.registryTag } : {}) };
}

const ref = memo((r: PlanRef): S.ReportRef => {
  switch (r.kind) {
    case 'digest':
      return inOrderOf(r, { kind: r.kind, digest: r.digest });
    case 'semver':
      return inOrderOf(r, { kind: r.kind, constraint: r.constraint, ...opt('filter', r.filter), helmTags: r.helmTags });
    case 'tag':
      return inOrderOf(r, { kind: r.kind, tag: r.tag });
  }
});

const running = memo((r: RunningRevision): S.RunningRevision => inOrderOf(r, { revision: r.revision, ...opt('tag', r.tag), ...opt('digest', r.digest) }));

/** Tag first, then the commit: the order source-controller checks them in. */
const gitSignatures = (v: GitVerification | undefined): readonly SignatureEvidence[] => v?.steps.map((s) => s.evidence) ?? [];

const gitRef = memo((r: GitPlanRef): S.ReportGitRef => {
  switch (r.kind) {
    case 'commit':
      return inOrderOf(r, { kind: r.kind, commit: r.commit, ...opt('branch', r.branch) });
    case 'name':
      return inOrderOf(r, { kind: r.kind, name: r.name });
    case 'tag':
      return inOrderOf(r, { kind: r.kind, tag: r.tag });
    case 'semver':
      return inOrderOf(r, { kind: r.kind, constraint: r.constraint });
    case 'branch':
      return inOrderOf(r, { kind: r.kind, branch: r.branch });
  }
});

/** A Git plan's published part, for `kubectl verify git`: the repository and the signatures of the commit checked. */
export function gitReport(p: GitPlan, o: GitPlanOutcome | undefined): { readonly git: S.ReportGit; readonly signatures: readonly S.ReportSignature[] } {
  return { git: gitField(p, o), signatures: signatures(o ? gitSignatures(o.running ?? o.next) : []) };
}

/** Fresh per node, as the remote's answer is the plan's. */
function gitField(p: GitPlan, o: GitPlanOutcome | undefined): S.ReportGit {
  const remoteTag = o?.remote?.tag;
  return {
    url: p.url,
    ref: gitRef(p.ref),
    ...opt('mode', p.verify?.mode),
    ...opt('verifySecret', p.verify?.secretRef === undefined ? undefined : `${p.verify.namespace}/${p.verify.secretRef}`),
    ...opt('running', p.running && { revision: p.running.revision, ...opt('commit', p.running.commit) }),
    ...opt('remoteCommit', o?.remote?.commit),
    ...opt('remoteTag', remoteTag && { name: remoteTag.name, ...opt('object', remoteTag.object) }),
    ...opt('remoteError', o?.remoteError && { code: o.remoteError.code, message: o.remoteError.message }),
  };
}

const chart = memo((c: NonNullable<PlanArtifact['chart']>): NonNullable<S.ReportArtifact['chart']> => inOrderOf(c, { name: c.name, version: c.version }));

const identities = each(memo((m: IdentityMatch): S.ReportTrust['matchOIDCIdentity'][number] => inOrderOf(m, { issuer: m.issuer, subject: m.subject })));

const trust = memo(
  (t: PlanTrust): S.ReportTrust =>
    inOrderOf(t, {
      provider: t.provider,
      mode: t.mode,
      namespace: t.namespace,
      ...opt('secretRef', t.secretRef),
      matchOIDCIdentity: identities(t.matchOIDCIdentity),
      ...opt('trustedRootSecretRef', t.trustedRootSecretRef),
      origin: t.origin,
    }),
);

const foundAt = memo((f: FoundAt): S.FoundAt => inOrderOf(f, { via: f.via, ...opt('digest', f.digest), ...opt('tag', f.tag) }));

const signer = memo(
  (s: Signer): S.Signer =>
    inOrderOf(s, {
      kind: s.kind,
      ...opt('keyFingerprint', s.keyFingerprint),
      ...opt('keyId', s.keyId),
      ...opt('userIds', s.userIds),
      ...opt('keyAlgorithm', s.keyAlgorithm),
      ...opt('subject', s.subject),
      ...opt('san', s.san),
      ...opt('issuer', s.issuer),
      ...opt('notBefore', s.notBefore),
      ...opt('notAfter', s.notAfter),
      ...opt('certFingerprint', s.certFingerprint),
    }),
);

const trustRef = memo((t: TrustRef): S.TrustRef => inOrderOf(t, { kind: t.kind, label: t.label, ...opt('fingerprint', t.fingerprint), source: t.source }));

const checks = each(memo((c: Check): S.Check => inOrderOf(c, { check: c.check, ok: c.ok, code: c.code, message: c.message })));

const attempts = each(memo((a: Attempt): S.Attempt => inOrderOf(a, { trust: trustRef(a.trust), ok: a.ok, checks: checks(a.checks) })));

const signatureError = memo((e: NonNullable<SignatureEvidence['error']>): NonNullable<S.ReportSignature['error']> => inOrderOf(e, { code: e.code, message: e.message }));

const signatures = each(
  memo(
    (s: SignatureEvidence): S.ReportSignature =>
      inOrderOf(s, {
        mechanism: s.mechanism,
        foundAt: foundAt(s.foundAt),
        ...opt('signer', s.signer && signer(s.signer)),
        verified: s.verified,
        ...opt('fluxVerified', s.fluxVerified),
        attempts: attempts(s.attempts),
        ...opt('error', s.error && signatureError(s.error)),
      }),
  ),
);

const condition = memo((c: FluxCondition & { readonly revision?: string }): S.FluxCondition & { readonly revision?: string } => inOrderOf(c, { status: c.status, ...opt('reason', c.reason), ...opt('message', c.message), ...opt('revision', c.revision) }));

const fluxView = memo(
  (v: FluxView): S.FluxView =>
    inOrderOf(v, { ...opt('ready', v.ready && condition(v.ready)), ...opt('sourceVerified', v.sourceVerified && condition(v.sourceVerified)), ...opt('agrees', v.agrees), stale: v.stale }),
);

const findingRunning = memo((r: NonNullable<Finding['running']>): NonNullable<S.Finding['running']> => inOrderOf(r, { ...opt('revision', r.revision), ...opt('digest', r.digest) }));

const drift = memo((d: Drift): S.Drift => inOrderOf(d, { ...opt('runningDigest', d.runningDigest), ...opt('registryDigest', d.registryDigest), nextReconcile: d.nextReconcile }));

const finding = memo(
  (f: Finding): S.Finding =>
    inOrderOf(f, {
      state: f.state,
      reasons: f.reasons,
      message: f.message,
      next: f.next,
      flux: fluxView(f.flux),
      ...opt('running', f.running && findingRunning(f.running)),
      ...opt('drift', f.drift && drift(f.drift)),
      ...opt('appliedRevision', f.appliedRevision),
      ...opt('appliedIsVerified', f.appliedIsVerified),
      ...opt('versionNotes', f.versionNotes && versionNotes(f.versionNotes)),
    }),
);

const versionNotes = each(memo((v: NonNullable<Finding['versionNotes']>[number]): S.VersionNote => inOrderOf(v, { rule: v.rule, from: v.from, message: v.message })));
