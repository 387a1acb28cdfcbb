import { type Static, Type } from 'typebox';

export const TagsResponse = Type.Object({ tags: Type.Array(Type.String()) });
export type TagsResponse = Static<typeof TagsResponse>;
