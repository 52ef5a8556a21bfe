import fuzzy from 'fuzzy';
import type { Report, ReportNode } from '../report/model.js';
import { artifactSummary, truncateHex } from './format.js';
import { glyphOf, isProblem, stateRank, toneOf, verdictText, type Tone } from './theme.js';

/**
 * The tree as rows, pure and without ink: consumers → sources (from the nodes' sourceIds), problems
 * first, narrowed by the filter, problems-only, `:ns` and `:kind`. Rows are light (ids and tree
 * shape); the text of a row is built by `rowCells` only for the rows on screen.
 */
export interface RowQuery {
  readonly filter: string;
  readonly collapsed: ReadonlySet<string>;
  readonly problemsOnly: boolean;
  readonly namespace?: string | undefined;
  readonly kind?: string | undefined;
}

export interface TreeRow {
  /** the path of ids from the root: a source under two consumers is two rows */
  readonly key: string;
  readonly id: string;
  readonly depth: number;
  /** tree guides drawn before the title (`│  ├─ `) */
  readonly guide: string;
  readonly hasChildren: boolean;
  readonly expanded: boolean;
}

const KIND_ORDER: Record<string, number> = { Kustomization: 0, HelmRelease: 1, HelmChart: 2, OCIRepository: 3, HelmRepository: 4 };

// localeCompare as a collator made once: the same order, without building one per comparison
const collate = new Intl.Collator().compare;

function compareNodes(a: ReportNode, b: ReportNode): number {
  return (
    stateRank(a.finding.state) - stateRank(b.finding.state) ||
    (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) ||
    collate(a.namespace, b.namespace) ||
    collate(a.name, b.name)
  );
}

/**
 * The words a filter is matched against: names, kind, state and reason codes (`/wrong-key`), lower-cased.
 * Kept per node (a report's nodes do not change once made): typing a filter matches every node once
 * per key, and building these strings again for 5,000 nodes was most of that.
 */
const FIELDS = new WeakMap<ReportNode, { readonly fields: readonly string[]; readonly url: string }>();

function filterFields(n: ReportNode): { readonly fields: readonly string[]; readonly url: string } {
  let f = FIELDS.get(n);
  if (!f) {
    f = { fields: [n.name, `${n.namespace}/${n.name}`, n.kind, n.finding.state, ...n.finding.reasons].map((s) => s.toLowerCase()), url: (n.artifact?.url ?? n.git?.url)?.toLowerCase() ?? '' };
    FIELDS.set(n, f);
  }
  return f;
}

/** `p` is the filter trimmed and lower-cased. */
function matchesPattern(n: ReportNode, p: string): boolean {
  if (p === '') return true;
  const { fields, url } = filterFields(n);
  if (fields.some((f) => f.includes(p))) return true;
  if (url.includes(p)) return true;
  // fuzzy on short fields only: over a whole line a subsequence matches almost anything
  return fields.some((f) => fuzzy.test(p, f));
}

export function matchesFilter(n: ReportNode, filter: string): boolean {
  return matchesPattern(n, filter.trim().toLowerCase());
}

/** kubectl's short names and the plurals, as `:kind` accepts them */
const KIND_ALIASES: Record<string, string> = {
  ks: 'kustomization', hr: 'helmrelease', hc: 'helmchart', ocirepo: 'ocirepository', oci: 'ocirepository', helmrepo: 'helmrepository', gitrepo: 'gitrepository',
};

export function kindMatches(kind: string, wanted: string): boolean {
  const w = wanted.toLowerCase();
  const k = kind.toLowerCase();
  const plural = k.endsWith('y') ? `${k.slice(0, -1)}ies` : `${k}s`;
  return k === w || plural === w || k === KIND_ALIASES[w];
}

/**
 * How many times rows were built: a keypress that only moves the cursor must not build them (at 5,000
 * nodes that is what a key would cost); state.ts caches them per report and query. Read by tests.
 */
export const rowBuilds = { count: 0 };

/** The tree's shape in a scope (`:ns`, `:kind`), sorted: it depends on the report, not on the filter or folds. */
interface Shape {
  readonly roots: readonly ReportNode[];
  readonly children: ReadonlyMap<string, readonly ReportNode[]>;
}

/** Shapes per report and scope: a key typed into the filter walks the tree again, without sorting it again. */
const SHAPES = new WeakMap<Report, Map<string, Shape>>();

