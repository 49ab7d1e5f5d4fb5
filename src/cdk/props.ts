/**
 * What a CDK user gives {@link DynamoReplicator} (./dynamoReplicator.ts), its defaults, and the check of it. The
 * defaults are deploy/template.json's parameter defaults (test/contract/cdkTemplate.test.ts holds the two equal), and
 * every problem a synthesis can see is reported at construction with the fix, not at the function's first batch.
 */

import type { Duration } from 'aws-cdk-lib';
import { Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { externalIdProblem, roleProblem } from '../shared/roleChecks';
import { isTableArn, parseTableArn } from '../shared/tableRef';
import { checkTarget, sameTarget } from '../shared/targetChecks';

/** One table the master is copied to: by `region` and `tableName`, or by `tableArn`. */
export interface SlaveTableProps {
  /** The slave table's region, e.g. `eu-west-1`; with `tableArn` it may be left out (it is the ARN's). */
  readonly region?: string;
  /** The slave table's name; it must exist with the master's key schema. Or give `tableArn`. */
  readonly tableName?: string;
  /**
   * Instead of `tableName`: the slave table's ARN, e.g. a table in another account whose resource-based policy allows
   * the function's role to write it (no role to assume). The function then writes it by its ARN.
   */
  readonly tableArn?: string;
  /**
   * A role in the slave's account that the function assumes to write (a slave in another account). Without it the
   * function's own role writes the slave: a table in the stack's account, or one whose policy allows that role.
   */
  readonly roleArn?: string;
  /** The external id the role's trust policy asks for (only with `roleArn`). */
  readonly externalId?: string;
}

/** The construct's settings: `master` and `slaves` are required, the rest default as deploy/template.json does. */
export interface DynamoReplicatorProps {
  /** The master table (with a stream: its `tableStreamArn`), or its stream's ARN, in the stack's account and region. */
  readonly master: dynamodb.ITable | string;
  /** The tables to write to: at least one, each once. */
  readonly slaves: readonly SlaveTableProps[];
  /**
   * The master stream's view type. KEYS_ONLY and OLD_IMAGE carry no new image, so the function reads each changed
   * item from the master, and only then is granted dynamodb:BatchGetItem on it. @default NEW_IMAGE
   */
  readonly masterStreamViewType?: dynamodb.StreamViewType;
  /** Most records per invocation (1–10000). @default 1000 */
  readonly batchSize?: number;
  /**
   * How long the trigger gathers records before invoking (0–300 s, whole seconds); every second of it is a second of
   * replication lag. @default no window (invoke as soon as records are read)
   */
  readonly maxBatchingWindow?: Duration;
  /** Batches processed at once per shard (1–10); above 1, changes to one item can land out of order. @default 1 */
  readonly parallelizationFactor?: number;
  /** TRIM_HORIZON replicates what the stream still holds (24 h); LATEST only what follows. @default TRIM_HORIZON */
  readonly startingPosition?: lambda.StartingPosition;
  /** Retries of a failing batch before its position goes to the on-failure queue (0–10000). @default 10 */
  readonly retryAttempts?: number;
  /** Age after which Lambda gives up on a record (60 s–7 days). @default 6 hours */
  readonly maxRecordAge?: Duration;
  /** false: deletes made by DynamoDB's TTL process are skipped (REPLICATE_TTL_DELETES). @default true */
  readonly replicateTtlDeletes?: boolean;
  /** Top-level attributes dropped from every item on the slaves (EXCLUDE_ATTRIBUTES). @default none */
  readonly excludeAttributes?: readonly string[];
  /** Function memory in MB (128–10240); Lambda's CPU grows with it. @default 512 */
  readonly memorySize?: number;
  /** Function timeout (10 s–15 min); the function stops retrying before it. @default 60 seconds */
  readonly timeout?: Duration;
  /** CloudWatch namespace of the function's metrics. @default DynamoReplicator */
  readonly metricsNamespace?: string;
  /** Alarm when IteratorAge stays above this for 5 minutes. @default 60 seconds */
  readonly iteratorAgeAlarmThreshold?: Duration;
  /** Alarm when ReplicationLatency stays above this for 5 minutes. @default 60 seconds */
  readonly replicationLatencyAlarmThreshold?: Duration;
  /** An SNS topic the alarms notify (on alarm and back to OK). @default no notification */
  readonly alarmTopic?: ITopic;
  /** Whether to create the CloudWatch dashboard. @default true */
  readonly dashboard?: boolean;
  /** The dashboard's name. @default a name CloudFormation generates */
  readonly dashboardName?: string;
}

/** deploy/template.json's parameter defaults, in the units of its parameters. */
export const DEFAULTS = {
  batchSize: 1000,
  maxBatchingWindowSeconds: 0,
  parallelizationFactor: 1,
  retryAttempts: 10,
  maxRecordAgeSeconds: 21600,
  memorySize: 512,
  timeoutSeconds: 60,
  metricsNamespace: 'DynamoReplicator',
  iteratorAgeAlarmMs: 60000,
  replicationLatencyAlarmMs: 60000,
} as const;

/**
 * A slave after the check: its region (the ARN's when it is given by one), the table as the function is told it (the
 * name, or the ARN), and its name as the function's metrics and messages give it (`region/table`, or the ARN).
 */
export interface CheckedSlave extends SlaveTableProps {
  readonly region: string;
  readonly table: string;
  readonly name: string;
}

/** `slave` with its region, table and name, as {@link CheckedSlave} says; a token ARN keeps the region it is given. */
function checkedSlave(slave: SlaveTableProps): CheckedSlave {
  const table = slave.tableArn ?? slave.tableName ?? '';
  const literal = !Token.isUnresolved(table) && isTableArn(table);
  const parsed = literal ? parseTableArn(table) : undefined;
  const region = parsed && 'region' in parsed ? parsed.region : (slave.region ?? '');
  const name = slave.tableArn !== undefined ? slave.tableArn : `${region}/${table}`;
  return { ...slave, region, table, name };
}

/**
 * The slaves as the function's description, the alarms and the dashboard name them: `region/table, …`, or their
 * number when the list would not fit those fields (a function description holds 256 characters).
 */
export function slavesNamed(slaves: readonly CheckedSlave[]): string {
  const names = slaves.map((slave) => slave.name).join(', ');
  return names.length <= 120 ? names : `${slaves.length} slaves`;
}

/** The problem with a number setting outside `[min, max]` (a token is left to CloudFormation), or `undefined`. */
function rangeProblem(name: string, value: number | undefined, min: number, max: number): string | undefined {
  if (value === undefined || Token.isUnresolved(value)) return undefined;
  return Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : `${name} is ${value}: give a whole number from ${min} to ${max}`;
}

/** A literal value's problem from one of the shared checks; tokens are known only at deployment. */
function literalProblem(value: string | undefined, check: (value: string) => string | undefined) {
  return value === undefined || Token.isUnresolved(value) ? undefined : check(value);
}

/**
 * The problems of the slave list that the function's own check (SLAVES, SLAVE_EXTERNAL_ID) would find only at its
 * first invocation: none listed, one listed twice, a region, table name, role or external id it would refuse, an
 * external id without a role, and external ids that differ (the function passes one to every slave role).
 */
function slaveProblems(slaves: readonly SlaveTableProps[]): string[] {
  if (slaves.length === 0) {
    return [
      "slaves is empty: list at least one slave table, e.g. slaves: [{ region: 'eu-west-1', tableName: 'Orders' }]",
    ];
  }
  const problems: string[] = [];
  const checked: CheckedSlave[] = [];
  for (const slave of slaves) {
    const { name } = checkedSlave(slave);
    const source = `slave ${name}`;
    const table = slave.tableArn ?? slave.tableName;
    const found: string[] = [];
    if ((slave.tableArn === undefined) === (slave.tableName === undefined)) {
      found.push(`${source}: give tableName (with region) or tableArn, one of them`);
    } else if (
      table !== undefined &&
      !Token.isUnresolved(table) &&
      isTableArn(table) !== (slave.tableArn !== undefined)
    ) {
      found.push(
        slave.tableArn === undefined
          ? `${source} tableName is an ARN: give it as tableArn`
          : `${source} tableArn: ${JSON.stringify(table)} is not an ARN: give a name as tableName, with region`,
      );
    } else if (table !== undefined && !Token.isUnresolved(table) && !Token.isUnresolved(slave.region ?? '')) {
      const sources = {
        region: `${source} region`,
        table: `${source} ${slave.tableArn === undefined ? 'tableName' : 'tableArn'}`,
        regionMissing: `${source} has no region: give region with tableName`,
      };
      checkTarget(sources, slave.region, table, found);
    }
    const role = literalProblem(slave.roleArn, (arn) => roleProblem(`${source} roleArn`, arn));
    const id = literalProblem(slave.externalId, (id) => externalIdProblem(`${source} externalId`, id));
    problems.push(...[...found, role, id].filter((problem): problem is string => problem !== undefined));
    const target = { ...checkedSlave(slave), ...(slave.roleArn ? { roleArn: slave.roleArn } : {}) };
    if (checked.some((other) => sameTarget(other, target))) {
      problems.push(`slave ${name} is listed twice: list each slave table once`);
    }
    checked.push(target);
    if (slave.externalId !== undefined && slave.roleArn === undefined) {
      problems.push(
        `slave ${name} has an externalId but no roleArn: give the roleArn of the role whose trust policy asks for it, or drop the externalId`,
      );
    }
  }
  const externalIds = new Set(slaves.flatMap((slave) => (slave.externalId === undefined ? [] : [slave.externalId])));
  if (externalIds.size > 1) {
    problems.push(
      'the slaves give different externalIds: the function passes one external id (SLAVE_EXTERNAL_ID) to every slave role, so give their trust policies the same one',
    );
  }
  return problems;
}

/**
 * The stream ARN of `master`, and every problem with the props in one error naming each fix, so that a user fixes
 * them in one go.
 */
export function checkProps(props: DynamoReplicatorProps): { streamArn: string; slaves: CheckedSlave[] } {
  const streamArn = typeof props.master === 'string' ? props.master : props.master.tableStreamArn;
  const problems = [
    streamArn === undefined
      ? 'the master table has no stream (its tableStreamArn is undefined): create it with stream: StreamViewType.NEW_IMAGE, import it with Table.fromTableAttributes({ tableName, tableStreamArn }), or pass the stream ARN as master'
      : undefined,
    ...slaveProblems(props.slaves),
    rangeProblem('batchSize', props.batchSize, 1, 10000),
    rangeProblem('maxBatchingWindow (seconds)', props.maxBatchingWindow?.toSeconds(), 0, 300),
    rangeProblem('parallelizationFactor', props.parallelizationFactor, 1, 10),
    rangeProblem('retryAttempts', props.retryAttempts, 0, 10000),
    rangeProblem('maxRecordAge (seconds)', props.maxRecordAge?.toSeconds(), 60, 604800),
    rangeProblem('memorySize', props.memorySize, 128, 10240),
    rangeProblem('timeout (seconds)', props.timeout?.toSeconds(), 10, 900),
    props.startingPosition !== undefined && !['TRIM_HORIZON', 'LATEST'].includes(props.startingPosition)
      ? `startingPosition is ${props.startingPosition}: a DynamoDB stream starts at TRIM_HORIZON or LATEST`
      : undefined,
    props.excludeAttributes?.some((name) => name.trim() === '' || name.includes(','))
      ? 'excludeAttributes has an empty name or a name with a comma: give top-level attribute names'
      : undefined,
  ].filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0 || streamArn === undefined) {
    throw new Error(`DynamoReplicator: ${problems.join('; ')}`);
  }
  return { streamArn, slaves: props.slaves.map(checkedSlave) };
}
