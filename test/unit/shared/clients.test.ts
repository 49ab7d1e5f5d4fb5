import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { type FakeSts, startFakeSts } from '../../../harness/fakeSts';
import {
  type ClientSettings,
  createClient,
  createServiceClient,
  RegionalClients,
  ROLE_SESSION_NAME,
} from '../../../src/shared/clients';

const ROLE_ARN = 'arn:aws:iam::210987654321:role/replica-writer';
const BASE = { accessKeyId: 'BASEKEY', secretAccessKey: 'base-secret' };
const made: DynamoDBClient[] = [];
const SETTINGS: ClientSettings = { maxSockets: 4, connectionTimeoutMs: 3000, requestTimeoutMs: 10_000 };
let sts: FakeSts;

beforeAll(async () => {
  sts = await startFakeSts();
  process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
  process.env.AWS_ACCESS_KEY_ID = BASE.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = BASE.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});

afterEach(() => {
  for (const client of made.splice(0)) client.destroy();
});

afterAll(async () => {
  await sts.close();
});

function kept(client: DynamoDBClient): DynamoDBClient {
  made.push(client);
  return client;
}

describe('createClient', () => {
  test('without a role the client signs with the function’s own credentials and STS is not called', async () => {
    // Prepare
    const client = kept(createClient('eu-west-1', SETTINGS));
    const before = sts.calls.length;

    // Act
    const credentials = await client.config.credentials();

    // Assess
    expect(credentials).toMatchObject(BASE);
    expect(await client.config.region()).toBe('eu-west-1');
    expect(sts.calls.length).toBe(before);
  });

  test('with a role the client signs with the role’s temporary credentials, assumed with the session name and external id', async () => {
    // Prepare
    const client = kept(createClient('eu-west-1', SETTINGS, { roleArn: ROLE_ARN, externalId: 'ext-42' }));
    const before = sts.calls.length;

    // Act
    const first = await client.config.credentials();
    const second = await client.config.credentials();

    // Assess
    const { accessKeyId, secretAccessKey, sessionToken } = sts.credentials;
    expect(first).toMatchObject({ accessKeyId, secretAccessKey, sessionToken });
    expect(second).toMatchObject({ accessKeyId });
    expect(sts.calls.slice(before)).toEqual([
      { roleArn: ROLE_ARN, roleSessionName: ROLE_SESSION_NAME, externalId: 'ext-42', signedBy: BASE.accessKeyId },
    ]);
  });
});

describe('createServiceClient', () => {
  test("makes another service's client as createClient makes DynamoDB's: the access signs, the settings' endpoint and sockets apply", async () => {
    // Prepare
    const settings = { ...SETTINGS, endpoint: 'http://127.0.0.1:9' };
    const before = sts.calls.length;

    // Act
    const kms = createServiceClient(KMSClient, 'eu-west-1', settings, { roleArn: ROLE_ARN });
    const withoutEndpoint = createServiceClient(KMSClient, 'eu-west-1', SETTINGS);

    // Assess
    try {
      expect(kms).toBeInstanceOf(KMSClient);
      expect(await kms.config.credentials()).toMatchObject({ accessKeyId: sts.credentials.accessKeyId });
      expect(sts.calls.slice(before).map((call) => call.roleArn)).toEqual([ROLE_ARN]);
      expect(await kms.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 9 });
      expect(withoutEndpoint.config.endpoint).toBeUndefined();
      expect(await kms.config.region()).toBe('eu-west-1');
    } finally {
      kms.destroy();
      withoutEndpoint.destroy();
    }
  });
});

describe('createClient with a profile', () => {
  const files = ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'] as const;
  const saved = files.map((name) => process.env[name]);
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clients-profile-'));
    writeFileSync(
      join(dir, 'credentials'),
      '[ops]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = p-secret\n',
    );
    writeFileSync(join(dir, 'config'), '');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
  });

  afterAll(() => {
    files.forEach((name, index) => {
      if (saved[index] === undefined) delete process.env[name];
      else process.env[name] = saved[index];
    });
    rmSync(dir, { recursive: true, force: true });
  });

  test('the client signs with the profile’s credentials, not the default chain’s', async () => {
    // Prepare
    const client = kept(createClient('eu-west-1', SETTINGS, { profile: 'ops' }));

    // Act
    const credentials = await client.config.credentials();

    // Assess
    expect(credentials).toMatchObject({ accessKeyId: 'PROFILEKEY', secretAccessKey: 'p-secret' });
  });

  test('a role given with a profile is assumed with the profile’s credentials', async () => {
    // Prepare
    const client = kept(createClient('eu-west-1', SETTINGS, { roleArn: ROLE_ARN, profile: 'ops' }));
    const before = sts.calls.length;

    // Act
    const credentials = await client.config.credentials();

    // Assess
    expect(credentials).toMatchObject({ accessKeyId: sts.credentials.accessKeyId });
    expect(sts.calls.slice(before).map((call) => call.signedBy)).toEqual(['PROFILEKEY']);
  });
});

describe('RegionalClients', () => {
  test('one client per region, made on first use and then reused', async () => {
    // Prepare
    const clients = new RegionalClients(SETTINGS);

    // Act
    const east = clients.forRegion('us-east-1');
    const eastAgain = clients.forRegion('us-east-1');
    const west = clients.forRegion('us-west-2');
    made.push(east, west);

    // Assess
    expect(eastAgain).toBe(east);
    expect(west).not.toBe(east);
    expect(await east.config.region()).toBe('us-east-1');
    expect(await west.config.region()).toBe('us-west-2');
  });
});

describe('the SDK retry settings', () => {
  const saved = process.env.AWS_MAX_ATTEMPTS;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_MAX_ATTEMPTS;
    else process.env.AWS_MAX_ATTEMPTS = saved;
  });

  test('a side’s maxAttempts applies, AWS_MAX_ATTEMPTS wins over it, and without either the SDK’s own setting stays', async () => {
    // Prepare
    delete process.env.AWS_MAX_ATTEMPTS;

    // Act: the SDK reads the variable when asked, so each client is asked before the variable changes.
    const own = await kept(createClient('eu-west-1', { ...SETTINGS, maxAttempts: 1 })).config.maxAttempts();
    const sdkDefault = await kept(createClient('eu-west-1', SETTINGS)).config.maxAttempts();
    const plainSdk = await kept(new DynamoDBClient({ region: 'eu-west-1' })).config.maxAttempts();
    process.env.AWS_MAX_ATTEMPTS = '5';
    const fromEnv = kept(createClient('eu-west-1', { ...SETTINGS, maxAttempts: 1 }));

    // Assess
    expect(own).toBe(1);
    expect(sdkDefault).toBe(plainSdk);
    expect(await fromEnv.config.maxAttempts()).toBe(5);
  });
});
