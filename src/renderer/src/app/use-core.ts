import { createContext, useContext } from 'react';
import type { Transport } from '../api/index.js';

export const TransportContext = createContext<Transport | null>(null);

export function useTransport(): Transport {
  const t = useContext(TransportContext);
  if (!t) throw new Error('TransportContext is missing');
  return t;
}
