import { screen, within } from '@testing-library/preact';
import { Route } from 'react-router';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiStub, stubApi } from '../../../test/api-stub.js';
import { listItem, profile, user } from '../../../test/fixtures.js';
import { renderAt } from '../../../test/render-page.js';
import { auth } from '../../app/auth.js';
import HomePage from './home-page.js';

let api: ApiStub;
beforeEach(() => {
  api = stubApi();
});

// The app's routes to the home page (app.tsx).
const visit = (path: string) =>
  renderAt(path, [
    <Route key="home" path="/" element={<HomePage />} />,
    <Route key="tag" path="/tag/:tag" element={<HomePage />} />,
  ]);

const tab = (name: string) =>
  within(document.querySelector('.feed-toggle') as HTMLElement).getByRole('link', { name });
const firstPage = { limit: '10', offset: '0' };

describe('home page', () => {
  it('lists the global feed, each preview linking to its article and author, and the popular tags', async () => {
    api
      .ok(
        'listArticles',
        {},
        {
          articles: [
            listItem('how-to-train-your-dragon', {
              title: 'How to train your dragon',
              description: 'Ever wonder how?',
              tagList: ['dragons', 'training'],
              favoritesCount: 29,
              author: profile('ann', { image: 'https://img.example/ann.png' }),
            }),
            listItem('second', { title: 'Second article', author: profile('bob') }),
          ],
          articlesCount: 2,
        },
        firstPage,
      )
      .ok('getTags', {}, { tags: ['dragons', 'training'] });
    visit('/');

    const title = await screen.findByRole('heading', { name: 'How to train your dragon' });
    const preview = title.closest('.article-preview') as HTMLElement;
    expect(title.closest('a.preview-link')?.getAttribute('href')).toBe('/article/how-to-train-your-dragon');
    expect(within(preview).getByText('Ever wonder how?')).toBeTruthy();
    expect(within(preview).getByText('Read more...')).toBeTruthy();
    // The avatar and the name both lead to the author's profile.
    expect(
      within(preview)
        .getAllByRole('link', { name: 'ann' })
        .map((a) => a.getAttribute('href')),
    ).toEqual(['/profile/ann', '/profile/ann']);
    expect(within(preview).getByRole('img', { name: 'ann' }).getAttribute('src')).toBe(
      'https://img.example/ann.png',
    );
    expect(within(preview).getByText('March 5, 2024')).toBeTruthy();
    expect(within(preview).getByRole('button', { name: /^Favorite .*, 29 favorites$/ })).toBeTruthy();
    expect([...preview.querySelectorAll('.tag-list .tag-pill')].map((li) => li.textContent)).toEqual([
      'dragons',
      'training',
    ]);
    expect(screen.getAllByRole('heading', { level: 1 }).map((h) => h.textContent)).toEqual([
      'conduit',
      'How to train your dragon',
      'Second article',
    ]);

    const sidebar = document.querySelector('.sidebar') as HTMLElement;
    const tags = await within(sidebar).findAllByRole('link');
    expect(tags.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['dragons', '/tag/dragons'],
      ['training', '/tag/training'],
    ]);
    // A visitor has no feed of their own; two articles fit one page, so there is no pager.
    expect(tab('Global Feed').classList.contains('active')).toBe(true);
    expect(screen.queryByRole('link', { name: 'Your Feed' })).toBeNull();
    expect(screen.queryByRole('navigation', { name: 'Pages' })).toBeNull();
  });

  it('says there are no articles yet when the feed is empty', async () => {
    api.ok('listArticles', {}, { articles: [], articlesCount: 0 }).ok('getTags', {}, { tags: [] });
    visit('/');
    const empty = await screen.findByText('No articles are here... yet.');
    expect(empty.classList.contains('empty-feed-message')).toBe(true);
    expect(await screen.findByText('No tags yet.')).toBeTruthy();
    expect(document.querySelector('.article-preview')).toBeNull();
  });

  it('tells the reader when the articles or the tags cannot be loaded', async () => {
    api
      .fail('listArticles', {}, 500, { server: ['internal error'] })
      .fail('getTags', {}, 503, { server: ['database unavailable'] });
    visit('/');
    expect(await screen.findByText('Could not load articles. Please try again later.')).toBeTruthy();
    expect(await screen.findByText('Tags are unavailable right now.')).toBeTruthy();
    expect(screen.queryByText('No articles are here... yet.')).toBeNull();
  });

  it('shows a tag in its own tab and lists only the articles with that tag', async () => {
    api
      .ok(
        'listArticles',
        {},
        { articles: [listItem('tagged', { title: 'Tagged' })], articlesCount: 1 },
        {
          ...firstPage,
          tag: 'dragons',
        },
      )
      .ok('getTags', {}, { tags: ['dragons'] });
    visit('/tag/dragons');
    expect(await screen.findByRole('heading', { name: 'Tagged' })).toBeTruthy();
    expect(tab('dragons').classList.contains('active')).toBe(true);
    expect(tab('Global Feed').classList.contains('active')).toBe(false);
    expect(tab('Global Feed').getAttribute('href')).toBe('/');
  });

  it('pages through a long feed: page N asks for the Nth ten articles and marks N active', async () => {
    const articles = Array.from({ length: 10 }, (_, i) => listItem(`article-${11 + i}`));
    api
      .ok('listArticles', {}, { articles, articlesCount: 25 }, { limit: '10', offset: '10' })
      .ok('getTags', {}, { tags: [] });
    visit('/?page=2');
    expect(await screen.findAllByRole('heading', { name: /^Title of article-/ })).toHaveLength(10);
    const pager = screen.getByRole('navigation', { name: 'Pages' });
    const pages = within(pager).getAllByRole('link');
    expect(pages.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['1', '/'],
      ['2', '/?page=2'],
      ['3', '/?page=3'],
    ]);
    expect(pager.querySelector('.page-item.active')?.textContent).toBe('2');
  });

  it("gives a signed-in reader Your Feed: the followed authors' articles, fetched with their token", async () => {
    auth.signIn(user('ann'));
    api.ok('getFeed', {}, { articles: [], articlesCount: 0 }, firstPage).ok('getTags', {}, { tags: [] });
    visit('/?feed=following');
    const empty = await screen.findByText(/Your feed is empty\. Follow some authors/);
    expect(within(empty).getByRole('link', { name: 'Global Feed' }).getAttribute('href')).toBe('/');
    expect(tab('Your Feed').classList.contains('active')).toBe(true);
    expect(api.seen('getFeed', {})[0]?.authorization).toBe('Token ann.jwt.token');
  });

  it('favorites an article from its preview: the button fills and counts the new favorite', async () => {
    auth.signIn(user('ann'));
    const item = listItem('liked', { title: 'Liked', favoritesCount: 29 });
    api
      .ok('listArticles', {}, { articles: [item], articlesCount: 1 })
      .ok('getTags', {}, { tags: [] })
      .ok(
        'favoriteArticle',
        { slug: 'liked' },
        { article: { ...item, body: 'b', favorited: true, favoritesCount: 30 } },
      );
    const { person } = visit('/');
    const favorite = await screen.findByRole('button', { name: 'Favorite "Liked", 29 favorites' });
    expect(favorite.classList.contains('btn-outline-primary')).toBe(true);
    await person.click(favorite);

    const unfavorite = await screen.findByRole('button', { name: 'Unfavorite "Liked", 30 favorites' });
    expect(unfavorite.classList.contains('btn-primary')).toBe(true);
    expect(unfavorite.textContent?.trim()).toBe('30');
  });

  it('sends a visitor who favorites a preview to sign in', async () => {
    api
      .ok('listArticles', {}, { articles: [listItem('liked', { title: 'Liked' })], articlesCount: 1 })
      .ok('getTags', {}, { tags: [] });
    const { person } = visit('/');
    await person.click(await screen.findByRole('button', { name: /^Favorite "Liked"/ }));
    expect(await screen.findByRole('heading', { name: 'Navigated to /login' })).toBeTruthy();
    expect(api.seen('favoriteArticle', { slug: 'liked' })).toEqual([]);
  });

  it('sends a visitor who asks for Your Feed to sign in', async () => {
    visit('/?feed=following');
    expect(await screen.findByRole('heading', { name: 'Navigated to /login' })).toBeTruthy();
    expect(api.seen('getFeed', {})).toEqual([]);
  });
});
