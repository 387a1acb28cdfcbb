// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';

function render(source: string): HTMLElement {
  const element = document.createElement('div');
  element.innerHTML = renderMarkdown(source);
  return element;
}

describe('renderMarkdown', () => {
  it('renders markdown', () => {
    const html = render(
      '# Title\n\nSome **bold** and `code`.\n\n- one\n- two\n\n[link](https://example.com)',
    );
    expect(html.querySelector('h1')?.textContent).toBe('Title');
    expect(html.querySelector('p strong')?.textContent).toBe('bold');
    expect(html.querySelector('code')?.textContent).toBe('code');
    expect(html.querySelectorAll('li')).toHaveLength(2);
    expect(html.querySelector('a')?.getAttribute('href')).toBe('https://example.com');
  });

  it('removes scripts, including ones hidden in SVG', () => {
    const html = render('hi <script>alert(1)</script>\n\n<svg><script>alert(2)</script></svg>');
    expect(html.querySelector('script')).toBeNull();
    expect(html.innerHTML).not.toContain('alert');
  });

  it('removes event handler attributes', () => {
    const html = render('<img src="x" onerror="alert(1)"> <p onclick="alert(2)">text</p>');
    expect(html.innerHTML).not.toMatch(/onerror|onclick/);
    expect(html.querySelector('img')?.getAttribute('src')).toBe('x');
  });

  it('removes javascript: and data: script URLs', () => {
    const html = render(
      '[a](javascript:alert(1)) <a href="JaVaScRiPt:alert(2)">b</a> <iframe src="javascript:alert(3)"></iframe>',
    );
    expect(html.innerHTML).not.toMatch(/javascript:/i);
    expect(html.querySelector('iframe')).toBeNull();
    for (const link of html.querySelectorAll('a'))
      expect(link.getAttribute('href') ?? '').not.toMatch(/script/i);
  });

  it('removes inline styles and forms, which the CSP and the page do not allow', () => {
    const html = render(
      '<p style="color:red">x</p><style>p{}</style><form action="/steal"><input name="p"></form>',
    );
    expect(html.querySelector('[style]')).toBeNull();
    expect(html.querySelector('style, form, input')).toBeNull();
    expect(html.textContent).toContain('x');
  });
});
