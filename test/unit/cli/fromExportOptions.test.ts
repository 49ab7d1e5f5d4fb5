/**
 * `backfill --from-export`'s pure parts: the export's location as the command line takes it, the options that do
 * not go with it, and when an export is too old (or older than the stream) to load next to the live function.
 */
import { runBackfill } from '../../../src/cli/backfill/backfill';
import { EXPORT_AGE_MARGIN_MS, exportTimeProblem, STREAM_RETENTION_MS } from '../../../src/cli/backfill/exportSource';
import { UsageError } from '../../../src/cli/errors';
import { parseExportLocation, parseS3Location } from '../../../src/cli/export/s3Url';
import { parseCommandLine } from '../../../src/cli/options';

const env = { isTTY: false, cpus: 2, cwd: '/work', writeProgress: (): void => undefined };
const URL = 's3://my-exports/orders/2026/AWSDynamoDB/01700000000000-abcdef12';

describe('--from-export locations', () => {
  test('an export folder splits into bucket, prefix, export id and folder', () => {
    // Act
    const location = parseExportLocation(URL, '--from-export');

    // Assess
    expect(location).toEqual({
      bucket: 'my-exports',
      prefix: 'orders/2026',
      exportId: '01700000000000-abcdef12',
      folder: 'orders/2026/AWSDynamoDB/01700000000000-abcdef12',
    });
    expect(parseExportLocation('s3://b-1/AWSDynamoDB/x/', '--from-export')).toMatchObject({
      prefix: '',
      exportId: 'x',
    });
  });

  test.each([
    ['a prefix above the export', 's3://my-exports/orders', /one export's folder/],
    ['a data file inside it', `${URL}/data/a.json.gz`, /one export's folder/],
    ['not an S3 URL', 'my-exports/orders', /must be an S3 location/],
    ['a bucket name S3 refuses', 's3://My_Bucket/AWSDynamoDB/x', /is not an S3 bucket name/],
  ])('%s is refused with a message naming the option', (_, text, message) => {
    // Act
    const problem = parseExportLocation(text, '--from-export');

    // Assess
    expect(problem).toEqual(expect.stringMatching(message));
    expect(problem).toEqual(expect.stringContaining('--from-export'));
  });

  test('an S3 location keeps its prefix without slashes around it', () => {
    expect(parseS3Location('s3://my-exports/a/b/', '--export-bucket')).toEqual({ bucket: 'my-exports', prefix: 'a/b' });
    expect(parseS3Location('s3://my-exports', '--export-bucket')).toEqual({ bucket: 'my-exports', prefix: '' });
  });
});

describe('backfill --from-export on the command line', () => {
  test('gives the run the export and a state file of its own', () => {
    // Act
    const parsed = parseCommandLine(['backfill', 'us-east-1/Orders', 'eu-west-1/Copy', '--from-export', URL], env);

    // Assess
    if (parsed.command !== 'backfill') throw new Error(parsed.command);
    expect(parsed.config.fromExport).toMatchObject({ bucket: 'my-exports', exportId: '01700000000000-abcdef12' });
    expect(parsed.config.stateFile).toBe(
      '/work/backfill-us-east-1.Orders-to-eu-west-1.Copy-from01700000000000-abcdef12.state.json',
    );
  });

  test.each([
    ['--segment', ['--total-segments', '8', '--segment', '0']],
    ['--total-segments', ['--total-segments', '8']],
    ['--segments', ['--segments', '8']],
  ])('%s does not go with it: a usage error', (_, options) => {
    // Act
    const parse = () =>
      parseCommandLine(['backfill', 'us-east-1/Orders', 'eu-west-1/Copy', '--from-export', URL, ...options], env);

    // Assess
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(/divides a scan of the master; --from-export loads the export's data files/);
  });
});

describe('write modes with an export', () => {
  test.each(['checked', 'conditional'] as const)(
    '%s cannot load an export (it takes items as the master holds them now): refused before any call',
    async (writeMode) => {
      // Prepare
      const parsed = parseCommandLine(
        ['backfill', 'us-east-1/Orders', 'eu-west-1/Copy', '--from-export', URL, '--write-mode', writeMode],
        env,
      );
      if (parsed.command !== 'backfill') throw new Error(parsed.command);

      // Act
      const run = runBackfill({ ...parsed.config, endpoint: 'http://127.0.0.1:9' });

      // Assess
      await expect(run).rejects.toMatchObject({
        name: 'ToolError',
        message: expect.stringMatching(new RegExp(`--write-mode ${writeMode} cannot load an export`)),
      });
    },
  );
});

describe('the export time against the stream', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const stream = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2026-05-01T00:00:00.000';

  test('an export younger than the retention less the margin, taken after the stream began, can be loaded', () => {
    const youngEnough = new Date(now.getTime() - STREAM_RETENTION_MS + EXPORT_AGE_MARGIN_MS + 60_000);
    expect(exportTimeProblem(youngEnough, stream, now)).toBeUndefined();
  });

  test('an older one is refused, naming its age and the 24 hours', () => {
    const tooOld = new Date(now.getTime() - STREAM_RETENTION_MS + EXPORT_AGE_MARGIN_MS - 60_000);
    expect(exportTimeProblem(tooOld, stream, now)).toMatch(
      /23\.0 hours ago: the master's stream keeps changes for 24 hours/,
    );
  });

  test('one taken before the stream was enabled is refused: the changes in between are in no stream', () => {
    const later = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2026-06-01T11:00:00.000';
    expect(exportTimeProblem(new Date('2026-06-01T10:00:00Z'), later, now)).toMatch(
      /stream was enabled at 2026-06-01T11:00:00.000Z, after the export's time 2026-06-01T10:00:00.000Z/,
    );
  });
});
