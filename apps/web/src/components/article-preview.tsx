import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { type ArticleListItem, api } from '../api/index.js';
import { useAuth } from '../app/auth.js';
import { formatDate } from '../lib/format.js';
import { Avatar } from './avatar.js';
import { Icon } from './icon.js';

export function ArticlePreview({
  article,
  onChange,
}: {
  article: ArticleListItem;
  onChange: (article: ArticleListItem) => void;
}) {
  const { user } = useAuth();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const profile = `/profile/${encodeURIComponent(article.author.username)}`;

  async function toggleFavorite() {
    if (!user) {
      navigate('/login');
      return;
    }
    setBusy(true);
    try {
      onChange(await (article.favorited ? api.unfavorite(article.slug) : api.favorite(article.slug)));
    } catch {
      // The button keeps its old state, which is the truth the server still holds.
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="article-preview">
      <div className="article-meta">
        <Link to={profile} tabIndex={-1}>
          <Avatar image={article.author.image} username={article.author.username} size={32} />
        </Link>
        <div className="info">
          <Link to={profile} className="author">
            {article.author.username}
          </Link>
          <span className="date">{formatDate(article.createdAt)}</span>
        </div>
        <button
          type="button"
          className={`btn btn-sm pull-xs-right ${article.favorited ? 'btn-primary' : 'btn-outline-primary'}`}
          onClick={toggleFavorite}
          disabled={busy}
          aria-pressed={article.favorited}
          aria-label={`${article.favorited ? 'Unfavorite' : 'Favorite'} "${article.title}", ${article.favoritesCount} favorites`}
        >
          <Icon name="heart" /> {article.favoritesCount}
        </button>
      </div>
      <Link to={`/article/${encodeURIComponent(article.slug)}`} className="preview-link">
        <h1>{article.title}</h1>
        <p>{article.description}</p>
        <span>Read more...</span>
        {article.tagList.length > 0 && (
          <ul className="tag-list">
            {article.tagList.map((tag) => (
              <li key={tag} className="tag-default tag-pill tag-outline">
                {tag}
              </li>
            ))}
          </ul>
        )}
      </Link>
    </div>
  );
}
