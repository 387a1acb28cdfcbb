import { messages } from '@conduit/contracts';
import { screen, waitFor, within } from '@testing-library/preact';
import { Route } from 'react-router';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiStub, stubApi } from '../../../test/api-stub.js';
import { article, comment, profile, user } from '../../../test/fixtures.js';
import { renderAt } from '../../../test/render-page.js';
import { auth } from '../../app/auth.js';
import ArticlePage from './article-page.js';

let api: ApiStub;
beforeEach(() => {
  api = stubApi();
});

const visit = (slug: string) =>
  renderAt(`/article/${slug}`, <Route path="/article/:slug" element={<ArticlePage />} />);

const dragon = article('how-to-train-your-dragon', {
  title: 'How to train your dragon',
  body: '## Why\n\nBecause **dragons** are *great*.',
  tagList: ['dragons', 'training'],
  favoritesCount: 3,
  author: profile('jake', { image: 'https://img.example/jake.png' }),
});
const slug = { slug: dragon.slug };
const fromAnn = comment(1, 'Thank you so much!', profile('ann'));
const fromJake = comment(2, 'You are welcome.', profile('jake'));

/** The posted comments, as the selectors contract finds them. */
const commentTexts = () =>
  [...document.querySelectorAll('.card:not(.comment-form) .card-block')].map((c) => c.textContent);

async function errorList(): Promise<string[]> {
  const list = await screen.findByRole('alert');
  expect(list.matches('ul.error-messages')).toBe(true);
  return [...list.querySelectorAll('li')].map((li) => li.textContent ?? '');
}

describe('article page', () => {
  it('shows the article, its rendered markdown, tags, author and comments to a visitor', async () => {
    api
      .ok('getArticle', slug, { article: dragon })
      .ok('getComments', slug, { comments: [fromAnn, fromJake] });
    visit(dragon.slug);

    expect(await screen.findByRole('heading', { level: 1, name: 'How to train your dragon' })).toBeTruthy();
    const content = document.querySelector('.article-content') as HTMLElement;
    expect(within(content).getByRole('heading', { level: 2, name: 'Why' })).toBeTruthy();
    expect(within(content).getByText('dragons', { selector: 'strong' })).toBeTruthy();
    expect([...content.querySelectorAll('.tag-list .tag-pill')].map((t) => t.textContent)).toEqual([
      'dragons',
      'training',
    ]);

    // The banner and the actions below the body both carry the article meta.
    const metas = [...document.querySelectorAll<HTMLElement>('.article-meta')];
    expect(metas).toHaveLength(2);
    for (const meta of metas) {
      expect(meta.querySelector('a.author')?.textContent).toBe('jake');
      expect(
        within(meta)
          .getAllByRole('link', { name: 'jake' })
          .map((a) => a.getAttribute('href')),
      ).toEqual(['/profile/jake', '/profile/jake']);
      expect(within(meta).getByRole('img', { name: 'jake' }).getAttribute('src')).toBe(
        'https://img.example/jake.png',
      );
      expect(within(meta).getByText('March 5, 2024')).toBeTruthy();
      expect(within(meta).getByRole('button', { name: /Follow jake/ })).toBeTruthy();
      const favorite = within(meta).getByRole('button', { name: /Favorite Article \(3\)/ });
      expect(favorite.classList.contains('btn-outline-primary')).toBe(true);
      expect(within(meta).queryByRole('link', { name: /Edit Article/ })).toBeNull();
    }

    await waitFor(() => expect(commentTexts()).toEqual(['Thank you so much!', 'You are welcome.']));
    const card = screen.getByText('Thank you so much!').closest('.card') as HTMLElement;
    expect(within(card).getAllByRole('link', { name: 'ann' })[0]?.getAttribute('href')).toBe('/profile/ann');
    expect(card.querySelector('img.comment-author-img')?.getAttribute('src')).toBe('/default-avatar.svg');
    expect(document.querySelector('.mod-options')).toBeNull();

    // Visitors are asked to sign in instead of getting a comment form.
    expect(document.querySelector('.comment-form')).toBeNull();
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/login');
    expect(screen.getByRole('link', { name: 'sign up' }).getAttribute('href')).toBe('/register');
  });

  it('says the article was not found for an unknown slug', async () => {
    api.fail('getArticle', { slug: 'no-such-article' }, 404, { article: [messages.notFound] });
    visit('no-such-article');
    expect(await screen.findByRole('heading', { level: 1, name: 'Article not found' })).toBeTruthy();
    expect(api.seen('getComments', { slug: 'no-such-article' })).toEqual([]);
  });

  it('says the article could not be loaded when the API fails', async () => {
    api.fail('getArticle', slug, 503, { server: ['database unavailable'] });
    visit(dragon.slug);
    expect(
      await screen.findByRole('heading', { level: 1, name: 'This article could not be loaded' }),
    ).toBeTruthy();
  });

  it('keeps the article readable when its comments cannot be loaded', async () => {
    api
      .ok('getArticle', slug, { article: dragon })
      .fail('getComments', slug, 500, { server: ['internal error'] });
    const answer = api.hold('getComments', slug);
    visit(dragon.slug);
    expect(await screen.findByRole('heading', { level: 1, name: 'How to train your dragon' })).toBeTruthy();
    // While the comments load nothing is said about them; their failure is said once it comes.
    expect(screen.queryByText('Comments could not be loaded.')).toBeNull();
    answer();
    expect(await screen.findByText('Comments could not be loaded.')).toBeTruthy();
  });

  it('sends a visitor who favorites the article to sign in', async () => {
    api.ok('getArticle', slug, { article: dragon }).ok('getComments', slug, { comments: [] });
    const { person } = visit(dragon.slug);
    const [favorite] = await screen.findAllByRole('button', { name: /Favorite Article/ });
    await person.click(favorite as HTMLElement);
    expect(await screen.findByRole('heading', { name: 'Navigated to /login' })).toBeTruthy();
  });
});

