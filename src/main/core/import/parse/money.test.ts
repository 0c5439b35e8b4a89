import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCY_CODES, minorExponent } from '../../../../shared/money.js';
import { TieoutError } from '../../../../shared/error.js';
import {
  MONEY_TEXT_STYLES,
  type MoneyTextStyle,
  formatMoneyText,
  parseMoney,
  sniffCurrency,
  sniffDecimalSeparator,
} from './money.js';

function parseErrorOf(f: () => unknown): TieoutError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TieoutError);
    expect((e as TieoutError).code).toBe('parse');
    return e as TieoutError;
  }
  throw new Error('expected a parse error');
}

describe('parseMoney: digits and separators', () => {
  it.each([
    ['1234.5', 123450],
    ['1,234.50', 123450],
    ['1.234,50', 123450],
    ['1 234,50', 123450],
    ['1\u00a0234,50', 123450],
    ['1\u202f234,50', 123450],
    ["1'234.50", 123450],
    ['1,234,567.89', 123456789],
    ['1.234.567,89', 123456789],
    ['12,34,567.00', 123456700],
    ['0.05', 5],
    ['.5', 50],
    ['  42  ', 4200],
  ])('parses %j as %d minor units', (raw, minor) => {
    expect(parseMoney(raw, {}).minor).toBe(minor);
  });

  it('reads a lone separator before exactly 3 digits as thousands when no decimal mark is given', () => {
    expect(parseMoney('1,234', {}).minor).toBe(123400);
    expect(parseMoney('1.234', {}).minor).toBe(123400);
  });

  it('reads 1,5 as a decimal comma when no decimal mark is given', () => {
    expect(parseMoney('1,5', {}).minor).toBe(150);
  });

  it('reads 0.125 and 1234.567 as decimals, since they cannot be grouping', () => {
    expect(parseMoney('0.125', { currency: 'KWD' }).minor).toBe(125);
    expect(parseMoney('1234.567', { currency: 'KWD' }).minor).toBe(1234567);
  });

  it('follows the column decimal mark over the lone-separator rule', () => {
    expect(parseMoney('1,234', { decimal: ',', currency: 'KWD' }).minor).toBe(1234);
    expect(parseMoney('1.234', { decimal: '.', currency: 'KWD' }).minor).toBe(1234);
    expect(parseMoney('1.234', { decimal: ',' }).minor).toBe(123400);
  });

  it('rejects a value that contradicts the column decimal mark', () => {
    parseErrorOf(() => parseMoney('12.5', { decimal: ',' }));
    parseErrorOf(() => parseMoney('0,5', { decimal: '.' }));
  });

  it('rejects misplaced or mixed group separators', () => {
    expect(parseErrorOf(() => parseMoney('12,3,4', {})).message).toMatch(/group separators/);
    parseErrorOf(() => parseMoney('1,234 567.00', {}));
    parseErrorOf(() => parseMoney('1.234.5', {}));
  });

  it('rejects two numbers in one cell', () => {
    expect(parseErrorOf(() => parseMoney('5 USD 6', {})).message).toMatch(/more than one number/);
  });
});

