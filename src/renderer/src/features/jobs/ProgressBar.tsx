import type { JobProgress } from '../../../../shared/contract.js';

export function ProgressBar({ progress, onCancel }: { progress: JobProgress; onCancel?: () => void }) {
  const pct = progress.total ? Math.min(100, Math.round((progress.done / progress.total) * 100)) : null;
  return (
    <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct ?? undefined} aria-label={progress.phase}>
      <div className="progress-label">
        <span>{progress.phase}</span>
        <span>{pct !== null ? `${pct}%` : ''} {progress.message ?? ''}</span>
      </div>
      <div className="progress-track">
        <div className={pct === null ? 'progress-fill indeterminate' : 'progress-fill'} style={pct !== null ? { width: `${pct}%` } : undefined} />
      </div>
      {onCancel && (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
