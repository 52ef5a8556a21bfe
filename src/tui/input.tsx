import { useInput } from 'ink';
import { isText, keyName } from './keys.js';
import type { TuiAction } from './state.js';

/**
 * The one keypress hub: the only `useInput` of the view. It names the key and hands it to the
 * reducer, which decides with the latest state (prompt first, then the screen's keymap scope).
 */
export function useKeyHub(dispatch: (a: TuiAction) => void): void {
  useInput((input, key) => {
    const name = keyName(input, key);
    dispatch({ type: 'key', name, input, text: isText(name, input, key) });
  });
}
