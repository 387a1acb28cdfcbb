import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, type Article, api, describeError, type Profile } from '../../api/index.js';
import { useAuth } from '../../app/auth.js';
import { takeArticle } from '../../app/preload.js';
import { Avatar } from '../../components/avatar.js';
import { ErrorList } from '../../components/error-list.js';
import { FollowButton } from '../../components/follow-button.js';
import { Icon } from '../../components/icon.js';
import { formatDate } from '../../lib/format.js';
import { renderMarkdown } from '../../lib/markdown.js';
import { useAsync } from '../../lib/use-async.js';
import { Comments } from './comments.js';

export default function ArticlePage() {
  const { slug = '' } = useParams();
  const [state, update] = useAsync(() => takeArticle(slug), slug);

  if (state.status !== 'done') {
    const notFound =
      state.status === 'error' && state.error instanceof ApiError && state.error.status === 404;
    return (
      <div className="article-page">
        <div className="banner">
          <div className="container">
            <h1>
              {state.status === 'loading'
                ? 'Loading article...'
                : notFound
                  ? 'Article not found'
                  : 'This article could not be loaded'}
            </h1>
          </div>
        </div>
      </div>
    );
  }
  return <ArticleView article={state.data} onChange={(article) => update(() => article)} />;
}

function ArticleView({ article, onChange }: { article: Article; onChange: (article: Article) => void }) {
  const html = useMemo(() => renderMarkdown(article.body), [article.body]);
  return (
    <div className="article-page">
      <div className="banner">
        <div className="container">
          <h1>{article.title}</h1>
          <ArticleMeta article={article} onChange={onChange} />
        </div>
      </div>
      <div className="container page">
        <div className="row article-content">
          <div className="col-md-12">
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: renderMarkdown sanitises with DOMPurify */}
            <div dangerouslySetInnerHTML={{ __html: html }} />
            {article.tagList.length > 0 && (
              <ul className="tag-list">
                {article.tagList.map((tag) => (
                  <li key={tag} className="tag-default tag-pill tag-outline">
                    {tag}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
        <hr />
        <div className="article-actions">
          <ArticleMeta article={article} onChange={onChange} />
        </div>
        <div className="row">
          <div className="col-xs-12 col-md-8 offset-md-2">
            <Comments slug={article.slug} />
          </div>
        </div>
      </div>
    </div>
  );
}

function ArticleMeta({ article, onChange }: { article: Article; onChange: (article: Article) => void }) {
  const { user } = useAuth();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const author = article.author;
  const profile = `/profile/${encodeURIComponent(author.username)}`;
  const mine = user?.username === author.username;

  async function run(action: () => Promise<void>) {
    if (!user) {
      navigate('/login');
      return;
    }
    setBusy(true);
    setErrors([]);
    try {
      await action();
    } catch (error) {
      setErrors(describeError(error));
    } finally {
      setBusy(false);
    }
  }

  const toggleFavorite = () =>
    run(async () =>
      onChange(await (article.favorited ? api.unfavorite(article.slug) : api.favorite(article.slug))),
    );
  const remove = () =>
    run(async () => {
      await api.deleteArticle(article.slug);
      navigate('/');
    });
  const followChanged = (author: Profile) => onChange({ ...article, author });

  return (
    <div className="article-meta">
      <Link to={profile} tabIndex={-1}>
        <Avatar image={author.image} username={author.username} size={32} />
      </Link>
      <div className="info">
        <Link to={profile} className="author">
          {author.username}
        </Link>
        <span className="date">{formatDate(article.createdAt)}</span>
      </div>
      {mine ? (
        <>
          <Link
            className="btn btn-sm btn-outline-secondary"
            to={`/editor/${encodeURIComponent(article.slug)}`}
          >
            <Icon name="edit" /> Edit Article
          </Link>{' '}
          <button className="btn btn-sm btn-outline-danger" type="button" onClick={remove} disabled={busy}>
            <Icon name="trash-a" /> Delete Article
          </button>
        </>
      ) : (
        <>
          <FollowButton profile={author} onChange={followChanged} />{' '}
          <button
            type="button"
            className={`btn btn-sm ${article.favorited ? 'btn-primary' : 'btn-outline-primary'}`}
            onClick={toggleFavorite}
            disabled={busy}
            aria-pressed={article.favorited}
          >
            <Icon name="heart" />
            &nbsp; {article.favorited ? 'Unfavorite Article' : 'Favorite Article'}{' '}
            <span className="counter">({article.favoritesCount})</span>
          </button>
        </>
      )}
      <ErrorList errors={errors} />
    </div>
  );
}
