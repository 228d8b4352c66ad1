import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseApp, createCase, transition, walk, type CaseTest } from './helpers.js';

const STATUSES = ['registered', 'investigating', 'pending_decision', 'decided', 'executing', 'closed', 'suspended', 'withdrawn', 'transferred'];

/** How to reach each starting state (admin walks it), and what may follow — written out from the issue. */
const STARTS: { name: string; path: string[]; allowed: string[] }[] = [
  { name: 'registered', path: [], allowed: ['investigating', 'withdrawn', 'transferred'] },
  { name: 'investigating', path: ['investigating'], allowed: ['pending_decision', 'suspended', 'withdrawn', 'transferred'] },
  { name: 'pending_decision', path: ['investigating', 'pending_decision'], allowed: ['decided', 'suspended', 'withdrawn', 'transferred'] },
  { name: 'decided', path: ['investigating', 'pending_decision', 'decided'], allowed: ['executing'] },
  { name: 'executing', path: ['investigating', 'pending_decision', 'decided', 'executing'], allowed: ['closed', 'suspended'] },
  { name: 'closed', path: ['investigating', 'pending_decision', 'decided', 'executing', 'closed'], allowed: [] },
  { name: 'withdrawn', path: ['withdrawn'], allowed: [] },
  { name: 'transferred', path: ['transferred'], allowed: ['investigating', 'withdrawn', 'transferred'] },
  { name: 'suspended from investigating', path: ['investigating', 'suspended'], allowed: ['investigating', 'withdrawn'] },
  { name: 'suspended from pending_decision', path: ['investigating', 'pending_decision', 'suspended'], allowed: ['pending_decision', 'withdrawn'] },
  { name: 'suspended from executing', path: ['investigating', 'pending_decision', 'decided', 'executing', 'suspended'], allowed: ['executing'] },
];

const bodyFor = (to: string): Record<string, unknown> => {
  if (to === 'decided') return { decision: { summary: 'Fine', documentNumber: 'X-1' } };
  if (to === 'transferred') return { reason: 'belongs to Kuytun', toAgencyCode: '654003' };
  if (to === 'suspended' || to === 'withdrawn') return { reason: 'because' };
  return {};
};

