import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startCluster, type RunningCluster } from './cluster.js';
import { startGitServer, type GitServer } from './git-server.js';
import { makeGitKeys, type GitKey, type GitKeys } from './git-keys.js';
import { secretYaml } from './objects.js';
import { mustRun, runTool } from './tools.js';

/**
 * Git repositories whose commits and tags are signed by the real git (gpg, ssh-keygen -Y sign), served
 * by `git http-backend` (git-server.ts), and GitRepositories that Flux's real source-controller
 * verifies against Secrets holding the lab's keys. A case records what the lab made (the commit its ref
 * resolves to, the tag object, the key that signed); what Flux, git and kubectl verify conclude is
 * read, not assumed, by the tests.
 */

export type VerifyMode = 'HEAD' | 'head' | 'Tag' | 'TagAndHEAD';
export type GitRef = { readonly branch: string } | { readonly tag: string };

export interface GitCase {
  /** the GitRepository's name */
  readonly name: string;
  readonly ref: GitRef;
  readonly mode: VerifyMode;
  /** the verify Secret's name */
  readonly secret: string;
  /** the keys that Secret holds */
  readonly trusted: readonly GitKey[];
  /** the commit the ref resolves to (for a tag: the commit it peels to) */
  readonly commit: string;
  /** the tag the ref names, and its tag object when annotated */
  readonly tag?: { readonly name: string; readonly object?: string };
  /** the key that signed the commit (undefined: unsigned) */
  readonly commitSigner?: GitKey;
  /** the key that signed the tag object */
  readonly tagSigner?: GitKey;
}

