import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'enf-cli-'));
const env = { ...process.env, DATABASE_PATH: join(dir, 'cli.db'), LOG_LEVEL: 'error' };
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { env, encoding: 'utf8' });

describe('npm run cli -- keys create: the same checks as POST /v1/api-keys', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Each case is a real CLI process (~1 s to start TypeScript).
  it('refuses bindings the API refuses, and derives the side from the agency', { timeout: 120_000 }, () => {
    expect(cli('seed', 'demo').status).toBe(0);
    const refused: [string[], RegExp][] = [
      [['--role', 'inspector'], /--agency is required for role inspector/],
      [['--role', 'supervisor', '--agency', 'NOPE'], /agency NOPE not found/],
      [['--role', 'inspector', '--agency', 'XPCC-D8', '--team', 'no-such-team'], /team no-such-team not found/],
      [['--role', 'inspector', '--agency', '652301', '--team', 'team-xpcc-d8-air'], /--team belongs to agency XPCC-D8, not 652301/],
      [['--role', 'supervisor', '--agency', 'XPCC-D8', '--side', 'region'], /--side does not match agency XPCC-D8/],
      [['--role', 'janitor'], /--role must be one of/],
    ];
    for (const [args, message] of refused) {
      const r = cli('keys', 'create', ...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    const ok = cli('keys', 'create', '--role', 'supervisor', '--agency', 'XPCC-D8');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ role: 'supervisor', side: 'corps', agencyCode: 'XPCC-D8', key: expect.stringMatching(/^ek_/) });
  });
});
