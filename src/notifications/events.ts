import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';

/** notification.* — written by notify() for every capability. */
export const NOTIFICATION_EVENTS = {
  'notification.created': eventEntry('A notification (通报) was created for another side or for supervisors.', 'Notification id'),
} satisfies Record<string, EventTypeEntry>;
