import { useState, type ReactNode } from 'react';
import type { WorkspaceInfo } from '../../../../shared/contract.js';
import { useTransport } from '../../app/use-core.js';

interface Props {
  info: WorkspaceInfo | null;
  busy: boolean;
  onOpen(path: string, mode: 'open' | 'create'): void;
  onLoadDemo(): void;
  children?: ReactNode;
}

/** Create or open a workspace: native dialogs in Electron, a path field in browser mode. */
export function WorkspaceBar({ info, busy, onOpen, onLoadDemo, children }: Props) {
  const transport = useTransport();
  const [path, setPath] = useState('');

  const choose = async (mode: 'open' | 'create') => {
    if (transport.chooseWorkspace) {
      const picked = await transport.chooseWorkspace(mode);
      if (picked) onOpen(picked, mode);
    } else if (path.trim()) {
      onOpen(path.trim(), mode);
    }
  };

  return (
    <header className="topbar">
      <strong className="brand">Tieout</strong>
      <span className="workspace-name" data-testid="workspace-name" title={info?.path}>
        {info ? info.name : 'No workspace open'}
      </span>
      <form
        className="open-form"
        onSubmit={(e) => {
          e.preventDefault();
          void choose('open');
        }}
      >
        {!transport.chooseWorkspace && (
          <input
            aria-label="Workspace path"
            placeholder="/path/to/workspace.tieout"
            value={path}
            onChange={(e) => setPath(e.target.value)}
          />
        )}
        <button type="submit" disabled={busy}>
          Open…
        </button>
        <button type="button" disabled={busy} onClick={() => void choose('create')}>
          New…
        </button>
        {info && info.sources.length === 0 && (
          <button type="button" disabled={busy} onClick={onLoadDemo}>
            Load demo data
          </button>
        )}
      </form>
      {children}
      {info && (
        <span className="muted audit-head" title={`Audit chain head ${info.audit.headHash}`}>
          {info.audit.events} audit events
        </span>
      )}
    </header>
  );
}
