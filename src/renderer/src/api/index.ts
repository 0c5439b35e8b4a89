import type { TieoutBridge } from '../../../shared/bridge.js';
import { electronTransport } from './electron-transport.js';
import { httpTransport, pickUpToken } from './http-transport.js';
import type { Transport } from './transport.js';

export type { Transport } from './transport.js';

declare global {
  interface Window {
    tieout?: TieoutBridge;
  }
}

/** Picks the transport once at start: the preload bridge in Electron, the loopback HTTP bridge otherwise. */
export function pickTransport(): Transport | { error: string } {
  if (window.tieout) return electronTransport(window.tieout);
  const token = pickUpToken(window.location, window.sessionStorage, window.history);
  if (!token) return { error: 'This page needs the session link printed by "npm start" or "npm run serve" (it carries a token).' };
  return httpTransport(token);
}
