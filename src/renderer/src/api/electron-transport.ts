import type { TieoutBridge } from '../../../shared/bridge.js';
import type { Transport } from './transport.js';
import { unwrap } from './unwrap.js';

export function electronTransport(bridge: TieoutBridge): Transport {
  return {
    kind: 'electron',
    async call(name, input) {
      const fn = bridge.calls[name] as (i: unknown) => Promise<unknown>;
      return unwrap(await fn(input));
    },
    subscribe: (listener) => bridge.onEvent(listener),
    chooseWorkspace: (mode) => bridge.chooseWorkspace(mode),
    chooseImportFile: () => bridge.chooseImportFile(),
    fileToPath: async (file) => bridge.pathForFile(file),
  };
}
