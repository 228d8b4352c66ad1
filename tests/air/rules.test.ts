import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { airApp, alertBody, issue, measuresBody, type AirTest } from './helpers.js';

describe('heavy-pollution weather: the rules', () => {
  let t: AirTest;
  beforeAll(async () => {
    t = await airApp();
  });
  afterAll(() => t.close());

  it('the demo zones: 乌—昌—石 and 奎—独—乌 with their agencies of both sides and the default cuts and linkage', async () => {
    const r = await t.req('insp-652301-01', 'GET', '/v1/air-zones');
    expect(r.statusCode, r.body).toBe(200);
    const zones = r.json().items as { id: string; name: string; agencyCodes: string[]; minimumCuts: any; linkageLevels: string[] }[];
    const wcs = zones.find((z) => z.id === 'zone-wu-chang-shi')!;
    expect(wcs.agencyCodes).toEqual(expect.arrayContaining(['650100', '652300', '652301', 'XPCC-D8', 'XPCC-D6', 'XPCC-D12']));
    expect(wcs.minimumCuts.orange).toEqual({ so2: 20, nox: 20, pm: 20, vocs: 20 });
    expect(wcs.linkageLevels).toEqual(['orange', 'red']);
    const kdw = zones.find((z) => z.id === 'zone-kui-du-wu')!;
    expect(kdw.agencyCodes.sort()).toEqual(['650202', '654003', '654202', 'XPCC-D7']);
    expect((await t.req('admin', 'GET', '/v1/air-zones/zone-kui-du-wu')).json().name).toBe('奎—独—乌');
  });

  it('each level rule over HTTP: 422 naming the rule when the forecast does not support the level or is too short; nothing issued', async () => {
    for (const [level, aqi, rule, reason] of [
      ['yellow', [210, 190, 210], 'air-alert-yellow', 'forecast-below-level'],
      ['orange', [230, 290, 280], 'air-alert-orange', 'forecast-below-level'],
      ['orange', [320, 330], 'air-alert-orange', 'forecast-too-short'],
      ['red', [260, 320, 290, 240], 'air-alert-red', 'forecast-below-level'],
      ['red', [260, 320, 350], 'air-alert-red', 'forecast-too-short'],
    ] as const) {
      const r = await t.req('changjiSupervisor', 'POST', '/v1/air-alerts', alertBody({ level, basis: { forecastDailyAqi: aqi } }));
      expect(r.statusCode, r.body).toBe(422);
      expect(r.json()).toMatchObject({ rule, reason, level });
    }
    expect((await t.req('admin', 'GET', '/v1/air-alerts')).json().items).toEqual([]);
  });

  it('an override with a recorded reason issues a level the forecast does not support; one active alert per zone (409)', async () => {
    const a = await issue(t, 'd8Supervisor', {
      level: 'yellow',
      basis: { forecastDailyAqi: [180, 190] },
      overrideReason: '区域应急预案更严格：PM2.5连续两日超过150即启动',
    });
    expect(a).toMatchObject({ level: 'yellow', supportedLevel: null, overrideReason: '区域应急预案更严格：PM2.5连续两日超过150即启动', operationId: null });
    const again = await t.req('d8Supervisor', 'POST', '/v1/air-alerts', alertBody());
    expect(again.statusCode).toBe(409);
    // Changing to orange without support → 422; with support, the linkage opens the operation now.
    let r = await t.req('d8Supervisor', 'POST', `/v1/air-alerts/${a.id}/change`, { level: 'orange' });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().rule).toBe('air-alert-orange');
    r = await t.req('d8Supervisor', 'POST', `/v1/air-alerts/${a.id}/change`, { level: 'orange', basis: { forecastDailyAqi: [230, 320, 280] } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().operationId).toBeTruthy();
    expect((await t.req('d8Supervisor', 'POST', `/v1/air-alerts/${a.id}/change`, { level: 'orange' })).statusCode).toBe(409);
    // A downgrade below the linkage levels keeps the operation; its open tasks are re-checked against yellow.
    const down = await t.req('d8Supervisor', 'POST', `/v1/air-alerts/${a.id}/change`, { level: 'yellow' });
    expect(down.statusCode, down.body).toBe(200);
    const op = (await t.req('admin', 'GET', `/v1/joint-operations/${r.json().operationId}`)).json();
    expect(op.status).toBe('confirmed');
    expect(new Set(op.tasks.map((x: { alertLevel: string }) => x.alertLevel))).toEqual(new Set(['yellow']));
    expect(op.tasks.find((x: { sourceId: string }) => x.sourceId === 'src-xpcc-d8-01').requiredMeasures).toEqual(['reduce_boiler_output']);
    expect((await t.req('d8Supervisor', 'POST', `/v1/air-alerts/${a.id}/lift`)).statusCode).toBe(200);
  });

  it('an alert by a supervisor with no agency in the zone → 403 naming the rule; inspectors cannot issue; bad dates → 400', async () => {
    const r = await t.req('d7Supervisor', 'POST', '/v1/air-alerts', alertBody());
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().rule).toBe('air-alert-by-zone-supervisor');
    expect((await t.req('insp-652301-01', 'POST', '/v1/air-alerts', alertBody())).statusCode).toBe(403);
    const bad = await t.req('changjiSupervisor', 'POST', '/v1/air-alerts', alertBody({ expectedEndAt: '2026-03-02T00:00:00+08:00' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body/expectedEndAt');
    // The 奎—独—乌 zone is the 7th division's: there it may issue.
    const a = await issue(t, 'd7Supervisor', { zoneId: 'zone-kui-du-wu', level: 'yellow', basis: { forecastDailyAqi: [210, 220] } });
    expect(a.agencyCodes.sort()).toEqual(['650202', '654003', '654202', 'XPCC-D7']);
    expect((await t.req('changjiSupervisor', 'GET', `/v1/air-alerts/${a.id}`)).statusCode).toBe(404);
    expect((await t.req('changjiSupervisor', 'POST', `/v1/air-alerts/${a.id}/lift`)).statusCode).toBe(404);
  });

  it('measures below the level’s cut → 422 naming pollutant, level, required and given; nothing changed', async () => {
    const before = (await t.req('admin', 'GET', '/v1/sources/src-652301-01/emergency-measures')).json();
    const body = measuresBody({ orange: { measures: [{ type: 'limit_load' }], reductions: { so2: 25, nox: 18, pm: 25, vocs: 20 } } });
    const r = await t.req('changjiSupervisor', 'PUT', '/v1/sources/src-652301-01/emergency-measures', body);
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json()).toMatchObject({ rule: 'emergency-cut-below-minimum', level: 'orange', pollutant: 'nox', required: 20, given: 18 });
    expect((await t.req('admin', 'GET', '/v1/sources/src-652301-01/emergency-measures')).json()).toEqual(before);
    // Another agency's source → 403; a list that meets the cuts → 200.
    expect((await t.req('d8Supervisor', 'PUT', '/v1/sources/src-652301-01/emergency-measures', measuresBody())).json().rule).toBe(
      'emergency-measures-by-source-agency',
    );
    const ok = await t.req('changjiSupervisor', 'PUT', '/v1/sources/src-652301-05/emergency-measures', measuresBody());
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ sourceId: 'src-652301-05', zoneIds: ['zone-wu-chang-shi'], version: 1 });
    // Reference-like data: every key reads the list and sees its event (subject = the list's URL).
    const subject = 'sources/src-652301-05/emergency-measures';
    for (const label of ['d8Supervisor', 'insp-xpcc-d8-01', 'partner']) expect((await t.req(label, 'GET', `/v1/${subject}`)).statusCode, label).toBe(200);
    const feed = await t.req('d7Supervisor', 'GET', `/v1/events?subject=${encodeURIComponent(subject)}`);
    expect((feed.json().items as { type: string }[]).map((e) => e.type)).toEqual(['emergency_measures.set']);
  });

  it('the strictest zone containing the source applies; a zone laxer than the national cut → 400', async () => {
    const lax = await t.req('admin', 'POST', '/v1/air-zones', { name: '示例', areaIds: ['area-652301'], minimumCuts: { red: { pm: 25 } } });
    expect(lax.statusCode).toBe(400);
    expect(lax.json().errors[0].field).toBe('body/minimumCuts/red/pm');
    const z = await t.req('admin', 'POST', '/v1/air-zones', { name: '昌吉市城区（更严）', areaIds: ['area-652301'], minimumCuts: { orange: { pm: 30 } } });
    expect(z.statusCode, z.body).toBe(201);
    const r = await t.req('changjiSupervisor', 'PUT', '/v1/sources/src-652301-05/emergency-measures', measuresBody());
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json()).toMatchObject({ level: 'orange', pollutant: 'pm', required: 30, given: 25 });
  });
});
