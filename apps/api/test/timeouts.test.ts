import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers.js';

let server: TestApi;
let port: number;

beforeAll(async () => {
  server = await startTestApi({ REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '1000' });
  port = Number(new URL(server.url).port);
});
afterAll(() => server?.close());

/** Sends `head`, then `trickle` one byte every `everyMs`; resolves when the server closes the connection. */
function trickle(head: string, rest: string, everyMs: number): Promise<{ answer: string; heldMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < rest.length && socket.writable) socket.write(rest[sent++]!);
      }, everyMs);
    });
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    const done = () => {
      clearInterval(timer);
      resolve({ answer, heldMs: Date.now() - started });
    };
    socket.on('close', done);
    socket.on('error', () => socket.destroy());
    // Far past the bound: a server without one keeps the socket, and the test says so instead of hanging.
    setTimeout(() => socket.destroy(), 10_000).unref();
  });
}

describe('HTTP timeouts', () => {
  it('cut off a client that sends its body one byte at a time', async () => {
    const body = JSON.stringify({ user: { email: 'slow@example.org', password: 'x'.repeat(40) } });
    const head =
      'POST /api/users/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length}\r\n\r\n`;
    const { answer, heldMs } = await trickle(head, body, 300);
    expect(heldMs).toBeLessThan(5000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('{"errors":{"request":["took too long"]}}');
  });

  it('cut off a client that sends its headers one byte at a time', async () => {
    const { answer, heldMs } = await trickle('GET /api/tags HTTP/1.1\r\n', 'X-Slow: ' + 'a'.repeat(100), 200);
    expect(heldMs).toBeLessThan(4000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keep idle keep-alive connections longer than the ALB idle timeout', () => {
    expect(server.app.server.keepAliveTimeout).toBe(72_000);
  });
});
