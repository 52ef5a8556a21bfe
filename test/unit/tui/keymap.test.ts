import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACTION_DESCRIPTIONS, helpSections, hintsFor, KEYMAP, lookupKey } from '../../../src/tui/keymap.js';
import { helpLines } from '../../../src/tui/help.js';
import { lineText } from '../../../src/tui/detail.js';
import { keyName, isText, type ParsedKey } from '../../../src/tui/keys.js';

const none: ParsedKey = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, ctrl: false, tab: false, backspace: false, delete: false, meta: false };

describe('the keymap', () => {
  it('describes every action', () => {
    for (const b of KEYMAP) assert.ok(ACTION_DESCRIPTIONS[b.action]?.length > 0, b.action);
    for (const [action, d] of Object.entries(ACTION_DESCRIPTIONS)) assert.ok(d.length > 0, action);
  });

  it('binds no key twice in a scope, nor a scope key that shadows a global one', () => {
    const seen = new Set<string>();
    for (const b of KEYMAP) {
      const k = `${b.scope}:${b.key}`;
      assert.ok(!seen.has(k), `${k} bound twice`);
      seen.add(k);
    }
    for (const b of KEYMAP.filter((x) => x.scope !== 'global')) assert.ok(!seen.has(`global:${b.key}`), `${b.scope}:${b.key} shadows a global key`);
  });

  it('has the k9s keys', () => {
    assert.equal(lookupKey('tree', '/'), 'filter');
    assert.equal(lookupKey('tree', ':'), 'command');
    assert.equal(lookupKey('tree', '?'), 'help');
    assert.equal(lookupKey('tree', 'enter'), 'open');
    assert.equal(lookupKey('view', 'esc'), 'back');
    assert.equal(lookupKey('tree', 'y'), 'yaml');
    assert.equal(lookupKey('tree', 'c'), 'copyDigest');
    assert.equal(lookupKey('view', 'c'), 'copyCommand');
    assert.equal(lookupKey('tree', 'ctrl-z'), 'problems');
    assert.equal(lookupKey('view', 'q'), 'quit');
    assert.equal(lookupKey('tree', 'j'), 'down');
    assert.equal(lookupKey('tree', 'G'), 'bottom');
  });

  it('generates help and hints from the table', () => {
    const text = helpLines().map(lineText).join('\n');
    for (const b of KEYMAP) assert.ok(text.includes(ACTION_DESCRIPTIONS[b.action]), b.action);
    assert.equal(helpSections().length, 3);
    assert.ok(hintsFor('tree').some((h) => h.key === '/'));
    assert.ok(hintsFor('view').some((h) => h.key === 'esc'));
  });
});

describe('keyName', () => {
  it('names keys as the keymap spells them', () => {
    assert.equal(keyName('', { ...none, upArrow: true }), 'up');
    assert.equal(keyName('', { ...none, pageDown: true }), 'pagedown');
    assert.equal(keyName('', { ...none, return: true }), 'enter');
    assert.equal(keyName('', { ...none, escape: true }), 'esc');
    assert.equal(keyName('z', { ...none, ctrl: true }), 'ctrl-z');
    assert.equal(keyName('', { ...none, delete: true }), 'backspace');
    assert.equal(keyName(' ', none), 'space');
    assert.equal(keyName('G', { ...none, shift: true } as ParsedKey), 'G');
    assert.ok(isText('w', 'w', none));
    assert.ok(isText('space', ' ', none));
    assert.ok(!isText('ctrl-z', 'z', { ...none, ctrl: true }));
    assert.ok(!isText('enter', '\r', { ...none, return: true }));
  });
});
