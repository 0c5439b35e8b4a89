import { useEffect, useState } from 'react';
import type { ReconciliationInfo } from '../../../shared/contract.js';
import { errorText } from './error-text.js';
import { useTransport } from './use-core.js';

/**
 * The workspace's reconciliations and the one a view works on (the first, until the user picks
 * another). Reloaded when the workspace changes.
 */
export function useReconciliationChoice(revision: number, onError: (message: string) => void) {
  const transport = useTransport();
  const [recs, setRecs] = useState<ReconciliationInfo[]>([]);
  const [rec, setRec] = useState<string | null>(null);
  useEffect(() => {
    transport
      .call('reconciliations.list', {})
      .then((list) => {
        setRecs(list);
        setRec((r) => r ?? list[0]?.name ?? null);
      })
      .catch((e) => onError(errorText(e)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [transport, revision]);
  return { recs, rec, setRec };
}
