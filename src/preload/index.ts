import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { TieoutBridge } from '../shared/bridge.js';
import { CALL_NAMES, IPC_EVENT_CHANNEL, ipcChannel, type CallName, type CallResult, type CoreEvent } from '../shared/contract.js';

/**
 * One named function per contract call, each bound to its own IPC channel.
 * Never a generic invoke: the page cannot reach any channel that is not in the contract.
 */
const calls = Object.fromEntries(
  CALL_NAMES.map((name: CallName) => [name, (input: unknown): Promise<CallResult> => ipcRenderer.invoke(ipcChannel(name), input)]),
) as unknown as TieoutBridge['calls'];

const bridge: TieoutBridge = {
  calls: Object.freeze(calls),
  onEvent(listener) {
    const handler = (_e: Electron.IpcRendererEvent, event: CoreEvent) => listener(event);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
  },
  chooseWorkspace: (mode) => ipcRenderer.invoke('tieout:dialog.workspace', mode) as Promise<string | null>,
  chooseImportFile: () => ipcRenderer.invoke('tieout:dialog.import-file') as Promise<string | null>,
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('tieout', bridge);
