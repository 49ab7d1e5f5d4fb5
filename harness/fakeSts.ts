/**
 * A stand-in for AWS STS on 127.0.0.1 that answers `AssumeRole` and remembers every call, for testing that the
 * replicator writes a slave through an assumed role.
 *
 * The SDK speaks STS's query protocol: a form-encoded POST (`Action=AssumeRole&RoleArn=…`) signed with the caller's
 * credentials, answered with XML. The fake hands out one fixed set of temporary credentials. Their access key id is
 * letters and digits only, because DynamoDB Local keeps a separate database per access key id: a table that the
 * replicator writes with these credentials is visible only to a client holding them, which is what lets a test prove
 * whose credentials signed a write.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One `AssumeRole` request as the fake received it. */
export interface AssumeRoleCall {
  readonly roleArn: string | undefined;
  readonly roleSessionName: string | undefined;
  /** Absent when the caller sent none. */
  readonly externalId: string | undefined;
  /** Access key id in the request's signature: whose credentials asked for the role. */
  readonly signedBy: string | undefined;
}

/** Temporary credentials as the fake issues them. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** A running fake STS. */
export interface FakeSts {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_STS`. */
  readonly endpoint: string;
  /** Every AssumeRole call so far, in order. */
  readonly calls: readonly AssumeRoleCall[];
  /** The credentials every AssumeRole call returns. */
  readonly credentials: IssuedCredentials;
  /** Requests for any other action (answered with an error); a test can check there were none. */
  readonly otherRequests: readonly string[];
  /** Stops listening and drops keep-alive connections. */
  close(): Promise<void>;
}

/** Options for {@link startFakeSts}. */
export interface FakeStsOptions {
  /** How long the issued credentials are valid (default one hour, as AssumeRole's default). */
  readonly validForMs?: number;
  /** Refuse every AssumeRole as STS refuses a caller the role's trust policy does not name (403 AccessDenied). */
  readonly refuse?: boolean;
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function assumeRoleResponse(credentials: IssuedCredentials, roleArn: string, sessionName: string): string {
  const assumedArn = roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/');
  return [
    '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
    '<AssumeRoleResult>',
    '<Credentials>',
    `<AccessKeyId>${credentials.accessKeyId}</AccessKeyId>`,
    `<SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>`,
    `<SessionToken>${credentials.sessionToken}</SessionToken>`,
    `<Expiration>${credentials.expiration.toISOString()}</Expiration>`,
    '</Credentials>',
    '<AssumedRoleUser>',
    `<AssumedRoleId>AROAFAKEROLEID:${xmlEscape(sessionName)}</AssumedRoleId>`,
    `<Arn>${xmlEscape(`${assumedArn}/${sessionName}`)}</Arn>`,
    '</AssumedRoleUser>',
    '</AssumeRoleResult>',
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`,
    '</AssumeRoleResponse>',
  ].join('');
}

function errorResponse(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

/** Starts a fake STS on a free port of 127.0.0.1. */
export async function startFakeSts(options: FakeStsOptions = {}): Promise<FakeSts> {
  const credentials: IssuedCredentials = {
    accessKeyId: `ASIAFAKE${randomBytes(6).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(20).toString('base64'),
    sessionToken: randomBytes(48).toString('base64'),
    expiration: new Date(Date.now() + (options.validForMs ?? 3_600_000)),
  };
  const calls: AssumeRoleCall[] = [];
  const otherRequests: string[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const form = new URLSearchParams(await readBody(request));
    const action = form.get('Action') ?? '(none)';
    response.setHeader('content-type', 'text/xml');
    if (request.method !== 'POST' || action !== 'AssumeRole') {
      otherRequests.push(`${request.method ?? '?'} ${action}`);
      response.statusCode = 400;
      response.end(errorResponse('InvalidAction', `the fake STS answers AssumeRole only, not ${action}`));
      return;
    }
    const authorization = request.headers.authorization ?? '';
    const roleArn = form.get('RoleArn') ?? undefined;
    const roleSessionName = form.get('RoleSessionName') ?? undefined;
    calls.push({
      roleArn,
      roleSessionName,
      externalId: form.get('ExternalId') ?? undefined,
      signedBy: /Credential=([^/]+)\//.exec(authorization)?.[1],
    });
    if (options.refuse) {
      response.statusCode = 403;
      response.end(
        errorResponse(
          'AccessDenied',
          `User: arn:aws:sts::123456789012:assumed-role/replicator/fn is not authorized to perform: sts:AssumeRole on resource: ${roleArn ?? '?'}`,
        ),
      );
      return;
    }
    if (!roleArn || !roleSessionName) {
      response.statusCode = 400;
      response.end(errorResponse('ValidationError', 'RoleArn and RoleSessionName are required'));
      return;
    }
    response.statusCode = 200;
    response.end(assumeRoleResponse(credentials, roleArn, roleSessionName));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(errorResponse('InternalFailure', String(error)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    credentials,
    otherRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
