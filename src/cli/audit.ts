import { audit, startAudit, type AuditOptions, type AuditRun } from '../audit/audit.js';
import { PlanResults, watchAudits, type WatchReason } from '../audit/watch.js';
import type { FluxTarget } from '../audit/flux-version.js';
import { createFileSource } from '../kube/files.js';
import { formatSemver, parseSemver, sourceControllerForFlux2 } from '../kube/flux-version.js';
import type { Demo } from '../demo/index.js';
import type { ObjectSource, Scope } from '../kube/types.js';
import { palette, useColor, type ColorMode } from '../report/color.js';
import { defaultFailOn, exitCodeFor, failOnClasses, type FailOnClass } from '../report/exit.js';
import type { Report } from '../report/model.js';
import { printFormats, printReport, type PrintFormat, type PrintOptions } from '../report/print/index.js';
import { jsonChunks } from '../report/print/json.js';
import { yamlChunks } from '../report/print/yaml.js';
import { readVersion } from '../version.js';
import { trustFlagLabels, trustFromFlags } from './artifact.js';
import { CliExit, ExitCode, usageError } from './exit.js';
import { invokedAs } from './invoked-as.js';
import { flagBool, flagString, flagStrings, type ParsedArgs } from './flags.js';
import type { CliIO } from './io.js';
import { pluginCacheDir } from './cache-dir.js';

