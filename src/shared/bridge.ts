import type { CallInput, CallName, CallResult, CoreEvent } from './contract.js';

/**
 * What the preload exposes as `window.tieout`: one named function per contract call
 * (never a generic invoke) and an event subscription.
 */
export type TieoutBridge = {
  readonly calls: { readonly [N in CallName]: (input: CallInput<N>) => Promise<CallResult> };
  onEvent(listener: (e: CoreEvent) => void): () => void;
  /** Native dialogs, Electron only. */
  chooseWorkspace(mode: 'open' | 'create'): Promise<string | null>;
  /** A native "choose a file to import" dialog. */
  chooseImportFile(): Promise<string | null>;
  /** The local path of a dropped file (Electron's webUtils.getPathForFile). */
  pathForFile(file: File): string;
};
