import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate } from './keys.js';
import { redeemStreamToken } from './stream-tokens.js';
import type { Principal } from './principal.js';
import type { Role } from '../domain/index.js';
import { forbidden, unauthorized } from '../http/problem.js';
import type { Deps } from '../deps.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route; omitted = any authenticated key. */
    roles?: readonly Role[];
    /** No key needed (health, docs, public lookup). */
    public?: boolean;
    /** Also accepts `?token=` from POST /v1/events/stream-tokens instead of the bearer header (a browser's EventSource sends none). */
    streamToken?: boolean;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

export const ALL_ROLES: readonly Role[] = ['admin', 'intake', 'supervisor', 'inspector', 'partner'];

/**
 * Every route is authenticated unless it says `config.public`; `config.roles` lists who may call
 * it. 401 for a missing/unknown/revoked key, 403 for a known key without the role.
 */
export function installAuth(app: FastifyInstance, deps: Deps) {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRoute', (r) => {
    if (r.config?.public) return;
    r.schema = { ...(r.schema ?? {}), security: r.config?.streamToken ? [{ bearerAuth: [] }, { streamToken: [] }] : [{ bearerAuth: [] }] };
  });
  app.addHook('onRequest', async (req) => {
    const cfg = req.routeOptions.config;
    // CORS preflights carry no credentials (the CORS plugin answers them).
    if (!req.routeOptions.url || cfg?.public || req.method === 'OPTIONS') return;
    const token = cfg?.streamToken ? (req.query as { token?: unknown } | undefined)?.token : undefined;
    if (typeof token === 'string' && !req.headers.authorization) {
      const p = redeemStreamToken(deps.db, deps.clock, token, !!deps.config.adminApiKey);
      if (!p) throw unauthorized('The stream token is unknown, expired or already used (POST /v1/events/stream-tokens gives a new one).');
      req.principal = p;
      if (cfg?.roles && !cfg.roles.includes(p.role)) throw forbidden(`Role ${p.role} may not call ${req.method} ${req.routeOptions.url}.`);
      return;
    }
    authorize(deps, req, cfg?.roles);
  });
}

/** The bearer key's principal, set on the request; 401 without a valid key, 403 without one of `roles`. */
export function authorize(deps: Deps, req: FastifyRequest, roles?: readonly Role[]): Principal {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  if (!m) throw unauthorized();
  const p = authenticate(deps.db, deps.clock, m[1], deps.config.adminApiKey);
  if (!p) throw unauthorized('The API key is unknown or revoked.');
  req.principal = p;
  if (roles && !roles.includes(p.role)) throw forbidden(`Role ${p.role} may not call ${req.method} ${req.routeOptions.url}.`);
  return p;
}
