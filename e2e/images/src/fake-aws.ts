import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of the slice of AWS the ops CLI calls in `backup run` and `backup drill`/`restore`, as one HTTP
 * endpoint on the host's loopback: STS GetCallerIdentity and RDS CreateDBSnapshot/DescribeDBSnapshots (the
 * query protocol, XML answers) and S3 PutObject/GetObject/ListObjectsV2/DeleteObjects (REST XML, path-style,
 * which the SDK picks for an IP endpoint). The container's real AWS SDK v3 reaches it through
 * `AWS_ENDPOINT_URL`; objects stay in memory so the test can read what the CLI stored.
 *
 * Signatures are not checked; the access key id of each request is recorded, to prove the SDK signed with
 * the test credentials and not with anything else it found.
 */
export interface FakeAws {
  /** `http://127.0.0.1:<port>`; from a container, the same port on the host's loopback address. */
  readonly url: string;
  readonly port: number;
  readonly account: string;
  /** Objects by `<bucket>/<key>`. */
  readonly objects: ReadonlyMap<string, StoredObject>;
  readonly snapshots: readonly FakeSnapshot[];
  /** `<service> <operation>` of every request, in order (`s3 PutObject`, `sts GetCallerIdentity`, …). */
  readonly calls: readonly string[];
  /** Access key ids the requests were signed with. */
  readonly accessKeys: ReadonlySet<string>;
  close(): Promise<void>;
}

export interface StoredObject {
  readonly body: Buffer;
  readonly metadata: Readonly<Record<string, string>>;
  readonly lastModified: Date;
}

export interface FakeSnapshot {
  readonly id: string;
  readonly instanceId: string;
  readonly createdAt: Date;
}

export const FAKE_ACCOUNT = '123456789012';
export const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAFAKEIMAGESUITE00',
  AWS_SECRET_ACCESS_KEY: 'fake-secret-for-the-images-suite',
} as const;

