import type { ReviewMember, ReviewRow } from '../../../../shared/contract.js';
import { displayMinor } from '../../../../shared/money.js';

interface Check {
  field: string;
  left: string | number | null;
  right: string | number | null;
  unit?: string;
  measure: string;
  value: number | null;
  tolerance: string;
  pass: boolean | null;
  level?: string;
  weight: number | null;
  note?: string;
}
interface Explanation {
  pass: string;
  passKind: string;
  ruleSetVersion: number;
  cardinality?: string;
  keys: { left: string[]; right: string[] };
  checks: Check[];
  prior?: number;
  score?: number;
  thresholds?: { match: number; suggest: number };
  notes?: string[];
}

const fmt = (v: string | number | null, c: Check) => (v === null ? '—' : typeof v === 'number' && c.unit ? displayMinor(v, c.unit) : String(v));

/** Prior, then each field's weight, to the final score: the bars show how the score was built. */
function Waterfall({ prior, checks, score, thresholds }: { prior: number; checks: Check[]; score: number; thresholds?: { match: number; suggest: number } | undefined }) {
  const steps: { label: string; from: number; to: number }[] = [{ label: 'prior', from: 0, to: prior }];
  let at = prior;
  for (const c of checks) {
    if (c.weight === null) continue;
    steps.push({ label: `${c.field}${c.level ? ` (${c.level})` : ''}`, from: at, to: at + c.weight });
    at += c.weight;
  }
  const values = steps.flatMap((s) => [s.from, s.to]).concat([0, thresholds?.match ?? 0, thresholds?.suggest ?? 0]);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const w = 320;
  const x = (v: number) => ((v - min) / (max - min || 1)) * w;
  const rowH = 18;
  return (
    <svg role="img" aria-label={`Score waterfall from prior ${prior.toFixed(1)} to ${score.toFixed(1)}`} width={w + 170} height={(steps.length + 1) * rowH + 8} className="waterfall">
      {steps.map((s, i) => (
        <g key={s.label} transform={`translate(0, ${i * rowH})`}>
          <text x={0} y={13} fontSize={11}>
            {s.label}
          </text>
          <rect x={150 + Math.min(x(s.from), x(s.to))} y={3} width={Math.max(1, Math.abs(x(s.to) - x(s.from)))} height={12} className={s.to >= s.from ? 'up' : 'down'} />
          <text x={150 + Math.max(x(s.from), x(s.to)) + 4} y={13} fontSize={10}>
            {(s.to - s.from >= 0 ? '+' : '') + (s.to - s.from).toFixed(2)}
          </text>
        </g>
      ))}
      <g transform={`translate(0, ${steps.length * rowH})`}>
        <text x={0} y={13} fontSize={11} fontWeight={600}>
          score {score.toFixed(2)}
        </text>
        {thresholds && <line x1={150 + x(thresholds.match)} x2={150 + x(thresholds.match)} y1={-steps.length * rowH} y2={16} className="threshold" />}
      </g>
    </svg>
  );
}

/** Why a group matched (or why an exception is one): pass, keys, every compared field. */
export function ExplanationPanel({ explanation, detail }: { explanation: unknown; detail: string | null }) {
  const e = explanation as Explanation | null;
  if (!e) return <p className="muted">{detail ?? 'No explanation stored.'}</p>;
  return (
    <div className="explanation" aria-label="Explanation">
      {detail && <p>{detail}</p>}
      <p>
        Pass <strong>{e.pass}</strong> ({e.passKind}
        {e.cardinality ? `, ${e.cardinality}` : ''}) of rule set v{e.ruleSetVersion}
      </p>
      <p className="muted">
        Keys: left {e.keys.left.join(', ') || '—'}; right {e.keys.right.join(', ') || '—'}
      </p>
      <table className="mapping" aria-label="Compared fields">
        <thead>
          <tr>
            <th>Field</th>
            <th>Left</th>
            <th>Right</th>
            <th>Difference / similarity</th>
            <th>Tolerance</th>
            <th>Result</th>
            <th>Weight</th>
          </tr>
        </thead>
        <tbody>
          {e.checks.map((c, i) => (
            <tr key={`${c.field}-${i}`} className={c.pass === false ? 'check-fail' : ''}>
              <td>{c.field}</td>
              <td>{fmt(c.left, c)}</td>
              <td>{fmt(c.right, c)}</td>
              <td>
                {c.value === null ? '—' : c.measure === 'difference' && c.unit ? displayMinor(c.value, c.unit) : c.measure === 'days' ? `${c.value} days` : c.value.toFixed(3)} <span className="muted">{c.measure}</span>
              </td>
              <td>{c.tolerance}</td>
              <td>{c.pass === null ? '—' : c.pass ? 'pass' : 'fail'}</td>
              <td>{c.weight === null ? '' : c.weight.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {e.prior !== undefined && e.score !== undefined && <Waterfall prior={e.prior} checks={e.checks} score={e.score} thresholds={e.thresholds} />}
      {e.notes?.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
    </div>
  );
}

/** Every member on each side, with the side sums and the variance. */
export function MembersPane({ row, members }: { row: ReviewRow; members: ReviewMember[] }) {
  const sideOf = (s: 'left' | 'right') => members.filter((m) => m.side === s);
  const sum = (ms: ReviewMember[]) => ms.reduce((n, m) => n + (m.amount ?? 0), 0);
  const cur = row.currency ?? 'USD';
  return (
    <div className="members" aria-label="Group members">
      {(['left', 'right'] as const).map((s) => (
        <div key={s}>
          <h4>
            {s === 'left' ? 'Left' : 'Right'}: {sideOf(s).length} record{sideOf(s).length === 1 ? '' : 's'}, sum {displayMinor(sum(sideOf(s)), cur)}
          </h4>
          <ul>
            {sideOf(s).map((m) => (
              <li key={m.recordId}>
                <span className="mono">#{m.recordId}</span> {m.source}, row {m.rowNumber}: {m.amount === null ? '' : `${displayMinor(m.amount, m.currency ?? cur)} ${m.currency ?? ''}`} {m.date ?? ''}{' '}
                <span className="muted">{Object.values(m.fields).filter((v) => typeof v === 'string').slice(0, 4).join(' · ')}</span>
              </li>
            ))}
          </ul>
        </div>
      ))}
      <p>
        Variance: <strong data-testid="variance">{row.deltaAmount === null ? '—' : `${displayMinor(row.deltaAmount, cur)} ${cur}`}</strong>
        {row.deltaDays !== null && `, ${row.deltaDays} days`}
      </p>
    </div>
  );
}
