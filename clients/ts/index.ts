import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { paths, components, operations, webhooks } from './schema.js';

/**
 * A typed client for the enforcement API, generated from the committed contract
 * (`openapi/openapi.json` → `schema.d.ts` by `npm run openapi`) and driven by openapi-fetch.
 *
 *   const api = enforcementClient('http://127.0.0.1:3000', key);
 *   const { data, error } = await api.POST('/v1/complaints', { body: { … } });
 */
export function enforcementClient(baseUrl: string, key?: string, fetchImpl?: typeof fetch): Client<paths> {
  return createClient<paths>({
    baseUrl,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
}
