import { describe, expect, it } from 'vitest';
import { addTag } from './tags.js';

describe('addTag', () => {
  it('adds trimmed tags, ignores blanks and duplicates, and splits on commas', () => {
    expect(addTag([], '  react ')).toEqual(['react']);
    expect(addTag(['react'], 'react')).toEqual(['react']);
    expect(addTag(['react'], '   ')).toEqual(['react']);
    expect(addTag(['a'], 'b, c,,a')).toEqual(['a', 'b', 'c']);
  });
});
