import { messages } from '@conduit/contracts';
import { screen, waitFor, within } from '@testing-library/preact';
import { Route } from 'react-router';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiStub, stubApi } from '../../../test/api-stub.js';
import { article, profile, user } from '../../../test/fixtures.js';
import { renderAt } from '../../../test/render-page.js';
import { auth } from '../../app/auth.js';
import EditorPage from './editor-page.js';

let api: ApiStub;
beforeEach(() => {
  api = stubApi();
  // The app lets only signed-in users reach the editor (RequireAuth in app.tsx).
  auth.signIn(user('jake'));
});

const visit = (path: string) =>
  renderAt(path, [
    <Route key="new" path="/editor" element={<EditorPage />} />,
    <Route key="edit" path="/editor/:slug" element={<EditorPage />} />,
  ]);

const title = () => screen.getByRole('textbox', { name: 'Article Title' }) as HTMLInputElement;
const description = () =>
  screen.getByRole('textbox', { name: "What's this article about?" }) as HTMLInputElement;
const body = () =>
  screen.getByRole('textbox', { name: 'Write your article (in markdown)' }) as HTMLTextAreaElement;
const tagInput = () => screen.getByRole('textbox', { name: 'Enter tags' }) as HTMLInputElement;
const publish = () => screen.getByRole('button', { name: 'Publish Article' });
const tagPills = () => [...document.querySelectorAll('.tag-list .tag-pill')].map((pill) => pill.textContent);

async function errorList(): Promise<string[]> {
  const list = await screen.findByRole('alert');
  expect(list.matches('ul.error-messages')).toBe(true);
  return [...list.querySelectorAll('li')].map((li) => li.textContent ?? '');
}

describe('editor: new article', () => {
  it('starts blank, with the fields the spec names', () => {
    visit('/editor');
    expect(title().name).toBe('title');
    expect(description().name).toBe('description');
    expect(body().name).toBe('body');
    for (const input of [title(), description(), body(), tagInput()]) expect(input.value).toBe('');
    expect(publish().matches(':disabled')).toBe(false);
    expect(tagPills()).toEqual([]);
  });

  it('collects tags from Enter and commas without submitting, and removes one on request', async () => {
    const { person } = visit('/editor');
    await person.type(tagInput(), 'dragons{Enter}');
    await person.type(tagInput(), 'training,');
    await person.type(tagInput(), 'dragons{Enter}');
    expect(tagPills()).toEqual(['dragons', 'training']);
    expect(tagInput().value).toBe('');

    await person.click(screen.getByRole('button', { name: 'Remove tag dragons' }));
    expect(tagPills()).toEqual(['training']);
    expect(api.requests).toEqual([]);
  });

  it('publishes what was typed, with the tag still in the box, and opens the new article', async () => {
    api.ok('createArticle', {}, { article: article('how-to-train-your-dragon') });
    const { person } = visit('/editor');
    await person.type(title(), 'How to train your dragon');
    await person.type(description(), 'Ever wonder how?');
    await person.type(body(), 'You have to believe');
    await person.type(tagInput(), 'dragons{Enter}training');
    await person.click(publish());

    expect(
      await screen.findByRole('heading', { name: 'Navigated to /article/how-to-train-your-dragon' }),
    ).toBeTruthy();
    const [request] = api.seen('createArticle', {});
    expect(request?.body).toEqual({
      article: {
        title: 'How to train your dragon',
        description: 'Ever wonder how?',
        body: 'You have to believe',
        tagList: ['dragons', 'training'],
      },
    });
    expect(request?.authorization).toBe('Token jake.jwt.token');
  });

  it("lists the API's validation messages and keeps what was typed", async () => {
    api.fail('createArticle', {}, 422, { title: [messages.blank], body: [messages.blank] });
    const { person } = visit('/editor');
    await person.type(description(), 'Only a description');
    await person.click(publish());

    expect(await errorList()).toEqual(["title can't be blank", "body can't be blank"]);
    expect(description().value).toBe('Only a description');
    expect(publish().matches(':disabled')).toBe(false);
  });
});

describe('editor: existing article', () => {
  const existing = article('how-to-train-your-dragon', {
    title: 'How to train your dragon',
    description: 'Ever wonder how?',
    body: 'You have to believe',
    tagList: ['dragons'],
    author: profile('jake'),
  });

  it('loads the article into the form and saves the changes', async () => {
    api
      .ok('getArticle', { slug: existing.slug }, { article: existing })
      .ok('updateArticle', { slug: existing.slug }, { article: { ...existing, title: 'Training dragons' } });
    const { person } = visit(`/editor/${existing.slug}`);

    await waitFor(() => expect(title().value).toBe('How to train your dragon'));
    expect(description().value).toBe('Ever wonder how?');
    expect(body().value).toBe('You have to believe');
    expect(tagPills()).toEqual(['dragons']);

    await person.clear(title());
    await person.type(title(), 'Training dragons');
    await person.click(publish());

    expect(
      await screen.findByRole('heading', { name: `Navigated to /article/${existing.slug}` }),
    ).toBeTruthy();
    expect(api.seen('updateArticle', { slug: existing.slug })[0]?.body).toEqual({
      article: {
        title: 'Training dragons',
        description: 'Ever wonder how?',
        body: 'You have to believe',
        tagList: ['dragons'],
      },
    });
  });

  it('keeps the form disabled until the article has loaded', async () => {
    api.ok('getArticle', { slug: existing.slug }, { article: existing });
    visit(`/editor/${existing.slug}`);
    expect(publish().matches(':disabled')).toBe(true);
    await waitFor(() => expect(publish().matches(':disabled')).toBe(false));
  });

  it('says so when the article does not exist', async () => {
    api.fail('getArticle', { slug: 'gone' }, 404, { article: [messages.notFound] });
    visit('/editor/gone');
    expect(await errorList()).toEqual(['article not found']);
    expect(title().value).toBe('');
  });

  it("lists the API's refusal to save someone else's article", async () => {
    api
      .ok('getArticle', { slug: existing.slug }, { article: existing })
      .fail('updateArticle', { slug: existing.slug }, 403, { article: [messages.forbidden] });
    const { person } = visit(`/editor/${existing.slug}`);
    await waitFor(() => expect(publish().matches(':disabled')).toBe(false));
    await person.click(publish());
    expect(await errorList()).toEqual(['article forbidden']);
    expect(within(document.body).queryByRole('heading', { name: /^Navigated to/ })).toBeNull();
  });
});
