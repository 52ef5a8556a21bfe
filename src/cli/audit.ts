import { audit, startAudit, type AuditOptions, type AuditRun } from '../audit/audit.js';
import { watchChanges } from '../audit/watch.js';
import { createFileSource } from '../kube/files.js';
import type { Demo } from '../demo/index.js';
import type { ObjectSource, Scope } from '../kube/types.js';
import { palette, useColor, type ColorMode } from '../report/color.js';
import { defaultFailOn, exitCodeFor, failOnClasses, type FailOnClass } from '../report/exit.js';
import type { Report } from '../report/model.js';
import { printFormats, printReport, type PrintFormat, type PrintOptions } from '../report/print/index.js';
import { readVersion } from '../version.js';
import { trustFlagLabels, trustFromFlags } from './artifact.js';
import { CliExit, ExitCode, usageError } from './exit.js';
import { invokedAs } from './invoked-as.js';
import { flagBool, flagString, flagStrings, type ParsedArgs } from './flags.js';
import type { CliIO } from './main.js';

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
    const [{ loadKubeConfig }, { createClusterSource }] = await Promise.all([import('../kube/kubeconfig.js'), import('../kube/cluster.js')]);
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
    source = createClusterSource(resolved);
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
  };
  const color = useColor((flagString(args, 'color') ?? 'auto') as ColorMode, 'isTTY' in io.stdout && io.stdout.isTTY === true, env);
  if (interactive) {
    // React and ink load only on this path, so printed output never pays for them
    const { runTui } = await import('../tui/index.js');
    const start = (): Promise<AuditRun> => startAudit(source, { ...auditOptions, now: clock() });
    const subscribe = watch ? (onChange: () => void) => watchChanges(source, scope, WATCH_INTERVAL_MS, onChange) : undefined;
    return runTui({ run: await start(), rerun: start, stdin: process.stdin, stdout: io.stdout as NodeJS.WriteStream, color, env, failOn, title: invokedAs(), ...(subscribe ? { subscribe } : {}) });
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
  io.stdout.write(printReport(format as PrintFormat, report, print));
  if (report.nodes.length === 0 && report.problems.length === 0) io.stderr.write(`no Flux objects found${scope.namespace ? ` in namespace ${scope.namespace}` : ''}\n`);
  return exitCodeFor(report, failOn);
}

/**
 * `-w` with printed output: the full output once, then, whenever an object in scope changes, the rows
 * whose finding changed (as `kubectl get -w` prints changed rows). Runs until interrupted.
 */
async function watchPrinted(source: ObjectSource, opts: Omit<AuditOptions, 'now'> & { now: Date }, io: CliIO, format: PrintFormat, print: PrintOptions): Promise<number> {
  let previous = await audit(source, { ...opts, now: new Date() });
  io.stdout.write(printReport(format, previous, print));
  let running = false;
  let again = false;
  const refresh = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      const next = await audit(source, { ...opts, now: new Date() });
      const changed = changedNodes(previous, next);
      if (changed.length > 0) io.stdout.write(printReport(format, { ...next, nodes: changed }, { ...print, noHeaders: true }));
      previous = next;
    } while (again);
    running = false;
  };
  return new Promise<number>((resolve) => {
    const stop = watchChanges(source, opts.scope, WATCH_INTERVAL_MS, () => void refresh());
    const end = (): void => {
      stop();
      resolve(exitCodeFor(previous));
    };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
}

const WATCH_INTERVAL_MS = 2000;

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

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

