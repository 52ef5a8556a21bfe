import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { lookup as liveLookup } from '../../../src/cli/complete-lookups.js';
import { completeWords, Directive, formatCompletion, runComplete, type Lookup, type LookupKind } from '../../../src/cli/complete.js';
import { artifactFlags, auditFlags, commonFlags, kubectlFlags, outputFormats, trustFlags } from '../../../src/cli/flags.js';
import { run } from '../../../src/cli/main.js';
import type { KubeFlags } from '../../../src/kube/kubeconfig.js';
import { failOnClasses } from '../../../src/report/exit.js';

// A lookup that answers from a table and records what it was asked, with which connection flags.
function fakeLookup(names: Partial<Record<LookupKind, string[]>> = {}): Lookup & { asked: [LookupKind, KubeFlags][] } {
  const asked: [LookupKind, KubeFlags][] = [];
  const fn = async (kind: LookupKind, connection: KubeFlags): Promise<readonly string[]> => {
    asked.push([kind, connection]);
    return names[kind] ?? [];
  };
  return Object.assign(fn, { asked });
}

const values = async (words: string[], lookup: Lookup = fakeLookup()): Promise<{ v: string[]; d: number }> => {
  const c = await completeWords(words, lookup);
  return { v: c.candidates.map((x) => x.value), d: c.directive };
};

const sink = (append: (s: string) => void): Writable =>
  new Writable({
    write(chunk: Buffer, _enc, cb) {
      append(chunk.toString());
      cb();
    },
  });

describe('completion: flags', () => {
  it('offers every flag of the audit, long and short, from the flag tables', async () => {
    const { v, d } = await values(['-']);
    const specs = [...kubectlFlags, ...auditFlags, ...trustFlags, ...commonFlags];
    assert.deepEqual(new Set(v), new Set(specs.flatMap((s) => [`--${s.name}`, ...(s.short ? [`-${s.short}`] : [])])));
    assert.equal(d, Directive.noFileComp);
  });

  it('completes a long name by prefix, without shorthands, with the help as description', async () => {
    const c = await completeWords(['--fail'], fakeLookup());
    assert.deepEqual(c.candidates, [{ value: '--fail-on', description: auditFlags.find((f) => f.name === 'fail-on')?.help }]);
    assert.deepEqual((await values(['--n'])).v, ['--namespace', '--no-headers']);
  });

  it('does not offer a flag already given, unless it repeats', async () => {
    const { v } = await values(['-o', 'json', '--key', 'a.pub', '--']);
    assert.ok(!v.includes('--output'));
    assert.ok(v.includes('--key'), 'repeatable flags stay');
  });

  it('offers the artifact command its own flags', async () => {
    const { v } = await values(['artifact', 'oci://x/y:1', '--']);
    assert.deepEqual(new Set(v), new Set([...artifactFlags, ...commonFlags].map((s) => `--${s.name}`)));
  });
});

