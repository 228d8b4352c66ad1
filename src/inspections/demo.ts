import { and, eq } from 'drizzle-orm';
import { inTx, type Db } from '../db/client.js';
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import { getAgency } from '../reference/hierarchy.js';
import { DEMO_INSPECTION_ITEMS, DEMO_INSPECTORS } from '../reference/demo.js';
import { inspectionItems, inspectors } from './tables.js';

/**
 * Demo checklist items and officer rosters of both sides (src/reference/demo.ts), each only if
 * absent; `npm run demo` and `npm run cli -- seed demo` call it after the reference data.
 */
export function seedDemoInspections(db: Db, clock: Clock): { items: number; inspectors: number } {
  return inTx(db, (tx) => {
    const at = clock.now().toISOString();
    let ni = 0;
    let no = 0;
    for (const it of DEMO_INSPECTION_ITEMS) {
      if (!getAgency(tx, it.agencyCode)) continue;
      if (
        tx
          .select()
          .from(inspectionItems)
          .where(and(eq(inspectionItems.agencyCode, it.agencyCode), eq(inspectionItems.code, it.code)))
          .get()
      )
        continue;
      tx.insert(inspectionItems)
        .values({ id: newId(), ...it, createdAt: at })
        .run();
      ni++;
    }
    for (const o of DEMO_INSPECTORS) {
      const agency = getAgency(tx, o.agencyCode);
      if (!agency || tx.select().from(inspectors).where(eq(inspectors.id, o.id)).get()) continue;
      tx.insert(inspectors)
        .values({ ...o, side: agency.side, expert: o.expert ?? false, active: true, keyId: null, createdAt: at, updatedAt: at, version: 1 })
        .run();
      no++;
    }
    return { items: ni, inspectors: no };
  });
}
