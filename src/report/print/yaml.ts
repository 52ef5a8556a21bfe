import { Alias, Document, isCollection, isScalar, type Node, type ToStringOptions } from 'yaml';
import type { Report } from '../model.js';
import type { PrintOptions } from './options.js';

/** `-o yaml`: the report as is; long messages stay on one line so that grep finds them whole. */
export function printYaml(report: Report, _opts?: PrintOptions): string {
  return [...yamlChunks(report)].join('');
}

const toString: ToStringOptions = { lineWidth: 0, verifyAliasOrder: false };

/**
 * The bytes of `stringify(report, { lineWidth: 0 })`, one top-level key or one node at a time, so a
 * report of thousands of nodes is never one syntax tree or one string in memory.
 *
 * The yaml library writes an object met twice as an anchor (`&a1`) and then aliases (`*a1`), the
 * anchors numbered in the order the repeats are met. A first walk over the report, in the library's
 * order, finds those objects and names them; each chunk is then built with the anchor on the first
 * occurrence and an alias for the others, wherever in the report they are.
 */
export function* yamlChunks(report: Report): Generator<string> {
  const anchors = anchorsOf(report);
  const written = new Set<object>();
  const chunk = (value: Readonly<Record<string, unknown>>): string => {
    const doc = new Document(null);
    let building: object | undefined;
    const replacer = (_key: unknown, v: unknown): unknown => {
      if (v === null || typeof v !== 'object' || v === building) return v;
      const name = anchors.get(v);
      if (name === undefined) return v;
      if (written.has(v)) return new Alias(name);
      written.add(v);
      const outer = building;
      building = v;
      const node = doc.createNode(v, replacer, { aliasDuplicateObjects: false });
      building = outer;
      if (isScalar(node) || isCollection(node)) node.anchor = name;
      return node;
    };
    doc.contents = doc.createNode(value, replacer, { aliasDuplicateObjects: false }) as Node;
    return doc.toString(toString);
  };
  const entries = Object.entries(report).filter(([, v]) => v !== undefined);
  if (entries.length === 0) {
    yield '{}\n';
    return;
  }
  for (const [key, value] of entries) {
    if (key === 'nodes' && Array.isArray(value) && value.length > 0) {
      yield 'nodes:\n';
      // a one-item list under the same key, so each node is indented as it is in the whole report
      for (const node of value) yield chunk({ nodes: [node] }).slice('nodes:\n'.length);
    } else {
      yield chunk({ [key]: value });
    }
  }
}

/** The objects the yaml library would anchor, named as it names them (a1, a2, … in the order each is met again). */
function anchorsOf(root: unknown): Map<object, string> {
  const seen = new Set<object>();
  const anchors = new Map<object, string>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (seen.has(v)) {
      if (!anchors.has(v)) anchors.set(v, `a${anchors.size + 1}`);
      return;
    }
    seen.add(v);
    if (Array.isArray(v)) {
      for (const item of v) walk(item);
    } else {
      for (const item of Object.values(v)) if (item !== undefined) walk(item);
    }
  };
  walk(root);
  return anchors;
}
