import { buildGraph } from '../graph/index.js';
import type { GitPlan, VerifyPlan } from '../graph/types.js';
import { GitClient } from '../git/index.js';
import type { KubeProblem, ObjectSource, Scope } from '../kube/types.js';
import { parseRepositoryUrl, RegistryPool, resolveRef } from '../registry/index.js';
import type { Report } from '../report/model.js';
import type { GitPlanOutcome, PlanOutcome, VerificationOutcome } from '../verdict/types.js';
import { errorProblem } from '../errors.js';
import { VerificationMemo, verifyArtifact, type ArtifactTrust, type ArtifactVerification, type RegistryOpener } from './artifact.js';
import { inspectKeySecret, registryOptions, SecretCache, trustFingerprint, trustFromPlan, type TrustFingerprint } from './materials.js';
import { fluxFor, type FluxTarget } from './flux-version.js';
import { runGitPlan } from './git.js';
import { assemble } from './report.js';

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
  /** --flux-version: read the version rules at this source-controller instead of the running one */
  readonly fluxVersion?: FluxTarget;
  /**
   * -w: results of earlier runs by plan inputs (audit/watch.ts keys them by everything runPlan reads of
   * a plan); a plan found here is not verified again, and each result of this run is offered back
   */
  readonly reuse?: {
    get(plan: VerifyPlan): PlanResult | undefined;
    set(plan: VerifyPlan, result: PlanResult): void;
    /** the Secrets read so far, when an earlier audit's reads may stand (a -w re-check); default: read afresh */
    secrets?(source: ObjectSource): SecretCache;
  };
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
  return { state: 'error', ...errorProblem(e), signatures: [] };
}

/**
 * What the plans of one audit share: one registry pool (a client per host, every read once per
 * artifact and credentials) and one verification per (digest, credentials, trust material).
 */
interface Shared {
  readonly pool: RegistryPool;
  readonly verified: VerificationMemo;
  /** one Git client for the run: connections per remote */
  readonly git: GitClient;
}

function openShared(opts: AuditOptions): Shared {
  return { pool: new RegistryPool(opts.openStore ? { opener: opts.openStore } : {}), verified: new VerificationMemo(), git: new GitClient() };
}

interface PlanResult {
  readonly outcome: PlanOutcome;
  readonly running?: ArtifactVerification;
  readonly next?: ArtifactVerification;
}

async function runPlan(plan: VerifyPlan, secrets: SecretCache, opts: AuditOptions, shared: Shared): Promise<PlanResult> {
  const trustFrom = opts.override ? 'flag' : 'object';
  const overrides = opts.override ? { overrides: opts.override.labels } : {};
  const repo = plan.location ?? parseRepositoryUrl(plan.artifact.url);
  if (repo.kind === 'invalid') return { outcome: { trustFrom, registryError: { code: repo.code, message: repo.message } } };
  const access = await registryOptions(plan.access, repo.host, repo.repository, secrets);

  let trust: ArtifactTrust | undefined = opts.override?.trust;
  let fingerprint: TrustFingerprint | undefined = opts.override ? { fingerprint: 'flags' } : undefined;
  let trustProblem: PlanOutcome['trustProblem'];
  let trustSecret: PlanOutcome['trustSecret'];
  if (!trust && plan.trust) {
    const t = await trustFromPlan(plan.trust, secrets);
    if ('code' in t) trustProblem = t;
    else {
      trust = t;
      fingerprint = await trustFingerprint(plan.trust, secrets);
    }
    trustSecret = await inspectKeySecret(plan.trust, secrets);
  }

  // what the reference resolves to now, as Flux's next reconcile will see it; the pool's store is
  // shared with every plan naming this repository with the same credentials, and closed with the pool
  let registryDigest: string | undefined;
  let registryTag: string | undefined;
  let registryError: PlanOutcome['registryError'];
  const store = await shared.pool.store(repo, access.options);
  try {
    const resolved = await resolveRef(store, plan.artifact.ref);
    registryDigest = resolved.descriptor.digest;
    registryTag = resolved.tag;
  } catch (e) {
    registryError = errorProblem(e);
  }
  // a pull Secret that does not exist (or does not parse) fails Flux's pull even where anonymous access
  // would work; one we may merely not read says nothing about Flux, and anonymous access is tried
  const broken = access.problems.find((p) => p.code === 'secret.not-found' || p.code === 'registry.credentials');
  if (!registryError && broken) registryError = { code: 'registry.credentials', message: `${broken.secret ? `Secret ${broken.secret}: ` : ''}${broken.message}` };

  const base = { trustFrom, ...overrides, ...(registryDigest ? { registryDigest } : {}), ...(registryTag ? { registryTag } : {}), ...(registryError ? { registryError } : {}), ...(trustProblem ? { trustProblem } : {}), ...(trustSecret ? { trustSecret } : {}) } as const;
  if (!trust || !fingerprint) return { outcome: base };

  const readKey = shared.pool.readKey(repo, access.options);
  const fp = fingerprint;
  const verify = async (digest: string): Promise<ArtifactVerification | VerificationOutcome> => {
    try {
      const run = (): Promise<ArtifactVerification> => verifyArtifact({ ...repo, digest }, trust, { now: opts.now, registry: access.options, pool: shared.pool });
      return await shared.verified.run(`${readKey}\n${digest}\n${fp.fingerprint}`, fp.label, run);
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
  const [listed, flux] = await Promise.all([source.list(opts.scope), fluxFor(source, opts.fluxVersion)]);
  const problems: KubeProblem[] = [...listed.problems];
  const graph = buildGraph(listed.objects);
  const secrets = opts.reuse?.secrets?.(source) ?? new SecretCache(source);
  const results = new Map<string, PlanResult>();
  const gitResults = new Map<string, GitPlanOutcome>();
  let completed = 0;
  const snapshot = (): Report => assemble(graph, results, problems, source, flux ? { ...opts, flux } : opts, gitResults);
  const trustFrom = opts.override ? 'flag' : 'object';
  const shared = openShared(opts);
  // OCI and Git plans share the concurrency bound and the progress count
  const work: ({ oci: VerifyPlan } | { git: GitPlan })[] = [...graph.plans.map((oci) => ({ oci })), ...graph.gitPlans.map((git) => ({ git }))];
  const done = mapLimit(
    work,
    opts.concurrency ?? 8,
    async (w) => {
      if ('git' in w) {
        const r = await runGitPlan(w.git, secrets, { now: opts.now, client: shared.git }).catch((e: unknown) => ({ outcome: { remoteError: errorProblem(e) } }));
        gitResults.set(w.git.id, r.outcome);
        return;
      }
      const p = w.oci;
      const r = opts.reuse?.get(p) ?? (await runPlan(p, secrets, opts, shared).catch((e: unknown): PlanResult => ({ outcome: { trustFrom, registryError: errorProblem(e) } })));
      results.set(p.id, r);
      opts.reuse?.set(p, r);
    },
    (n) => {
      completed = n;
      opts.onPlan?.(n, work.length);
      onChange?.();
    },
  )
    .finally(() => Promise.all([shared.pool.close(), shared.git.close()]))
    .then(snapshot);
  const raws = new Map(graph.nodes.flatMap((n) => (n.type === 'object' ? [[n.id, n.object.raw] as const] : [])));
  return { total: work.length, completed: () => completed, snapshot, done, rawObject: (id) => raws.get(id) };
}

export async function audit(source: ObjectSource, opts: AuditOptions): Promise<Report> {
  return (await startAudit(source, opts)).done;
}
