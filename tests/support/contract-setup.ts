import { afterEach } from 'vitest';
import { mismatches } from './contract.js';

/** Fails the test during which a response did not match the OpenAPI document. */
afterEach(() => {
  if (mismatches.length === 0) return;
  const found = mismatches.splice(0);
  throw new Error(`${found.length} response(s) do not match openapi/openapi.json:\n  ${[...new Set(found)].slice(0, 20).join('\n  ')}`);
});
