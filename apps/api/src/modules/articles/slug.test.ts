import { describe, expect, it } from 'vitest';
import { slugify, uniqueSlug } from './slug.js';

describe('slugify', () => {
  it('kebab-cases titles and drops accents and punctuation', () => {
    expect(slugify('How to train your dragon')).toBe('how-to-train-your-dragon');
    expect(slugify('  Héllo, World!  ')).toBe('hello-world');
    expect(slugify('C++ & Rust: 2 languages')).toBe('c-rust-2-languages');
  });

  it('falls back to "article" when nothing URL-safe is left', () => {
    expect(slugify('日本語')).toBe('article');
    expect(slugify('!!!')).toBe('article');
  });

  it('keeps long titles within one short path segment', () => {
    const slug = uniqueSlug(slugify('word '.repeat(100)));
    expect(slug.length).toBeLessThanOrEqual(90);
    expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('makes a different slug on every retry', () => {
    expect(uniqueSlug('a')).not.toBe(uniqueSlug('a'));
  });
});
