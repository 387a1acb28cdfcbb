import { type FormEvent, useState } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import { api, describeError } from '../../api/index.js';
import { auth, useAuth } from '../../app/auth.js';
import { ErrorList } from '../../components/error-list.js';

export default function AuthPage({ mode }: { mode: 'login' | 'register' }) {
  const navigate = useNavigate();
  const { status } = useAuth();
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const isRegister = mode === 'register';

  if (status === 'authenticated') return <Navigate to="/" replace />;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => String(form.get(name) ?? '');
    setBusy(true);
    setErrors([]);
    try {
      const user = isRegister
        ? await api.register({
            username: field('username'),
            email: field('email'),
            password: field('password'),
          })
        : await api.login({ email: field('email'), password: field('password') });
      auth.signIn(user);
      navigate('/');
    } catch (error) {
      setErrors(describeError(error));
      setBusy(false);
    }
  }

  return (
    <div className="auth-page">
      <div className="container page">
        <div className="row">
          <div className="col-md-6 offset-md-3 col-xs-12">
            <h1 className="text-xs-center">{isRegister ? 'Sign up' : 'Sign in'}</h1>
            <p className="text-xs-center">
              {isRegister ? (
                <Link to="/login">Have an account?</Link>
              ) : (
                <Link to="/register">Need an account?</Link>
              )}
            </p>
            <ErrorList errors={errors} />
            <form onSubmit={submit}>
              <fieldset disabled={busy}>
                {isRegister && (
                  <fieldset className="form-group">
                    <input
                      className="form-control form-control-lg"
                      type="text"
                      name="username"
                      placeholder="Username"
                      aria-label="Username"
                      autoComplete="username"
                    />
                  </fieldset>
                )}
                <fieldset className="form-group">
                  <input
                    className="form-control form-control-lg"
                    type="text"
                    inputMode="email"
                    name="email"
                    placeholder="Email"
                    aria-label="Email"
                    autoComplete="email"
                  />
                </fieldset>
                <fieldset className="form-group">
                  <input
                    className="form-control form-control-lg"
                    type="password"
                    name="password"
                    placeholder="Password"
                    aria-label="Password"
                    autoComplete={isRegister ? 'new-password' : 'current-password'}
                  />
                </fieldset>
                <button className="btn btn-lg btn-primary pull-xs-right" type="submit">
                  {isRegister ? 'Sign up' : 'Sign in'}
                </button>
              </fieldset>
            </form>
          </div>
        </div>
      </div>
    </div>
  );
}
