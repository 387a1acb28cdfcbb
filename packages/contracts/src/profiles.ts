import { type Static, Type } from 'typebox';
import { Profile } from './common.js';

export const ProfileResponse = Type.Object({ profile: Profile });
export type ProfileResponse = Static<typeof ProfileResponse>;

export const UsernameParams = Type.Object({ username: Type.String() });
export type UsernameParams = Static<typeof UsernameParams>;