/** `kubectl verify`: audit the Flux objects in scope, from the cluster or from files. */
export async function runAudit(args: ParsedArgs, io: CliIO, env: NodeJS.ProcessEnv, stdin: NodeJS.ReadableStream): Promise<number> {
  const files = flagStrings(args, 'filename');
  const namespace = flagString(args, 'namespace');
  const all = flagBool(args, 'all-namespaces');
  const selector = flagString(args, 'selector');
  // `-f -` takes standard input, which the interactive view needs for keys: print instead
  const interactive = flagString(args, 'output') === undefined && 'isTTY' in io.stdout && io.stdout.isTTY === true && !files.includes('-');
  const format = flagString(args, 'output') ?? 'table';
  if (!(printFormats as readonly string[]).includes(format)) throw new CliExit(ExitCode.operational, `-o ${format} is not available in this build yet (${printFormats.join(', ')} are)`);
  const watch = flagBool(args, 'watch');
  if (watch && (format === 'json' || format === 'yaml')) throw usageError('--watch works with the interactive view and -o table|wide|tree|summary');
  const failOn = parseFailOn(flagStrings(args, 'fail-on'));
  const fluxText = flagString(args, 'flux-version');
  const fluxVersion = fluxText === undefined ? undefined : parseFluxVersionFlag(fluxText);

  let source: ObjectSource;
  let scope: Scope;
  let demo: Demo | undefined;
  if (flagBool(args, 'demo')) {
    if (files.length > 0) throw usageError('--demo shows a built-in fleet; it cannot be combined with -f');
    if (watch) throw usageError('--demo shows a fleet captured once; -w has nothing to watch');
    demo = await (await import('../demo/index.js')).openDemo();
    source = demo.source;
    scope = { ...(namespace && !all ? { namespace } : {}), ...(selector ? { labelSelector: selector } : {}) };
  } else if (files.length > 0) {
    source = await createFileSource(files, { stdin: stdin as AsyncIterable<Uint8Array>, ...(namespace ? { defaultNamespace: namespace } : {}) });
    // files hold what they hold: every namespace in them unless -n narrows it
    scope = { ...(namespace && !all ? { namespace } : {}), ...(selector ? { labelSelector: selector } : {}) };
  } else {
    // the Kubernetes client library is large: loaded only when a cluster is read
    const [{ loadKubeConfig }, { createClusterSource }, { openDiscoveryCache }] = await Promise.all([import('../kube/kubeconfig.js'), import('../kube/cluster.js'), import('../kube/discovery-cache.js')]);
    const resolved = loadKubeConfig({
      ...opt('kubeconfig', flagString(args, 'kubeconfig')),
      ...opt('context', flagString(args, 'context')),
      ...opt('cluster', flagString(args, 'cluster')),
      ...opt('user', flagString(args, 'user')),
      ...opt('namespace', namespace),
      allNamespaces: all,
      ...opt('selector', selector),
      ...opt('requestTimeout', flagString(args, 'request-timeout')),
      ...opt('as', flagString(args, 'as')),
      asGroups: flagStrings(args, 'as-group'),
      ...opt('token', flagString(args, 'token')),
      ...opt('server', flagString(args, 'server')),
      insecureSkipTlsVerify: flagBool(args, 'insecure-skip-tls-verify'),
      ...opt('certificateAuthority', flagString(args, 'certificate-authority')),
    });
    const cacheDir = pluginCacheDir(env);
    source = createClusterSource(resolved, cacheDir ? { discoveryCache: openDiscoveryCache(cacheDir, resolved.server) } : {});
    scope = resolved.scope;
  }
  const overrideTrust = await trustFromFlags(args, false);
  // the demo's clock is its capture's: signatures and certificates are judged as they were then
  const clock = (): Date => demo?.now ?? new Date();
  const auditOptions = {
    scope,
    now: clock(),
    version: readVersion(),
    ...(overrideTrust ? { override: { trust: overrideTrust, labels: trustFlagLabels(args) } } : {}),
    ...(demo ? { openStore: demo.openStore } : {}),
    ...(fluxVersion ? { fluxVersion } : {}),
  };
  const color = useColor((flagString(args, 'color') ?? 'auto') as ColorMode, 'isTTY' in io.stdout && io.stdout.isTTY === true, env);
  if (interactive) {
    // React and ink load only on this path, so printed output never pays for them
    const { runTui } = await import('../tui/index.js');
    const tui = { stdin: process.stdin, stdout: io.stdout as NodeJS.WriteStream, color, env, failOn, title: invokedAs() };
    if (!watch) {
      const start = (): Promise<AuditRun> => startAudit(source, { ...auditOptions, now: clock() });
      return runTui({ run: await start(), rerun: start, ...tui });
    }
    // -w: the view re-audits on each change as the r key does; a change re-verifies only the plans whose
    // inputs changed, the periodic re-check the ones a tag names, the r key everything
    const watcher = watchAudits(source, scope);
    const results = new PlanResults();
    let reason: WatchReason | undefined;
    const start = (): Promise<AuditRun> => {
      const kind = reason ?? 'full';
      reason = undefined;
      return startAudit(watcher.source, { ...auditOptions, now: clock(), reuse: results.forRun(kind) });
    };
    // the view calls `start` at once from the callback: the reason set here is the one it reads
    const subscribe = (onChange: () => void): (() => void) =>
      watcher.subscribe((why) => {
        reason = why;
        onChange();
      });
    try {
      return await runTui({ run: await start(), rerun: start, subscribe, ...tui });
    } finally {
      watcher.stop();
    }
  }
  // on a terminal, messages are cut to its width as kubectl does; piped output keeps every character
  const tty = io.stdout as Partial<NodeJS.WriteStream>;
  const columns = tty.isTTY === true && typeof tty.columns === 'number' ? tty.columns : undefined;
  const print: PrintOptions = { palette: palette(color), noHeaders: flagBool(args, 'no-headers'), ...(columns ? { width: columns } : {}) };
  if (watch) return watchPrinted(source, auditOptions, io, format as PrintFormat, print);
  const progress = 'isTTY' in io.stderr && io.stderr.isTTY === true;
  const report = await audit(source, {
    ...auditOptions,
    ...(progress ? { onPlan: (done: number, total: number) => io.stderr.write(`\rverifying artifacts ${done}/${total}${done === total ? '\n' : ''}`) } : {}),
  });

  if (demo) io.stderr.write(`demo: a built-in fleet captured from Flux and the lab on ${demo.capturedAt.slice(0, 10)}; nothing was read from a cluster or fetched from a registry\n`);
  for (const p of report.problems) io.stderr.write(`warning: ${p.message}\n`);
  // JSON and YAML are written as they are made, a node at a time, never as one string of the whole report
  if (format === 'json' || format === 'yaml') await writeChunks(io.stdout, format === 'json' ? jsonChunks(report) : yamlChunks(report));
  else io.stdout.write(printReport(format as PrintFormat, report, print));
  if (report.nodes.length === 0 && report.problems.length === 0) io.stderr.write(`no Flux objects found${scope.namespace ? ` in namespace ${scope.namespace}` : ''}\n`);
  return exitCodeFor(report, failOn);
}

/**
 * `-w` with printed output: the full output once, then, whenever an object in scope changes (or the
 * periodic registry re-check finds a tag moved), the rows whose finding changed, without headers (as
 * `kubectl get -w` prints changed rows). A problem that appears or goes away while watching (a failing
 * watch, an object that cannot be read) is said once on stderr. Runs until interrupted.
 */
