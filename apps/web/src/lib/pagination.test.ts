import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, pageCount, pageHref, pageOffset, pageWindow, parsePage } from './pagination.js';

describe('pagination', () => {
  it('reads ?page= defensively', () => {
    expect(parsePage(null)).toBe(1);
    expect(parsePage('3')).toBe(3);
    for (const bad of ['0', '-2', '1.5', 'abc', '', '99999999999999999999']) expect(parsePage(bad)).toBe(1);
  });

  it('turns pages into offsets of 10 articles', () => {
    expect(PAGE_SIZE).toBe(10);
    expect(pageOffset(1)).toBe(0);
    expect(pageOffset(3)).toBe(20);
    expect(pageOffset(0)).toBe(0);
  });

  it('counts pages', () => {
    expect(pageCount(0)).toBe(0);
    expect(pageCount(10)).toBe(1);
    expect(pageCount(11)).toBe(2);
    expect(pageCount(500)).toBe(50);
  });

  it('shows every page when there are few, and a window with gaps when there are many', () => {
    expect(pageWindow(1, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(pageWindow(1, 11)).toHaveLength(11);
    expect(pageWindow(1, 50)).toEqual([1, 2, 3, 4, null, 50]);
    expect(pageWindow(25, 50)).toEqual([1, null, 22, 23, 24, 25, 26, 27, 28, null, 50]);
    expect(pageWindow(50, 50)).toEqual([1, null, 47, 48, 49, 50]);
  });

  it('links pages the way the routes spell them', () => {
    expect(pageHref('/', 1)).toBe('/');
    expect(pageHref('/', 2)).toBe('/?page=2');
    expect(pageHref('/?feed=following', 3)).toBe('/?feed=following&page=3');
    expect(pageHref('/tag/react', 2)).toBe('/tag/react?page=2');
    expect(pageHref('/profile/ann/favorites', 4)).toBe('/profile/ann/favorites?page=4');
  });
});
