/**
 * The national rule for heavy-pollution alert levels (环办大气函〔2018〕875号, shared/domain.md §4a),
 * on a forecast of daily mean AQI by day. Pure: no clock, no database.
 *   yellow: AQI > 200 for ≥ 2 consecutive days;
 *   orange: AQI > 200 for ≥ 3 consecutive days with at least one of them > 300;
 *   red:    AQI > 200 for ≥ 4 consecutive days with ≥ 2 of them > 300, or any day ≥ 500.
 */
import type { AirLevel, Cuts, LevelCuts } from './tables.js';

export const LEVEL_RULES: Record<AirLevel, { rule: string; text: string; minDays: number }> = {
  yellow: { rule: 'air-alert-yellow', text: 'yellow: daily AQI > 200 for ≥ 2 consecutive days', minDays: 2 },
  orange: { rule: 'air-alert-orange', text: 'orange: daily AQI > 200 for ≥ 3 consecutive days with a day > 300', minDays: 3 },
  red: { rule: 'air-alert-red', text: 'red: daily AQI > 200 for ≥ 4 consecutive days with ≥ 2 days > 300, or any day ≥ 500', minDays: 4 },
};

/** Default minimum cuts per level, of each of SO₂, NOx, PM and VOCs (domain.md §4a). */
export const DEFAULT_CUTS: LevelCuts = {
  yellow: { so2: 10, nox: 10, pm: 10, vocs: 10 },
  orange: { so2: 20, nox: 20, pm: 20, vocs: 20 },
  red: { so2: 30, nox: 30, pm: 30, vocs: 30 },
};

const RANK: Record<AirLevel, number> = { yellow: 0, orange: 1, red: 2 };
export const levelRank = (l: AirLevel) => RANK[l];

/** Runs of consecutive days with AQI > 200: their length and how many days > 300. */
function runsOver200(aqi: number[]): { days: number; over300: number }[] {
  const runs: { days: number; over300: number }[] = [];
  let cur: { days: number; over300: number } | null = null;
  for (const v of aqi) {
    if (v > 200) {
      cur ??= { days: 0, over300: 0 };
      cur.days++;
      if (v > 300) cur.over300++;
    } else if (cur) {
      runs.push(cur);
      cur = null;
    }
  }
  if (cur) runs.push(cur);
  return runs;
}

function meetsOwnRule(level: AirLevel, aqi: number[]): boolean {
  const runs = runsOver200(aqi);
  if (level === 'yellow') return runs.some((r) => r.days >= 2);
  if (level === 'orange') return runs.some((r) => r.days >= 3 && r.over300 >= 1);
  return aqi.some((v) => v >= 500) || runs.some((r) => r.days >= 4 && r.over300 >= 2);
}

/** Whether the forecast supports `level`: its own rule or a higher level's (a red forecast supports orange). */
export function meetsLevel(level: AirLevel, aqi: number[]): boolean {
  return (['yellow', 'orange', 'red'] as const).slice(RANK[level]).some((l) => meetsOwnRule(l, aqi));
}

/** The highest level the forecast supports, or null. */
export function supportedLevel(aqi: number[]): AirLevel | null {
  for (const level of ['red', 'orange', 'yellow'] as const) if (meetsLevel(level, aqi)) return level;
  return null;
}

export interface LevelRefusal {
  rule: string;
  reason: 'forecast-too-short' | 'forecast-below-level';
  detail: string;
}

/** Null when the forecast supports `level` (a higher level supports a lower one), else why not. */
export function checkLevel(level: AirLevel, aqi: number[]): LevelRefusal | null {
  if (meetsLevel(level, aqi)) return null;
  const r = LEVEL_RULES[level];
  if (aqi.length < r.minDays)
    return {
      rule: r.rule,
      reason: 'forecast-too-short',
      detail: `The forecast has ${aqi.length} day(s); the rule needs at least ${r.minDays}: ${r.text}.`,
    };
  const best = supportedLevel(aqi);
  return {
    rule: r.rule,
    reason: 'forecast-below-level',
    detail: `The forecast (${aqi.join(', ')}) does not meet ${r.text}; it supports ${best ?? 'no alert'}.`,
  };
}

/** The strictest of several zones' cuts (per level and pollutant the highest); none → the national defaults. */
export function strictestCuts(zones: LevelCuts[]): LevelCuts {
  if (!zones.length) return DEFAULT_CUTS;
  const out = {} as LevelCuts;
  for (const level of ['yellow', 'orange', 'red'] as const) {
    const c = {} as Cuts;
    for (const p of ['so2', 'nox', 'pm', 'vocs'] as const) c[p] = Math.max(...zones.map((z) => z[level][p]));
    out[level] = c;
  }
  return out;
}
