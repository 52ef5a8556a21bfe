import type { render as inkRender } from 'ink';
import type { App as AppComponent } from './App.js';

export interface ViewModules {
  readonly render: typeof inkRender;
  readonly App: typeof AppComponent;
}

/**
 * Loads ink, React and the App. ink's layout engine (yoga) instantiates its WebAssembly from a `data:`
 * URL, through the global `fetch` when there is one; in Node that is undici, which Node compiles on its
 * first call: about 90 ms of a cold start, for bytes already in memory. Nothing of ours calls the global
 * fetch (registry/ has undici of its own), so it is hidden while the modules load and yoga decodes the
 * base64 itself. The CLI awaits this before the audit starts, so nothing else runs meanwhile.
 */
export async function loadView(): Promise<ViewModules> {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  const hide = saved?.configurable === true && 'value' in saved;
  if (hide) Object.defineProperty(globalThis, 'fetch', { ...saved, value: undefined });
  try {
    const [ink, app] = await Promise.all([import('ink'), import('./App.js')]);
    return { render: ink.render, App: app.App };
  } finally {
    if (hide && saved) Object.defineProperty(globalThis, 'fetch', saved);
  }
}