async function watchPrinted(source: ObjectSource, opts: Omit<AuditOptions, 'now'> & { now: Date }, io: CliIO, format: PrintFormat, print: PrintOptions): Promise<number> {
  const watcher = watchAudits(source, opts.scope);
  const results = new PlanResults();
  let previous = await audit(watcher.source, { ...opts, now: new Date(), reuse: results.forRun('full') });
  for (const p of previous.problems) io.stderr.write(`warning: ${p.message}\n`);
  io.stdout.write(printReport(format, previous, print));
  let running = false;
  let again: WatchReason | undefined;
  const refresh = async (why: WatchReason): Promise<void> => {
    if (running) {
      again = again === 'recheck' || why === 'recheck' ? 'recheck' : 'changed';
      return;
    }
    running = true;
    for (let next: WatchReason | undefined = why; next; next = again) {
      again = undefined;
      try {
        const report = await audit(watcher.source, { ...opts, now: new Date(), reuse: results.forRun(next) });
        const changed = changedNodes(previous, report);
        if (changed.length > 0) io.stdout.write(printReport(format, { ...report, nodes: changed }, { ...print, noHeaders: true }));
        const before = new Set(previous.problems.map((p) => p.message));
        const now = new Set(report.problems.map((p) => p.message));
        for (const m of now) if (!before.has(m)) io.stderr.write(`warning: ${m}\n`);
        for (const m of before) if (!now.has(m)) io.stderr.write(`resolved: ${m}\n`);
        previous = report;
      } catch (e) {
        // the output keeps what it has; the next change or re-check tries again
        io.stderr.write(`warning: re-verifying failed: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    running = false;
  };
  return new Promise<number>((resolve) => {
    const unsubscribe = watcher.subscribe((why) => void refresh(why));
    const end = (): void => {
      unsubscribe();
      watcher.stop();
      resolve(exitCodeFor(previous));
    };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
}

/** Writes chunks in batches of about 64 KiB, waiting whenever the stream asks the writer to. */
async function writeChunks(out: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  let batch = '';
  const flush = async (): Promise<void> => {
    if (batch === '') return;
    const more = out.write(batch);
    batch = '';
    if (!more) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  for (const c of chunks) {
    batch += c;
    if (batch.length >= 65_536) await flush();
  }
  await flush();
}

function changedNodes(before: Report, after: Report): Report['nodes'] {
  const old = new Map(before.nodes.map((n) => [n.id, `${n.finding.state}|${n.finding.message}|${n.finding.flux.sourceVerified?.status ?? ''}`]));
  return after.nodes.filter((n) => old.get(n.id) !== `${n.finding.state}|${n.finding.message}|${n.finding.flux.sourceVerified?.status ?? ''}`);
}

function parseFailOn(values: readonly string[]): readonly FailOnClass[] {
  if (values.length === 0) return defaultFailOn;
  const out: FailOnClass[] = [];
  for (const v of values.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean)) {
    if (!(failOnClasses as readonly string[]).includes(v)) throw usageError(`invalid argument "${v}" for "--fail-on" flag: must be one of ${failOnClasses.join(', ')}`);
    out.push(v as FailOnClass);
  }
  return out;
}

/**
 * --flux-version: `1.8.0` or `v1.8.0` is a source-controller release; `flux2@2.8.0` (or `flux2@v2.8.0`)
 * a flux2 distribution, mapped to the source-controller it ships (kube/flux-version.ts). Anything else,
 * ranges and prereleases included, is a usage error naming these forms.
 */
export function parseFluxVersionFlag(text: string): FluxTarget {
  const forms = 'a source-controller release such as 1.8.0 or v1.8.0, or a Flux distribution such as flux2@2.8.0';
  const m = /^(flux2@)?v?(\d+\.\d+\.\d+)$/.exec(text.trim());
  const v = m ? parseSemver(m[2] as string) : undefined;
  if (!m || !v) throw usageError(`invalid argument "${text}" for "--flux-version" flag: must be ${forms}`);
  if (!m[1]) return { version: formatSemver(v), detail: `--flux-version ${text}` };
  const mapped = sourceControllerForFlux2(v);
  if ('problem' in mapped) throw usageError(`invalid argument "${text}" for "--flux-version" flag: ${mapped.problem}; give the source-controller release instead (e.g. 1.9.4)`);
  const how = mapped.exact ? `flux2 v${formatSemver(v)} ships source-controller v${mapped.sourceController}` : `flux2 v${mapped.row} ships source-controller v${mapped.sourceController}, the oldest flux2 v${formatSemver(v)} can run`;
  return { version: mapped.sourceController, detail: `--flux-version ${text}: ${how}` };
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

