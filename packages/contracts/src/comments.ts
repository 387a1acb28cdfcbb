import { type Static, Type } from 'typebox';
import { limits, Profile, requiredText, Timestamp } from './common.js';

export const Comment = Type.Object({
  id: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  body: Type.String(),
  author: Profile,
});
export type Comment = Static<typeof Comment>;

export const SingleCommentResponse = Type.Object({ comment: Comment });
export type SingleCommentResponse = Static<typeof SingleCommentResponse>;

export const MultipleCommentsResponse = Type.Object({ comments: Type.Array(Comment) });
export type MultipleCommentsResponse = Static<typeof MultipleCommentsResponse>;

export const NewComment = Type.Object({ body: requiredText(limits.commentBody) });
export type NewComment = Static<typeof NewComment>;
export const NewCommentRequest = Type.Object({ comment: NewComment });
export type NewCommentRequest = Static<typeof NewCommentRequest>;

export const CommentParams = Type.Object({ slug: Type.String(), id: Type.Integer() });
export type CommentParams = Static<typeof CommentParams>;
