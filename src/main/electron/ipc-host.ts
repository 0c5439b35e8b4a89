import { CALL_NAMES, ipcChannel, type CallResult } from '../../shared/contract.js';
import { TieoutError } from '../../shared/error.js';
import type { Service } from '../core/service.js';
import type { FrameLike } from './trusted-sender.js';

/** The slice of ipcMain we use, so the host can be tested in Node without Electron. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame: FrameLike | null }, ...args: unknown[]) => Promise<unknown>): void;
}

/** One ipcMain.handle per contract call. The sender is checked, then the service validates the input. */
export function registerIpcHost(ipc: IpcMainLike, service: Service, isTrusted: (f: FrameLike | null | undefined) => boolean): void {
  for (const name of CALL_NAMES) {
    ipc.handle(ipcChannel(name), async (event, input): Promise<CallResult> => {
      if (!isTrusted(event.senderFrame)) {
        return { ok: false, error: new TieoutError('forbidden', `Refused ${name} from an untrusted frame`).toShape() };
      }
      try {
        return { ok: true, result: await service.call(name, input) };
      } catch (err) {
        return { ok: false, error: TieoutError.from(err).toShape() };
      }
    });
  }
}
