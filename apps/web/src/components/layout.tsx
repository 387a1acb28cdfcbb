import { Link, NavLink } from 'react-router';
import { useAuth } from '../app/auth.js';
import { Avatar } from './avatar.js';
import { Icon } from './icon.js';

export function Header() {
  const { status, user } = useAuth();
  return (
    <nav className="navbar navbar-light">
      <div className="container">
        <Link className="navbar-brand" to="/">
          conduit
        </Link>
        <ul className="nav navbar-nav pull-xs-right">
          <li className="nav-item">
            <NavLink className="nav-link" to="/" end>
              Home
            </NavLink>
          </li>
          {status === 'authenticated' && user ? (
            <>
              <li className="nav-item">
                <NavLink className="nav-link" to="/editor" end>
                  <Icon name="compose" />
                  &nbsp;New Article
                </NavLink>
              </li>
              <li className="nav-item">
                <NavLink className="nav-link" to="/settings">
                  <Icon name="gear-a" />
                  &nbsp;Settings
                </NavLink>
              </li>
              <li className="nav-item">
                <NavLink className="nav-link" to={`/profile/${encodeURIComponent(user.username)}`}>
                  <Avatar image={user.image} username="" className="user-pic" size={26} />
                  {user.username}
                </NavLink>
              </li>
            </>
          ) : status === 'unavailable' ? (
            <li className="nav-item">
              <span className="nav-link connecting" role="status">
                Connecting...
              </span>
            </li>
          ) : status === 'unauthenticated' ? (
            <>
              <li className="nav-item">
                <NavLink className="nav-link" to="/login">
                  Sign in
                </NavLink>
              </li>
              <li className="nav-item">
                <NavLink className="nav-link" to="/register">
                  Sign up
                </NavLink>
              </li>
            </>
          ) : null}
        </ul>
      </div>
    </nav>
  );
}

export function Footer() {
  return (
    <footer>
      <div className="container">
        <Link to="/" className="logo-font">
          conduit
        </Link>
        <span className="attribution">
          An interactive learning project. Code &amp; design licensed under MIT.
        </span>
      </div>
    </footer>
  );
}
