import type { Report, ReportNode } from '../report/model.js';
import { describeError } from '../errors.js';
import { copyText, type ClipboardWriter } from './clipboard.js';
import { artifactNode, copyTarget, type CopyTarget } from './copy.js';
import { currentView, rowsOf, type TuiAction, type TuiState } from './state.js';
import { yamlLines } from './yaml-view.js';
import type { LiveAudit } from './run.js';

/**
 * The side effects keys ask for (copy, YAML, re-verify): each ends in actions for the reducer, so
 * what the screen shows still comes from state alone.
 */
type Dispatch = (a: TuiAction) => void;

/** The node the keys act on: the one a screen shows, else the row under the cursor. */
export function focusedNode(s: TuiState): ReportNode | undefined {
  const v = currentView(s);
  const id = v.kind === 'detail' || v.kind === 'yaml' ? v.id : rowsOf(s)[s.cursor]?.id;
  return id ? s.report.nodes.find((n) => n.id === id) : undefined;
}

function specInsecure(raw: unknown): boolean {
  const spec = raw && typeof raw === 'object' ? (raw as { spec?: unknown }).spec : undefined;
  return Boolean(spec && typeof spec === 'object' && (spec as { insecure?: unknown }).insecure === true);
}

/** spec.insecure on the artifact's object or on the repository it comes from (HelmChart → HelmRepository). */
export function insecureOf(run: LiveAudit, report: Report, node: ReportNode): boolean {
  const art = artifactNode(report, node);
  if (!art) return false;
  return [art.id, ...art.sourceIds].some((id) => specInsecure(run.rawObject(id)));
}

export function openYaml(s: TuiState, run: LiveAudit, dispatch: Dispatch): void {
  const node = focusedNode(s);
  if (!node) return;
  dispatch({ type: 'open-yaml', id: node.id, lines: yamlLines(run.rawObject(node.id)) });
}

export async function copyFocused(s: TuiState, run: LiveAudit, what: CopyTarget['what'], writeTerminal: (t: string) => void, dispatch: Dispatch, clipboard?: () => Promise<ClipboardWriter>): Promise<void> {
  const node = focusedNode(s);
  const target = node ? copyTarget(what, node, s.report, { insecure: insecureOf(run, s.report, node) }) : undefined;
  if (!target) {
    dispatch({ type: 'status', text: 'nothing to copy here: no artifact', tone: 'error' });
    return;
  }
  const via = await copyText(target.text, writeTerminal, clipboard);
  dispatch({ type: 'status', text: `copied ${target.what}${via === 'osc52' ? ' (OSC 52)' : ''}: ${target.text}` });
}

export async function rerunAudit(rerun: () => Promise<LiveAudit>, setRun: (r: LiveAudit) => void, dispatch: Dispatch): Promise<void> {
  dispatch({ type: 'rerun-start' });
  try {
    setRun(await rerun());
  } catch (e) {
    dispatch({ type: 'status', text: `re-verify failed: ${describeError(e)}`, tone: 'error' });
  }
}
