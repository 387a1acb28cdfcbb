import { Link, NavLink, useParams, useSearchParams } from 'react-router';
import { ApiError, api } from '../../api/index.js';
import { useAuth } from '../../app/auth.js';
import { ArticleList } from '../../components/article-list.js';
import { Avatar } from '../../components/avatar.js';
import { FollowButton } from '../../components/follow-button.js';
import { Icon } from '../../components/icon.js';
import { parsePage } from '../../lib/pagination.js';
import { useAsync } from '../../lib/use-async.js';

export default function ProfilePage({ tab }: { tab: 'articles' | 'favorites' }) {
  const { username = '' } = useParams();
  const [search] = useSearchParams();
  const { user } = useAuth();
  const [profile, update] = useAsync(() => api.profile(username), username);
  const page = parsePage(search.get('page'));
  const base = `/profile/${encodeURIComponent(username)}`;

  if (profile.status !== 'done') {
    const notFound =
      profile.status === 'error' && profile.error instanceof ApiError && profile.error.status === 404;
    // Without a profile there is no .user-info: the page shell alone says where we are.
    return (
      <div className="profile-page">
        <div className="container page">
          <p className="profile-status">
            {profile.status === 'loading'
              ? 'Loading profile...'
              : notFound
                ? `There is no user called ${username}.`
                : 'This profile could not be loaded.'}
          </p>
        </div>
      </div>
    );
  }

  const person = profile.data;
  const listBase = tab === 'favorites' ? `${base}/favorites` : base;
  return (
    <div className="profile-page">
      <div className="user-info">
        <div className="container">
          <div className="row">
            <div className="col-xs-12 col-md-10 offset-md-1">
              <Avatar image={person.image} username={person.username} className="user-img" size={100} />
              <h4>{person.username}</h4>
              <p>{person.bio ?? ''}</p>
              {user?.username === person.username ? (
                <Link className="btn btn-sm btn-outline-secondary action-btn" to="/settings">
                  <Icon name="gear-a" />
                  &nbsp; Edit Profile Settings
                </Link>
              ) : (
                <FollowButton profile={person} onChange={(changed) => update(() => changed)} />
              )}
            </div>
          </div>
        </div>
      </div>
      <div className="container">
        <div className="row">
          <div className="col-xs-12 col-md-10 offset-md-1">
            <div className="articles-toggle">
              <ul className="nav nav-pills outline-active">
                <li className="nav-item">
                  <NavLink className="nav-link" to={base} end>
                    My Articles
                  </NavLink>
                </li>
                <li className="nav-item">
                  <NavLink className="nav-link" to={`${base}/favorites`}>
                    Favorited Articles
                  </NavLink>
                </li>
              </ul>
            </div>
            <ArticleList
              listKey={`${tab}:${person.username}`}
              page={page}
              base={listBase}
              load={(query) =>
                api.articles(
                  tab === 'favorites'
                    ? { ...query, favorited: person.username }
                    : { ...query, author: person.username },
                )
              }
              empty={tab === 'favorites' ? 'No favorited articles yet.' : 'No articles are here... yet.'}
            />
          </div>
        </div>
      </div>
    </div>
  );
}
