import { useCallback, useEffect, useState } from 'react';
import type { MatchRunSummary, ReconciliationInfo, RunInfo, SourceInfo } from '../../../../shared/contract.js';
import { displayMinor } from '../../../../shared/money.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { ProgressBar } from '../jobs/ProgressBar.js';
import { useJob } from '../jobs/use-job.js';
import { FxRates } from './FxRates.js';
import { RulesEditor } from './RulesEditor.js';
import { ErrorBanner } from '../../app/ErrorBanner.js';

/** Define the sides, edit the rules, start a run with progress, and see the run history. */
export function ReconcileView({ sources, revision }: { sources: SourceInfo[]; revision: number }) {
  const transport = useTransport();
  const job = useJob();
  const [recs, setRecs] = useState<ReconciliationInfo[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [rules, setRules] = useState<{ version: number; rules: unknown } | null>(null);
  const [runs, setRuns] = useState<RunInfo[]>([]);
  const [last, setLast] = useState<MatchRunSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({ name: '', left: sources[0]?.id ?? 0, right: sources[1]?.id ?? 0 });

  const load = useCallback(async () => {
    const list = await transport.call('reconciliations.list', {});
    setRecs(list);
    const name = selected ?? list[0]?.name ?? null;
    setSelected(name);
    if (name) {
      setRules(await transport.call('rules.get', { reconciliation: name }));
      setRuns(await transport.call('runs.list', { reconciliation: name }));
    }
  }, [transport, selected]);

  useEffect(() => {
    load().catch((e) => setError(errorText(e)));
  }, [load, revision]);

  const create = async () => {
    setError(null);
    try {
      const name = form.name.trim() || `${sources.find((s) => s.id === form.left)?.name} vs ${sources.find((s) => s.id === form.right)?.name}`;
      await transport.call('reconciliations.create', { name, left: [form.left], right: [form.right] });
      setSelected(name);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const run = async (dry: boolean) => {
    if (!selected) return;
    setError(null);
    try {
      const summary = await job.run((jobId) => transport.call('match.run', { jobId, reconciliation: selected, ...(dry && rules && { draftRules: rules.rules }) }));
      setLast(summary);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const current = recs.find((r) => r.name === selected) ?? null;
  return (
    <section className="reconcile" aria-label="Reconciliations">
      <div className="reconcile-head">
        <label>
          Reconciliation{' '}
          <select aria-label="Reconciliation" value={selected ?? ''} onChange={(e) => setSelected(e.target.value)}>
            {recs.map((r) => (
              <option key={r.id}>{r.name}</option>
            ))}
          </select>
        </label>
        {current && (
          <span className="muted">
            {current.left.map((s) => s.name).join(' + ')} ↔ {current.right.map((s) => s.name).join(' + ')}
          </span>
        )}
        {current && (
          <button type="button" className="primary" disabled={job.progress !== null} onClick={() => void run(false)}>
            Run match
          </button>
        )}
      </div>
      <details className="new-rec" open={recs.length === 0}>
        <summary>New reconciliation</summary>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <input aria-label="New reconciliation name" placeholder="Name (optional)" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          {(['left', 'right'] as const).map((side) => (
            <label key={side}>
              {side === 'left' ? 'Left side' : 'Right side'}{' '}
              <select aria-label={`${side} source`} value={form[side]} onChange={(e) => setForm({ ...form, [side]: Number(e.target.value) })}>
                {sources.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <button type="submit">Create with suggested rules</button>
        </form>
      </details>
      <ErrorBanner error={error} />
      {job.progress && <ProgressBar progress={job.progress} onCancel={job.cancel} />}
      {last && !last.dryRun && last.totals && (
        <div className="summary" role="status" data-testid="run-summary">
          <strong>Run {last.runId}</strong> with rule set v{last.ruleSetVersion}:{' '}
          {last.totals.byStatus.map((s) => `${s.groups.toLocaleString('en-US')} ${s.status} groups`).join(', ')};{' '}
          {last.totals.byClass.reduce((n, c) => n + c.exceptions, 0).toLocaleString('en-US')} exceptions
        </div>
      )}
      {runs.length > 0 && (
        <table className="batches runs" aria-label="Run history">
          <thead>
            <tr>
              <th>Run</th>
              <th>When</th>
              <th>By</th>
              <th>Rules</th>
              <th>Matched</th>
              <th>Suggested</th>
              <th>Exceptions by class</th>
              <th>Result hash</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const st = (s: string) => r.totals.byStatus.find((x) => x.status === s);
              return (
                <tr key={r.id}>
                  <td>{r.id}</td>
                  <td>{r.finishedAt.replace('T', ' ').slice(0, 19)}</td>
                  <td>{r.actor}</td>
                  <td>v{r.ruleSetVersion}</td>
                  <td data-testid={`run-${r.id}-matched`}>{st('matched')?.groups ?? 0} groups</td>
                  <td>{st('suggested')?.groups ?? 0} groups</td>
                  <td>
                    {r.totals.byClass.map((c) => (
                      <span key={c.class + c.currency} className="chip">
                        {c.class} {c.exceptions} ({displayMinor(c.amount_minor, c.currency)} {c.currency})
                      </span>
                    ))}
                  </td>
                  <td className="mono">{r.resultSha256.slice(0, 12)}…</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <FxRates revision={revision} />
      {rules && selected && (
        <RulesEditor
          rules={rules.rules}
          version={rules.version}
          onSave={async (next) => {
            const saved = await transport.call('rules.save', { reconciliation: selected, rules: next });
            setRules({ version: saved.version, rules: next });
          }}
        />
      )}
    </section>
  );
}
