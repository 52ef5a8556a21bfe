import { assemble } from '../../../src/audit/report.js';
import { buildGraph } from '../../../src/graph/index.js';
import type { FluxObject } from '../../../src/kube/types.js';
import type { Report } from '../../../src/report/model.js';
import type { GitPlanOutcome, GitVerification } from '../../../src/verdict/types.js';
import type { Attempt, Check, SignatureEvidence } from '../../../src/verify/evidence.js';
import { cond, cosignKey, gitRepo, helmChart, kustomization, readyTrue, ref } from '../graph/factories.js';
import { GENERATED_AT } from './fixtures.js';

/**
 * GitRepositories and what uses them, judged by the real graph and verdict code and mapped by
 * audit/report.ts (so the golden files follow the wording the code gives). The plan outcomes are
 * made by hand in the shapes audit/git.ts and verify/git make them: a TagAndHEAD repository whose
 * tag and commit the first of two keys signed, one signed by a key the Secret lacks, one whose
 * branch moved to a commit Flux will refuse, one without spec.verify, a Kustomization applying the
 * verified one and a HelmChart built from it.
 */
export const NS = 'gitops';
export const URL = 'https://git.example/org/fleet';
export const SECRET = `${NS}/git-keys`;

/** Commits and the tag object: 40 hex, each recognisable when shortened to 8 or 12. */
export const C_TAGGED = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';
export const T_TAGGED = '7e7e7e7e01234567890abcdef01234567890abcd';
export const C_WRONG = '2b3c4d5e6f708192a3b4c5d6e7f80910abcdef12';
export const C_MOVED_RUNNING = '3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f';
export const C_MOVED_REMOTE = '4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70';
export const C_OPEN = '5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081';

/** The release key: a certify-only primary with a signing subkey, as the lab's gpg signer. */
export const KEY_ID = '5982D0279C227FFD';
export const KEY_FPR = '0D1C7A8E33B1F0A2C4D6E8F05982D0279C227FFD';
export const SUBKEY_ID = 'A1B2C3D4E5F60718';
export const SUBKEY_FPR = '9F8E7D6C5B4A39281706F5E4A1B2C3D4E5F60718';
export const USER_ID = 'Release Bot <release@example.com>';
export const OTHER_KEY_ID = 'C0FFEE0123456789';
export const OTHER_FPR = `0123456789ABCDEF01234567${OTHER_KEY_ID}`;
export const STRANGER_KEY_ID = 'DEADBEEF00112233';

const ok = (check: string, message: string): Check => ({ check, ok: true, code: 'ok', message });
const bad = (check: string, code: Check['code'], message: string): Check => ({ check, ok: false, code, message });
const entry = (name: string, fingerprint?: string): Attempt['trust'] => ({ kind: 'key', label: `${SECRET} · ${name}`, ...(fingerprint ? { fingerprint } : {}), source: 'object' });

/** The release key's entry verifies; the other entry's key is not the issuer. */
function releaseSigned(via: 'git-commit' | 'git-tag', id: string, tag?: string): SignatureEvidence {
  return {
    mechanism: 'git-openpgp',
    foundAt: { via, digest: `sha1:${id}`, ...(tag ? { tag } : {}) },
    signer: { kind: 'openpgp-key', keyFingerprint: SUBKEY_FPR, keyId: KEY_ID, userIds: [USER_ID], keyAlgorithm: 'eddsaLegacy ed25519Legacy' },
    verified: true,
    attempts: [
      {
        trust: entry('release.asc', KEY_FPR),
        ok: true,
        checks: [
          ok('signature', `signed by subkey ${SUBKEY_ID} of ${KEY_ID}`),
          ok('revocation', 'no revocation in the keyring'),
          ok('expiry', 'key does not expire'),
          ok('signature-expiry', 'signature and self-signatures current'),
        ],
      },
      { trust: entry('ops.asc', OTHER_FPR), ok: false, checks: [bad('issuer', 'git.no-matching-key', `signature issuer ${SUBKEY_ID} is not among this entry's keys (${OTHER_KEY_ID})`)] },
    ],
  };
}

/** A commit signed by a key in neither entry: no signer is known, each entry says why not. */
function strangerSigned(id: string): SignatureEvidence {
  return {
    mechanism: 'git-openpgp',
    foundAt: { via: 'git-commit', digest: `sha1:${id}` },
    verified: false,
    attempts: [
      { trust: entry('release.asc', KEY_FPR), ok: false, checks: [bad('issuer', 'git.no-matching-key', `signature issuer ${STRANGER_KEY_ID} is not among this entry's keys (${KEY_ID})`)] },
      { trust: entry('ops.asc', OTHER_FPR), ok: false, checks: [bad('issuer', 'git.no-matching-key', `signature issuer ${STRANGER_KEY_ID} is not among this entry's keys (${OTHER_KEY_ID})`)] },
    ],
  };
}

const fluxNoKey = 'unable to verify Git commit: unable to verify payload with any of the given key rings: no matching key';

function verifiedRun(commit: string, steps: GitVerification['steps']): GitVerification {
  const lines = steps.map((s) => `\t- ${s.target === 'tag' ? `tag '${s.evidence.foundAt.tag ?? ''}'` : `commit '${commit}'`} with key '${KEY_ID}'`);
  return { commit, verified: true, flux: { status: 'True', reason: 'Succeeded', message: ['verified signature of', ...lines].join('\n') }, steps };
}

