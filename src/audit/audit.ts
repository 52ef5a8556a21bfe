import { buildGraph } from '../graph/index.js';
import type { Graph, GraphNode, VerifyPlan } from '../graph/types.js';
import type { FluxObject, KubeProblem, ObjectSource, Scope } from '../kube/types.js';
import { openRegistry, parseArtifactRef, resolveRef, type OciRefSpec } from '../registry/index.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportNode } from '../report/model.js';
import { findingFor, summarise } from '../verdict/index.js';
import type { Finding, PlanOutcome, VerificationOutcome } from '../verdict/types.js';
import { describeError, isVerifyError } from '../errors.js';
import { verifyArtifact, type ArtifactTrust, type ArtifactVerification, type RegistryOpener } from './artifact.js';
import { inspectKeySecret, registryOptions, SecretCache, trustFromPlan } from './materials.js';

/**
 * The conductor: objects → graph → one verification per plan (the digest Flux runs, and the
 * registry's current digest when it moved) → a finding per node → the report. The only module that
 * knows the order of the steps; plans run with bounded concurrency and each Secret is read once.
 */
export interface AuditOptions {
  readonly scope: Scope;
  readonly now: Date;
  readonly version: string;
  /** trust from flags replacing every object's own (the report names them) */
  readonly override?: { readonly trust: ArtifactTrust; readonly labels: readonly string[] };
  readonly concurrency?: number;
  /** called as each plan finishes, for progress and streaming views */
  readonly onPlan?: (done: number, total: number) => void;
  /** serves registry references from elsewhere (the embedded demo) */
  readonly openStore?: RegistryOpener;
}

function toOutcome(v: ArtifactVerification): VerificationOutcome {
  return {
    state: v.state,
    code: v.code,
    message: v.message,
    ...(v.resolved ? { digest: v.resolved.digest } : {}),
    signatures: v.signatures,
    ...(v.notation ? { notation: { ...(v.notation.level ? { level: v.notation.level } : {}), outcome: v.notation.outcome } } : {}),
  };
}

function errorOutcome(e: unknown): VerificationOutcome {
  return { state: 'error', code: isVerifyError(e) ? e.code : 'internal', message: describeError(e), signatures: [] };
}

function refSpec(plan: VerifyPlan): OciRefSpec {
  const r = plan.artifact.ref;
  if (r.kind === 'digest') return { digest: r.digest };
  if (r.kind === 'semver') return { semver: r.constraint, ...(r.filter ? { semverFilter: r.filter } : {}) };
  return { tag: r.tag };
}

interface PlanResult {
  readonly outcome: PlanOutcome;
  readonly running?: ArtifactVerification;
  readonly next?: ArtifactVerification;
}

async function runPlan(plan: VerifyPlan, secrets: SecretCache, opts: AuditOptions): Promise<PlanResult> {
  const trustFrom = opts.override ? 'flag' : 'object';
  const overrides = opts.override ? { overrides: opts.override.labels } : {};
  const ref = parseArtifactRef(plan.artifact.url);
  if (ref.kind !== 'registry') throw new Error(`plan ${plan.id} is not a registry artifact`);
  const access = await registryOptions(plan.access, ref.host, ref.repository, secrets);

  let trust: ArtifactTrust | undefined = opts.override?.trust;
  let trustProblem: PlanOutcome['trustProblem'];
  let trustSecret: PlanOutcome['trustSecret'];
  if (!trust && plan.trust) {
    const t = await trustFromPlan(plan.trust, secrets);
    if ('code' in t) trustProblem = t;
    else trust = t;
    trustSecret = await inspectKeySecret(plan.trust, secrets);
  }

  // what the reference resolves to now, as Flux's next reconcile will see it
  let registryDigest: string | undefined;
  let registryTag: string | undefined;
  let registryError: PlanOutcome['registryError'];
  const store = opts.openStore ? await opts.openStore(ref, access.options) : openRegistry(ref, access.options);
  try {
    const resolved = await resolveRef(store, refSpec(plan), { helmChart: plan.artifact.chart !== undefined });
    registryDigest = resolved.descriptor.digest;
    registryTag = resolved.tag;
  } catch (e) {
    registryError = { code: isVerifyError(e) ? e.code : 'internal', message: describeError(e) };
  } finally {
    await store.close();
  }
  // a pull Secret that does not exist (or does not parse) fails Flux's pull even where anonymous access
  // would work; one we may merely not read says nothing about Flux, and anonymous access is tried
  const broken = access.problems.find((p) => p.code === 'secret.not-found' || p.code === 'registry.credentials');
  if (!registryError && broken) registryError = { code: 'registry.credentials', message: `${broken.secret ? `Secret ${broken.secret}: ` : ''}${broken.message}` };

  const base = { trustFrom, ...overrides, ...(registryDigest ? { registryDigest } : {}), ...(registryTag ? { registryTag } : {}), ...(registryError ? { registryError } : {}), ...(trustProblem ? { trustProblem } : {}), ...(trustSecret ? { trustSecret } : {}) } as const;
  if (!trust) return { outcome: base };

  const verify = async (digest: string): Promise<ArtifactVerification | VerificationOutcome> => {
    try {
      return await verifyArtifact(`${plan.artifact.url}@${digest}`, trust, { now: opts.now, registry: access.options, ...(opts.openStore ? { openStore: opts.openStore } : {}) });
    } catch (e) {
      return errorOutcome(e);
    }
  };
  // Flux stores no OCI digest for a HelmChart and verifies the tag on every reconcile: the tag's digest is what it runs
  const runningDigest = plan.artifact.running?.digest ?? (plan.artifact.chart ? registryDigest : undefined);
  const running = runningDigest ? await verify(runningDigest) : undefined;
  const next = registryDigest && registryDigest !== runningDigest ? await verify(registryDigest) : undefined;
  const outcomeOf = (v: ArtifactVerification | VerificationOutcome): VerificationOutcome => ('reference' in v ? toOutcome(v) : v);
  return {
    outcome: { ...base, ...(running ? { running: outcomeOf(running) } : {}), ...(next ? { next: outcomeOf(next) } : {}) },
    ...(running && 'reference' in running ? { running } : {}),
    ...(next && 'reference' in next ? { next } : {}),
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>, onDone: (n: number) => void): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let nextIndex = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = nextIndex++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T);
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A running audit: the graph is known, plans finish one by one; `snapshot()` is the report so far. */
export interface AuditRun {
  /** number of plans (artifact verifications) in all */
  readonly total: number;
  completed(): number;
  /** the report as of now: nodes whose plan has not finished are `pending` */
  snapshot(): Report;
  /** the final report, once every plan has finished */
  readonly done: Promise<Report>;
  /** the object behind a node id as it was read (for the YAML view); undefined for dangling and generated nodes */
  rawObject(id: string): unknown;
}

