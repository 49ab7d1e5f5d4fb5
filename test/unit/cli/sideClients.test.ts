import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolError } from '../../../src/cli/errors';
import {
  openMasterKmsClient,
  openMasterStreamsClient,
  openSideClients,
  type SideAccess,
  sideIdentity,
} from '../../../src/cli/table/sideClients';

const ROLE = 'arn:aws:iam::210987654321:role/replica-operator';
const EAST = { region: 'us-east-1', table: 'Orders' };
const EAST_COPY = { region: 'us-east-1', table: 'OrdersCopy' };
const WEST = { region: 'eu-west-1', table: 'OrdersReplica' };
const ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'];
const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'side-clients-'));
  const credentials = join(dir, 'credentials');
  writeFileSync(credentials, '[dr]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = profile-secret\n');
  writeFileSync(join(dir, 'config'), '');
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'ENVKEY',
    AWS_SECRET_ACCESS_KEY: 'env-secret',
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: join(dir, 'config'),
  });
});

afterAll(() => {
  for (const key of ENV_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Clients opened by a test, closed after it. */
const opened: Array<{ close(): void }> = [];

afterEach(() => {
  for (const clients of opened.splice(0)) clients.close();
});

function open(master: typeof EAST, slave: typeof EAST, masterAccess?: SideAccess, slaveAccess?: SideAccess) {
  const clients = openSideClients({ master, slave, maxSockets: 4, masterAccess, slaveAccess });
  opened.push(clients);
  return clients;
}

describe('openSideClients', () => {
  test('sides in one region with the same access share a client; another region gets its own', async () => {
    // Act
    const oneRegion = open(EAST, EAST_COPY, { profile: 'dr' }, { profile: 'dr' });
    const twoRegions = open(EAST, WEST);

    // Assess
    expect(oneRegion.slave).toBe(oneRegion.master);
    expect(twoRegions.slave).not.toBe(twoRegions.master);
    expect(await twoRegions.master.config.region()).toBe('us-east-1');
    expect(await twoRegions.slave.config.region()).toBe('eu-west-1');
  });

  test('different access means different clients in one region, each signing with its own credentials', async () => {
    // Act
    const clients = open(EAST, EAST_COPY, undefined, { profile: 'dr' });

    // Assess
    expect(clients.slave).not.toBe(clients.master);
    expect(await clients.master.config.credentials()).toMatchObject({ accessKeyId: 'ENVKEY' });
    expect(await clients.slave.config.credentials()).toMatchObject({ accessKeyId: 'PROFILEKEY' });
  });

  test('the master’s stream is read with the master’s access', async () => {
    // Act
    const streams = openMasterStreamsClient({ master: WEST, masterAccess: { profile: 'dr' } });

    // Assess
    try {
      expect(await streams.config.credentials()).toMatchObject({ accessKeyId: 'PROFILEKEY' });
      expect(await streams.config.region()).toBe('eu-west-1');
    } finally {
      streams.destroy();
    }
  });

  test('the master’s KMS client signs with the master’s access in the master’s region, at KMS’s own endpoint', async () => {
    // Act
    const kms = openMasterKmsClient({ master: WEST, masterAccess: { profile: 'dr' } });
    const sides = open(EAST, WEST, undefined, { profile: 'dr' });

    // Assess
    try {
      expect(await kms.config.credentials()).toMatchObject({ accessKeyId: 'PROFILEKEY' });
      expect(await kms.config.region()).toBe('eu-west-1');
      const endpoint = await kms.config.endpointProvider({ Region: 'eu-west-1' });
      expect(endpoint.url.hostname).toBe('kms.eu-west-1.amazonaws.com');
      expect(await sides.master.config.credentials()).toMatchObject({ accessKeyId: 'ENVKEY' });
    } finally {
      kms.destroy();
    }
  });

  test('each side’s identity names the side and its role or profile; the default chain has none', () => {
    // Act
    const clients = open(EAST, WEST, { profile: 'dr' }, { roleArn: ROLE, externalId: 'ext-42' });
    const defaults = open(EAST, WEST);

    // Assess
    expect([clients.masterIdentity, clients.slaveIdentity]).toEqual([
      'the master side (profile dr)',
      `the slave side (role ${ROLE} with external id ext-42)`,
    ]);
    expect(sideIdentity('slave', { roleArn: ROLE })).toBe(`the slave side (role ${ROLE})`);
    expect([defaults.masterIdentity, defaults.slaveIdentity, sideIdentity('master', {})]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('a library caller’s bad access is refused whole, before any client is made', () => {
    // Act
    const opening = () =>
      openSideClients({
        master: EAST,
        slave: WEST,
        masterAccess: { externalId: 'ext-42' },
        slaveAccess: { roleArn: 'role' },
      });

    // Assess
    expect(opening).toThrow(ToolError);
    expect(opening).toThrow(
      /--from-external-id .* needs --from-role-arn; --to-role-arn: "role" is not an IAM role ARN/,
    );
  });
});

test.each([
  [{ roleArn: ROLE }, { roleArn: ROLE, externalId: 'ext-42' }],
  [{ roleArn: ROLE }, { profile: 'dr' }],
])('%j and %j in one region are two clients', (masterAccess, slaveAccess) => {
  // Act
  const clients = open(EAST, EAST_COPY, masterAccess, slaveAccess);

  // Assess
  expect(clients.slave).not.toBe(clients.master);
});