describe('article page, signed in', () => {
  beforeEach(() => {
    auth.signIn(user('ann'));
  });

  it('posts a comment from the form and shows it first', async () => {
    const posted = comment(3, 'Great read.', profile('ann'));
    api
      .ok('getArticle', slug, { article: dragon })
      .ok('getComments', slug, { comments: [fromJake] })
      .ok('createComment', slug, { comment: posted });
    const { person } = visit(dragon.slug);

    const box = await screen.findByPlaceholderText('Write a comment...');
    expect(box.closest('form')?.matches('.card.comment-form')).toBe(true);
    expect(screen.queryByRole('link', { name: 'Sign in' })).toBeNull();
    await waitFor(() => expect(commentTexts()).toEqual(['You are welcome.']));

    await person.type(box, 'Great read.');
    await person.click(screen.getByRole('button', { name: 'Post Comment' }));

    await waitFor(() => expect(commentTexts()).toEqual(['Great read.', 'You are welcome.']));
    expect((box as HTMLTextAreaElement).value).toBe('');
    expect(api.seen('createComment', slug)[0]?.body).toEqual({ comment: { body: 'Great read.' } });
  });

  it("lists the API's refusal of a comment and keeps the text", async () => {
    api
      .ok('getArticle', slug, { article: dragon })
      .ok('getComments', slug, { comments: [] })
      .fail('createComment', slug, 422, { body: ['must NOT have more than 10000 characters'] });
    const { person } = visit(dragon.slug);
    const box = await screen.findByPlaceholderText('Write a comment...');
    await person.type(box, 'Too long, as it happens');
    await person.click(screen.getByRole('button', { name: 'Post Comment' }));

    expect(await errorList()).toEqual(['body must NOT have more than 10000 characters']);
    expect((box as HTMLTextAreaElement).value).toBe('Too long, as it happens');
    expect(commentTexts()).toEqual([]);
  });

  it('favorites the article: the button turns to Unfavorite with the new count', async () => {
    api
      .ok('getArticle', slug, { article: dragon })
      .ok('getComments', slug, { comments: [] })
      .ok('favoriteArticle', slug, { article: { ...dragon, favorited: true, favoritesCount: 4 } });
    const { person } = visit(dragon.slug);
    const [favorite] = await screen.findAllByRole('button', { name: /Favorite Article \(3\)/ });
    await person.click(favorite as HTMLElement);

    const unfavorite = await screen.findAllByRole('button', { name: /Unfavorite Article \(4\)/ });
    expect(unfavorite).toHaveLength(2);
    expect(unfavorite.every((button) => button.classList.contains('btn-primary'))).toBe(true);
  });
});

describe('article page, by its author', () => {
  beforeEach(() => {
    auth.signIn(user('jake'));
  });

  it('offers Edit and Delete instead of Follow and Favorite, and deleting goes home', async () => {
    api
      .ok('getArticle', slug, { article: dragon })
      .ok('getComments', slug, { comments: [] })
      .ok('deleteArticle', slug, undefined);
    const { person } = visit(dragon.slug);

    const edits = await screen.findAllByRole('link', { name: /Edit Article/ });
    expect(edits.map((a) => a.getAttribute('href'))).toEqual([
      `/editor/${dragon.slug}`,
      `/editor/${dragon.slug}`,
    ]);
    expect(screen.queryByRole('button', { name: /Follow/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Favorite/ })).toBeNull();

    const [remove] = screen.getAllByRole('button', { name: /Delete Article/ });
    await person.click(remove as HTMLElement);
    expect(await screen.findByRole('heading', { name: 'Navigated to /' })).toBeTruthy();
    expect(api.seen('deleteArticle', slug)).toHaveLength(1);
  });

  it('deletes only their own comments, from the trash icon', async () => {
    api
      .ok('getArticle', slug, { article: dragon })
      .ok('getComments', slug, { comments: [fromAnn, fromJake] })
      .ok('deleteComment', { slug: dragon.slug, id: fromJake.id }, undefined);
    const { person } = visit(dragon.slug);
    await waitFor(() => expect(commentTexts()).toEqual(['Thank you so much!', 'You are welcome.']));

    const trash = document.querySelectorAll('.mod-options .ion-trash-a');
    expect(trash).toHaveLength(1);
    await person.click(screen.getByRole('button', { name: 'Delete comment' }));
    await waitFor(() => expect(commentTexts()).toEqual(['Thank you so much!']));
    expect(api.seen('deleteComment', { slug: dragon.slug, id: fromJake.id })).toHaveLength(1);
  });
});
