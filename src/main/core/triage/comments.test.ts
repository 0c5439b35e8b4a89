import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from './claims.js';
import { addComment, timeline } from './comments.js';
import { auditRows, chainOk, demoFixture, type Fixture } from './test-fixture.js';
import { setStatus } from './transitions.js';

let f: Fixture;
let itemId = '';
const ref = () => ({ reconciliationId: f.recId, itemId });

beforeAll(async () => {
  f = await demoFixture();
  itemId = (f.ws.db.prepare('SELECT item_id FROM review_item WHERE reconciliation_id = ? ORDER BY item_id LIMIT 1').get(f.recId) as { item_id: string }).item_id;
});
afterAll(() => f?.close());

describe('comments and the item timeline', () => {
  it('adds a comment with its audit event, whose text the hash chain covers', () => {
    const c = addComment(f.ws.db, ref(), 'alice', '  Asked the vendor for a credit note.  ', '2099-01-01T10:00:00.000Z');
    expect(c).toMatchObject({ target: `item:${f.recId}:${itemId}`, actor: 'alice', text: 'Asked the vendor for a credit note.' });
    expect(auditRows(f.ws, { action: 'comment.add', target: c.target })).toEqual([
      expect.objectContaining({ actor: 'alice', after: { commentId: c.id, text: 'Asked the vendor for a credit note.' } }),
    ]);
    expect(chainOk(f.ws)).toBe(true);
  });

  it('lets auditors comment but refuses empty text, unknown people and unknown items', () => {
    expect(addComment(f.ws.db, ref(), 'dave', 'Reviewed for Q1 audit', '2099-01-01T12:00:00.000Z').actor).toBe('dave');
    expect(() => addComment(f.ws.db, ref(), 'alice', '   ')).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => addComment(f.ws.db, ref(), 'nobody', 'hi')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => addComment(f.ws.db, { reconciliationId: f.recId, itemId: 'missing' }, 'alice', 'hi')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('merges comments and the item\'s audit events by time, oldest first', () => {
    setStatus(f.ws.db, ref(), 'investigating', 'alice', undefined, '2099-01-01T11:00:00.000Z');
    claim(f.ws.db, ref(), 'bob', { reassign: true, now: '2099-01-01T13:00:00.000Z' });
    const t = timeline(f.ws.db, ref());
    expect(t.map((e) => (e.kind === 'comment' ? `comment:${e.actor}` : e.action))).toEqual([
      'item.create',
      'comment:alice',
      'item.status',
      'comment:dave',
      'item.reassign',
    ]);
    expect(t.map((e) => e.at)).toEqual([...t.map((e) => e.at)].sort());
    expect(timeline(f.ws.db, `item:${f.recId}:${itemId}`)).toEqual(t);
  });
});
