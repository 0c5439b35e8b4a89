import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { assign } from '../triage/claims.js';
import { setStatus } from '../triage/transitions.js';
import { demoFixture, type Fixture } from '../triage/test-fixture.js';
import { explainReviewQuery, pageReviewRows, REVIEW_SORTABLE, runTable, type ReviewScope } from '../workspace/index.js';
import { reviewCount, reviewFacets, reviewPage, type ReviewPageFilter } from './review.js';

let f: Fixture;
let NOW: Date;
let ids: string[];

beforeAll(async () => {
  f = await demoFixture({ buys: 400 });
  const first = (f.ws.db.prepare('SELECT MIN(created_at) AS t FROM review_item WHERE reconciliation_id = ?').get(f.recId) as { t: string }).t;
  // 30 hours on: past the 24 h of duplicates and suggestions, due soon for 48 h classes (< 12 h left? no: 18 h left of 48).
  NOW = new Date(Date.parse(first) + 40 * 3_600_000);
  ids = (f.ws.db.prepare("SELECT item_id FROM review_item WHERE reconciliation_id = ? AND kind = 'exception' ORDER BY item_id").all(f.recId) as { item_id: string }[]).map((r) => r.item_id);
  assign(f.ws.db, ids.slice(0, 5).map((itemId) => ({ reconciliationId: f.recId, itemId })), 'bob', 'carol', 'workload');
  setStatus(f.ws.db, { reconciliationId: f.recId, itemId: ids[5]! }, 'resolved', 'alice', 'done');
});
afterAll(() => f?.close());

const db = () => f.ws.db;
const sqlIds = (where: string, ...params: unknown[]) =>
  (db().prepare(`SELECT rr.row_id FROM ${runTable(db(), f.runId, 'review').name} rr LEFT JOIN review_item ri ON ri.reconciliation_id = ${f.recId} AND ri.item_id = rr.row_id WHERE rr.run_id = ? AND ${where} ORDER BY rr.row_id`).all(f.runId, ...params) as { row_id: string }[]).map((r) => r.row_id);
const pageIds = (filter: ReviewPageFilter) => reviewPage(db(), { runId: f.runId, offset: 0, limit: 1000, sort: [], filter }, NOW).rows.map((r) => r.rowId);

