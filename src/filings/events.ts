import type { TSchema } from 'typebox';
import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';

const filing = (description: string, props: Record<string, TSchema> = {}) => eventEntry(description, 'Filing id', props);

/** filing.* — emitted by cross-filing (互相备案) and notification (通报). */
export const FILING_EVENTS = {
  'filing.created': filing('A cross-side filing (抄告/移送) was created (subject filings/<id>).'),
  'filing.acknowledged': filing('The receiving side acknowledged a filing.'),
  'filing.overdue': filing('A filing was not acknowledged in time.'),
  'filing.escalated': filing('A filing still unacknowledged at FILING_ESCALATE_DAYS was escalated to the top agencies of both sides (data.escalatedTo).'),
  'filing.commented': filing('A comment, information request (data.kind = question) or answer was added to a filing (data.commentId; the text is in the API).'),
} satisfies Record<string, EventTypeEntry>;
