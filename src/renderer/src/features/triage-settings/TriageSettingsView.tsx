import { useCallback, useEffect, useRef, useState } from 'react';
import type { UserInfo } from '../../../../shared/contract.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { EXCEPTION_CLASSES } from '../../../../shared/decisions.js';
import { useReconciliationChoice } from '../../app/use-reconciliations.js';
import { ErrorBanner } from '../../app/ErrorBanner.js';

const CLASSES: readonly string[] = [...EXCEPTION_CLASSES, 'suggested'];

/** One rule as the form edits it: text fields, turned into the core's match object on save. */
interface RuleRow {
  label: string;
  classes: string;
  source: string;
  fieldName: string;
  fieldOp: 'contains' | 'equals';
  fieldValue: string;
  amountAbove: string;
  currency: string;
  owner: string;
}

interface Match {
  label?: string;
  classes?: string[];
  source?: string;
  field?: { name: string; op?: 'contains' | 'equals'; value: string };
  amountAbove?: { minor: number; currency: string };
}

const EMPTY: RuleRow = { label: '', classes: '', source: '', fieldName: '', fieldOp: 'contains', fieldValue: '', amountAbove: '', currency: 'USD', owner: '' };

/** Minor units as a plain decimal (no separators), exactly. */
function decimal(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const a = Math.abs(minor);
  return `${sign}${Math.trunc(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}
function toMinor(text: string): number | undefined {
  const m = /^\s*(\d+)(?:\.(\d{0,2}))?\s*$/.exec(text);
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : undefined;
}

function toRow(r: { match: Match; owner: string }): RuleRow {
  const m = r.match;
  return {
    label: m.label ?? '',
    classes: (m.classes ?? []).join(', '),
    source: m.source ?? '',
    fieldName: m.field?.name ?? '',
    fieldOp: m.field?.op ?? 'contains',
    fieldValue: m.field?.value ?? '',
    amountAbove: m.amountAbove ? decimal(m.amountAbove.minor) : '',
    currency: m.amountAbove?.currency ?? 'USD',
    owner: r.owner,
  };
}

function toRule(r: RuleRow): { match: Match; owner: string } {
  const classes = r.classes
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const minor = toMinor(r.amountAbove);
  const match: Match = {
    ...(r.label.trim() && { label: r.label.trim() }),
    ...(classes.length && { classes }),
    ...(r.source && { source: r.source }),
    ...(r.fieldName.trim() && r.fieldValue.trim() && { field: { name: r.fieldName.trim(), op: r.fieldOp, value: r.fieldValue.trim() } }),
    ...(minor !== undefined && { amountAbove: { minor, currency: r.currency.trim().toUpperCase() } }),
  };
  return { match, owner: r.owner };
}

/** Who owns new exceptions (ordered rules, first match wins, then the fallback owner) and how long each class may take. */
export function TriageSettingsView({ revision }: { revision: number }) {
  const transport = useTransport();
  const [users, setUsers] = useState<UserInfo[]>([]);
  const [rules, setRules] = useState<RuleRow[]>([]);
  const [globalCount, setGlobalCount] = useState(0);
  const [fallback, setFallback] = useState('');
  const [effective, setEffective] = useState<string | null>(null);
  /** Edits wait for the saved rules, so a late answer never wipes out what was typed. */
  const [loaded, setLoaded] = useState(false);
  const [sla, setSla] = useState<{ class: string; hours: number; defaultHours: number; custom: boolean }[]>([]);
  const [hours, setHours] = useState<Record<string, string>>({});
  // Classes whose hours were typed and not yet saved: a reload of the policy (after any other save) keeps them.
  const editedHours = useRef(new Set<string>());
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { recs, rec, setRec } = useReconciliationChoice(revision, setError);

  useEffect(() => {
    transport
      .call('users.list', {})
      .then((u) => setUsers(u.users.filter((x) => x.role !== 'auditor')))
      .catch((e) => setError(errorText(e)));
    transport
      .call('sla.get', {})
      .then((s) => {
        setSla(s);
        setHours((prev) => Object.fromEntries(s.map((x) => [x.class, editedHours.current.has(x.class) ? (prev[x.class] ?? String(x.hours)) : String(x.hours)])));
      })
      .catch((e) => setError(errorText(e)));
  }, [transport, revision]);

  const load = useCallback(() => {
    if (!rec) return;
    setLoaded(false);
    transport
      .call('ownership.get', { reconciliation: rec })
      .then((o) => {
        setLoaded(true);
        setRules(o.rules.map((r) => toRow(r as { match: Match; owner: string })));
        setGlobalCount(o.globalRules.length);
        setFallback(o.fallbackOwner ?? '');
        setEffective(o.effectiveFallback);
      })
      .catch((e) => setError(errorText(e)));
  }, [transport, rec]);
  useEffect(load, [load]);

  const current = recs.find((r) => r.name === rec);
  const sources = current ? [...current.left, ...current.right].map((s) => s.name) : [];
  const edit = (i: number, patch: Partial<RuleRow>) => setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const move = (i: number, by: -1 | 1) => {
    const j = i + by;
    if (j < 0 || j >= rules.length) return;
    const next = [...rules];
    [next[i], next[j]] = [next[j]!, next[i]!];
    setRules(next);
  };
  const saveRules = () => {
    if (!rec) return;
    setError(null);
    setMessage(null);
    transport
      .call('ownership.save', { reconciliation: rec, rules: rules.map(toRule), fallbackOwner: fallback || null })
      .then((r) => {
        setMessage(`Saved ${r.rules.length} rule${r.rules.length === 1 ? '' : 's'}; new items use them from the next run`);
        load();
      })
      .catch((e) => setError(errorText(e)));
  };
  const saveSla = (cls: string, value: number | null) => {
    setError(null);
    setMessage(null);
    transport
      .call('sla.save', { class: cls, hours: value })
      .then((r) => {
        editedHours.current.delete(cls);
        setMessage(`SLA for ${r.class}: ${r.hours} h (${r.redated} open items re-dated)`);
      })
      .catch((e) => setError(errorText(e)));
  };

  return (
    <section className="settings" aria-label="Triage settings">
      <h2>Ownership rules</h2>
      <p className="muted">
        Tried top to bottom when a run finds a new exception; the first rule whose conditions all hold picks the owner. Empty conditions match anything.
        {globalCount > 0 && ` ${globalCount} workspace-wide rules are tried after these.`}
      </p>
      <div className="toolbar">
        <select aria-label="Reconciliation" value={rec ?? ''} onChange={(e) => setRec(e.target.value)}>
          {recs.map((r) => (
            <option key={r.id}>{r.name}</option>
          ))}
        </select>
      </div>
      <datalist id="exception-classes">
        {CLASSES.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <table className="mapping rules-table" aria-label="Ownership rules">
        <thead>
          <tr>
            <th>#</th>
            <th>Label</th>
            <th>Classes</th>
            <th>Source</th>
            <th>Field</th>
            <th>Amount above</th>
            <th>Owner</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.map((r, i) => (
            <tr key={i} aria-label={`Rule ${i + 1}`}>
              <td>{i + 1}</td>
              <td>
                <input aria-label={`Rule ${i + 1} label`} size={14} value={r.label} onChange={(e) => edit(i, { label: e.target.value })} />
              </td>
              <td>
                <input aria-label={`Rule ${i + 1} classes`} list="exception-classes" placeholder="any class" size={18} value={r.classes} onChange={(e) => edit(i, { classes: e.target.value })} />
              </td>
              <td>
                <select aria-label={`Rule ${i + 1} source`} value={r.source} onChange={(e) => edit(i, { source: e.target.value })}>
                  <option value="">any source</option>
                  {sources.map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
              </td>
              <td className="field-cond">
                <input aria-label={`Rule ${i + 1} field`} placeholder="field" size={10} value={r.fieldName} onChange={(e) => edit(i, { fieldName: e.target.value })} />
                <select aria-label={`Rule ${i + 1} comparison`} value={r.fieldOp} onChange={(e) => edit(i, { fieldOp: e.target.value as RuleRow['fieldOp'] })}>
                  <option value="contains">contains</option>
                  <option value="equals">equals</option>
                </select>
                <input aria-label={`Rule ${i + 1} value`} placeholder="value" size={10} value={r.fieldValue} onChange={(e) => edit(i, { fieldValue: e.target.value })} />
              </td>
              <td>
                <input aria-label={`Rule ${i + 1} amount above`} placeholder="any" size={8} value={r.amountAbove} onChange={(e) => edit(i, { amountAbove: e.target.value })} />
                <input aria-label={`Rule ${i + 1} currency`} size={3} value={r.currency} onChange={(e) => edit(i, { currency: e.target.value })} />
              </td>
              <td>
                <select aria-label={`Rule ${i + 1} owner`} value={r.owner} onChange={(e) => edit(i, { owner: e.target.value })}>
                  <option value="">choose…</option>
                  {users.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name} ({u.id})
                    </option>
                  ))}
                </select>
              </td>
              <td className="row-buttons">
                <button type="button" aria-label={`Move rule ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" aria-label={`Move rule ${i + 1} down`} disabled={i === rules.length - 1} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button type="button" aria-label={`Remove rule ${i + 1}`} onClick={() => setRules(rules.filter((_, j) => j !== i))}>
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="toolbar">
        <button type="button" disabled={!loaded} onClick={() => setRules([...rules, { ...EMPTY, owner: users[0]?.id ?? '' }])}>
          Add rule
        </button>
        <label>
          Fallback owner{' '}
          <select aria-label="Fallback owner" value={fallback} onChange={(e) => setFallback(e.target.value)}>
            <option value="">default{effective ? ` (now ${effective})` : ''}</option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({u.id})
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="primary" onClick={saveRules} disabled={!rec || !loaded || rules.some((r) => !r.owner)}>
          Save rules
        </button>
      </div>
      {message && (
        <p role="status" data-testid="settings-message">
          {message}
        </p>
      )}
      <ErrorBanner error={error} />
      <h2>Service levels</h2>
      <p className="muted">Hours to work an item of each class. Changing one re-dates the open items of that class from when they appeared.</p>
      <table className="mapping" aria-label="SLA hours">
        <thead>
          <tr>
            <th>Class</th>
            <th>Hours</th>
            <th>Default</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sla.map((s) => (
            <tr key={s.class}>
              <td>{s.class}</td>
              <td>
                <input
                  aria-label={`SLA hours for ${s.class}`}
                  size={5}
                  value={hours[s.class] ?? ''}
                  onChange={(e) => {
                    editedHours.current.add(s.class);
                    setHours({ ...hours, [s.class]: e.target.value });
                  }}
                />
              </td>
              <td className="muted">{s.defaultHours} h</td>
              <td>
                <button type="button" aria-label={`Save SLA for ${s.class}`} disabled={!/^\d+$/.test(hours[s.class] ?? '')} onClick={() => saveSla(s.class, Number(hours[s.class]))}>
                  Save
                </button>
                {s.custom && (
                  <button type="button" aria-label={`Reset SLA for ${s.class}`} onClick={() => saveSla(s.class, null)}>
                    Reset
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
