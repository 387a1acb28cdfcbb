import { type Static, Type } from 'typebox';
import { emailText, limits, nullableText, requiredText, usernameText } from './common.js';

export const User = Type.Object({
  email: Type.String(),
  token: Type.String(),
  username: Type.String(),
  bio: Type.Union([Type.String(), Type.Null()]),
  image: Type.Union([Type.String(), Type.Null()]),
});
export type User = Static<typeof User>;

export const UserResponse = Type.Object({ user: User });
export type UserResponse = Static<typeof UserResponse>;

export const LoginUser = Type.Object({
  email: requiredText(limits.email),
  password: requiredText(limits.password),
});
export type LoginUser = Static<typeof LoginUser>;
export const LoginUserRequest = Type.Object({ user: LoginUser });
export type LoginUserRequest = Static<typeof LoginUserRequest>;

export const NewUser = Type.Object({
  username: usernameText(),
  email: emailText(),
  password: requiredText(limits.password, limits.passwordMin),
});
export type NewUser = Static<typeof NewUser>;
export const NewUserRequest = Type.Object({ user: NewUser });
export type NewUserRequest = Static<typeof NewUserRequest>;

/** Every field optional, at least one present; an empty `bio`/`image` clears it (stored as null). */
export const UpdateUser = Type.Object(
  {
    email: Type.Optional(emailText()),
    password: Type.Optional(requiredText(limits.password, limits.passwordMin)),
    username: Type.Optional(usernameText()),
    bio: Type.Optional(nullableText(limits.bio)),
    image: Type.Optional(nullableText(limits.image)),
  },
  { minProperties: 1 },
);
export type UpdateUser = Static<typeof UpdateUser>;
export const UpdateUserRequest = Type.Object({ user: UpdateUser });
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;
