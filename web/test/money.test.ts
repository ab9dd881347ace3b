import { describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../src/money';

describe('formatMoney', () => {
  it('writes cents per locale', () => {
    expect(formatMoney(1250, 'fr')).toBe('12,50 EUR');
    expect(formatMoney(1250, 'en')).toBe('EUR 12.50');
    expect(formatMoney(1000, 'fr')).toBe('10,00 EUR');
    expect(formatMoney(5, 'en')).toBe('EUR 0.05');
    expect(formatMoney(0, 'fr')).toBe('0,00 EUR');
  });
  it('groups thousands', () => {
    expect(formatMoney(123456789, 'fr')).toBe('1\u202f234\u202f567,89 EUR');
    expect(formatMoney(123456789, 'en')).toBe('EUR 1,234,567.89');
  });
  it('keeps the sign of a correction', () => {
    expect(formatMoney(-2550, 'fr')).toBe('-25,50 EUR');
    expect(formatMoney(-2550, 'en')).toBe('EUR -25.50');
  });
  it('refuses anything but whole cents', () => {
    expect(() => formatMoney(12.5, 'fr')).toThrow();
  });
});

describe('parseMoney', () => {
  it('reads what people type, as cents', () => {
    expect(parseMoney('25')).toBe(2500);
    expect(parseMoney('25,5')).toBe(2550);
    expect(parseMoney('25.50')).toBe(2550);
    expect(parseMoney(' 1 000,01 ')).toBe(100001);
    expect(parseMoney('0,07')).toBe(7);
    expect(parseMoney('19.99')).toBe(1999); // no floating point: 19.99 * 100 would be 1998.9999999999998
  });
  it('refuses what is not an amount', () => {
    for (const bad of ['', 'abc', '-5', '1.234', '25,', '1e3', '10,5,5']) expect(parseMoney(bad)).toBeNull();
  });
});