/** One repository, `lab.git`, with a branch or tag per case. */
export interface GitRepos {
  /** the bare repositories' directory: the git server's root */
  readonly root: string;
  /** a clone to commit in and run `git verify-*` in */
  readonly work: string;
  /** branch or tag → commit; tag → tag object */
  readonly commits: Readonly<Record<string, string>>;
  readonly tagObjects: Readonly<Record<string, string>>;
  git(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string>;
  /** commits a change on `branch` (signed when a key is given) and pushes it; returns the commit */
  commit(branch: string, message: string, key?: GitKey, date?: string): Promise<string>;
}

const CONTENT = (name: string): string =>
  ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${name}`, 'data:', `  from: git`, ''].join('\n');

export async function makeGitRepos(dir: string, keys: GitKeys): Promise<GitRepos> {
  const root = join(dir, 'repos');
  const work = join(dir, 'work');
  const git = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> => mustRun('git', ['-C', work, ...args], { env: { ...keys.env, ...env } });
  await mustRun('git', ['init', '-q', '--bare', '-b', 'main', join(root, 'lab.git')], { env: keys.env });
  await mustRun('git', ['init', '-q', '-b', 'main', work], { env: keys.env });
  await git(['remote', 'add', 'origin', join(root, 'lab.git')]);
  writeFileSync(join(work, 'configmap.yaml'), CONTENT('from-git'));
  writeFileSync(join(work, 'kustomization.yaml'), 'resources: [configmap.yaml]\n');
  await git(['add', '.']);
  await git(['commit', '-q', '--no-gpg-sign', '-m', 'lab: initial content']);

  const commits: Record<string, string> = {};
  const tagObjects: Record<string, string> = {};
  const commit = async (branch: string, message: string, key?: GitKey, date?: string): Promise<string> => {
    await git(['checkout', '-q', '-B', branch, branch in commits ? branch : 'main']);
    writeFileSync(join(work, 'configmap.yaml'), `${CONTENT('from-git')}  change: "${message}"\n`);
    const dates = date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {};
    await git([...(key ? keys.signArgs(key) : []), 'commit', '-q', '-a', ...(key ? ['-S'] : ['--no-gpg-sign']), '-m', message], dates);
    const hash = (await git(['rev-parse', 'HEAD'])).trim();
    await git(['push', '-q', '-f', 'origin', `${branch}:refs/heads/${branch}`]);
    commits[branch] = hash;
    return hash;
  };
  const tag = async (name: string, target: string, key?: GitKey): Promise<void> => {
    await git([...(key ? keys.signArgs(key) : []), 'tag', ...(key ? ['-s', '-m', `lab: ${name}`] : []), name, target]);
    await git(['push', '-q', 'origin', `refs/tags/${name}`]);
    commits[name] = (await git(['rev-parse', `${name}^{commit}`])).trim();
    if (key) tagObjects[name] = (await git(['rev-parse', name])).trim();
  };

  const { signer, other, expired } = keys.pgp;
  await git(['push', '-q', 'origin', 'main']);
  await commit('pgp-signed', 'signed by the signer (subkey)', signer);
  await commit('pgp-other', 'signed by a key not in the Secret', other);
  const unsigned = await commit('unsigned', 'not signed');
  await tag('v1.0.0', unsigned, signer);
  await tag('v0.1.0', commits['pgp-signed'] as string);
  await commit('expired', 'signed on the expired key’s one valid day', expired, '2020-01-01T12:00:00Z');
  await commit('ssh-signed', 'signed with the SSH signer', keys.ssh['ssh-signer']);
  await commit('ssh-other', 'signed with an SSH key not in the Secret', keys.ssh['ssh-other']);
  await commit('moved', 'signed, verified by Flux, then moved', signer);
  await commit('rotated', 'signed, verified by Flux, then the key is rotated', signer);
  await git(['checkout', '-q', 'main']);
  return { root, work, commits, tagObjects, git, commit };
}

/** `git verify-commit` / `git verify-tag` with only the Secret's keys trusted, as a reviewer runs it. */
export interface GitVerdict {
  readonly command: 'verify-commit' | 'verify-tag';
  readonly exit: number;
  /** the decisive gpg status (GOODSIG, EXPKEYSIG, ERRSIG …), `Good`/`Could not verify` for SSH, `no signature` */
  readonly status: string;
  readonly output: string;
}

const GPG_STATUSES = ['GOODSIG', 'EXPKEYSIG', 'EXPSIG', 'REVKEYSIG', 'BADSIG', 'ERRSIG', 'NO_PUBKEY'] as const;

export async function gitVerify(repos: GitRepos, keys: GitKeys, trusted: readonly GitKey[], command: GitVerdict['command'], object: string): Promise<GitVerdict> {
  const v = await keys.verifier(trusted);
  const r = await runTool('git', ['-C', repos.work, ...v.config, command, '--raw', object], { env: v.env });
  const output = `${r.stdout}${r.stderr}`.trim();
  const gpgStatus = GPG_STATUSES.find((s) => new RegExp(`^\\[GNUPG:\\] ${s}\\b`, 'm').test(output));
  // for a key it does not allow, git still prints ssh-keygen's check-novalidate "Good …" line, then refuses
  const ssh = /^No principal matched/m.test(output) ? 'No principal matched' : /^Good "git" signature for /m.test(output) ? 'Good' : /Could not verify signature/.test(output) ? 'Could not verify' : undefined;
  const status = gpgStatus ?? ssh ?? (output === '' ? 'no signature' : output.split('\n')[0] ?? '');
  return { command, exit: r.code, status, output };
}

function gitRepositoryYaml(ns: string, name: string, url: string, ref: GitRef, verify: string, labels?: string): string {
  const refYaml = 'branch' in ref ? `{branch: ${ref.branch}}` : `{tag: ${ref.tag}}`;
  return [
    '---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: GitRepository', `metadata: {name: ${name}, namespace: ${ns}${labels ? `, labels: ${labels}` : ''}}`,
    'spec:', '  interval: 10m', '  timeout: 30s', `  url: ${url}`, `  ref: ${refYaml}`, `  verify: ${verify}`,
  ].join('\n');
}

/** A GitRepository on a lab repository, verified with `mode` against the Secret `secret`. */
export function gitRepoYaml(ns: string, name: string, url: string, ref: GitRef, mode: VerifyMode, secret: string, labels?: string): string {
  return gitRepositoryYaml(ns, name, url, ref, `{mode: ${mode}, secretRef: {name: ${secret}}}`, labels);
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A verify Secret holding these keys as Flux reads them: `<name>.asc` or `<name>.sshpub`. */
export function verifySecretYaml(ns: string, name: string, keys: readonly GitKey[]): string {
  return secretYaml(ns, name, Object.fromEntries(keys.map((k) => (k.kind === 'openpgp' ? [`${k.name}.asc`, b64(k.asc)] : [`${k.name}.sshpub`, b64(`${k.authorizedKey}\n`)]))));
}

export function gitCases(repos: GitRepos, keys: GitKeys): GitCase[] {
  const { signer, other, expired } = keys.pgp;
  const pgpTrust = [signer, expired];
  const sshTrust = [keys.ssh['ssh-signer']];
  const c = (name: string): string => repos.commits[name] ?? '';
  const branch = (name: string, ref: string, commitSigner: GitKey | undefined, extra: Partial<GitCase> = {}): GitCase => ({
    name, ref: { branch: ref }, mode: 'HEAD', secret: 'pgp-keys', trusted: pgpTrust, commit: c(ref), ...(commitSigner ? { commitSigner } : {}), ...extra,
  });
  const signedTag = { name: 'v1.0.0', object: repos.tagObjects['v1.0.0'] as string };
  return [
    branch('pgp-signed', 'pgp-signed', signer),
    branch('pgp-other-key', 'pgp-other', other),
    branch('unsigned', 'unsigned', undefined),
    { name: 'tag-signed-commit-not', ref: { tag: 'v1.0.0' }, mode: 'Tag', secret: 'pgp-keys', trusted: pgpTrust, commit: c('v1.0.0'), tag: signedTag, tagSigner: signer },
    { name: 'tag-signed-commit-not-and-head', ref: { tag: 'v1.0.0' }, mode: 'TagAndHEAD', secret: 'pgp-keys', trusted: pgpTrust, commit: c('v1.0.0'), tag: signedTag, tagSigner: signer },
    branch('expired-key', 'expired', expired),
    branch('ssh-signed', 'ssh-signed', keys.ssh['ssh-signer'], { secret: 'ssh-keys', trusted: sshTrust }),
    branch('ssh-other-key', 'ssh-other', keys.ssh['ssh-other'], { secret: 'ssh-keys', trusted: sshTrust }),
    branch('moved-branch', 'moved', signer),
    { name: 'lightweight-tag', ref: { tag: 'v0.1.0' }, mode: 'Tag', secret: 'pgp-keys', trusted: pgpTrust, commit: c('v0.1.0'), tag: { name: 'v0.1.0' }, commitSigner: signer },
    branch('legacy-head-mode', 'pgp-signed', signer, { mode: 'head' }),
    branch('tag-mode-on-branch', 'pgp-signed', signer, { mode: 'Tag' }),
    branch('rotated-key', 'rotated', signer, { secret: 'rotating', trusted: [signer] }),
    branch('verify-removed', 'pgp-signed', signer),
  ];
}

export interface GitFleet {
  readonly namespace: string;
  readonly url: string;
  readonly cases: readonly GitCase[];
  /** suspends `moved-branch` (as `flux suspend` does), then pushes a commit signed by `other` to its branch */
  moveBranch(): Promise<string>;
  /** replaces the `rotating` Secret's key by `other`, then asks Flux to reconcile `rotated-key` */
  rotateKey(): Promise<void>;
  /** removes `verify-removed`'s spec.verify and waits until Flux has reconciled the new generation */
  removeVerify(): Promise<void>;
}

export async function applyGitFleet(cluster: RunningCluster, ns: string, url: string, repos: GitRepos, keys: GitKeys): Promise<GitFleet> {
  const cases = gitCases(repos, keys);
  const { signer, expired, other } = keys.pgp;
  const repoUrl = `${url}/lab.git`;
  const yaml = [
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`,
    verifySecretYaml(ns, 'pgp-keys', [signer, expired]),
    verifySecretYaml(ns, 'ssh-keys', [keys.ssh['ssh-signer']]),
    verifySecretYaml(ns, 'rotating', [signer]),
    ...cases.map((c) => gitRepoYaml(ns, c.name, repoUrl, c.ref, c.mode, c.secret)),
    '',
  ].join('\n');
  await cluster.kubectl(['apply', '-f', '-'], { input: yaml });
  const moveBranch = async (): Promise<string> => {
    await cluster.kubectl(['patch', '-n', ns, 'gitrepository/moved-branch', '--type', 'merge', '-p', '{"spec":{"suspend":true}}']);
    return repos.commit('moved', 'moved after Flux verified, signed by another key', other);
  };
  const rotateKey = async (): Promise<void> => {
    await cluster.kubectl(['apply', '-f', '-'], { input: `${verifySecretYaml(ns, 'rotating', [other])}\n` });
    const token = String(Date.now());
    await cluster.kubectl(['annotate', '--overwrite', '-n', ns, 'gitrepository/rotated-key', `reconcile.fluxcd.io/requestedAt=${token}`]);
    await waitForGitField(cluster, ns, 'rotated-key', '{.status.lastHandledReconcileAt}', (v) => v === token, 'the requested reconcile handled');
  };
  const removeVerify = async (): Promise<void> => {
    await cluster.kubectl(['patch', '-n', ns, 'gitrepository/verify-removed', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/verify"}]']);
    const generation = await cluster.kubectl(['get', '-n', ns, 'gitrepository/verify-removed', '-o', 'jsonpath={.metadata.generation}']);
    await waitForGitField(cluster, ns, 'verify-removed', '{.status.conditions[?(@.type=="Ready")].observedGeneration}', (v) => v === generation, `Ready for generation ${generation}`);
  };
  return { namespace: ns, url: repoUrl, cases, moveBranch, rotateKey, removeVerify };
}

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly observedGeneration?: number;
}

