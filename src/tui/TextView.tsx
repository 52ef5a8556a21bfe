import { Box, Text } from 'ink';
import type { Line } from './detail.js';
import type { Colorer } from './theme.js';

export interface TextViewProps {
  readonly lines: readonly Line[];
  readonly scroll: number;
  readonly height: number;
  readonly color: Colorer;
}

/** A scrolled window over toned lines: the detail, YAML and help screens. */
export function TextView({ lines, scroll, height, color }: TextViewProps) {
  const visible = lines.slice(scroll, scroll + height);
  const more = lines.length - scroll - visible.length;
  return (
    <Box flexDirection="column" height={height}>
      {visible.map((l, i) => (
        <Text key={scroll + i} wrap="truncate">
          {l.length === 0 ? ' ' : l.map((s, j) => (
            <Text key={j} color={color(s.tone)} bold={s.bold === true}>
              {s.text}
            </Text>
          ))}
          {i === visible.length - 1 && more > 0 ? <Text color={color('muted')}>{`   ↓ ${more} more`}</Text> : null}
        </Text>
      ))}
    </Box>
  );
}