function shapeOf(report: Report, q: RowQuery): Shape {
  const key = `${q.namespace ?? ''}\u0000${q.kind ?? ''}`;
  let byScope = SHAPES.get(report);
  if (!byScope) {
    byScope = new Map();
    SHAPES.set(report, byScope);
  }
  const known = byScope.get(key);
  if (known) return known;
  const inScope = (n: ReportNode): boolean => (!q.namespace || n.namespace === q.namespace) && (!q.kind || kindMatches(n.kind, q.kind));
  const nodes = report.nodes.filter(inScope);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const shape: Shape = {
    roots: nodes.filter((n) => !n.consumerIds.some((id) => byId.has(id))).sort(compareNodes),
    children: new Map(nodes.map((n) => [n.id, n.sourceIds.flatMap((id) => byId.get(id) ?? []).sort(compareNodes)])),
  };
  byScope.set(key, shape);
  return shape;
}

export function nodesToRows(report: Report, q: RowQuery): TreeRow[] {
  rowBuilds.count++;
  const { roots, children: shapeChildren } = shapeOf(report, q);
  const pattern = q.filter.trim().toLowerCase();
  const constrained = pattern !== '' || q.problemsOnly;
  const matches = (n: ReportNode): boolean => (!q.problemsOnly || isProblem(n.finding)) && matchesPattern(n, pattern);
  const childrenOf = (n: ReportNode): readonly ReportNode[] => shapeChildren.get(n.id) ?? [];

  // a node is kept when it or something below it matches; cycles cannot come from Flux, but stay safe
  const kept = new Map<string, boolean>();
  const keep = (n: ReportNode, visiting: Set<string>): boolean => {
    if (!constrained) return true;
    const known = kept.get(n.id);
    if (known !== undefined) return known;
    visiting.add(n.id);
    let k = matches(n);
    for (const c of childrenOf(n)) if (!visiting.has(c.id) && keep(c, visiting)) k = true;
    visiting.delete(n.id);
    kept.set(n.id, k);
    return k;
  };

  const rows: TreeRow[] = [];
  const walk = (n: ReportNode, path: readonly string[], prefix: string, last: boolean, depth: number): void => {
    const key = [...path, n.id].join(' > ');
    const children = childrenOf(n).filter((c) => !path.includes(c.id) && c.id !== n.id && (!constrained || keep(c, new Set(path))));
    const expanded = !q.collapsed.has(key);
    rows.push({ key, id: n.id, depth, guide: depth === 0 ? '' : `${prefix}${last ? '└─ ' : '├─ '}`, hasChildren: children.length > 0, expanded });
    if (!expanded) return;
    const childPrefix = depth === 0 ? '' : `${prefix}${last ? '   ' : '│  '}`;
    children.forEach((c, i) => walk(c, [...path, n.id], childPrefix, i === children.length - 1, depth + 1));
  };
  for (const r of roots) if (keep(r, new Set())) walk(r, [], '', true, 0);
  return rows;
}

/** The slice of rows on screen: the cursor stays visible and the window moves as little as it can. */
export function windowFor(count: number, cursor: number, top: number, height: number): { readonly start: number; readonly end: number } {
  const h = Math.max(1, height);
  let start = Math.min(top, Math.max(0, count - h));
  if (cursor < start) start = cursor;
  if (cursor >= start + h) start = cursor - h + 1;
  start = Math.max(0, start);
  return { start, end: Math.min(count, start + h) };
}

export interface RowCells {
  readonly guide: string;
  /** ▸ collapsed, ▾ expanded, blank for leaves */
  readonly fold: string;
  readonly glyph: string;
  readonly tone: Tone;
  readonly title: string;
  readonly artifact: string;
  readonly verdict: string;
  readonly message: string;
}

/** The text of one visible row. */
export function rowCells(row: TreeRow, node: ReportNode, spinnerFrame: number): RowCells {
  const f = node.finding;
  return {
    guide: row.guide,
    fold: row.hasChildren ? (row.expanded ? '▾ ' : '▸ ') : '  ',
    glyph: glyphOf(f, spinnerFrame),
    tone: toneOf(f),
    title: `${node.kind} ${node.namespace}/${node.name}`,
    artifact: artifactSummary(node),
    verdict: verdictText(f),
    message: truncateHex(f.message),
  };
}
