import { Box, Text } from 'ink';
import type { Report } from '../report/model.js';
import type { Colorer } from './theme.js';
import { SPINNER } from './theme.js';

export interface HeaderProps {
  /** the command as the user typed it: `kubectl verify` or `flux verify` */
  readonly title: string;
  readonly report: Report;
  readonly completed: number;
  readonly total: number;
  readonly rerunning: boolean;
  readonly spinnerFrame: number;
  readonly scope: { readonly filter: string; readonly problemsOnly: boolean; readonly namespace?: string | undefined; readonly kind?: string | undefined };
  readonly color: Colorer;
}

/** Where we look (context, cluster, namespace), live counts and progress. */
export function Header({ title, report, completed, total, rerunning, spinnerFrame, scope, color }: HeaderProps) {
  const src = report.source;
  const where = src.demo ? `DEMO · built-in fleet captured from the lab on ${src.demo.capturedAt.slice(0, 10)}, nothing fetched` : src.files ? `files ${src.files.join(', ')}` : [src.context ? `context ${src.context}` : '', src.cluster ? `cluster ${src.cluster}` : ''].filter(Boolean).join(' · ');
  const ns = report.scope.allNamespaces ? 'all namespaces' : `namespace ${report.scope.namespace ?? ''}`;
  const running = rerunning || completed < total;
  const s = report.summary;
  const counts = [
    { n: s.verified, label: 'verified', tone: 'ok' as const },
    { n: s.failed, label: 'failed', tone: 'failed' as const },
    { n: s.notEnforced, label: 'not enforced', tone: 'warning' as const },
    { n: s.weak, label: 'weak', tone: 'warning' as const },
    { n: s.errors, label: 'errors', tone: 'failed' as const },
    { n: s.pending, label: 'pending', tone: 'pending' as const },
    // only when there are some: most fleets have none, and the line is short of room
    ...(s.unverifiable > 0 ? [{ n: s.unverifiable, label: 'unverifiable', tone: 'warning' as const }] : []),
  ];
  const narrowed = [scope.filter ? `/${scope.filter}` : '', scope.problemsOnly ? 'problems only' : '', scope.namespace ? `:ns ${scope.namespace}` : '', scope.kind ? `:kind ${scope.kind}` : ''].filter(Boolean).join('  ');
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>{title}</Text>
        <Text>{`  ${where}${where ? ' · ' : ''}${ns}`}</Text>
        {report.trustOverrides.length > 0 ? <Text color={color('info')}>{`  trust from flags: ${report.trustOverrides.join(' ')}`}</Text> : null}
        {running ? (
          <Text color={color('pending')}>{`  ${SPINNER[spinnerFrame % SPINNER.length] ?? ''} ${rerunning ? 're-verifying' : `verifying ${completed}/${total}`}`}</Text>
        ) : (
          <Text color={color('muted')}>{`  ${completed}/${total} artifacts checked`}</Text>
        )}
      </Text>
      <Text wrap="truncate">
        {counts.map((c) => (
          <Text key={c.label} color={c.n > 0 ? color(c.tone) : color('muted')}>{`${c.n} ${c.label}   `}</Text>
        ))}
        {report.problems.length > 0 ? <Text color={color('warning')}>{`${report.problems.length} unreadable   `}</Text> : null}
        {narrowed ? <Text color={color('accent')}>{narrowed}</Text> : null}
      </Text>
    </Box>
  );
}
