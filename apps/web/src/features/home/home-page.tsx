import { Link, Navigate, NavLink, useParams, useSearchParams } from 'react-router';
import { api } from '../../api/index.js';
import { useAuth } from '../../app/auth.js';
import { ArticleList } from '../../components/article-list.js';
import { parsePage } from '../../lib/pagination.js';
import { useAsync } from '../../lib/use-async.js';

export default function HomePage() {
  const { tag } = useParams();
  const [search] = useSearchParams();
  const { status } = useAuth();
  const following = !tag && search.get('feed') === 'following';
  const page = parsePage(search.get('page'));

  if (following && status === 'unauthenticated') return <Navigate to="/login" replace />;

  const feed = following ? 'following' : tag ? `tag:${tag}` : 'global';
  const base = following ? '/?feed=following' : tag ? `/tag/${encodeURIComponent(tag)}` : '/';
  const signedIn = status === 'authenticated' || status === 'unavailable';

  return (
    <div className="home-page">
      <div className="banner">
        <div className="container">
          <h1 className="logo-font">conduit</h1>
          <p>A place to share your knowledge.</p>
        </div>
      </div>
      <div className="container page">
        <div className="row">
          <div className="col-md-9">
            <div className="feed-toggle">
              <ul className="nav nav-pills outline-active">
                {signedIn && (
                  <li className="nav-item">
                    <Link className={following ? 'nav-link active' : 'nav-link'} to="/?feed=following">
                      Your Feed
                    </Link>
                  </li>
                )}
                <li className="nav-item">
                  <Link className={!following && !tag ? 'nav-link active' : 'nav-link'} to="/">
                    Global Feed
                  </Link>
                </li>
                {tag && (
                  <li className="nav-item">
                    <NavLink className="nav-link active tag-tab" to={base}>
                      {tag}
                    </NavLink>
                  </li>
                )}
              </ul>
            </div>
            {following && status === 'loading' ? (
              <div className="feed-loading">Loading articles...</div>
            ) : (
              <ArticleList
                listKey={feed}
                page={page}
                base={base}
                load={(query) => (following ? api.feed(query) : api.articles({ ...query, tag }))}
                empty={
                  following ? (
                    <>
                      Your feed is empty. Follow some authors, or browse the <Link to="/">Global Feed</Link>.
                    </>
                  ) : (
                    'No articles are here... yet.'
                  )
                }
              />
            )}
          </div>
          <div className="col-md-3">
            <PopularTags />
          </div>
        </div>
      </div>
    </div>
  );
}

function PopularTags() {
  const [tags] = useAsync(() => api.tags(), 'tags');
  return (
    <div className="sidebar">
      <p>Popular Tags</p>
      {tags.status === 'loading' && <div className="feed-loading">Loading tags...</div>}
      {tags.status === 'error' && <div className="muted">Tags are unavailable right now.</div>}
      {tags.status === 'done' &&
        (tags.data.length === 0 ? (
          <div className="muted">No tags yet.</div>
        ) : (
          <div className="tag-list">
            {tags.data.map((tag) => (
              <Link key={tag} to={`/tag/${encodeURIComponent(tag)}`} className="tag-pill tag-default">
                {tag}
              </Link>
            ))}
          </div>
        ))}
    </div>
  );
}