function refusedRun(commit: string): GitVerification {
  return {
    commit,
    verified: false,
    flux: { status: 'False', reason: 'InvalidCommitSignature', message: `signature verification of commit '${commit}' failed: ${fluxNoKey}` },
    steps: [{ target: 'commit', verified: false, fluxOk: false, evidence: strangerSigned(commit) }],
  };
}

const commitStep = (commit: string): GitVerification['steps'][number] => ({ target: 'commit', verified: true, fluxOk: true, fluxKeyId: KEY_ID, evidence: releaseSigned('git-commit', commit) });
const tagStep = (object: string, name: string): GitVerification['steps'][number] => ({ target: 'tag', verified: true, fluxOk: true, fluxKeyId: KEY_ID, evidence: releaseSigned('git-tag', object, name) });

/** The objects and, by GitRepository name, what audit/git.ts would have learned about each. */
export function gitObjects(): { objects: FluxObject[]; outcomes: Record<string, GitPlanOutcome> } {
  const at = (name: string): string => `${NS}/${name}`;
  const tagged = verifiedRun(C_TAGGED, [tagStep(T_TAGGED, 'v1.2.0'), commitStep(C_TAGGED)]);
  const movedRunning = verifiedRun(C_MOVED_RUNNING, [commitStep(C_MOVED_RUNNING)]);
  const objects: FluxObject[] = [
    gitRepo(at('release'), {
      url: URL,
      ref: { tag: 'v1.2.0' },
      verify: { mode: 'TagAndHEAD', secretRef: 'git-keys' },
      artifact: { revision: `v1.2.0@sha1:${C_TAGGED}` },
      conditions: [readyTrue(`stored artifact for revision 'v1.2.0@sha1:${C_TAGGED}'`), cond('SourceVerified', 'True', 'Succeeded', tagged.flux.message)],
    }),
    gitRepo(at('wrong-key'), {
      url: URL,
      ref: { branch: 'hotfix' },
      verify: { mode: 'HEAD', secretRef: 'git-keys' },
      conditions: [
        cond('Ready', 'False', 'InvalidCommitSignature', `signature verification of commit '${C_WRONG}' failed: ${fluxNoKey}`),
        cond('SourceVerified', 'False', 'InvalidCommitSignature', `signature verification of commit '${C_WRONG}' failed: ${fluxNoKey}`),
      ],
    }),
    gitRepo(at('moved'), {
      url: URL,
      ref: { branch: 'main' },
      verify: { mode: 'HEAD', secretRef: 'git-keys' },
      artifact: { revision: `main@sha1:${C_MOVED_RUNNING}` },
      conditions: [readyTrue(`stored artifact for revision 'main@sha1:${C_MOVED_RUNNING}'`), cond('SourceVerified', 'True', 'Succeeded', movedRunning.flux.message)],
    }),
    gitRepo(at('open'), {
      url: 'https://git.example/org/sandbox',
      ref: { branch: 'main' },
      artifact: { revision: `main@sha1:${C_OPEN}` },
      conditions: [readyTrue(`stored artifact for revision 'main@sha1:${C_OPEN}'`)],
    }),
    kustomization(at('release'), ref('GitRepository', at('release')), {
      lastAppliedRevision: `v1.2.0@sha1:${C_TAGGED}`,
      conditions: [cond('Ready', 'True', 'ReconciliationSucceeded', `Applied revision: v1.2.0@sha1:${C_TAGGED}`)],
    }),
    helmChart(at('gitops-podinfo'), {
      chart: './charts/podinfo',
      sourceRef: ref('GitRepository', at('release')),
      verify: cosignKey(),
      artifact: { revision: '6.5.0' },
      conditions: [readyTrue("packaged 'podinfo' chart with version '6.5.0'")],
    }),
  ];
  const outcomes: Record<string, GitPlanOutcome> = {
    release: { remote: { commit: C_TAGGED, refName: 'refs/tags/v1.2.0', tag: { name: 'v1.2.0', object: T_TAGGED }, revision: `v1.2.0@sha1:${C_TAGGED}` }, running: tagged },
    // no artifact yet: the remote's commit is the one checked, as audit/git.ts does
    'wrong-key': { remote: { commit: C_WRONG, refName: 'refs/heads/hotfix', revision: `hotfix@sha1:${C_WRONG}` }, running: refusedRun(C_WRONG) },
    moved: { remote: { commit: C_MOVED_REMOTE, refName: 'refs/heads/main', revision: `main@sha1:${C_MOVED_REMOTE}` }, running: movedRunning, next: refusedRun(C_MOVED_REMOTE) },
    open: { remote: { commit: C_OPEN, refName: 'refs/heads/main', revision: `main@sha1:${C_OPEN}` } },
  };
  return { objects, outcomes };
}

export function gitFleet(): Report {
  const { objects, outcomes } = gitObjects();
  const graph = buildGraph(objects);
  const byGitPlan = new Map<string, GitPlanOutcome>();
  for (const p of graph.gitPlans) {
    const name = p.nodeIds[0]?.split('/')[2] ?? '';
    const o = outcomes[name];
    if (o === undefined) throw new Error(`no outcome for Git plan ${p.id}`);
    byGitPlan.set(p.id, o);
  }
  return assemble(graph, new Map(), [], { description: { context: 'lab', cluster: 'lab', server: 'https://127.0.0.1:6443' } }, { scope: { namespace: NS }, now: new Date(GENERATED_AT), version: '0.1.0' }, byGitPlan);
}
