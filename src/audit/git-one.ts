import { buildGraph } from '../graph/index.js';
import type { GitRepository, GitRepositoryRef, ObjectSource, SecretResult } from '../kube/types.js';
import type { GitResult } from '../report/schema-git.js';
import { findingFor } from '../verdict/index.js';
import { GitClient } from '../git/index.js';
import { runGitPlan } from './git.js';
import { SecretCache } from './secrets.js';
import { gitReport } from './report.js';

/**
 * `kubectl verify git`: one repository, no cluster. The flags become a GitRepository and the files
 * become its Secrets, held in memory, so the check runs the audit's own code (graph/git.ts, audit/git.ts,
 * verdict/git.ts): what this command says of a repository is what an audit says of a GitRepository.
 */
export interface GitCheckInput {
  readonly url: string;
  readonly ref: GitRepositoryRef;
  /** as spec.verify.mode would hold it */
  readonly mode: string;
  /** the verify Secret's data: file names as its keys (`*.asc`, `*.sshpub`, …) */
  readonly keys: Readonly<Record<string, Uint8Array>>;
  /** the auth Secret's data (username/password, bearerToken, identity + known_hosts, ca.crt), when given */
  readonly auth?: Readonly<Record<string, Uint8Array>>;
  readonly now: Date;
  readonly signal?: AbortSignal;
}

const NAMESPACE = 'flags';

export async function checkGitRepository(input: GitCheckInput): Promise<GitResult> {
  const repo: GitRepository = {
    kind: 'GitRepository',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    namespace: NAMESPACE,
    name: 'repository',
    labels: {},
    suspend: false,
    conditions: [],
    raw: {},
    origin: 'flags',
    url: input.url,
    ref: input.ref,
    provider: 'generic',
    ...(input.auth ? { secretRef: 'auth' } : {}),
    verify: { mode: input.mode, secretRef: 'keys' },
  };
  const secrets: Record<string, Readonly<Record<string, Uint8Array>>> = { keys: input.keys, ...(input.auth ? { auth: input.auth } : {}) };
  const source: ObjectSource = {
    description: {},
    list: () => Promise.resolve({ objects: [repo], problems: [] }),
    getSecret: (_ns: string, name: string): Promise<SecretResult> => {
      const data = secrets[name];
      return Promise.resolve(data ? { state: 'found', type: 'Opaque', data } : { state: 'not-found', message: `no ${name}` });
    },
    getImagePullSecrets: () => Promise.resolve({ names: [] }),
  };
  const graph = buildGraph([repo]);
  const plan = graph.gitPlans[0];
  const node = graph.nodes[0];
  if (plan === undefined || node === undefined) throw new Error('a GitRepository made no Git plan');
  const client = new GitClient();
  try {
    const { outcome } = await runGitPlan(plan, new SecretCache(source), { now: input.now, client, keysLabel: '--keys' }, input.signal);
    const f = findingFor(node, undefined, { now: input.now }, outcome);
    const { git, signatures } = gitReport(plan, outcome);
    const flux = (outcome.running ?? outcome.next)?.flux;
    return {
      git,
      keys: Object.keys(input.keys),
      ...(flux ? { fluxWouldWrite: flux } : {}),
      signatures,
      finding: { state: f.state, reasons: f.reasons, message: f.message, next: f.next },
    };
  } finally {
    await client.close();
  }
}