describe('case state machine', () => {
  let t: CaseTest;
  beforeAll(async () => {
    t = await caseApp();
  });
  afterAll(() => t.close());

  for (const s of STARTS) {
    it(`from ${s.name}: ${s.allowed.join(', ') || 'nothing'} allowed, everything else 409 naming the allowed ones`, async () => {
      for (const to of STATUSES) {
        const c = await createCase(t, {}, 'admin');
        await walk(t, c.id, s.path, 'admin');
        const r = await transition(t, c.id, to, bodyFor(to), 'admin');
        if (s.allowed.includes(to)) {
          expect(r.statusCode, `${s.name} → ${to}: ${r.body}`).toBe(200);
          expect(r.json().status).toBe(to);
        } else {
          expect(r.statusCode, `${s.name} → ${to}: ${r.body}`).toBe(409);
          expect(r.json().allowed).toEqual(s.allowed);
          expect(r.json().detail).toContain(s.allowed.length ? s.allowed.join(', ') : 'none');
        }
      }
    });
  }

  it('suspension remembers where to return and the reason', async () => {
    const c = await createCase(t);
    await walk(t, c.id, ['investigating', 'pending_decision']);
    const s = (await transition(t, c.id, 'suspended', { reason: 'awaiting lab results' })).json();
    expect(s).toMatchObject({ status: 'suspended', suspendedFrom: 'pending_decision', statusReason: 'awaiting lab results' });
    const back = (await transition(t, c.id, 'pending_decision')).json();
    expect(back).toMatchObject({ status: 'pending_decision', suspendedFrom: null });
  });

  it('a decision is recorded; closing records the time', async () => {
    const c = await createCase(t);
    await walk(t, c.id, ['investigating', 'pending_decision']);
    const d = (await transition(t, c.id, 'decided', { decision: { summary: 'Fine 50,000 yuan', documentNumber: '昌环罚〔2026〕7号' } })).json();
    expect(d.decision).toEqual({ summary: 'Fine 50,000 yuan', documentNumber: '昌环罚〔2026〕7号' });
    expect(d.decidedAt).toBe(t.clock.now().toISOString());
    await walk(t, c.id, ['executing', 'closed']);
    const closed = (await t.req('changjiInspector', 'GET', `/v1/cases/${c.id}`)).json();
    expect(closed.closedAt).toBe(t.clock.now().toISOString());
    const out = await transition(t, c.id, 'investigating');
    expect(out.statusCode).toBe(409);
    expect(out.json().allowed).toEqual([]);
    // A closed case's details no longer change either.
    const etag = (await t.req('changjiInspector', 'GET', `/v1/cases/${c.id}`)).headers.etag as string;
    expect((await t.req('changjiInspector', 'PATCH', `/v1/cases/${c.id}`, { title: 'late edit' }, { 'if-match': etag })).statusCode).toBe(409);
  });

  it('bad input: reasons, decision and receiving agency are required where the rule says; nothing changes', async () => {
    const c = await createCase(t);
    await walk(t, c.id, ['investigating']);
    for (const [to, body, field] of [
      ['suspended', {}, 'body/reason'],
      ['withdrawn', {}, 'body/reason'],
      ['transferred', { toAgencyCode: '654003' }, 'body/reason'],
      ['transferred', { reason: 'x' }, 'body/toAgencyCode'],
      ['transferred', { reason: 'x', toAgencyCode: '652301' }, 'body/toAgencyCode'],
      ['pending_decision', { toAgencyCode: '654003' }, 'body/toAgencyCode'],
    ] as const) {
      const r = await transition(t, c.id, to, body);
      expect(r.statusCode, `${to} ${JSON.stringify(body)}`).toBe(400);
      expect(r.json().errors[0].field).toBe(field);
    }
    const unknown = await transition(t, c.id, 'transferred', { reason: 'x', toAgencyCode: 'NOPE' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain('NOPE');
    const bogus = await transition(t, c.id, 'finished');
    expect(bogus.statusCode).toBe(400);
    await walk(t, c.id, ['pending_decision']);
    const noDecision = await transition(t, c.id, 'decided');
    expect(noDecision.statusCode).toBe(400);
    expect(noDecision.json().errors[0].field).toBe('body/decision');
    const still = (await t.req('changjiInspector', 'GET', `/v1/cases/${c.id}`)).json();
    expect(still.status).toBe('pending_decision');
  });

  it('a transfer moves the lead to the receiving agency, which takes the case up', async () => {
    const c = await createCase(t);
    const r = (await transition(t, c.id, 'transferred', { reason: 'the plant is in Changji prefecture’s remit', toAgencyCode: '652300' })).json();
    expect(r).toMatchObject({ status: 'transferred', leadAgencyCode: '652300', transferredFrom: '652301', side: 'region', leadTeamId: null });
    // The former lead (below the new one) still sees it but may no longer change it.
    const again = await transition(t, c.id, 'investigating');
    expect(again.statusCode).toBe(403);
    const taken = await transition(t, c.id, 'investigating', {}, 'changjiPrefSupervisor');
    expect(taken.statusCode).toBe(200);
    expect(taken.json().number).toBe(c.number);
  });

  it('If-Match on a transition is optional but checked when sent', async () => {
    const c = await createCase(t);
    const stale = await t.req('changjiInspector', 'POST', `/v1/cases/${c.id}/transitions`, { to: 'investigating' }, { 'if-match': '"99"' });
    expect(stale.statusCode).toBe(412);
    const cur = await t.req('changjiInspector', 'GET', `/v1/cases/${c.id}`);
    const ok = await t.req('changjiInspector', 'POST', `/v1/cases/${c.id}/transitions`, { to: 'investigating' }, { 'if-match': cur.headers.etag as string });
    expect(ok.statusCode).toBe(200);
  });
});
