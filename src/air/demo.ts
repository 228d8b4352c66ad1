import { inTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import { getSource } from '../cases/index.js';
import { createZone, getMeasures, putMeasures } from './service.js';
import { getZone } from './visibility.js';
import type { Cuts, EmergencyMeasure } from './tables.js';

/**
 * Demo heavy-pollution data: the two key zones (shared/domain.md §5) and reduction lists for two
 * key sources of each side in 乌—昌—石. Loaded through the service rules (so the lists pass the
 * cuts), each only if absent; after the reference data and the demo sources.
 */
export const DEMO_ZONES = [
  {
    id: 'zone-wu-chang-shi',
    name: '乌—昌—石',
    // Urumqi (with the 12th division's enclave), Changji, Shihezi (8th division), Wujiaqu (6th division).
    areaIds: ['area-650100', 'area-xpcc-d12', 'area-652300', 'area-652301', 'area-xpcc-d8', 'area-xpcc-d6'],
    note: '乌鲁木齐—昌吉—石河子（含五家渠）大气污染联防联控区域',
  },
  {
    id: 'zone-kui-du-wu',
    name: '奎—独—乌',
    // Kuytun, Dushanzi, Wusu and the 7th division (Huyanghe).
    areaIds: ['area-654003', 'area-650202', 'area-654202', 'area-xpcc-d7'],
    note: '奎屯—独山子—乌苏（含第七师胡杨河市）大气污染联防联控区域',
  },
] as const;

const cuts = (n: number): Cuts => ({ so2: n, nox: n, pm: n, vocs: n });
const level = (measures: [EmergencyMeasure, string][], c: Cuts) => ({
  measures: measures.map(([type, description]) => ({ type, description })),
  reductions: c,
});

export const DEMO_MEASURES: { sourceId: string; levels: Parameters<typeof putMeasures>[5]['levels'] }[] = [
  {
    sourceId: 'src-652301-01',
    levels: {
      yellow: level([['reduce_boiler_output', '供热锅炉降负荷至80%']], cuts(12)),
      orange: level(
        [
          ['limit_load', '机组限负荷运行至70%'],
          ['stop_transport', '停止燃煤汽车运输'],
        ],
        cuts(25),
      ),
      red: level(
        [
          ['limit_load', '机组限负荷运行至50%'],
          ['stop_transport', '停止燃煤汽车运输'],
        ],
        { so2: 35, nox: 35, pm: 40, vocs: 30 },
      ),
    },
  },
  {
    sourceId: 'src-652301-02',
    levels: {
      yellow: level([['enhanced_dust_control', '物料堆场全覆盖、道路洒水']], cuts(10)),
      orange: level(
        [
          ['limit_load', '熟料生产线限产30%'],
          ['stop_transport', '停止原料汽车运输'],
        ],
        cuts(22),
      ),
      red: level(
        [
          ['stop_process', '2号熟料生产线停窑'],
          ['stop_transport', '停止原料汽车运输'],
        ],
        cuts(45),
      ),
    },
  },
  {
    sourceId: 'src-xpcc-d8-01',
    levels: {
      yellow: level([['reduce_boiler_output', '机组降负荷至85%']], cuts(10)),
      orange: level([['limit_load', '机组限负荷运行至70%']], cuts(20)),
      red: level(
        [
          ['limit_load', '机组限负荷运行至55%'],
          ['stop_transport', '停止燃煤汽车运输'],
        ],
        cuts(32),
      ),
    },
  },
  {
    sourceId: 'src-xpcc-d8-02',
    levels: {
      yellow: level([['limit_load', '纺丝生产线限产10%']], cuts(11)),
      orange: level(
        [
          ['limit_load', '纺丝生产线限产25%'],
          ['stop_transport', '停止原料汽车运输'],
        ],
        cuts(25),
      ),
      red: level(
        [
          ['stop_process', '一期生产线停产'],
          ['stop_transport', '停止原料汽车运输'],
        ],
        cuts(50),
      ),
    },
  },
];

const SYSTEM: Principal = { keyId: 'demo', role: 'admin', side: null, agencyCode: null, teamId: null };

export function seedDemoAir(deps: Deps): { zones: number; lists: number } {
  return inTx(deps.db, (tx) => {
    let zones = 0;
    let lists = 0;
    for (const z of DEMO_ZONES)
      if (!getZone(tx, z.id)) {
        createZone(tx, deps, SYSTEM, { name: z.name, areaIds: [...z.areaIds], note: z.note }, z.id);
        zones++;
      }
    for (const m of DEMO_MEASURES)
      if (getSource(tx, m.sourceId) && !getMeasures(tx, m.sourceId)) {
        putMeasures(tx, deps, SYSTEM, m.sourceId, undefined, { levels: m.levels });
        lists++;
      }
    return { zones, lists };
  });
}