export interface GitRepositoryStatus {
  readonly generation: number;
  readonly suspended: boolean;
  readonly conditions: readonly Condition[];
  readonly sourceVerificationMode?: string;
  readonly artifactRevision?: string;
  readonly lastHandledReconcileAt?: string;
}

export async function gitRepositoryStatus(cluster: RunningCluster, ns: string, name: string): Promise<GitRepositoryStatus> {
  const o = JSON.parse(await cluster.kubectl(['get', '-n', ns, `gitrepository/${name}`, '-o', 'json'])) as {
    metadata: { generation: number };
    spec: { suspend?: boolean };
    status?: { conditions?: Condition[]; sourceVerificationMode?: string; artifact?: { revision?: string }; lastHandledReconcileAt?: string };
  };
  return {
    generation: o.metadata.generation,
    suspended: o.spec.suspend === true,
    conditions: o.status?.conditions ?? [],
    ...(o.status?.sourceVerificationMode ? { sourceVerificationMode: o.status.sourceVerificationMode } : {}),
    ...(o.status?.artifact?.revision ? { artifactRevision: o.status.artifact.revision } : {}),
    ...(o.status?.lastHandledReconcileAt ? { lastHandledReconcileAt: o.status.lastHandledReconcileAt } : {}),
  };
}

