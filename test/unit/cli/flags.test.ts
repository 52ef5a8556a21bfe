import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliExit } from '../../../src/cli/exit.js';
import { auditFlags, commonFlags, kubectlFlags, parseArgs } from '../../../src/cli/flags.js';

const specs = [...kubectlFlags, ...auditFlags, ...commonFlags];

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CliExit, `expected a CliExit, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    return e.message;
  }
  assert.fail('expected a usage error');
}

describe('parseArgs', () => {
  it('reads the pflag forms of a value', () => {
    for (const argv of [['-n', 'apps'], ['-napps'], ['-n=apps'], ['--namespace', 'apps'], ['--namespace=apps']]) {
      assert.equal(parseArgs(argv, specs).flags.namespace, 'apps', argv.join(' '));
    }
  });

  it('groups boolean shorthands and lets the last one take a value', () => {
    const a = parseArgs(['-Awo', 'json'], specs);
    assert.equal(a.flags['all-namespaces'], true);
    assert.equal(a.flags.watch, true);
    assert.equal(a.flags.output, 'json');
  });

  it('accumulates repeatable flags and keeps the last scalar', () => {
    const a = parseArgs(['--as-group', 'a', '--as-group=b', '-n', 'x', '-n', 'y'], specs);
    assert.deepEqual(a.flags['as-group'], ['a', 'b']);
    assert.equal(a.flags.namespace, 'y');
  });

  it('stops at -- and keeps positionals', () => {
    const a = parseArgs(['one', '--', '-n', 'two'], specs);
    assert.deepEqual(a.positionals, ['one', '-n', 'two']);
    assert.equal(a.flags.namespace, undefined);
  });

  it('fills defaults', () => {
    const a = parseArgs([], specs);
    assert.equal(a.flags.color, 'auto');
    assert.equal(a.flags['request-timeout'], '0');
  });

  it('rejects unknown flags, missing values and bad values with one line', () => {
    assert.equal(usage(() => parseArgs(['--frobnicate'], specs)), 'unknown flag: --frobnicate');
    assert.equal(usage(() => parseArgs(['-z'], specs)), "unknown shorthand flag: 'z' in -z");
    assert.equal(usage(() => parseArgs(['-n'], specs)), 'flag needs an argument: -n, --namespace');
    assert.match(usage(() => parseArgs(['-o', 'xml'], specs)), /^invalid argument "xml" for "-o, --output" flag: must be one of table, wide, tree, json, yaml, summary$/);
    assert.match(usage(() => parseArgs(['--request-timeout', 'soon'], specs)), /invalid argument "soon" for "--request-timeout"/);
    assert.match(usage(() => parseArgs(['-A=maybe'], specs)), /must be true or false/);
    for (const m of [usage(() => parseArgs(['--frobnicate'], specs))]) assert.ok(!m.includes('\n'));
  });

  it('accepts Go durations and bare seconds', () => {
    for (const d of ['0', '30', '1s', '1m30s', '1.5h', '250ms']) {
      assert.equal(parseArgs(['--request-timeout', d], specs).flags['request-timeout'], d);
    }
  });
});
