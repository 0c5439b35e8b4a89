import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../../shared/error.js';
import { flattenObject, openJson, openNdjson, syntaxErrorOffset } from './json.js';
import { collect, fixture, rejection } from './test-fixture.js';

const src = (s: string, name = 'inline.json') => ({ bytes: new Uint8Array(Buffer.from(s)), name });

describe('flattenObject', () => {
  it('flattens nested objects to dotted keys', () => {
    expect(flattenObject({ io: 'IO-1', vendor: { name: 'Meta', address: { country: 'US' } } })).toEqual({
      io: 'IO-1',
      'vendor.name': 'Meta',
      'vendor.address.country': 'US',
    });
  });

  it("joins arrays of plain values with '; ' and keeps arrays of objects as JSON", () => {
    expect(flattenObject({ tags: ['spring', null, 3, true], lines: [{ sku: 'A' }], empty: [] })).toEqual({
      tags: 'spring; ; 3; true',
      lines: '[{"sku":"A"}]',
      empty: '',
    });
  });

  it('writes numbers as plain decimals, booleans as words and null as blank', () => {
    expect(flattenObject({ a: 1234.5, b: 1e21, c: -2.5e-8, d: false, e: null })).toEqual({
      a: '1234.5',
      b: '1000000000000000000000',
      c: '-0.000000025',
      d: 'false',
      e: '',
    });
  });

  it('treats a "__proto__" key as an ordinary column', () => {
    const flat = flattenObject(JSON.parse('{"__proto__": {"x": "1"}, "a": "2"}'));
    expect(Object.keys(flat)).toEqual(['__proto__.x', 'a']);
    expect(Object.getPrototypeOf(flat)).toBe(Object.prototype);
  });

  it('puts a non-object record in a "value" column', () => {
    expect(flattenObject(42)).toEqual({ value: '42' });
    expect(flattenObject(['a', 'b'])).toEqual({ value: 'a; b' });
  });
});

describe('openJson', () => {
  it('finds the record array at data.items by itself and unions the keys in first-seen order', async () => {
    const t = await openJson({ path: fixture('nested.json') });
    expect(t.jsonPath).toBe('data.items');
    expect(t.headers).toEqual([
      'io',
      'vendor.name',
      'vendor.id',
      'vendor.address.country',
      'amount.value',
      'amount.currency',
      'tags',
      'lines',
      'approved',
      'po',
      'credit_memo',
    ]);
    const rows = await collect(t.rows);
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(rows[0]!.cells).toEqual(['IO-6001', 'Meta Platforms Inc', '17', 'US', '1234.50', 'USD', 'spring; social', '[{"sku":"FEED-1","qty":2}]', 'true', '', '']);
    expect(rows[2]!.cells).toEqual(['IO-6003', 'Société Générale Média', '31', '', '980', 'EUR', 'print; ; 3', '', '', '', 'CM-17']);
  });

  it('uses an explicit dotted path', async () => {
    const t = await openJson({ path: fixture('nested.json') }, { jsonPath: 'data.items' });
    expect((await collect(t.rows)).length).toBe(3);
  });

  it('reads an array at the root', async () => {
    const t = await openJson(src('[{"io":"IO-1","amount":"1.00"},{"io":"IO-2","vendor":"Meta"}]'));
    expect([t.jsonPath, t.headers, t.headerRow]).toEqual(['', ['io', 'amount', 'vendor'], 0]);
    expect(await collect(t.rows)).toEqual([
      { row: 1, cells: ['IO-1', '1.00', ''] },
      { row: 2, cells: ['IO-2', '', 'Meta'] },
    ]);
  });

  it('makes header names unique while cells stay keyed by the original keys', async () => {
    const t = await openJson(src('[{"Amount":"1","amount":"2","":"3"}]'));
    expect(t.headers).toEqual(['Amount', 'amount (2)', 'Column 3']);
    expect(t.keys).toEqual(['Amount', 'amount', '']);
    expect((await collect(t.rows))[0]!.cells).toEqual(['1', '2', '3']);
  });

  it('says where invalid JSON breaks', async () => {
    const err = (await rejection(openJson(src('[\n{"io": "IO-1"},\n{"io": }\n]', 'bad.json')))) as TieoutError;
    expect(err.code).toBe('parse');
    expect(err.details?.file).toBe('bad.json');
    expect(err.details?.row).toBe(3);
    expect(err.message).toMatch(/^bad\.json is not valid JSON \(line 3\)/);
  });

  it('locates syntax errors that the engine reports without a position', () => {
    expect(syntaxErrorOffset('[{"a": 1}, {"a": }]')).toBe(17);
    expect(syntaxErrorOffset('{"a": [1, 2,]}')).toBe(12);
    expect(syntaxErrorOffset('{"a": "x"} extra')).toBe(11);
    expect(syntaxErrorOffset('[{"a": "1\\"", "b": tru}]')).toBe(19);
    expect(syntaxErrorOffset('{"a": [1, {"b": null}], "c": -1.5e3}')).toBeUndefined();
  });

  it('reports a path that holds no array', async () => {
    const err = (await rejection(openJson({ path: fixture('nested.json') }, { jsonPath: 'data.rows' }))) as TieoutError;
    expect([err.code, err.details?.path]).toEqual(['parse', 'data.rows']);
  });

  it('reports a document without any record array', async () => {
    const err = (await rejection(openJson(src('{"total": 3, "meta": {"page": 1}}')))) as TieoutError;
    expect(err.code).toBe('parse');
    expect(err.message).toMatch(/no array of records/);
  });

  it('refuses documents over the size cap', async () => {
    const err = (await rejection(openJson({ path: fixture('nested.json') }, { maxBytes: 100 }))) as TieoutError;
    expect(err.code).toBe('file_unreadable');
  });

  it('reads UTF-16 JSON with a BOM', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[{"vendor":"Müller"}]', 'utf16le')]);
    const t = await openJson({ bytes: new Uint8Array(bytes), name: 'u16.json' });
    expect(t.encoding).toBe('utf-16le');
    expect((await collect(t.rows))[0]!.cells).toEqual(['Müller']);
  });
});