async function waitForGitField(cluster: RunningCluster, ns: string, name: string, jsonpath: string, ok: (v: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cluster.kubectl(['get', '-n', ns, `gitrepository/${name}`, '-o', `jsonpath=${jsonpath}`]);
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`gitrepository/${name}: ${what} not seen within ${timeoutMs / 1000}s (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * Waits until source-controller has a settled verdict on every GitRepository of the namespace: Ready
 * True or False for the current generation, with SourceVerified written. A failing object is retried
 * with backoff, and each retry first removes its False SourceVerified and sets Ready Unknown, so a read
 * is only a verdict when both conditions are there. Suspended objects are not waited for.
 */
export async function waitForGitRepositories(cluster: RunningCluster, ns: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // a suspended object is left as it was: source-controller does not reconcile it
  const jsonpath = '{range .items[*]}{.metadata.name}/{.spec.suspend}={.status.conditions[?(@.type=="Ready")].status}/{.status.conditions[?(@.type=="Ready")].observedGeneration}/{.metadata.generation}/{.status.conditions[?(@.type=="SourceVerified")].status}{"\\n"}{end}';
  for (;;) {
    const out = await cluster.kubectl(['get', 'gitrepositories', '-n', ns, '-o', `jsonpath=${jsonpath}`]);
    const pending = out.split('\n').filter((l) => l && !/^[^=]*\/true=/.test(l) && !/=(True|False)\/(\d+)\/\2\/(True|False)$/.test(l));
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`Flux did not settle the GitRepositories of ${ns} within ${timeoutMs / 1000}s: ${pending.join(', ')}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export interface GitLab {
  readonly cluster: RunningCluster;
  readonly keys: GitKeys;
  readonly repos: GitRepos;
  readonly server: GitServer;
  readonly fleet: GitFleet;
}

/**
 * Inside a describe(): keys, repositories and the git server, a cluster with source-controller, and
 * the GitRepositories reconciled by it; everything is stopped after the suite. A lab that cannot start
 * fails the suite with the reason.
 */
export function useGitLab(ns: string): () => GitLab {
  const dir = mkdtempSync(join(tmpdir(), `kv-${ns}-`));
  let lab: GitLab | undefined;
  let keys: GitKeys | undefined;
  let server: GitServer | undefined;
  let cluster: RunningCluster | undefined;
  before(async () => {
    // the cluster starts while the keys and repositories are made
    const starting = startCluster().then(async (c) => {
      cluster = c;
      await c.startSourceController();
      return c;
    });
    starting.catch(() => undefined); // awaited below; a failure is reported there
    keys = await makeGitKeys();
    const repos = await makeGitRepos(dir, keys);
    server = await startGitServer({ root: repos.root });
    const c = await starting;
    const fleet = await applyGitFleet(c, ns, server.url, repos, keys);
    await waitForGitRepositories(c, ns);
    lab = { cluster: c, keys, repos, server, fleet };
  });
  after(async () => {
    await cluster?.stop();
    await server?.stop();
    await keys?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!lab) throw new Error('the git lab did not start (see the before hook)');
    return lab;
  };
}
