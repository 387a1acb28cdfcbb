import { messages } from '@conduit/contracts';
import { screen } from '@testing-library/preact';
import { Route } from 'react-router';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiStub, stubApi } from '../../../test/api-stub.js';
import { user } from '../../../test/fixtures.js';
import { renderAt } from '../../../test/render-page.js';
import { NETWORK_ERROR_MESSAGE } from '../../api/index.js';
import { auth } from '../../app/auth.js';
import { TOKEN_KEY } from '../../app/token-storage.js';
import AuthPage from './auth-page.js';

let api: ApiStub;
beforeEach(() => {
  api = stubApi();
});

// The app's routes to the two forms (app.tsx).
const visit = (path: '/login' | '/register') =>
  renderAt(path, [
    <Route key="login" path="/login" element={<AuthPage mode="login" />} />,
    <Route key="register" path="/register" element={<AuthPage mode="register" />} />,
  ]);

const field = (name: string) => document.querySelector<HTMLInputElement>(`input[name="${name}"]`);

/** The spec's error list, one message per item. */
async function errorList(): Promise<string[]> {
  const list = await screen.findByRole('alert');
  expect(list.matches('ul.error-messages')).toBe(true);
  return [...list.querySelectorAll('li')].map((li) => li.textContent ?? '');
}

describe('sign-in page', () => {
  it('shows the sign-in form and a link to sign up', () => {
    visit('/login');
    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Need an account?' }).getAttribute('href')).toBe('/register');
    expect(screen.getByRole('textbox', { name: 'Email' })).toBe(field('email'));
    expect(screen.getByLabelText('Password')).toBe(field('password'));
    expect(field('password')?.type).toBe('password');
    expect(field('username')).toBeNull();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('signs in with the typed credentials, keeps the token and goes home', async () => {
    api.ok('login', {}, { user: user('ann') });
    const { person } = visit('/login');
    await person.type(screen.getByRole('textbox', { name: 'Email' }), 'ann@example.com');
    await person.type(screen.getByLabelText('Password'), 'correct horse');
    await person.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Navigated to /' })).toBeTruthy();
    expect(api.seen('login', {})[0]?.body).toEqual({
      user: { email: 'ann@example.com', password: 'correct horse' },
    });
    expect(localStorage.getItem(TOKEN_KEY)).toBe('ann.jwt.token');
    expect(auth.getState()).toMatchObject({ status: 'authenticated', user: { username: 'ann' } });
  });

  it("lists the API's answer to wrong credentials and lets the user try again", async () => {
    api.fail('login', {}, 401, { credentials: [messages.credentialsInvalid] });
    const { person } = visit('/login');
    await person.type(screen.getByRole('textbox', { name: 'Email' }), 'ann@example.com');
    await person.type(screen.getByLabelText('Password'), 'wrong');
    await person.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await errorList()).toEqual(['credentials invalid']);
    expect(field('email')?.value).toBe('ann@example.com');
    // Enabled again (the whole form is one fieldset, disabled while the request runs).
    expect(screen.getByRole('button', { name: 'Sign in' }).matches(':disabled')).toBe(false);
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('says so when the API cannot be reached', async () => {
    api.unreachable('login', {});
    const { person } = visit('/login');
    await person.type(screen.getByRole('textbox', { name: 'Email' }), 'ann@example.com');
    await person.type(screen.getByLabelText('Password'), 'secret');
    await person.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await errorList()).toEqual([NETWORK_ERROR_MESSAGE]);
    expect(NETWORK_ERROR_MESSAGE).toMatch(/^Unable to connect/);
  });

  it('sends a signed-in user home', async () => {
    auth.signIn(user('ann'));
    visit('/login');
    expect(await screen.findByRole('heading', { name: 'Navigated to /' })).toBeTruthy();
  });
});

describe('sign-up page', () => {
  it('shows the sign-up form with a username and a link to sign in', () => {
    visit('/register');
    expect(screen.getByRole('heading', { level: 1, name: 'Sign up' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Have an account?' }).getAttribute('href')).toBe('/login');
    expect(screen.getByRole('textbox', { name: 'Username' })).toBe(field('username'));
    expect(screen.getByRole('textbox', { name: 'Email' })).toBe(field('email'));
    expect(field('password')?.type).toBe('password');
    expect(screen.getByRole('button', { name: 'Sign up' })).toBeTruthy();
  });

  it('lists every validation message of the API, one per line', async () => {
    api.fail('register', {}, 422, {
      username: [messages.blank],
      email: [messages.invalid],
      password: ['must NOT have fewer than 8 characters'],
    });
    const { person } = visit('/register');
    await person.type(screen.getByRole('textbox', { name: 'Email' }), 'not-an-email');
    await person.type(screen.getByLabelText('Password'), 'short');
    await person.click(screen.getByRole('button', { name: 'Sign up' }));

    expect(await errorList()).toEqual([
      "username can't be blank",
      'email is invalid',
      'password must NOT have fewer than 8 characters',
    ]);
    expect(api.seen('register', {})[0]?.body).toEqual({
      user: { username: '', email: 'not-an-email', password: 'short' },
    });
  });

  it('lists a taken username; the corrected attempt signs up and keeps the new token', async () => {
    api.fail('register', {}, 409, { username: [messages.taken] });
    const { person } = visit('/register');
    await person.type(screen.getByRole('textbox', { name: 'Username' }), 'ann');
    await person.type(screen.getByRole('textbox', { name: 'Email' }), 'ann@example.com');
    await person.type(screen.getByLabelText('Password'), 'long enough');
    await person.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(await errorList()).toEqual(['username has already been taken']);

    api.ok('register', {}, { user: user('ann2') });
    await person.type(screen.getByRole('textbox', { name: 'Username' }), '2');
    await person.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(await screen.findByRole('heading', { name: 'Navigated to /' })).toBeTruthy();
    expect(api.seen('register', {}).map((r) => r.body)).toEqual([
      { user: { username: 'ann', email: 'ann@example.com', password: 'long enough' } },
      { user: { username: 'ann2', email: 'ann@example.com', password: 'long enough' } },
    ]);
    expect(localStorage.getItem(TOKEN_KEY)).toBe('ann2.jwt.token');
  });
});