describe('parseMoney: negatives', () => {
  it('parses (120.00) as a negative amount', () => {
    expect(parseMoney('(120.00)', {}).minor).toBe(-12000);
  });
  it('parses -120 as a negative amount', () => {
    expect(parseMoney('-120', {}).minor).toBe(-12000);
  });
  it('parses a trailing minus 120.00- as a negative amount', () => {
    expect(parseMoney('120.00-', {}).minor).toBe(-12000);
  });
  it('reads CR as positive and DR as negative when credits are money in, and leaves other signs alone', () => {
    const opts = { credit: 'positive' as const };
    expect(parseMoney('120.00 CR', opts).minor).toBe(12000);
    expect(parseMoney('120.00 DR', opts).minor).toBe(-12000);
    expect(parseMoney('(120.00)', opts).minor).toBe(-12000);
    expect(parseMoney('-120.00', opts).minor).toBe(-12000);
    expect(parseMoney('120.00', opts).minor).toBe(12000);
  });

  it('parses 120.00 CR as negative and 120.00 DR as positive', () => {
    expect(parseMoney('120.00 CR', {}).minor).toBe(-12000);
    expect(parseMoney('120.00 DR', {}).minor).toBe(12000);
    expect(parseMoney('120.00cr', {}).minor).toBe(-12000);
  });
  it('parses -$5.00 and $-5.00 as negative dollars', () => {
    expect(parseMoney('-$5.00', {})).toEqual({ minor: -500, currency: 'USD' });
    expect(parseMoney('$-5.00', {})).toEqual({ minor: -500, currency: 'USD' });
  });
  it('parses parentheses around or inside a currency symbol', () => {
    expect(parseMoney('($5.00)', {}).minor).toBe(-500);
    expect(parseMoney('$(5.00)', {}).minor).toBe(-500);
  });
  it('parses the Unicode minus sign', () => {
    expect(parseMoney('\u22125.00', {}).minor).toBe(-500);
  });
  it('returns 0, not -0, for a negative zero', () => {
    expect(Object.is(parseMoney('-0.00', {}).minor, 0)).toBe(true);
  });
  it('rejects two sign markers such as -(5) or -5 CR', () => {
    parseErrorOf(() => parseMoney('-(5)', {}));
    parseErrorOf(() => parseMoney('-5 CR', {}));
  });
  it('rejects unbalanced parentheses', () => {
    parseErrorOf(() => parseMoney('(5.00', {}));
    parseErrorOf(() => parseMoney('5.00)', {}));
  });
});

describe('parseMoney: currency', () => {
  it.each([
    ['$1,234.50', 'USD'],
    ['US$1,234.50', 'USD'],
    ['1.234,50 €', 'EUR'],
    ['£10', 'GBP'],
    ['A$10', 'AUD'],
    ['AU$10', 'AUD'],
    ['C$10', 'CAD'],
    ['CA$10', 'CAD'],
    ['R$10', 'BRL'],
    ['EUR 1.234,50', 'EUR'],
    ['1234.50 USD', 'USD'],
    ['1234.50usd', 'USD'],
  ])('reads the currency of %j as %s', (raw, currency) => {
    expect(parseMoney(raw, {}).currency).toBe(currency);
  });

  it('reads ¥ as JPY with no minor digits', () => {
    expect(parseMoney('¥1,234', {})).toEqual({ minor: 1234, currency: 'JPY' });
  });

  it('uses the column currency when the text names none', () => {
    expect(parseMoney('12.50', { currency: 'EUR' })).toEqual({ minor: 1250, currency: 'EUR' });
    expect(parseMoney('12.50', {})).toEqual({ minor: 1250, currency: null });
  });

  it('lets the text win over a conflicting column currency', () => {
    expect(parseMoney('€12.50', { currency: 'USD' }).currency).toBe('EUR');
  });

  it('reads $ as the column currency when that is a dollar, else as USD', () => {
    expect(parseMoney('$5', { currency: 'CAD' }).currency).toBe('CAD');
    expect(parseMoney('$5', {}).currency).toBe('USD');
    expect(parseMoney('$5', { currency: 'EUR' }).currency).toBe('USD');
  });

  it('accepts $ next to the code of a dollar currency', () => {
    expect(parseMoney('$5.00 CAD', {}).currency).toBe('CAD');
    parseErrorOf(() => parseMoney('$5.00 EUR', {}));
  });

  it('reads kr as the column currency and refuses to guess which krona', () => {
    expect(parseMoney('1.234,50 kr', { currency: 'SEK' })).toEqual({ minor: 123450, currency: 'SEK' });
    expect(parseMoney('kr. 1.234,50', { currency: 'DKK' }).currency).toBe('DKK');
    expect(parseErrorOf(() => parseMoney('5 kr', {})).message).toMatch(/SEK, NOK, DKK or ISK/);
    parseErrorOf(() => parseMoney('5 kr', { currency: 'USD' }));
  });

  it('rejects two different currencies in one cell', () => {
    expect(parseErrorOf(() => parseMoney('€5 USD', {})).message).toMatch(/two currencies/);
  });

  it('rejects unknown codes and stray text', () => {
    parseErrorOf(() => parseMoney('5 XYZ', {}));
    parseErrorOf(() => parseMoney('about 5', {}));
    parseErrorOf(() => parseMoney('1e5', {}));
  });
});

