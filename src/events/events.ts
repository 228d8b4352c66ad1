import { Type } from 'typebox';
import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';

/** Event types of the Event API itself: a subscription disabled, and the test ping. */
export const SUBSCRIPTION_EVENTS = {
  'subscription.disabled': eventEntry('A webhook subscription was disabled (410 Gone or failing for 5 days). Visible to its owner.', 'Subscription id', {
    reason: Type.String({ description: '`gone` (receiver answered 410) or `failing` (failing for 5 days)' }),
    url: Type.String({ description: 'The subscription URL' }),
  }),
  ping: eventEntry('Sent by POST /v1/subscriptions/{id}/test; never stored in the feed.', 'Subscription id', { message: Type.String() }),
} satisfies Record<string, EventTypeEntry>;
