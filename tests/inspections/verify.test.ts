import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runDraw, seedOf, verifyDrawRecord, type DrawInput } from '../../src/inspections/draw.js';
import { commitAndReveal, createPlan, inspectionApp, type InspectionTest } from './helpers.js';

const run = promisify(execFile);

/** A different character of the same kind, so the file stays as close to valid as possible. */
function flip(c: string): string {
  if (/[0-8]/.test(c)) return String(Number(c) + 1);
  if (c === '9') return '0';
  if (/[a-y]/.test(c) || /[A-Y]/.test(c)) return String.fromCharCode(c.charCodeAt(0) + 1);
  if (c === 'z') return 'a';
  if (c === 'Z') return 'A';
  return c === 'x' ? 'y' : 'x';
}

describe('random inspections: anyone can check a draw', () => {
  let t: InspectionTest;
  let record: string;
  beforeAll(async () => {
    t = await inspectionApp();
    // A declared conflict, so the pools carry one.
    expect((await t.req('admin', 'POST', '/v1/inspectors/insp-xpcc-d8-01/conflicts', { sourceId: 'src-652301-01', reason: '曾在该企业任职' })).statusCode).toBe(
      201,
    );
    const plan = await createPlan(t, 'changjiPrefSupervisor', {
      name: 'verify',
      agencyCode: '652300',
      mode: 'joint',
      parties: ['652300', 'XPCC-D8'],
      period: { from: '2026-03-09', to: '2026-03-20' },
    });
    expect(
      (
        await commitAndReveal(t, plan.id, [
          ['652300', 'changjiPrefSupervisor'],
          ['XPCC-D8', 'd8Supervisor'],
        ])
      ).statusCode,
    ).toBe(200);
    t.clock.set('2026-03-20T16:00:00.000Z');
    await t.settle();
    const pub = (await t.pub(`/v1/public/inspection-plans/${plan.id}`)).json();
    const r = await t.pub(pub.drawRecordUrl);
    expect(r.statusCode).toBe(200);
    record = r.body;
  });
  afterAll(() => t.close());

  it('the published record verifies: commitments, seed, input hash and the re-run draw all match the service', async () => {
    const rec = JSON.parse(record);
    expect(rec.input.pools.conflicts).toEqual([{ inspectorId: 'insp-xpcc-d8-01', sourceId: 'src-652301-01' }]);
    const report = verifyDrawRecord(rec);
    expect(report.ok, JSON.stringify(report.checks)).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      'record shape',
      'input hash',
      'parties and order',
      'commitment of 652300',
      'commitment of XPCC-D8',
      'seed',
      'draw result',
    ]);
    // The same pure function, called directly, gives the stored result.
    const out = runDraw(rec.input as DrawInput, seedOf(rec.commitments.map((c: { secret: string }) => c.secret)));
    expect(out.ok && out.targets).toEqual(rec.result.targets);
  });

  it('any changed byte of the published record fails verification', () => {
    expect(record.length).toBeGreaterThan(1000);
    let passed = 0;
    for (let i = 0; i < record.length; i++) {
      const changed = record.slice(0, i) + flip(record[i]) + record.slice(i + 1);
      let ok: boolean;
      try {
        ok = verifyDrawRecord(JSON.parse(changed)).ok;
      } catch {
        ok = false; // no longer JSON: fails too
      }
      if (ok) passed++;
      expect(ok, `byte ${i} (${record[i]} → ${flip(record[i])}) in …${record.slice(Math.max(0, i - 30), i + 30)}…`).toBe(false);
    }
    expect(passed).toBe(0);
  });

  it('npm run cli -- draw verify <file>: MATCH on the record, MISMATCH (exit 2) on a changed byte, with no database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enf-verify-'));
    const good = join(dir, 'plan.json');
    writeFileSync(good, record);
    const env = { ...process.env, DATABASE_PATH: join(dir, 'never-created', 'x.db') };
    const ok = await run('npx', ['tsx', 'src/cli/index.ts', 'draw', 'verify', good], { cwd: process.cwd(), env });
    expect(ok.stdout).toMatch(/^MATCH/m);
    const i = record.indexOf('"officers":[') + 20;
    const bad = join(dir, 'tampered.json');
    writeFileSync(bad, record.slice(0, i) + flip(record[i]) + record.slice(i + 1));
    const err = await run('npx', ['tsx', 'src/cli/index.ts', 'draw', 'verify', bad], { cwd: process.cwd(), env }).then(
      () => null,
      (e: { code: number; stdout: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stdout).toMatch(/MISMATCH/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'never-created'))).toBe(false);
  }, 60_000);

  it('the draw is deterministic and depends on every secret', () => {
    const rec = JSON.parse(record);
    const secrets = rec.commitments.map((c: { secret: string }) => c.secret);
    const a = runDraw(rec.input, seedOf(secrets));
    expect(runDraw(rec.input, seedOf(secrets))).toEqual(a);
    const other = [secrets[0], secrets[1].replace(/^./, (c: string) => (c === '0' ? '1' : '0'))];
    expect(runDraw(rec.input, seedOf(other))).not.toEqual(a);
  });
});
