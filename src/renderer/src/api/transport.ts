import type { CallInput, CallName, CallOutput, CoreEvent } from '../../../shared/contract.js';

/** How the renderer reaches the core. Components get one of these and never know which. */
export interface Transport {
  readonly kind: 'electron' | 'http';
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>;
  subscribe(listener: (e: CoreEvent) => void): () => void;
  /** A native file dialog where there is one; null means "ask for a path in the page". */
  chooseWorkspace: ((mode: 'open' | 'create') => Promise<string | null>) | null;
  /** A native file dialog for imports; null means "type a path or drop a file". */
  chooseImportFile: (() => Promise<string | null>) | null;
  /** Makes a dropped file readable by the core and returns its path. */
  fileToPath(file: File): Promise<string>;
}
