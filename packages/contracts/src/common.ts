import { type Static, Type } from 'typebox';

/** The exact error messages of the RealWorld spec, so the API and the web client agree on them. */
export const messages = {
  blank: "can't be blank",
  taken: 'has already been taken',
  invalid: 'is invalid',
  notFound: 'not found',
  forbidden: 'forbidden',
  tokenMissing: 'is missing',
  tokenInvalid: 'is invalid',
  credentialsInvalid: 'invalid',
  atLeastOneField: 'must have at least one field',
} as const;

/**
 * Upper bounds on request fields. They keep every indexed value (usernames, emails, slugs derived from titles,
 * tag names) well below PostgreSQL's btree row limit, so oversized input is a 422 and never a database error.
 */
export const limits = {
  username: 64,
  email: 254,
  password: 256,
  /** NIST SP 800-63B: at least 8 characters (and at least 64 allowed). */
  passwordMin: 8,
  bio: 4096,
  image: 2048,
  title: 255,
  description: 1024,
  articleBody: 100_000,
  tag: 64,
  tags: 20,
  commentBody: 10_000,
} as const;

/** `\S`: required text must contain something other than white space (`"  "` is blank). */
export const NOT_BLANK = '\\S';
const EMAIL = '^[^\\s@]+@[^\\s@]+$';

export const requiredText = (maxLength: number, minLength?: number) =>
  Type.String({ pattern: NOT_BLANK, maxLength, ...(minLength ? { minLength } : {}) });

/** Blank is reported as blank ("can't be blank"), anything else without an @ as "is invalid". */
export const emailText = () =>
  Type.Intersect([
    Type.String({ pattern: NOT_BLANK }),
    Type.String({ pattern: EMAIL, maxLength: limits.email }),
  ]);

/**
 * A username is a path segment of profile URLs (`/profile/:username`): `.` and `..` would be read as dot
 * segments by browsers and never reach the profile, so they are refused as invalid (blank stays blank).
 */
export const usernameText = () =>
  Type.Intersect([
    Type.String({ pattern: NOT_BLANK }),
    Type.String({ pattern: '^(?!\\.{1,2}$)', maxLength: limits.username }),
  ]);

export const nullableText = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Null()]);

export const Timestamp = Type.String({ format: 'date-time' });

export const Profile = Type.Object({
  username: Type.String(),
  bio: Type.Union([Type.String(), Type.Null()]),
  image: Type.Union([Type.String(), Type.Null()]),
  following: Type.Boolean(),
});
export type Profile = Static<typeof Profile>;

/** `{"errors":{"<field>":["<message>"]}}`: the one error shape of every 4xx and 5xx answer. */
export const ErrorResponse = Type.Object({
  errors: Type.Record(Type.String(), Type.Array(Type.String())),
});
export type ErrorResponse = Static<typeof ErrorResponse>;