const xmlEscape = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The payload of an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n…0\r\n<trailers>`), which
 * the SDK sends when it streams a body with a trailing checksum.
 */
function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) throw new Error('aws-chunked body ends inside a chunk header');
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString().split(';')[0]!, 16);
    if (!Number.isFinite(size)) throw new Error('aws-chunked chunk header without a size');
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

/** The service a request was signed for (`Credential=<key>/<date>/<region>/<service>/aws4_request`). */
function signedFor(request: IncomingMessage): { key: string; service: string } {
  const match = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(request.headers.authorization ?? '');
  return { key: match?.[1] ?? '', service: match?.[2] ?? '' };
}

export async function startFakeAws(): Promise<FakeAws> {
  const objects = new Map<string, StoredObject>();
  const snapshots: FakeSnapshot[] = [];
  const calls: string[] = [];
  const accessKeys = new Set<string>();

  const xml = (response: ServerResponse, status: number, body: string) => {
    response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  };
  const queryError = (response: ServerResponse, status: number, code: string, message: string) =>
    xml(
      response,
      status,
      `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
  const s3Error = (response: ServerResponse, status: number, code: string, message: string) =>
    xml(response, status, `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
  const queryAnswer = (response: ServerResponse, action: string, result: string, ns: string) =>
    xml(
      response,
      200,
      `<${action}Response xmlns="${ns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
    );
  const snapshotXml = (s: FakeSnapshot) =>
    `<DBSnapshot><DBSnapshotIdentifier>${xmlEscape(s.id)}</DBSnapshotIdentifier><DBInstanceIdentifier>${xmlEscape(s.instanceId)}</DBInstanceIdentifier><SnapshotCreateTime>${s.createdAt.toISOString()}</SnapshotCreateTime><Status>available</Status><SnapshotType>manual</SnapshotType><Engine>postgres</Engine></DBSnapshot>`;

  function query(service: string, form: URLSearchParams, response: ServerResponse) {
    const action = form.get('Action') ?? '';
    calls.push(`${service} ${action}`);
    if (service === 'sts' && action === 'GetCallerIdentity') {
      return queryAnswer(
        response,
        action,
        `<Arn>arn:aws:sts::${FAKE_ACCOUNT}:assumed-role/conduit-ops/images-suite</Arn><UserId>AROAFAKE:images-suite</UserId><Account>${FAKE_ACCOUNT}</Account>`,
        'https://sts.amazonaws.com/doc/2011-06-15/',
      );
    }
    const rds = 'http://rds.amazonaws.com/doc/2014-10-31/';
    if (service === 'rds' && action === 'CreateDBSnapshot') {
      const snapshot = {
        id: form.get('DBSnapshotIdentifier') ?? '',
        instanceId: form.get('DBInstanceIdentifier') ?? '',
        createdAt: new Date(),
      };
      snapshots.push(snapshot);
      return queryAnswer(response, action, snapshotXml(snapshot), rds);
    }
    if (service === 'rds' && action === 'DescribeDBSnapshots') {
      const instance = form.get('DBInstanceIdentifier');
      const listed = snapshots.filter((s) => !instance || s.instanceId === instance);
      return queryAnswer(
        response,
        action,
        `<DBSnapshots>${listed.map(snapshotXml).join('')}</DBSnapshots>`,
        rds,
      );
    }
    queryError(response, 400, 'InvalidAction', `the fake does not implement ${service} ${action}`);
  }

  function s3(request: IncomingMessage, url: URL, body: Buffer, response: ServerResponse) {
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const id = `${bucket}/${key}`;
    const method = request.method ?? 'GET';
    if (method === 'PUT' && key) {
      calls.push('s3 PutObject');
      const chunked =
        /aws-chunked/.test(request.headers['content-encoding'] ?? '') ||
        /^STREAMING-/.test(String(request.headers['x-amz-content-sha256'] ?? ''));
      const metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (name.startsWith('x-amz-meta-')) metadata[name.slice(11)] = String(value);
      }
      const stored = { body: chunked ? decodeAwsChunked(body) : body, metadata, lastModified: new Date() };
      objects.set(id, stored);
      response.writeHead(200, { etag: `"${stored.body.length}-${Date.now()}"` });
      return void response.end();
    }
    if (method === 'GET' && key) {
      calls.push('s3 GetObject');
      const found = objects.get(id);
      if (!found) return s3Error(response, 404, 'NoSuchKey', `no object ${id}`);
      response.writeHead(200, {
        'content-length': found.body.length,
        'content-type': 'application/octet-stream',
        'last-modified': found.lastModified.toUTCString(),
        ...Object.fromEntries(Object.entries(found.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
      });
      return void response.end(found.body);
    }
    if (method === 'GET' && url.searchParams.get('list-type') === '2') {
      calls.push('s3 ListObjectsV2');
      const prefix = url.searchParams.get('prefix') ?? '';
      const listed = [...objects]
        .filter(([name]) => name.startsWith(`${bucket}/${prefix}`))
        .map(([name, o]) => ({ key: name.slice(bucket.length + 1), ...o }))
        .sort((a, b) => a.key.localeCompare(b.key));
      return xml(
        response,
        200,
        `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${listed.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${listed
          .map(
            (o) =>
              `<Contents><Key>${xmlEscape(o.key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
          )
          .join('')}</ListBucketResult>`,
      );
    }
    if (method === 'POST' && url.searchParams.has('delete')) {
      calls.push('s3 DeleteObjects');
      for (const [, k] of body.toString().matchAll(/<Key>([^<]*)<\/Key>/g)) objects.delete(`${bucket}/${k}`);
      return xml(
        response,
        200,
        '<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>',
      );
    }
    calls.push(`s3 ${method} ${url.pathname}${url.search}`);
    s3Error(
      response,
      501,
      'NotImplemented',
      `the fake does not implement ${method} ${url.pathname}${url.search}`,
    );
  }

  const server = createServer(async (request, response) => {
    try {
      const body = await readBody(request);
      const { key, service } = signedFor(request);
      if (key) accessKeys.add(key);
      const url = new URL(request.url ?? '/', 'http://fake');
      if (service === 'sts' || service === 'rds')
        return query(service, new URLSearchParams(body.toString()), response);
      if (service === 's3') return s3(request, url, body, response);
      calls.push(`unsigned ${request.method} ${url.pathname}`);
      queryError(response, 403, 'MissingAuthenticationToken', 'request is not signed for sts, rds or s3');
    } catch (error) {
      s3Error(response, 500, 'InternalError', (error as Error).message);
    }
  });
  // All interfaces of the host's loopback: slirp4netns forwards the container's 10.0.2.2 to 127.0.0.1.
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    account: FAKE_ACCOUNT,
    objects,
    snapshots,
    calls,
    accessKeys,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => {});
    },
  };
}
