/**
 * Reading objects of an export from S3 for the tools. `@aws-sdk/client-s3` is imported only here, under src/cli, so
 * it is in the CLI's bundle (its GetObject alone, tree-shaken) and in neither the function's zip nor the library;
 * a client is made only when a command reads an export. The client is made by the one
 * client factory (src/shared/clients.ts) with the side's credentials; `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`)
 * points it at another endpoint, with path-style addressing as local S3 servers need. S3 errors that no retry fixes
 * become ToolErrors naming the object, the bucket or the permission.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ACCESS_DENIED, accessDeniedMessage, asAwsError, BAD_CREDENTIALS } from '../../shared/awsErrors';
import { type ClientAccess, createServiceClient, type ServiceClientConfig } from '../../shared/clients';
import { ToolError } from '../errors';
import { formatS3Object } from './s3Url';

/** Whose credentials read the bucket, as messages name them (`the master side (role …)`, or the default chain). */
export interface S3Side {
  readonly region: string;
  readonly access?: ClientAccess;
  readonly identity?: string;
}

/** The S3 endpoint from the environment, when one is set (a local S3 server, a VPC endpoint). */
export function s3EndpointFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/** An S3 client of `side`. */
export function openS3Client(side: S3Side, maxSockets: number): S3Client {
  const endpoint = s3EndpointFromEnvironment();
  /** The factory's client with what S3 adds: path-style for an explicit endpoint, the bucket's own region. */
  class ToolS3Client extends S3Client {
    public constructor(config: ServiceClientConfig) {
      super({ ...config, followRegionRedirects: true, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
    }
  }
  const settings = { maxSockets, connectionTimeoutMs: 5000, requestTimeoutMs: 120_000, maxAttempts: 6 };
  return createServiceClient(ToolS3Client, side.region, settings, side.access);
}

/** Reads S3 objects of one bucket for one side. */
export class S3Objects {
  public constructor(
    private readonly client: S3Client,
    private readonly side: S3Side,
  ) {}

  /** The whole object `key` of `bucket`; throws a ToolError naming the object when it is missing or denied. */
  public async read(bucket: string, key: string, what: string): Promise<Buffer> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!answer.Body) throw new ToolError(`${what} ${formatS3Object(bucket, key)} came back without a body`);
      return Buffer.from(await answer.Body.transformToByteArray());
    } catch (error) {
      throw this.translate(error, bucket, key, what);
    }
  }

  /** The message of an S3 error no retry fixes; other errors pass unchanged. */
  private translate(error: unknown, bucket: string, key: string, what: string): unknown {
    if (error instanceof ToolError) return error;
    const { name = 'Error', message = '', code = '' } = asAwsError(error);
    const object = formatS3Object(bucket, key);
    if (name === 'NoSuchKey' || name === 'NotFound') return new ToolError(`${what} ${object} does not exist`);
    if (name === 'NoSuchBucket') return new ToolError(`bucket ${bucket} does not exist (reading ${what} ${object})`);
    if (ACCESS_DENIED.has(name) || name === 'Forbidden') {
      return new ToolError(
        `${accessDeniedMessage(
          { who: this.side.identity ?? 'your credentials', needs: 'the IAM action s3:GetObject', on: object },
          error,
        )}; the bucket's policy must allow it too when the bucket belongs to another account`,
      );
    }
    if (BAD_CREDENTIALS.has(name))
      return new ToolError(`AWS credentials missing or rejected reading ${object} (${name}: ${message})`);
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || name === 'ECONNREFUSED') {
      const where = s3EndpointFromEnvironment() ?? `the S3 endpoint of ${this.side.region}`;
      return new ToolError(`cannot reach ${where} reading ${what} ${object} (${code || name}: ${message})`);
    }
    return error;
  }
}