describe('parseMoney: exactness', () => {
  it('rejects more decimal places than the currency allows instead of rounding', () => {
    expect(parseErrorOf(() => parseMoney('1.005', { decimal: '.', currency: 'USD' })).message).toMatch(
      /3 decimal places but USD allows 2/,
    );
    parseErrorOf(() => parseMoney('¥1.5', {}));
    parseErrorOf(() => parseMoney('0.0001', { currency: 'KWD' }));
  });

  it('accepts extra trailing zeros, which lose nothing', () => {
    expect(parseMoney('12.5000', { currency: 'USD' }).minor).toBe(1250);
    expect(parseMoney('¥1,234.00', {}).minor).toBe(1234);
  });

  it('uses the currency exponent: 0 for JPY, 3 for KWD, 4 for CLF', () => {
    expect(parseMoney('5', { currency: 'JPY' }).minor).toBe(5);
    expect(parseMoney('5', { currency: 'KWD' }).minor).toBe(5000);
    expect(parseMoney('5', { currency: 'CLF' }).minor).toBe(50000);
  });

  it('accepts up to MAX_SAFE_INTEGER minor units and rejects one more', () => {
    expect(parseMoney('90071992547409.91', {}).minor).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseErrorOf(() => parseMoney('90071992547409.92', {})).message).toMatch(/too large/);
    parseErrorOf(() => parseMoney('1' + '0'.repeat(40), {}));
  });

  it('rejects a blank value with a clear message', () => {
    expect(parseErrorOf(() => parseMoney('', {})).message).toBe('Amount is blank');
    expect(parseErrorOf(() => parseMoney(' \u00a0 ', {})).message).toBe('Amount is blank');
  });

  it('puts the raw value in the error details', () => {
    expect(parseErrorOf(() => parseMoney('12,3,4', {})).details).toEqual({ value: '12,3,4' });
  });

  it('rejects a value with a sign but no digits', () => {
    expect(parseErrorOf(() => parseMoney('$-', {})).message).toMatch(/no digits/);
  });
});

describe('sniffDecimalSeparator', () => {
  it('picks "," for 1.234,50 or 12,5 patterns', () => {
    expect(sniffDecimalSeparator(['1.234,50'])).toBe(',');
    expect(sniffDecimalSeparator(['12,5', '100'])).toBe(',');
    expect(sniffDecimalSeparator(['1.234.567'])).toBe(',');
    expect(sniffDecimalSeparator(['1 234,567'])).toBe(',');
  });
  it('picks "." for 1,234.50 or 12.5 patterns', () => {
    expect(sniffDecimalSeparator(['$1,234.50'])).toBe('.');
    expect(sniffDecimalSeparator(['12.5'])).toBe('.');
    expect(sniffDecimalSeparator(['1,234,567'])).toBe('.');
  });
  it('decides a 1,234 column from its other values', () => {
    expect(sniffDecimalSeparator(['1,234', '5,5'])).toBe(',');
    expect(sniffDecimalSeparator(['1,234', '5.5'])).toBe('.');
  });
  it('falls back to "." on a tie or no evidence', () => {
    expect(sniffDecimalSeparator(['1,234'])).toBe('.');
    expect(sniffDecimalSeparator(['12,5', '12.5'])).toBe('.');
    expect(sniffDecimalSeparator([])).toBe('.');
  });
});

