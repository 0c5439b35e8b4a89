import { useEffect, useState } from 'react';
import { TieoutError } from '../../../../shared/error.js';

interface PassLike {
  id: string;
  kind: string;
  label?: string;
  confirm?: 'auto' | 'suggest';
  tolerance?: { amount?: { abs?: number | string; pct?: number | string }; date?: { min?: number; max?: number } };
}
interface RulesLike {
  passes: PassLike[];
}

/**
 * The common settings as a form (per pass: confirm mode, amount and date tolerance) over the
 * full JSON, which stays editable; errors from the core are shown at their JSON path.
 */
export function RulesEditor({ rules, version, onSave }: { rules: unknown; version: number; onSave(next: unknown): Promise<void> }) {
  const [text, setText] = useState(() => JSON.stringify(rules, null, 2));
  const [issues, setIssues] = useState<{ path: string; message: string }[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => setText(JSON.stringify(rules, null, 2)), [rules]);

  let parsed: RulesLike | null = null;
  let syntax: string | null = null;
  try {
    parsed = JSON.parse(text) as RulesLike;
  } catch (e) {
    syntax = (e as Error).message;
  }

  const edit = (fn: (r: RulesLike) => void) => {
    if (!parsed) return;
    const next = structuredClone(parsed);
    fn(next);
    setText(JSON.stringify(next, null, 2));
  };

  const save = async () => {
    if (!parsed) return;
    setIssues([]);
    setSaved(null);
    try {
      await onSave(parsed);
      setSaved('Saved');
    } catch (e) {
      const err = TieoutError.from(e);
      setIssues(err.details?.issues ?? [{ path: '(root)', message: err.message }]);
    }
  };

  return (
    <div className="rules-editor" aria-label="Rule set editor">
      <h3>
        Rules <span className="muted">version {version}</span>
      </h3>
      {parsed && Array.isArray(parsed.passes) && (
        <table className="mapping" aria-label="Passes">
          <thead>
            <tr>
              <th>#</th>
              <th>Pass</th>
              <th>Kind</th>
              <th>Matches are</th>
              <th>Amount ± (abs)</th>
              <th>Amount ± %</th>
              <th>Days from</th>
              <th>Days to</th>
            </tr>
          </thead>
          <tbody>
            {parsed.passes.map((p, i) => (
              <tr key={`${p.id}-${i}`}>
                <td>{i + 1}</td>
                <td>{p.label ?? p.id}</td>
                <td>{p.kind}</td>
                <td>
                  <select aria-label={`Confirm mode of ${p.id}`} value={p.confirm ?? 'auto'} onChange={(e) => edit((r) => (r.passes[i]!.confirm = e.target.value as 'auto' | 'suggest'))}>
                    <option value="auto">auto-confirmed</option>
                    <option value="suggest">suggested</option>
                  </select>
                </td>
                <td>
                  <input
                    aria-label={`Absolute amount tolerance of ${p.id}`}
                    size={7}
                    value={String(p.tolerance?.amount?.abs ?? '')}
                    onChange={(e) =>
                      edit((r) => {
                        const t = (r.passes[i]!.tolerance ??= {});
                        const a = (t.amount ??= {});
                        if (e.target.value === '') delete a.abs;
                        else a.abs = e.target.value;
                      })
                    }
                  />
                </td>
                <td>
                  <input
                    aria-label={`Percent amount tolerance of ${p.id}`}
                    size={5}
                    value={String(p.tolerance?.amount?.pct ?? '')}
                    onChange={(e) =>
                      edit((r) => {
                        const t = (r.passes[i]!.tolerance ??= {});
                        const a = (t.amount ??= {});
                        if (e.target.value === '') delete a.pct;
                        else a.pct = e.target.value;
                      })
                    }
                  />
                </td>
                {(['min', 'max'] as const).map((k) => (
                  <td key={k}>
                    <input
                      aria-label={`Date window ${k} of ${p.id}`}
                      size={4}
                      value={p.tolerance?.date?.[k] ?? ''}
                      onChange={(e) =>
                        edit((r) => {
                          const t = (r.passes[i]!.tolerance ??= {});
                          const d = (t.date ??= {});
                          const n = Number(e.target.value);
                          if (e.target.value === '' || !Number.isInteger(n)) delete d[k];
                          else d[k] = n;
                        })
                      }
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <textarea aria-label="Rule set JSON" className="json-editor" spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} rows={18} />
      {syntax && <div className="error-banner">JSON: {syntax}</div>}
      {issues.length > 0 && (
        <ul className="issues" role="alert" aria-label="Rule set errors">
          {issues.map((i) => (
            <li key={`${i.path}:${i.message}`}>
              <code>{i.path}</code>: {i.message}
            </li>
          ))}
        </ul>
      )}
      <div className="wizard-actions">
        {saved && <span className="muted">{saved}</span>}
        <button type="button" className="primary" disabled={!parsed} onClick={() => void save()}>
          Save as new version
        </button>
      </div>
    </div>
  );
}
