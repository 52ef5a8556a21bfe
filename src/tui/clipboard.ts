import { osc52 } from './copy.js';

/**
 * Copies through the system clipboard (clipboardy) and falls back to OSC 52 written to the terminal
 * whenever that fails or hangs: over SSH, in a container, or in a single executable without
 * clipboardy's helper binaries.
 */
export type ClipboardWriter = (text: string) => Promise<void>;

export async function systemClipboard(): Promise<ClipboardWriter> {
  const { default: clipboard } = await import('clipboardy');
  return (text) => clipboard.write(text);
}

export async function copyText(text: string, writeTerminal: (s: string) => void, clipboard: () => Promise<ClipboardWriter> = systemClipboard, timeoutMs = 1500): Promise<'clipboard' | 'osc52'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const write = await clipboard();
    await Promise.race([
      write(text),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('clipboard timed out')), timeoutMs);
      }),
    ]);
    return 'clipboard';
  } catch {
    writeTerminal(osc52(text));
    return 'osc52';
  } finally {
    if (timer) clearTimeout(timer);
  }
}