/**
 * Lists the objects and builds the graph, then verifies plans in the background. `onChange` runs
 * after each plan; a streaming view calls `snapshot()` at its own pace (assembling recomputes every
 * finding, so views throttle it rather than calling it per plan).
 */
export async function startAudit(source: ObjectSource, opts: AuditOptions, onChange?: () => void): Promise<AuditRun> {
  const listed = await source.list(opts.scope);
  const problems: KubeProblem[] = [...listed.problems];
  const graph = buildGraph(listed.objects);
  const secrets = new SecretCache(source);
  const results = new Map<string, PlanResult>();
  let completed = 0;
  const snapshot = (): Report => assemble(graph, results, problems, source, opts);
  const trustFrom = opts.override ? 'flag' : 'object';
  const done = mapLimit(
    graph.plans,
    opts.concurrency ?? 8,
    async (p) => {
      const r = await runPlan(p, secrets, opts).catch((e: unknown): PlanResult => ({ outcome: { trustFrom, registryError: { code: isVerifyError(e) ? e.code : 'internal', message: describeError(e) } } }));
      results.set(p.id, r);
    },
    (n) => {
      completed = n;
      opts.onPlan?.(n, graph.plans.length);
      onChange?.();
    },
  ).then(snapshot);
  const raws = new Map(graph.nodes.flatMap((n) => (n.type === 'object' ? [[n.id, n.object.raw] as const] : [])));
  return { total: graph.plans.length, completed: () => completed, snapshot, done, rawObject: (id) => raws.get(id) };
}

export async function audit(source: ObjectSource, opts: AuditOptions): Promise<Report> {
  return (await startAudit(source, opts)).done;
}

function assemble(graph: Graph, byPlan: ReadonlyMap<string, PlanResult>, problems: readonly KubeProblem[], source: ObjectSource, opts: AuditOptions): Report {
  const plans = new Map(graph.plans.map((p) => [p.id, p]));
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
    const f = findingFor(node, result?.outcome, { now: opts.now, sourceFindings, fromFiles: source.description.files !== undefined });
    findings.set(node.id, f);
    return f;
  };
  for (const n of graph.nodes) decide(n, new Set());

  const nodes: ReportNode[] = graph.nodes.map((n) => {
    const plan = n.planId ? plans.get(n.planId) : undefined;
    const r = n.planId ? byPlan.get(n.planId) : undefined;
    const obj: FluxObject | undefined = n.type === 'object' ? n.object : undefined;
    return {
      id: n.id,
      kind: n.kind,
      ...(obj ? { apiVersion: obj.apiVersion } : {}),
      namespace: n.namespace,
      name: n.name,
      type: n.type,
      sourceIds: n.sourceIds,
      consumerIds: n.consumerIds,
      notes: n.notes,
      ...(plan ? { artifact: { ...plan.artifact, ...(r?.outcome.registryDigest ? { registryDigest: r.outcome.registryDigest } : {}), ...(r?.outcome.registryTag ? { registryTag: r.outcome.registryTag } : {}) } } : {}),
      ...(n.trust ? { trust: n.trust } : {}),
      signatures: r?.running?.signatures ?? (plan?.artifact.running?.digest ? [] : (r?.next?.signatures ?? [])),
      ...(r?.next && r.running ? { nextSignatures: r.next.signatures } : {}),
      finding: findings.get(n.id) as Finding,
    };
  });

  const d = source.description;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: opts.now.toISOString(),
    tool: { name: 'kubectl-verify', version: opts.version },
    source: { ...(d.context ? { context: d.context } : {}), ...(d.cluster ? { cluster: d.cluster } : {}), ...(d.server ? { server: d.server } : {}), ...(d.files ? { files: d.files } : {}), ...(d.demo ? { demo: d.demo } : {}) },
    scope: { ...(opts.scope.namespace ? { namespace: opts.scope.namespace } : {}), allNamespaces: opts.scope.namespace === undefined, ...(opts.scope.labelSelector ? { selector: opts.scope.labelSelector } : {}) },
    trustOverrides: opts.override?.labels ?? [],
    summary: summarise([...findings.values()]),
    problems,
    nodes,
  };
}
