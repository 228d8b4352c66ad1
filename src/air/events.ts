import { Type } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { appendEvent } from '../outbox/index.js';
import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';
import { REFERENCE_AUDIENCE } from '../reference/events.js';
import type { AlertRow } from './visibility.js';

const alertFields = {
  zoneId: Type.String(),
  level: Type.String({ description: 'yellow | orange | red' }),
  status: Type.String(),
  agencyCodes: Type.Array(Type.String(), { description: 'Agencies of both sides in the zone (each is notified)' }),
  operationId: Type.Union([Type.String(), Type.Null()], { description: 'The joint operation opened by linkage' }),
};

/**
 * Event types of heavy-pollution weather. Alerts go to `agency:<c>` of every agency in the zone
 * (exactly who may GET them, with supervisors above and admins); zones and reduction lists, which
 * every key may read, to the `reference` audience.
 */
export const AIR_EVENTS = {
  'air_zone.created': eventEntry('A joint-control zone was created (subject air-zones/<id>).', 'Zone id', {
    name: Type.String(),
    areaIds: Type.Array(Type.String()),
  }),
  'emergency_measures.set': eventEntry('A source’s emergency reduction list was set (subject sources/<sourceId>/emergency-measures).', 'Source id', {
    sourceAgencyCode: Type.String(),
  }),
  'air_alert.issued': eventEntry('A heavy-pollution alert was issued for a zone (subject air-alerts/<id>).', 'Alert id', {
    ...alertFields,
    supportedLevel: Type.Union([Type.String(), Type.Null()]),
    overrideReason: Type.Union([Type.String(), Type.Null()]),
  }),
  'air_alert.changed': eventEntry('An alert changed level (data.fromLevel → data.level); linked open tasks were re-checked.', 'Alert id', {
    ...alertFields,
    fromLevel: Type.String(),
  }),
  'air_alert.lifted': eventEntry('An alert was lifted; its linked operation closed with its summary.', 'Alert id', alertFields),
} satisfies Record<string, EventTypeEntry>;
export type AirEventType = keyof typeof AIR_EVENTS;

export function emitAlert(
  tx: Tx,
  deps: Deps,
  a: AlertRow,
  agencies: string[],
  type: 'air_alert.issued' | 'air_alert.changed' | 'air_alert.lifted',
  data: Record<string, unknown>,
  actorAgencyCode: string | null,
) {
  appendEvent(tx, deps.clock, {
    type,
    subject: `air-alerts/${a.id}`,
    data: { id: a.id, zoneId: a.zoneId, level: a.level, status: a.status, agencyCodes: agencies, operationId: a.operationId, ...data },
    // No side or owning agency: the alert spans both sides; the audience is the zone's agencies.
    side: null,
    agencyCode: null,
    category: 'air',
    actorAgencyCode: actorAgencyCode ?? 'center',
    audience: agencies.map((c) => `agency:${c}`),
  });
}

export function emitReference(
  tx: Tx,
  deps: Deps,
  type: 'air_zone.created' | 'emergency_measures.set',
  subject: string,
  data: Record<string, unknown>,
  actor: string | null,
) {
  appendEvent(tx, deps.clock, { type, subject, data, side: null, agencyCode: null, actorAgencyCode: actor ?? 'center', audience: [REFERENCE_AUDIENCE] });
}
