import { connect } from 'node:net';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectError, expectErrorShape } from '../../../test/http.js';
import { DatabaseUnavailableError } from '../../db/unavailable.js';
import errors, { clientErrors, frameworkErrors, HttpError, validationErrors } from './errors.js';

describe('validationErrors', () => {
  it('names the missing field for AJV and TypeBox style "required" errors', () => {
    expect(
      validationErrors(
        [
          {
            keyword: 'required',
            instancePath: '/user',
            schemaPath: '',
            params: { missingProperty: 'email' },
            message: '',
          },
        ],
        'body',
      ),
    ).toEqual({ errors: { email: ["can't be blank"] } });
    expect(
      validationErrors(
        [
          {
            keyword: 'required',
            instancePath: '',
            schemaPath: '',
            params: { requiredProperties: ['title', 'body'] },
            message: '',
          },
        ],
        'body',
      ),
    ).toEqual({ errors: { title: ["can't be blank"], body: ["can't be blank"] } });
  });

  it('uses the last named segment of the path, skipping array indexes', () => {
    const issues = [
      {
        keyword: 'type',
        instancePath: '/article/tagList/3',
        schemaPath: '',
        params: { type: 'string' },
        message: '',
      },
      {
        keyword: 'maxLength',
        instancePath: '/article/title',
        schemaPath: '',
        params: { limit: 255 },
        message: '',
      },
      {
        keyword: 'pattern',
        instancePath: '/user/email',
        schemaPath: '',
        params: { pattern: '^x$' },
        message: '',
      },
      {
        keyword: 'pattern',
        instancePath: '/user/username',
        schemaPath: '',
        params: { pattern: '\\S' },
        message: '',
      },
      {
        keyword: 'minimum',
        instancePath: '/limit',
        schemaPath: '',
        params: { limit: 1 },
        message: 'must be >= 1',
      },
    ];
    expect(validationErrors(issues, 'body')).toEqual({
      errors: {
        tagList: ['must be a string'],
        title: ['is too long (maximum is 255 characters)'],
        email: ['is invalid'],
        username: ["can't be blank"],
        limit: ['must be >= 1'],
      },
    });
  });

  it('reports short values with their minimum and puts "can\'t be blank" first', () => {
    const issues = [
      {
        keyword: 'minLength',
        instancePath: '/user/password',
        schemaPath: '',
        params: { limit: 8 },
        message: '',
      },
      {
        keyword: 'pattern',
        instancePath: '/user/password',
        schemaPath: '',
        params: { pattern: '\\S' },
        message: '',
      },
    ];
    expect(validationErrors(issues, 'body')).toEqual({
      errors: { password: ["can't be blank", 'is too short (minimum is 8 characters)'] },
    });
  });

  it('falls back to the request part for errors about the whole body', () => {
    expect(
      validationErrors(
        [{ keyword: 'type', instancePath: '', schemaPath: '', params: { type: 'object' }, message: '' }],
        'body',
      ),
    ).toEqual({ errors: { body: ['must be an object'] } });
  });
});

describe('error handler over HTTP', () => {
  let app: FastifyInstance;
  let api: ReturnType<typeof client>;
  let port: number;
  const logs: string[] = [];

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    app = Fastify({ logger: { level: 'info', stream }, frameworkErrors, clientErrorHandler: clientErrors });
    await app.register(errors);
    app.get('/boom', async () => {
      throw new Error('secret connection string postgres://u:p@db');
    });
    app.get('/db-down', async () => {
      throw new DatabaseUnavailableError(new Error('ECONNREFUSED'));
    });
    app.get('/refused', async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    });
    app.get('/nul', async () => {
      throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
        code: '22021',
        severity: 'ERROR',
        routine: 'report_invalid_encoding',
      });
    });
    app.get('/limited', async () => {
      throw Object.assign(new Error('too many attempts, retry in 1 minute'), { statusCode: 429 });
    });
    app.get('/forbidden', async () => {
      throw new HttpError(403, 'article', 'forbidden');
    });
    app.get('/items/:id', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    port = address.port;
    api = client(`http://127.0.0.1:${port}`);
  });
  afterAll(() => app?.close());

  it('answers unexpected errors 500 "internal error" and logs the details instead', async () => {
    const result = await api.get('/boom');
    expectError(result, 500, 'server', 'internal error');
    expect(result.text).not.toContain('secret');
    expect(logs.join('')).toContain('secret connection string');
  });

  it('answers an unreachable database 503, whether wrapped or raw', async () => {
    expectError(await api.get('/db-down'), 503, 'server', 'database unavailable');
    expectError(await api.get('/refused'), 503, 'server', 'database unavailable');
  });

  it('answers a PostgreSQL data exception (bad input) 422', async () => {
    expectError(await api.get('/nul'), 422, 'request', 'is invalid');
  });

  it('keeps the status and message of client errors from other plugins', async () => {
    expectError(await api.get('/limited'), 429, 'request', 'too many attempts, retry in 1 minute');
    expectError(await api.get('/forbidden'), 403, 'article', 'forbidden');
  });

  it('answers unknown routes 404 and known paths with another method 405 with Allow', async () => {
    expectError(await api.get('/nowhere'), 404, 'route', 'not found');
    const wrongMethod = await api.del('/items/1');
    expectError(wrongMethod, 405, 'method');
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
  });

  it('gives router-level rejections the spec shape through frameworkErrors', async () => {
    const long = await api.get(`/items/${'x'.repeat(150)}`);
    expect(long.status).toBe(414);
    expectErrorShape(long);
    const undecodable = await api.get('/items/%E0%A4%A');
    expect(undecodable.status).toBe(400);
    expectErrorShape(undecodable);
  });

  // Node's HTTP parser refuses these before Fastify has a request: Fastify's default answers another shape.
  it('gives requests the HTTP parser refuses the spec shape through clientErrors', async () => {
    const oversized = await api.get('/items/1', { headers: { 'x-padding': 'x'.repeat(20_000) } });
    expectError(oversized, 431, 'headers', 'are too large');
    const garbled = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.end('GET /items/1 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'),
      );
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk.toString();
      });
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
    expect(garbled).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(garbled.slice(garbled.indexOf('\r\n\r\n') + 4))).toEqual({
      errors: { request: ['is not valid HTTP'] },
    });
  });
});
