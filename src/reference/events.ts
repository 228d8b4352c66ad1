import { Type } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { appendEvent } from '../outbox/index.js';
import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';

/**
 * Reference-data events. Every role reads agencies, teams and areas, so these go to the audience
 * key `reference` that every key with event access holds (src/events/visibility.ts).
 */
export const REFERENCE_AUDIENCE = 'reference';

export const REFERENCE_EVENTS = {
  'area.deleted': eventEntry(
    'An area was deleted (subject areas/<id>); data.removed lists the routing rules removed with it (DELETE …?cascade=true), empty otherwise.',
    'Area id',
    {
      name: Type.String({ description: 'Its name, e.g. 昌吉市' }),
      side: Type.String(),
      agencyCode: Type.String(),
      kind: Type.String(),
      removed: Type.Array(
        Type.Object({ kind: Type.Literal('routing-rule'), id: Type.String(), category: Type.String(), teamId: Type.String() }, { additionalProperties: true }),
        { description: 'Dependents removed in the same transaction' },
      ),
    },
  ),
} satisfies Record<string, EventTypeEntry>;

export function emitAreaDeleted(
  tx: Tx,
  deps: Deps,
  area: { id: string; name: string; side: string; agencyCode: string; kind: string },
  removed: readonly { kind: string; id: string }[],
) {
  appendEvent(tx, deps.clock, {
    type: 'area.deleted',
    subject: `areas/${area.id}`,
    data: { id: area.id, name: area.name, side: area.side, agencyCode: area.agencyCode, kind: area.kind, removed },
    agencyCode: area.agencyCode,
    actorAgencyCode: 'center',
    audience: [REFERENCE_AUDIENCE],
  });
}
