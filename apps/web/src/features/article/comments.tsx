import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api, type Comment, describeError } from '../../api/index.js';
import { useAuth } from '../../app/auth.js';
import { takeComments } from '../../app/preload.js';
import { Avatar } from '../../components/avatar.js';
import { ErrorList } from '../../components/error-list.js';
import { Icon } from '../../components/icon.js';
import { formatDate } from '../../lib/format.js';
import { useAsync } from '../../lib/use-async.js';

export function Comments({ slug }: { slug: string }) {
  const { status, user } = useAuth();
  const [comments, update] = useAsync(() => takeComments(slug), slug);
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  async function post(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    setErrors([]);
    try {
      const comment = await api.addComment(slug, body);
      update((list) => [comment, ...list]);
      setBody('');
    } catch (error) {
      setErrors(describeError(error));
    } finally {
      setBusy(false);
    }
  }

  async function remove(comment: Comment) {
    setErrors([]);
    try {
      await api.deleteComment(slug, comment.id);
      update((list) => list.filter((item) => item.id !== comment.id));
    } catch (error) {
      setErrors(describeError(error));
    }
  }

  return (
    <>
      <ErrorList errors={errors} />
      {user ? (
        <form className="card comment-form" onSubmit={post}>
          <div className="card-block">
            <textarea
              className="form-control"
              placeholder="Write a comment..."
              aria-label="Write a comment"
              rows={3}
              value={body}
              onChange={(event) => setBody(event.target.value)}
              disabled={busy}
            />
          </div>
          <div className="card-footer">
            <Avatar image={user.image} username={user.username} className="comment-author-img" size={30} />
            <button className="btn btn-sm btn-primary" type="submit" disabled={busy}>
              Post Comment
            </button>
          </div>
        </form>
      ) : status === 'unauthenticated' ? (
        <p className="comment-sign-in">
          <Link to="/login">Sign in</Link> or <Link to="/register">sign up</Link> to add comments on this
          article.
        </p>
      ) : null}
      {comments.status === 'error' && <p className="muted">Comments could not be loaded.</p>}
      {comments.status === 'done' &&
        comments.data.map((comment) => (
          <div className="card" key={comment.id}>
            <div className="card-block">
              <p className="card-text">{comment.body}</p>
            </div>
            <div className="card-footer">
              <Link
                to={`/profile/${encodeURIComponent(comment.author.username)}`}
                className="comment-author"
                tabIndex={-1}
              >
                <Avatar
                  image={comment.author.image}
                  username={comment.author.username}
                  className="comment-author-img"
                  size={30}
                />
              </Link>
              &nbsp;
              <Link to={`/profile/${encodeURIComponent(comment.author.username)}`} className="comment-author">
                {comment.author.username}
              </Link>
              <span className="date-posted">{formatDate(comment.createdAt)}</span>
              {user?.username === comment.author.username && (
                <span className="mod-options">
                  <Icon name="trash-a" label="Delete comment" onActivate={() => remove(comment)} />
                </span>
              )}
            </div>
          </div>
        ))}
    </>
  );
}
