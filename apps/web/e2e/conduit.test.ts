import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seed, unique } from './api.js';
import { REPORTS, type Stack, startStack } from './stack.js';

let stack: Stack;
let data: ReturnType<typeof seed>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startStack();
  data = seed(stack.baseUrl);
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});
afterAll(async () => {
  await stack?.stop();
});

async function open(path = '/', token?: string): Promise<Page> {
  const { context, page } = await stack.newPage();
  contexts.push(context);
  if (token) {
    await page.goto('/login');
    await page.evaluate((value) => localStorage.setItem('jwtToken', value), token);
  }
  await page.goto(path);
  return page;
}

const debug = (page: Page) =>
  page.evaluate(() => ({
    state: window.__conduit_debug__?.getAuthState(),
    token: window.__conduit_debug__?.getToken(),
    user: window.__conduit_debug__?.getCurrentUser()?.username,
  }));

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();
const waitVisible = (page: Page, selector: string) =>
  page.locator(selector).first().waitFor({ state: 'visible' });

describe('Conduit in real Chromium against the real API and PostgreSQL', () => {
  it('registers a new user, who lands signed in on the home page', async () => {
    const name = unique('reg');
    const page = await open('/register');
    expect(await text(page, 'h1')).toBe('Sign up');
    await page.fill('input[name="username"]', name);
    await page.fill('input[name="email"]', `${name}@example.com`);
    await page.fill('input[name="password"]', 'a long enough password');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${stack.baseUrl}/`);
    await waitVisible(page, `nav a[href="/profile/${name}"]`);
    expect(await page.locator('nav a[href^="/profile/"]').first().innerText()).toBe(name);
    expect(await page.locator('nav img.user-pic').getAttribute('src')).toContain('default-avatar.svg');
    expect(await debug(page)).toMatchObject({ state: 'authenticated', user: name });
    expect(await page.evaluate(() => localStorage.getItem('jwtToken'))).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await waitVisible(page, '.feed-toggle a.nav-link[href="/?feed=following"]');
  });

  it('signs in and out', async () => {
    const user = await data.user();
    const page = await open('/login');
    expect(await text(page, 'h1')).toBe('Sign in');
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', user.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${stack.baseUrl}/`);
    await waitVisible(page, 'a[href="/settings"]');
    await page.click('a[href="/settings"]');
    await page.click('button:has-text("Or click here to logout")');
    await page.waitForURL(`${stack.baseUrl}/`);
    await waitVisible(page, 'nav a[href="/login"]');
    expect(await debug(page)).toMatchObject({ state: 'unauthenticated', token: null });
  });

  it('shows API errors in .error-messages and keeps the form usable', async () => {
    const user = await data.user();
    const page = await open('/login');
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', 'not the password');
    await page.click('button[type="submit"]');
    await waitVisible(page, '.error-messages li');
    expect(page.url()).toBe(`${stack.baseUrl}/login`);
    expect(await page.locator('input[name="email"]').isEnabled()).toBe(true);

    await page.goto('/register');
    await page.fill('input[name="username"]', user.username);
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', 'another password');
    await page.click('button[type="submit"]');
    await waitVisible(page, '.error-messages li');
    expect(await text(page, '.error-messages')).toMatch(/taken/);
    expect(page.url()).toBe(`${stack.baseUrl}/register`);
  });

  it('says "Unable to connect" when the network fails', async () => {
    const page = await open('/login');
    await page.route('**/api/users/login', (route) => route.abort('internetdisconnected'));
    await page.fill('input[name="email"]', 'nobody@example.com');
    await page.fill('input[name="password"]', 'whatever');
    await page.click('button[type="submit"]');
    await waitVisible(page, '.error-messages');
    expect(await text(page, '.error-messages')).toContain('Unable to connect');
  });

  it('drops a token the API rejects and shows the signed-out header', async () => {
    const page = await open('/', 'not-a-valid-token');
    await waitVisible(page, 'nav a[href="/register"]');
    expect(await debug(page)).toMatchObject({ state: 'unauthenticated', token: null });
  });

  it('shows public articles with a token the API rejects (malformed, or revoked by sign-out everywhere)', async () => {
    const author = await data.user();
    const article = await data.article(author.token, { title: unique('Public despite a bad token ') });
    const revoked = await data.user();
    await fetch(`${stack.baseUrl}/api/user/logout-all`, {
      method: 'POST',
      headers: { authorization: `Token ${revoked.token}` },
    });
    for (const token of ['not-a-valid-token', revoked.token]) {
      const page = await open('/', token);
      await waitVisible(page, `.article-preview a[href="/article/${article.slug}"]`);
      expect(await debug(page)).toMatchObject({ state: 'unauthenticated', token: null });
    }
  });

  it('shows the default avatar when an author image does not load', async () => {
    const author = await data.user(unique('broken'), { image: 'https://images.invalid/missing.png' });
    const page = await open(`/profile/${author.username}`);
    await waitVisible(page, '.user-img');
    await expect
      .poll(() =>
        page.locator('.user-img').evaluate((img: HTMLImageElement) => ({
          src: new URL(img.src).pathname,
          loaded: img.complete && img.naturalWidth > 0,
        })),
      )
      .toEqual({ src: '/default-avatar.svg', loaded: true });
  });

  it('keeps the session token while the API is failing, showing "Connecting..."', async () => {
    const user = await data.user();
    const { context, page } = await stack.newPage();
    contexts.push(context);
    await page.route('**/api/user', (route) =>
      route.fulfill({ status: 503, body: '{"errors":{"db":["down"]}}' }),
    );
    await page.goto('/login');
    await page.evaluate((value) => localStorage.setItem('jwtToken', value), user.token);
    await page.goto('/');
    await expect.poll(() => debug(page)).toMatchObject({ state: 'unavailable' });
    await waitVisible(page, 'nav :text("Connecting")');
    expect(await debug(page)).toMatchObject({ state: 'unavailable', token: user.token });
    await waitVisible(page, '.banner');
    await page.unroute('**/api/user');
    await page.reload();
    await waitVisible(page, `nav a[href="/profile/${user.username}"]`);
    expect(await debug(page)).toMatchObject({ state: 'authenticated', user: user.username });
  });

  it('sends signed-out visitors of private pages to sign in', async () => {
    for (const path of ['/editor', '/settings', '/?feed=following']) {
      const page = await open(path);
      await page.waitForURL(`${stack.baseUrl}/login`);
    }
  });

  it('updates settings and shows them on the profile', async () => {
    const user = await data.user();
    const page = await open('/settings', user.token);
    await waitVisible(page, 'input[name="email"]');
    expect(await page.inputValue('input[name="username"]')).toBe(user.username);
    expect(await page.inputValue('textarea[name="bio"]')).toBe('');
    await page.fill('textarea[name="bio"]', 'I write about databases.');
    await page.fill('input[name="image"]', `${stack.baseUrl}/favicon.svg`);
    await page.click('button:has-text("Update Settings")');
    await page.waitForURL(`${stack.baseUrl}/profile/${user.username}`);
    await waitVisible(page, '.user-info p');
    expect(await text(page, '.user-info h4')).toBe(user.username);
    expect(await text(page, '.user-info p')).toBe('I write about databases.');
    expect(await page.locator('.user-img').getAttribute('src')).toBe(`${stack.baseUrl}/favicon.svg`);
    await waitVisible(page, 'a:has-text("Edit Profile Settings")');
    await page.reload();
    await waitVisible(page, '.user-info p');
    expect(await text(page, '.user-info p')).toBe('I write about databases.');
  });

  it('creates, edits and deletes an article with tags', async () => {
    const user = await data.user();
    const title = unique('Editor test ');
    const page = await open('/editor', user.token);
    await page.fill('input[name="title"]', title);
    await page.fill('input[name="description"]', 'About editing');
    await page.fill('textarea[name="body"]', '# Heading\n\nA paragraph with **bold** text.');
    for (const tag of ['alpha', 'beta', 'gamma']) {
      await page.fill('input[placeholder="Enter tags"]', tag);
      await page.press('input[placeholder="Enter tags"]', 'Enter');
    }
    expect(await page.locator('.tag-list .tag-pill').allInnerTexts()).toEqual(['alpha', 'beta', 'gamma']);
    await page.locator('.tag-list .tag-pill', { hasText: 'beta' }).locator('i').click();
    expect(await page.locator('.tag-list .tag-pill').count()).toBe(2);
    await Promise.all([page.waitForURL(/\/article\/.+/), page.click('button:has-text("Publish Article")')]);
    const slug = decodeURIComponent(page.url().split('/article/')[1] ?? '');
    await expect.poll(() => text(page, '.article-page h1')).toBe(title);
    expect(await text(page, '.article-content strong')).toBe('bold');
    expect(await page.locator('.article-content .tag-list .tag-default').allInnerTexts()).toEqual([
      'alpha',
      'gamma',
    ]);

    await page.locator('a:has-text("Edit Article")').first().click();
    await page.waitForURL(`${stack.baseUrl}/editor/${slug}`);
    await expect.poll(() => page.inputValue('input[name="title"]')).toBe(title);
    await page.fill('input[name="title"]', `${title} (revised)`);
    await page.locator('.tag-list .tag-pill', { hasText: 'alpha' }).locator('i').click();
    await Promise.all([page.waitForURL(/\/article\/.+/), page.click('button:has-text("Publish Article")')]);
    await expect.poll(() => text(page, '.article-page h1')).toBe(`${title} (revised)`);
    expect(await page.locator('.article-content .tag-default').allInnerTexts()).toEqual(['gamma']);

    const finalSlug = decodeURIComponent(page.url().split('/article/')[1] ?? '');
    await Promise.all([
      page.waitForURL(`${stack.baseUrl}/`),
      page.click('button:has-text("Delete Article")'),
    ]);
    expect(await data.getArticle(finalSlug)).toBe(404);
  });

  it('adds and deletes a comment', async () => {
    const author = await data.user();
    const reader = await data.user();
    const article = await data.article(author.token, {});
    const page = await open(`/article/${article.slug}`, reader.token);
    await page.fill('textarea[placeholder="Write a comment..."]', 'First! Nice article.');
    await page.click('button:has-text("Post Comment")');
    const posted = page.locator('.card:not(.comment-form) .card-block');
    await posted.first().waitFor();
    expect(await posted.allInnerTexts()).toEqual(['First! Nice article.']);
    expect(await page.inputValue('textarea[placeholder="Write a comment..."]')).toBe('');
    expect(await page.locator('.comment-form .comment-author-img').getAttribute('src')).toContain(
      'default-avatar.svg',
    );
    await page.locator('.card:has-text("First! Nice article.") .mod-options i.ion-trash-a').click();
    await expect.poll(() => posted.count()).toBe(0);
    await page.reload();
    await waitVisible(page, '.comment-form');
    expect(await posted.count()).toBe(0);
  });

  it('favorites an article, which then shows in the profile favorites tab', async () => {
    const author = await data.user();
    const reader = await data.user();
    const article = await data.article(author.token, { title: unique('Favorite me ') });
    const page = await open(`/article/${article.slug}`, reader.token);
    await page.click('button.btn-outline-primary:has-text("Favorite")');
    await page.waitForSelector('button.btn-primary:has-text("Unfavorite")');
    expect(await text(page, 'button.btn-primary:has-text("Unfavorite") .counter')).toBe('(1)');

    await page.goto(`/profile/${reader.username}`);
    await waitVisible(page, '.articles-toggle');
    await page.click('a:has-text("Favorited")');
    await page.waitForURL(`${stack.baseUrl}/profile/${reader.username}/favorites`);
    await waitVisible(page, '.article-preview');
    expect(await page.locator('.article-preview h1').allInnerTexts()).toEqual([article.title]);
    expect(await page.locator('.article-preview button.btn-primary').innerText()).toContain('1');
  });

  it('follows an author from the profile page, whose articles then fill Your Feed', async () => {
    const author = await data.user();
    const reader = await data.user();
    const article = await data.article(author.token, { title: unique('Feed item ') });
    const page = await open('/?feed=following', reader.token);
    await waitVisible(page, '.empty-feed-message');
    expect(await text(page, '.empty-feed-message')).toContain('Your feed is empty');

    await page.goto(`/profile/${author.username}`);
    await page.click(`button:has-text("Follow ${author.username}")`);
    await waitVisible(page, `button:has-text("Unfollow ${author.username}")`);

    await page.goto('/');
    await page.click('a.nav-link:has-text("Your Feed")');
    await page.waitForURL(`${stack.baseUrl}/?feed=following`);
    await expect.poll(() => page.locator('.article-preview h1').allInnerTexts()).toEqual([article.title]);
    expect(await page.locator('.feed-toggle a.nav-link.active').innerText()).toBe('Your Feed');
  });

  it('filters by tag and pages through 10 articles at a time', async () => {
    const author = await data.user();
    const tag = unique('tag');
    for (let i = 1; i <= 12; i += 1) {
      await data.article(author.token, {
        title: `Paged ${tag} ${String(i).padStart(2, '0')}`,
        tagList: [tag],
      });
    }
    await data.article(author.token, { title: unique('Untagged '), tagList: [] });
    const page = await open('/');
    await page.locator('.sidebar .tag-list .tag-pill', { hasText: tag }).click();
    await page.waitForURL(`${stack.baseUrl}/tag/${tag}`);
    // The global feed stays on screen until the tag's page has rendered: wait for the tag's articles.
    const titles = () => page.locator('.article-preview h1').allInnerTexts();
    await expect.poll(async () => (await titles()).filter((title) => title.includes(tag)).length).toBe(10);
    expect(await titles()).toHaveLength(10);
    expect(await page.locator('.feed-toggle a.nav-link.active').innerText()).toContain(tag);
    expect(await page.locator('.pagination .page-item').count()).toBe(2);
    expect(await page.locator('.pagination .page-item.active').innerText()).toBe('1');

    await page.click('.pagination .page-link:has-text("2")');
    await page.waitForURL(`${stack.baseUrl}/tag/${tag}?page=2`);
    await expect.poll(() => page.locator('.article-preview').count()).toBe(2);
    expect(await page.locator('.pagination .page-item.active').innerText()).toBe('2');
    expect(await page.locator('.article-preview h1').allInnerTexts()).toEqual([
      `Paged ${tag} 02`,
      `Paged ${tag} 01`,
    ]);
  });

  it('renders script, handlers and javascript: links in articles and comments inert', async () => {
    const author = await data.user();
    const body = [
      'Safe **text**.',
      '<script>window.__xss = "script"</script>',
      '<img src="x" onerror="window.__xss = \'img\'">',
      '<a href="javascript:window.__xss=\'link\'">click me</a>',
      '<svg><script>window.__xss = "svg"</script></svg>',
      '<iframe src="javascript:parent.__xss=\'frame\'"></iframe>',
    ].join('\n\n');
    const article = await data.article(author.token, { body });
    await fetch(`${stack.baseUrl}/api/articles/${article.slug}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Token ${author.token}` },
      body: JSON.stringify({ comment: { body: '<img src=x onerror="window.__xss=\'comment\'">' } }),
    });
    const page = await open(`/article/${article.slug}`, author.token);
    await waitVisible(page, '.article-content strong');
    await page.locator('.card:not(.comment-form) .card-block').first().waitFor();
    await page.locator('.article-content a:has-text("click me")').click();
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as { __xss?: string }).__xss)).toBeUndefined();
    const content = await page.locator('.article-content').innerHTML();
    expect(content).not.toMatch(/<script|onerror|javascript:|<iframe/i);
    expect(await text(page, '.card:not(.comment-form) .card-block')).toBe(
      '<img src=x onerror="window.__xss=\'comment\'">',
    );
  });

  it('replaces the page as soon as the URL changes (no stale page under a new URL)', async () => {
    const author = await data.user();
    const article = await data.article(author.token, { title: unique('Navigate ') });
    const page = await open('/');
    const preview = page.locator('.article-preview h1', { hasText: article.title });
    await preview.click();
    await page.waitForURL(/\/article\/.+/);
    expect(await page.locator('.home-page').count()).toBe(0);
    await expect.poll(() => page.locator('h1').allInnerTexts()).toEqual([article.title]);
  });

  it('shows the article page shell for an unknown article', async () => {
    const page = await open('/article/no-such-article-anywhere');
    await waitVisible(page, '.article-page');
    expect(await text(page, '.article-page h1')).toBe('Article not found');
  });

  it('looks like Conduit (screenshots of home and an article)', async () => {
    const author = await data.user(unique('writer'), { bio: 'Writes about the web.' });
    const article = await data.article(author.token, {
      title: 'How to build webapps that scale',
      description: 'Web development technologies have evolved at an incredible clip.',
      body: [
        'Web development technologies have evolved at an incredible clip over the past few years.',
        '## Introducing RealWorld',
        "It's a great solution for learning how other frameworks work, with **real** features:",
        '- authentication\n- articles and comments\n- profiles and favorites',
      ].join('\n\n'),
      tagList: ['realworld', 'implementations'],
    });
    const page = await open('/');
    await waitVisible(page, '.article-preview');
    await waitVisible(page, '.sidebar .tag-pill');
    const banner = await page
      .locator('.home-page .banner')
      .evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(banner).toBe('rgb(54, 124, 54)');
    await page.screenshot({ path: join(REPORTS, 'home.png'), fullPage: false });

    await page.goto(`/article/${article.slug}`);
    await waitVisible(page, '.article-content h2');
    expect(
      await page
        .locator('.article-page .banner')
        .evaluate((element) => getComputedStyle(element).backgroundColor),
    ).toBe('rgb(51, 51, 51)');
    await page.screenshot({ path: join(REPORTS, 'article.png'), fullPage: true });
  });
});
