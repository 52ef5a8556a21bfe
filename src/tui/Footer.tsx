import { Box, Text } from 'ink';
import type { Prompt, Status } from './state.js';
import type { Colorer } from './theme.js';

export interface FooterProps {
  readonly prompt?: Prompt | undefined;
  readonly status?: Status | undefined;
  readonly hints: readonly { readonly key: string; readonly text: string }[];
  readonly color: Colorer;
}

/** The prompt or the last status message, then the key hints generated from the keymap. */
export function Footer({ prompt, status, hints, color }: FooterProps) {
  return (
    <Box flexDirection="column">
      {prompt ? (
        <Text wrap="truncate">
          <Text color={color('accent')}>{prompt.mode === 'filter' ? '/' : ':'}</Text>
          <Text>{prompt.text}</Text>
          <Text inverse> </Text>
        </Text>
      ) : (
        <Text wrap="truncate" color={color(status?.tone === 'error' ? 'failed' : 'info')}>
          {status?.text ?? ' '}
        </Text>
      )}
      <Text wrap="truncate">
        {hints.map((h) => (
          <Text key={h.key + h.text}>
            <Text color={color('accent')}>{`<${h.key}>`}</Text>
            <Text color={color('muted')}>{` ${h.text}  `}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
