import type { FieldRole, FieldType, MappedField, MappingTemplate } from '../../../../shared/mapping.js';

const TYPES: FieldType[] = ['text', 'money', 'integer', 'decimal', 'date', 'currency'];
const ROLES: FieldRole[] = ['record_id', 'reference', 'amount', 'currency', 'date', 'counterparty', 'description', 'quantity', 'other'];

interface Props {
  headers: string[];
  mapping: MappingTemplate;
  onChange(next: MappingTemplate): void;
}

/** Column -> field, type and role, plus the natural key and the amount/currency/date choices. */
export function MappingEditor({ headers, mapping, onChange }: Props) {
  const byColumn = new Map(mapping.fields.map((f) => [f.column, f]));
  // Columns a money field reads besides its own: its credit side, or its debit/credit indicator.
  const creditOf = new Map(mapping.fields.flatMap((f) => (f.creditColumn !== undefined ? [[f.creditColumn, f] as const] : [])));
  const indicatorOf = new Map(mapping.fields.flatMap((f) => (f.indicatorColumn !== undefined ? [[f.indicatorColumn, f] as const] : [])));
  const amountField = mapping.fields.find((f) => f.name === mapping.amount);
  const update = (fields: MappedField[], patch: Partial<MappingTemplate> = {}) => {
    const names = new Set(fields.map((f) => f.name));
    const next: MappingTemplate = { ...mapping, ...patch, fields, naturalKey: (patch.naturalKey ?? mapping.naturalKey).filter((k) => names.has(k)) };
    if (next.amount && !fields.some((f) => f.name === next.amount && f.type === 'money')) delete next.amount;
    if (next.date && !fields.some((f) => f.name === next.date && f.type === 'date')) delete next.date;
    if (next.currency && 'field' in next.currency && !fields.some((f) => 'field' in next.currency! && f.name === next.currency.field && f.type === 'currency')) delete next.currency;
    onChange(next);
  };
  const setField = (column: string, patch: Partial<MappedField> | null) => {
    const existing = byColumn.get(column);
    let fields = mapping.fields.filter((f) => f.column !== column);
    // Only money reads a credit or an indicator column.
    if (patch?.type !== undefined && patch.type !== 'money') patch = { ...patch, creditColumn: undefined, indicatorColumn: undefined };
    if (patch) {
      const base: MappedField = existing ?? {
        name: column.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(?![a-z])/, 'f_') || 'field',
        column,
        type: 'text',
        role: 'other',
        required: false,
      };
      fields = [...fields, { ...base, ...patch }].sort((a, b) => headers.indexOf(a.column) - headers.indexOf(b.column));
    }
    update(fields);
  };
  /**
   * The amount field reads its credit side, or its debit/credit indicator, from `column` (which
   * then maps no field of its own); '' clears it.
   */
  const setSideColumn = (key: 'creditColumn' | 'indicatorColumn', column: string) => {
    if (!amountField) return;
    const fields = mapping.fields
      .filter((f) => f.column !== column || f === amountField)
      .map((f) => (f === amountField ? { ...f, [key]: column || undefined } : f));
    update(fields);
  };
  /** Columns the amount field may take as its credit or indicator column. */
  const sideChoices = (own: string | undefined) =>
    headers
      .filter((h) => h !== amountField?.column && ((!creditOf.has(h) && !indicatorOf.has(h)) || h === own))
      .map((h) => (
        <option key={h} value={h}>
          {h}
          {byColumn.has(h) ? ` (unmaps ${byColumn.get(h)!.name})` : ''}
        </option>
      ));
  const toggleKey = (name: string, on: boolean) =>
    update(mapping.fields, { naturalKey: on ? [...mapping.naturalKey, name] : mapping.naturalKey.filter((k) => k !== name) });

  return (
    <table className="mapping" aria-label="Column mapping">
      <thead>
        <tr>
          <th>Map</th>
          <th>File column</th>
          <th>Field name</th>
          <th>Type</th>
          <th>Role</th>
          <th>Required</th>
          <th>Natural key</th>
        </tr>
      </thead>
      <tbody>
        {headers.map((h) => {
          const f = byColumn.get(h);
          const sideFor = creditOf.get(h) ?? indicatorOf.get(h);
          if (!f && sideFor) {
            return (
              <tr key={h} className="credit-side">
                <td>
                  <input type="checkbox" aria-label={`Map column ${h}`} checked disabled />
                </td>
                <td>{h}</td>
                <td colSpan={5}>{creditOf.has(h) ? 'credit side' : 'debit/credit indicator'} of {sideFor.name}</td>
              </tr>
            );
          }
          return (
            <tr key={h} className={f ? '' : 'unmapped'}>
              <td>
                <input type="checkbox" aria-label={`Map column ${h}`} checked={!!f} onChange={(e) => setField(h, e.target.checked ? {} : null)} />
              </td>
              <td>{h}</td>
              <td>
                {f && (
                  <input aria-label={`Field name for ${h}`} value={f.name} onChange={(e) => setField(h, { name: e.target.value })} />
                )}
              </td>
              <td>
                {f && (
                  <select aria-label={`Type of ${h}`} value={f.type} onChange={(e) => setField(h, { type: e.target.value as FieldType })}>
                    {TYPES.map((t) => (
                      <option key={t}>{t}</option>
                    ))}
                  </select>
                )}
              </td>
              <td>
                {f && (
                  <select aria-label={`Role of ${h}`} value={f.role} onChange={(e) => setField(h, { role: e.target.value as FieldRole })}>
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                )}
              </td>
              <td>{f && <input type="checkbox" aria-label={`${h} is required`} checked={f.required} onChange={(e) => setField(h, { required: e.target.checked })} />}</td>
              <td>
                {f && (
                  <input type="checkbox" aria-label={`${h} is part of the natural key`} checked={mapping.naturalKey.includes(f.name)} onChange={(e) => toggleKey(f.name, e.target.checked)} />
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={7}>
            <label>
              Amount{' '}
              <select aria-label="Amount field" value={mapping.amount ?? ''} onChange={(e) => update(mapping.fields, e.target.value ? { amount: e.target.value } : { amount: undefined })}>
                <option value="">(none)</option>
                {mapping.fields.filter((f) => f.type === 'money').map((f) => (
                  <option key={f.name}>{f.name}</option>
                ))}
              </select>
            </label>{' '}
            <label title="Bank statements and ledgers often write money out and money in in two columns (Debit and Credit, Paid out and Paid in). The amount field then reads both; the credit side takes the sign chosen under CR or credit means.">
              Credit column{' '}
              <select
                aria-label="Credit column"
                disabled={!amountField || amountField.indicatorColumn !== undefined}
                value={amountField?.creditColumn ?? ''}
                onChange={(e) => setSideColumn('creditColumn', e.target.value)}
              >
                <option value="">(none: one signed column)</option>
                {sideChoices(amountField?.creditColumn)}
              </select>
            </label>{' '}
            <label title="Some statements give every amount unsigned and say in another column whether it is a debit or a credit (D/C, DR/CR, Debit/Credit). A credit takes the sign chosen under CR or credit means.">
              D/C indicator{' '}
              <select
                aria-label="Debit/credit indicator column"
                disabled={!amountField || amountField.creditColumn !== undefined}
                value={amountField?.indicatorColumn ?? ''}
                onChange={(e) => setSideColumn('indicatorColumn', e.target.value)}
              >
                <option value="">(none)</option>
                {sideChoices(amountField?.indicatorColumn)}
              </select>
            </label>{' '}
            <label>
              Currency{' '}
              <select
                aria-label="Currency field"
                value={mapping.currency && 'field' in mapping.currency ? mapping.currency.field : ''}
                onChange={(e) => update(mapping.fields, { currency: e.target.value ? { field: e.target.value } : undefined })}
              >
                <option value="">(from the amount text)</option>
                {mapping.fields.filter((f) => f.type === 'currency').map((f) => (
                  <option key={f.name}>{f.name}</option>
                ))}
              </select>
            </label>{' '}
            <label>
              Date{' '}
              <select aria-label="Date field" value={mapping.date ?? ''} onChange={(e) => update(mapping.fields, e.target.value ? { date: e.target.value } : { date: undefined })}>
                <option value="">(none)</option>
                {mapping.fields.filter((f) => f.type === 'date').map((f) => (
                  <option key={f.name}>{f.name}</option>
                ))}
              </select>
            </label>{' '}
            <label>
              Decimal mark{' '}
              <select aria-label="Decimal mark" value={mapping.decimal ?? ''} onChange={(e) => update(mapping.fields, { decimal: (e.target.value || undefined) as '.' | ',' | undefined })}>
                <option value="">(detect per column)</option>
                <option value=".">1,234.50</option>
                <option value=",">1.234,50</option>
              </select>
            </label>{' '}
            <label>
              Day/month order{' '}
              <select aria-label="Day/month order" value={mapping.dateOrder ?? ''} onChange={(e) => update(mapping.fields, { dateOrder: (e.target.value || undefined) as 'mdy' | 'dmy' | undefined })}>
                <option value="">(settle from the column)</option>
                <option value="mdy">MM/DD/YYYY</option>
                <option value="dmy">DD/MM/YYYY</option>
              </select>
            </label>{' '}
            <label>
              CR or credit means{' '}
              <select aria-label="CR means" value={mapping.credit ?? ''} onChange={(e) => update(mapping.fields, { credit: (e.target.value || undefined) as 'negative' | 'positive' | undefined })}>
                <option value="">money out: 120.00 CR, or 120.00 in the credit column, is −120.00</option>
                <option value="positive">money in: 120.00 CR, or 120.00 in the credit column, is +120.00 (a bank statement)</option>
              </select>
            </label>
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
