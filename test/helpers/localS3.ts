/**
 * A local S3 (harness/localS3.ts) for the tests of one file: started before the first, pointed at by
 * AWS_ENDPOINT_URL_S3 (as the tools read it), stopped by its PID after the last. Jest-only.
 */
import { type LocalS3, startLocalS3 } from '../../harness/localS3';

/** The file's local S3 with `buckets`; read `.current` inside tests. */
export function useLocalS3(buckets: readonly string[]): { current: LocalS3 } {
  const holder = {} as { current: LocalS3 };
  beforeAll(async () => {
    holder.current = await startLocalS3(buckets);
    process.env.AWS_ENDPOINT_URL_S3 = holder.current.endpoint;
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_S3;
    await holder.current?.stop();
  });
  return holder;
}
