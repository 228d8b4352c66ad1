import { Type, type TSchema } from 'typebox';

/** Shared TypeBox building blocks (written by hand, from `typebox` only). */
export const SIDES = ['region', 'corps'] as const;
export const CATEGORIES = ['air', 'water', 'soil', 'noise', 'solid_waste', 'radiation', 'ecology', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const SideSchema = Type.Enum(SIDES, { description: 'region = 自治区 (Autonomous Region); corps = 兵团 (XPCC)' });
export const CategorySchema = Type.Enum(CATEGORIES, { description: 'Environmental category' });
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const DateTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'Resource id' }) });
