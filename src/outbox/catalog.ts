import { Type, type TSchema } from 'typebox';

/**
 * One entry of the published event catalog: what the event means and the JSON Schema of its
 * `data`. Each capability lists the types it emits in its `events.ts`; src/events/catalog.ts
 * gathers them (GET /v1/event-types, the OpenAPI document). Reporter personal data (name, phone,
 * email, address, id numbers) never goes in `data` — appendEvent refuses it.
 */
export interface EventTypeEntry {
  description: string;
  data: TSchema;
}

/** An entry whose data carries the subject's `id` (described) and the given fields, and may carry more. */
export const eventEntry = (description: string, idDescription: string, props: Record<string, TSchema> = {}): EventTypeEntry => ({
  description,
  data: Type.Object({ id: Type.String({ description: idDescription }), ...props }, { additionalProperties: true }),
});
