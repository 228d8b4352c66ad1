/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015 — shared/domain.md §6.
 * Pure: no I/O. The 18th (check) character is validated strictly; the inner GB 11714
 * organisation-code check (positions 9–17) is only reported as a warning.
 */

/** The 31-character set; a character's value is its index. No I, O, S, V, Z. */
export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** Weights for positions 1–17: 3^(i-1) mod 31. */
export const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** GB 11714 weights for the 8 body characters of the organisation code (positions 9–16). */
export const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

export type CreditCodeResult =
  { valid: true; code: string; warnings: string[] } | { valid: false; reason: 'length' | 'charset' | 'check_character'; message: string; expected?: string };

/** Check character (the 18th) for the first 17 characters, which must be in the charset. */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CODE_WEIGHTS[i] * CREDIT_CODE_CHARSET.indexOf(first17[i]);
  return CREDIT_CODE_CHARSET[(31 - (sum % 31)) % 31];
}

/**
 * GB 11714 check of the organisation code (positions 9–17 of the credit code): the 9th character
 * of the organisation code is 11 − (Σ wᵢ·vᵢ mod 11), 10 → X, 11 → 0. Letters count as 10 + their
 * alphabet position (A=10 … Z=35), as in GB 11714.
 */
export function orgCodeCheckOk(org9: string): boolean {
  if (!/^[0-9A-Z]{8}[0-9X]$/.test(org9)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = org9[i];
    const v = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 55;
    sum += ORG_CODE_WEIGHTS[i] * v;
  }
  const check = 11 - (sum % 11);
  const expected = check === 10 ? 'X' : check === 11 ? '0' : String(check);
  return org9[8] === expected;
}

/** Validates a code exactly as written (no trimming or case folding: the code is upper case). */
export function validateCreditCode(code: string): CreditCodeResult {
  if (code.length !== 18) return { valid: false, reason: 'length', message: `must be 18 characters, got ${code.length}` };
  for (let i = 0; i < 18; i++) {
    if (!CREDIT_CODE_CHARSET.includes(code[i]))
      return {
        valid: false,
        reason: 'charset',
        message: `character ${i + 1} (${JSON.stringify(code[i])}) is not one of ${CREDIT_CODE_CHARSET} (no I, O, S, V, Z; upper case)`,
      };
  }
  const expected = creditCodeCheckChar(code.slice(0, 17));
  if (code[17] !== expected)
    return { valid: false, reason: 'check_character', message: `check character (18th) is ${code[17]}, expected ${expected}`, expected };
  const warnings: string[] = [];
  if (!orgCodeCheckOk(code.slice(8, 17))) warnings.push('positions 9–17 fail the GB 11714 organisation-code check (accepted; please verify the code)');
  return { valid: true, code, warnings };
}
