import http, { type IncomingHttpHeaders } from 'node:http';

/** A request as sent on the wire: node:http, so GET and DELETE can carry bodies and nothing is added. */
export interface Sendable {
  readonly method: string;
  /** Already percent-encoded, starting with `/`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  /** Send the body with `Transfer-Encoding: chunked` instead of a Content-Length. */
  readonly chunked?: boolean;
}

export interface Answer {
  /** 0 when there was no answer (`error` says why). */
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly error?: string;
}

export interface FuzzClient {
  send(request: Sendable): Promise<Answer>;
  /** Requests sent so far. */
  readonly sent: () => number;
  close(): void;
}

/** A keep-alive HTTP client with a hard timeout per request, so a hang is a failed case, not a stuck drill. */
export function fuzzClient(baseUrl: string, timeoutMs = 15_000): FuzzClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const { hostname, port } = new URL(baseUrl);
  let sent = 0;
  return {
    sent: () => sent,
    close: () => agent.destroy(),
    async send(request) {
      sent++;
      // A keep-alive socket the server closed just as it was reused: Node's documented case for a retry.
      for (let attempt = 0; attempt < 2; attempt++) {
        const { reusedSocketReset, ...answer } = await once(request);
        if (!reusedSocketReset) return answer;
      }
      return {
        status: 0,
        headers: {},
        text: '',
        error: 'connection reset twice on reused keep-alive sockets',
      };
    },
  };

  function once(request: Sendable): Promise<Answer & { reusedSocketReset?: boolean }> {
    return new Promise((resolve) => {
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      const headers: Record<string, string> = { ...request.headers };
      if (body !== undefined) {
        if (request.chunked) headers['transfer-encoding'] = 'chunked';
        else headers['content-length'] = String(body.length);
      }
      const fail = (error: string) => resolve({ status: 0, headers: {}, text: '', error });
      let req: http.ClientRequest;
      try {
        // The path as an option, not in a URL: a URL parser would resolve `.` and `%2E%2E` segments away.
        const options = { hostname, port, path: request.path, method: request.method, headers, agent };
        req = http.request(options, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', (error) => fail(`response: ${error.message}`));
        });
      } catch (error) {
        // node:http refused to send it (a character not allowed in a header or path): a generator bug.
        fail(`unsendable: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (req.reusedSocket && error.code === 'ECONNRESET')
          resolve({ status: 0, headers: {}, text: '', reusedSocketReset: true });
        else fail(error.message);
      });
      req.end(body);
    });
  }
}

/** Why `answer` is not in the spec's error shape `{"errors":{"<field>":["<message>"]}}`, or undefined. */
export function errorShapeProblem(answer: Answer): string | undefined {
  if (!String(answer.headers['content-type'] ?? '').startsWith('application/json')) {
    return `content-type ${answer.headers['content-type'] ?? 'missing'}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return 'body is not JSON';
  }
  if (typeof body !== 'object' || body === null || Object.keys(body).join() !== 'errors') {
    return 'body is not {"errors": ...}';
  }
  const errors = (body as { errors: unknown }).errors;
  if (typeof errors !== 'object' || errors === null || Array.isArray(errors))
    return 'errors is not an object';
  const entries = Object.entries(errors);
  if (entries.length === 0) return 'errors is empty';
  const bad = entries.find(
    ([, messages]) =>
      !Array.isArray(messages) || messages.length === 0 || !messages.every((m) => typeof m === 'string'),
  );
  return bad ? `errors.${bad[0]} is not a list of messages` : undefined;
}

/** One line about an answer for failure details: status and the start of the body. */
export function describeAnswer(answer: Answer): string {
  if (answer.error) return `no answer (${answer.error})`;
  const text = answer.text.length > 160 ? `${answer.text.slice(0, 160)}…` : answer.text;
  return `${answer.status} ${text}`;
}
