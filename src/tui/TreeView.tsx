import { Box, Text } from 'ink';
import type { ReportNode } from '../report/model.js';
import { rowCells, type TreeRow } from './rows.js';
import type { Colorer } from './theme.js';

export interface TreeViewProps {
  /** only the rows on screen */
  readonly rows: readonly TreeRow[];
  readonly nodes: ReadonlyMap<string, ReportNode>;
  /** index of the cursor within `rows`, or -1 */
  readonly cursor: number;
  readonly spinnerFrame: number;
  readonly width: number;
  readonly height: number;
  readonly emptyText: string;
  readonly color: Colorer;
}

const pad = (s: string, w: number): string => (s.length > w ? `${s.slice(0, Math.max(0, w - 1))}… ` : s.padEnd(w + 1));

/** The visible slice of the tree: guides, fold marker, glyph, title, verdict, artifact and message. */
export function TreeView({ rows, nodes, cursor, spinnerFrame, width, height, emptyText, color }: TreeViewProps) {
  const cells = rows.flatMap((r) => {
    const n = nodes.get(r.id);
    return n ? [{ row: r, c: rowCells(r, n, spinnerFrame) }] : [];
  });
  const titleW = Math.min(Math.max(24, ...cells.map(({ c }) => c.guide.length + c.fold.length + 2 + c.title.length)), Math.floor(width * 0.4));
  const verdictW = Math.min(Math.max(12, ...cells.map(({ c }) => c.verdict.length)), 34);
  return (
    <Box flexDirection="column" height={height}>
      {cells.length === 0 ? <Text color={color('muted')}>{emptyText}</Text> : null}
      {cells.map(({ row, c }, i) => {
        const selected = i === cursor;
        const head = `${c.guide}${c.fold}`;
        return (
          <Text key={row.key} wrap="truncate" inverse={selected}>
            <Text color={color('muted')}>{head}</Text>
            <Text color={color(c.tone)}>{`${c.glyph} `}</Text>
            <Text bold={row.depth === 0}>{pad(c.title, titleW - head.length - 2)}</Text>
            <Text color={color(c.tone)}>{pad(c.verdict, verdictW)}</Text>
            <Text color={color('muted')}>{c.artifact ? `${c.artifact}  ` : ''}</Text>
            <Text>{c.message}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