describe('sniffCurrency', () => {
  it('finds the one currency a column names', () => {
    expect(sniffCurrency(['€5', '6', '7,00 €'])).toBe('EUR');
  });
  it('gives null for no currency, several, or only ambiguous $', () => {
    expect(sniffCurrency(['5', '6'])).toBeNull();
    expect(sniffCurrency(['€5', '£6'])).toBeNull();
    expect(sniffCurrency(['$5', '$6'])).toBeNull();
  });
});

describe('formatMoneyText', () => {
  it('writes each style', () => {
    expect(formatMoneyText(-123456, 'EUR', 'plain')).toBe('-1234.56');
    expect(formatMoneyText(-123456, 'EUR', 'grouped')).toBe('-1,234.56');
    expect(formatMoneyText(-123456, 'EUR', 'symbol')).toBe('-€1,234.56');
    expect(formatMoneyText(-123456, 'CHF', 'symbol')).toBe('-CHF 1,234.56');
    expect(formatMoneyText(-123456, 'EUR', 'parentheses')).toBe('(1,234.56)');
    expect(formatMoneyText(-123456, 'EUR', 'trailing-minus')).toBe('1,234.56-');
    expect(formatMoneyText(-123456, 'EUR', 'cr-dr')).toBe('1,234.56 CR');
    expect(formatMoneyText(123456, 'EUR', 'cr-dr')).toBe('1,234.56 DR');
    expect(formatMoneyText(-123456, 'EUR', 'european')).toBe('-1.234,56 €');
    expect(formatMoneyText(1234, 'JPY', 'grouped')).toBe('1,234');
  });
});

const COMMA_STYLES: ReadonlySet<MoneyTextStyle> = new Set(['european', 'space-grouped']);
const STYLES_NAMING_CURRENCY: ReadonlySet<MoneyTextStyle> = new Set([
  'symbol',
  'code-prefix',
  'code-suffix',
  'european',
]);
const currencies = [...CURRENCY_CODES];
const safeMinor = fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -1_000_000, max: 1_000_000 }));

describe('money text round trip (property)', () => {
  it('parses every formatted style back to the same minor units and currency', () => {
    fc.assert(
      fc.property(safeMinor, fc.constantFrom(...currencies), fc.constantFrom(...MONEY_TEXT_STYLES), (minor, cur, style) => {
        const text = formatMoneyText(minor, cur, style);
        const decimal = COMMA_STYLES.has(style) ? ',' : '.';
        const currency = STYLES_NAMING_CURRENCY.has(style) ? null : cur;
        expect(parseMoney(text, { decimal, currency })).toEqual({ minor, currency: cur });
      }),
      { numRuns: 2000 },
    );
  });

  it('needs no decimal option for currencies with 0 or 2 minor digits', () => {
    const usual = currencies.filter((c) => minorExponent(c) <= 2);
    fc.assert(
      fc.property(safeMinor, fc.constantFrom(...usual), fc.constantFrom(...MONEY_TEXT_STYLES), (minor, cur, style) => {
        const text = formatMoneyText(minor, cur, style);
        expect(parseMoney(text, { currency: cur })).toEqual({ minor, currency: cur });
      }),
      { numRuns: 2000 },
    );
  });

  it('sniffs the decimal mark of a 2-digit currency column in any style', () => {
    fc.assert(
      fc.property(fc.array(safeMinor, { minLength: 1, maxLength: 20 }), fc.constantFrom(...MONEY_TEXT_STYLES), (minors, style) => {
        const column = minors.map((m) => formatMoneyText(m, 'EUR', style));
        expect(sniffDecimalSeparator(column)).toBe(COMMA_STYLES.has(style) ? ',' : '.');
      }),
    );
  });
});
