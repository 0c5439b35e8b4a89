import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareIds, contentId, firstDuplicate, groupId, sortById } from './group-id.js';

describe('content-derived ids', () => {
  it('are 16 hex digits, stable, and differ with pass or members', () => {
    const a = groupId('pass-1', ['b1'], ['i1', 'i2']);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(groupId('pass-1', ['b1'], ['i1', 'i2'])).toBe(a);
    expect(groupId('pass-2', ['b1'], ['i1', 'i2'])).not.toBe(a);
    expect(groupId('pass-1', ['b1', 'i1'], ['i2'])).not.toBe(a);
    expect(contentId('x', ['a'], [], 1)).not.toBe(contentId('x', ['a'], []));
  });

  it('sortById orders like a plain string sort, with or without the hex fast path', () => {
    const hex = fc.stringMatching(/^[0-9a-f]{16}$/);
    fc.assert(
      fc.property(fc.array(fc.oneof(hex, fc.constantFrom('00000000aaaaaaaa', '00000000aaaaaaab')), { maxLength: 200 }), (ids) => {
        const items = ids.map((id) => ({ id }));
        expect(sortById(items).map((x) => x.id)).toEqual([...ids].sort(compareIds));
      }),
    );
    expect(sortById([{ id: 'b' }, { id: 'a' }]).map((x) => x.id)).toEqual(['a', 'b']);
  });

  it('finds duplicate strings', () => {
    expect(firstDuplicate(['a', 'b', 'c'])).toBeNull();
    expect(firstDuplicate(['a', 'b', 'a'])).toBe('a');
  });
});
