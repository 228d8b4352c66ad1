import { describe, expect, it } from 'vitest';
import { CREDIT_CODE_CHARSET, creditCodeCheckChar, orgCodeCheckOk, validateCreditCode } from '../../src/cases/credit-code.js';

const VALID = ['91350100M000100Y43', '91110000802100433B'];

/** A code whose 18th character is right for its first 17 (for building test codes). */
const withCheck = (first17: string) => first17 + creditCodeCheckChar(first17);

describe('unified social credit code (GB 32100-2015, domain.md §6)', () => {
  it('accepts the worked examples with no warnings', () => {
    for (const c of VALID) expect(validateCreditCode(c)).toEqual({ valid: true, code: c, warnings: [] });
  });

  it('computes the check character of the examples', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(creditCodeCheckChar('91110000802100433')).toBe('B');
  });

  it('a wrong check character is rejected and the expected one named', () => {
    const r = validateCreditCode('91350100M000100Y44');
    expect(r).toMatchObject({ valid: false, reason: 'check_character', expected: '3' });
    expect(validateCreditCode('91110000802100433C')).toMatchObject({ valid: false, reason: 'check_character', expected: 'B' });
  });

  it('changing any single character of a valid code breaks it', () => {
    for (const code of VALID) {
      for (let i = 0; i < 18; i++) {
        for (const ch of CREDIT_CODE_CHARSET) {
          if (ch === code[i]) continue;
          const bad = code.slice(0, i) + ch + code.slice(i + 1);
          expect(validateCreditCode(bad).valid, `${bad} (position ${i + 1})`).toBe(false);
        }
      }
    }
  });

  it('a wrong length is rejected', () => {
    expect(validateCreditCode('91350100M000100Y4')).toMatchObject({ valid: false, reason: 'length' });
    expect(validateCreditCode('91350100M000100Y433')).toMatchObject({ valid: false, reason: 'length' });
    expect(validateCreditCode('')).toMatchObject({ valid: false, reason: 'length' });
  });

  it('characters outside the 31-character set are rejected (I, O, S, V, Z, lower case, others)', () => {
    for (const ch of ['I', 'O', 'S', 'V', 'Z', 'b', ' ', '-']) {
      const bad = '91350100M000100Y4' + ch;
      expect(validateCreditCode(bad), bad).toMatchObject({ valid: false, reason: 'charset' });
      const mid = '9135' + ch + '100M000100Y43';
      expect(validateCreditCode(mid), mid).toMatchObject({ valid: false, reason: 'charset' });
    }
    expect(validateCreditCode('91110000802100433b')).toMatchObject({ valid: false, reason: 'charset' });
  });

  it('the inner GB 11714 organisation-code check only warns', () => {
    expect(orgCodeCheckOk('M000100Y4')).toBe(true);
    expect(orgCodeCheckOk('802100433')).toBe(true);
    const code = withCheck('91350100M000100Y5'); // organisation check digit changed
    expect(orgCodeCheckOk('M000100Y5')).toBe(false);
    const r = validateCreditCode(code);
    expect(r.valid).toBe(true);
    expect(r.valid && r.warnings).toHaveLength(1);
  });
});