describe('completion: values', () => {
  it('-o, --output, --output= and -o= complete the output formats', async () => {
    assert.deepEqual(await values(['-o', '']), { v: [...outputFormats], d: Directive.noFileComp });
    assert.deepEqual((await values(['--output', 'j'])).v, ['json']);
    // with '=', cobra answers with the value alone; the shell script puts the flag back
    assert.deepEqual((await values(['--output=y'])).v, ['yaml']);
    assert.deepEqual((await values(['-o=t'])).v, ['table', 'tree']);
    assert.deepEqual((await values(['artifact', 'oci://r/a:1', '-o', ''])).v, ['text', 'json']);
  });

  it('--color completes its modes', async () => {
    assert.deepEqual((await values(['--color', ''])).v, ['auto', 'always', 'never']);
  });

  it('--fail-on completes the class after the last comma, without repeating one, and leaves room for another', async () => {
    const first = await values(['--fail-on', '']);
    assert.deepEqual(first.v, [...failOnClasses]);
    const next = await values(['--fail-on', 'failed,']);
    assert.deepEqual(next.v, failOnClasses.filter((c) => c !== 'failed').map((c) => `failed,${c}`));
    assert.equal(next.d, Directive.noSpace | Directive.noFileComp);
    assert.deepEqual((await values(['--fail-on=failed,dr'])).v, ['failed,drift']);
  });

  it('a path flag leaves the shell to complete file names', async () => {
    for (const w of [['--kubeconfig', ''], ['-f', ''], ['--key', 'co'], ['artifact', 'oci://r/a:1', '--trust-policy', '']]) {
      assert.deepEqual(await values(w), { v: [], d: Directive.default }, w.join(' '));
    }
  });

  it('a free-form value offers nothing and no file names', async () => {
    assert.deepEqual(await values(['-l', '']), { v: [], d: Directive.noFileComp });
    assert.deepEqual(await values(['--request-timeout', '']), { v: [], d: Directive.noFileComp });
  });

  it('namespaces, contexts, clusters and users come from the lookup, filtered by the word', async () => {
    const lookup = fakeLookup({ namespaces: ['apps', 'flux-system', 'kv-a'], contexts: ['admin', 'prod'], clusters: ['lab'], users: ['admin', 'restricted'] });
    assert.deepEqual(await values(['-n', ''], lookup), { v: ['apps', 'flux-system', 'kv-a'], d: Directive.noFileComp });
    assert.deepEqual((await values(['--namespace', 'f'], lookup)).v, ['flux-system']);
    assert.deepEqual((await values(['-nk'], lookup)).v, [], 'a shorthand with its value attached is not completed');
    assert.deepEqual((await values(['--context', 'p'], lookup)).v, ['prod']);
    assert.deepEqual((await values(['--cluster', ''], lookup)).v, ['lab']);
    assert.deepEqual((await values(['--user=r'], lookup)).v, ['restricted']);
  });

  it('lists namespaces with the connection flags typed before, and nothing else', async () => {
    const lookup = fakeLookup();
    await completeWords(['--kubeconfig', 'k.yaml', '--context=prod', '-A', '--as', 'jane', '--as-group', 'a', '--as-group', 'b', '--insecure-skip-tls-verify', '-o', 'json', '-n', ''], lookup);
    assert.deepEqual(lookup.asked, [['namespaces', { kubeconfig: 'k.yaml', context: 'prod', as: 'jane', asGroups: ['a', 'b'], insecureSkipTlsVerify: true }]]);
  });

  it('a lookup that fails gives no candidates and still a directive', async () => {
    const failing: Lookup = async () => {
      throw new Error('boom');
    };
    assert.deepEqual(await values(['-n', ''], failing), { v: [], d: Directive.noFileComp });
  });
});

describe('completion: commands and arguments', () => {
  it('the first word completes to a command', async () => {
    assert.deepEqual(await values(['']), { v: ['artifact', 'git', 'completion', 'version'], d: Directive.noFileComp });
    assert.deepEqual((await values(['g'])).v, ['git']);
    assert.deepEqual((await values(['a'])).v, ['artifact']);
  });

  it('git completes the URL schemes and its own flags', async () => {
    assert.deepEqual(await values(['git', '']), { v: ['https://', 'ssh://'], d: Directive.noSpace | Directive.noFileComp });
    const flags = (await values(['git', 'https://x/r', '--'])).v;
    for (const f of ['--branch', '--tag', '--tag-semver', '--commit', '--ref', '--mode', '--keys', '--secret', '--output']) assert.ok(flags.includes(f), f);
    assert.deepEqual((await values(['git', 'https://x/r', '--mode', ''])).v, ['HEAD', 'Tag', 'TagAndHEAD']);
  });

  it('a command after flags is not offered: main.ts takes one only as the first word', async () => {
    assert.deepEqual((await values(['-A', ''])).v, []);
  });

  it('artifact completes the REF schemes, without a space after them', async () => {
    assert.deepEqual(await values(['artifact', '']), { v: ['oci://', 'oci-layout://'], d: Directive.noSpace | Directive.noFileComp });
    assert.deepEqual((await values(['artifact', 'oci-l'])).v, ['oci-layout://']);
    assert.deepEqual((await values(['artifact', 'oci://a/b:1', ''])).v, []);
  });

  it('completion completes the shells', async () => {
    assert.deepEqual((await values(['completion', ''])).v, ['bash', 'zsh', 'fish']);
  });

  it('after -- no flag is offered', async () => {
    assert.deepEqual((await values(['--', '-'])).v, []);
  });

  it('with no word at all it completes a new first word', async () => {
    assert.deepEqual((await values([])).v, ['artifact', 'git', 'completion', 'version']);
  });
});