describe('openNdjson', () => {
  it('reads one record per line, numbering rows by line and skipping blank lines', async () => {
    const t = await openNdjson({ path: fixture('events.ndjson') });
    const rows = await collect(t.rows);
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 5, 6]);
    expect(rows[0]!.cells).toEqual(['IO-8001', 'Meta Platforms Inc', '1234.5', 'USD', '', '', '']);
  });

  it('collects keys introduced by later lines into the headers before handing out rows', async () => {
    const t = await openNdjson({ path: fixture('events.ndjson') });
    expect(t.headers).toEqual(['io', 'vendor', 'amount', 'currency', 'vendor.name', 'vendor.country', 'po']);
    const rows = await collect(t.rows);
    expect(rows[3]!.cells).toEqual(['IO-8004', '', '45', 'USD', 'Spotify USA Inc', 'US', 'PO-77']);
  });

  it('turns a bad line into a blank row with an issue naming the line, and carries on', async () => {
    const rows = await collect((await openNdjson({ path: fixture('events.ndjson') })).rows);
    expect(rows[2]!.cells.every((c) => c === '')).toBe(true);
    expect(rows[2]!.issues?.[0]).toMatch(/^line 3 is not valid JSON \(.+\); the row is left blank$/);
    expect(rows[4]!.cells[1]).toBe('Reddit, Inc.');
  });

  it('handles CRLF line ends, a missing final newline and tiny chunks', async () => {
    const text = '{"io":"IO-1","v":"Müller"}\r\n\r\n{"io":"IO-2","v":"€"}';
    for (const chunkSize of [1, 3, 1024]) {
      const t = await openNdjson(src(text, 'x.ndjson'), { chunkSize });
      expect(await collect(t.rows)).toEqual([
        { row: 1, cells: ['IO-1', 'Müller'] },
        { row: 3, cells: ['IO-2', '€'] },
      ]);
      expect(t.bytesRead()).toBe(t.totalBytes);
    }
  });
});
