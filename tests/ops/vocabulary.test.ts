import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { create, keys, seedMap } from '../intake/helpers.js';
import { preferredLanguage, VOCABULARY } from '../../src/domain/labels.js';
import { ASSIGNMENT_ROLES, ASSIGNMENT_STATUSES, CATEGORIES, PARTNER_AUDIENCES, PARTNER_SCOPES, ROLES, SIDES } from '../../src/domain/index.js';
import { CHANNELS, COMPLAINT_STATUSES, REVIEW_STAGES } from '../../src/intake/tables.js';
import { CASE_STATUSES, MEASURE_TYPES, ORIGIN_KINDS } from '../../src/cases/tables.js';
import { FILING_REASONS, FILING_STATUSES, FILING_TRIGGERS } from '../../src/filings/tables.js';
import { INBOX_KINDS, INBOX_STATUSES } from '../../src/notifications/tables.js';
import { AGENCY_LEVELS, AREA_KINDS } from '../../src/reference/schemas.js';
import { INSPECTION_STATUSES, ITEM_RESULTS, OUTCOMES, PLAN_STATUSES } from '../../src/inspections/tables.js';
import { CLASSES, MODES } from '../../src/inspections/draw.js';
import { PROGRESS_STATUSES, TASK_KINDS, RECTIFICATION_STATUSES } from '../../src/ledger/tables.js';
import { AGENDA_LINK_KINDS, ATTENDANCE_STATUSES, CONSULTATION_KINDS, CONSULTATION_STATUSES, DECISION_STATUSES } from '../../src/consultations/tables.js';
import { AIR_LEVELS, ALERT_STATUSES, EMERGENCY_MEASURES, POLLUTANTS } from '../../src/air/tables.js';
import { STAT_DIMENSIONS, STAT_SUBJECTS } from '../../src/domain/stats.js';
import { REPORT_KINDS, REPORT_SCOPES } from '../../src/reports/tables.js';
import { OPERATION_KINDS, OPERATION_STATUSES, TASK_STATUSES as OPERATION_TASK_STATUSES } from '../../src/operations/tables.js';

/** Every enum in the code, by the vocabulary list that labels it. */
const ENUMS: Record<keyof typeof VOCABULARY, readonly string[]> = {
  side: SIDES,
  category: CATEGORIES,
  role: ROLES,
  agency_level: AGENCY_LEVELS,
  area_kind: AREA_KINDS,
  channel: CHANNELS,
  complaint_status: COMPLAINT_STATUSES,
  review_stage: REVIEW_STAGES,
  assignment_status: ASSIGNMENT_STATUSES,
  assignment_role: ASSIGNMENT_ROLES,
  case_status: CASE_STATUSES,
  case_origin: ORIGIN_KINDS,
  measure_type: MEASURE_TYPES,
  supervision_class: CLASSES,
  filing_status: FILING_STATUSES,
  filing_trigger: FILING_TRIGGERS,
  filing_reason: FILING_REASONS,
  inbox_kind: INBOX_KINDS,
  inbox_status: INBOX_STATUSES,
  inspection_mode: MODES,
  plan_status: PLAN_STATUSES,
  inspection_status: INSPECTION_STATUSES,
  inspection_outcome: OUTCOMES,
  item_result: ITEM_RESULTS,
  operation_kind: OPERATION_KINDS,
  operation_status: OPERATION_STATUSES,
  operation_task_status: OPERATION_TASK_STATUSES,
  air_level: AIR_LEVELS,
  air_alert_status: ALERT_STATUSES,
  pollutant: POLLUTANTS,
  emergency_measure: EMERGENCY_MEASURES,
  partner_audience: PARTNER_AUDIENCES,
  partner_scope: PARTNER_SCOPES,
  rectification_kind: TASK_KINDS,
  rectification_status: RECTIFICATION_STATUSES,
  progress_status: PROGRESS_STATUSES,
  consultation_kind: CONSULTATION_KINDS,
  consultation_status: CONSULTATION_STATUSES,
  attendance_status: ATTENDANCE_STATUSES,
  decision_status: DECISION_STATUSES,
  agenda_link_kind: AGENDA_LINK_KINDS,
  stat_subject: STAT_SUBJECTS,
  stat_dimension: STAT_DIMENSIONS,
  report_kind: REPORT_KINDS,
  report_scope: REPORT_SCOPES,
};

describe('vocabulary', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({});
    seedMap(t);
  });
  afterAll(() => t.close());

  it('labels every value of every enum in zh-CN and en, and nothing that is not a value', () => {
    for (const [list, values] of Object.entries(ENUMS)) {
      const terms = VOCABULARY[list as keyof typeof VOCABULARY].terms as Record<string, readonly [string, string]>;
      expect(Object.keys(terms).sort(), list).toEqual([...values].sort());
      for (const [code, [zh, en]] of Object.entries(terms)) {
        expect(zh, `${list}.${code} zh-CN`).toMatch(/\p{Script=Han}/u);
        expect(en.length, `${list}.${code} en`).toBeGreaterThan(0);
      }
    }
  });

  it('GET /v1/vocabulary is public and lists each code with both labels', async () => {
    const r = await t.app.inject({ url: '/v1/vocabulary' });
    expect(r.statusCode).toBe(200);
    const lists = r.json().lists as { name: string; terms: { code: string; labels: Record<string, string> }[] }[];
    expect(lists.map((l) => l.name).sort()).toEqual(Object.keys(ENUMS).sort());
    const status = lists.find((l) => l.name === 'complaint_status')!;
    expect(status.terms.find((x) => x.code === 'in_progress')).toEqual({ code: 'in_progress', labels: { 'zh-CN': '办理中', en: 'In progress' } });
  });

  it('the public lookup answers in Chinese by default and in English when asked', async () => {
    const c = await create(t, keys(t).intake);
    const url = `/v1/public/complaints/${c.number}?code=${c.queryCode}`;
    const zh = await t.app.inject({ url });
    expect(zh.headers['content-language']).toBe('zh-CN');
    expect(zh.json()).toMatchObject({ status: 'received', statusLabel: '已接收' });
    const en = await t.app.inject({ url, headers: { 'accept-language': 'en' } });
    expect(en.headers['content-language']).toBe('en');
    expect(en.json()).toMatchObject({ status: 'received', statusLabel: 'Received' });
  });

  it('Accept-Language: Chinese unless English is preferred (q-values honoured)', () => {
    expect(preferredLanguage(undefined)).toBe('zh-CN');
    expect(preferredLanguage('fr')).toBe('zh-CN');
    expect(preferredLanguage('en')).toBe('en');
    expect(preferredLanguage('en-GB;q=0.8, zh-TW;q=0.9')).toBe('zh-CN');
    expect(preferredLanguage('zh;q=0.2, en;q=0.7')).toBe('en');
    expect(preferredLanguage('en;q=0, zh-CN')).toBe('zh-CN');
  });
});