describe('completion: the protocol', () => {
  it('prints a candidate a line, a tab before its description, then the directive', () => {
    const text = formatCompletion({ candidates: [{ value: '--a', description: 'one\ttwo\nthree' }, { value: 'b' }], directive: 6 }, true);
    assert.equal(text, '--a\tone two three\nb\n:6\n');
    assert.equal(formatCompletion({ candidates: [{ value: '--a', description: 'x' }], directive: 4 }, false), '--a\n:4\n');
    assert.equal(formatCompletion({ candidates: [], directive: 4 }, true), ':4\n');
  });

  it('__complete and __completeNoDesc answer on stdout only, and exit 0', async () => {
    for (const [cmd, expected] of [
      ['__complete', '--color\tColour output: auto (a terminal without NO_COLOR), always, never\n:4\n'],
      ['__completeNoDesc', '--color\n:4\n'],
    ] as const) {
      let out = '';
      let err = '';
      const code = await run([cmd, '--col'], { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) });
      assert.equal(code, 0);
      assert.equal(out, expected);
      assert.equal(err, '');
    }
  });

  it('a failure inside completion is the error directive, never an error message', async () => {
    let out = '';
    let err = '';
    const broken = (() => {
      throw new Error('boom');
    }) as unknown as Lookup;
    const code = await runComplete(['-n', ''], { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) }, { descriptions: true, lookup: broken });
    assert.equal(code, 0);
    assert.equal(err, '');
    assert.match(out, /^:\d+\n$/);
  });
});

describe('completion: the kubeconfig lookups', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-complete-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const a = file('a.yaml', 'current-context: one\ncontexts:\n- {name: one, context: {cluster: c1, user: u1}}\n- {name: two, context: {cluster: c2, user: u2}}\nclusters:\n- {name: c1, cluster: {server: "https://127.0.0.1:1"}}\nusers:\n- {name: u1, user: {}}\n');
  const b = file('b.yaml', 'contexts:\n- {name: two, context: {cluster: c9}}\n- {name: three, context: {cluster: c2}}\nclusters:\n- {name: c2, cluster: {server: "https://127.0.0.1:2"}}\nusers:\n- {name: u2, user: {}}\n');
  const broken = file('broken.yaml', 'contexts: [\n');

  it('merges $KUBECONFIG in order, first name wins, unreadable files skipped', async () => {
    const env = { KUBECONFIG: [a, broken, join(dir, 'missing.yaml'), b].join(':') };
    assert.deepEqual(await liveLookup('contexts', {}, { env }), ['one', 'two', 'three']);
    assert.deepEqual(await liveLookup('clusters', {}, { env }), ['c1', 'c2']);
    assert.deepEqual(await liveLookup('users', {}, { env }), ['u1', 'u2']);
  });

  it('--kubeconfig typed on the line wins over $KUBECONFIG, relative to the working directory', async () => {
    assert.deepEqual(await liveLookup('contexts', { kubeconfig: 'b.yaml' }, { env: { KUBECONFIG: a }, cwd: dir }), ['two', 'three']);
  });

  it('nothing configured: no names, no error', async () => {
    assert.deepEqual(await liveLookup('contexts', {}, { env: {}, home: dir }), []);
    assert.deepEqual(await liveLookup('namespaces', {}, { env: {}, home: dir }), []);
  });

  it('an API server that refuses connections: no namespaces, at once', async () => {
    const started = Date.now();
    assert.deepEqual(await liveLookup('namespaces', {}, { env: { KUBECONFIG: a }, timeoutMs: 5000 }), []);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });
});
