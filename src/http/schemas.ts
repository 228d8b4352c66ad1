import { Type, type TSchema } from 'typebox';
import { CATEGORIES, SIDES } from '../domain/index.js';

/** Shared TypeBox building blocks (written by hand, from `typebox` only). */

export const SideSchema = Type.Enum(SIDES, { description: 'region = 自治区 (Autonomous Region); corps = 兵团 (XPCC)' });
export const CategorySchema = Type.Enum(CATEGORIES, { description: 'Environmental category' });
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const DateTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'Resource id' }) });
