import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, breaks: false, async: false });

/**
 * Article bodies are untrusted markdown that may carry raw HTML. marked renders it, DOMPurify strips
 * scripts, event handlers and `javascript:` URLs; inline `style` goes too, because our CSP forbids it.
 */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source) as string;
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select'],
    FORBID_ATTR: ['style', 'target'],
  });
}
