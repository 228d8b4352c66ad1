import type { Config } from '../config.js';
import type { StoredEvent } from '../outbox/index.js';

/** A CloudEvents 1.0 event in structured JSON form. */
export interface CloudEventJson {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
  /** Per-subject sequence (1, 2, 3…), an integer. */
  sequence: number;
  side?: string;
  agencycode?: string;
}

/** CloudEvents extension values: lower-case alphanumerics only (e.g. `XJ-URUMQI` → `xjurumqi`). */
export const extensionValue = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Builds the envelope from a stored outbox row. `source` = service URI + acting agency path. */
export function toCloudEvent(row: StoredEvent, config: Pick<Config, 'publicBaseUrl'>): CloudEventJson {
  const ev: CloudEventJson = {
    specversion: '1.0',
    id: row.id,
    source: config.publicBaseUrl.replace(/\/+$/, '') + row.source,
    type: row.type,
    subject: row.subject,
    time: row.time,
    datacontenttype: 'application/json',
    data: row.data,
    sequence: row.sequence,
  };
  if (row.side) ev.side = row.side;
  if (row.agencyCode) {
    const code = extensionValue(row.agencyCode);
    if (code) ev.agencycode = code;
  }
  return ev;
}
