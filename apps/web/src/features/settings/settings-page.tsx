import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, describeError, type UpdateUser } from '../../api/index.js';
import { auth, useAuth } from '../../app/auth.js';
import { ErrorList } from '../../components/error-list.js';

export default function SettingsPage() {
  const { user } = useAuth();
  const navigate = useNavigate();
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => String(form.get(name) ?? '');
    const update: UpdateUser = {
      image: field('image').trim() || null,
      username: field('username'),
      bio: field('bio'),
      email: field('email'),
    };
    // An empty password field means "keep my password", never "set it to nothing".
    if (field('password')) update.password = field('password');
    setBusy(true);
    setErrors([]);
    try {
      const updated = await api.updateUser(update);
      auth.signIn(updated);
      navigate(`/profile/${encodeURIComponent(updated.username)}`);
    } catch (error) {
      setErrors(describeError(error));
      setBusy(false);
    }
  }

  function logout() {
    auth.signOut();
    navigate('/');
  }

  return (
    <div className="settings-page">
      <div className="container page">
        <div className="row">
          <div className="col-md-6 offset-md-3 col-xs-12">
            <h1 className="text-xs-center">Your Settings</h1>
            <ErrorList errors={errors} />
            {/* Keyed by user, so the form fills in once the session has loaded. */}
            <form onSubmit={submit} key={user?.username ?? 'none'}>
              <fieldset disabled={busy}>
                <fieldset className="form-group">
                  <input
                    className="form-control"
                    type="text"
                    name="image"
                    placeholder="URL of profile picture"
                    aria-label="URL of profile picture"
                    defaultValue={user?.image ?? ''}
                  />
                </fieldset>
                <fieldset className="form-group">
                  <input
                    className="form-control form-control-lg"
                    type="text"
                    name="username"
                    placeholder="Your Name"
                    aria-label="Username"
                    autoComplete="username"
                    defaultValue={user?.username ?? ''}
                  />
                </fieldset>
                <fieldset className="form-group">
                  <textarea
                    className="form-control form-control-lg"
                    rows={8}
                    name="bio"
                    placeholder="Short bio about you"
                    aria-label="Short bio about you"
                    defaultValue={user?.bio ?? ''}
                  />
                </fieldset>
                <fieldset className="form-group">
                  <input
                    className="form-control form-control-lg"
                    type="text"
                    inputMode="email"
                    name="email"
                    placeholder="Email"
                    aria-label="Email"
                    autoComplete="email"
                    defaultValue={user?.email ?? ''}
                  />
                </fieldset>
                <fieldset className="form-group">
                  <input
                    className="form-control form-control-lg"
                    type="password"
                    name="password"
                    placeholder="New Password"
                    aria-label="New Password"
                    autoComplete="new-password"
                  />
                </fieldset>
                <button className="btn btn-lg btn-primary pull-xs-right" type="submit">
                  Update Settings
                </button>
              </fieldset>
            </form>
            <hr />
            <button className="btn btn-outline-danger" type="button" onClick={logout}>
              Or click here to logout.
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