describe('review grid pages', () => {
  it('returns the first page without a count, and review.count supplies it (then pages carry it)', () => {
    const all = sqlIds('1');
    expect(all.length).toBeGreaterThan(300);
    const filter = { status: ['matched' as const] };
    const first = reviewPage(db(), { runId: f.runId, offset: 0, limit: 50, sort: [], filter }, NOW);
    expect(first.total).toBeNull();
    expect(first.rows).toHaveLength(50);
    const { total } = reviewCount(db(), { runId: f.runId, filter }, NOW);
    expect(total).toBe(sqlIds("rr.status = 'matched'").length);
    expect(reviewPage(db(), { runId: f.runId, offset: 50, limit: 50, sort: [], filter }, NOW).total).toBe(total);
  });

  it('knows the total from a short page', () => {
    const cls = { class: ['duplicate'] };
    const r = reviewPage(db(), { runId: f.runId, offset: 0, limit: 1000, sort: [], filter: cls }, NOW);
    expect(r.total).toBe(sqlIds("rr.class = 'duplicate'").length);
  });

  it('reads a page in the second half from the end, with the same rows as reading from the front', () => {
    const sort = [{ field: 'amountAtRisk', dir: 'desc' as const }];
    const total = reviewCount(db(), { runId: f.runId, filter: {} }, NOW).total;
    const front = reviewPage(db(), { runId: f.runId, offset: 0, limit: 1000, sort, filter: {} }, NOW).rows.map((r) => r.rowId);
    expect(front).toHaveLength(total);
    for (const offset of [total - 100, total - 37, Math.floor(total / 2) + 1]) {
      const page = reviewPage(db(), { runId: f.runId, offset, limit: 100, sort, filter: {} }, NOW).rows.map((r) => r.rowId);
      expect(page).toEqual(front.slice(offset, offset + 100));
    }
  });

  it('filters by owner (including nobody), SLA state, pass, source and amount, combined with AND', () => {
    expect(pageIds({ owner: ['bob'] })).toEqual([...ids.slice(0, 5)].sort());
    expect(pageIds({ owner: [null] })).toEqual(sqlIds('ri.item_id IS NOT NULL AND ri.owner IS NULL'));
    const at = NOW.toISOString();
    const open = "ri.status IN ('open', 'investigating', 'pending_approval')";
    const breached = sqlIds(`${open} AND ri.due_at <= ?`, at);
    expect(breached.length).toBeGreaterThan(0);
    expect(pageIds({ sla: ['breached'] })).toEqual(breached);
    const dueSoon = sqlIds(`${open} AND ri.due_at > ? AND julianday(?) > julianday(ri.created_at) + 0.75 * (julianday(ri.due_at) - julianday(ri.created_at))`, at, at);
    expect(pageIds({ sla: ['due_soon'] })).toEqual(dueSoon);
    const onTime = pageIds({ sla: ['ok'] });
    expect(onTime).not.toContain(ids[5]); // closed items have no SLA
    expect(onTime.length + breached.length + dueSoon.length).toBe(sqlIds(open).length);
    const rows = reviewPage(db(), { runId: f.runId, offset: 0, limit: 1000, sort: [], filter: { sla: ['breached'] } }, NOW).rows;
    expect(new Set(rows.map((r) => r.sla))).toEqual(new Set(['breached']));

    const passes = reviewFacets(db(), f.runId).passes;
    const used = (db().prepare(`SELECT DISTINCT pass FROM ${runTable(db(), f.runId, 'review').name} WHERE run_id = ? AND pass IS NOT NULL`).all(f.runId) as { pass: string }[]).map((r) => r.pass);
    expect(passes).toEqual(expect.arrayContaining(used));
    expect(pageIds({ pass: [used[0]!] })).toEqual(sqlIds('rr.pass = ?', used[0]));

    const [left, right] = reviewFacets(db(), f.runId).sources;
    expect(left!.side).toBe('left');
    expect(pageIds({ source: [right!.name] })).toEqual(sqlIds('rr.right_count > 0'));
    expect(pageIds({ source: [left!.name], class: ['unmatched_right'] })).toEqual([]);
    expect(pageIds({ owner: ['bob'], minAmount: 1 })).toEqual(sqlIds("ri.owner = 'bob' AND rr.amount_at_risk >= 1"));
    expect(() => pageIds({ source: ['Nope'] })).toThrow(TieoutError);
  });

  it('finds a source among several on its side through the records of each row', () => {
    const [left, right] = reviewFacets(db(), f.runId).sources;
    const leftId = (db().prepare('SELECT id FROM source WHERE name = ?').get(left!.name) as { id: number }).id;
    const rightId = (db().prepare('SELECT id FROM source WHERE name = ?').get(right!.name) as { id: number }).id;
    // A scope without "sole" sources takes the member path the multi-source sides use.
    const scope: ReviewScope = { reconciliationId: f.recId, now: NOW.toISOString(), soleSide: new Map() };
    const q = (sourceIds: number[]) => pageReviewRows(db(), { runId: f.runId, offset: 0, limit: 2000, sort: [], filter: { sourceIds } }, scope).map((r) => r.rowId);
    expect(q([leftId])).toEqual(sqlIds('rr.left_count > 0'));
    expect(q([rightId])).toEqual(sqlIds('rr.right_count > 0'));
  });

  it('refuses sorts the grid does not offer', () => {
    expect(() => reviewPage(db(), { runId: f.runId, offset: 0, limit: 10, sort: [{ field: 'leftDesc', dir: 'asc' }], filter: {} }, NOW)).toThrow(/Cannot sort/);
  });

  it('reads the first page of every sort and filter the grid offers in index order or through a selective index, never by sorting the run', () => {
    const scope: ReviewScope = { reconciliationId: f.recId, now: NOW.toISOString(), soleSide: new Map([[1, 'left']]) };
    // Filters that reviewPage may judge selective are checked both ways.
    const filters: [string, object, boolean[]][] = [
      ['none', {}, [false]],
      ['status', { status: ['exception'] }, [false, true]],
      ['class', { class: ['amount_variance'] }, [false, true]],
      ['pass', { pass: ['line-1to1'] }, [false, true]],
      ['owner', { owner: ['bob'] }, [false, true]],
      ['sla', { sla: ['breached'] }, [false, true]],
      ['source', { sourceIds: [1] }, [false]],
      ['amount', { minAmount: 100, maxAmount: 100000 }, [false]],
      ['text', { text: 'abc' }, [false]],
      ['combined', { status: ['exception'], owner: ['bob'], sla: ['due_soon'], minAmount: 1 }, [false, true]],
    ];
    const bad: string[] = [];
    let checked = 0;
    for (const field of [null, ...REVIEW_SORTABLE]) {
      for (const dir of ['asc', 'desc'] as const) {
        for (const [name, filter, ways] of filters) {
          for (const filterFirst of ways) {
            const plan = explainReviewQuery(db(), { runId: f.runId, offset: 0, limit: 100, sort: field ? [{ field, dir }] : [], filter }, scope, { filterFirst });
            // The inner query picks the page; the outer one only fetches and orders its 100 rows.
            const inner = plan.slice(plan.indexOf('CO-ROUTINE page') + 1, plan.indexOf('SCAN page'));
            expect(inner.length).toBeGreaterThan(0);
            const walksRun = inner.some((p) => (p.startsWith('SCAN rr') && !/INDEX/.test(p)) || /^SEARCH rr USING PRIMARY KEY \(run_id=\?\)$/.test(p));
            const sortsAll = inner.includes('USE TEMP B-TREE FOR ORDER BY');
            if (walksRun && sortsAll) bad.push(`${field ?? '(key)'} ${dir} / ${name}${filterFirst ? ' (filter first)' : ''}: ${inner.join(' | ')}`);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(bad).toEqual([]);
  });

  it('pages every offered sort in its column order with ties in row id order, walking the sort index alone', () => {
    const scope: ReviewScope = { reconciliationId: f.recId, now: NOW.toISOString(), soleSide: new Map() };
    const table = runTable(db(), f.runId, 'review').name;
    const columns: Record<string, string> = { status: 'status, class', amountAtRisk: 'amount_at_risk', deltaAmount: 'delta_amount', leftDate: 'left_date', pass: 'pass' };
    for (const field of REVIEW_SORTABLE) {
      for (const dir of ['asc', 'desc'] as const) {
        const by = `${columns[field]!.split(', ').map((c) => `${c} ${dir}`).join(', ')}, row_id ${dir}`;
        const expected = (db().prepare(`SELECT row_id FROM ${table} WHERE run_id = ? ORDER BY ${by}`).all(f.runId) as { row_id: string }[]).map((r) => r.row_id);
        const paged: string[] = [];
        for (let offset = 0; offset < expected.length; offset += 250) {
          paged.push(...pageReviewRows(db(), { runId: f.runId, offset, limit: 250, sort: [{ field, dir }], filter: {} }, scope).map((r) => r.rowId));
        }
        expect(paged, `${field} ${dir}`).toEqual(expected);
        const plan = explainReviewQuery(db(), { runId: f.runId, offset: 500, limit: 100, sort: [{ field, dir }], filter: {} }, scope);
        const inner = plan.slice(plan.indexOf('CO-ROUTINE page') + 1, plan.indexOf('SCAN page'));
        expect(inner.filter((p) => p.includes('TEMP B-TREE')), `${field} ${dir}`).toEqual([]);
      }
    }
  });

  it('finds a selective filter through its own index, sorted the same as walking the sort index', () => {
    const sort = [{ field: 'amountAtRisk', dir: 'desc' as const }];
    const scope: ReviewScope = { reconciliationId: f.recId, now: NOW.toISOString(), soleSide: new Map() };
    for (const filter of [{ class: ['amount_variance'] }, { pass: ['line-1to1'] }, { owner: ['bob'] }, { status: ['exception' as const] }]) {
      const walk = pageReviewRows(db(), { runId: f.runId, offset: 3, limit: 40, sort, filter }, scope, { filterFirst: false }).map((r) => r.rowId);
      const first = pageReviewRows(db(), { runId: f.runId, offset: 3, limit: 40, sort, filter }, scope, { filterFirst: true }).map((r) => r.rowId);
      expect(first.length).toBeGreaterThan(0);
      expect(first).toEqual(walk);
    }
  });
});
