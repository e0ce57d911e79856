import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parsePathsCsv } from './index.js';

const HEADER = 'path,total_conversions,total_conversion_value,total_null';

describe('parsePathsCsv', () => {
  test('reads comma or semicolon files, quoted fields, any column order and extra columns', () => {
    expect(parsePathsCsv(`${HEADER}\npaid > partner,2,150.5,8\n"organic",0,0,3\n`)).toEqual([
      { path: ['paid', 'partner'], conversions: 2, value: 150.5, nulls: 8 },
      { path: ['organic'], conversions: 0, value: 0, nulls: 3 },
    ]);
    expect(parsePathsCsv('total_null;note;path;total_conversions;total_conversion_value\n4;x;eta>iota ; 1;0.244\n')).toEqual([
      { path: ['eta', 'iota'], conversions: 1, value: 0.244, nulls: 4 },
    ]);
  });

  test('reads a file and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jointly-paths-'));
    const file = join(dir, 'paths.csv');
    writeFileSync(file, `${HEADER}\na > b,1,2,3\na > ,1,2,3\n`);
    expect(() => parsePathsCsv({ file })).toThrow(`${file}: line 3, column path: channel 2 of "a >" is empty.`);
  });

  describe('failures', () => {
    test('a missing column is named with what was expected and found', () => {
      expect(() => parsePathsCsv('path,total_conversions,total_null\na,1,2\n')).toThrow(
        'paths CSV: line 1: missing column total_conversion_value; expected path, total_conversions, total_conversion_value, total_null (found path, total_conversions, total_null).',
      );
    });
    test('a non-numeric count names line and column', () => {
      expect(() => parsePathsCsv(`${HEADER}\na,1,2,3\nb,two,2,3\n`)).toThrow('paths CSV: line 3, column total_conversions: expected a number >= 0, got "two".');
    });
    test('a blank or negative null count is refused, not read as 0', () => {
      expect(() => parsePathsCsv(`${HEADER}\na,1,2,\n`)).toThrow('line 2, column total_null: expected a number >= 0, got "".');
      expect(() => parsePathsCsv(`${HEADER}\na,1,2,-1\n`)).toThrow('line 2, column total_null: expected a number >= 0, got "-1".');
    });
    test('an empty path names its line', () => {
      expect(() => parsePathsCsv(`${HEADER}\n,1,2,3\n`)).toThrow('paths CSV: line 2, column path: empty path; list the channels joined by " > ".');
    });
    test('a missing file is INPUT_NOT_FOUND', () => {
      expect(() => parsePathsCsv({ file: '/nonexistent/paths.csv' })).toThrow(expect.objectContaining({ code: 'INPUT_NOT_FOUND' }));
    });
    test('a header without rows is NO_DATA', () => {
      expect(() => parsePathsCsv(`${HEADER}\n`)).toThrow(expect.objectContaining({ code: 'NO_DATA' }));
    });
  });
});
