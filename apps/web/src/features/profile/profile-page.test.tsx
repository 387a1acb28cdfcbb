import { messages } from '@conduit/contracts';
import { screen, waitFor, within } from '@testing-library/preact';
import { Route } from 'react-router';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiStub, stubApi } from '../../../test/api-stub.js';
import { listItem, profile, user } from '../../../test/fixtures.js';
import { renderAt } from '../../../test/render-page.js';
import { auth } from '../../app/auth.js';
import ProfilePage from './profile-page.js';

let api: ApiStub;
beforeEach(() => {
  api = stubApi();
});

// The app's routes to the two tabs (app.tsx).
const visit = (path: string) =>
  renderAt(path, [
    <Route key="articles" path="/profile/:username" element={<ProfilePage tab="articles" />} />,
    <Route key="favorites" path="/profile/:username/favorites" element={<ProfilePage tab="favorites" />} />,
  ]);

const jake = profile('jake', { bio: 'I work at statefarm', image: 'https://img.example/jake.png' });
const firstPage = { limit: '10', offset: '0' };
const titles = () => [...document.querySelectorAll('.article-preview h1')].map((h) => h.textContent);
const tab = (name: string) =>
  within(document.querySelector('.articles-toggle') as HTMLElement).getByRole('link', { name });

describe('profile page', () => {
  it("shows the user's picture, name and bio, and lists their articles in My Articles", async () => {
    api
      .ok('getProfile', { username: 'jake' }, { profile: jake })
      .ok(
        'listArticles',
        {},
        { articles: [listItem('mine', { title: 'My dragon', author: jake })], articlesCount: 1 },
        { ...firstPage, author: 'jake' },
      );
    visit('/profile/jake');

    const info = (await screen.findByRole('heading', { level: 4, name: 'jake' })).closest('.user-info');
    expect(info).not.toBeNull();
    expect(within(info as HTMLElement).getByText('I work at statefarm')).toBeTruthy();
    expect(info?.querySelector('img.user-img')?.getAttribute('src')).toBe('https://img.example/jake.png');
    expect(within(info as HTMLElement).getByRole('button', { name: /Follow jake/ })).toBeTruthy();

    await waitFor(() => expect(titles()).toEqual(['My dragon']));
    expect(tab('My Articles').classList.contains('active')).toBe(true);
    expect(tab('Favorited Articles').classList.contains('active')).toBe(false);
    expect(tab('Favorited Articles').getAttribute('href')).toBe('/profile/jake/favorites');
  });

  it('lists the articles the user favorited in the Favorited Articles tab', async () => {
    api.ok('getProfile', { username: 'jake' }, { profile: jake }).ok(
      'listArticles',
      {},
      {
        articles: [listItem('theirs', { title: 'Their dragon', author: profile('ann') })],
        articlesCount: 1,
      },
      { ...firstPage, favorited: 'jake' },
    );
    visit('/profile/jake/favorites');

    await waitFor(() => expect(titles()).toEqual(['Their dragon']));
    expect(tab('Favorited Articles').classList.contains('active')).toBe(true);
    expect(tab('My Articles').classList.contains('active')).toBe(false);
    expect(tab('My Articles').getAttribute('href')).toBe('/profile/jake');
  });

  it('switches from My Articles to Favorited Articles when the tab is clicked', async () => {
    api
      .ok('getProfile', { username: 'jake' }, { profile: jake })
      .ok('listArticles', {}, { articles: [], articlesCount: 0 }, { ...firstPage, author: 'jake' })
      .ok(
        'listArticles',
        {},
        { articles: [listItem('liked', { title: 'Liked one' })], articlesCount: 1 },
        { ...firstPage, favorited: 'jake' },
      );
    const { person } = visit('/profile/jake');
    await screen.findByText('No articles are here... yet.');
    await person.click(tab('Favorited Articles'));
    await waitFor(() => expect(titles()).toEqual(['Liked one']));
    expect(tab('Favorited Articles').classList.contains('active')).toBe(true);
  });

  it('says when a user has written nothing yet, and shows the default avatar for no picture', async () => {
    api
      .ok('getProfile', { username: 'jake' }, { profile: profile('jake') })
      .ok('listArticles', {}, { articles: [], articlesCount: 0 }, { author: 'jake' });
    visit('/profile/jake');
    const empty = await screen.findByText('No articles are here... yet.');
    expect(empty.classList.contains('empty-feed-message')).toBe(true);
    expect(document.querySelector('img.user-img')?.getAttribute('src')).toContain('default-avatar.svg');
  });

  it('says when a user has favorited nothing yet', async () => {
    api
      .ok('getProfile', { username: 'jake' }, { profile: jake })
      .ok('listArticles', {}, { articles: [], articlesCount: 0 }, { favorited: 'jake' });
    visit('/profile/jake/favorites');
    const empty = await screen.findByText('No favorited articles yet.');
    expect(empty.classList.contains('empty-feed-message')).toBe(true);
  });

  it('sends a visitor who follows the user to sign in', async () => {
    api
      .ok('getProfile', { username: 'jake' }, { profile: jake })
      .ok('listArticles', {}, { articles: [], articlesCount: 0 });
    const { person } = visit('/profile/jake');
    await person.click(await screen.findByRole('button', { name: /Follow jake/ }));
    expect(await screen.findByRole('heading', { name: 'Navigated to /login' })).toBeTruthy();
  });

  it('pages through the favorited articles, keeping the tab in the page links', async () => {
    api
      .ok('getProfile', { username: 'jake' }, { profile: jake })
      .ok(
        'listArticles',
        {},
        { articles: [listItem('eleventh')], articlesCount: 11 },
        { limit: '10', offset: '10', favorited: 'jake' },
      );
    visit('/profile/jake/favorites?page=2');
    const pager = await screen.findByRole('navigation', { name: 'Pages' });
    expect(
      within(pager)
        .getAllByRole('link')
        .map((a) => a.getAttribute('href')),
    ).toEqual(['/profile/jake/favorites', '/profile/jake/favorites?page=2']);
    expect(pager.querySelector('.page-item.active')?.textContent).toBe('2');
  });

  it('says there is no such user for an unknown username', async () => {
    api.fail('getProfile', { username: 'nobody' }, 404, { profile: [messages.notFound] });
    visit('/profile/nobody');
    expect(await screen.findByText('There is no user called nobody.')).toBeTruthy();
    expect(document.querySelector('.user-info')).toBeNull();
  });

  it('says the profile could not be loaded when the API fails', async () => {
    api.fail('getProfile', { username: 'jake' }, 500, { server: ['internal error'] });
    visit('/profile/jake');
    expect(await screen.findByText('This profile could not be loaded.')).toBeTruthy();
  });
});

describe('profile page, signed in', () => {
  it('follows the user: the button turns to Unfollow', async () => {
    auth.signIn(user('ann'));
    api
      .ok('getProfile', { username: 'jake' }, { profile: jake })
      .ok('listArticles', {}, { articles: [], articlesCount: 0 })
      .ok('followUser', { username: 'jake' }, { profile: { ...jake, following: true } });
    const { person } = visit('/profile/jake');
    await person.click(await screen.findByRole('button', { name: /Follow jake/ }));
    expect(await screen.findByRole('button', { name: /Unfollow jake/ })).toBeTruthy();
    expect(api.seen('followUser', { username: 'jake' })[0]?.authorization).toBe('Token ann.jwt.token');
  });

  it('offers their own settings instead of a follow button', async () => {
    auth.signIn(user('jake'));
    api
      .ok('getProfile', { username: 'jake' }, { profile: jake })
      .ok('listArticles', {}, { articles: [], articlesCount: 0 });
    visit('/profile/jake');
    const settings = await screen.findByRole('link', { name: /Edit Profile Settings/ });
    expect(settings.getAttribute('href')).toBe('/settings');
    expect(screen.queryByRole('button', { name: /Follow/ })).toBeNull();
  });
});
