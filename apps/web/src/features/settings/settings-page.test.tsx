import { messages } from '@conduit/contracts';
import { screen, waitFor } from '@testing-library/preact';
import { Route } from 'react-router';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiStub, stubApi } from '../../../test/api-stub.js';
import { user } from '../../../test/fixtures.js';
import { renderAt } from '../../../test/render-page.js';
import { auth } from '../../app/auth.js';
import { TOKEN_KEY } from '../../app/token-storage.js';
import SettingsPage from './settings-page.js';

let api: ApiStub;
beforeEach(() => {
  api = stubApi();
});

const visit = () => renderAt('/settings', <Route path="/settings" element={<SettingsPage />} />);

const ann = user('ann', { bio: 'I like dragons', image: 'https://img.example/ann.png' });
// Textareas carry `value` as inputs do.
const field = (name: string) => document.querySelector(`[name="${name}"]`) as HTMLInputElement;
const update = () => screen.getByRole('button', { name: 'Update Settings' });

async function errorList(): Promise<string[]> {
  const list = await screen.findByRole('alert');
  expect(list.matches('ul.error-messages')).toBe(true);
  return [...list.querySelectorAll('li')].map((li) => li.textContent ?? '');
}

describe('settings page', () => {
  it("fills the form with the signed-in user's settings, leaving the password blank", () => {
    auth.signIn(ann);
    visit();
    expect(screen.getByRole('heading', { level: 1, name: 'Your Settings' })).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'URL of profile picture' })).toBe(field('image'));
    expect(field('image').value).toBe('https://img.example/ann.png');
    expect(screen.getByRole('textbox', { name: 'Username' })).toBe(field('username'));
    expect(field('username').value).toBe('ann');
    expect(screen.getByRole('textbox', { name: 'Short bio about you' })).toBe(field('bio'));
    expect(field('bio').value).toBe('I like dragons');
    expect(field('email').value).toBe('ann@example.com');
    expect(field('password').value).toBe('');
    expect(field('password').type).toBe('password');
    expect(screen.getByRole('button', { name: 'Or click here to logout.' })).toBeTruthy();
  });

  it('fills the form in once a stored session has been restored', async () => {
    localStorage.setItem(TOKEN_KEY, 'ann.jwt.token');
    api.ok('getCurrentUser', {}, { user: ann });
    visit();
    expect(field('username').value).toBe('');
    await auth.init();
    await waitFor(() => expect(field('username').value).toBe('ann'));
    expect(field('bio').value).toBe('I like dragons');
  });

  it("saves the changes, keeps the API's new token and opens the user's profile", async () => {
    auth.signIn(ann);
    api.ok('updateCurrentUser', {}, { user: { ...ann, username: 'ann2', token: 'fresh.jwt.token' } });
    const { person } = visit();
    await person.clear(field('username'));
    await person.type(field('username'), 'ann2');
    await person.click(update());

    expect(await screen.findByRole('heading', { name: 'Navigated to /profile/ann2' })).toBeTruthy();
    // An empty password box means "keep my password": it is not sent.
    expect(api.seen('updateCurrentUser', {})[0]?.body).toEqual({
      user: {
        image: 'https://img.example/ann.png',
        username: 'ann2',
        bio: 'I like dragons',
        email: 'ann@example.com',
      },
    });
    expect(localStorage.getItem(TOKEN_KEY)).toBe('fresh.jwt.token');
    expect(auth.getState().user?.username).toBe('ann2');
  });

  it('sends a new password when one is typed, and a cleared picture as null', async () => {
    auth.signIn(ann);
    api.ok('updateCurrentUser', {}, { user: { ...ann, image: null } });
    const { person } = visit();
    await person.clear(field('image'));
    await person.type(field('password'), 'a new passphrase');
    await person.click(update());

    await screen.findByRole('heading', { name: 'Navigated to /profile/ann' });
    expect(api.seen('updateCurrentUser', {})[0]?.body).toMatchObject({
      user: { image: null, password: 'a new passphrase' },
    });
  });

  it("lists the API's validation messages and keeps the form as typed", async () => {
    auth.signIn(ann);
    api.fail('updateCurrentUser', {}, 422, { email: [messages.invalid], username: [messages.blank] });
    const { person } = visit();
    await person.clear(field('email'));
    await person.type(field('email'), 'no-at-sign');
    await person.clear(field('username'));
    await person.click(update());

    expect(await errorList()).toEqual(['email is invalid', "username can't be blank"]);
    expect(field('email').value).toBe('no-at-sign');
    expect(update().matches(':disabled')).toBe(false);
    expect(auth.getState().user?.username).toBe('ann');
  });

  it('lists a username that is already taken', async () => {
    auth.signIn(ann);
    api.fail('updateCurrentUser', {}, 409, { username: [messages.taken] });
    const { person } = visit();
    await person.click(update());
    expect(await errorList()).toEqual(['username has already been taken']);
  });

  it('signs out from the logout button: the token is gone and the user is sent home', async () => {
    auth.signIn(ann);
    const { person } = visit();
    await person.click(screen.getByRole('button', { name: 'Or click here to logout.' }));
    expect(await screen.findByRole('heading', { name: 'Navigated to /' })).toBeTruthy();
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(auth.getState()).toEqual({ status: 'unauthenticated', user: null });
  });
});
