import { describe, expect, test } from 'vitest';
import { allocateLargestRemainder, formatMoney, fromMinor, toMinor } from './money.js';

describe('money', () => {
  test('decimal strings convert to cents and back exactly', () => {
    expect(toMinor('1234.56')).toBe(123456n);
    expect(toMinor('-0.5')).toBe(-50n);
    expect(toMinor('7')).toBe(700n);
    expect(fromMinor(123456n)).toBe('1234.56');
    expect(fromMinor(-5n)).toBe('-0.05');
    expect(formatMoney(123456789n, 'USD')).toBe('USD 1,234,567.89');
  });

  test('largest remainder splits an amount into parts that add up exactly', () => {
    // 100 cents over three equal weights: the first (earliest) gets the spare cent.
    expect(allocateLargestRemainder(100n, [1, 1, 1])).toEqual([34n, 33n, 33n]);
    // 1000.01 USD over 40/20/40.
    expect(allocateLargestRemainder(100001n, [0.4, 0.2, 0.4])).toEqual([40001n, 20000n, 40000n]);
    expect(allocateLargestRemainder(-100n, [1, 1, 1])).toEqual([-34n, -33n, -33n]);
    for (let n = 1; n < 30; n++) {
      const w = Array.from({ length: n }, (_, i) => (i * 7919) % 13 + 0.5);
      const parts = allocateLargestRemainder(987654321n, w);
      expect(parts.reduce((a, b) => a + b, 0n)).toBe(987654321n);
    }
  });

  describe('failures', () => {
    test('amounts with more than two decimals or bad text are refused', () => {
      expect(() => toMinor('1.234')).toThrow(/money amount/);
      expect(() => toMinor('abc')).toThrow(/money amount/);
      expect(() => allocateLargestRemainder(10n, [0, 0])).toThrow(/Weights/);
    });
  });
});
